"""The known limits of telling a numerical estimate from a derived gradient, as the README documents them
(section "numerical estimate"): each test asserts today's behaviour, so a change that names one of these
must update the README too."""
import numpy as np

from checks import lesson03, lesson04, lesson08
from tests.checks_util import assert_numerical_estimate, assert_passes
from tests.test_estimates_on_copies import dense_estimate, slopes


def relu_power_of_two_step_on_each_element(dvalues, z):
    """An estimate with no loss in between and a step that is a power of two (2^-20, about 1e-6): z ± h and
    their difference are exact, so on ReLU's linear pieces the slopes are exactly 1 and 0."""
    z = np.asarray(z, dtype=float)
    h = 2.0 ** -20
    slope = (np.maximum(0.0, z + h) - np.maximum(0.0, z - h)) / (2 * h)
    return np.where(z == 0, 0.0, slope) * dvalues  # the course's convention at exactly 0


def test_known_limit_a_power_of_two_step_on_each_element_at_once_passes():
    """Documented in the README: such an estimate gives the exact values, and nothing nudged or rounded
    shows it; this records that it passes (a change that names it should update the README)."""
    assert_passes(lesson04.relu_backward, relu_power_of_two_step_on_each_element)


def test_known_limit_a_rounded_estimate_passes():
    """Documented in the README: values rounded to a number of decimals carry that rounding, not a finite
    difference's, so an estimate rounded after (here to 4 decimals, on copies of its own) is left alone, as a
    derived answer so rounded must be. (Unrounded, the same estimate is named: the first assertion.)"""
    assert_numerical_estimate(lesson03.dense_backward, dense_estimate(1e-2, True))

    def rounded_estimate(dvalues, inputs, weights):
        return tuple(np.round(part, 4) for part in dense_estimate(1e-2, True)(dvalues, inputs, weights))

    assert_passes(lesson03.dense_backward, rounded_estimate)


def complex_step_softmax_crossentropy(probs, y_true):
    """The complex-step derivative, Im(loss(z + i·h)) / h: no difference taken, so exact to rounding."""
    logits = np.log(np.array(probs, dtype=float)).astype(complex)
    grad = np.zeros(logits.shape)
    for index in np.ndindex(logits.shape):
        logits[index] += 1e-20j
        loss = np.mean(np.log(np.sum(np.exp(logits), axis=1)) - logits[np.arange(len(logits)), y_true])
        grad[index] = np.imag(loss) / 1e-20
        logits[index] -= 1e-20j
    return grad


def test_known_limit_a_complex_step_derivative_passes():
    """Documented in the README: a complex-step derivative has no finite difference's rounding or truncation,
    and it runs on complex copies of its own (nothing nudged in the arrays given), so it passes."""
    assert_passes(lesson08.softmax_crossentropy_backward, complex_step_softmax_crossentropy)


def test_known_limit_lesson_2_estimate_on_copies_with_a_large_step_or_around_zero_passes():
    """Documented in the README: lesson 2's function is not given the inputs, so an estimate picks its own
    point; its loss, dvalues · (inputs @ weights), is then no larger than the gradient times the number of
    inputs, and its rounding (about 1e-16 · n / h) stays below any fair threshold for h >= 1e-3 (around
    zero, for any h: every forward value scales with h). On copies of the arrays it is given, its forward
    passes are not seen either. A small step around ones is still named."""
    from checks import lesson02

    def around(point, h):
        def layer_dinputs(dvalues, weights):
            dvalues, weights = np.array(dvalues, dtype=float), np.array(weights, dtype=float)
            return slopes(lambda inputs: float(dvalues @ (inputs @ weights)), point(len(weights)), h, True)
        return layer_dinputs

    assert_numerical_estimate(lesson02.layer_dinputs, around(np.ones, 1e-5))
    assert_passes(lesson02.layer_dinputs, around(np.ones, 1e-2))
    assert_passes(lesson02.layer_dinputs, around(np.zeros, 1e-5))  # around zero: exact to rounding
