"""Grading on a Dask cluster (`python -m checks.grade ... --scheduler ADDRESS`), on a real
`dask.distributed.LocalCluster` of 2 worker processes on 127.0.0.1:

- the same folder graded locally and on the cluster gives the same CSV, row by row, the same
  feedback (but for each row's random seed) and the same outcome and diagnosis per exercise;
- a worker killed while grading a submission: that submission is graded again; killed twice, its
  row says `error: worker died`; every other submission is graded as usual.

The submissions are generated from the real lesson-3 notebooks, a few only (2 shared cores).
"""
from __future__ import annotations

import csv
import logging
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from tests.submissions_util import write as _write

distributed = pytest.importorskip("distributed", reason="pip install -r requirements-cluster.txt")

from checks.grade import cluster as grade_cluster  # noqa: E402
from checks.grade.batch import feedback_folder, grade_paths  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_03 = ROOT / "solutions" / "03_batched_dense.ipynb"
LESSON_03 = ROOT / "lessons" / "03_batched_dense.ipynb"
WRONG = """
def dense_backward(dvalues, inputs, weights):
    return dvalues @ weights.T, dvalues.T @ inputs, np.sum(dvalues, axis=0)
"""
SLOW_SECONDS = 12  # long enough to kill its worker while it runs, even on a busy machine
LONG_SECONDS = 240  # for one killed twice: it must never finish by itself, however busy the machine


def _notebook(path: Path, *, wrong: bool = False, first_cell: str | None = None) -> nbformat.NotebookNode:
    nb = nbformat.read(str(path), as_version=4)
    if wrong:
        cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("def dense_backward"))
        cell.source = WRONG.strip()
    if first_cell:
        nb.cells.insert(0, nbformat.v4.new_code_cell(textwrap.dedent(first_cell).strip()))
    return nb


@pytest.fixture(scope="module")
def local_cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, worker_dashboard_address=None,
                      silence_logs=logging.CRITICAL) as local, Client(local) as client:
        yield local, client


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _without_seed(text: str) -> str:
    return re.sub(r"(?m)^- Random seed of the checks: \d+$", "- Random seed of the checks: SEED", text)


# -- the same results as a local run -----------------------------------------------------------

def test_a_cluster_run_gives_the_local_runs_csv_feedback_and_diagnoses(local_cluster, tmp_path):
    _, client = local_cluster
    folder = tmp_path / "submissions"
    _write(folder, "alice/03_batched_dense.ipynb", _notebook(SOLUTION_03))
    _write(folder, "bob/03_batched_dense.ipynb", _notebook(LESSON_03))
    _write(folder, "carol/03_batched_dense.ipynb", _notebook(SOLUTION_03, wrong=True))
    _write(folder, "dave/03_batched_dense.ipynb", '{"cells": [')          # invalid JSON
    _write(folder, "erin/03_batched_dense.ipynb", _notebook(SOLUTION_03, first_cell="raise ValueError('oops')"))

    local_rows = grade_paths([str(folder)], str(tmp_path / "local.csv"), jobs=2, progress=False)
    cluster_rows = grade_paths([str(folder)], str(tmp_path / "cluster.csv"), scheduler=client, progress=False)

    local_csv, cluster_csv = _read_csv(tmp_path / "local.csv"), _read_csv(tmp_path / "cluster.csv")
    assert len(cluster_csv) == len(local_csv) == 5
    for mine, theirs in zip(local_csv, cluster_csv):
        assert theirs == mine                                    # row by row, every column
    learners = [Path(row["notebook"]).parent.name for row in cluster_csv]
    assert learners == ["alice", "bob", "carol", "dave", "erin"]
    assert [row["status"] for row in cluster_csv] == ["graded"] * 3 + ["error: invalid JSON", "graded"]
    scores = [int(row["score"]) for row in cluster_csv]
    # carol: dinputs right, dweights transposed, dbiases without keepdims: 1 of 3 points
    assert scores[0] == scores[4] == 3 and scores[2] == 1 and scores[1] == scores[3] == 0

    local_feedback = Path(feedback_folder(str(tmp_path / "local.csv")))
    cluster_feedback = Path(feedback_folder(str(tmp_path / "cluster.csv")))
    names = sorted(p.relative_to(local_feedback) for p in local_feedback.rglob("*.md"))
    assert names == sorted(p.relative_to(cluster_feedback) for p in cluster_feedback.rglob("*.md"))
    assert len(names) == 5
    for name in names:
        assert _without_seed((cluster_feedback / name).read_text()) == _without_seed((local_feedback / name).read_text())
    erin = next(cluster_feedback.rglob("erin/03_batched_dense.md"))
    assert "ValueError: oops" in erin.read_text()                     # the cell that raised, reported

    # The class report's files: the detail CSV row by row, and the report itself.
    from checks.grade.class_report import paths_for
    local_files, cluster_files = paths_for(str(tmp_path / "local.csv")), paths_for(str(tmp_path / "cluster.csv"))
    local_detail, cluster_detail = _read_csv(local_files["detail"]), _read_csv(cluster_files["detail"])
    assert len(cluster_detail) == len(local_detail) >= 5
    for mine, theirs in zip(local_detail, cluster_detail):
        assert theirs == mine
    assert cluster_files["report"].read_text() == local_files["report"].read_text().replace("local_report", "cluster_report")
    assert cluster_files["chart"].stat().st_size > 0

    # The same outcome and diagnosis per exercise (what the detail CSV and class report are made of).
    for mine, theirs in zip(local_rows, cluster_rows):
        assert (theirs.notebook, theirs.status, theirs.exercises) == (mine.notebook, mine.status, mine.exercises)
        assert {e: (r.outcome, r.part, r.diagnosis) for e, r in theirs.results.items()} == \
               {e: (r.outcome, r.part, r.diagnosis) for e, r in mine.results.items()}
    carol = cluster_rows[2].results["lesson03.dense_backward"]
    assert carol.outcome == "incorrect" and carol.diagnosis            # the learner's mistake, named


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path, monkeypatch, capsys):
    from checks.grade.cli import main

    _write(tmp_path / "s", "a/03_batched_dense.ipynb", _notebook(LESSON_03))
    monkeypatch.setattr(grade_cluster, "CONNECT_SECONDS", 2)
    status = main([str(tmp_path / "s"), "--out", str(tmp_path / "g.csv"), "--no-sandbox",
                   "--scheduler", "tcp://127.0.0.1:9"])  # (no kernel runs: nothing to wall off)
    assert status == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()


# -- a worker that dies ----------------------------------------------------------------------------

def _worker_grading(client, command, index: int, attempt: int, timeout: float = 120) -> str:
    """The address of the worker grading submission `index` once its `attempt`-th start is counted.

    A task Dask shows as executing may not have reached the grader yet (a fresh worker first opens its
    client to the scheduler): a worker killed then never began grading, and that start does not count.
    So this waits for the grader's own count of starts, kept in the scheduler's metadata."""
    pattern = re.compile(rf"^grade-[0-9a-f]+-{index}-\d+$")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if command.poll() is not None:
            raise AssertionError(f"the grading command ended early: {command.communicate()[1]}")
        runs = client.get_metadata(["backprop-grade"], None) or {}
        counted = max((run.get(str(index), 0) for run in runs.values() if run), default=0)
        if counted >= attempt:
            running = client.run(lambda dask_worker: [str(ts.key) for ts in dask_worker.state.executing],
                                 on_error="ignore")
            for address, keys in running.items():
                if any(pattern.match(key) for key in keys):
                    return address
        time.sleep(0.2)
    raise AssertionError(f"submission {index} was not being graded (start {attempt}) within {timeout} s")


def _worker_processes() -> list[tuple[int, list[str]]]:
    """On a worker: its own (pid, command line), then its children's (the kernel's guard, bwrap, the kernel)."""
    import psutil

    me = psutil.Process()
    found = []
    for process in [me, *me.children(recursive=True)]:
        try:
            found.append((process.pid, process.cmdline()))
        except psutil.Error:
            pass
    return found


def _kill(client, address: str) -> None:
    """SIGKILL the worker process at `address` (its nanny starts a new one, at a new address). Nothing else:
    the kernel's guard must then end the kernel and remove the copy's folder (issue 18), and this checks
    that it did, by the processes' ids and the folder the guard was given."""
    deadline = time.monotonic() + 60
    while True:  # the grader counts a start before its kernel is up: wait for the kernel's guard
        (worker, _), *kernel = client.run(_worker_processes, workers=[address])[address]
        folders = [cmdline[4] for _, cmdline in kernel if len(cmdline) > 4 and cmdline[1:2] == ["-c"]
                   and "backprop-grade-" in cmdline[4]]
        if folders or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (any(_alive(pid) for pid, _ in kernel) or any(map(os.path.exists, folders))):
        time.sleep(0.2)
    left = [pid for pid, _ in kernel if _alive(pid)]
    for pid in left:  # never leave them behind, even when the assertion fails
        os.kill(pid, signal.SIGKILL)
    assert folders and not left and not any(map(os.path.exists, folders)), (folders, left)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie has ended
    except OSError:
        return False


def _allowed_failures(client, value=None) -> int:
    """The scheduler's allowed-failures (how often Dask itself reschedules a task whose worker died);
    set to `value` if given. Returns the previous value."""
    def swap(dask_scheduler, value=value):
        previous = dask_scheduler.allowed_failures
        if value is not None:
            dask_scheduler.allowed_failures = value
        return previous
    return client.run_on_scheduler(swap)


# Dask's default (3) reschedules a task itself, and the grader's count of attempts stops it at the
# second start; a scheduler set to give up at once (0) raises KilledWorker, and the grader retries.
@pytest.mark.parametrize("allowed_failures", [None, 0], ids=["dask-default", "scheduler-gives-up-at-once"])
def test_a_worker_that_dies_costs_one_retry_then_the_row_says_worker_died(local_cluster, tmp_path, allowed_failures):
    local, client = local_cluster
    previous = _allowed_failures(client, allowed_failures)
    if allowed_failures is None:
        assert previous == 3
    folder = tmp_path / "submissions"
    def slow(seconds):
        return f"import time\ntime.sleep({seconds})  # time enough for the test to kill its worker"
    # b must still be running when the test, done with a, kills it: it sleeps longer (the cell limit is
    # raised for it); a, graded on its retry, does not make the test wait as long.
    _write(folder, "a_killed_once/03_batched_dense.ipynb", _notebook(SOLUTION_03, first_cell=slow(SLOW_SECONDS)))
    _write(folder, "b_killed_twice/03_batched_dense.ipynb", _notebook(SOLUTION_03, first_cell=slow(LONG_SECONDS)))
    _write(folder, "c_right/03_batched_dense.ipynb", _notebook(SOLUTION_03))
    _write(folder, "d_wrong/03_batched_dense.ipynb", _notebook(SOLUTION_03, wrong=True))
    out = tmp_path / "grades.csv"
    command = subprocess.Popen([sys.executable, "-m", "checks.grade", str(folder), "--out", str(out), "--quiet",
                                "--cell-timeout", "280", "--scheduler", local.scheduler_address],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        _kill(client, _worker_grading(client, command, 0, attempt=1))
        _worker_grading(client, command, 0, attempt=2)                 # graded again; left to finish
        _kill(client, _worker_grading(client, command, 1, attempt=1))
        _kill(client, _worker_grading(client, command, 1, attempt=2))
        _, err = command.communicate(timeout=600)
    finally:
        if command.poll() is None:
            command.kill()
            command.communicate()
        _allowed_failures(client, previous)
    assert command.returncode == 0, err

    rows = {Path(row["notebook"]).parent.name: row for row in _read_csv(out)}
    assert list(rows) == ["a_killed_once", "b_killed_twice", "c_right", "d_wrong"]
    assert (rows["a_killed_once"]["status"], rows["a_killed_once"]["runs"]) == ("graded", "2")
    assert rows["a_killed_once"]["score"] == rows["c_right"]["score"] != "0"   # the retry graded it fully
    assert (rows["b_killed_twice"]["status"], rows["b_killed_twice"]["runs"]) == ("error: worker died", "2")
    assert rows["b_killed_twice"]["score"] == "0"
    assert rows["c_right"]["status"] == rows["d_wrong"]["status"] == "graded"   # nothing else lost
    assert rows["c_right"]["runs"] == rows["d_wrong"]["runs"] == "1"
    assert rows["d_wrong"]["lesson03.dense_backward"] == "1"  # dinputs right: 1 of 3 points
    feedback = next(Path(feedback_folder(str(out))).rglob("b_killed_twice/03_batched_dense.md")).read_text()
    assert "- Status: error: worker died" in feedback and "during each of 2 attempts" in feedback
    again = next(Path(feedback_folder(str(out))).rglob("a_killed_once/03_batched_dense.md")).read_text()
    assert "during grading's first attempt. So the notebook was graded again" in again
