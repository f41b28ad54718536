"""lesson05.sgd_update and the value checks: right answers pass, each mistake gets its diagnosis."""
import numpy as np
import pytest

from checks import lesson05 as check
from tests.checks_util import assert_diagnosed, assert_passes


def in_place(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dweights
    biases -= learning_rate * dbiases


def like_the_seed(weights, biases, dweights, dbiases, learning_rate):
    weights += -learning_rate * dweights
    biases += -learning_rate * dbiases


def slice_assignment(weights, biases, dweights, dbiases, learning_rate):
    weights[...] = weights - learning_rate * dweights
    biases[:] = biases - learning_rate * dbiases
    return weights, biases  # returning as well is harmless


def with_out(weights, biases, dweights, dbiases, learning_rate):
    np.subtract(weights, learning_rate * dweights, out=weights)
    np.subtract(biases, learning_rate * dbiases, out=biases)


def with_loops(weights, biases, dweights, dbiases, learning_rate):
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            weights[i, j] -= learning_rate * dweights[i, j]
    for j in range(biases.shape[1]):
        biases[0, j] -= learning_rate * dbiases[0, j]


@pytest.mark.parametrize("answer", [in_place, like_the_seed, slice_assignment, with_out, with_loops])
def test_right_answers_pass(answer):
    assert_passes(check.sgd_update, answer)


def rebinds(weights, biases, dweights, dbiases, learning_rate):
    weights = weights - learning_rate * dweights
    biases = biases - learning_rate * dbiases
    return weights, biases


def ascends(weights, biases, dweights, dbiases, learning_rate):
    weights += learning_rate * dweights
    biases += learning_rate * dbiases


def ignores_rate(weights, biases, dweights, dbiases, learning_rate):
    weights -= dweights
    biases -= dbiases


def hard_codes_the_seed_rate(weights, biases, dweights, dbiases, learning_rate):
    weights -= 0.001 * dweights
    biases -= 0.001 * dbiases


def forgets_biases(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dweights


def rebinds_biases(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dweights
    biases = biases - learning_rate * dbiases


def swaps_gradients(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dbiases  # broadcasts silently
    biases -= learning_rate * dbiases


def scales_dweights(weights, biases, dweights, dbiases, learning_rate):
    dweights *= learning_rate  # the bug: the caller's gradient changes
    weights -= dweights
    biases -= learning_rate * dbiases


def modifies_dbiases(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dweights
    dbiases *= learning_rate
    biases -= dbiases


def squares_rate(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate ** 2 * dweights
    biases -= learning_rate ** 2 * dbiases


WRONG = {
    "rebinding": (rebinds, "not_in_place", "weights"),
    "gradient ascent": (ascends, "wrong_sign", "weights"),
    "learning rate ignored": (ignores_rate, "learning_rate_ignored", "weights"),
    "seed's rate hard-coded": (hard_codes_the_seed_rate, "learning_rate_ignored", "weights"),
    "biases forgotten": (forgets_biases, "biases_not_updated", "biases"),
    "biases rebound": (rebinds_biases, "biases_not_updated", "biases"),
    "swapped gradients": (swaps_gradients, "swapped_gradients", "weights"),
    "dweights modified": (scales_dweights, "modified_input", "dweights"),
    "dbiases modified": (modifies_dbiases, "modified_input", "dbiases"),
    "wrong scale": (squares_rate, "wrong_scale", "weights"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_diagnosed(name):
    answer, diagnosis, part = WRONG[name]
    assert_diagnosed(check.sgd_update, answer, diagnosis, part)


def test_swapping_into_biases_is_the_learners_own_error():
    def swapped(weights, biases, dweights, dbiases, learning_rate):
        weights -= learning_rate * dweights
        biases -= learning_rate * dweights  # (1, n) cannot hold (n_in, n): numpy raises

    result = check.sgd_update(swapped)
    assert result.outcome == "raised" and "biases -= learning_rate * dweights" in result.message


def test_the_seed_numbers():
    inputs, weights, biases = check.example_arrays()
    assert round(check.example_loss(inputs, weights, biases), 2) == 56.27
    dweights, dbiases = check.example_gradients()
    in_place(weights, biases, dweights, dbiases, 0.001)
    assert np.allclose(weights, [[0.179515, 0.5003665, -0.262746], [0.742093, -0.9152577, -0.2758402],
                                 [-0.510153, 0.2529017, 0.1629592], [0.971328, -0.5021842, 0.8636583]])
    assert np.allclose(biases, [[1.98489, 2.997739, 0.497389]])
    assert round(check.example_loss(inputs, weights, biases), 2) == 51.24


def test_value_checks():
    inputs, weights, biases = check.example_arrays()
    relu = np.maximum(0, inputs @ weights + biases)
    dweights, dbiases = check.example_gradients()
    assert check.loss(0.5 * np.sum(relu ** 2)).passed
    assert check.loss(np.sum(relu ** 2)).diagnosis == "missing_half"
    assert check.loss(0.5 * np.sum((inputs @ weights + biases) ** 2)).diagnosis == "relu_missing"
    assert check.loss(0.5 * np.mean(relu ** 2)).diagnosis == "mean_instead_of_sum"
    assert check.loss(0.5 * relu ** 2).diagnosis == "not_a_number"
    assert check.updated_weights(weights + -0.001 * dweights).passed
    assert check.updated_biases(biases + -0.001 * dbiases).passed
    assert check.updated_weights(weights + 0.001 * dweights).diagnosis == "wrong_sign"
    assert check.updated_weights(weights).diagnosis == "not_in_place"
    assert check.updated_biases(biases).diagnosis == "biases_not_updated"
    assert check.updated_weights(weights - dweights).diagnosis == "learning_rate_ignored"
    new_weights, new_biases = weights - 0.001 * dweights, biases - 0.001 * dbiases
    after = 0.5 * np.sum(np.maximum(0, inputs @ new_weights + new_biases) ** 2)
    assert check.loss_after(after).passed
    assert check.loss_after(0.5 * np.sum(relu ** 2)).diagnosis == "loss_before_step"
    assert check.loss_after(...).outcome == "not_attempted"


def test_checks_do_not_modify_what_they_are_given():
    _, weights, _ = check.example_arrays()
    before = weights.copy()
    check.updated_weights(weights)
    assert np.array_equal(weights, before)
