"""The checks contract (COURSE.md), asserted for every check of every lesson module that exists.

Whatever a learner passes, a check returns a Result and never raises; it says "not attempted" for a
placeholder, reports the learner's own error, stops code that runs too long, leaves numpy's global
random state alone, gives the same message twice, and raises only in strict mode.
"""
import numpy as np
import pytest

import checks
from checks import CheckFailed, Result
from checks.engine.catalog import all_exercises
from checks.engine.exercise import exercise

EXERCISES = all_exercises()
IDS = [e.id for e in EXERCISES]


@pytest.fixture(autouse=True)
def quick_time_limit(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKPROP_TIME_LIMIT", "0.3")
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.delenv("BACKPROP_STRICT", raising=False)


def loops_forever(*args):
    while True:
        pass


def divides_by_zero(*args):
    return 1 / 0


def exits(*args):
    import sys

    sys.exit("bye")


class NotWhatWasAsked:
    pass


BAD = {
    "None": None,
    "ellipsis": ...,
    "text": "dense_backward",
    "int": 3,
    "float": 3.5,
    "list": [1, 2, 3],
    "nan array": np.array([np.nan, 1.0]),
    "empty array": np.array([]),
    "object": object(),
    "no-argument function": lambda: 1,
    "raising function": divides_by_zero,
    "function calling sys.exit": exits,
    "returns None": lambda *a: None,
    "returns text": lambda *a: "abc",
    "returns nan": lambda *a: float("nan"),
    "returns a huge nested list": lambda *a: [[1, [2]], 3],
    "loops forever": loops_forever,
    "an unrelated class": NotWhatWasAsked,
    "a builtin": print,
}


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("bad", list(BAD))
def test_bad_input_gets_a_result_not_an_exception(exercise_id, bad, capsys):
    info = next(e for e in EXERCISES if e.id == exercise_id)
    result = info.check(BAD[bad])
    assert isinstance(result, Result)
    assert not result.passed
    assert result.outcome in {"incorrect", "not_attempted", "raised", "uncheckable"}
    assert result.outcome != "uncheckable" or result.diagnosis != "internal_error", str(result)
    assert result.message.strip()
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert "Traceback" not in result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_placeholders_are_not_attempted(exercise_id):
    info = next(e for e in EXERCISES if e.id == exercise_id)
    assert info.check(None).outcome == "not_attempted"
    assert info.check(...).outcome == "not_attempted"


def unfinished(*args):
    raise NotImplementedError("Exercise: replace this line with your code")


@pytest.mark.parametrize("exercise_id", [e.id for e in EXERCISES if e.graded])
def test_the_lesson_placeholder_is_not_attempted(exercise_id):
    info = next(e for e in EXERCISES if e.id == exercise_id)
    result = info.check(unfinished)
    assert result.outcome == "not_attempted", str(result)


@pytest.mark.parametrize("exercise_id", [e.id for e in EXERCISES if e.graded])
def test_learner_errors_and_timeouts_are_reported_as_theirs(exercise_id):
    info = next(e for e in EXERCISES if e.id == exercise_id)
    raised = info.check(divides_by_zero)
    assert raised.outcome in {"raised", "incorrect"}, str(raised)
    if raised.outcome == "raised":
        assert "ZeroDivisionError" in raised.message
        assert "1 / 0" in raised.message  # their own line
    exited = info.check(exits)
    assert exited.outcome in {"raised", "incorrect"}, str(exited)
    if exited.outcome == "raised":
        assert "SystemExit" in exited.message
    stopped = info.check(loops_forever)
    assert stopped.outcome in {"raised", "incorrect"}, str(stopped)
    if stopped.outcome == "raised":
        assert stopped.diagnosis == "timeout"


@pytest.mark.parametrize("exercise_id", IDS)
def test_same_answer_same_message(exercise_id):
    info = next(e for e in EXERCISES if e.id == exercise_id)
    answer = lambda *a: np.zeros((2, 3))  # noqa: E731  (wrong for every exercise)
    assert str(info.check(answer)) == str(info.check(answer))


@pytest.mark.parametrize("exercise_id", [e.id for e in EXERCISES if e.graded])
def test_numpy_global_random_state_is_left_alone(exercise_id):
    info = next(e for e in EXERCISES if e.id == exercise_id)

    def draws(*args):
        np.random.rand(3)
        raise ValueError("still wrong")

    np.random.seed(123)
    expected_next = np.random.rand()
    np.random.seed(123)
    info.check(draws)
    assert np.random.rand() == expected_next


def test_strict_mode_raises_for_anything_but_correct(monkeypatch):
    from checks import lesson03

    monkeypatch.setenv("BACKPROP_STRICT", "1")
    with pytest.raises(CheckFailed) as failure:
        lesson03.dense_backward(None)
    assert failure.value.result.outcome == "not_attempted"
    right = lambda d, i, w: (d @ w.T, i.T @ d, d.sum(axis=0, keepdims=True))  # noqa: E731
    assert lesson03.dense_backward(right).passed


def test_an_internal_error_is_uncheckable_without_a_traceback(capsys):
    @exercise("lesson99", "a checker with a bug", graded=False)
    def buggy(answer, rng):
        return {}["missing"]

    result = buggy(1)
    assert result.outcome == "uncheckable"
    assert result.diagnosis == "internal_error"
    assert "not your mistake" in result.message
    assert "Traceback" not in capsys.readouterr().out
    from checks.engine.exercise import REGISTRY

    REGISTRY.pop(buggy.exercise.id)


def test_results_display_with_a_mark_and_words_not_colour_alone():
    from checks import lesson03

    result = lesson03.dense_backward(None)
    assert result._repr_html_().count("Not attempted yet") == 1
    assert str(result).startswith("… Not attempted yet: dense_backward")


def test_ready_says_which_exercise_to_finish(capsys):
    from checks import lesson03

    assert checks.ready(lesson03.dense_backward, None) is False
    right = lambda d, i, w: (d @ w.T, i.T @ d, d.sum(axis=0, keepdims=True))  # noqa: E731
    assert checks.ready(lesson03.dense_backward, right) is True


def test_seeded_changes_the_random_cases():
    from checks import lesson03

    seen = []

    def records(d, i, w):
        seen.append(d.copy())
        return d @ w.T, i.T @ d, d.sum(axis=0, keepdims=True)

    lesson03.dense_backward(records)
    lesson03.dense_backward(records)
    with checks.seeded(7):
        lesson03.dense_backward(records)
    first, again, other = seen[0], seen[len(seen) // 3], seen[2 * len(seen) // 3]
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
