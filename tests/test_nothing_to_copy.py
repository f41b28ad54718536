"""Nothing to copy: no line of an exercise's answer appears in its blank lesson (any cell, any stored
output) or in any hint level before the last (which names check.solution).

An answer is what the solution notebook has between `### BEGIN SOLUTION` and `### END SOLUTION` for that
exercise. Trivial lines are skipped: blank lines, comments, `return a, b` of plain names, keywords alone,
`a = b` between plain names.
Lines are compared without whitespace, so `a@b` and `a @ b` count as the same line; for an assignment the
right-hand side alone counts too (a recap that lists `dvalues @ weights.T` gives the answer away as well).
"""
from __future__ import annotations

import ast
import importlib
import re

import pytest

from checks import _solutions
from checks._exercise import REGISTRY
from tests.voice_util import notebook_path, notebook_texts, squeeze

# Lessons whose answers are kept out of sight. Extend with "05".."08" as they are.
LESSONS = ["01", "02", "03", "04", "05", "06", "07", "08", "09"]

TRIVIAL = re.compile(r"^(#.*|return(\s+[\w.]+(\s*,\s*[\w.]+)*)?|pass|else:|try:|\w+|\w+\s*=\s*[\w.]+)?$")
# One method of one array, without arguments (`dvalues.copy()`): an idiom the lessons teach by name,
# not an answer. The whole line that uses it (`drelu = dvalues.copy()`) is still checked.
IDIOM = re.compile(r"^\w+\.\w+\(\)$")
SHORTEST = 8  # characters without whitespace: shorter fragments (`dx = w`) are too common to mean anything


def fragments(line: str) -> list:
    """What of one answer line must not be shown: the line, and an assignment's right-hand side."""
    code = line.split("  #")[0].strip()
    if TRIVIAL.match(code):
        return []
    found = [code]
    try:
        node = ast.parse(code).body[0]
    except (SyntaxError, IndexError):
        return found
    if isinstance(node, (ast.Assign, ast.AugAssign)) and not isinstance(node.value, (ast.Name, ast.Constant)):
        value = ast.get_source_segment(code, node.value)
        if not IDIOM.match(value):
            found.append(value)
    return [f for f in found if len(squeeze(f)) >= SHORTEST]


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
    lines = _solutions.answer_lines(module.NOTEBOOK, name)
    assert lines, f"no answer found for {name} in solutions/{module.NOTEBOOK}.ipynb"
    shown = [(where, squeeze(text)) for where, text in notebook_texts(notebook_path("lessons", number))]
    # Every hint level before the last, of every exercise of the lesson: one exercise's hints must not
    # give away another's answer either.
    shown += [(f"hint {level} of {other.name}", squeeze(text)) for _, other in exercises(number)
              for level, text in enumerate(other.hints, 1)]
    leaks = [f"{where}: {fragment!r}" for line in lines for fragment in fragments(line)
             for where, text in shown if squeeze(fragment) in text]
    assert not leaks, "answer lines shown before check.solution:\n" + "\n".join(leaks)


@pytest.mark.parametrize("number", LESSONS)
def test_the_last_hint_level_is_the_solution(number):
    for module, info in exercises(number):
        last = str(module.hint(info.name, 99))
        assert f'check.solution("{info.name}")' in last
        assert str(module.solution(info.name)).startswith(f"Solution for {info.name}")
