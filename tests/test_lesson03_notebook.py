"""Lesson 3's notebooks: the solution's answers pass every check; the blank lesson's checks say "not attempted"."""
from tests.notebook_answers import check_results

CHECKED = ["dinputs", "dweights", "dbiases", "dense_backward"]


def test_the_solution_passes_every_check(monkeypatch):
    monkeypatch.setenv("BACKPROP_STRICT", "1")  # a failing check raises, naming itself
    results = check_results("solutions/03_batched_dense.ipynb")
    assert [r.exercise.split(".")[1] for r in results] == CHECKED
    assert all(r.passed for r in results)


def test_the_blank_lesson_runs_and_its_checks_are_not_attempted():
    results = check_results("lessons/03_batched_dense.ipynb")
    assert [r.exercise.split(".")[1] for r in results] == CHECKED
    assert all(r.outcome == "not_attempted" for r in results), [str(r) for r in results]
