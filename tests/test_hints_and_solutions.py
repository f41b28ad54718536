"""The engine's teaching parts: hint levels ending in check.solution, the solution shown and recorded,
wrong values described without the expected value, and a learner's sys.exit() reported as theirs."""
import json
import sys

import pytest

import checks
from checks.lesson_helpers import examples as example
from checks import lesson01, lesson03, lesson04
from checks.engine.exercise import REGISTRY


@pytest.fixture(autouse=True)
def own_progress_file(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.delenv("BACKPROP_STRICT", raising=False)
    monkeypatch.delenv("BACKPROP_PROGRESS", raising=False)
    return tmp_path / "progress.json"


def stored(path):
    return json.loads(path.read_text())["exercises"]


# ---------------------------------------------------------------- hints


def test_hint_levels_end_with_check_solution():
    info = lesson03.dense_backward.exercise
    texts = [str(lesson03.hint("dense_backward", level)) for level in range(1, len(info.hints) + 2)]
    assert f"Hint {len(info.hints) + 1} of {len(info.hints) + 1}" in texts[-1]
    assert 'check.solution("dense_backward")' in texts[-1]
    assert all("check.solution" not in text for text in texts[:-1])
    assert all("Run check.hint again" in text for text in texts[:-1])


def test_a_failed_check_says_a_hint_is_there():
    result = lesson03.dense_backward(lambda d, i, w: (d @ w.T, i.T @ d, d.sum(axis=0)))
    assert result.outcome == "incorrect"
    assert 'check.hint("dense_backward")' in result.message


# ---------------------------------------------------------------- solutions


def test_solution_shows_the_function_from_the_solution_notebook(own_progress_file):
    shown = str(lesson03.solution("dense_backward"))
    assert "solutions/03_batched_dense.ipynb" in shown
    assert "def dense_backward(dvalues, inputs, weights):" in shown
    assert "return dinputs, dweights, dbiases" in shown
    assert "BEGIN SOLUTION" not in shown
    assert "dense_backward" in lesson03.solution("dense_backward")._repr_html_()


def test_solution_of_a_value_exercise_is_its_block_only():
    shown = str(lesson04.solution("mask"))
    assert "mask =" in shown
    assert "def relu_backward" not in shown


def test_a_viewed_solution_is_recorded_and_shown_in_the_progress_table(own_progress_file):
    lesson01.solution("neuron_backward")
    assert stored(own_progress_file)["lesson01.neuron_backward"]["solution_viewed"] is True
    report = checks.progress()
    (entry,) = [r[3] for r in report.rows if r[2] == "lesson01.neuron_backward"]
    assert entry["solution_viewed"] is True
    assert "viewed" in repr(report) and "viewed" in report._repr_html_()
    lesson01.neuron_backward(None)  # a later check keeps the mark
    assert stored(own_progress_file)["lesson01.neuron_backward"]["solution_viewed"] is True


def test_a_progress_file_from_before_solutions_is_still_valid(own_progress_file):
    old = {"outcome": "correct", "attempts": 1, "first_correct_attempt": 1, "hints": 2}
    own_progress_file.write_text(json.dumps({"version": 1, "exercises": {"lesson03.dense_backward": old}}))
    report = checks.progress()
    assert not report.notices
    (entry,) = [r[3] for r in report.rows if r[2] == "lesson03.dense_backward"]
    assert entry == old


def test_solution_for_an_unknown_name_lists_the_exercises(own_progress_file):
    shown = str(lesson03.solution("dense_backwards"))
    assert "No such exercise" in shown and '"dense_backward"' in shown
    assert not own_progress_file.exists()


@pytest.mark.parametrize("exercise_id", [e for e in REGISTRY if e.split(".")[0] in {"lesson01", "lesson02", "lesson03", "lesson04"}])
def test_every_exercise_has_a_solution_to_show(exercise_id):
    info = REGISTRY[exercise_id]
    module = sys.modules[f"checks.{info.lesson}"]
    assert str(module.solution(info.name)).startswith(f"Solution for {info.name}")


# ---------------------------------------------------------------- wrong values


def test_a_wrong_value_message_never_states_the_expected_value():
    right = example.layer_inputs().T @ example.batch_dvalues()
    wrong = right.copy()
    wrong[1, 2] += 0.5
    result = lesson03.dweights(wrong)
    assert result.diagnosis == "wrong_values"
    assert "[1, 2]" in result.message
    assert f"{right[1, 2]:.6g}" not in result.message
    assert "expected" not in result.message


def test_a_constant_factor_is_named():
    right = example.layer_inputs().T @ example.batch_dvalues()
    result = lesson03.dweights(0.5 * right)
    assert result.diagnosis == "scaled"
    assert "0.5 times" in result.message


def test_a_wrong_number_is_described_without_the_right_one():
    result = lesson01.z(5.0)
    assert result.outcome == "incorrect"
    assert "6" not in result.message.replace("0.6", "")
    assert result.message.startswith("Your z is not right")


# ---------------------------------------------------------------- exits


def exits(*args):
    sys.exit()


def exits_with_code(*args):
    raise SystemExit(2)


class Leaves(BaseException):
    pass


def leaves(*args):
    raise Leaves("bye")


@pytest.mark.parametrize("fn", [exits, exits_with_code, leaves])
def test_a_learners_exit_is_reported_as_their_error(fn):
    result = lesson03.dense_backward(fn)
    assert result.outcome == "raised"
    assert f"(in {fn.__name__})" in result.message  # their own function, named
    assert "SystemExit" in result.message or "Leaves" in result.message


def test_an_exit_from_a_value_is_reported_as_their_error():
    class ExitsWhenRead:
        def __array__(self, *args, **kwargs):
            sys.exit()

    result = lesson03.dweights(ExitsWhenRead())
    assert result.outcome in {"raised", "incorrect"}, str(result)


def test_keyboard_interrupt_still_stops_the_check():
    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        lesson03.dense_backward(interrupted)


def test_exits_in_strict_mode_are_check_failures(monkeypatch):
    monkeypatch.setenv("BACKPROP_STRICT", "1")
    with pytest.raises(checks.CheckFailed) as failure:
        lesson04.relu_backward(exits)
    assert failure.value.result.outcome == "raised"


# ---------------------------------------------------------------- grading feedback


def test_feedback_notes_a_solution_the_notebook_shows(tmp_path):
    import nbformat

    from checks import Result
    from checks.grade.feedback import render, solutions_viewed
    from checks.grade.grade_one import Grade

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('check.solution("dense_backward")'),
                nbformat.v4.new_markdown_cell('check.solution("dinputs") in prose is not a call that ran')]
    path = tmp_path / "03_batched_dense.ipynb"
    nbformat.write(nb, str(path))
    assert solutions_viewed(path) == {"dense_backward"}
    assert solutions_viewed(tmp_path / "missing.ipynb") == set()

    exercise_id = "lesson03.dense_backward"
    grade = Grade("03_batched_dense.ipynb", "lesson03", exercises=[exercise_id],
                  results={exercise_id: Result(exercise_id, "correct", "Well done.")})
    assert 'check.solution("dense_backward")' in render(grade, solutions_viewed(path))
    assert "solution" not in render(grade)


def test_every_lesson_module_has_check_solution():
    """The last hint level of every exercise names check.solution, so every lesson module must have it."""
    import importlib

    lessons = {info.lesson for info in REGISTRY.values() if info.lesson.startswith("lesson") and info.hints}
    for lesson in lessons:
        module = importlib.import_module(f"checks.{lesson}")
        assert callable(getattr(module, "solution", None)), lesson


@pytest.mark.parametrize("wrong, words", [
    ([-3.0, 1.0, 2.0], "element [1] is off: it has the wrong sign."),
    ([-3.0, 5.0, 2.0], "element [1] is off: it has the wrong sign, and its size is off too."),
    ([-3.0, -7.0, 2.0], "element [1] is off (yours is -7 there)."),
    ([-3.0, 0.0, 0.0], "2 of its 3 elements are off; the first is [1], and each of those is 0 where it should not be."),
])
def test_how_a_wrong_element_is_described(wrong, words):
    result = lesson01.dx(wrong)  # the right dx is [-3, -1, 2]
    assert result.diagnosis == "wrong_values"
    assert words in result.message
    assert "-1" not in result.message


def test_a_hint_with_blanks_stays_apart_from_the_next_level_note():
    """Lesson 1's hint 3 for z used to read `z = np.dot(____, ____) + ____ Run check.hint again ...`: the
    template ran into the sentence, as if `Run` were part of the line. The note is on a line of its own."""
    from checks import lesson01

    text = str(lesson01.hint("z", 3))
    template = lesson01.z.exercise.hints[2]
    assert f"{template}\nRun check.hint again for the next level." in text, text
