"""Nothing to copy: no line of an exercise's answer appears in its blank lesson (any cell, any stored
output) or in any hint level before the last (which names check.solution); no hint or message of the
checks hands over a piece of an answer line under other names, or a line with blanks that leaves little
to do (see tests/copy_util.py for how each is recognised).

An answer is what the solution notebook has between `### BEGIN SOLUTION` and `### END SOLUTION` for that
exercise. Trivial lines are skipped: blank lines, comments, `return a, b` of plain names, keywords alone,
`a = b` between plain names.
Lines are compared without whitespace, so `a@b` and `a @ b` count as the same line; for an assignment the
right-hand side alone counts too (a recap that lists `dvalues @ weights.T` gives the answer away as well).
"""
from __future__ import annotations

import importlib

import pytest

from checks.engine import solutions
from checks.engine.exercise import REGISTRY
from tests.copy_util import fragments, shown
from tests.voice_util import ROOT, module_strings, notebook_path, notebook_texts, squeeze

# Lessons whose answers are kept out of sight. Extend with "05".."08" as they are.
LESSONS = ["01", "02", "03", "04", "05", "06", "07", "08", "09"]

def test_fragments():
    assert fragments("dinputs = dvalues @ weights.T") == ["dinputs = dvalues @ weights.T", "dvalues @ weights.T"]
    assert fragments("return dinputs, dweights, dbiases") == []
    assert fragments("# shapes: (3, 4)") == []
    assert fragments("db = drelu_db") == []
    assert fragments("drelu = dvalues.copy()") == ["drelu = dvalues.copy()"]


def exercises(number: str) -> list:
    module = importlib.import_module(f"checks.lesson{number}")
    return [(module, info) for info in REGISTRY.values() if info.lesson == f"lesson{number}"]


def cases():
    for number in LESSONS:
        for module, info in exercises(number):
            if info.name in getattr(module, "PROVIDED", ()):  # lesson 8's practice checks of classes it provides
                continue
            yield pytest.param(number, info.name, id=f"{number}-{info.name}")


@pytest.mark.parametrize("number, name", list(cases()))
def test_no_answer_line_in_the_blank_lesson_or_early_hints(number, name):
    module = importlib.import_module(f"checks.lesson{number}")
    lines = solutions.answer_lines(module.NOTEBOOK, name)
    assert lines, f"no answer found for {name} in solutions/{module.NOTEBOOK}.ipynb"
    texts = [(where, squeeze(text)) for where, text in notebook_texts(notebook_path("lessons", number))]
    # Every hint level before the last, of every exercise of the lesson: one exercise's hints must not
    # give away another's answer either.
    texts += [(f"hint {level} of {other.name}", squeeze(text)) for _, other in exercises(number)
              for level, text in enumerate(other.hints, 1)]
    leaks = [f"{where}: {fragment!r}" for line in lines for fragment in fragments(line)
             for where, text in texts if squeeze(fragment) in text]
    assert not leaks, "answer lines shown before check.solution:\n" + "\n".join(leaks)


@pytest.mark.parametrize("number", LESSONS)
def test_the_last_hint_level_is_the_solution(number):
    for module, info in exercises(number):
        last = str(module.hint(info.name, 99))
        assert f'check.solution("{info.name}")' in last
        assert str(module.solution(info.name)).startswith(f"Solution for {info.name}")


@pytest.mark.parametrize("number", LESSONS)
def test_no_hint_before_the_last_hands_over_a_piece_or_a_nearly_whole_line(number):
    lines = [line for module, info in exercises(number) if info.name not in getattr(module, "PROVIDED", ())
             for line in solutions.answer_lines(module.NOTEBOOK, info.name)]
    leaks = [f"hint {level} of {info.name}: {found}" for _, info in exercises(number)
             for level, text in enumerate(info.hints, 1) for found in shown(text, lines)]
    assert not leaks, "hints that hand over an answer:\n" + "\n".join(leaks)


def _answers_by_lesson() -> dict:
    found = {}
    for number in LESSONS:
        for module, info in exercises(number):
            if info.name not in getattr(module, "PROVIDED", ()):
                found.setdefault(f"lesson{number}", []).extend(solutions.answer_lines(module.NOTEBOOK, info.name))
    return found


def _check_modules() -> list:
    """The modules whose strings a learner may read: the lessons' (checks/*.py) and their helpers'
    (checks/lesson_helpers/, where lessons keep the mistakes they know by name)."""
    return sorted((ROOT / "checks").glob("*.py")) + sorted((ROOT / "checks" / "lesson_helpers").rglob("*.py"))


def test_no_message_of_the_checks_hands_over_an_answer():
    """Every string of the checks' modules (messages, advice, hints): a lesson's module against its own
    answers, a helper module against every lesson's."""
    answers = _answers_by_lesson()
    every = [line for lines in answers.values() for line in lines]
    leaks = []
    for path in _check_modules():
        lines = answers.get(path.stem, every if path.parent.name != "checks" else [])
        leaks += [f"{where}: {found}" for where, text in module_strings(path) for found in shown(text, lines)]
    assert not leaks, "messages that hand over an answer:\n" + "\n".join(leaks)


@pytest.mark.parametrize("text, answer", [
    ("return dvalues @ ____", "return dvalues @ weights.T"),                      # lesson 2's old level 3
    ("Pair each row with its own label: `[np.arange(N), y_true]`.", "dinputs[np.arange(samples), y_true] -= 1"),
    ("probs_example[np.arange(3), y_example] picks the three", "loss = np.mean(-np.log(probs_example[np.arange(3), y_example]))"),
    ("mask = (z ____ 0).astype(int)", "mask = (z > 0).astype(int)"),               # only the operator left out
    ("`self.grad += ____ * out.grad`, and the same", "self.grad += 1.0 * out.grad"),
    ("Try: np.zeros((1, n_neurons)).", "self.biases = np.zeros((1, n_neurons))"),
])
def test_what_counts_as_handing_over_an_answer(text, answer):
    assert shown(text, [answer])


@pytest.mark.parametrize("text, answer", [
    ("`return ____ @ ____`: a vector of shape (n_neurons,) times a matrix", "return dvalues @ weights.T"),
    ("dbiases = np.sum(dvalues, axis=____, keepdims=____)", "dbiases = np.sum(dvalues, axis=0, keepdims=True)"),
    ("`mask = (____).astype(int)`, where the blank compares z with 0", "mask = (z > 0).astype(int)"),
    ("Copy with dvalues.copy(): a plain `=` gives a second name.", "drelu = dvalues.copy()"),
    ("The mask is 1 where z > 0 and 0 elsewhere.", "mask = (z > 0).astype(int)"),
])
def test_what_does_not(text, answer):
    assert not shown(text, [answer])


def test_no_message_of_the_checks_says_which_way_to_move_a_number():
    from tests.checks_util import DIRECTION_WORDS

    found = [f"{where}: {text!r}" for path in _check_modules()
             for where, text in module_strings(path) for word in DIRECTION_WORDS if word in text.lower()]
    assert not found, "direction words in messages:\n" + "\n".join(found)


@pytest.mark.parametrize("number", LESSONS)
def test_no_comment_of_the_blank_lesson_is_a_line_with_blanks_that_leaves_little_to_do(number):
    """An exercise cell's comment says what to compute, not the line: `numerical_gradient(loss_of_weights, ...,
    1e-5)` left one operand of three to find. In a comment, `...` stands for a blank as `____` does."""
    import nbformat

    lines = [line for module, info in exercises(number) if info.name not in getattr(module, "PROVIDED", ())
             for line in solutions.answer_lines(module.NOTEBOOK, info.name)]
    leaks = []
    for index, cell in enumerate(nbformat.read(notebook_path("lessons", number), as_version=4).cells):
        if cell.cell_type != "code":
            continue
        for text in cell.source.splitlines():
            if "#" in text:
                comment = text.split("#", 1)[1].replace("...", "____")
                leaks += [f"cell {index}: {found}" for found in shown(comment, lines)]
    assert not leaks, "comments that hand over an answer:\n" + "\n".join(leaks)
