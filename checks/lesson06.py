"""Checks for lesson 6: the book's layer classes.

    from checks import lesson06 as check
    check.Layer_Dense(Layer_Dense)          # graded: __init__(n_inputs, n_neurons), forward, backward
    check.Activation_ReLU(Activation_ReLU)  # graded: forward, backward (leaving dvalues alone)
    check.Optimizer_SGD(Optimizer_SGD)      # graded: __init__(learning_rate=1.0), update_params(layer)
    check.network_loss(loss)                # practice: the chained network's loss before the step
    check.network_loss_after(loss_after)    # practice: ... and after one SGD step (see _lesson06_network)

Each check builds the learner's class itself, sets .weights and .biases of its own where it needs to,
and verifies outputs against the course's forward passes and gradients by central differences.
"""
from __future__ import annotations

import numpy as np

from .lesson_helpers import estimate_probes as probes
from .lesson_helpers import examples as example
from .engine.answers import untouched
from .engine.diagnose import Mistake, compare
from .engine.exercise import exercise, make_hint
from .engine.learner import guarded_call
from .engine.numeric import as_float64, close
from .engine.objects import attribute_sharing, construct, get, method, require_class, set_attr, stored
from .engine.reference import away_from_kink, dense_forward, dense_gradients, relu_forward
from .engine.shapes import layer_backward_explaining_shapes
from .engine.verdict import Incorrect, PartJudge, Raised
from .lesson04 import expected_gradient as relu_expected
from .lesson_helpers.relu_mistakes import DRELU_DIAGNOSERS as RELU_DIAGNOSERS
from .lesson_helpers.lesson06_network import network_loss, network_loss_after  # noqa: F401  (the lesson's value checks)

LESSON, NOTEBOOK = "lesson06", "06_layer_classes"
GRADIENTS = ("dinputs", "dweights", "dbiases")
# Names learners (and other code they meet) use instead of the book's.
ALTERNATIVES = {
    "dweights": ("dL_dw", "dL_dW", "dw", "dW", "d_weights", "dweight", "grad_weights", "weights_grad"),
    "dbiases": ("dL_db", "dL_dB", "db", "dB", "d_biases", "dbias", "grad_biases", "biases_grad"),
    "dinputs": ("dL_dX", "dL_dx", "dL_dz", "dL_da", "dL_dinputs", "dx", "dX", "dz", "drelu", "d_inputs", "dinput"),
    "output": ("outputs", "out", "y", "a", "z"),
    "inputs": ("input", "x", "X"),
}
hint = make_hint(LESSON, NOTEBOOK)
solution = hint.solution  # check.solution(name): the answer, recorded as viewed

DENSE_HINTS = (
    "Each method stores what a later one needs. __init__ makes the parameters: small random weights and "
    "biases of zero. forward keeps its inputs (backward needs them) and its output. backward is lesson 3's "
    "dense backward pass, with the stored inputs and the current weights.",
    "Shapes: self.weights (n_inputs, n_neurons), self.biases (1, n_neurons); forward's inputs (N, n_inputs) "
    "give self.output (N, n_neurons). backward(dvalues (N, n_neurons)) stores self.dweights (n_inputs, "
    "n_neurons) from self.inputs and dvalues, self.dbiases (1, n_neurons) from dvalues alone, and "
    "self.dinputs (N, n_inputs) from dvalues and self.weights.",
    "Fill in the blanks: `self.dweights = ____.T @ ____`, `self.dbiases = np.sum(dvalues, axis=____, "
    "keepdims=____)`, `self.dinputs = ____ @ ____`. (__init__ and forward follow the shapes of hint 2.)",
)
RELU_HINTS = (
    "forward keeps its inputs, because backward needs to know where ReLU was off. backward passes dvalues "
    "through where the input was > 0 and blocks it (0) everywhere else, at 0 too, without changing dvalues.",
    "self.inputs, dvalues and self.dinputs all have the same shape (N, n). Start self.dinputs from a copy of "
    "dvalues (a plain `=` would give a second name for the caller's array), then zero the entries where "
    "self.inputs <= 0.",
    "Fill in the blanks: `self.dinputs = dvalues.____()`, then `self.dinputs[____] = 0`, where the blank selects "
    "the entries where ReLU's input was not positive.",
)


def _describe(batch, n_in, n_out):
    return f"on a random batch of {batch} sample{'s' * (batch > 1)}, {n_in} inputs, {n_out} neurons"


# --- Layer_Dense ---------------------------------------------------------------------------------------------

def _dense_cases(rng):
    """(description, inputs, weights, biases, dvalues)."""
    for batch, n_in, n_out in ((5, 4, 3), (3, 2, 4), (1, 4, 3)):
        yield (_describe(batch, n_in, n_out), rng.normal(size=(batch, n_in)), rng.normal(size=(n_in, n_out)),
               rng.normal(size=(1, n_out)), rng.normal(size=(batch, n_out)))
    yield ("on lesson 5's example", example.layer_inputs(), example.layer_weights(),
           example.layer_biases().astype(np.float64), example.batch_dvalues())


def _check_init(cls, n_in, n_out, layer=None):
    """The parameters a new Layer_Dense(n_in, n_out) starts with (`layer`, if given, is one just built)."""
    what = f"your Layer_Dense({n_in}, {n_out})"
    layer = construct(cls, (n_in, n_out), "Layer_Dense") if layer is None else layer
    weights = as_float64(stored(layer, "weights", what, "__init__"), "weights", what)
    biases = as_float64(stored(layer, "biases", what, "__init__"), "biases", what)
    if weights.shape != (n_in, n_out):
        flipped = weights.shape == (n_out, n_in)
        raise Incorrect(
            f"{what} has weights of shape {weights.shape}, but they should be (n_inputs, n_neurons) = "
            f"{(n_in, n_out)}." + (" That is the transpose." if flipped else "") +
            "\nTry: with weights (n_inputs, n_neurons), `inputs @ weights` needs no transpose in forward.",
            part="weights", diagnosis="transposed" if flipped else "wrong_shape")
    if biases.shape != (1, n_out):
        raise Incorrect(
            f"{what} has biases of shape {biases.shape}, but they should be (1, n_neurons) = {(1, n_out)}: "
            "one row, so that they add to every sample of a batch.\nTry: biases of zeros with that shape.",
            part="biases", diagnosis="missing_keepdims" if biases.shape == (n_out,) else "wrong_shape")
    if np.any(biases != 0):
        raise Incorrect(f"{what} starts with non-zero biases.\nTry: start them at zero, as the book does, one "
                        "row of n_neurons zeros.", part="biases", diagnosis="biases_not_zero")
    if weights.size > 1 and np.all(weights == weights.flat[0]):
        raise Incorrect(
            f"{what} starts with every weight equal ({weights.flat[0]:g}). Then every neuron computes the same "
            "thing and gets the same gradient, so they never become different.\n"
            "Try: small random weights of shape (n_inputs, n_neurons): the book scales standard normal numbers by 0.01.",
            part="weights", diagnosis="symmetric_weights")
    return layer, weights, biases


def _stale(initial):
    def diagnose(got, expected, context):
        inputs = context["inputs"]
        try:
            stale = dense_forward(inputs, *initial)
        except ValueError:  # __init__ made parameters of other shapes (its own part says so)
            return None
        if stale.shape == got.shape and close(got, stale) and not close(stale, expected):
            return Mistake(
                "stale_parameters",
                "your forward used the weights and biases the layer was created with, not its current ones.",
                "Read self.weights and self.biases inside forward, every time it runs: an optimizer (or this "
                "check) changes them between calls.")
        return None

    return diagnose


def _wrong_axis(got, expected, context):
    dvalues = context["dvalues"]
    if context["part"] == "dbiases" and dvalues.shape[0] != dvalues.shape[1] \
            and close(got.reshape(-1), dvalues.sum(axis=1)):
        return Mistake("wrong_axis", "you summed over the neurons (axis=1), one number per sample.",
                       "A bias is shared by every sample in the batch: sum over the batch axis.")
    return None


def _dense_backward_judged(layer, cls, index, case, inputs, weights, biases, dvalues, what):
    """backward(dvalues) after forward: the three gradients, weights left alone, and (first case) linearity."""
    expected = {"args": (inputs, weights, biases), "gradients": dense_gradients(dvalues, inputs, weights, biases)}
    _dense_backward(layer, cls, dvalues, what, case, expected)
    if index == 0:  # the backward pass is linear in the upstream gradient
        tripled = {"args": expected["args"], "gradients": tuple(3 * g for g in expected["gradients"])}
        _dense_backward(layer, cls, 3.0 * dvalues, what, f"{case}, when dvalues is tripled", tripled)


def _dense_backward(layer, cls, dvalues, what, case, expected):
    """Call backward(dvalues) and compare the three gradients it stored with `expected`."""
    call = layer_backward_explaining_shapes(layer, cls, dvalues, what)
    untouched(call, f"{what}.backward")
    # Before the gradients: a step taken inside backward also spoils any gradient computed after it.
    after = as_float64(get(layer, "weights", what), "weights", what)
    if not close(after, expected["args"][1]):
        raise Incorrect(f"{what}.backward changed self.weights ({case}). Backward only computes gradients; "
                        "changing the parameters is the optimizer's job.", part="weights",
                        diagnosis="modified_weights")
    ones = dense_gradients(np.ones_like(dvalues), *expected["args"])
    context = {"dvalues": np.asarray(dvalues, dtype=np.float64), "batch": len(dvalues),
               "if_upstream_were_ones": dict(zip(GRADIENTS, ones))}
    wanted = dict(zip(GRADIENTS, expected["gradients"]))
    for part in GRADIENTS:
        value = stored(layer, part, what, "backward", wanted[part], ALTERNATIVES[part])
        compare(part, value, wanted[part], what=f"{what}.backward", case=case, diagnosers=(_wrong_axis,),
                context=context, others=wanted)


DENSE_PARTS = ("__init__", "forward", "backward")
RELU_PARTS = ("forward", "backward")


def _initial_parameters(layer, what):
    """(weights, biases) the layer was created with, as float64, for the stale-parameters diagnosis; None if
    they cannot be read (the __init__ part says why)."""
    try:
        return (as_float64(get(layer, "weights", what), "weights", what),
                as_float64(get(layer, "biases", what), "biases", what))
    except Exception:
        return None


@exercise(LESSON, "Layer_Dense: weights, biases, forward and backward", graded=True, hints=DENSE_HINTS,
          parts=DENSE_PARTS)
def Layer_Dense(cls, rng):
    """__init__, forward and backward are judged apart (one point each): the check sets weights and biases
    of its own before forward, so a wrong __init__ keeps forward and backward, and backward is judged on
    what the learner's forward stored. A class that cannot be built fails all three."""
    require_class(cls, "Layer_Dense", (4, 3))
    judge = PartJudge(DENSE_PARTS)
    with judge.whole():
        with judge.part("__init__"):
            _check_init(cls, 4, 3)
            _check_init(cls, 2, 5)
        for index, (case, inputs, weights, biases, dvalues) in enumerate(_dense_cases(rng)):
            n_in, n_out = weights.shape
            what = "your Layer_Dense"
            layer = construct(cls, (n_in, n_out), "Layer_Dense")
            initial = _initial_parameters(layer, what)
            if judge.is_open("__init__"):
                with judge.part("__init__"):
                    _check_init(cls, n_in, n_out, layer)
            set_attr(layer, "weights", weights.copy(), what)
            set_attr(layer, "biases", biases.copy(), what)
            with judge.part("forward"):  # run every time (backward needs it); only its first failure counts
                call = guarded_call(method(layer, "forward", what), (inputs,), ("inputs",), f"{what}.forward")
                untouched(call, f"{what}.forward")
                expected_output = dense_forward(inputs, weights, biases)
                output = stored(layer, "output", what, "forward", expected_output, ALTERNATIVES["output"], call.value)
                compare("output", output, expected_output, what=f"{what}.forward", case=case,
                        diagnosers=(_stale(initial),) if initial else (), context={"inputs": inputs})
                stored(layer, "inputs", what, "forward", inputs, ALTERNATIVES["inputs"])
            if judge.is_open("backward"):
                with judge.part("backward"):
                    _dense_backward_judged(layer, cls, index, case, inputs, weights, biases, dvalues, what)
        if not judge.failed:  # right values: are they derived, or a numerical estimate?
            probes.dense_layer(cls, "your Layer_Dense.backward")
    judge.finish()
    return ("Shapes, forward and all three gradients are right on random batches, a batch of one and lesson 5's "
            "example. The layer keeps what backward needs (self.inputs) from its forward pass.")


# --- Activation_ReLU ---------------------------------------------------------------------------------------

def _relu_cases(rng):
    """(description, z, dvalues): z away from the kink, then exact zeros, then lesson 5's layer outputs."""
    for batch, n in ((5, 3), (2, 4), (1, 3)):
        yield (f"on a random batch of {batch} sample{'s' * (batch > 1)} with {n} neurons",
               away_from_kink(rng, (batch, n)), rng.normal(size=(batch, n)))
    z = away_from_kink(rng, (4, 3))
    z[[0, 1, 2, 3], [0, 2, 1, 0]] = 0.0
    yield "when some inputs are exactly 0", z, rng.normal(size=(4, 3))
    z = dense_forward(example.layer_inputs(), example.layer_weights(), example.layer_biases())
    yield "on lesson 5's example (dvalues = the ReLU outputs)", z, relu_forward(z)


@exercise(LESSON, "Activation_ReLU: forward and backward, leaving dvalues alone", graded=True, hints=RELU_HINTS,
          parts=RELU_PARTS)
def Activation_ReLU(cls, rng):
    """forward and backward are judged apart (one point each); backward on what the learner's forward stored."""
    require_class(cls, "Activation_ReLU", ())
    what = "your Activation_ReLU"
    judge = PartJudge(RELU_PARTS)
    with judge.whole():
        for case, z, dvalues in _relu_cases(rng):
            relu = construct(cls, (), "Activation_ReLU")
            with judge.part("forward"):  # run every time (backward needs it); only its first failure counts
                call = guarded_call(method(relu, "forward", what), (z,), ("inputs",), f"{what}.forward")
                untouched(call, f"{what}.forward")
                output = stored(relu, "output", what, "forward", relu_forward(z), ALTERNATIVES["output"], call.value)
                compare("output", output, relu_forward(z), what=f"{what}.forward", case=case)
            if judge.is_open("backward"):
                with judge.part("backward"):
                    for scale in (1.0, 3.0):  # linear in the upstream gradient
                        _relu_backward(relu, scale * dvalues, z, what,
                                       case if scale == 1 else f"{case}, when dvalues is tripled")
        if not judge.failed:  # right values: are they derived, or a numerical estimate?
            probes.relu_layer(cls, "your Activation_ReLU.backward")
    judge.finish()
    return ("ReLU passes the gradient where its input was > 0 and blocks it elsewhere (at 0 too), and the caller's "
            "dvalues stays as it was: `self.dinputs = dvalues` would have zeroed it.")


def _relu_backward(relu, dvalues, z, what, case):
    call = guarded_call(method(relu, "backward", what), (dvalues,), ("dvalues",), f"{what}.backward")
    if "dvalues" in call.modified:
        shared = attribute_sharing(relu, call.args_after[0])
        seen = (f"your self.{shared} is the caller's dvalues itself, under a second name (a plain `=` copies "
                f"nothing), so zeroing entries of self.{shared} zeroed them in dvalues too" if shared else
                "some entries of dvalues were changed")
        raise Incorrect(
            f"{what}.backward changed the caller's dvalues ({case}).\n"
            f"What happened: {seen}; dvalues is the next layer's dinputs, which the caller may still need.\n"
            "Try: start from a copy: dvalues.copy().",
            part="dvalues", diagnosis="modified_input")
    expected = relu_expected(dvalues, z)
    value = stored(relu, "dinputs", what, "backward", expected, ALTERNATIVES["dinputs"])
    context = {"dvalues": np.asarray(dvalues, dtype=np.float64), "z": np.asarray(z),
               "if_upstream_were_ones": {"dinputs": relu_expected(np.ones_like(dvalues), z)}}
    got = compare("dinputs", value, expected, what=f"{what}.backward", case=case, diagnosers=RELU_DIAGNOSERS,
                  context=context)
    if np.any(got[np.asarray(z) <= 0] != 0.0):
        raise Incorrect(f"dinputs from {what}.backward is almost right {case}, but where the input was <= 0 some "
                        "entries are tiny numbers instead of exactly 0.\nTry: set those entries to 0.",
                        part="dinputs", diagnosis="not_exact_zero")


from .lesson_helpers.lesson06_optimizer import Optimizer_SGD  # noqa: E402,F401  (last: the lesson's order of exercises)
