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
    lesson_6, lesson_3 = base / "lesson6", base / "lesson3"
    lesson_6.mkdir(), lesson_3.mkdir()
    zips = {"lesson6": _bundle(lesson_6, "lesson06"), "lesson3": _bundle(lesson_3, "3")}
    cases = {
        "solution": (lesson_3, {"03_batched_dense.ipynb": subs.notebook("solutions/03_batched_dense.ipynb")}),
        "blank": (lesson_3, {"03_batched_dense.ipynb": subs.notebook("lessons/03_batched_dense.ipynb")}),
        "partly_wrong": (lesson_6, {"06_layer_classes.ipynb": _wrong_relu_lesson_6()}),
        "broken": (lesson_3, {"03_batched_dense.ipynb": '{"cells": [ truncated'}),
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
        # an exercise's points: one per part its check judges apart (lesson 3's three gradients), else 1
        assert test["max_score"] in (1.0, 2.0, 3.0) and test["score"] in range(int(test["max_score"]) + 1)
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
    with zipfile.ZipFile(runs["zips"]["lesson6"]) as archive:
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
    assert "--lesson lesson06" in script
    with zipfile.ZipFile(runs["zips"]["lesson3"]) as archive:
        assert "--lesson lesson03" in archive.read("run_autograder").decode()


def test_solution_scores_full_marks_with_the_checks_feedback(runs):
    results = _result(runs, "solution")
    (test,) = results["tests"]
    assert (results["score"], test["score"], test["max_score"], test["status"]) == (3.0, 3.0, 3.0, "passed")
    assert test["name"].startswith("dense_backward")
    assert test["output"].startswith("✔ Correct") and "gradients match" in test["output"]
    assert results["output"].startswith("Score: 3 of 3.")


def test_blank_lesson_scores_zero_and_says_not_attempted(runs):
    results = _result(runs, "blank")
    (test,) = results["tests"]
    assert (results["score"], test["score"], test["status"]) == (0.0, 0.0, "failed")
    assert test["output"].startswith("… Not attempted yet")


def test_partly_wrong_submission_loses_exactly_the_wrong_exercise(runs):
    results = _result(runs, "partly_wrong")
    scores = {t["name"].split(":")[0]: t["score"] for t in results["tests"]}
    # Layer_Dense: __init__, forward, backward; Activation_ReLU: its forward is right, its backward is not
    assert scores == {"Layer_Dense": 3.0, "Activation_ReLU": 1.0, "Optimizer_SGD": 1.0}
    assert results["score"] == 5.0 and results["output"].startswith("Score: 5 of 6.")
    relu = next(t for t in results["tests"] if t["name"].startswith("Activation_ReLU"))
    assert relu["output"].startswith("✘ Not yet right") and "dvalues" in relu["output"]
    assert (relu["max_score"], relu["status"]) == (2.0, "failed")
    assert relu["output"].endswith("Parts right: forward (1 of 2 points).")


def test_broken_notebook_scores_zero_and_says_why(runs):
    results = _result(runs, "broken")
    (test,) = results["tests"]  # the assignment's exercise, at 0
    assert (results["score"], test["score"], test["max_score"]) == (0.0, 0.0, 3.0)
    assert "could not be graded (error: invalid JSON)" in results["output"]


def test_with_the_assignments_lesson_a_broken_notebook_still_lists_its_exercises(runs):
    results = _result(runs, "broken_lesson3")
    (test,) = results["tests"]
    assert (results["score"], test["score"], test["max_score"]) == (0.0, 0.0, 3.0)
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


# ---- results.json from made-up grades: no kernels ----

def _grade(name, lesson, results, status="graded", cell_errors=()):
    from checks.engine.result import Result
    from checks.grade.grade_one import Grade

    built = {e: Result(e, *r) for e, r in results.items() if r is not None}
    return Grade(name, lesson, status, "A cell ran past the time limit." if status == "timeout" else "",
                 list(results), built, cell_errors=list(cell_errors))


SIX = ("lesson06.Layer_Dense", "lesson06.Activation_ReLU", "lesson06.Optimizer_SGD")


def test_another_lessons_notebook_scores_zero_of_the_assignments_total():
    from checks.grade import gradescope

    results = _valid(gradescope.results([_grade("06_layer_classes.ipynb", "lesson06", {e: ("correct", "ok") for e in SIX})],
                                        "lesson03"))
    assert results["score"] == 0.0 and [t["name"].split(":")[0] for t in results["tests"]] == ["dense_backward"]
    assert "06_layer_classes.ipynb is lesson06; this assignment is lesson03" in results["output"]


def test_of_several_notebooks_the_best_of_the_lesson_counts_and_the_output_says_which():
    from checks.grade import gradescope

    worse = _grade("draft.ipynb", "lesson06", {SIX[0]: ("correct", "ok"), SIX[1]: ("incorrect", "no"), SIX[2]: ("incorrect", "no")})
    better = _grade("final.ipynb", "lesson06", {SIX[0]: ("correct", "ok"), SIX[1]: ("correct", "ok"), SIX[2]: ("incorrect", "no")})
    other = _grade("03.ipynb", "lesson03", {"lesson03.dense_backward": ("correct", "ok")})
    results = _valid(gradescope.results([worse, better, other], "lesson06"))
    assert results["score"] == 5.0 and "final.ipynb is the one scored" in results["output"]  # 3 + 2 + 0


def test_a_timeout_and_a_kernel_that_stopped_midway_score_what_they_earned_and_say_why():
    from checks.grade import gradescope

    stopped = _grade("06.ipynb", "lesson06", {SIX[0]: ("correct", "ok"), SIX[1]: None, SIX[2]: None},
                     cell_errors=["code cell 4: NameError: name 'x' is not defined"])
    results = _valid(gradescope.results([stopped], "lesson06"))
    assert results["score"] == 3.0 and [t["max_score"] for t in results["tests"]] == [3.0, 2.0, 1.0]
    assert [t["output"] for t in results["tests"][1:]] == ["The kernel stopped before this exercise could be checked."] * 2
    assert "code cell 4: NameError" in results["output"]
    timed_out = _valid(gradescope.results([_grade("06.ipynb", "lesson06", {e: None for e in SIX}, "timeout")], None))
    assert timed_out["score"] == 0.0 and len(timed_out["tests"]) == 3
    assert "could not be graded (timeout). A cell ran past the time limit." in timed_out["output"]


def test_the_output_says_what_happened_while_grading_but_not_the_instructors_sandbox_warning():
    from checks.grade import gradescope
    from checks.grade.sandbox import NO_SANDBOX_WARNING

    again = _grade("06.ipynb", "lesson06", {e: ("correct", "ok") for e in SIX})
    again.runs = 2
    again.warnings = [NO_SANDBOX_WARNING, "Grading's first attempt ended early: the kernel stopped. So the "
                      "notebook was run again in a fresh kernel and graded on that second run."]
    results = _valid(gradescope.results([again], "lesson06"))
    assert results["score"] == 6.0
    assert "graded on that second run" in results["output"] and "--no-sandbox" not in results["output"]


def _dense(parts_right, outcome="incorrect"):
    from checks.engine.result import Result

    parts = tuple((name, name in parts_right) for name in ("dinputs", "dweights", "dbiases"))
    return Result("lesson03.dense_backward", outcome, "dbiases is not right.", "dbiases", "missing_keepdims", parts=parts)


def test_a_tests_points_follow_the_parts_and_whole_exercises_keeps_all_or_nothing():
    from checks.grade import gradescope
    from checks.grade.grade_one import Grade

    def graded():
        return [Grade("03.ipynb", "lesson03", exercises=["lesson03.dense_backward"],
                      results={"lesson03.dense_backward": _dense({"dinputs", "dweights"})})]

    results = _valid(gradescope.results(graded(), "lesson03"))
    (test,) = results["tests"]
    assert (results["score"], test["score"], test["max_score"], test["status"]) == (2.0, 2.0, 3.0, "failed")
    assert test["output"].endswith("Parts right: dinputs, dweights (2 of 3 points).")
    assert results["output"].startswith("Score: 2 of 3.")
    whole = _valid(gradescope.results(graded(), "lesson03", whole_exercises=True))
    (test,) = whole["tests"]
    assert (whole["score"], test["score"], test["max_score"]) == (0.0, 0.0, 1.0)
    assert "Parts right" not in test["output"] and whole["output"].startswith("Score: 0 of 1.")


def test_the_bundle_passes_whole_exercises_on():
    from checks.grade import gradescope_bundle

    assert "--lesson lesson03 --whole-exercises" in gradescope_bundle.run_autograder_script("lesson03", True)
    assert "--whole-exercises" not in gradescope_bundle.run_autograder_script("lesson03")


def test_lesson_names_are_normalised_and_unknown_ones_refused():
    from checks.grade.gradescope import normalise_lesson

    assert normalise_lesson("3") == normalise_lesson("03") == normalise_lesson("lesson3") == "lesson03"
    assert normalise_lesson(None) is None
    for wrong in ("three", "lesson99", ""):
        with pytest.raises(ValueError):
            normalise_lesson(wrong)
