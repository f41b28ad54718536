"""lesson01.neuron_backward and the value checks: right answers pass, each mistake gets its diagnosis."""
import numpy as np
import pytest

from checks import lesson01 as check
from tests.checks_util import as_float32, assert_diagnosed, assert_passes


def relu_derivative(z):
    return 1.0 if z > 0 else 0.0


def with_numpy(x, w, b, dvalue):
    drelu_dz = dvalue * relu_derivative(np.dot(x, w) + b)
    return drelu_dz * w, drelu_dz * x, drelu_dz


def with_loops(x, w, b, dvalue):
    z = sum(xi * wi for xi, wi in zip(x, w)) + b
    drelu_dz = dvalue * (1.0 if z > 0 else 0.0)
    return [drelu_dz * wi for wi in w], [drelu_dz * xi for xi in x], drelu_dz


def with_matmul_and_where(x, w, b, dvalue):
    drelu_dz = dvalue * np.where(x @ w + b > 0, 1.0, 0.0)  # a 0-d array
    return drelu_dz * w, drelu_dz * x, drelu_dz


def db_as_size_one_array(x, w, b, dvalue):
    dx, dw, db = with_numpy(x, w, b, dvalue)
    return dx, dw, np.array([db])


def with_heaviside(x, w, b, dvalue):
    drelu_dz = dvalue * np.heaviside(np.dot(x, w) + b, 0.0)
    return drelu_dz * w, drelu_dz * x, drelu_dz


def returns_a_list(x, w, b, dvalue):
    return list(with_numpy(x, w, b, dvalue))


@pytest.mark.parametrize("answer", [with_numpy, with_loops, with_matmul_and_where, db_as_size_one_array,
                                    with_heaviside, returns_a_list, as_float32(with_numpy)])
def test_right_answers_pass(answer):
    assert_passes(check.neuron_backward, answer)


def no_relu_derivative(x, w, b, dvalue):
    return dvalue * w, dvalue * x, dvalue


def derivative_one_at_zero(x, w, b, dvalue):
    drelu_dz = dvalue * (1.0 if np.dot(x, w) + b >= 0 else 0.0)
    return drelu_dz * w, drelu_dz * x, drelu_dz


def half_at_zero(x, w, b, dvalue):
    drelu_dz = dvalue * np.heaviside(np.dot(x, w) + b, 0.5)
    return drelu_dz * w, drelu_dz * x, drelu_dz


def modifies_x(x, w, b, dvalue):
    result = with_numpy(x.copy(), w, b, dvalue)
    x *= 0
    return result


def modifies_w(x, w, b, dvalue):
    result = with_numpy(x, w.copy(), b, dvalue)
    w[0] = 99.0
    return result


def squares_dvalue(x, w, b, dvalue):
    return with_numpy(x, w, b, dvalue * abs(dvalue))


WRONG = {
    "roles swapped": (lambda x, w, b, d: with_numpy(w, x, b, d), "roles_swapped", "dx"),
    "dx and dw returned in the wrong order": (lambda x, w, b, d: (lambda dx, dw, db: (dw, dx, db))(*with_numpy(x, w, b, d)),
                                              "roles_swapped", "dx"),
    "db first": (lambda x, w, b, d: (lambda dx, dw, db: (db, dx, dw))(*with_numpy(x, w, b, d)), "wrong_order", "dx"),
    "upstream ignored": (lambda x, w, b, d: with_numpy(x, w, b, 1.0), "upstream_ignored", "dx"),
    "ReLU derivative missing": (no_relu_derivative, "relu_derivative_missing", "dx"),
    "wrong at zero (>=)": (derivative_one_at_zero, "wrong_at_zero", "dx"),
    "wrong at zero (heaviside 0.5)": (half_at_zero, "wrong_at_zero", "dx"),
    "wrong sign": (lambda x, w, b, d: tuple(-np.asarray(v) for v in with_numpy(x, w, b, d)), "wrong_sign", "dx"),
    "wrong sign of db only": (lambda x, w, b, d: (lambda dx, dw, db: (dx, dw, -db))(*with_numpy(x, w, b, d)),
                              "wrong_sign", "db"),
    "not linear in dvalue": (squares_dvalue, "scaled", "dx"),
    "dx as one number": (lambda x, w, b, d: (lambda dx, dw, db: (dx[0], dw, db))(*with_numpy(x, w, b, d)),
                         "wrong_shape", "dx"),
    "nothing returned": (lambda x, w, b, d: None, "nothing_returned", None),
    "one array": (lambda x, w, b, d: with_numpy(x, w, b, d)[0], "wrong_return", None),
    "two values": (lambda x, w, b, d: with_numpy(x, w, b, d)[:2], "wrong_return", None),
    "four values": (lambda x, w, b, d: (*with_numpy(x, w, b, d), 0.0), "wrong_return", None),
    "modifies x": (modifies_x, "modified_input", "x"),
    "modifies w": (modifies_w, "modified_input", "w"),
    "text": (lambda x, w, b, d: ("dx", "dw", "db"), "not_numbers", "dx"),
    "nan": (lambda x, w, b, d: (lambda dx, dw, db: (dx * np.nan, dw, db))(*with_numpy(x, w, b, d)), "not_finite", "dx"),
    "db None": (lambda x, w, b, d: (*with_numpy(x, w, b, d)[:2], None), "nothing_returned", "db"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_diagnosed(name):
    answer, diagnosis, part = WRONG[name]
    assert_diagnosed(check.neuron_backward, answer, diagnosis, part)


def test_a_hard_coded_answer_for_the_example_fails():
    result = check.neuron_backward(lambda x, w, b, d: (np.array([-3.0, -1, 2]), np.array([1.0, -2, 3]), 1.0))
    assert result.outcome == "incorrect"


def test_the_edge_case_has_z_exactly_zero():
    x, w, b = np.array([2.0, -1.0, 1.0]), np.array([1.0, 3.0, -2.0]), 3.0
    assert np.dot(x, w) + b == 0.0


def test_the_seed_example_numbers():
    x, w, b = np.array([1.0, -2.0, 3.0]), np.array([-3.0, -1.0, 2.0]), 1.0
    assert np.dot(x, w) + b == 6.0
    dx, dw, db = with_numpy(x, w, b, 1.0)
    assert check.dx(dx).passed and check.dw(dw).passed and check.db(db).passed
    assert dx.tolist() == [-3.0, -1.0, 2.0] and dw.tolist() == [1.0, -2.0, 3.0] and db == 1.0


def test_value_checks():
    assert check.z(6.0).passed
    assert check.z(np.float64(6)).passed
    assert check.z(np.array([6.0])).passed
    assert check.z(5.0).diagnosis == "bias_missing"
    assert check.z(...).outcome == "not_attempted"
    assert check.slope_x0(-3.0000002).passed
    assert check.slope_x0(-3e-4).diagnosis == "not_divided_by_h"
    assert check.slope_x0(3.0).diagnosis == "wrong_sign"
    assert check.dx([-3, -1, 2]).passed
    assert check.dx([1, -2, 3]).diagnosis == "roles_swapped"
    assert check.dw(np.array([-3.0, -1, 2])).diagnosis == "roles_swapped"
    assert check.dx(-3.0).diagnosis == "wrong_shape"
    assert check.db(np.array([[1.0]])).passed
    assert check.db(-1.0).diagnosis == "wrong_sign"
    assert check.db(None).outcome == "not_attempted"


def test_value_checks_do_not_modify_what_they_are_given():
    dx = np.array([-3.0, -1.0, 2.0])
    check.dx(dx)
    assert dx.tolist() == [-3.0, -1.0, 2.0]


def test_hints_come_in_levels_and_end_at_the_solution():
    first = check.hint("neuron_backward", 1)
    last = check.hint("neuron_backward", 99)
    assert "Hint 1 of 4" in str(first)
    assert 'check.solution("neuron_backward")' in str(last)
    assert "solutions/01_chain_rule_one_neuron.ipynb" in str(check.solution("neuron_backward"))


def test_every_exercise_hints_in_steps_ending_with_blanks():
    for name in ("neuron_backward", "z", "slope_x0", "dx", "dw", "db"):
        hints = getattr(check, name).exercise.hints
        assert len(hints) == 3 and "____" in hints[-1], (name, hints)
        assert "____" not in hints[0]


def test_a_wrong_z_is_described_without_the_right_number():
    result = check.z(7.5)
    assert result.outcome == "incorrect" and result.diagnosis == "wrong_values"
    assert "(7.5)" in result.message and "6" not in result.message
    assert "inner dimensions" not in result.message  # advice about products of matrices does not fit a number


# ---- issue 17: messages that tell the truth ----------------------------------------------------------------

def pasted_neuron_gradient(x, w, b, dvalue):
    """A numerical estimate (lesson 7's central difference), with the course's convention at z = 0."""
    from tests.checks_util import pasted_gradient

    if x @ w + b == 0:
        return np.zeros_like(x), np.zeros_like(w), 0.0

    def y(xx, ww, bb):
        return dvalue * max(0.0, float(xx @ ww + bb))

    return (pasted_gradient(lambda xx: y(xx, w, b), x), pasted_gradient(lambda ww: y(x, ww, b), w),
            float(pasted_gradient(lambda bb: y(x, w, bb[0]), np.array([float(b)]))[0]))


def test_a_pasted_numerical_gradient_is_named_and_right_answers_written_otherwise_are_not():
    from tests.checks_util import assert_numerical_estimate

    assert_numerical_estimate(check.neuron_backward, pasted_neuron_gradient)
    for answer in (with_numpy, with_loops, with_matmul_and_where, with_heaviside, as_float32(with_numpy)):
        assert_passes(check.neuron_backward, answer)


def run_cell(code: str) -> dict:
    """Run `code` as a notebook cell would: its names are the learner's, and the check reads them."""
    from checks.lesson_helpers import examples

    x, w, b, _ = examples.neuron()
    namespace = {"np": np, "check": check, "x": x.copy(), "w": w, "b": b, "h": 1e-4,
                 "neuron_output": lambda x, w, b: max(0.0, float(x @ w + b))}
    exec(code, namespace)
    return namespace


def test_x_nudged_as_a_second_name_for_x_is_named_as_aliasing():
    ns = run_cell("x_nudged = x\nx_nudged[0] += h\n"
                  "slope_x0 = (neuron_output(x_nudged, w, b) - neuron_output(x, w, b)) / h\n"
                  "result = check.slope_x0(slope_x0)")
    result = ns["result"]
    assert result.outcome == "incorrect" and result.diagnosis == "aliasing", str(result)
    assert "x_nudged and x are one array" in result.message and "run the cell that defines x" in result.message
    assert "x.copy()" in result.message  # the rule the lesson teaches, not the line
    assert "x_nudged = x.copy()" not in result.message
    from tests.checks_util import assert_gives_nothing_away

    assert_gives_nothing_away(result, check, "slope_x0")


def test_a_copy_passes_in_the_notebook():
    ns = run_cell("x_nudged = x.copy()\nx_nudged[0] += h\n"
                  "slope_x0 = (neuron_output(x_nudged, w, b) - neuron_output(x, w, b)) / h\n"
                  "result = check.slope_x0(slope_x0)")
    assert ns["result"].passed, str(ns["result"])


def test_x_nudged_as_a_second_name_for_a_list_x_is_named_too():
    """Section 3's walkthrough makes x a plain list (the book's `x = [1.0, -2.0, 3.0]`): a learner who goes
    back to exercise 2 then aliases a list. It said only "both saw the same inputs", and not that x itself
    now holds the nudge."""
    ns = run_cell("x = [1.0, -2.0, 3.0]\nw = [-3.0, -1.0, 2.0]\n"
                  "neuron_output = lambda x, w, b: max(0.0, sum(a * c for a, c in zip(x, w)) + b)\n"
                  "x_nudged = x\nx_nudged[0] += h\n"
                  "slope_x0 = (neuron_output(x_nudged, w, b) - neuron_output(x, w, b)) / h\n"
                  "result = check.slope_x0(slope_x0)")
    result = ns["result"]
    assert result.outcome == "incorrect" and result.diagnosis == "aliasing", str(result)
    assert "x_nudged and x are one" in result.message and "run the cell that defines x" in result.message
