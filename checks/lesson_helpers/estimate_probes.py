"""One probe per graded backward exercise: is the learner's right answer a numerical estimate? (`_estimate`)

Each probe runs the learner's code once more, on inputs of its own where the exact slopes are easy to get
to rounding: losses linear in every element within the step (dense layers; ReLU and the neuron away from
the kink), or smooth (softmax with cross-entropy: a complex step). Lesson 7 has no probe: its exercise is
the numerical gradient. The probes draw from a generator of their own, so the checks' cases stay the same.
"""
from __future__ import annotations

import numpy as np

from . import exact_probes
from ..engine.estimate import complex_step, exact_slopes, refuse_estimate
from ..engine.reference import exact_dense_gradients, relu_forward

SEED = 20240917


def _rng():
    return np.random.default_rng(SEED)


def _parts(value, names: tuple) -> dict:
    return dict(zip(names, value)) if isinstance(value, (tuple, list)) and len(value) == len(names) else {}


def neuron(fn, what: str) -> None:
    """Lesson 1: fn(x, w, b, dvalue) -> dx, dw, db, with z = x·w + b far above 0 (every step stays linear)."""
    rng = _rng()
    x, w = rng.uniform(-1, 1, size=3), rng.uniform(-1, 1, size=3)
    b, dvalue = np.array(10.0 - x @ w), 1.7

    def loss(xx, ww, bb):
        return dvalue * float(relu_forward(xx @ ww + bb))

    exact = {"dx": exact_slopes(lambda xx: loss(xx, w, b), x, 1.0),
             "dw": exact_slopes(lambda ww: loss(x, ww, b), w, 1.0),
             "db": exact_slopes(lambda bb: loss(x, w, bb), b, 1.0)}
    refuse_estimate(lambda a: _parts(fn(a["x"], a["w"], float(b), dvalue), ("dx", "dw", "db")),
                    {"x": x, "w": w}, exact, what, "dx, dw and db")
    exact_probes.neuron(fn, what)


def layer_dinputs(fn, what: str) -> None:
    """Lesson 2: fn(dvalues (n_neurons,), weights (n_inputs, n_neurons)) -> dinputs (n_inputs,)."""
    rng = _rng()
    dvalues, weights = rng.normal(size=3), rng.normal(size=(4, 3))
    exact = exact_slopes(lambda inputs: float(dvalues @ (inputs @ weights)), np.zeros(4), 1.0)
    refuse_estimate(lambda a: {"dinputs": fn(a["dvalues"], a["weights"])},
                    {"dvalues": dvalues, "weights": weights}, {"dinputs": exact}, what, "dinputs",
                    forward_shape=dvalues.shape)


def _dense_arrays():
    rng = _rng()
    return rng.normal(size=(5, 3)), rng.normal(size=(5, 4)), rng.normal(size=(4, 3))


def dense(fn, what: str) -> None:
    """Lesson 3: fn(dvalues, inputs, weights) -> dinputs, dweights, dbiases."""
    dvalues, inputs, weights = _dense_arrays()
    parts = exact_probes.DENSE_PARTS
    refuse_estimate(lambda a: _parts(fn(a["dvalues"], a["inputs"], a["weights"]), parts),
                    {"dvalues": dvalues, "inputs": inputs, "weights": weights},
                    dict(zip(parts, exact_dense_gradients(dvalues, inputs, weights))), what,
                    "dinputs, dweights and dbiases")
    exact_probes.dense(fn, what)  # a large step on copies of its own: seen only where derived answers are exact


def dense_layer(cls, what: str) -> None:
    """Lesson 6: Layer_Dense(4, 3), its weights and biases set, forward(inputs), backward(dvalues)."""
    dvalues, inputs, weights = _dense_arrays()
    biases = np.zeros((1, 3))
    refuse_estimate(exact_probes.dense_layer_run(cls, what),
                    {"dvalues": dvalues, "inputs": inputs, "weights": weights, "biases": biases},
                    dict(zip(exact_probes.DENSE_PARTS, exact_dense_gradients(dvalues, inputs, weights, biases))), what,
                    "self.dinputs, self.dweights and self.dbiases")
    exact_probes.dense_layer(cls, what)


def _relu_arrays():
    """z with every |z| in [1, 3] (a step of 0.5 never crosses the kink), and dvalues."""
    rng = _rng()
    z = rng.uniform(1.0, 3.0, size=(4, 3)) * rng.choice([-1.0, 1.0], size=(4, 3))
    return rng.normal(size=(4, 3)), z


def _relu_exact(dvalues, z):
    return exact_slopes(lambda zz: float(np.sum(dvalues * relu_forward(zz))), z, 0.5)


def relu(fn, what: str) -> None:
    """Lesson 4: fn(dvalues, z) -> drelu."""
    dvalues, z = _relu_arrays()
    refuse_estimate(lambda a: {"drelu": fn(a["dvalues"], a["z"])}, {"dvalues": dvalues, "z": z},
                    {"drelu": _relu_exact(dvalues, z)}, what, "drelu")
    exact_probes.relu(fn, what)


def relu_layer(cls, what: str) -> None:
    """Lesson 6: Activation_ReLU(), forward(z), backward(dvalues) -> self.dinputs."""
    dvalues, z = _relu_arrays()

    refuse_estimate(exact_probes.relu_layer_run(cls, what), {"dvalues": dvalues, "z": z}, {"dinputs": _relu_exact(dvalues, z)}, what, "self.dinputs")
    exact_probes.relu_layer(cls, what)


def softmax_crossentropy(fn, what: str) -> None:
    """Lesson 8: fn(probs, y_true) -> dinputs, the gradient of the mean cross-entropy w.r.t. the logits."""
    rng = _rng()
    logits, labels = rng.normal(0.0, 2.0, size=(5, 3)), np.array([0, 2, 1, 1, 0])
    rows = np.arange(len(labels))

    def loss(z):  # complex-safe: no max shift, no abs (the logits are small)
        return np.mean(np.log(np.sum(np.exp(z), axis=1)) - z[rows, labels])

    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = shifted / shifted.sum(axis=1, keepdims=True)
    refuse_estimate(lambda a: {"dinputs": fn(a["probs"], labels.copy())}, {"probs": probs},
                    {"dinputs": complex_step(loss, logits)}, what, "dinputs")
    exact_probes.softmax_crossentropy(fn, what)

