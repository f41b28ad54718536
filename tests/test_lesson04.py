"""lesson04.relu_backward and the value checks: right answers pass, each mistake gets its diagnosis."""
import numpy as np
import pytest

from checks import lesson04 as check
from checks.lesson_helpers.examples import relu_dvalues, relu_z
from tests.checks_util import as_float32, assert_diagnosed, assert_passes


def copy_and_zero(dvalues, z):
    drelu = dvalues.copy()
    drelu[z <= 0] = 0
    return drelu


def float_mask_times(dvalues, z):
    drelu = np.zeros_like(z, dtype=float)
    drelu[z > 0] = 1
    return drelu * dvalues


def boolean_product(dvalues, z):
    return dvalues * (z > 0)


def with_where(dvalues, z):
    return np.where(z > 0, dvalues, 0.0)


def with_heaviside(dvalues, z):
    return dvalues * np.heaviside(z, 0.0)


def with_loops(dvalues, z):
    return [[dvalues[i][j] if z[i][j] > 0 else 0.0 for j in range(len(z[0]))] for i in range(len(z))]


def as_list(dvalues, z):
    return copy_and_zero(dvalues, z).tolist()


@pytest.mark.parametrize("answer", [copy_and_zero, float_mask_times, boolean_product, with_where, with_heaviside,
                                    with_loops, as_list, as_float32(copy_and_zero)])
def test_right_answers_pass(answer):
    assert_passes(check.relu_backward, answer)


def the_seeds_backward(dvalues, z):
    """One seed's Activation_ReLU.backward: `self.dL_dz = dL_da; self.dL_dz[self.inputs<=0] = 0`."""
    drelu = dvalues
    drelu[z <= 0] = 0
    return drelu


def modifies_z(dvalues, z):
    z[z < 0] = 0
    return copy_and_zero(dvalues, z)


def integer_zeros_like_assign(dvalues, z):
    drelu = np.zeros_like(z)  # integer when z is
    drelu[z > 0] = dvalues[z > 0]
    return drelu


def integer_zeros_like_in_place(dvalues, z):
    drelu = np.zeros_like(z)
    drelu[z > 0] = 1
    drelu *= dvalues  # numpy refuses to cast float into the integer array
    return drelu


def almost_zero_where_off(dvalues, z):
    return dvalues * (z > 0) + 1e-9 * (z <= 0)


WRONG = {
    "the seed's in-place backward": (the_seeds_backward, "modified_input", "dvalues"),
    "modifies z": (modifies_z, "modified_input", "z"),
    "mask on dvalues": (lambda d, z: d * (d > 0), "mask_on_wrong_array", "drelu"),
    "maximum of dvalues": (lambda d, z: np.maximum(0, d), "mask_on_wrong_array", "drelu"),
    "z >= 0": (lambda d, z: d * (z >= 0), "relu_at_zero", "drelu"),
    "mask only": (lambda d, z: (z > 0) * 1.0, "upstream_ignored", "drelu"),
    "inverted mask": (lambda d, z: d * (z <= 0), "inverted_mask", "drelu"),
    "inverted strict mask": (lambda d, z: d * (z < 0), "inverted_mask", "drelu"),
    "no mask": (lambda d, z: d.copy(), "mask_missing", "drelu"),
    "forward pass": (lambda d, z: np.maximum(0, z), "forward_output", "drelu"),
    "integer truncation": (integer_zeros_like_assign, "integer_dtype", "drelu"),
    "flattened": (lambda d, z: copy_and_zero(d, z).ravel(), "wrong_shape", "drelu"),
    "transposed": (lambda d, z: copy_and_zero(d, z).T, "transposed", "drelu"),
    "summed": (lambda d, z: copy_and_zero(d, z).sum(axis=0), "wrong_shape", "drelu"),
    "wrong sign": (lambda d, z: -copy_and_zero(d, z), "wrong_sign", "drelu"),
    "returns mask and drelu": (lambda d, z: (z > 0, copy_and_zero(d, z)), "wrong_return", "drelu"),
    "not exactly zero": (almost_zero_where_off, "not_exact_zero", "drelu"),
    "nothing returned": (lambda d, z: None, "nothing_returned", "drelu"),
    "nan": (lambda d, z: d * np.nan, "not_finite", "drelu"),
    "text": (lambda d, z: "drelu", "not_numbers", "drelu"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_diagnosed(name):
    answer, diagnosis, part = WRONG[name]
    assert_diagnosed(check.relu_backward, answer, diagnosis, part)


def test_integer_zeros_like_with_in_place_multiply_is_explained():
    result = assert_diagnosed(check.relu_backward, integer_zeros_like_in_place, "integer_dtype", outcome="raised")
    assert "drelu *= dvalues" in result.message  # the learner's own line
    assert "zeros_like" in result.message


def test_the_in_place_bug_message_names_dvalues_and_the_fix():
    result = check.relu_backward(the_seeds_backward)
    assert "dvalues" in result.message and ".copy()" in result.message


def test_a_hard_coded_answer_for_the_example_fails():
    answer = copy_and_zero(relu_dvalues(), relu_z())
    assert not check.relu_backward(lambda d, z: answer).passed


def test_only_linear_answers_pass():
    # Right on every case but not linear in dvalues: clipping the gradient.
    result = check.relu_backward(lambda d, z: np.clip(copy_and_zero(d, z), -2.5, 2.5))
    assert not result.passed


def test_the_check_leaves_the_example_alone_and_uses_fresh_copies():
    seen = []

    def records(dvalues, z):
        seen.append((dvalues, z))
        return copy_and_zero(dvalues, z)

    check.relu_backward(records)
    check.relu_backward(records)
    assert len(seen) % 2 == 0
    first, second = seen[: len(seen) // 2], seen[len(seen) // 2:]
    assert all(a[0] is not b[0] and np.array_equal(a[0], b[0]) for a, b in zip(first, second))


def test_cases_cover_the_edges():
    seen = []

    def records(dvalues, z):
        seen.append((np.asarray(dvalues).copy(), np.asarray(z).copy()))
        return copy_and_zero(dvalues, z)

    assert check.relu_backward(records).passed
    assert any(z.shape[0] == 1 for _, z in seen)  # a batch of one
    assert all(np.any(z > 0) and np.any(z < 0) for _, z in seen)  # every case has ReLU both on and off
    assert any(np.any(z == 0) and z.dtype.kind == "f" for _, z in seen)  # float z exactly 0
    assert any(z.dtype.kind == "i" and np.any(z == 0) and np.any(d != np.trunc(d)) for d, z in seen)
    assert any(np.array_equal(z, relu_z()) for _, z in seen)  # the lesson's example
    assert all(z.shape[0] != z.shape[1] for _, z in seen if z.ndim == 2 and z.shape != relu_z().shape)


def test_value_checks_on_the_example():
    z, dvalues = relu_z(), relu_dvalues()
    mask = np.zeros_like(z)
    mask[z > 0] = 1
    assert check.mask(mask).passed
    assert check.mask(z > 0).passed
    assert check.drelu(mask * dvalues).passed
    assert check.drelu(copy_and_zero(dvalues, z)).passed
    assert check.mask(mask * dvalues).diagnosis == "upstream_included"
    assert check.mask(np.maximum(0, z)).diagnosis == "forward_output"
    assert check.mask(1 - mask).diagnosis == "inverted_mask"
    assert check.drelu(mask).diagnosis == "upstream_ignored"
    assert check.drelu(dvalues * (z < 0)).diagnosis == "inverted_mask"
    assert check.drelu(...).outcome == "not_attempted"


def test_the_seed_example_numbers():
    z, dvalues = relu_z(), relu_dvalues()
    mask = np.zeros_like(z)
    mask[z > 0] = 1
    assert mask.tolist() == [[1, 1, 0, 0], [1, 0, 0, 1], [0, 1, 1, 0]]
    assert copy_and_zero(dvalues, z).tolist() == [[1, 2, 0, 0], [5, 0, 0, 8], [0, 10, 11, 0]]


def test_expected_gradient_takes_the_derivative_at_zero_as_zero():
    z = np.array([[-1.0, 0.0, 2.0]])
    gradient = check.expected_gradient(np.array([[5.0, 5.0, 5.0]]), z)
    assert gradient[0, 0] == 0.0 and gradient[0, 1] == 0.0  # exactly: off, and the convention at 0
    assert np.isclose(gradient[0, 2], 5.0, rtol=1e-9)  # central differences of a linear piece


# ---- the lesson's pitfalls, where they first can happen ----------------------------------------------------


def run_in_notebook(code: str) -> dict:
    """Run `code` the way a notebook cell would: its names are the learner's (the check reads, never writes them)."""
    namespace = {"np": np, "check": check, "z": relu_z(), "dvalues": relu_dvalues()}
    exec(code, namespace)
    return namespace


def test_drelu_as_a_second_name_for_dvalues_is_caught():
    ns = run_in_notebook("drelu = dvalues\ndrelu[z <= 0] = 0\nresult = check.drelu(drelu)")
    result = ns["result"]
    assert result.outcome == "incorrect" and result.diagnosis == "aliased", str(result)
    assert "same array as your `dvalues`" in result.message


def test_the_next_attempt_after_aliasing_is_told_dvalues_changed():
    ns = run_in_notebook("drelu = dvalues\ndrelu[z <= 0] = 0\n"
                         "drelu = dvalues.copy()\nresult = check.drelu(drelu)")  # right code, spoilt dvalues
    assert ns["result"].diagnosis == "modified_input" and ns["result"].part == "dvalues", str(ns["result"])


def test_drelu_from_a_copy_passes_in_the_notebook():
    ns = run_in_notebook("drelu = dvalues.copy()\ndrelu[z <= 0] = 0\nresult = check.drelu(drelu)")
    assert ns["result"].passed, str(ns["result"])


def test_a_mask_taken_from_dvalues_is_named():
    result = assert_diagnosed(check.mask, (relu_dvalues() > 0).astype(int), "mask_on_wrong_array", "mask")
    assert "dvalues" in result.message


def test_hints_build_up_to_blanks_then_the_solution():
    for name in ("mask", "drelu", "relu_backward"):
        hints = getattr(check, name).exercise.hints
        assert "____" in hints[-1], (name, hints[-1])
        assert 'check.solution("' + name + '")' in str(check.hint(name, 99))


# ---- issue 17: what the check saw ------------------------------------------------------------------------------

def test_a_mask_built_with_greater_or_equal_is_named_at_the_zero_of_the_example():
    from tests.checks_util import assert_gives_nothing_away, assert_no_direction

    z = relu_z()
    assert np.count_nonzero(z == 0) == 1  # the example has a z of exactly 0, where `>=` and `>` differ
    for wrong in ((z >= 0) * 1, z >= 0, (z >= 0).astype(float)):
        result = assert_diagnosed(check.mask, wrong, "relu_at_zero")
        assert_gives_nothing_away(result, check, "mask")
        assert "where z is exactly 0 (entry [1, 2])" in result.message
        assert ">= 0" not in result.message and "z > 0" not in result.message  # the rule, not the comparison
        assert_no_direction(result.message)
    for right in ((z > 0) * 1, z > 0, (z > 0).astype(int)):
        assert_passes(check.mask, right)
    result = assert_diagnosed(check.drelu, relu_dvalues() * (z >= 0), "relu_at_zero")
    assert "(entry [1, 2])" in result.message


def clip_mask_in_place(dvalues, z):
    """Peer code: the mask from z.clip (an integer array when z is one), then the gradient stored in place."""
    drelu = z.clip(min=0)
    drelu[drelu > 0] = 1
    drelu *= dvalues
    return drelu


def test_an_integer_array_from_clip_is_told_what_was_seen_not_zeros_like():
    result = assert_diagnosed(check.relu_backward, clip_mask_in_place, "integer_dtype", outcome="raised")
    assert "z is an integer array here" in result.message and "drelu *= dvalues" in result.message
    assert "np.zeros_like(z) made" not in result.message


def pasted_relu_backward(dvalues, z):
    from tests.checks_util import pasted_gradient

    grad = pasted_gradient(lambda zz: float(np.sum(dvalues * np.maximum(0.0, zz))), np.array(z, dtype=float))
    grad[np.asarray(z) == 0] = 0.0  # the course's convention at the kink
    return grad


def pasted_relu_backward_in_place(dvalues, z):
    from tests.checks_util import pasted_gradient

    if z.dtype.kind != "f":
        return pasted_relu_backward(dvalues, z)
    grad = pasted_gradient(lambda zz: float(np.sum(dvalues * np.maximum(0.0, zz))), z)
    grad[z == 0] = 0.0
    return grad


@pytest.mark.parametrize("answer", [pasted_relu_backward, pasted_relu_backward_in_place])
def test_a_pasted_numerical_gradient_is_named(answer):
    from tests.checks_util import assert_numerical_estimate

    assert_numerical_estimate(check.relu_backward, answer)


def test_loop_answers_that_write_one_element_at_a_time_are_not_estimates():
    def zero_each(dvalues, z):
        drelu = np.array(dvalues, dtype=float)
        for index in np.ndindex(np.shape(z)):
            if z[index] <= 0:
                drelu[index] = 0.0
        return drelu

    def from_dvalues_copy(dvalues, z):
        drelu = dvalues.copy().astype(float)
        for index in np.ndindex(z.shape):
            drelu[index] = dvalues[index] if z[index] > 0 else 0.0
        return drelu

    for answer in (copy_and_zero, float_mask_times, boolean_product, with_where, with_heaviside, with_loops,
                   as_list, zero_each, from_dvalues_copy):
        assert_passes(check.relu_backward, answer)
