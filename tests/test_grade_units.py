"""The grading command's parts that need no kernel: finding submissions, their lesson, the CSV,
learner errors carried across, and what the grader accepts from a kernel."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from checks.engine.learner import guarded_call
from checks.engine.result import Result
from checks.engine.verdict import Raised
from checks.grade import discover, report, wire
from checks.grade.grade_one import Grade
from checks.grade.proxies import raise_as_learner


def _touch(path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_folders_are_searched_recursively_skipping_checkpoints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _touch(tmp_path / "subs" / "b" / "03_x.ipynb")
    _touch(tmp_path / "subs" / "a" / "deep" / "01_y.ipynb")
    _touch(tmp_path / "subs" / "a" / ".ipynb_checkpoints" / "01_y-checkpoint.ipynb")
    _touch(tmp_path / "subs" / "notes.txt")
    _touch(tmp_path / "extra.json")
    found = discover.find(["subs", "extra.json", "subs/b/03_x.ipynb"])
    assert [s.shown for s in found] == [
        "extra.json", os.path.join("subs", "a", "deep", "01_y.ipynb"), os.path.join("subs", "b", "03_x.ipynb")]


def test_a_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(discover.NothingToGrade):
        discover.find([str(tmp_path / "nope")])
    run = subprocess.run([sys.executable, "-m", "checks.grade", str(tmp_path / "nope"), "--out",
                          str(tmp_path / "g.csv")], capture_output=True, text=True)
    assert run.returncode == 2 and "no such file" in run.stderr
    assert not (tmp_path / "g.csv").exists()


def test_feedback_paths_stay_inside_the_feedback_folder():
    assert str(discover.Submission(None, "/abs/../x/03.ipynb").relative) == "abs/x/03.ipynb"
    assert str(discover.Submission(None, "../up/a.ipynb").relative) == "up/a.ipynb"


@pytest.mark.parametrize("metadata, name, lesson", [
    ({"course": {"lesson": "lesson06"}}, "03_batched_dense.ipynb", "lesson06"),  # metadata wins
    ({}, "03_batched_dense.ipynb", "lesson03"),
    ({"course": {"lesson": 3}}, "7_x.ipynb", "lesson07"),
    ({"course": "lesson03"}, "mine.ipynb", None),
    ({}, "mine.ipynb", None),
])
def test_lesson_of_a_notebook(metadata, name, lesson):
    assert discover.lesson_of({"metadata": metadata}, name) == lesson


def test_csv_columns_are_the_union_and_empty_outside_a_rows_lesson():
    a = Grade("a.ipynb", "lesson03", exercises=["lesson03.dense_backward"], runs=1,
              results={"lesson03.dense_backward": Result("lesson03.dense_backward", "correct", "ok")})
    b = Grade("b.ipynb", "lesson04", exercises=["lesson04.relu_backward"], runs=2,
              results={"lesson04.relu_backward": Result("lesson04.relu_backward", "incorrect", "no")})
    c = Grade("c.ipynb", status="error: empty file", student="Jane Roe")
    lines = report.render([a, b, c]).splitlines()
    assert lines == [
        "notebook,student,lesson,status,runs,lesson03.dense_backward,lesson04.relu_backward,score,max_score,percent",
        "a.ipynb,,lesson03,graded,1,3,,3,3,100",
        "b.ipynb,,lesson04,graded,2,,0,0,1,0",
        "c.ipynb,Jane Roe,,error: empty file,,,,0,,0",
    ]


def test_course_order_is_by_lesson_then_the_lessons_own_order_with_unknown_exercises_in_their_lesson():
    given = ["lesson10.extra", "lesson04.relu_backward", "notes.x", "lesson03.dense_backward", "lesson03.zz_old",
             "lesson03.dinputs", "lesson04.relu_backward"]
    # lesson 3 defines dense_backward before its value check dinputs; zz_old is not in the course.
    assert report.in_course_order(given) == ["lesson03.dense_backward", "lesson03.dinputs", "lesson03.zz_old",
                                             "lesson04.relu_backward", "lesson10.extra", "notes.x"]


def _dense(parts_right, outcome="incorrect"):
    parts = tuple((name, name in parts_right) for name in ("dinputs", "dweights", "dbiases"))
    return Result("lesson03.dense_backward", outcome, "...", "dbiases", "missing_keepdims", parts=parts)


def test_a_check_that_judges_parts_gives_a_point_per_part_right():
    row = Grade("a.ipynb", "lesson03", exercises=["lesson03.dense_backward"], runs=1,
                results={"lesson03.dense_backward": _dense({"dinputs", "dweights"})})
    assert (row.points("lesson03.dense_backward"), row.max_points("lesson03.dense_backward")) == (2, 3)
    assert (row.score, row.max_score, row.percent) == (2, 3, 66.7)
    assert report.render([row]).splitlines()[1] == "a.ipynb,,lesson03,graded,1,2,2,3,66.7"


def test_whole_exercises_scores_one_point_only_when_all_is_right():
    partly = Grade("a.ipynb", "lesson03", exercises=["lesson03.dense_backward"], runs=1,
                   results={"lesson03.dense_backward": _dense({"dinputs", "dweights"})}, whole_exercises=True)
    right = Grade("b.ipynb", "lesson03", exercises=["lesson03.dense_backward"], runs=1,
                  results={"lesson03.dense_backward": _dense({"dinputs", "dweights", "dbiases"}, "correct")},
                  whole_exercises=True)
    assert (partly.score, partly.max_score, partly.percent) == (0, 1, 0.0)
    assert (right.score, right.max_score, right.percent) == (1, 1, 100.0)
    assert report.render([partly, right]).splitlines()[1:] == ["a.ipynb,,lesson03,graded,1,0,0,1,0",
                                                               "b.ipynb,,lesson03,graded,1,1,1,1,100"]


def test_a_status_other_than_graded_scores_nothing_of_the_lessons_maximum():
    row = Grade("a.ipynb", "lesson03", status="timeout", exercises=["lesson03.dense_backward"],
                results={"lesson03.dense_backward": _dense({"dinputs", "dweights", "dbiases"}, "correct")})
    assert (row.score, row.max_score, row.percent) == (0, 3, 0.0) and not row.passed("lesson03.dense_backward")


def test_points_of_every_graded_exercise():
    """The points table of the README, from the checks themselves."""
    from checks.engine.catalog import all_exercises

    points = {e.id: e.max_points for e in all_exercises(graded_only=True)}
    assert points == {
        "lesson01.neuron_backward": 3, "lesson02.layer_dinputs": 1, "lesson03.dense_backward": 3,
        "lesson04.relu_backward": 1, "lesson05.sgd_update": 2, "lesson06.Layer_Dense": 3,
        "lesson06.Activation_ReLU": 2, "lesson06.Optimizer_SGD": 1, "lesson07.numerical_gradient": 1,
        "lesson08.softmax_crossentropy_backward": 1, "lesson09.add": 1, "lesson09.mul": 1, "lesson09.relu": 1,
        "lesson09.pow": 1, "lesson09.backward": 1,
    }


def test_the_csv_is_replaced_atomically(tmp_path, monkeypatch):
    path = tmp_path / "grades.csv"
    report.write_atomically(str(path), "old\n")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(report.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.write_atomically(str(path), "new\n")
    assert path.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["grades.csv"]


def test_a_learners_error_reads_as_in_the_notebook():
    where = {"file": "/tmp/ipykernel_1/123.py", "line": 7, "func": "dense_backward",
             "text": "    return dvalues @ weights"}

    def proxy(*args):
        raise_as_learner("ValueError", "matmul: mismatch", where)

    with pytest.raises(Raised) as raised:
        guarded_call(proxy, (1,), ("x",), "your dense_backward")
    assert raised.value.message == ("your dense_backward raised an error at line 7 (in dense_backward):\n"
                                    "    return dvalues @ weights\nValueError: matmul: mismatch")


def test_a_learners_attribute_error_is_an_attribute_error():
    with pytest.raises(AttributeError):
        raise_as_learner("AttributeError", "no forward", {})
    with pytest.raises(Exception) as caught:
        raise_as_learner("SystemExit", "3", {})
    assert type(caught.value).__name__ == "SystemExit" and isinstance(caught.value, Exception)


def test_only_plain_values_come_back_from_the_kernel(tmp_path):
    files = wire.Files(str(tmp_path), "r1")
    name = files.save(np.arange(6, dtype=np.int32).reshape(2, 3))
    value = wire.decode({"t": "tuple", "items": [{"t": "nd", "f": name}, {"t": "py", "v": 1.5}]}, files, None)
    assert type(value) is tuple and type(value[0]) is np.ndarray and value[0].dtype == np.int32
    assert value[1] == 1.5
    for sneaky in ({"t": "py", "v": [1, 2]}, {"t": "py", "v": {"a": 1}}, {"t": "what"}, {"t": "nd", "f": "../x.npy"}):
        assert isinstance(wire.decode(sneaky, files, None), wire.Inert)
    (tmp_path / "r1_9.npy").write_bytes(b"not an array")
    assert isinstance(wire.decode({"t": "nd", "f": "r1_9.npy"}, files, None), wire.Inert)


def test_in_place_changes_come_back_into_the_checks_arrays(tmp_path):
    files = wire.Files(str(tmp_path), "r1")
    original = np.zeros(3)
    wire.copy_back(original, {"t": "nd", "f": files.save(np.array([1.0, 2.0, 3.0]))}, files, None)
    assert original.tolist() == [1.0, 2.0, 3.0]

    class Layer:
        pass

    layer = Layer()
    layer.weights, layer.biases = np.zeros(2), np.zeros(2)
    kept = layer.weights
    after = {"attrs": {"weights": {"t": "nd", "f": files.save(np.ones(2))},
                       "biases": {"t": "nd", "f": files.save(np.full(2, 2.0))}},
             "same": {"weights": True, "biases": False}}
    wire.update_namespace(layer, after, files, None)
    assert kept is layer.weights and kept.tolist() == [1.0, 1.0]  # updated in place, as the learner did
    assert layer.biases.tolist() == [2.0, 2.0]


def test_every_original_is_read_up_front_and_graded_from_what_was_read(tmp_path):
    from checks.grade.execute import Limits
    from checks.grade.grade_one import grade, read_all

    good, gone = _touch(tmp_path / "03_a.ipynb", "{}"), tmp_path / "03_gone.ipynb"
    read = read_all([discover.Submission(good, "a"), discover.Submission(gone, "gone")])
    assert read[0] == b"{}" and isinstance(read[1], OSError)
    good.write_text("")  # changed after it was read: the grade is of what was handed in
    row = grade(discover.Submission(good, "a"), Limits(sandbox=False), read[0])
    assert (row.status, row.score) == ("error: not a notebook", 0)
    row = grade(discover.Submission(gone, "gone"), Limits(sandbox=False), read[1])
    assert row.status == "error: unreadable"


def test_a_worker_without_bubblewrap_runs_nothing(tmp_path, monkeypatch):
    """grade() is the one place the wall goes up (a pool's or a cluster's workers call it): no wall, no run."""
    from checks.grade import sandbox
    from checks.grade.execute import Limits
    from checks.grade.grade_one import grade

    monkeypatch.setenv(sandbox.BWRAP_ENV, str(tmp_path / "no-bwrap"))
    lesson = Path(__file__).resolve().parent.parent / "lessons" / "03_batched_dense.ipynb"
    row = grade(discover.Submission(lesson, "03.ipynb"), Limits())
    assert (row.status, row.score) == ("error: no sandbox", 0) and "apt-get install bubblewrap" in row.detail
    assert row.warnings == []


def test_without_the_sandbox_the_summary_and_feedback_warn():
    from checks.grade import feedback, sandbox, summary
    from checks.grade.execute import Limits

    rows = [Grade("a.ipynb", "lesson03", warnings=[sandbox.NO_SANDBOX_WARNING]), Grade("b.ipynb", status="timeout")]
    off = summary.render(rows, Limits(sandbox=False), None)
    assert off.startswith(sandbox.NO_SANDBOX_WARNING) and "Sandbox: OFF" in off and "graded: 1, timeout: 1" in off
    on = summary.render(rows, Limits(), "bubblewrap 0.8.0")
    assert "WARNING" not in on and "Sandbox: on (bubblewrap 0.8.0)" in on and "128 processes" in on
    assert sandbox.NO_SANDBOX_WARNING in feedback.render(rows[0])
    assert "WARNING" not in feedback.render(rows[1])


def test_the_readmes_points_table_matches_the_checks():
    import re
    from pathlib import Path

    from checks.engine.catalog import all_exercises

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = text.split("### Scores", 1)[1].split("\n\n", 3)[2]
    listed = {}
    for lesson, names, points in re.findall(r"^\| (\d) \| (.+?) \| (\d)(?: each)? \|", table, re.M):
        for name in re.findall(r"`(\w+)`", names):
            listed[f"lesson{int(lesson):02d}.{name}"] = int(points)
    assert listed == {e.id: e.max_points for e in all_exercises(graded_only=True)}


def test_the_run_summary_says_how_scores_were_counted():
    from checks.grade import summary
    from checks.grade.execute import Limits

    rows = [Grade("a.ipynb", "lesson03", exercises=["lesson03.dense_backward"],
                  results={"lesson03.dense_backward": _dense({"dinputs", "dweights"})}),
            Grade("b.ipynb", status="error: empty file")]
    text = summary.render(rows, Limits(), "bubblewrap 0.8.0")
    assert "Scoring: a point per part where a check judges parts" in text
    assert "mean 66.7% over 1 notebook(s) of a known lesson" in text
    for row in rows:
        row.whole_exercises = True
    assert "Scoring: whole exercises (--whole-exercises)" in summary.render(rows, Limits(), "bubblewrap 0.8.0")


def test_the_run_summary_says_cells_are_limited_in_cpu_time_with_wall_clock_backstops():
    from checks.grade import summary
    from checks.grade.execute import Limits

    text = summary.render([], Limits(cell_seconds=8, notebook_seconds=60), "bubblewrap 0.8.0")
    assert "Limits per kernel: 8 s of CPU time a cell, 60 s a notebook (wall-clock backstops: 40 s and 300 s)" in text


# Spends 0.5 s of CPU time in a child it waits for, starts a grandchild that spends 0.5 s and then waits,
# and says when both are done; then it waits too.
_FAMILY = """
import subprocess, sys, time
burn = "import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.5:\\n    pass\\n"
subprocess.run([sys.executable, "-c", burn])
child = subprocess.Popen([sys.executable, "-c",
                          "import subprocess, sys, time\\nsubprocess.Popen([sys.executable, '-c', %r + 'print(1, flush=True)\\\\ntime.sleep(60)'])\\ntime.sleep(60)" % burn],
                         stdout=subprocess.PIPE)
child.stdout.readline()
print("done", flush=True)
time.sleep(60)
"""


def test_a_process_trees_cpu_time_counts_its_ended_children_and_its_grandchildren():
    import psutil

    from checks.grade.cpu_time import tree_cpu_seconds

    family = subprocess.Popen([sys.executable, "-c", _FAMILY], stdout=subprocess.PIPE, text=True)
    try:
        assert family.stdout.readline().strip() == "done"
        alone = sum(psutil.Process(family.pid).cpu_times()[:2])  # its own, without the family's
        assert tree_cpu_seconds(family.pid) >= alone + 0.95  # 0.5 s ended and waited for, 0.5 s in a grandchild
    finally:
        for process in psutil.Process(family.pid).children(recursive=True):
            process.kill()
        family.kill()
        family.wait()
    assert tree_cpu_seconds(family.pid) is None
