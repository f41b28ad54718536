"""A numerical estimate that nudges copies of its own, with any step: the probes on exact inputs
(checks/lesson_helpers/exact_probes.py) name it, in lessons 1, 3, 4, 6 and 8, and derived answers written
every way (loops, einsum, np.where, float32, in-place, rounded) still pass. tests/test_every_cpu.py runs
this file under the Prescott and Haswell BLAS kernels too; the known limits are in
tests/test_estimate_known_limits.py."""
import numpy as np
import pytest

from checks import lesson01, lesson03, lesson04, lesson06, lesson08
from checks.engine.estimate import _deviation
from checks.lesson_helpers import exact_probes
from tests.checks_util import as_float32, assert_numerical_estimate, assert_passes

LARGE_STEPS = (1e-3, 1e-2, 0.1, 0.3)  # the steps the rounding probe alone missed
ALL_STEPS = (1e-8, 1e-6, 1e-4, *LARGE_STEPS)


def slopes(f, x, h, central):
    """Lesson 7's finite difference of scalar f, on a float64 copy of x of its own (nothing nudged in place)."""
    x = np.array(x, dtype=float)
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = f(x)
        x[index] = saved - h if central else saved
        minus = f(x)
        x[index] = saved
        grad[index] = (plus - minus) / ((2 if central else 1) * h)
    return grad


def neuron_estimate(h, central):
    def neuron_backward(x, w, b, dvalue):
        x, w = np.array(x, dtype=float), np.array(w, dtype=float)
        if float(x @ w + b) <= 0:
            return np.zeros_like(x), np.zeros_like(w), 0.0  # the course's convention at the kink, by hand

        def loss(xx, ww, bb):
            return dvalue * max(0.0, float(xx @ ww + bb))

        return (slopes(lambda xx: loss(xx, w, b), x, h, central), slopes(lambda ww: loss(x, ww, b), w, h, central),
                float(slopes(lambda bb: loss(x, w, bb[0]), [float(b)], h, central)[0]))
    return neuron_backward


def dense_estimate(h, central):
    def dense_backward(dvalues, inputs, weights):
        dvalues, inputs, weights = (np.array(a, dtype=float) for a in (dvalues, inputs, weights))
        biases = np.zeros((1, weights.shape[1]))

        def loss(i, w, b):
            return float(np.sum(dvalues * (i @ w + b)))

        return (slopes(lambda i: loss(i, weights, biases), inputs, h, central),
                slopes(lambda w: loss(inputs, w, biases), weights, h, central),
                slopes(lambda b: loss(inputs, weights, b), biases, h, central))
    return dense_backward


def relu_estimate(h, central):
    def relu_backward(dvalues, z):
        z = np.array(z, dtype=float)
        grad = slopes(lambda zz: float(np.sum(np.asarray(dvalues) * np.maximum(0.0, zz))), z, h, central)
        grad[z <= 0] = 0.0  # the course's convention at the kink, and no straddling near it
        return grad
    return relu_backward


def softmax_estimate(h, central):
    def softmax_crossentropy_backward(probs, y_true):
        def loss(logits):
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            p = shifted / shifted.sum(axis=1, keepdims=True)
            return float(-np.mean(np.log(p[np.arange(len(p)), y_true])))

        return slopes(loss, np.log(np.array(probs, dtype=float)), h, central)
    return softmax_crossentropy_backward


def dense_class_estimate(h, central):
    class PastedDenseOnCopies(lesson06_classes()[0]):
        def backward(self, dvalues):
            forward = lambda i, w, b: float(np.sum(dvalues * (i @ w + b)))  # noqa: E731
            self.dweights = slopes(lambda w: forward(self.inputs, w, self.biases), self.weights, h, central)
            self.dbiases = slopes(lambda b: forward(self.inputs, self.weights, b), self.biases, h, central)
            self.dinputs = slopes(lambda i: forward(i, self.weights, self.biases), self.inputs, h, central)
    return PastedDenseOnCopies


def relu_class_estimate(h, central):
    class PastedReLUOnCopies(lesson06_classes()[1]):
        def backward(self, dvalues):
            self.dinputs = relu_estimate(h, central)(dvalues, self.inputs)
    return PastedReLUOnCopies


def lesson06_classes():
    from tests.test_lesson06 import Activation_ReLU, Layer_Dense

    return Layer_Dense, Activation_ReLU


ESTIMATES = {
    "lesson 1 neuron": (lesson01.neuron_backward, neuron_estimate),
    "lesson 3 dense": (lesson03.dense_backward, dense_estimate),
    "lesson 4 relu": (lesson04.relu_backward, relu_estimate),
    "lesson 6 Layer_Dense": (lesson06.Layer_Dense, dense_class_estimate),
    "lesson 6 Activation_ReLU": (lesson06.Activation_ReLU, relu_class_estimate),
}


def _estimates():
    """Every exercise, step and direction, but for ReLU's central differences with h >= 0.1: on the checks'
    own cases (|z| down to 1e-2) those straddle the kink, and are told their values are wrong."""
    for exercise in ESTIMATES:
        for h in ALL_STEPS:
            for central in (True, False):
                if not ("relu" in exercise.lower() and central and h >= 0.1):
                    way = 'central' if central else 'forward'
                    yield pytest.param(exercise, h, central, id=f"{exercise}-{h:g}-{way}")


@pytest.mark.parametrize("exercise, h, central", list(_estimates()))
def test_a_numerical_estimate_on_copies_is_named_whatever_its_step(exercise, h, central):
    check, make = ESTIMATES[exercise]
    result = assert_numerical_estimate(check, make(h, central))
    assert "rounding of a finite difference" in result.message, result.message


# Lesson 8's steps that pass its value check (a larger one is wrong by its truncation, and told so):
# before, from 1e-3 (central) and from 1e-6 (forward) the truncation was above the rounding band.
@pytest.mark.parametrize("h, central", [(1e-8, True), (1e-6, True), (1e-4, True), (1e-3, True), (1e-2, True),
                                        (1e-8, False), (1e-6, False), (1e-5, False), (1e-4, False)])
def test_a_numerical_estimate_of_softmax_crossentropy_is_named_whatever_its_step(h, central):
    result = assert_numerical_estimate(lesson08.softmax_crossentropy_backward, softmax_estimate(h, central))
    assert "rounding of a finite difference" in result.message, result.message


# ---- derived answers, written every way: exact on the probes' inputs, so they pass -----------------------

def dense_in_place(dvalues, inputs, weights):
    """Analytic, written with in-place steps: a transposed copy filled row by row, and += into zeros."""
    dinputs = np.empty((len(dvalues), len(weights)))
    for n in range(len(dvalues)):
        dinputs[n, :] = weights @ dvalues[n]
    dweights = np.zeros_like(weights, dtype=float)
    dweights += inputs.T @ dvalues
    dbiases = np.zeros((1, dvalues.shape[1]))
    for row in dvalues:
        dbiases[0] += row
    return dinputs, dweights, dbiases


def dense_with_mean_times_n(dvalues, inputs, weights):
    """Roundabout but derived: a mean times N (rounds once each way)."""
    return (np.einsum("nj,ij->ni", dvalues, weights), (dvalues.T @ inputs).T,
            np.mean(dvalues, axis=0, keepdims=True) * len(dvalues))


def dense_rounded(dvalues, inputs, weights):
    """Derived, then rounded to 6 decimals (for tidy printing): off by its own rounding, not an estimate's."""
    return tuple(np.round(part, 6) for part in (dvalues @ weights.T, inputs.T @ dvalues,
                                                 dvalues.sum(axis=0, keepdims=True)))


def relu_in_place(dvalues, z):
    drelu = np.array(dvalues, dtype=float)
    drelu *= np.asarray(z) > 0
    return drelu


def relu_from_ratio(dvalues, z):
    """max(z, 0) / z is 1 or 0 exactly: derived, if roundabout."""
    z = np.asarray(z, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(z != 0, np.maximum(z, 0.0) / np.where(z != 0, z, 1.0), 0.0)
    return dvalues * ratio


def softmax_in_place(probs, y_true):
    dinputs = np.array(probs, dtype=float)
    dinputs[np.arange(len(dinputs)), y_true] -= 1
    dinputs /= len(dinputs)
    return dinputs


def softmax_through_the_jacobian(probs, y_true):
    """The long way: -y/p/N, then each row through softmax's Jacobian (rounds a little: 1/p)."""
    out = np.empty_like(probs, dtype=float)
    for n, (p, label) in enumerate(zip(probs, y_true)):
        dloss = -np.eye(len(p))[label] / p / len(probs)
        out[n] = (np.diagflat(p) - np.outer(p, p)) @ dloss
    return out


def test_analytic_answers_every_way_are_not_taken_for_estimates():
    from tests import test_lesson01 as t1, test_lesson03 as t3, test_lesson04 as t4, test_lesson08 as t8

    for answer in (t1.with_numpy, t1.with_loops, t1.with_matmul_and_where, t1.with_heaviside,
                   as_float32(t1.with_numpy), lambda *args: [np.round(part, 5) for part in t1.with_numpy(*args)]):
        assert_passes(lesson01.neuron_backward, answer)
    for answer in (t3.with_matmul, t3.with_dot, t3.with_einsum, t3.with_loops, t3.as_lists, as_float32(t3.with_matmul),
                   dense_in_place, dense_with_mean_times_n, dense_rounded):
        assert_passes(lesson03.dense_backward, answer)
    for answer in (t4.copy_and_zero, t4.float_mask_times, t4.boolean_product, t4.with_where, t4.with_heaviside,
                   t4.with_loops, t4.as_list, relu_in_place, relu_from_ratio, as_float32(t4.with_where),
                   lambda dvalues, z: np.round(t4.with_where(dvalues, z), 8)):
        assert_passes(lesson04.relu_backward, answer)
    for answer in (t8.book, t8.with_one_hot, t8.with_loops, t8.with_mean_trick, t8.in_float32, softmax_in_place,
                   softmax_through_the_jacobian):
        assert_passes(lesson08.softmax_crossentropy_backward, answer)
    from tests.test_lesson06 import Activation_ReLU, DenseEinsum, Layer_Dense, ReLUWithMask

    for cls in (Layer_Dense, DenseEinsum):
        assert_passes(lesson06.Layer_Dense, cls)
    for cls in (Activation_ReLU, ReLUWithMask):
        assert_passes(lesson06.Activation_ReLU, cls)


def test_analytic_answers_are_exact_on_the_probes_inputs_not_merely_close():
    """What makes the probes fair: on their inputs a derived answer is off by 0 (float64) or is float32's own
    (left out), whatever the BLAS kernel; an estimate is off by 1e-12 or more."""
    from tests import test_lesson03 as t3

    dvalues, inputs, weights, _, exact = exact_probes._dense_case()
    for answer in (t3.with_matmul, t3.with_dot, t3.with_einsum, t3.with_loops, dense_in_place):
        for got, part in zip(answer(dvalues, inputs, weights), exact_probes.DENSE_PARTS):
            assert _deviation(np.asarray(got, dtype=float), exact[part]) in (0.0, None), (answer.__name__, part)
    for h in (1e-3, 0.3):
        estimated = dense_estimate(h, True)(dvalues, inputs, weights)
        assert _deviation(estimated[0], exact["dinputs"]) > 1e-12, h
    dvalues, z, exact = exact_probes._relu_case()
    assert _deviation(relu_in_place(dvalues, z), exact) == 0.0
    for h in (1e-3, 0.3):
        assert _deviation(relu_estimate(h, True)(dvalues, z), exact) > 1e-12, h
