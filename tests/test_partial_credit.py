"""Credit by part (issue 16): where a check judges parts apart, a planted mistake in one part costs that part
only, the learner still reads the first failure as before, and what stops the code as a whole costs all."""
from __future__ import annotations

import numpy as np
import pytest

from checks import lesson01, lesson03, lesson05, lesson06
from checks.engine.verdict import Incorrect, PartJudge
from tests import test_lesson06 as six


@pytest.fixture(autouse=True)
def own_progress_file(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.delenv("BACKPROP_STRICT", raising=False)


def _parts(result) -> dict:
    return dict(result.parts)


# --- the engine ---------------------------------------------------------------------------------------------

def test_a_part_judge_raises_the_first_failure_with_the_parts_that_passed():
    judge = PartJudge(("a", "b", "c"))
    for _ in range(2):
        for name in judge.open_parts():
            with judge.part(name):
                if name == "c":
                    raise Incorrect("c is wrong", part="c", diagnosis="wrong_values")
    with pytest.raises(Incorrect) as raised:
        judge.finish()
    assert raised.value.message == "c is wrong" and raised.value.passed_parts == ("a", "b")


def test_a_verdict_outside_the_parts_fails_every_part_still_open_and_keeps_the_first_message():
    judge = PartJudge(("a", "b"))
    with pytest.raises(Incorrect) as raised:
        with judge.whole():
            with judge.part("a"):
                raise Incorrect("a first", part="a")
            with judge.part("b"):
                pass
            raise Incorrect("the call raised")
    assert raised.value.message == "a first" and raised.value.passed_parts == ()


def test_a_part_never_judged_never_passes():
    judge = PartJudge(("a", "b"))
    with pytest.raises(Incorrect) as raised:
        with judge.part("a"):
            raise Incorrect("a")
        judge.finish()
    assert raised.value.passed_parts == ()  # b was never judged


# --- lesson 3 -----------------------------------------------------------------------------------------------

def right_dense(dvalues, inputs, weights):
    return dvalues @ weights.T, inputs.T @ dvalues, np.sum(dvalues, axis=0, keepdims=True)


def test_lesson3_right_answer_earns_three_of_three():
    result = lesson03.dense_backward(right_dense)
    assert result.passed and _parts(result) == {"dinputs": True, "dweights": True, "dbiases": True}
    assert (result.points, result.max_points) == (3, 3)


@pytest.mark.parametrize("answer, wrong, diagnosis", [
    (lambda d, i, w: (d @ w.T, i.T @ d, np.sum(d, axis=0)), "dbiases", "missing_keepdims"),
    (lambda d, i, w: (d @ w.T, i.T @ d, np.sum(d, axis=1, keepdims=True)), "dbiases", "wrong_axis"),
    (lambda d, i, w: (d @ w.T, d.T @ i, np.sum(d, axis=0, keepdims=True)), "dweights", "transposed"),
    (lambda d, i, w: (-(d @ w.T), i.T @ d, np.sum(d, axis=0, keepdims=True)), "dinputs", "wrong_sign"),
    (lambda d, i, w: (d @ w.T, i.T @ d / len(d), np.sum(d, axis=0, keepdims=True)), "dweights", "mean_instead_of_sum"),
], ids=["no_keepdims", "wrong_axis", "transposed_dweights", "sign_dinputs", "mean_dweights"])
def test_lesson3_one_wrong_gradient_costs_that_gradient_only(answer, wrong, diagnosis):
    result = lesson03.dense_backward(answer)
    assert (result.outcome, result.part, result.diagnosis) == ("incorrect", wrong, diagnosis)
    assert _parts(result) == {name: name != wrong for name in lesson03.PARTS}
    assert (result.points, result.max_points) == (2, 3)
    assert result.message.startswith(f"{wrong} from your dense_backward is not right")


def test_lesson3_the_message_is_the_first_failure_when_two_parts_are_wrong():
    result = lesson03.dense_backward(lambda d, i, w: (d @ w.T, 2 * (i.T @ d), np.sum(d, axis=0)))
    assert (result.part, result.diagnosis) == ("dweights", "scaled") and result.points == 1
    assert _parts(result) == {"dinputs": True, "dweights": False, "dbiases": False}


@pytest.mark.parametrize("answer, outcome", [
    (lambda d, i, w: (d @ w, i.T @ d, np.sum(d, axis=0, keepdims=True)), "incorrect"),  # numpy's shape error
    (lambda d, i, w: (d @ w.T, i.T @ d), "incorrect"),  # two values returned
    (lambda d, i, w: 1 / 0, "raised"),
], ids=["raises_on_shapes", "wrong_count", "raises"])
def test_lesson3_code_that_fails_as_a_whole_earns_nothing(answer, outcome):
    result = lesson03.dense_backward(answer)
    assert result.outcome == outcome and result.points == 0 and not any(_parts(result).values())


def test_lesson3_an_answer_right_on_random_batches_but_hard_coded_for_the_example_loses_every_part():
    example = lesson03.example.batch_dvalues()

    def answer(d, i, w):
        if d.shape == example.shape and np.allclose(d, example):
            return np.zeros((len(d), len(w))), np.zeros(w.shape), np.zeros((1, w.shape[1]))
        return right_dense(d, i, w)

    result = lesson03.dense_backward(answer)
    assert not result.passed and result.points == 0


# --- lessons 1 and 5 ----------------------------------------------------------------------------------------

def right_neuron(x, w, b, dvalue):
    drelu = dvalue * (np.dot(x, w) + b > 0)
    return drelu * w, drelu * x, drelu


def test_lesson1_a_wrong_db_keeps_dx_and_dw():
    result = lesson01.neuron_backward(lambda x, w, b, d: (*right_neuron(x, w, b, d)[:2], d))  # db without ReLU
    assert result.outcome == "incorrect" and result.part == "db"
    assert _parts(result) == {"dx": True, "dw": True, "db": False} and result.points == 2
    assert lesson01.neuron_backward(right_neuron).points == 3


def right_sgd(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dweights
    biases -= learning_rate * dbiases


def test_lesson5_a_wrong_bias_step_keeps_the_weight_step():
    def ascends_biases(weights, biases, dweights, dbiases, learning_rate):
        weights -= learning_rate * dweights
        biases += learning_rate * dbiases

    result = lesson05.sgd_update(ascends_biases)
    assert result.outcome == "incorrect" and result.part == "biases"
    assert _parts(result) == {"weights": True, "biases": False} and result.points == 1
    assert lesson05.sgd_update(right_sgd).points == 2


def test_lesson5_no_array_changed_in_place_earns_nothing():
    result = lesson05.sgd_update(lambda w, b, dw, db, rate: (w - rate * dw, b - rate * db))
    assert result.diagnosis == "not_in_place" and result.points == 0


# --- lesson 6 -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls, wrong, diagnosis", [
    (six.NoKeepdims, "backward", "missing_keepdims"),
    (six.TransposedDweights, "backward", "transposed"),
    (six.StepsInBackward, "backward", "modified_weights"),
    (six.ZeroWeights, "__init__", "symmetric_weights"),
    (six.FlatBiases, "__init__", "missing_keepdims"),
    (six.Stale, "forward", "stale_parameters"),
], ids=lambda x: getattr(x, "__name__", x))
def test_lesson6_dense_loses_only_the_wrong_method(cls, wrong, diagnosis):
    result = lesson06.Layer_Dense(cls)
    assert (result.outcome, result.diagnosis) == ("incorrect", diagnosis), str(result)
    assert _parts(result) == {name: name != wrong for name in lesson06.DENSE_PARTS}
    assert (result.points, result.max_points) == (2, 3)


def test_lesson6_a_dense_layer_that_cannot_be_built_earns_nothing():
    result = lesson06.Layer_Dense(six.RaisesInInit)
    assert result.outcome == "raised" and result.points == 0


def test_lesson6_relu_that_modifies_dvalues_keeps_its_forward():
    result = lesson06.Activation_ReLU(six.SeedReLU)  # the book's backward that writes into dvalues
    assert result.diagnosis == "modified_input"
    assert _parts(result) == {"forward": True, "backward": False} and (result.points, result.max_points) == (1, 2)
    assert lesson06.Activation_ReLU(six.Activation_ReLU).points == 2


def test_lesson6_relu_without_backward_written_is_not_attempted_with_its_forward_point():
    class ForwardOnly(six.Activation_ReLU):
        def backward(self, dvalues):
            raise NotImplementedError("Exercise: backward")

    result = lesson06.Activation_ReLU(ForwardOnly)
    assert result.outcome == "not_attempted" and _parts(result) == {"forward": True, "backward": False}
