"""Every lesson, run in this process: the solution's answers pass every check it calls (strict mode, so a
failing check raises and names itself), the checks include each graded exercise of that lesson, and the
blank lesson runs top to bottom with the same checks, each saying "not attempted"."""
from pathlib import Path

import pytest

from checks.engine.catalog import all_exercises
from tests.notebook_answers import ROOT, run_notebook

NAMES = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))


def called_checks(results):
    return [r.exercise for r in results]


@pytest.mark.parametrize("name", NAMES)
def test_the_solution_passes_every_check_including_the_graded_ones(name, monkeypatch):
    monkeypatch.setenv("BACKPROP_STRICT", "1")
    results, _ = run_notebook(f"solutions/{name}")
    lesson = f"lesson{Path(name).name[:2]}"
    graded = {e.id for e in all_exercises(graded_only=True) if e.lesson == lesson}
    assert graded and graded <= set(called_checks(results)), (graded, called_checks(results))
    assert all(r.passed for r in results)


@pytest.mark.parametrize("name", NAMES)
def test_the_blank_lesson_runs_and_its_checks_are_not_attempted(name):
    solution, _ = run_notebook(f"solutions/{name}")
    lesson, _ = run_notebook(f"lessons/{name}")
    assert called_checks(lesson) == called_checks(solution)
    assert all(r.outcome == "not_attempted" for r in lesson), [str(r) for r in lesson if r.outcome != "not_attempted"]
