"""Checks for lesson 2: a layer's gradient with respect to its inputs, for one sample.

    from checks import lesson02 as check
    check.layer_dinputs(layer_dinputs)   # graded: fn(dvalues (n_neurons,), weights (n_inputs, n_neurons)) -> (n_inputs,)
    check.dinputs(dinputs)               # practice: the seed's example, dvalues = [1, 1, 1]
    check.dinputs_second(dinputs_second) # practice: the same weights, dvalues = [0, 1, 0]

Expected values are central differences of the course's dense forward pass for a batch of one.
"""
from __future__ import annotations

import numpy as np

from . import _examples as example
from ._answers import untouched
from ._diagnose import Mistake, compare
from ._exercise import exercise, make_hint
from ._learner import guarded_call, require_callable
from ._numeric import central_difference, close
from ._reference import dense_forward

LESSON, NOTEBOOK = "lesson02", "02_layer_dinputs_one_sample"
ARGS = ("dvalues", "weights")
hint = make_hint(LESSON, NOTEBOOK)
solution = hint.solution  # check.solution(name): the answer, recorded as viewed

HINTS = (
    "Input i feeds every neuron j through the weight weights[i, j]. Its gradient adds up, over the neurons, "
    "the gradient arriving at neuron j times that weight. The result has one entry per input: shape (n_inputs,).",
    "Written as a loop: dinputs[i] = sum over j of weights[i, j] * dvalues[j]. With numpy, one product of a "
    "(n_neurons,) vector and an (n_neurons, n_inputs) matrix does every i at once.",
    "np.dot(dvalues, weights.T), or dvalues @ weights.T. Check the shapes: (n_neurons,) times "
    "(n_neurons, n_inputs) gives (n_inputs,).",
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
            "One sample's dinputs is 1-D, (n_inputs,), so every factor should be 1-D or the weights. A 2-D "
            "factor brings the extra axis in: the seed's dvalues is a batch of one, shape (1, 3), and "
            "dvalues[0] is its one sample.",
        )
    return None


def _indexed_sample(got, expected, context):
    dvalues, weights = context["dvalues"], context["weights"]
    if got.shape == weights.T.shape and close(got, dvalues[0] * weights.T):
        return Mistake(
            "indexed_sample",
            f"your answer has shape {got.shape}: it is dvalues[0] times weights.T. In this function dvalues is "
            "already one sample's 1-D vector, so dvalues[0] is a single number.",
            "The seed writes dvalues[0] because its dvalues is a batch of one, shape (1, n_neurons). "
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


DIAGNOSERS = (_extra_axis, _indexed_sample, _wrong_axis, _transposed)


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
    return ("dinputs matches on random layers, a single neuron and the lesson's example. Each input's gradient "
            "adds up what every neuron sends back: that neuron's gradient times the weight joining them.")


def _value_check(name: str, title: str, dvalues, insight: str):
    def body(value, rng):
        weights = example.layer_weights()
        compare("dinputs", value, layer_gradient(dvalues, weights), what="your value",
                case=f"for the lesson's weights and dvalues = [{', '.join(f'{v:g}' for v in dvalues)}]", diagnosers=DIAGNOSERS,
                context=_context(dvalues, weights))
        return insight

    body.__name__ = name
    return exercise(LESSON, title, graded=False, hints=HINTS[1:])(body)


dinputs = _value_check(
    "dinputs", "dinputs of the seed's example", np.ones(3),
    "dinputs = [0.44, -0.38, -0.07, 1.37]: each input's weights to the three neurons, added up "
    "(every neuron sends back a gradient of 1 here).")
dinputs_second = _value_check(
    "dinputs_second", "dinputs when only the second neuron matters", np.array([0.0, 1.0, 0.0]),
    "With dvalues = [0, 1, 0] only the second neuron sends a gradient back, so dinputs is exactly that "
    "neuron's weights: column 1 of weights.")
