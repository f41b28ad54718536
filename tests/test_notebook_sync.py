"""Every lesson is generated from its solution and up to date; solutions were re-run; no notebook
edits sys.path. With no notebooks yet, the parametrized tests have nothing to run."""

import re
from pathlib import Path

import pytest

import _notebooks as nbs
import make_lessons

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = nbs.notebooks_in(ROOT / nbs.SOLUTIONS)
LESSONS = nbs.notebooks_in(ROOT / nbs.LESSONS)
NOTEBOOKS = SOLUTIONS + LESSONS
REGENERATE = "run `python scripts/make_lessons.py` to regenerate it from its solution"
SYS_PATH = re.compile(r"\bsys\s*\.\s*path\b")


def _ids(paths):
    return [nbs.relative(p, ROOT) for p in paths]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=_ids(SOLUTIONS))
def test_solution_has_a_lesson(solution):
    lesson = ROOT / nbs.LESSONS / solution.name
    assert lesson.is_file(), f"{nbs.relative(lesson, ROOT)} is missing: {REGENERATE}"


@pytest.mark.parametrize("lesson", LESSONS, ids=_ids(LESSONS))
def test_lesson_has_a_solution(lesson):
    solution = ROOT / nbs.SOLUTIONS / lesson.name
    assert solution.is_file(), (
        f"{nbs.relative(lesson, ROOT)} has no solution; lessons are generated from"
        f" {nbs.SOLUTIONS}/, so add {nbs.relative(solution, ROOT)} or delete the lesson"
    )


@pytest.mark.parametrize("solution", SOLUTIONS, ids=_ids(SOLUTIONS))
def test_lesson_is_current(solution):
    lesson = ROOT / nbs.LESSONS / solution.name
    if not lesson.is_file():
        pytest.skip("no lesson (test_solution_has_a_lesson fails)")
    expected = make_lessons.make_lesson(nbs.read(solution), solution.stem)
    assert make_lessons.lesson_is_current(solution, lesson), (
        f"{nbs.relative(lesson, ROOT)} is out of date with {nbs.relative(solution, ROOT)}"
        f" ({_first_difference(expected, nbs.read(lesson))}): {REGENERATE}"
    )


@pytest.mark.parametrize("solution", SOLUTIONS, ids=_ids(SOLUTIONS))
def test_solution_markers_are_balanced(solution):
    try:
        blocks = make_lessons.solution_blocks(nbs.read(solution), nbs.relative(solution, ROOT))
    except make_lessons.MarkerError as error:
        pytest.fail(str(error))
    assert blocks > 0, f"{nbs.relative(solution, ROOT)} has no ### BEGIN SOLUTION block: no exercise"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=_ids(SOLUTIONS))
def test_solution_was_run_top_to_bottom(solution):
    """Every code cell has an execution count, numbered 1, 2, 3... in order: one fresh run."""
    nb = nbs.read(solution)
    counts = [
        (index + 1, cell.execution_count)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and cell.source.strip()
        and "skip-execution" not in cell.metadata.get("tags", [])
    ]
    expected = list(range(1, len(counts) + 1))
    assert [count for _, count in counts] == expected, (
        f"{nbs.relative(solution, ROOT)} was not run top to bottom in one fresh kernel"
        f" (cell, execution count: {counts}); run `python scripts/run_solutions.py {solution.stem}`"
    )


@pytest.mark.parametrize("solution", SOLUTIONS, ids=_ids(SOLUTIONS))
def test_solution_stores_no_errors(solution):
    nb = nbs.read(solution)
    errors = [
        index + 1
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and "raises-exception" not in cell.metadata.get("tags", [])
        and any(output.output_type == "error" for output in cell.outputs)
    ]
    assert not errors, f"{nbs.relative(solution, ROOT)} stores an error output in cells {errors}"


@pytest.mark.parametrize("lesson", LESSONS, ids=_ids(LESSONS))
def test_lesson_stores_no_outputs(lesson):
    nb = nbs.read(lesson)
    dirty = [
        index + 1
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{nbs.relative(lesson, ROOT)} stores outputs in cells {dirty}: {REGENERATE}"
    assert "widgets" not in nb.metadata, f"{nbs.relative(lesson, ROOT)} stores widget state: {REGENERATE}"


@pytest.mark.parametrize("lesson", LESSONS, ids=_ids(LESSONS))
def test_lesson_names_its_lesson(lesson):
    """The grader reads metadata.course.lesson."""
    assert nbs.read(lesson).metadata.get("course") == nbs.course_info(lesson.stem), REGENERATE


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_does_not_edit_sys_path(notebook):
    nb = nbs.read(notebook)
    offending = [
        index + 1 for index, cell in enumerate(nb.cells) if cell.cell_type == "code" and SYS_PATH.search(cell.source)
    ]
    assert not offending, (
        f"{nbs.relative(notebook, ROOT)} uses sys.path in cells {offending}; notebooks import `checks`"
        " and `backprop_tools` as installed packages (pip install -r requirements.txt)"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_kernel_is_python3(notebook):
    kernelspec = nbs.read(notebook).metadata.get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"{nbs.relative(notebook, ROOT)} kernelspec is {kernelspec}"


def _first_difference(expected, actual) -> str:
    """Where two notebooks first differ, in words, to help whoever reads the failure."""
    if len(expected.cells) != len(actual.cells):
        return f"{len(actual.cells)} cells instead of {len(expected.cells)}"
    for index, (want, have) in enumerate(zip(expected.cells, actual.cells)):
        for key in ("cell_type", "source", "metadata", "outputs", "execution_count", "id"):
            if want.get(key) != have.get(key):
                return f"cell {index + 1} differs in {key}"
    if expected.metadata != actual.metadata:
        return "the notebook metadata differs"
    return "the file's formatting differs"
