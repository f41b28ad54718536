"""Every cell says something: run top to bottom, each code cell of a blank lesson shows some output (text,
a check's result, a "finish X first" note, a figure or a widget), and each "finish X first" note names a
check that the same notebook calls.

The cells run in this process, as in tests/notebook_answers.py; outside IPython, `display` prints, so a
note shows up as printed text.
"""
from __future__ import annotations

import ast
import contextlib
import io
import re

import nbformat
import pytest

from tests.voice_util import notebook_path

# Lessons whose blank notebooks have been checked cell by cell. Extend with "05".."08" as they are.
LESSONS = ["01", "02", "03", "04", "05", "06", "07", "08", "09"]


def run_cells(path):
    """[(cell index, source, what it showed)] for every code cell, run in one namespace."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = []
    namespace: dict = {"__name__": "__main__"}
    for index, cell in enumerate(nbformat.read(str(path), as_version=4).cells):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        out = io.StringIO()
        figures_before = set(plt.get_fignums())
        with contextlib.redirect_stdout(out):
            exec(compile(tree, f"cell {index + 1}", "exec"), namespace)
            value = eval(compile(ast.Expression(last.value), f"cell {index + 1}", "eval"), namespace) if last else None
        text = out.getvalue() + ("" if value is None else repr(value))
        if set(plt.get_fignums()) - figures_before:
            text += "<figure>"
        shown.append((index + 1, cell.source, text))
    plt.close("all")
    return shown


@pytest.mark.parametrize("number", LESSONS)
def test_every_cell_of_the_blank_lesson_shows_something(number):
    silent = [f"cell {index}: {source[:80]!r}" for index, source, text in run_cells(notebook_path("lessons", number))
              if not text.strip()]
    assert not silent, "cells that show nothing in the blank lesson:\n" + "\n".join(silent)


@pytest.mark.parametrize("number", LESSONS)
def test_finish_first_notes_point_to_a_check_in_the_notebook(number):
    path = notebook_path("lessons", number)
    sources = "\n".join(c.source for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code")
    notes = [(index, text) for index, source, text in run_cells(path) if "first" in text and "Finish" in text]
    assert notes, "a blank lesson has gated cells, and each says what to finish"
    for index, text in notes:
        for call in re.findall(r"check\.\w+\(\w+\)", text):
            assert call in sources, f"cell {index} points to {call}, which this notebook does not run"
        assert re.search(r"check\.\w+\(\w+\)", text), f"cell {index}'s note names no check: {text!r}"
