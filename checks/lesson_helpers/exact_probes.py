"""A second probe per graded backward exercise, on inputs where a derived gradient is exact (`_estimate`).

`estimate_probes` sees a finite difference by its nudges, or by its rounding on ordinary inputs (1e-12 to
3e-9 of the gradient's size). That misses a finite difference that nudges copies of its own with a large
step (h = 1e-3 ... 0.3: its rounding, about 1e-16 · |loss| / h, falls below 1e-12), and one whose
truncation error (lesson 8: h² · f''' / 6, or h · f'' / 2 going forward) lies above 3e-9.

These probes choose inputs on which every chain-rule answer is exact, not merely exact to rounding, on any
BLAS kernel and in any summation order: each product in it is of a number and a power of two (or 0 or 1),
and each sum has at most one term that is not 0. The neuron: dvalue = 0.5, ReLU on. Dense layers: dvalues
has one entry per row and per column, ±2^k. ReLU: dvalues times a mask of 1s and 0s. Softmax with
cross-entropy: probabilities that are multiples of 1/16, a batch of 4. A finite difference cannot be
exact there: the loss it evaluates multiplies numbers of 37 significant bits and size 1e4 to 1e5, so its
rounding (about 1e-16 · |loss| / h of the gradient's size) shows for any step from 1e-8 to 1, and lesson
8's log and exp add their own. Off the exact slopes by more than 1e-13 of their size (100 times what a
roundabout but derived answer, dividing by N and multiplying back, shows) and less than 1e-2 (beyond which
the values say something else) is called an estimate. Answers in float32 are left out, as in
`estimate_probes`.

Known limit: a step that is a power of two (h = 1, 0.5, 2^-20) taken on each element at once, with no loss
in between (`(np.maximum(0, z + h) - np.maximum(0, z - h)) / (2 * h)`), is exact on a linear piece, so
nothing here tells it from a derived answer.
"""
from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np

from ..engine.estimate import complex_step, exact_slopes, refuse_estimate
from ..engine.objects import construct, get, method, set_attr
from ..engine.reference import dense_forward, relu_forward

SEED = 20261203
EXACT_INPUTS = (1e-13, 1e-2)  # relative distance from the exact slopes that a finite difference leaves here
DENSE_PARTS = ("dinputs", "dweights", "dbiases")


def _rng():
    return np.random.default_rng(SEED)


def _far_from_zero(rng, shape) -> np.ndarray:
    """Values with |v| between 1e4 and 1e5, random signs, multiples of 2^-20: about 37 significant bits, so
    that a product of two rounds (as in a finite difference's loss) while v ± 1 is exact (for `_slopes`)."""
    values = rng.uniform(1e4, 1e5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return np.round(values * 2.0**20) / 2.0**20


GRID = 21  # every value of the dense probe is a multiple of 2^-GRID: `_far_from_zero`'s, and dvalues' ±2^k


def _rational(array) -> np.ndarray:
    """An object array of Fractions holding `array`'s values exactly (floats, Fractions or a mix)."""
    return np.array([Fraction(v) for v in np.ravel(array)], dtype=object).reshape(np.shape(array))


def _integers(array, bits: int = 0) -> np.ndarray:
    """array × 2^(GRID + bits) as exact Python integers (an object array): their arithmetic never rounds.
    Every value must be a multiple of 2^-GRID (`_far_from_zero`'s are, and so are ±2^k for k >= -1)."""
    scaled = np.asarray(array, dtype=np.float64) * 2.0 ** (GRID + bits)
    return np.array([int(v) for v in scaled.ravel()], dtype=object).reshape(scaled.shape)


def _slopes(exact_loss, x) -> np.ndarray:
    """Gradient at x (whose elements are `_far_from_zero`'s) of a loss linear in each element within 1 of x.

    exact_loss takes an object array of Fractions and computes in rational arithmetic, so the central
    difference with a step of 1 (x ± 1 is exact) has no truncation and no rounding: each slope is the exact
    one, rounded once to float64."""
    return exact_slopes(lambda nudged: exact_loss(_rational(nudged)), x, 1.0)


@functools.lru_cache(maxsize=None)
def _neuron_case():
    """x, w (3,): `_far_from_zero`; b: z = x·w + b about 1e11 (ReLU on, far from its kink);
    dvalue 0.5. Returns them and the exact dx, dw, db."""
    rng = _rng()
    x, w = _far_from_zero(rng, 3), _far_from_zero(rng, 3)
    b, dvalue = np.array(1e11 - x @ w), 0.5

    def loss(xx, ww, bb):
        return Fraction(dvalue) * Fraction(relu_forward(xx @ ww + bb))

    xr, wr, br = _rational(x), _rational(w), _rational(b)
    exact = {"dx": _slopes(lambda xx: loss(xx, wr, br[()]), x),
             "dw": _slopes(lambda ww: loss(xr, ww, br[()]), w),
             "db": _slopes(lambda bb: loss(xr, wr, bb[()]), b)}
    return x, w, b, dvalue, exact


def neuron(fn, what: str) -> None:
    """Lesson 1: fn(x, w, b, dvalue) -> dx, dw, db."""
    x, w, b, dvalue, exact = _neuron_case()
    refuse_estimate(lambda a: _parts(fn(a["x"], a["w"], float(b), dvalue), ("dx", "dw", "db")),
                    {"x": x, "w": w}, exact, what, "dx, dw and db", rounding=EXACT_INPUTS)


@functools.lru_cache(maxsize=None)
def _dense_case():
    """dvalues (3, 3): one entry ±2^k per row and per column; inputs (3, 4), weights (4, 3), biases (1, 3):
    `_far_from_zero`. Returns the arrays and their exact gradients (computed once)."""
    rng = _rng()
    inputs, weights, biases = _far_from_zero(rng, (3, 4)), _far_from_zero(rng, (4, 3)), _far_from_zero(rng, (1, 3))
    dvalues = np.zeros((3, 3))
    dvalues[np.arange(3), rng.permutation(3)] = rng.choice([-2.0, -0.5, 0.5, 1.0, 2.0], size=3)
    # In integers (every value here is a multiple of 2^-GRID), as Fractions are ten times slower: the
    # products inputs @ weights are scaled by 2^(2·GRID), so the biases are too, and dvalues adds 2^GRID.
    dv, i, w, b = _integers(dvalues), _integers(inputs), _integers(weights), _integers(biases, GRID)

    def loss(ii, ww, bb):
        return Fraction(int(np.sum(dv * dense_forward(ii, ww, bb))), 2 ** (3 * GRID))

    exact = (exact_slopes(lambda ii: loss(_integers(ii), w, b), inputs, 1.0),
             exact_slopes(lambda ww: loss(i, _integers(ww), b), weights, 1.0),
             exact_slopes(lambda bb: loss(i, w, _integers(bb, GRID)), biases, 1.0))
    return dvalues, inputs, weights, biases, dict(zip(DENSE_PARTS, exact))


def dense(fn, what: str) -> None:
    """Lesson 3: fn(dvalues, inputs, weights) -> dinputs, dweights, dbiases."""
    dvalues, inputs, weights, _, exact = _dense_case()
    refuse_estimate(lambda a: _parts(fn(a["dvalues"], a["inputs"], a["weights"]), DENSE_PARTS),
                    {"dvalues": dvalues, "inputs": inputs, "weights": weights}, exact, what,
                    "dinputs, dweights and dbiases", rounding=EXACT_INPUTS)


def dense_layer_run(cls, what: str):
    """run(arrays) for refuse_estimate: a Layer_Dense(4, 3) with arrays' weights and biases set, forward on
    arrays["inputs"], backward on arrays["dvalues"] -> {dinputs, dweights, dbiases}. Both probes use it."""
    def run(arrays):
        layer = construct(cls, (4, 3), "Layer_Dense")
        set_attr(layer, "weights", arrays["weights"], what)
        set_attr(layer, "biases", arrays["biases"], what)
        method(layer, "forward", what)(arrays["inputs"])
        method(layer, "backward", what)(arrays["dvalues"])
        return {part: get(layer, part, what) for part in DENSE_PARTS}

    return run


def relu_layer_run(cls, what: str):
    """run(arrays) for refuse_estimate: an Activation_ReLU, forward on arrays["z"], backward on
    arrays["dvalues"] -> {dinputs}. Both probes use it."""
    def run(arrays):
        layer = construct(cls, (), "Activation_ReLU")
        method(layer, "forward", what)(arrays["z"])
        method(layer, "backward", what)(arrays["dvalues"])
        return {"dinputs": get(layer, "dinputs", what)}

    return run


def dense_layer(cls, what: str) -> None:
    """Lesson 6: Layer_Dense(4, 3), its weights and biases set, forward(inputs), backward(dvalues)."""
    dvalues, inputs, weights, biases, exact = _dense_case()

    refuse_estimate(dense_layer_run(cls, what), {"dvalues": dvalues, "inputs": inputs, "weights": weights, "biases": biases}, exact, what,
                    "self.dinputs, self.dweights and self.dbiases", rounding=EXACT_INPUTS)


@functools.lru_cache(maxsize=None)
def _relu_case():
    """z (4, 3) with |z| from 1e4 to 1e5 (a step of 1 never reaches the kink), dvalues (4, 3) normal."""
    rng = _rng()
    z, dvalues = _far_from_zero(rng, (4, 3)), rng.normal(size=(4, 3))
    dv = _rational(dvalues)
    exact = _slopes(lambda zz: np.sum(dv * _rational(relu_forward(zz))), z)  # relu's 0.0 back to a Fraction
    return dvalues, z, exact


def relu(fn, what: str) -> None:
    """Lesson 4: fn(dvalues, z) -> drelu."""
    dvalues, z, exact = _relu_case()
    refuse_estimate(lambda a: {"drelu": fn(a["dvalues"], a["z"])}, {"dvalues": dvalues, "z": z}, {"drelu": exact},
                    what, "drelu", rounding=EXACT_INPUTS)


def relu_layer(cls, what: str) -> None:
    """Lesson 6: Activation_ReLU(), forward(z), backward(dvalues) -> self.dinputs."""
    dvalues, z, exact = _relu_case()

    refuse_estimate(relu_layer_run(cls, what), {"dvalues": dvalues, "z": z}, {"dinputs": exact}, what, "self.dinputs",
                    rounding=EXACT_INPUTS)


@functools.lru_cache(maxsize=None)
def _softmax_case():
    """probs (4, 3): multiples of 1/16 between 1/16 and 14/16, each row summing to 1; labels (4,)."""
    rng = _rng()
    rows = []
    for _ in range(4):
        first, second = sorted(rng.choice(np.arange(1, 16), size=2, replace=False))
        rows.append([first, second - first, 16 - second])
    probs = np.array(rows, dtype=np.float64) / 16
    labels = rng.permutation([0, 1, 2, int(rng.integers(3))])
    logits, index = np.log(probs), np.arange(4)

    def loss(z):  # complex-safe mean cross-entropy of softmax(z)
        return np.mean(np.log(np.sum(np.exp(z), axis=1)) - z[index, labels])

    return probs, labels, complex_step(loss, logits)


def softmax_crossentropy(fn, what: str) -> None:
    """Lesson 8: fn(probs, y_true) -> dinputs."""
    probs, labels, exact = _softmax_case()
    refuse_estimate(lambda a: {"dinputs": fn(a["probs"], labels.copy())}, {"probs": probs}, {"dinputs": exact},
                    what, "dinputs", rounding=EXACT_INPUTS)


def _parts(value, names: tuple) -> dict:
    return dict(zip(names, value)) if isinstance(value, (tuple, list)) and len(value) == len(names) else {}
