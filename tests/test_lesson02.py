"""lesson02.layer_dinputs and the value checks: right answers pass, each mistake gets its diagnosis."""
import numpy as np
import pytest

from checks import lesson02 as check
from checks.lesson_helpers.examples import layer_weights
from tests.checks_util import as_float32, assert_diagnosed, assert_passes


def with_dot(dvalues, weights):
    return np.dot(dvalues, weights.T)


def with_matmul(dvalues, weights):
    return dvalues @ weights.T


def weights_first(dvalues, weights):
    return weights @ dvalues


def with_elementwise_sum(dvalues, weights):
    return np.sum(weights * dvalues, axis=1)


def with_einsum(dvalues, weights):
    return np.einsum("ij,j->i", weights, dvalues)


def with_loops(dvalues, weights):
    return [sum(weights[i][j] * dvalues[j] for j in range(len(dvalues))) for i in range(len(weights))]


def as_batch_of_one(dvalues, weights):
    return np.dot(dvalues[None, :], weights.T)[0]


@pytest.mark.parametrize("answer", [with_dot, with_matmul, weights_first, with_elementwise_sum, with_einsum,
                                    with_loops, as_batch_of_one, as_float32(with_dot)])
def test_right_answers_pass(answer):
    assert_passes(check.layer_dinputs, answer)


def modifies_dvalues(dvalues, weights):
    result = dvalues @ weights.T
    dvalues[:] = 0
    return result


def modifies_weights(dvalues, weights):
    weights *= dvalues  # the bug: scales the caller's weights in place
    return weights.sum(axis=1)


WRONG = {
    "wrong axis": (lambda d, w: np.sum(w * d, axis=0), "wrong_axis"),
    "2-D: batch of one kept": (lambda d, w: np.dot(d[None, :], w.T), "extra_axis"),
    "2-D: column": (lambda d, w: np.dot(w, d[:, None]), "extra_axis"),
    "seed's dvalues[0] copied": (lambda d, w: np.dot(d[0], w.T), "indexed_sample"),
    "upstream ignored": (lambda d, w: w.sum(axis=1), "upstream_ignored"),
    "transposed (dvalues @ weights)": (lambda d, w: d @ w, "transposed"),
    "transposed (weights.T @ dvalues)": (lambda d, w: w.T @ d, "transposed"),
    "wrong sign": (lambda d, w: -(d @ w.T), "wrong_sign"),
    "a single number": (lambda d, w: float(np.sum(d @ w.T)), "summed_all_axes"),
    "not linear in dvalues": (lambda d, w: (d * np.abs(d)) @ w.T, "wrong_values"),
    "averaged over the neurons": (lambda d, w: np.mean(w * d, axis=1), "mean_instead_of_sum"),
    "averaged, as a product": (lambda d, w: (d @ w.T) / len(d), "mean_instead_of_sum"),
    "nothing returned": (lambda d, w: None, "nothing_returned"),
    "text": (lambda d, w: "dinputs", "not_numbers"),
    "nan": (lambda d, w: d @ w.T * np.nan, "not_finite"),
    "modifies dvalues": (modifies_dvalues, "modified_input"),
    "modifies weights": (modifies_weights, "modified_input"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_diagnosed(name):
    answer, diagnosis = WRONG[name]
    assert_diagnosed(check.layer_dinputs, answer, diagnosis)


def test_modified_inputs_are_named():
    assert check.layer_dinputs(modifies_dvalues).part == "dvalues"
    assert check.layer_dinputs(modifies_weights).part == "weights"


def test_a_non_square_transposition_reports_the_learners_error():
    # Without the square case numpy raises; the learner sees their own error, not a traceback of ours.
    def transposed_then_broken(dvalues, weights):
        if weights.shape[0] == weights.shape[1]:
            return dvalues @ weights.T
        return dvalues @ weights

    result = check.layer_dinputs(transposed_then_broken)
    assert result.outcome == "raised"
    assert "dvalues @ weights" in result.message


def test_a_hard_coded_answer_for_the_example_fails():
    result = check.layer_dinputs(lambda d, w: np.array([0.44, -0.38, -0.07, 1.37]))
    assert result.outcome == "incorrect"


def test_averaging_is_named_without_the_expected_values():
    result = check.layer_dinputs(lambda d, w: np.mean(w * d, axis=1))
    assert "divided by the number of neurons (3)" in result.message
    assert "expected" not in result.message


def test_the_example_numbers_and_value_checks():
    dvalues = np.array([[1.0, 1.0, 1.0]])  # the walkthrough's gradient
    dvalues_next = np.array([[2.0, -1.0, 0.5]])  # exercise 1's
    weights = layer_weights()
    dinputs = np.dot(dvalues_next[0], weights.T)
    assert check.dinputs(dinputs).passed
    assert check.dinputs(dinputs.tolist()).passed
    assert check.dinputs(np.dot(dvalues_next, weights.T)).diagnosis == "extra_axis"
    assert check.dinputs(...).outcome == "not_attempted"
    assert check.dinputs_second(weights[:, 1]).passed
    assert check.dinputs_second(weights[1]).outcome == "incorrect"


def test_the_walkthroughs_numbers_do_not_pass_exercise_1():
    # Sections 2 and 3 print dinputs for a gradient of ones; exercise 1 asks for a new gradient.
    walkthrough = np.array([0.44, -0.38, -0.07, 1.37])
    result = check.dinputs(walkthrough)
    assert result.diagnosis == "upstream_ignored"
    assert "dvalues_next" in result.message


def test_hints_name_the_exercises_own_variables():
    """Exercise 1's sample is dvalues_next[0]; exercise 2's gradient is dvalues_second, already 1-D."""
    first = " ".join(check.dinputs.exercise.hints)
    second = " ".join(check.dinputs_second.exercise.hints)
    assert "dvalues_next[" in first and "np.dot(dvalues," not in first
    assert "dvalues_second" in second and "dvalues[" not in second and "np.dot(dvalues," not in second
    for hints in (first, second, " ".join(check.layer_dinputs.exercise.hints)):
        assert "weights.T)" not in hints and "@ weights.T" not in hints  # the answer is the blank


def test_value_checks_do_not_modify_what_they_are_given():
    dinputs = np.array([0.44, -0.38, -0.07, 1.37])
    check.dinputs(dinputs)
    assert dinputs.tolist() == [0.44, -0.38, -0.07, 1.37]


# ---- issue 17: a numerical estimate, and hints that leave the decisions to the learner ----------------------

def pasted_layer_dinputs(dvalues, weights):
    """A central difference of dvalues · (inputs @ weights) with respect to the inputs, around ones."""
    from tests.checks_util import pasted_gradient

    return pasted_gradient(lambda inputs: float(dvalues @ (inputs @ weights)), np.ones(len(weights)))


def test_a_pasted_numerical_gradient_is_named_and_right_answers_written_otherwise_are_not():
    from tests.checks_util import assert_numerical_estimate

    result = assert_numerical_estimate(check.layer_dinputs, pasted_layer_dinputs)
    assert "rounding of a finite difference" in result.message
    for answer in (with_dot, with_matmul, weights_first, with_elementwise_sum, with_einsum, with_loops,
                   as_float32(with_matmul)):
        assert_passes(check.layer_dinputs, answer)


def test_the_last_hint_before_the_solution_leaves_both_factors_blank():
    text = str(check.hint("layer_dinputs", 3))
    assert "dvalues @" not in text and "____ @ ____" in text


def test_a_numerical_estimate_around_inputs_of_zero_is_named_by_its_forward_passes():
    """Around inputs of zero a finite difference of this linear loss is exact: its forward passes give it away."""
    from tests.checks_util import assert_numerical_estimate, pasted_gradient

    def around_zero(dvalues, weights):
        return pasted_gradient(lambda inputs: float(dvalues @ (inputs @ weights)), np.zeros(len(weights)))

    def with_np_dot(dvalues, weights):
        return pasted_gradient(lambda inputs: float(np.dot(dvalues, np.dot(inputs, weights))), np.zeros(len(weights)))

    for answer in (around_zero, with_np_dot):
        result = assert_numerical_estimate(check.layer_dinputs, answer)
        assert "forward passes" in result.message


def test_row_by_row_answers_are_not_forward_passes():
    def row_products(dvalues, weights):
        return np.array([weights[i] @ dvalues for i in range(len(weights))])

    def row_sums(dvalues, weights):
        return np.array([np.sum(weights[i] * dvalues) for i in range(len(weights))])

    for answer in (row_products, row_sums, with_einsum, with_loops, as_batch_of_one):
        assert_passes(check.layer_dinputs, answer)


def test_exercise_2_speaks_of_dinputs_second():
    """The learner's variable is dinputs_second; its messages said "Your dinputs ... has shape (3,)"."""
    result = check.dinputs_second(layer_weights()[1])
    assert "Your dinputs_second is not right" in result.message, result.message
    assert "your dinputs_second has shape (3,)" in result.message, result.message
    assert result.part == "dinputs"


def test_a_result_wrapped_in_brackets_is_not_blamed_on_a_2d_factor_only():
    """`return [dvalues @ weights.T]` has every factor 1-D or the weights: the advice said the extra axis came
    from a 2-D factor, a guess at a line the learner did not write. It names both ways an axis comes in."""
    result = check.layer_dinputs(lambda d, w: [d @ w.T])
    assert result.diagnosis == "extra_axis" and "brackets" in result.message, result.message
