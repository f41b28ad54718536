"""lesson08.softmax_crossentropy_backward and the loss value check."""
import numpy as np
import pytest

from checks import lesson08 as check
from tests.checks_util import assert_diagnosed, assert_passes


def book(probs, y_true):  # Neural Networks from Scratch's Activation_Softmax_Loss_CategoricalCrossentropy
    samples = len(probs)
    if len(y_true.shape) == 2:
        y_true = np.argmax(y_true, axis=1)
    dinputs = probs.copy()
    dinputs[range(samples), y_true] -= 1
    return dinputs / samples


def with_one_hot(probs, y_true):
    return (probs - np.eye(probs.shape[1])[y_true]) / len(probs)


def with_loops(probs, y_true):
    n, c = len(probs), len(probs[0])
    return [[(probs[i][j] - (1.0 if j == y_true[i] else 0.0)) / n for j in range(c)] for i in range(n)]


def with_mean_trick(probs, y_true):
    one_hot = np.zeros_like(probs)
    one_hot[np.arange(len(probs)), y_true] = 1
    return (probs - one_hot) * (1.0 / probs.shape[0])


def in_float32(probs, y_true):
    return book(probs.astype(np.float32), y_true)


@pytest.mark.parametrize("answer", [book, with_one_hot, with_loops, with_mean_trick, in_float32])
def test_right_answers_pass(answer):
    assert_passes(check.softmax_crossentropy_backward, answer)


def no_mean(probs, y_true):
    return book(probs, y_true) * len(probs)


def writes_into_probs(probs, y_true):
    probs[np.arange(len(probs)), y_true] -= 1
    probs /= len(probs)
    return probs


def whole_columns(probs, y_true):
    dinputs = probs.copy()
    dinputs[:, y_true] -= 1
    return dinputs / len(probs)


def modifies_labels(probs, y_true):
    result = book(probs, y_true)
    y_true[:] = 0
    return result


WRONG = {
    "missing 1/N": (no_mean, "missing_batch_mean", "dinputs"),
    "writes into probs": (writes_into_probs, "modified_input", "probs"),
    "modifies the labels": (modifies_labels, "modified_input", "y_true"),
    "sign": (lambda p, y: -book(p, y), "wrong_sign", "dinputs"),
    "labels forgotten: probs / N": (lambda p, y: p / len(p), "labels_ignored", "dinputs"),
    "labels forgotten: probs": (lambda p, y: p.copy(), "labels_ignored", "dinputs"),
    "whole columns": (whole_columns, "onehot_wrong", "dinputs"),
    "label numbers subtracted": (lambda p, y: (p - y[:, None]) / len(p), "onehot_wrong", "dinputs"),
    "one-hot of the wrong width": (lambda p, y: (p - np.eye(p.shape[1])[(y + 1) % p.shape[1]]) / len(p),
                                   "onehot_wrong", "dinputs"),
    "gradient w.r.t. probs": (lambda p, y: -np.eye(p.shape[1])[y] / p / len(p), "gradient_wrt_probs", "dinputs"),
    "transposed": (lambda p, y: book(p, y).T, "transposed", "dinputs"),
    "one row": (lambda p, y: book(p, y).sum(axis=0), "wrong_shape", "dinputs"),
    "nothing returned": (lambda p, y: None, "nothing_returned", "dinputs"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_diagnosed(name):
    answer, diagnosis, part = WRONG[name]
    assert_diagnosed(check.softmax_crossentropy_backward, answer, diagnosis, part)


def test_a_hard_coded_answer_for_the_example_fails():
    logits, labels = check.example()
    fixed = book(check.softmax(logits), labels)
    assert check.softmax_crossentropy_backward(lambda p, y: fixed).outcome == "incorrect"


def test_the_loss_value_check():
    logits, labels = check.example()
    probs = check.softmax(logits)
    picked = probs[np.arange(3), labels]
    assert check.loss(-np.mean(np.log(picked))).passed
    assert check.loss(np.float32(-np.mean(np.log(picked)))).passed
    assert check.loss(-np.sum(np.log(picked))).diagnosis == "sum_instead_of_mean"
    assert check.loss(np.mean(np.log(picked))).diagnosis == "wrong_sign"
    assert check.loss(...).outcome == "not_attempted"


def test_the_gradient_rows_sum_to_zero_and_match_the_course_loss():
    rng = np.random.default_rng(0)
    logits, labels = rng.normal(size=(4, 3)), np.array([0, 2, 1, 2])
    from checks._numeric import central_difference

    numeric = central_difference(lambda z: check.mean_crossentropy(z, labels), logits)
    assert np.allclose(book(check.softmax(logits), labels), numeric, atol=1e-8)
    assert np.allclose(numeric.sum(axis=1), 0.0, atol=1e-8)
