"""Checks for lesson 2: a layer's gradient with respect to its inputs, for one sample.

    from checks import lesson02 as check
    check.layer_dinputs(layer_dinputs)   # graded: fn(dvalues (n_neurons,), weights (n_inputs, n_neurons)) -> (n_inputs,)
    check.dinputs(dinputs)               # practice: the lesson's weights, a new gradient dvalues_next = [[2, -1, 0.5]]
    check.dinputs_second(dinputs_second) # practice: the same weights, dvalues = [0, 1, 0]

Expected values are central differences of the course's dense forward pass for a batch of one.
"""
from __future__ import annotations

import numpy as np

from .lesson_helpers import estimate_probes as probes
from .lesson_helpers import examples as example
from .engine.answers import untouched
from .engine.diagnose import Mistake, compare
from .engine.exercise import exercise, make_hint
from .engine.learner import guarded_call, require_callable
from .engine.numeric import central_difference, close
from .engine.reference import dense_forward

LESSON, NOTEBOOK = "lesson02", "02_layer_dinputs_one_sample"
ARGS = ("dvalues", "weights")
hint = make_hint(LESSON, NOTEBOOK)
solution = hint.solution  # check.solution(name): the answer, recorded as viewed

HINTS = (
    "Input i feeds every neuron j through the weight weights[i, j]. Its gradient adds up, over the neurons, "
    "the gradient arriving at neuron j times that weight. The result has one entry per input: shape (n_inputs,).",
    "Written as a loop: dinputs[i] = sum over j of weights[i, j] * dvalues[j]. With numpy, one product of the "
    "(n_neurons,) vector dvalues and a matrix does every i at once. Of weights (n_inputs, n_neurons) and "
    "weights.T (n_neurons, n_inputs), which takes (n_neurons,) to (n_inputs,)?",
    "`return ____ @ ____`: a vector of shape (n_neurons,) times a matrix of shape (n_neurons, n_inputs) gives "
    "(n_inputs,). Which of your arrays has each shape?",
)
DINPUTS_HINTS = (
    "Each input's gradient adds up, over the three neurons, the gradient arriving at that neuron times the "
    "weight joining them: the explicit sums of section 2, with the new gradient. One np.dot does all four sums.",
    "The sample is dvalues_next[0], shape (3,): dvalues_next itself is a batch of one, (1, 3). The result needs "
    "(4,), one entry per input. Of weights (4, 3) and weights.T (3, 4), which takes (3,) to (4,)?",
    "dinputs = np.dot(dvalues_next[____], ____)",
)
SECOND_HINTS = (
    "Only the second neuron sends a gradient back, so each input gets exactly its weight to that neuron.",
    "dvalues_second is already one sample, shape (3,) (no [0] needed). The product must go from (3,) to (4,).",
    "`dinputs_second = ____ @ ____`: (3,) times (3, 4) gives (4,). Which of your arrays has each shape?",
)


def layer_gradient(dvalues, weights) -> np.ndarray:
    """Gradient of L = dvalues · (inputs @ weights + biases) with respect to one sample's inputs, numerically.

    dvalues (n_neurons,), weights (n_inputs, n_neurons) -> (n_inputs,). The layer is linear in its
    inputs, so the point it is taken at does not matter: zeros will do.
    """
    dvalues = np.asarray(dvalues, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    biases = np.zeros((1, weights.shape[1]))
    return central_difference(lambda i: float(dvalues @ dense_forward(i[None, :], weights, biases)[0]),
                              np.zeros(weights.shape[0]))


def _cases(rng):
    """(description, dvalues, weights). The square case comes first: there numpy lets a transposed
    product through, so the mistake gets its name instead of a shape error."""
    for n_inputs, n_neurons in ((3, 3), (4, 3), (2, 5), (5, 1)):
        dvalues = rng.normal(size=n_neurons)
        weights = rng.normal(size=(n_inputs, n_neurons))
        yield (f"on random values: dvalues of shape {dvalues.shape}, weights of shape {weights.shape}",
               dvalues, weights)
    yield "on the lesson's example", np.ones(3), example.layer_weights()


def _context(dvalues, weights):
    return {"dvalues": np.asarray(dvalues, dtype=np.float64), "weights": np.asarray(weights, dtype=np.float64),
            "if_upstream_were_ones": {"dinputs": layer_gradient(np.ones(len(dvalues)), weights)}}


def _extra_axis(got, expected, context):
    if got.ndim > 1 and got.size == expected.size and close(got.reshape(expected.shape), expected):
        return Mistake(
            "extra_axis",
            f"the numbers are right, but the shape is {got.shape} instead of {expected.shape}: "
            "an extra axis of length 1.",
            "One sample's dinputs is 1-D, (n_inputs,). An extra axis comes in with a 2-D factor (a batch of "
            "one, shape (1, n_neurons), is not one sample; its row [0] is) or with brackets around a result.",
        )
    return None


def _indexed_sample(got, expected, context):
    dvalues, weights = context["dvalues"], context["weights"]
    if got.shape == weights.T.shape and close(got, dvalues[0] * weights.T):
        return Mistake(
            "indexed_sample",
            f"your answer has shape {got.shape}: it is dvalues[0] times weights.T. In this function dvalues is "
            "already one sample's 1-D vector, so dvalues[0] is a single number.",
            "The lesson writes dvalues_next[0] because dvalues_next is a batch of one, shape (1, n_neurons). "
            "Here, use dvalues itself.",
        )
    return None


def _wrong_axis(got, expected, context):
    dvalues, weights = context["dvalues"], context["weights"]
    if got.ndim == 1 and len(got) == len(dvalues) and close(got, (weights * dvalues).sum(axis=0)):
        return Mistake(
            "wrong_axis",
            f"you multiplied weights by dvalues and summed over the inputs (axis 0), giving one number per "
            f"neuron, shape {got.shape}.",
            "dinputs has one entry per input: for each input, add up over the neurons (the axis of "
            "length n_neurons).",
        )
    return None


def _transposed(got, expected, context):
    dvalues, weights = context["dvalues"], context["weights"]
    if weights.shape[0] == weights.shape[1] and close(got, layer_gradient(dvalues, weights.T)):
        return Mistake(
            "transposed",
            "your answer is what the right formula gives with weights transposed. The weights here are square, "
            "so numpy did not complain, but with 4 inputs and 3 neurons the same code would fail or be wrong.",
            "weights has shape (n_inputs, n_neurons): row i holds input i's weights to every neuron. Write the "
            "shape of each factor; the product must go from (n_neurons,) to (n_inputs,).",
        )
    return None


def _averaged(got, expected, context):
    n_neurons = len(context["dvalues"])
    if n_neurons > 1 and got.shape == expected.shape and np.any(expected != 0) and close(got * n_neurons, expected):
        return Mistake(
            "mean_instead_of_sum",
            f"your values are the right ones divided by the number of neurons ({n_neurons}): an average over the "
            "neurons, where the gradient adds them up.",
            "Every neuron's path from this input to the loss adds its own share: sum over the neurons, "
            "do not average (np.mean divides by their number).",
        )
    return None


DIAGNOSERS = (_extra_axis, _indexed_sample, _wrong_axis, _transposed, _averaged)


@exercise(LESSON, "A layer's dinputs for one sample", graded=True, hints=HINTS)
def layer_dinputs(fn, rng):
    require_callable(fn, "layer_dinputs", ARGS)
    what = "your layer_dinputs"
    cases = list(_cases(rng))
    for case, dvalues, weights in cases:
        call = guarded_call(fn, (dvalues, weights), ARGS, what)
        untouched(call, what)
        compare("dinputs", call.value, layer_gradient(dvalues, weights), what=what, case=case,
                diagnosers=DIAGNOSERS, context=_context(dvalues, weights))
    # Linearity in the upstream gradient: tripling dvalues must triple dinputs.
    case, dvalues, weights = cases[1]
    call = guarded_call(fn, (3 * dvalues, weights), ARGS, what)
    compare("dinputs", call.value, layer_gradient(3 * dvalues, weights), what=what,
            case="when dvalues is tripled (dinputs should triple too)", diagnosers=DIAGNOSERS,
            context=_context(3 * dvalues, weights))
    probes.layer_dinputs(fn, what)  # right values: are they derived, or a numerical estimate?
    return ("dinputs matches on random layers, a single neuron and the lesson's example. Each input's gradient "
            "adds up what every neuron sends back: that neuron's gradient times the weight joining them.")


def _value_check(name: str, title: str, dvalues, hints: tuple, insight: str, advice=None):
    def body(value, rng):
        weights = example.layer_weights()
        compare("dinputs", value, layer_gradient(dvalues, weights), what="your value",
                case=f"for the lesson's weights and dvalues = [{', '.join(f'{v:g}' for v in dvalues)}]", diagnosers=DIAGNOSERS,
                context=_context(dvalues, weights), advice=advice, shown_as=name)
        return insight

    body.__name__ = name
    return exercise(LESSON, title, graded=False, hints=hints)(body)


# The new gradient of exercise 1: not the walkthrough's ones, so its numbers are worked out, not copied.
NEXT_DVALUES = np.array([2.0, -1.0, 0.5])
dinputs = _value_check(
    "dinputs", "dinputs for a new gradient, with one np.dot", NEXT_DVALUES, DINPUTS_HINTS,
    "One product did the four sums of section 2: each input's weights to the three neurons, each times that "
    "neuron's gradient, added up.",
    advice={"upstream_ignored": "This exercise's gradient is the new one, dvalues_next: its sample is "
                                "dvalues_next[0]. The walkthrough's dvalues (all ones) belongs to the sections above."})
dinputs_second = _value_check(
    "dinputs_second", "dinputs when only the second neuron matters", np.array([0.0, 1.0, 0.0]), SECOND_HINTS,
    "With dvalues = [0, 1, 0] only the second neuron sends a gradient back, so dinputs is exactly that "
    "neuron's weights: column 1 of weights.")
