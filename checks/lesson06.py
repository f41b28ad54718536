"""Checks for lesson 6: the book's layer classes.

    from checks import lesson06 as check
    check.Layer_Dense(Layer_Dense)          # graded: __init__(n_inputs, n_neurons), forward, backward
    check.Activation_ReLU(Activation_ReLU)  # graded: forward, backward (leaving dvalues alone)
    check.Optimizer_SGD(Optimizer_SGD)      # graded: __init__(learning_rate=1.0), update_params(layer)
    check.network_loss(losses)              # practice: the chained network's loss before and after a step

Each check builds the learner's class itself, sets .weights and .biases of its own where it needs to,
and verifies outputs against the course's forward passes and gradients by central differences.
"""
from __future__ import annotations

import numpy as np

from . import _examples as example
from ._answers import untouched
from ._diagnose import Mistake, compare
from ._exercise import exercise, make_hint
from ._learner import guarded_call
from ._numeric import as_float64, central_difference, close
from ._objects import construct, get, method, require_class, set_attr, stored
from ._reference import away_from_kink, dense_forward, dense_gradients, relu_forward
from ._verdict import Incorrect, Raised
from .lesson04 import DIAGNOSERS as RELU_DIAGNOSERS, expected_gradient as relu_expected
from ._sgd_step import step_diagnoser

LESSON, NOTEBOOK = "lesson06", "06_layer_classes"
GRADIENTS = ("dinputs", "dweights", "dbiases")
# Names learners (and the seed) use instead of the book's.
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
    "__init__ stores weights (n_inputs, n_neurons) = 0.01 * np.random.randn(n_inputs, n_neurons) and biases "
    "np.zeros((1, n_neurons)). forward stores self.inputs (backward needs them) and self.output.",
    "backward(dvalues) is lesson 3's dense backward with self.inputs and self.weights: it stores self.dweights "
    "(n_inputs, n_neurons), self.dbiases (1, n_neurons) and self.dinputs (batch, n_inputs).",
    "self.dweights = self.inputs.T @ dvalues; self.dbiases = np.sum(dvalues, axis=0, keepdims=True); "
    "self.dinputs = dvalues @ self.weights.T.",
)
RELU_HINTS = (
    "forward stores self.inputs (backward needs to know where ReLU was off) and self.output = np.maximum(0, inputs).",
    "backward starts from a copy of dvalues, so the caller's array stays as it was, and zeroes the entries "
    "where the input was <= 0. It stores the result in self.dinputs.",
    "self.dinputs = dvalues.copy(), then self.dinputs[self.inputs <= 0] = 0.",
)
SGD_HINTS = (
    "__init__(self, learning_rate=1.0) stores the rate. update_params(layer) changes layer.weights and "
    "layer.biases using layer.dweights and layer.dbiases.",
    "Each parameter steps against its own gradient, scaled by the stored rate.",
    "layer.weights += -self.learning_rate * layer.dweights, and the same for the biases.",
)


def _describe(batch, n_in, n_out):
    return f"on a random batch of {batch} sample{'s' * (batch > 1)}, {n_in} inputs, {n_out} neurons"


# --- Layer_Dense ---------------------------------------------------------------------------------------------

def _dense_cases(rng):
    """(description, inputs, weights, biases, dvalues)."""
    for batch, n_in, n_out in ((5, 4, 3), (3, 2, 4), (1, 4, 3)):
        yield (_describe(batch, n_in, n_out), rng.normal(size=(batch, n_in)), rng.normal(size=(n_in, n_out)),
               rng.normal(size=(1, n_out)), rng.normal(size=(batch, n_out)))
    yield ("on the seed's example", example.layer_inputs(), example.layer_weights(),
           example.layer_biases().astype(np.float64), example.batch_dvalues())


def _check_init(cls, n_in, n_out):
    what = f"your Layer_Dense({n_in}, {n_out})"
    layer = construct(cls, (n_in, n_out), "Layer_Dense")
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
            "one row, so that they add to every sample of a batch.\nTry: np.zeros((1, n_neurons)).",
            part="biases", diagnosis="missing_keepdims" if biases.shape == (n_out,) else "wrong_shape")
    if np.any(biases != 0):
        raise Incorrect(f"{what} starts with non-zero biases.\nTry: start them at zero, as the book does: "
                        "np.zeros((1, n_neurons)).", part="biases", diagnosis="biases_not_zero")
    if weights.size > 1 and np.all(weights == weights.flat[0]):
        raise Incorrect(
            f"{what} starts with every weight equal ({weights.flat[0]:g}). Then every neuron computes the same "
            "thing and gets the same gradient, so they never become different.\n"
            "Try: small random weights, 0.01 * np.random.randn(n_inputs, n_neurons).",
            part="weights", diagnosis="symmetric_weights")
    return layer, weights, biases


def _stale(initial):
    def diagnose(got, expected, context):
        inputs = context["inputs"]
        stale = dense_forward(inputs, *initial)
        if close(got, stale) and not close(stale, expected):
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


def _dense_backward(layer, dvalues, what, case, expected):
    """Call backward(dvalues) and compare the three gradients it stored with `expected`."""
    call = guarded_call(method(layer, "backward", what), (dvalues,), ("dvalues",), f"{what}.backward")
    untouched(call, f"{what}.backward")
    ones = dense_gradients(np.ones_like(dvalues), *expected["args"])
    context = {"dvalues": np.asarray(dvalues, dtype=np.float64), "batch": len(dvalues),
               "if_upstream_were_ones": dict(zip(GRADIENTS, ones))}
    wanted = dict(zip(GRADIENTS, expected["gradients"]))
    for part in GRADIENTS:
        value = stored(layer, part, what, "backward", wanted[part], ALTERNATIVES[part])
        compare(part, value, wanted[part], what=f"{what}.backward", case=case, diagnosers=(_wrong_axis,),
                context=context, others=wanted)


@exercise(LESSON, "Layer_Dense: weights, biases, forward and backward", graded=True, hints=DENSE_HINTS)
def Layer_Dense(cls, rng):
    require_class(cls, "Layer_Dense", (4, 3))
    _check_init(cls, 4, 3)
    _check_init(cls, 2, 5)
    for index, (case, inputs, weights, biases, dvalues) in enumerate(_dense_cases(rng)):
        n_in, n_out = weights.shape
        what = "your Layer_Dense"
        layer, initial_w, initial_b = _check_init(cls, n_in, n_out)
        set_attr(layer, "weights", weights.copy(), what)
        set_attr(layer, "biases", biases.copy(), what)
        call = guarded_call(method(layer, "forward", what), (inputs,), ("inputs",), f"{what}.forward")
        untouched(call, f"{what}.forward")
        expected_output = dense_forward(inputs, weights, biases)
        output = stored(layer, "output", what, "forward", expected_output, ALTERNATIVES["output"], call.value)
        compare("output", output, expected_output, what=f"{what}.forward", case=case,
                diagnosers=(_stale((initial_w, initial_b)),), context={"inputs": inputs})
        stored(layer, "inputs", what, "forward", inputs, ALTERNATIVES["inputs"])
        expected = {"args": (inputs, weights, biases), "gradients": dense_gradients(dvalues, inputs, weights, biases)}
        _dense_backward(layer, dvalues, what, case, expected)
        after = as_float64(get(layer, "weights", what), "weights", what)
        if not close(after, weights):
            raise Incorrect(f"{what}.backward changed self.weights ({case}). Backward only computes gradients; "
                            "changing the parameters is the optimizer's job.", part="weights",
                            diagnosis="modified_weights")
        if index == 0:  # the backward pass is linear in the upstream gradient
            tripled = {"args": expected["args"], "gradients": tuple(3 * g for g in expected["gradients"])}
            _dense_backward(layer, 3.0 * dvalues, what, f"{case}, when dvalues is tripled", tripled)
    return ("Shapes, forward and all three gradients are right on random batches, a batch of one and the seed's "
            "example. The layer keeps what backward needs (self.inputs) from its forward pass.")


# --- Activation_ReLU ---------------------------------------------------------------------------------------

def _relu_cases(rng):
    """(description, z, dvalues): z away from the kink, then exact zeros, then the seed's layer outputs."""
    for batch, n in ((5, 3), (2, 4), (1, 3)):
        yield (f"on a random batch of {batch} sample{'s' * (batch > 1)} with {n} neurons",
               away_from_kink(rng, (batch, n)), rng.normal(size=(batch, n)))
    z = away_from_kink(rng, (4, 3))
    z[[0, 1, 2, 3], [0, 2, 1, 0]] = 0.0
    yield "when some inputs are exactly 0", z, rng.normal(size=(4, 3))
    z = dense_forward(example.layer_inputs(), example.layer_weights(), example.layer_biases())
    yield "on lesson 5's example (dvalues = the ReLU outputs)", z, relu_forward(z)


@exercise(LESSON, "Activation_ReLU: forward and backward, leaving dvalues alone", graded=True, hints=RELU_HINTS)
def Activation_ReLU(cls, rng):
    require_class(cls, "Activation_ReLU", ())
    what = "your Activation_ReLU"
    for case, z, dvalues in _relu_cases(rng):
        relu = construct(cls, (), "Activation_ReLU")
        call = guarded_call(method(relu, "forward", what), (z,), ("inputs",), f"{what}.forward")
        untouched(call, f"{what}.forward")
        output = stored(relu, "output", what, "forward", relu_forward(z), ALTERNATIVES["output"], call.value)
        compare("output", output, relu_forward(z), what=f"{what}.forward", case=case)
        for scale in (1.0, 3.0):  # linear in the upstream gradient
            _relu_backward(relu, scale * dvalues, z, what, case if scale == 1 else f"{case}, when dvalues is tripled")
    return ("ReLU passes the gradient where its input was > 0 and blocks it elsewhere (at 0 too), and the caller's "
            "dvalues stays as it was: the seed's `self.dL_dz = dL_da` would have zeroed it.")


def _relu_backward(relu, dvalues, z, what, case):
    call = guarded_call(method(relu, "backward", what), (dvalues,), ("dvalues",), f"{what}.backward")
    if "dvalues" in call.modified:
        raise Incorrect(
            f"{what}.backward changed the caller's dvalues ({case}).\n"
            "What happened: `self.dinputs = dvalues` (like the seed's `self.dL_dz = dL_da`) copies nothing: it is "
            "a second name for the same array, so zeroing entries of self.dinputs zeroes them in dvalues too, "
            "the next layer's dinputs, which the caller may still need.\n"
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


# --- Optimizer_SGD -------------------------------------------------------------------------------------------

class Parameters:
    """The course's stand-in for a layer given to update_params: weights, biases and their gradients."""

    def __init__(self, weights, biases, dweights, dbiases):
        self.weights, self.biases, self.dweights, self.dbiases = weights, biases, dweights, dbiases


def _sgd_step(optimizer, rng, rate, n_in, n_out, what, case):
    layer = Parameters(rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out)),
                       rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out)))
    before = {k: v.copy() for k, v in vars(layer).items()}
    call = guarded_call(method(optimizer, "update_params", what), (layer,), ("layer",), f"{what}.update_params")
    after = call.args_after[0]
    for name in ("dweights", "dbiases"):
        if not close(as_float64(get(after, name, "the layer"), name, what), before[name]):
            raise Incorrect(f"{what}.update_params changed layer.{name} ({case}). The gradients are read, "
                            "not changed: only the parameters move.", part=name, diagnosis="modified_input")
    for part, gradient, other in (("weights", "dweights", "dbiases"), ("biases", "dbiases", "dweights")):
        value = get(after, part, "the layer")
        if close(as_float64(value, part, what), before[part]):
            raise Incorrect(
                f"{what}.update_params left layer.{part} unchanged ({case}).\n"
                f"Try: assign the stepped value back to the layer (`layer.{part} += ...`); a local variable "
                "disappears when the method returns.",
                part=part, diagnosis="weights_not_updated" if part == "weights" else "biases_not_updated")
        compare(part, value, before[part] - rate * before[gradient], what=f"{what}.update_params", case=case,
                diagnosers=(step_diagnoser(before[part], before[gradient], rate, before[other]),))


@exercise(LESSON, "Optimizer_SGD: update_params(layer) with a learning rate (default 1.0)", graded=True,
          hints=SGD_HINTS)
def Optimizer_SGD(cls, rng):
    require_class(cls, "Optimizer_SGD", (0.5,))
    for rate, n_in, n_out in ((0.5, 4, 3), (0.05, 2, 5)):
        optimizer = construct(cls, (rate,), "Optimizer_SGD")
        _sgd_step(optimizer, rng, rate, n_in, n_out, f"your Optimizer_SGD({rate})", f"with learning_rate {rate}")
    try:
        optimizer = construct(cls, (), "Optimizer_SGD")
    except Raised as raised:
        if "TypeError" not in raised.message:
            raise
        raise Incorrect(f"{raised.message}\n\nOptimizer_SGD() should work without arguments, with the book's "
                        "default rate.\nTry: def __init__(self, learning_rate=1.0).", part="learning_rate",
                        diagnosis="no_default_learning_rate") from None
    try:
        _sgd_step(optimizer, rng, 1.0, 4, 3, "your Optimizer_SGD()", "with the default learning rate")
    except Incorrect as wrong:
        if wrong.diagnosis in {"wrong_scale", "learning_rate_ignored"}:
            raise Incorrect(f"{wrong.message}\n(The book's default learning rate is 1.0: "
                            "def __init__(self, learning_rate=1.0).)", part="learning_rate",
                            diagnosis="wrong_default_learning_rate") from None
        raise
    return ("update_params moves a layer's weights and biases against their gradients by the stored rate, "
            "1.0 unless you give another.")


# --- the network of the lesson --------------------------------------------------------------------------------

def network_example():
    """The lesson's network: inputs (3, 4) -> dense1 (the seed's 4 x 3 layer) -> ReLU -> dense2 (3 x 2),
    compared with targets (3, 2). Returns inputs, w1, b1, w2, b2, targets."""
    return (example.layer_inputs(), example.layer_weights(), example.layer_biases().astype(np.float64),
            np.array([[0.53, 0.89], [-1.28, -0.07], [0.51, 0.68]]), np.zeros((1, 2)),
            np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))


NETWORK_RATE = 0.01


def network_loss_value(params, inputs, targets) -> float:
    """L = 1/2 * sum((dense2(relu(dense1(inputs))) - targets)**2); params = (w1, b1, w2, b2)."""
    w1, b1, w2, b2 = params
    output = dense_forward(relu_forward(dense_forward(inputs, w1, b1)), w2, b2)
    return 0.5 * float(np.sum((output - targets) ** 2))


def network_losses():
    """The lesson network's loss before and after one SGD step of NETWORK_RATE (gradients numerically)."""
    inputs, w1, b1, w2, b2, targets = network_example()
    params = [w1, b1, w2, b2]
    before = network_loss_value(params, inputs, targets)
    stepped = []
    for i, p in enumerate(params):
        def f(x, i=i):
            return network_loss_value([x if j == i else q for j, q in enumerate(params)], inputs, targets)
        stepped.append(p - NETWORK_RATE * central_difference(f, p))
    return before, network_loss_value(stepped, inputs, targets)


def _network_loss_mistake(got, expected, context):
    if got.shape == () and np.isclose(got, 2 * expected, rtol=1e-6):
        return Mistake("missing_half", "your value is twice the loss: the 1/2 is missing.",
                       "L = 1/2 * sum((dense2.output - targets)**2).")
    if got.ndim > 0 and got.size > 1:
        return Mistake("not_a_number", f"you gave an array of shape {got.shape}, but the loss is one number.",
                       "Add up every squared error (np.sum without an axis), then halve.")
    return None


NETWORK_HINTS = (
    "Chain the forward passes: each object's .output is the next one's input: dense1 -> relu -> dense2.",
    "loss = 0.5 * np.sum((dense2.output - targets) ** 2): one number.",
)


@exercise(LESSON, "The network's loss before the step", graded=False, hints=NETWORK_HINTS)
def network_loss(value, rng):
    before, _ = network_losses()
    compare("loss", value, np.float64(before), what="your value", case="for the lesson's network",
            diagnosers=(_network_loss_mistake,))
    return f"L = {before:.4f} before any step."


@exercise(LESSON, "The network's loss after one SGD step", graded=False, hints=NETWORK_HINTS)
def network_loss_after(value, rng):
    before, after = network_losses()
    got = as_float64(value, "loss", "your value")
    if got.shape == () and np.isclose(got, before, rtol=1e-6):
        raise Incorrect(f"{before:.4f} is the loss before the step.\nTry: after update_params, run the forward "
                        "pass again, then compute the loss.", part="loss", diagnosis="loss_before_step")
    compare("loss", got, np.float64(after), what="your value", case="after one step of 0.01",
            diagnosers=(_network_loss_mistake,))
    return f"L fell from {before:.4f} to {after:.4f}: one step of the whole network went downhill."
