"""lesson03.dense_backward and the value checks: right answers pass, each mistake gets its diagnosis."""
import numpy as np
import pytest

from checks import lesson03 as check
from checks.lesson_helpers.examples import batch_dvalues, layer_inputs, layer_weights
from tests.checks_util import as_float32, assert_diagnosed, assert_passes


def with_matmul(dvalues, inputs, weights):
    return dvalues @ weights.T, inputs.T @ dvalues, np.sum(dvalues, axis=0, keepdims=True)


def with_dot(dvalues, inputs, weights):
    return np.dot(dvalues, weights.T), np.dot(inputs.T, dvalues), dvalues.sum(axis=0, keepdims=True)


def with_einsum(dvalues, inputs, weights):
    return (np.einsum("nj,ij->ni", dvalues, weights), np.einsum("ni,nj->ij", inputs, dvalues),
            np.einsum("nj->j", dvalues)[None, :])


def with_loops(dvalues, inputs, weights):
    n, n_in, n_out = len(dvalues), len(weights), len(weights[0])
    dinputs = [[sum(dvalues[s][j] * weights[i][j] for j in range(n_out)) for i in range(n_in)] for s in range(n)]
    dweights = [[sum(inputs[s][i] * dvalues[s][j] for s in range(n)) for j in range(n_out)] for i in range(n_in)]
    dbiases = [[sum(dvalues[s][j] for s in range(n)) for j in range(n_out)]]
    return dinputs, dweights, dbiases


def as_lists(dvalues, inputs, weights):
    return tuple(np.asarray(a).tolist() for a in with_matmul(dvalues, inputs, weights))


def returns_list_of_parts(dvalues, inputs, weights):
    return list(with_matmul(dvalues, inputs, weights))


@pytest.mark.parametrize("answer", [with_matmul, with_dot, with_einsum, with_loops, as_lists,
                                    returns_list_of_parts, as_float32(with_matmul)])
def test_right_answers_pass(answer):
    assert_passes(check.dense_backward, answer)


WRONG = {
    "transposed dweights": (lambda d, i, w: (d @ w.T, d.T @ i, d.sum(axis=0, keepdims=True)), "transposed", "dweights"),
    "transposed dinputs": (lambda d, i, w: ((d @ w.T).T, i.T @ d, d.sum(axis=0, keepdims=True)), "transposed", "dinputs"),
    "no keepdims": (lambda d, i, w: (d @ w.T, i.T @ d, d.sum(axis=0)), "missing_keepdims", "dbiases"),
    "wrong axis": (lambda d, i, w: (d @ w.T, i.T @ d, d.sum(axis=1, keepdims=True)), "wrong_axis", "dbiases"),
    "sum of everything": (lambda d, i, w: (d @ w.T, i.T @ d, d.sum()), "summed_all_axes", "dbiases"),
    "mean not sum": (lambda d, i, w: (d @ w.T, i.T @ d / len(d), d.sum(axis=0, keepdims=True)),
                     "mean_instead_of_sum", "dweights"),
    "mean for biases": (lambda d, i, w: (d @ w.T, i.T @ d, d.mean(axis=0, keepdims=True)),
                        "mean_instead_of_sum", "dbiases"),
    "wrong sign": (lambda d, i, w: (-(d @ w.T), i.T @ d, d.sum(axis=0, keepdims=True)), "wrong_sign", "dinputs"),
    "upstream ignored": (lambda d, i, w: (np.ones_like(d) @ w.T, i.T @ np.ones_like(d),
                                          np.ones_like(d).sum(axis=0, keepdims=True)), "upstream_ignored", "dinputs"),
    "wrong order": (lambda d, i, w: (i.T @ d, d @ w.T, d.sum(axis=0, keepdims=True)), "wrong_order", "dinputs"),
    "nothing returned": (lambda d, i, w: None, "nothing_returned", None),
    "one array": (lambda d, i, w: d @ w.T, "wrong_return", None),
    "two values": (lambda d, i, w: (d @ w.T, i.T @ d), "wrong_return", None),
    "text": (lambda d, i, w: ("dinputs", "dweights", "dbiases"), "not_numbers", "dinputs"),
    "nan": (lambda d, i, w: (d @ w.T * np.nan, i.T @ d, d.sum(axis=0, keepdims=True)), "not_finite", "dinputs"),
}


def modifies_dvalues(dvalues, inputs, weights):
    result = with_matmul(dvalues, inputs, weights)
    dvalues *= 0  # the bug: the caller's array is changed
    return result


def modifies_inputs(dvalues, inputs, weights):
    result = with_matmul(dvalues, inputs, weights)
    inputs[0, 0] = 99.0
    return result


WRONG["modifies dvalues"] = (modifies_dvalues, "modified_input", "dvalues")
WRONG["modifies inputs"] = (modifies_inputs, "modified_input", "inputs")


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_diagnosed(name):
    answer, diagnosis, part = WRONG[name]
    assert_diagnosed(check.dense_backward, answer, diagnosis, part)


def test_a_hard_coded_answer_for_the_example_fails():
    example = with_matmul(batch_dvalues(), layer_inputs(), layer_weights())
    result = check.dense_backward(lambda d, i, w: example)
    assert result.outcome == "incorrect"


def test_an_answer_that_caches_its_first_result_is_caught():
    memory = {}

    def cached(d, i, w):
        key = d.shape
        memory.setdefault(key, with_matmul(d, i, w))
        return memory[key]

    result = check.dense_backward(cached)
    assert not result.passed


def test_value_checks_on_the_example():
    dinputs, dweights, dbiases = with_matmul(batch_dvalues(), layer_inputs(), layer_weights())
    assert check.dinputs(dinputs).passed
    assert check.dweights(dweights).passed
    assert check.dbiases(dbiases).passed
    assert check.dweights(dweights.T).diagnosis == "transposed"
    assert check.dbiases(dbiases[0]).diagnosis == "missing_keepdims"
    assert check.dinputs(dweights).outcome == "incorrect"
    assert check.dinputs(...).outcome == "not_attempted"


def test_value_checks_do_not_modify_what_they_are_given():
    dinputs = with_matmul(batch_dvalues(), layer_inputs(), layer_weights())[0]
    before = dinputs.copy()
    check.dinputs(dinputs)
    assert np.array_equal(dinputs, before)


def test_the_book_example_numbers():
    dinputs, dweights, dbiases = with_matmul(batch_dvalues(), layer_inputs(), layer_weights())
    assert np.allclose(dinputs[0], [0.44, -0.38, -0.07, 1.37])
    assert np.allclose(dweights[:, 0], [0.5, 20.1, 10.9, 4.1])
    assert np.allclose(dbiases, [[6, 6, 6]])


# ---- transposed factors on non-square shapes: numpy raises, the check names the mistake ----------------

TRANSPOSED = {
    "dvalues @ weights": (lambda d, i, w: (d @ w, i.T @ d, d.sum(axis=0, keepdims=True)), "dinputs"),
    "np.dot(dvalues, weights)": (lambda d, i, w: (np.dot(d, w), i.T @ d, d.sum(axis=0, keepdims=True)), "dinputs"),
    "weights @ dvalues": (lambda d, i, w: (w @ d, i.T @ d, d.sum(axis=0, keepdims=True)), "dinputs"),
    "inputs @ dvalues": (lambda d, i, w: (d @ w.T, i @ d, d.sum(axis=0, keepdims=True)), "dweights"),
    "dvalues @ inputs.T": (lambda d, i, w: (d @ w.T, d @ i.T, d.sum(axis=0, keepdims=True)), "dweights"),
}


@pytest.mark.parametrize("name", list(TRANSPOSED))
def test_a_transposed_factor_on_non_square_shapes_is_named(name):
    answer, part = TRANSPOSED[name]
    result = assert_diagnosed(check.dense_backward, answer, "transposed", part)
    assert "gufunc" not in result.message and "(n?,k)" not in result.message  # not numpy's raw words
    assert "line" in result.message  # the learner's own line


def test_a_shape_error_that_is_not_a_transposition_stays_the_learners_error():
    def broken(d, i, w):
        return d @ np.ones((7, 2)), i.T @ d, d.sum(axis=0, keepdims=True)

    result = check.dense_backward(broken)
    assert result.outcome == "raised"


def test_summing_over_the_neurons_with_keepdims_is_the_wrong_axis():
    wrong = lambda d, i, w: (d @ w.T, i.T @ d, np.sum(d, axis=1, keepdims=True))  # noqa: E731
    result = assert_diagnosed(check.dense_backward, wrong, "wrong_axis", "dbiases")
    assert "keepdims" in result.message
    value = np.sum(batch_dvalues(), axis=1, keepdims=True)
    assert_diagnosed(check.dbiases, value, "wrong_axis", "dbiases")


def test_value_hints_speak_of_their_own_exercise():
    """dweights' and dbiases' hints used to talk about dinputs; each now names its own gradient."""
    for name, other in (("dinputs", "dweights"), ("dweights", "dinputs"), ("dbiases", "dinputs")):
        hints = " ".join(getattr(check, name).exercise.hints)
        assert name in hints and other not in hints, (name, hints)


# ---- issue 17: a numerical estimate is not backprop ------------------------------------------------------------

def pasted_dense_backward(dvalues, inputs, weights):
    """Lesson 7's central difference, pasted: nudges copies of inputs and weights one element at a time."""
    from tests.checks_util import pasted_gradient

    biases = np.zeros((1, weights.shape[1]))

    def loss(i, w, b):
        return float(np.sum(dvalues * (i @ w + b)))

    return (pasted_gradient(lambda i: loss(i, weights, biases), inputs.copy()),
            pasted_gradient(lambda w: loss(inputs, w, biases), weights.copy()),
            pasted_gradient(lambda b: loss(inputs, weights, b), biases))


def pasted_on_plain_copies(dvalues, inputs, weights):
    """The same on arrays of its own (np.array(..., dtype=float)): only the rounding gives it away."""
    return pasted_dense_backward(np.array(dvalues, dtype=float), np.array(inputs, dtype=float),
                                 np.array(weights, dtype=float))


@pytest.mark.parametrize("answer", [pasted_dense_backward, pasted_on_plain_copies])
def test_a_pasted_numerical_gradient_is_named(answer):
    from tests.checks_util import assert_numerical_estimate

    result = assert_numerical_estimate(check.dense_backward, answer)
    assert "1e-15" in result.message  # what a derived gradient shows, for comparison


def test_the_nudges_are_counted_when_the_rounding_is_too_small_to_tell():
    from tests.checks_util import pasted_gradient

    def coarse(dvalues, inputs, weights):  # h = 1e-3: on a linear loss its values are exact to 1e-13
        loss = lambda i, w: float(np.sum(dvalues * (i @ w)))  # noqa: E731
        return (pasted_gradient(lambda i: loss(i, weights), inputs.copy(), 1e-3),
                pasted_gradient(lambda w: loss(inputs, w), weights.copy(), 1e-3), dvalues.sum(axis=0, keepdims=True))

    result = check.dense_backward(coarse)
    assert result.diagnosis == "numerical_estimate" and "one element at a time" in result.message, str(result)


def test_analytic_answers_written_every_way_are_not_taken_for_estimates():
    def row_by_row(dvalues, inputs, weights):  # one product per sample, and one write per row of the result
        dinputs = np.zeros_like(inputs)
        for n in range(len(dvalues)):
            dinputs[n] = dvalues[n] @ weights.T
        dweights = np.zeros_like(weights)
        for n in range(len(dvalues)):
            dweights += np.outer(inputs[n], dvalues[n])
        return dinputs, dweights, dvalues.sum(axis=0, keepdims=True)

    for answer in (with_matmul, with_dot, with_einsum, with_loops, as_lists, returns_list_of_parts,
                   as_float32(with_matmul), row_by_row):
        assert_passes(check.dense_backward, answer)


def test_the_hints_ask_for_both_factors():
    text = str(check.hint("dense_backward", 3))
    assert "dvalues @ ____" not in text and "____ @ dvalues" not in text


# ---- dinputs divided by the batch size: not "sum over the batch", which dinputs never does -------------------

def test_dinputs_divided_by_the_batch_is_not_told_to_sum_over_the_batch():
    """dinputs has one row per sample: nothing of it is summed over the batch, so the advice for a parameter's
    averaged gradient would be untrue. It is a factor too many, and the message says so."""
    wrong = lambda d, i, w: ((d @ w.T) / len(d), i.T @ d, d.sum(axis=0, keepdims=True))  # noqa: E731
    result = assert_diagnosed(check.dense_backward, wrong, "scaled", "dinputs")
    assert "sum over the batch" not in result.message and "parameter" not in result.message, result.message
    value = with_matmul(batch_dvalues(), layer_inputs(), layer_weights())[0] / 3
    result = assert_diagnosed(check.dinputs, value, "scaled", "dinputs")
    assert "sum over the batch" not in result.message, result.message
    # the parameters' gradients keep their diagnosis
    assert_diagnosed(check.dense_backward, WRONG["mean not sum"][0], "mean_instead_of_sum", "dweights")
