"""The Gradescope autograder (issue 11, part 3): the bundle `python -m checks.grade --gradescope-autograder`
writes, and its `run_autograder` run against temporary folders laid out like /autograder
(BACKPROP_AUTOGRADER_ROOT), on a solution, a blank lesson, a partly wrong submission, a broken one and an
empty submission. Each results.json is checked against Gradescope's documented format, and its scores."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests import submissions_util as subs

# Gradescope's documented keys ("Autograder Specifications", output format).
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}
VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def _wrong_relu_lesson_6():
    nb = subs.notebook("solutions/06_layer_classes.ipynb")
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("class Activation_ReLU"))
    cell.source = cell.source.replace("self.dinputs = dvalues.copy()", "self.dinputs = dvalues")  # modifies dvalues
    return nb


def _bundle(folder: Path, *lesson: str) -> Path:
    """Export a bundle and unpack it as Gradescope would, into folder/source."""
    zip_path = folder / "autograder.zip"
    extra = ["--gradescope-lesson", *lesson] if lesson else []
    run = subprocess.run([sys.executable, "-m", "checks.grade", "--gradescope-autograder", str(zip_path), *extra],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder / "source")
    return zip_path


def _start(source: Path, root: Path, submission: dict) -> subprocess.Popen:
    """Lay out `root` like /autograder (source, submission) and start run_autograder on it."""
    (root / "submission").mkdir(parents=True)
    os.symlink(source, root / "source")
    for name, content in submission.items():
        subs.write(root / "submission", name, content)
    env = dict(os.environ, BACKPROP_AUTOGRADER_ROOT=str(root), BACKPROP_AUTOGRADER_PYTHON=sys.executable,
               BACKPROP_PROGRESS_FILE=str(root / "instructor-progress.json"))
    return subprocess.Popen(["bash", str(source / "run_autograder")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("gradescope")
    any_lesson, lesson_3 = base / "any", base / "lesson3"
    any_lesson.mkdir(), lesson_3.mkdir()
    zips = {"any": _bundle(any_lesson), "lesson3": _bundle(lesson_3, "3")}
    cases = {
        "solution": (any_lesson, {"03_batched_dense.ipynb": subs.notebook("solutions/03_batched_dense.ipynb")}),
        "blank": (any_lesson, {"03_batched_dense.ipynb": subs.notebook("lessons/03_batched_dense.ipynb")}),
        "partly_wrong": (any_lesson, {"06_layer_classes.ipynb": _wrong_relu_lesson_6()}),
        "broken": (any_lesson, {"03_batched_dense.ipynb": '{"cells": [ truncated'}),
        "broken_lesson3": (lesson_3, {"mine.ipynb": ""}),
        "nothing_lesson3": (lesson_3, {"notes.txt": "I forgot the notebook"}),
    }
    found = {}
    for group in (("solution", "blank"), ("partly_wrong", "broken", "broken_lesson3", "nothing_lesson3")):
        started = {name: _start(cases[name][0] / "source", base / name, cases[name][1]) for name in group}
        for name, process in started.items():
            stdout, stderr = process.communicate(timeout=300)
            path = base / name / "results" / "results.json"
            found[name] = {"returncode": process.returncode, "stderr": stderr, "stdout": stdout,
                           "results": json.loads(path.read_text(encoding="utf-8")) if path.exists() else None}
    found["zips"] = zips
    return found


def _valid(results: dict) -> dict:
    """Assert Gradescope's structure; returns the results for further checks."""
    assert isinstance(results, dict) and set(results) <= TOP_KEYS
    assert isinstance(results["score"], (int, float)) and not isinstance(results["score"], bool)
    assert isinstance(results["output"], str) and results["output_format"] in FORMATS
    assert results["visibility"] in VISIBILITY and results["stdout_visibility"] in VISIBILITY
    assert isinstance(results["execution_time"], int) and results["execution_time"] >= 0
    assert isinstance(results["tests"], list)
    for test in results["tests"]:
        assert set(test) <= TEST_KEYS and {"name", "score", "max_score", "output"} <= set(test)
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["output"], str) and test["output"]
        assert test["score"] in (0.0, 1.0) and test["max_score"] == 1.0
        assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
        assert test["output_format"] in FORMATS and test["visibility"] in VISIBILITY
    assert results["score"] == sum(t["score"] for t in results["tests"])
    return results


def _result(runs, name):
    run = runs[name]
    assert run["returncode"] == 0, run["stderr"]
    assert run["results"] is not None, run["stderr"]
    return _valid(run["results"])


def test_bundle_contents(runs):
    with zipfile.ZipFile(runs["zips"]["any"]) as archive:
        names = archive.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
        requirements = archive.read("requirements.txt").decode()
        script = archive.read("run_autograder").decode()
    assert names[:2] == ["setup.sh", "run_autograder"]
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert requirements == (subs.ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert {"pyproject.toml", "checks/__init__.py", "checks/grade/gradescope.py", "checks/lesson03.py",
            "backprop_tools/__init__.py"} <= set(names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "--lesson" not in script
    with zipfile.ZipFile(runs["zips"]["lesson3"]) as archive:
        assert "--lesson lesson03" in archive.read("run_autograder").decode()


def test_solution_scores_full_marks_with_the_checks_feedback(runs):
    results = _result(runs, "solution")
    (test,) = results["tests"]
    assert (results["score"], test["score"], test["status"]) == (1.0, 1.0, "passed")
    assert test["name"].startswith("dense_backward")
    assert test["output"].startswith("✔ Correct") and "gradients match" in test["output"]
    assert results["output"].startswith("Score: 1 of 1.")


def test_blank_lesson_scores_zero_and_says_not_attempted(runs):
    results = _result(runs, "blank")
    (test,) = results["tests"]
    assert (results["score"], test["score"], test["status"]) == (0.0, 0.0, "failed")
    assert test["output"].startswith("… Not attempted yet")


def test_partly_wrong_submission_loses_exactly_the_wrong_exercise(runs):
    results = _result(runs, "partly_wrong")
    scores = {t["name"].split(":")[0]: t["score"] for t in results["tests"]}
    assert scores == {"Layer_Dense": 1.0, "Activation_ReLU": 0.0, "Optimizer_SGD": 1.0}
    assert results["score"] == 2.0
    relu = next(t for t in results["tests"] if t["name"].startswith("Activation_ReLU"))
    assert relu["output"].startswith("✘ Not yet right") and "dvalues" in relu["output"]


def test_broken_notebook_scores_zero_and_says_why(runs):
    results = _result(runs, "broken")
    assert results["score"] == 0.0 and results["tests"] == []  # no lesson known: no exercise to list
    assert "could not be graded (error: invalid JSON)" in results["output"]


def test_with_the_assignments_lesson_a_broken_notebook_still_lists_its_exercises(runs):
    results = _result(runs, "broken_lesson3")
    (test,) = results["tests"]
    assert (results["score"], test["score"], test["max_score"]) == (0.0, 0.0, 1.0)
    assert "could not be graded (error: empty file)" in results["output"]
    assert test["name"].startswith("dense_backward")


def test_a_submission_without_a_notebook_says_so(runs):
    results = _result(runs, "nothing_lesson3")
    assert results["score"] == 0.0 and len(results["tests"]) == 1
    assert "No notebook (.ipynb) was found" in results["output"]


def test_no_path_of_the_container_reaches_the_learner(runs):
    for name in ("solution", "blank", "partly_wrong", "broken", "broken_lesson3"):
        text = json.dumps(runs[name]["results"])
        assert "/tmp" not in text and str(subs.ROOT) not in text and "backprop-grade-" not in text


def test_results_fall_back_when_the_grader_cannot_start(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(subs.ROOT / "checks" / "grade" / "gradescope_files" / "run_autograder", source / "run_autograder")
    (tmp_path / "submission").mkdir()
    env = dict(os.environ, BACKPROP_AUTOGRADER_ROOT=str(tmp_path), BACKPROP_AUTOGRADER_PYTHON="/nonexistent/python")
    run = subprocess.run(["bash", str(source / "run_autograder")], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0
    results = _valid(dict(json.loads((tmp_path / "results" / "results.json").read_text()), output_format="text",
                          visibility="visible", stdout_visibility="hidden", execution_time=0))
    assert results["score"] == 0 and "autograder itself failed" in results["output"]
