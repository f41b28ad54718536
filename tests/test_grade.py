"""The grading command, end to end: one run of `python -m checks.grade` over a folder holding every
case of issue 5 (right, blank, partly wrong, cheating, broken), then many assertions on its CSV and
feedback. The submissions are generated here, into a temporary folder, from the real solution and
lesson notebooks."""
from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from tests.submissions_util import write as _write

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_03 = ROOT / "solutions" / "03_batched_dense.ipynb"
LESSON_03 = ROOT / "lessons" / "03_batched_dense.ipynb"
SOLUTION_06 = ROOT / "solutions" / "06_layer_classes.ipynb"
SOLUTION_04 = ROOT / "solutions" / "04_relu_backward.ipynb"

pytestmark = pytest.mark.skipif(not (SOLUTION_03.exists() and LESSON_03.exists()), reason="lesson 3 not written yet")

COURSE_03 = {"lesson": "lesson03", "notebook": "03_batched_dense", "source": "solutions/03_batched_dense.ipynb"}


def _read(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(str(path), as_version=4)
    nb.metadata.setdefault("course", dict(COURSE_03) if "03_" in path.name else {})
    return nb


def _with_function(source: str) -> nbformat.NotebookNode:
    """The lesson-3 solution with its `dense_backward` cell replaced by `source`."""
    nb = _read(SOLUTION_03)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("def dense_backward"))
    cell.source = textwrap.dedent(source).strip()
    return nb


def _blank_plus(*sources: str) -> nbformat.NotebookNode:
    """The blank lesson 3 with code cells appended."""
    nb = _read(LESSON_03)
    nb.cells += [nbformat.v4.new_code_cell(textwrap.dedent(s).strip()) for s in sources]
    return nb


RIGHT_BODY = """
    dinputs = dvalues @ weights.T
    dweights = inputs.T @ dvalues
    dbiases = np.sum(dvalues, axis=0, keepdims=True)
"""


def make_submissions(folder: Path) -> dict[str, str]:
    """Write every case into `folder`; returns {relative path: expected status}."""
    cases = {}

    def add(name, content, status="graded"):
        _write(folder, name, content)
        cases[name] = status

    # Right, blank and wrong answers. Names are deliberately unlike the lesson's: the lesson comes
    # from the metadata.
    add("alice/submission.ipynb", _read(SOLUTION_03))
    add("bob/03_batched_dense.ipynb", _read(LESSON_03))
    add("carol/mine.ipynb", _with_function("""
        def dense_backward(dvalues, inputs, weights):
            return dvalues @ weights.T, dvalues.T @ inputs, np.sum(dvalues, axis=0, keepdims=True)
    """))
    if SOLUTION_06.exists():
        nb = _read(SOLUTION_06)
        cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("class Activation_ReLU"))
        cell.source = cell.source.replace("self.dinputs = dvalues.copy()", "self.dinputs = dvalues")
        add("dave/06_layer_classes.ipynb", nb)  # ReLU modifies dvalues: loses exactly that exercise
    if SOLUTION_04.exists():
        add("erin/04_relu_backward.ipynb", _read(SOLUTION_04))  # another lesson's notebook

    # Cheating: none of these may score.
    add("cheat/monkeypatch.ipynb", _blank_plus("""
        import sys, types
        import checks, checks.engine.exercise as engine, checks.lesson03 as lesson
        from checks.engine.result import Result
        fake = lambda *args, **kwargs: Result("lesson03.dense_backward", "correct", "Well done.")
        lesson.dense_backward = fake
        engine.evaluate = fake
        engine.Exercise.check = property(lambda self: fake)
        for info in engine.REGISTRY.values():
            info.check, info.graded = fake, True
        sys.modules["checks.lesson03"] = types.SimpleNamespace(dense_backward=fake, hint=fake)
        Result.passed = property(lambda self: True)
        check = sys.modules["checks.lesson03"]
    """, "check.dense_backward(dense_backward)"))
    add("cheat/rigged_eq.ipynb", _with_function("""
        class Anything(np.ndarray):
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __array__(self, dtype=None, copy=None): return np.zeros((1, 1))
        class Always:
            shape = property(lambda self: (1, 1))
            def __eq__(self, other): return True
            def __float__(self): return 0.0
        def dense_backward(dvalues, inputs, weights):
            return np.zeros((1, 1)).view(Anything), Always(), Always()
    """))
    nb = _blank_plus('print("✔ Correct: dense_backward\\nAll three gradients match.")')
    check_cell = next(c for c in nb.cells if c.cell_type == "code" and "check.dense_backward" in c.source)
    check_cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/plain": "✔ Correct: dense_backward\nWell done.",
                              "text/html": "<b>✔ Correct: dense_backward</b>"})]
    add("cheat/fake_message.ipynb", nb)
    add("cheat/detects_grading.ipynb", _with_function("""
        import inspect, os, sys
        def dense_backward(dvalues, inputs, weights):
            grading = (os.environ.get("BACKPROP_PROGRESS") == "off" or "grade" in " ".join(sys.argv)
                       or any("grading" in name for name in sys.modules) or "grade" in os.getcwd())
            if grading:  # look for the checker's expected answer up the stack, then give up
                for frame in inspect.stack():
                    for name in ("expected", "wanted"):
                        if name in frame.frame.f_locals:
                            return frame.frame.f_locals[name]
                return np.zeros((len(dvalues), len(weights))), np.zeros(weights.shape), np.zeros((1, weights.shape[1]))
            raise NotImplementedError
    """))
    add("cheat/hardcoded.ipynb", _with_function("""
        _example = (np.array([[1., 1., 1.], [2., 2., 2.], [3., 3., 3.]]),)
        def dense_backward(dvalues, inputs, weights, _answer={}):
            if not _answer:  # the answer for the lesson's example, computed once and then always returned
                _answer["v"] = (dvalues @ weights.T, inputs.T @ dvalues, np.sum(dvalues, axis=0, keepdims=True))
            return _answer["v"]
    """))

    # Broken: each gets a status, none stops the run.
    add("broken/syntax_error.ipynb", _with_function("""
        def dense_backward(dvalues, inputs, weights)
            return dvalues
    """))
    add("broken/loops_forever.ipynb", _blank_plus("while True:\n    pass"), "timeout")
    add("broken/slow_function.ipynb", _with_function("""
        def dense_backward(dvalues, inputs, weights):
            while True:
                pass
    """))
    add("broken/exits.ipynb", _blank_plus("import os\nos._exit(1)"), "error: kernel died")
    add("broken/exits_when_called.ipynb", _with_function("""
        import os, sys
        def dense_backward(dvalues, inputs, weights):
            if "_backprop_grading_agent" in sys.modules:  # only once the notebook's cells have run
                os._exit(3)
            raise NotImplementedError
    """), "error: kernel died")
    add("broken/memory.ipynb", _blank_plus("junk = []\nwhile True:\n    junk.append(bytearray(50_000_000))"),
        "error: out of memory")
    add("broken/invalid.ipynb", '{"cells": [', "error: invalid JSON")
    add("broken/not_a_notebook.ipynb", '{"hello": "world"}', "error: not a notebook")
    add("broken/empty.ipynb", "", "error: empty file")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(1)")]
    add("broken/notes.ipynb", nb, "error: no lesson")
    # Jupyter's autosaves are not submissions.
    _write(folder, "alice/.ipynb_checkpoints/submission-checkpoint.ipynb", _read(SOLUTION_03))
    return cases


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One grading run over every case; returns (rows by notebook, cases, feedback folder, run, paths)."""
    base = tmp_path_factory.mktemp("grading")
    submissions = base / "submissions"
    cases = {str(Path("submissions") / k): v for k, v in make_submissions(submissions).items()}
    for folder in ("solutions", "lessons"):  # every lesson of the course, right and blank
        for notebook in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            _write(submissions, f"course/{folder}/{notebook.name}", notebook.read_text(encoding="utf-8"))
            cases[str(Path("submissions") / "course" / folder / notebook.name)] = "graded"
    explicit = _write(base, "by_email.txt", nbformat.writes(_read(SOLUTION_03)))  # named explicitly: graded
    cases["by_email.txt"] = "graded"
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in base.rglob("*") if p.is_file()}
    progress = base / "instructor-progress.json"
    env = dict(os.environ, BACKPROP_PROGRESS_FILE=str(progress), BACKPROP_STRICT="1", BACKPROP_PROGRESS="on")
    run = subprocess.run(
        [sys.executable, "-m", "checks.grade", "submissions", explicit.name, "--out", "out/grades.csv",
         "--cell-timeout", "8", "--notebook-timeout", "60", "--memory-mb", "1024"],
        cwd=base, env=env, capture_output=True, text=True, timeout=600,
    )
    with open(base / "out" / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {
        "rows": {r["notebook"]: r for r in rows}, "order": [r["notebook"] for r in rows], "cases": cases,
        "feedback": base / "out" / "grades_feedback", "run": run, "base": base, "digests": digests,
        "progress": progress, "header": list(rows[0].keys()) if rows else [],
    }


def _score(graded, name):
    return int(graded["rows"][name]["score"])


def test_command_succeeds_with_one_row_per_submission(graded):
    assert graded["run"].returncode == 0, graded["run"].stderr
    assert sorted(graded["rows"]) == sorted(graded["cases"])
    assert graded["order"] == sorted(graded["order"])
    assert not any(".ipynb_checkpoints" in name for name in graded["rows"])


def test_every_status_is_as_expected(graded):
    statuses = {name: graded["rows"][name]["status"] for name in graded["cases"]}
    assert statuses == graded["cases"]


def test_columns(graded):
    header = graded["header"]
    assert header[:5] == ["notebook", "student", "lesson", "status", "runs"] and header[-3:] == ["score", "max_score", "percent"]
    assert "lesson03.dense_backward" in header
    if SOLUTION_06.exists():
        assert {"lesson06.Layer_Dense", "lesson06.Activation_ReLU", "lesson06.Optimizer_SGD"} <= set(header)
        # an exercise outside a row's lesson is left empty
        assert graded["rows"]["submissions/alice/submission.ipynb"]["lesson06.Layer_Dense"] == ""


def test_runs_counts_the_kernels_a_notebook_was_run_in(graded):
    """1 for a notebook graded on its first run, 2 when its kernel died and it was run again (and died
    again), empty when it never reached a kernel."""
    runs = {name: row["runs"] for name, row in graded["rows"].items()}
    died = {name for name, status in graded["cases"].items() if status == "error: kernel died"}
    never = {name for name, status in graded["cases"].items()
             if status in ("error: invalid JSON", "error: not a notebook", "error: empty file", "error: no lesson")}
    assert died and never
    assert {runs[name] for name in died} == {"2"}
    assert {runs[name] for name in never} == {""}
    assert {runs[name] for name in graded["cases"] if name not in died | never} == {"1"}


def test_full_solution_scores_everything(graded):
    for name in ("submissions/alice/submission.ipynb", "by_email.txt"):
        row = graded["rows"][name]
        assert (row["lesson"], row["lesson03.dense_backward"], row["score"], row["max_score"], row["percent"]) == (
            "lesson03", "3", "3", "3", "100")  # dinputs, dweights, dbiases: a point each


def test_every_solution_scores_every_exercise_of_its_lesson(graded):
    from checks.grade.judge import graded_exercises

    solutions = sorted(n for n in graded["rows"] if "/course/solutions/" in n)
    assert len(solutions) == len(list((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")))
    for name in solutions:
        row = graded["rows"][name]
        expected = sum(e.max_points for e in graded_exercises(row["lesson"]))
        assert expected > 0 and int(row["score"]) == int(row["max_score"]) == expected, (name, row)
        assert row["percent"] == "100", (name, row)


def test_every_blank_lesson_scores_zero_and_says_not_attempted(graded):
    lessons = sorted(n for n in graded["rows"] if "/course/lessons/" in n)
    assert lessons
    for name in lessons:
        assert (graded["rows"][name]["status"], graded["rows"][name]["score"], graded["rows"][name]["percent"]) == (
            "graded", "0", "0"), name
        text = (graded["feedback"] / Path(name).with_suffix(".md")).read_text(encoding="utf-8")
        assert "## … Not attempted yet" in text and "## ✘" not in text and "## ⚠" not in text, name


def test_blank_lesson_scores_zero_and_is_graded(graded):
    row = graded["rows"]["submissions/bob/03_batched_dense.ipynb"]
    assert (row["status"], row["lesson03.dense_backward"], row["score"]) == ("graded", "0", "0")
    text = (graded["feedback"] / "submissions/bob/03_batched_dense.md").read_text(encoding="utf-8")
    assert "Not attempted yet: dense_backward" in text


def test_a_wrong_gradient_costs_that_part_with_the_learners_diagnosis(graded):
    row = graded["rows"]["submissions/carol/mine.ipynb"]  # dweights transposed; dinputs and dbiases right
    assert (row["lesson03.dense_backward"], row["score"], row["max_score"], row["percent"]) == ("2", "2", "3", "66.7")
    text = (graded["feedback"] / "submissions/carol/mine.md").read_text(encoding="utf-8")
    assert "Not yet right: dense_backward" in text and "dweights" in text and "transpose" in text
    assert "Points: 2 of 3 (right: dinputs, dbiases; not yet: dweights)" in text


@pytest.mark.skipif(not SOLUTION_06.exists(), reason="lesson 6 not written yet")
def test_partly_wrong_loses_exactly_what_it_got_wrong(graded):
    row = graded["rows"]["submissions/dave/06_layer_classes.ipynb"]
    # Layer_Dense: __init__, forward, backward; Activation_ReLU: forward right, backward modifies dvalues
    assert (row["lesson06.Layer_Dense"], row["lesson06.Activation_ReLU"], row["lesson06.Optimizer_SGD"]) == ("3", "1", "1")
    assert (row["score"], row["max_score"]) == ("5", "6")
    text = (graded["feedback"] / "submissions/dave/06_layer_classes.md").read_text(encoding="utf-8")
    assert "changed the caller's dvalues" in text


@pytest.mark.skipif(not SOLUTION_04.exists(), reason="lesson 4 not written yet")
def test_another_lessons_notebook_is_graded_as_its_lesson(graded):
    row = graded["rows"]["submissions/erin/04_relu_backward.ipynb"]
    assert (row["lesson"], row["status"], row["lesson04.relu_backward"], row["lesson03.dense_backward"]) == (
        "lesson04", "graded", "1", "")


@pytest.mark.parametrize("name", ["monkeypatch", "rigged_eq", "fake_message", "detects_grading", "hardcoded"])
def test_cheating_gains_nothing(graded, name):
    row = graded["rows"][f"submissions/cheat/{name}.ipynb"]
    assert (row["status"], row["score"], row["lesson03.dense_backward"]) == ("graded", "0", "0")


def test_a_syntax_error_is_a_cell_that_raised(graded):
    assert _score(graded, "submissions/broken/syntax_error.ipynb") == 0


def test_a_function_that_never_returns_is_stopped(graded):
    assert _score(graded, "submissions/broken/slow_function.ipynb") == 0
    text = (graded["feedback"] / "submissions/broken/slow_function.md").read_text(encoding="utf-8")
    assert "stopped after 2 s" in text


@pytest.mark.parametrize("name", ["loops_forever", "exits", "exits_when_called", "memory", "invalid",
                                  "not_a_notebook", "empty", "notes"])
def test_broken_submissions_score_zero_with_a_reason(graded, name):
    row = graded["rows"][f"submissions/broken/{name}.ipynb"]
    assert row["score"] == "0" and row["status"] != "graded"
    assert all(row[c] in ("0", "") for c in graded["header"][5:-3])
    assert row["percent"] == "0" and row["max_score"] == ("3" if row["lesson"] == "lesson03" else "")
    text = (graded["feedback"] / f"submissions/broken/{name}.md").read_text(encoding="utf-8")
    assert row["status"] in text


def test_a_kernel_that_dies_during_the_checks_is_reported(graded):
    text = (graded["feedback"] / "submissions/broken/exits_when_called.md").read_text(encoding="utf-8")
    assert "While the checks ran your code, the kernel stopped" in text


def test_submissions_are_never_modified(graded):
    for path, digest in graded["digests"].items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, path


def test_grading_leaves_the_instructors_progress_file_alone(graded):
    assert not graded["progress"].exists()


def test_feedback_mirrors_the_submissions(graded):
    written = sorted(str(p.relative_to(graded["feedback"])) for p in graded["feedback"].rglob("*.md"))
    expected = sorted(str(Path(n).with_suffix(".md")) for n in graded["cases"])
    assert written == expected
