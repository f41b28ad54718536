"""Grading never loses an honest learner's marks and leaves nothing behind (issue 18), with the real
sandbox and real processes:

- load: the learner's calls are limited in CPU time, in the kernel: a call that waits (3 s of sleep,
  past the 2 s limit) is not stopped, a busy loop is; a call that waits without end is stopped by the
  wall-clock backstop; honest lessons keep full marks beside a CPU hog;
- a kernel killed while being judged is started again and the notebook judged once more, and the
  feedback says so; one that dies on each attempt scores 0 and says it happened twice;
- disk: a notebook writing far past --disk-mb, in small files, is stopped at the cap (nothing reaches
  the grader's disk), is still graded, and its feedback says it ran out of space;
- exits: Ctrl+C (SIGINT to the process group), SIGTERM and SIGKILL to a grader, and a killed Dask worker,
  leave no kernel running and no temporary folder behind.

Each test gives the grader a temporary folder of its own (TMPDIR, short, so the kernels' socket paths
stay short): the kernels are found by that folder in their command line, the copies' folders in it.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from checks.grade import sandbox
from tests.submissions_util import append, insert_before, notebook, read_csv, replace_cell, write

ROOT = Path(__file__).resolve().parent.parent
RIGHT_03 = """
    def dense_backward(dvalues, inputs, weights):
        return dvalues @ weights.T, inputs.T @ dvalues, np.sum(dvalues, axis=0, keepdims=True)
"""


@pytest.fixture(scope="module", autouse=True)
def bwrap_works():
    try:
        sandbox.check()
    except sandbox.SandboxUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the sandbox tests: {exc}")
        pytest.skip(f"bubblewrap cannot run here: {exc}")


class _Base(type(Path())):
    """A test's folder, and `.tmp`: the grader's own TMPDIR."""


@pytest.fixture
def base(tmp_path):
    """A folder for the submissions and results, and `base.tmp`, the grader's own short TMPDIR."""
    tmp = Path(tempfile.mkdtemp(prefix="bpt-", dir="/tmp"))
    tmp.chmod(0o755)
    folder = _Base(tmp_path)
    folder.tmp = tmp
    yield folder
    for pid in _processes(str(tmp)):  # only if a test failed: end what it left, by id
        _kill(pid)
    shutil.rmtree(tmp, ignore_errors=True)


def _env(base: Path) -> dict:
    return dict(os.environ, TMPDIR=str(base.tmp), BACKPROP_PROGRESS="off")


def _command(*options: str) -> list[str]:
    return [sys.executable, "-m", "checks.grade", "submissions", "--out", "out/grades.csv", "--quiet",
            "--cell-timeout", "120", "--notebook-timeout", "240", "--memory-mb", "1536", *options]


def _grade(base: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(*options), cwd=base, env=_env(base), capture_output=True, text=True, timeout=900)


def _rows(base: Path) -> dict:
    return {Path(r["notebook"]).stem: r for r in read_csv(base / "out" / "grades.csv")}


def _feedback(base: Path, name: str) -> str:
    return (base / "out" / "grades_feedback" / f"{name}.md").read_text(encoding="utf-8")


def _processes(marker: str) -> list[int]:
    """Processes (not this one) whose command line mentions `marker`: kernels, their guards and bwrap."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def _kernels(marker: str) -> list[int]:
    """The kernels themselves (python -m ipykernel_launcher, inside the wall) among them."""
    found = []
    for pid in _processes(marker):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                line = f.read()
        except OSError:
            continue
        if b"ipykernel_launcher" in line and b"bwrap" not in line:
            found.append(pid)
    return [pid for pid in found if _parent(pid) not in found]


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait_for(what, seconds: float, message: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(message)


def _nothing_left(base: Path, seconds: float = 20) -> None:
    """No kernel, guard or bwrap of this grader's is running, and no copy's folder is left (waiting
    `seconds` at most: a guard ends its sandbox as soon as it sees its grader gone)."""
    marker = str(base.tmp)
    deadline = time.monotonic() + seconds
    while (_processes(marker) or list(base.tmp.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes(marker) == [], "processes left running"
    assert sorted(p.name for p in base.tmp.iterdir()) == [], "temporary folders left behind"


# ---- load: CPU time, not wall time ----

class CpuHog:
    """`count` processes spinning on the CPU, each for at most `seconds`, ended (by id) on exit; `cores`:
    the cores they are pinned to (default: any). Each is in a session of its own, as a kernel is: the
    scheduler shares a core between sessions first (autogroups), so hogs in one session would take one
    share between them, not one each."""

    def __init__(self, count: int, seconds: float, cores=None):
        code = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass"
        self.marker = f"cpu-hog-{os.getpid()}-{time.monotonic_ns()}"
        pin = (lambda: os.sched_setaffinity(0, cores)) if cores else None
        self.processes = [subprocess.Popen([sys.executable, "-c", code, self.marker], preexec_fn=pin,
                                           start_new_session=True) for _ in range(count)]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.kill()
            process.wait()
        assert _processes(self.marker) == []


def test_calls_are_limited_in_cpu_time_and_honest_work_keeps_its_marks_beside_a_cpu_hog(base):
    folder = base / "submissions"
    # Waits 3 s on its first call (past the 2 s limit, but using no CPU): fast code on a slow machine.
    write(folder, "waits.ipynb", replace_cell(notebook("solutions/03_batched_dense.ipynb"), "def dense_backward", """
        import time
        _calls = []
        def dense_backward(dvalues, inputs, weights):
            if not _calls:
                _calls.append(1)
                time.sleep(3)
            return dvalues @ weights.T, inputs.T @ dvalues, np.sum(dvalues, axis=0, keepdims=True)
    """))
    write(folder, "spins.ipynb", replace_cell(notebook("solutions/03_batched_dense.ipynb"), "def dense_backward", """
        def dense_backward(dvalues, inputs, weights):
            while True:
                pass
    """))
    write(folder, "09_autograd.ipynb", notebook("solutions/09_autograd.ipynb"))
    with CpuHog(count=4, seconds=600):
        run = _grade(base, "--jobs", "2")
    assert run.returncode == 0, run.stderr
    rows = _rows(base)
    assert (rows["waits"]["status"], rows["waits"]["score"]) == ("graded", "3")
    assert (rows["09_autograd"]["status"], rows["09_autograd"]["score"]) == ("graded", "5")
    assert (rows["spins"]["status"], rows["spins"]["score"]) == ("graded", "0")
    assert "was stopped after 2 s" in _feedback(base, "spins")
    summary = (base / "out" / "grades_summary.txt").read_text(encoding="utf-8")
    assert "2 s of CPU time a call while checking" in summary and "500 MB written in all" in summary
    _nothing_left(base)


def test_a_call_that_waits_without_end_is_stopped_by_the_wall_clock_backstop(base, monkeypatch):
    from checks.grade.discover import Submission
    from checks.grade.execute import Limits
    from checks.grade.grade_one import grade

    path = write(base / "submissions", "03_batched_dense.ipynb", replace_cell(
        notebook("solutions/03_batched_dense.ipynb"), "def dense_backward", """
        import time
        def dense_backward(dvalues, inputs, weights):
            time.sleep(3600)
    """))
    monkeypatch.setenv("TMPDIR", str(base.tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    limits = Limits(call_backstop_seconds=4, hidden=(str(base),))
    for name, value in (("BACKPROP_PROGRESS", "off"), ("BACKPROP_TIME_LIMIT", "2"), ("BACKPROP_WALL_LIMIT", "19")):
        monkeypatch.setenv(name, value)  # as a grading worker has them (pool._worker_setup)
    started = time.monotonic()
    row = grade(Submission(path, "03_batched_dense.ipynb"), limits)
    assert time.monotonic() - started < 300
    result = row.results["lesson03.dense_backward"]
    assert (row.status, row.score, result.diagnosis) == ("graded", 0, "timeout"), (row.status, row.detail)
    assert "was stopped after 2 s" in result.message
    _nothing_left(base)


# ---- cells: CPU time too, and wall-clock backstops ----

def _grade_here(base: Path, monkeypatch, nb, limits_options: dict):
    """Grade `nb` (lesson 3) in this process with `limits_options`; returns the row, the text its cells
    printed, and the seconds grading took."""
    from checks.grade import grade_one
    from checks.grade.discover import Submission
    from checks.grade.execute import Limits

    path = write(base / "submissions", "03_batched_dense.ipynb", nb)
    monkeypatch.setenv("TMPDIR", str(base.tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    for name, value in (("BACKPROP_PROGRESS", "off"), ("BACKPROP_TIME_LIMIT", "2"), ("BACKPROP_WALL_LIMIT", "45")):
        monkeypatch.setenv(name, value)  # as a grading worker has them (pool._worker_setup)
    ran, run_notebook = [], grade_one.run_notebook

    def keeping_outputs(nb, workdir, limits):  # the notebook the kernel ran, with its outputs
        ran.append(nb)
        return run_notebook(nb, workdir, limits)

    monkeypatch.setattr(grade_one, "run_notebook", keeping_outputs)
    started = time.monotonic()
    row = grade_one.grade(Submission(path, "03_batched_dense.ipynb"), Limits(hidden=(str(base),), **limits_options))
    printed = "".join(o.get("text", "") for c in ran[-1].cells if c.cell_type == "code" for o in c.get("outputs", []))
    return row, printed, time.monotonic() - started


HONEST_WORK = """
    import time
    _cpu, _wall, _sum = time.process_time(), time.monotonic(), 0
    while time.process_time() - _cpu < 1.5:  # about 1.5 s of CPU time of honest work
        _sum += sum(range(1000))
    print(f"cpu {time.process_time() - _cpu:.2f} wall {time.monotonic() - _wall:.2f}")
"""


def test_an_honest_cell_slowed_far_past_its_limit_by_load_keeps_its_marks(base, monkeypatch):
    """Four hogs on the grader's core give the kernel a fifth of it: the cell's 1.5 s of CPU take several
    times the 2.5 s limit in wall time. Only CPU time counts, so it is graded, with full marks."""
    nb = insert_before(notebook("solutions/03_batched_dense.ipynb"), "def dense_backward", HONEST_WORK)
    core = min(os.sched_getaffinity(0))
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})  # this thread starts the kernel: it inherits the one core
    try:
        with CpuHog(count=4, seconds=600, cores={core}):
            # Backstops far off: a busy shared test machine must not make this a test of them.
            row, printed, _ = _grade_here(base, monkeypatch, nb, dict(
                cell_seconds=2.5, notebook_seconds=60, cell_backstop_seconds=150, notebook_backstop_seconds=600))
    finally:
        os.sched_setaffinity(0, saved)
    cpu, wall = (float(x) for x in printed.split("cpu ", 1)[1].split()[0:3:2])
    assert (row.status, row.score, row.detail) == ("graded", 3, ""), printed
    assert 1.5 <= cpu < 2.5 and wall > 2 * 2.5, printed  # past the limit in wall time, not in CPU time
    _nothing_left(base)


SPINS_IN_A_SUBPROCESS = """
    import subprocess, sys, time
    subprocess.Popen([sys.executable, "-c", "while True: pass", "MARKER"])
    time.sleep(600)  # the kernel itself waits: its child spins
"""
SPINS_IN_THREADS = """
    import threading, time
    def spin():
        while True:
            pass
    for _ in range(2):
        threading.Thread(target=spin, daemon=True).start()
    time.sleep(600)
"""
SPINS_AND_SAYS_HOW_LONG = """
    import time
    _cpu, _next = time.process_time(), 0.5
    while True:
        if time.process_time() - _cpu >= _next:
            print(f"cpu {_next}", flush=True)
            _next += 0.5
"""
SPINS_A_LITTLE_IN_EACH = "import time\n_cpu = time.process_time()\nwhile time.process_time() - _cpu < 1.2:\n    pass"


@pytest.mark.parametrize("case", ["loop", "threads", "subprocess", "notebook"])
def test_a_cell_past_its_cpu_time_is_stopped_wherever_the_cpu_is_used(base, monkeypatch, case):
    """A cell is stopped after 3 s of CPU time, used by the kernel itself, its threads, or a process it
    started; and a notebook after 3 s of CPU time in all, in cells of 1.2 s each. (The backstops are a
    minute off: a cell stopped by one would not be stopped by CPU time.)"""
    nb = notebook("solutions/03_batched_dense.ipynb")
    if case == "notebook":
        nb = append(nb, *[SPINS_A_LITTLE_IN_EACH] * 4)
    else:
        source = {"loop": SPINS_AND_SAYS_HOW_LONG, "threads": SPINS_IN_THREADS,
                  "subprocess": SPINS_IN_A_SUBPROCESS.replace("MARKER", str(base.tmp))}[case]
        nb = insert_before(nb, "def dense_backward", source)
    notebook_seconds = 3 if case == "notebook" else 60
    row, printed, _ = _grade_here(base, monkeypatch, nb, dict(
        cell_seconds=3, notebook_seconds=notebook_seconds, cell_backstop_seconds=60, notebook_backstop_seconds=120))
    limit = "the notebook's time limit (3 s of CPU time)" if case == "notebook" else "the time limit of a cell (3 s of CPU time)"
    assert (row.status, row.score, row.detail) == ("timeout", 0, f"A cell ran past {limit} and was stopped.")
    if case == "loop":  # what it printed before it was stopped: it had used about 3 s, not much more
        said = [float(line.split()[1]) for line in printed.splitlines() if line.startswith("cpu ")]
        assert said and 1.5 <= max(said) <= 4.5, printed
    _nothing_left(base)  # the subprocess too (its command line holds the marker)


def test_a_cell_that_waits_without_end_is_stopped_by_the_wall_clock_backstop(base, monkeypatch):
    nb = insert_before(notebook("solutions/03_batched_dense.ipynb"), "def dense_backward", "import time\ntime.sleep(10**6)")
    row, _, seconds = _grade_here(base, monkeypatch, nb, dict(cell_seconds=3, notebook_seconds=60))
    assert (row.status, row.score) == ("timeout", 0)
    assert row.detail.startswith("A cell ran past the wall-clock backstop, a cell's (15 s; its limit is 3 s of CPU "
                                 "time), and was stopped: it was waiting"), row.detail
    assert 15 <= seconds < 300
    _nothing_left(base)


# ---- a kernel that dies ----

def _judging_started(marker: str) -> list[int]:
    """The kernel whose grader has sent it a request (its exchange folder, in the sandbox, has one)."""
    for pid in _kernels(marker):
        for parent in (pid, _parent(pid)):
            for copy in Path(marker).glob("backprop-grade-*"):
                try:
                    if any(name.startswith("q") for name in os.listdir(f"/proc/{parent}/root{copy}/.exchange")):
                        return [pid]
                except OSError:
                    pass
    return []


def test_a_kernel_killed_while_judged_is_started_again_and_the_feedback_says_so(base):
    folder = base / "submissions"
    nb = replace_cell(notebook("solutions/03_batched_dense.ipynb"), "def dense_backward", """
        import time
        def dense_backward(dvalues, inputs, weights):
            time.sleep(1)  # time for the test to kill the kernel while it is judged
            return dvalues @ weights.T, inputs.T @ dvalues, np.sum(dvalues, axis=0, keepdims=True)
    """)
    write(folder, "killed_once.ipynb", nb)
    command = subprocess.Popen(_command("--jobs", "1"), cwd=base, env=_env(base), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        first = _wait_for(lambda: _judging_started(str(base.tmp)), 300, "judging never started")
        _kill(first[0])
        _, err = command.communicate(timeout=600)
    finally:
        if command.poll() is None:
            command.kill()
            command.communicate()
    assert command.returncode == 0, err
    row, text = _rows(base)["killed_once"], _feedback(base, "killed_once")
    assert (row["status"], row["runs"], row["score"]) == ("graded", "2", "3"), text
    assert "run again in a fresh kernel and graded on that second run" in text
    summary = (base / "out" / "grades_summary.txt").read_text(encoding="utf-8")
    assert "Run twice (the kernel or worker of the first run died; `runs` is 2 in the CSV): 1: " in summary
    assert "the kernel stopped while the checks ran your code" in text
    _nothing_left(base)


def test_a_kernel_that_dies_on_each_attempt_scores_zero_and_says_it_happened_twice(base):
    write(base / "submissions", "exits.ipynb", append(notebook("lessons/03_batched_dense.ipynb"), "import os\nos._exit(1)"))
    run = _grade(base, "--jobs", "1")
    assert run.returncode == 0, run.stderr
    row = _rows(base)["exits"]
    assert (row["status"], row["runs"], row["score"]) == ("error: kernel died", "2", "0")
    assert "This happened twice" in _feedback(base, "exits")
    _nothing_left(base)


# ---- disk ----

def test_a_disk_filler_stops_at_the_cap_is_graded_and_told_it_ran_out_of_space(base):
    folder = base / "submissions"
    filler = """
        import os
        os.makedirs("many", exist_ok=True)
        block = b"x" * (64 << 10)
        written = 0
        try:
            for i in range(6400):  # 400 MB in 64 KB files: bounded, should the cap fail
                with open(f"many/{i}.bin", "wb") as f:
                    f.write(block)
                written += len(block)
        finally:
            print("written MB:", written >> 20)
    """
    write(folder, "filler.ipynb", insert_before(notebook("solutions/03_batched_dense.ipynb"), "def dense_backward", filler))
    write(folder, "honest.ipynb", notebook("solutions/03_batched_dense.ipynb"))
    largest = {"bytes": 0}
    command = subprocess.Popen(_command("--jobs", "2", "--disk-mb", "48"), cwd=base, env=_env(base),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while command.poll() is None:  # what reaches the grader's own disk, in its temporary folder
            largest["bytes"] = max(largest["bytes"], _size(base.tmp))
            time.sleep(0.1)
        _, err = command.communicate(timeout=600)
    finally:
        if command.poll() is None:
            command.kill()
            command.communicate()
    assert command.returncode == 0, err
    assert largest["bytes"] < 1 << 20, largest
    rows = _rows(base)
    assert (rows["filler"]["status"], rows["filler"]["score"]) == ("graded", "3")  # graded on what it did
    assert (rows["honest"]["status"], rows["honest"]["score"]) == ("graded", "3")
    text = _feedback(base, "filler")
    assert "filled all the space a submission may write (48 MB)" in text
    assert "No space left on device" in text
    assert "filled all the space" not in _feedback(base, "honest")
    _nothing_left(base)


def _size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


# ---- nothing left behind ----

SLEEPY = "import time\ntime.sleep(300)  # a kernel at work when its grader is stopped"


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm", "sigkill-one-job", "sigkill-two-jobs"])
def test_a_stopped_grader_leaves_no_kernel_and_no_folder(base, how):
    folder = base / "submissions"
    for name in ("a", "b", "c"):
        write(folder, f"{name}.ipynb", insert_before(notebook("solutions/03_batched_dense.ipynb"), "def dense_backward", SLEEPY))
    jobs = "1" if how == "sigkill-one-job" else "2"
    command = subprocess.Popen(_command("--jobs", jobs), cwd=base, env=_env(base), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _wait_for(lambda: len(_kernels(str(base.tmp))) >= int(jobs), 300, "the kernels never started")
        if how == "ctrl-c":  # as a terminal does: the whole foreground process group
            os.killpg(command.pid, signal.SIGINT)
        else:
            command.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
        _, err = command.communicate(timeout=120)
    finally:
        if command.poll() is None:
            os.killpg(command.pid, signal.SIGKILL)
            command.communicate()
    if how in ("ctrl-c", "sigterm"):
        assert command.returncode == 130, err
        assert "stopped before the results were written" in err
    assert not (base / "out" / "grades.csv").exists()
    _nothing_left(base, seconds=60)


def test_a_killed_dask_worker_leaves_no_kernel_and_no_folder(base):
    distributed = pytest.importorskip("distributed", reason="pip install -r requirements-cluster.txt")
    import logging

    write(base / "submissions", "a.ipynb",
          insert_before(notebook("solutions/03_batched_dense.ipynb"), "def dense_backward", SLEEPY))
    os.environ["TMPDIR"], saved = str(base.tmp), os.environ.get("TMPDIR")  # the workers' temporary folder
    try:
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address=None, worker_dashboard_address=None,
                                           silence_logs=logging.CRITICAL)
    finally:
        if saved is None:
            os.environ.pop("TMPDIR")
        else:
            os.environ["TMPDIR"] = saved
    command = None
    try:
        with distributed.Client(cluster) as client:
            command = subprocess.Popen(_command("--scheduler", cluster.scheduler_address), cwd=base, env=_env(base),
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            kernel = _wait_for(lambda: _kernels(str(base.tmp)), 300, "the kernel never started")[0]
            worker = next(iter(client.run(os.getpid).values()))
            os.kill(worker, signal.SIGKILL)  # the worker alone: its nanny starts another
            _wait_for(lambda: not os.path.exists(f"/proc/{kernel}"), 30, "the killed worker's kernel is still running")
            command.send_signal(signal.SIGTERM)
            command.communicate(timeout=120)
    finally:
        if command is not None and command.poll() is None:
            command.kill()
            command.communicate()
        cluster.close()  # the new worker, still grading the submission again, ends: so does its kernel
    _nothing_left(base, seconds=60)
