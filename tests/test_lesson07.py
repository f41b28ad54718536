"""lesson07.numerical_gradient and the value checks: right answers pass, each mistake gets its diagnosis."""
import re

import numpy as np
import pytest

from checks import lesson07 as check
from checks.lesson_helpers.examples import batch_dvalues, layer_biases, layer_inputs, layer_weights
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


def aliases_x(f, x, h):
    """Issue 9's learner: `x_plus = x` names x itself, so the second nudge undoes the first before f runs."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        x_plus = x
        x_plus[index] += h
        x_minus = x
        x_minus[index] -= h
        grad[index] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad


def aliases_x_calling_f_between(f, x, h):
    """The same aliasing, with f called right after each nudge: f(x + h e_i), then f(x)."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        x_plus = x
        x_plus[index] += h
        plus = f(x_plus)
        x_minus = x
        x_minus[index] -= h
        minus = f(x_minus)
        grad[index] = (plus - minus) / (2 * h)
    return grad


WRONG = {
    "aliasing: x_plus = x": (aliases_x, "aliasing"),
    "aliasing, f between the nudges": (aliases_x_calling_f_between, "aliasing"),
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


def test_aliasing_is_named_by_kind_not_by_the_expected_values():
    result = check.numerical_gradient(aliases_x)
    assert result.diagnosis == "aliasing" and "x_plus = x" in result.message and "copy" in result.message
    assert "is expected" not in result.message and "where" not in result.message.split("What happened")[0]


def test_slope_of_the_cubic_above_is_named():
    result = check.slope((3.1**3 - 2.9**3) / 0.2)
    assert result.diagnosis == "wrong_function" and "x**2" in result.message


def test_hints_use_only_the_lesson_s_names_and_end_in_blanks():
    slope_hints = " ".join(check.slope.exercise.hints)
    assert "x**3" in slope_hints and "f at 3.1" not in slope_hints  # f above is the cubic: the hint says so
    dweights_hints = " ".join(check.numerical_dweights.exercise.hints)
    assert "loss_of_weights" in dweights_hints and "layer.weights" in dweights_hints
    code = " ".join(re.findall(r"`([^`]*)`", dweights_hints)) + " " + " ".join(
        re.findall(r"\(([^()]*)\)", dweights_hints))
    for name in ("weights", "biases"):  # the lesson has layer.weights and layer.biases, not these names
        assert not re.search(rf"(?<![.\w]){name}\b", code), (name, code)
    for name in ("numerical_gradient", "slope", "numerical_dweights"):
        hints = getattr(check, name).exercise.hints
        assert "____" in hints[-1] and all("____" not in h for h in hints[:-1]), name
        assert f'check.solution("{name}")' in str(check.hint(name, len(hints) + 1))


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
    assert check.numerical_dweights(numerical.astype(np.float32)).passed
    assert check.numerical_dweights(np.round(numerical, 6)).passed          # rounded: its last bits are its own
    for h in (1e-3, 1e-4, 1e-6):                                             # other small steps still pass
        assert check.numerical_dweights(
            with_ndindex(lambda w: float(np.sum(dvalues * (inputs @ w + biases))), weights.copy(), h)).passed
    for derived in (inputs.T @ dvalues, np.einsum("ni,no->io", inputs, dvalues), np.dot(inputs.T, dvalues)):
        result = check.numerical_dweights(derived)
        assert (result.outcome, result.diagnosis) == ("incorrect", "not_numerical")
        assert "h = 1e-5" in result.message and "@" not in result.message and "inputs.T" not in result.message
    assert check.numerical_dweights(numerical.T).diagnosis == "transposed"


def aliases_one_of_two(f, x, h):
    """`x_plus = x` but `x_minus = x.copy()`: every nudge of x_plus stays in x, so the nudges pile up."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        x_plus = x
        x_plus[index] += h
        x_minus = x.copy()
        x_minus[index] -= 2 * h
        grad[index] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad


def test_nudges_that_pile_up_in_x_are_named():
    result = check.numerical_gradient(aliases_one_of_two)
    assert result.outcome == "incorrect" and result.diagnosis == "modified_input" and result.part == "x"
    assert "x_plus = x" in result.message and "copies nothing" in result.message


def undoes_the_nudge(f, x, h):
    """No second name at all: the nudge down by h only undoes the nudge up, so f never sees x - h."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        x[index] += h
        plus = f(x)
        x[index] -= h
        minus = f(x)
        grad[index] = (plus - minus) / (2 * h)
    return grad


def test_a_point_never_nudged_down_is_not_blamed_on_a_line_the_learner_did_not_write():
    """It said "That is what `x_plus = x` does" to a learner who wrote no such line. The calls are the same
    as with that alias, so the message says what the check saw (x - h never evaluated) and both ways to it."""
    for answer in (undoes_the_nudge, aliases_x_calling_f_between):
        result = check.numerical_gradient(answer)
        assert result.outcome == "incorrect" and result.diagnosis == "aliasing", str(result)
        assert "That is what `x_plus = x` does" not in result.message, result.message
        assert "a step below" in result.message and "x_plus = x" in result.message, result.message
