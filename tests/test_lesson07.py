"""lesson07.numerical_gradient and the value checks: right answers pass, each mistake gets its diagnosis."""
import numpy as np
import pytest

from checks import lesson07 as check
from checks._examples import batch_dvalues, layer_biases, layer_inputs, layer_weights
from tests.checks_util import assert_diagnosed, assert_passes


def with_ndindex(f, x, h):
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = f(x)
        x[index] = saved - h
        minus = f(x)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def with_nditer(f, x, h):  # CS231n's version
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad


def with_copies(f, x, h):
    grad = np.zeros(x.shape)
    flat = grad.reshape(-1)
    for i in range(x.size):
        step = np.zeros(x.size)
        step[i] = h
        step = step.reshape(x.shape)
        flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def with_add_and_subtract(f, x, h):  # restores x by arithmetic: rounding may differ in the last digit
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        x[index] += h
        plus = f(x)
        x[index] -= 2 * h
        minus = f(x)
        x[index] += h
        grad[index] = (plus - minus) / (2 * h)
    return grad


def as_list(f, x, h):
    return with_ndindex(f, x, h).tolist()


@pytest.mark.parametrize("answer", [with_ndindex, with_nditer, with_copies, with_add_and_subtract, as_list])
def test_right_answers_pass(answer):
    assert_passes(check.numerical_gradient, answer)


def forward_difference(f, x, h):
    grad, base = np.zeros_like(x), f(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        grad[index] = (f(x) - base) / h
        x[index] = saved
    return grad


def backward_difference(f, x, h):
    grad, base = np.zeros_like(x), f(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved - h
        grad[index] = (base - f(x)) / h
        x[index] = saved
    return grad


def divides_by_h(f, x, h):
    return with_ndindex(f, x, h) * 2


def divides_by_4h(f, x, h):
    return with_ndindex(f, x, h) / 2


def all_at_once(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def never_restores(f, x, h):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = f(x)
        x[index] = saved - h
        minus = f(x)
        grad[index] = (plus - minus) / (2 * h)
    return grad


def by_rows(f, x, h):
    grad = np.zeros_like(x)
    for i in range(len(x)):
        saved = np.copy(x[i])
        x[i] = saved + h
        plus = f(x)
        x[i] = saved - h
        minus = f(x)
        x[i] = saved
        grad[i] = (plus - minus) / (2 * h)
    return grad


def flattened(f, x, h):
    return with_ndindex(f, x, h).ravel()


def own_step(f, x, h):
    return with_ndindex(f, x, 1e-6)


def wrong_sign(f, x, h):
    return -with_ndindex(f, x, h)


WRONG = {
    "forward difference": (forward_difference, "one_sided"),
    "backward difference": (backward_difference, "one_sided"),
    "divides by h": (divides_by_h, "factor_of_two"),
    "divides by 4h": (divides_by_4h, "factor_of_two"),
    "nudges all of x at once": (all_at_once, "scalar_answer"),
    "x left modified": (never_restores, "modified_input"),
    "rows, not elements": (by_rows, "rows_not_elements"),
    "flattened": (flattened, "wrong_shape"),
    "ignores h": (own_step, "h_ignored"),
    "wrong sign": (wrong_sign, "wrong_sign"),
    "nothing returned": (lambda f, x, h: None, "nothing_returned"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_diagnosed(name):
    answer, diagnosis = WRONG[name]
    assert_diagnosed(check.numerical_gradient, answer, diagnosis, "x" if diagnosis == "modified_input" else None)


def test_a_true_derivative_for_one_function_only_fails():
    result = check.numerical_gradient(lambda f, x, h: 3 * x**2)
    assert result.outcome == "incorrect"


def test_both_1d_and_2d_x_are_used():
    shapes = []

    def records(f, x, h):
        shapes.append(np.shape(x))
        return with_ndindex(f, x, h)

    check.numerical_gradient(records)
    assert {len(s) for s in shapes} == {1, 2}


def test_slope_value_check():
    assert check.slope((3.1**2 - 2.9**2) / 0.2).passed
    assert check.slope(6.0).passed
    assert check.slope((3.1**2 - 9) / 0.1).diagnosis == "one_sided"
    assert check.slope((3.1**2 - 2.9**2) / 0.1).diagnosis == "factor_of_two"
    assert check.slope(...).outcome == "not_attempted"
    assert check.slope(5.0).outcome == "incorrect"


def test_numerical_dweights_value_check():
    dvalues, inputs, weights, biases = batch_dvalues(), layer_inputs(), layer_weights(), layer_biases()
    numerical = with_ndindex(lambda w: float(np.sum(dvalues * (inputs @ w + biases))), weights.copy(), 1e-5)
    assert check.numerical_dweights(numerical).passed
    assert check.numerical_dweights(inputs.T @ dvalues).passed
    assert check.numerical_dweights(numerical.T).diagnosis == "transposed"
