"""Print the course's performance figures (COURSE.md, "Performance figures").

    python scripts/benchmark.py            # everything
    python scripts/benchmark.py checks     # one or more sections: checks notebooks env widgets training grading grading-scale

- checks:    median and 95th percentile time of a check call (progress recording included), over every
             check call the checks' own tests make (right and wrong answers), leaving out calls stopped
             by the time limit; and how many of those tests passed under the timer (all should).
- notebooks: wall time of executing every solution notebook beside as many notebooks that only import
             numpy, matplotlib.pyplot and ipywidgets (the kernel-start floor), as a ratio.
- env:       installed size of requirements.txt alone, in a fresh virtual environment.
- widgets, training, grading: the figures of scripts/bench_widgets.py, bench_training.py, bench_grading.py.
- grading-scale: grading against plain nbclient execution of the same N submissions, on one machine and
             on a 2-worker Dask LocalCluster (scripts/bench_grading_scale.py; N from BENCH_GRADING_SCALE_N,
             default "30,300").

Figures are printed and also written to artifacts/benchmark.txt (git-ignored). Nothing here asserts.
"""
from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def _timed_in_callers_namespace(evaluate, timings: list):
    """`evaluate` (checks.engine.exercise's), timed: each call appends (seconds, diagnosis) to `timings`.

    A check finds the learner's variables in the globals of the first frame outside checks/
    (`caller_namespace`): a timer of the benchmark's own would be that frame, and the checks that look for
    aliasing would read the benchmark's globals. So each call runs the timer as a function of the globals
    of the code that called the check (the test), as `%time check.drelu(drelu)` in a notebook cell runs in
    the learner's: the check sees what it sees untimed.
    """
    from checks.engine.learner import caller_namespace

    clock = time.perf_counter

    def timer(info, body, answer):
        start = clock()
        result = evaluate(info, body, answer)
        timings.append((clock() - start, result.diagnosis))
        return result

    def timed_evaluate(info, body, answer):
        namespace = caller_namespace(sys._getframe(1))
        in_callers_namespace = types.FunctionType(timer.__code__, namespace, timer.__name__, None, timer.__closure__)
        return in_callers_namespace(info, body, answer)

    return timed_evaluate


def bench_checks():
    """Time every check call made by tests/test_lesson*.py (in this process, via a pytest plugin)."""
    import pytest

    import checks.engine.exercise as engine

    timings = []
    outcomes = {"passed": 0, "failed": 0}
    original_evaluate, original_announce = engine.evaluate, engine._announce
    timed_evaluate = _timed_in_callers_namespace(original_evaluate, timings)

    def timed_announce(event, exercise_id, detail=None):
        # A check's announcement (its listeners: the progress file) runs right after evaluate, within the
        # same check call, so its time is added to that call's.
        start = time.perf_counter()
        original_announce(event, exercise_id, detail)
        if event == "check" and timings:
            spent, diagnosis = timings[-1]
            timings[-1] = (spent + time.perf_counter() - start, diagnosis)

    class Plugin:
        def pytest_sessionstart(self, session):
            engine.evaluate, engine._announce = timed_evaluate, timed_announce

        def pytest_sessionfinish(self, session, exitstatus):
            engine.evaluate, engine._announce = original_evaluate, original_announce

        def pytest_runtest_logreport(self, report):
            # A test failing here but not under pytest means the timer changed what the checks saw.
            if report.failed or (report.when == "call" and report.passed):
                outcomes["failed" if report.failed else "passed"] += 1

    tests = sorted(str(p) for p in (ROOT / "tests").glob("test_lesson*.py"))
    # Recording progress is part of a learner's check call, so it is timed too (into a scratch file).
    os.environ["BACKPROP_PROGRESS_FILE"] = str(ARTIFACTS / "benchmark-progress.json")
    pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:nbval", "--no-header", "-o", "addopts=", *tests],
                plugins=[Plugin()])
    ms = [spent * 1000 for spent, diagnosis in timings if diagnosis != "timeout"]
    return [
        ("checks' tests under the timer", f"{outcomes['passed']} passed, {outcomes['failed']} failed  (target: 0 failed)"),
        ("check calls timed", f"{len(ms)}"),
        ("check call median", f"{statistics.median(ms):.2f} ms  (target <= 20 ms)"),
        ("check call 95th percentile", f"{percentile(ms, 95):.2f} ms  (target <= 100 ms)"),
        ("check call max", f"{max(ms):.2f} ms"),
    ]


def _execute(notebook, folder):
    import nbclient

    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()


def bench_notebooks():
    import nbformat

    os.environ["BACKPROP_PROGRESS_FILE"] = str(ARTIFACTS / "benchmark-progress.json")
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nimport matplotlib.pyplot as plt\nimport ipywidgets")])
    floor_nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    rows, total, floor = [], 0.0, 0.0
    for path in solutions:
        start = time.perf_counter()
        _execute(nbformat.read(path, as_version=4), path.parent)
        spent = time.perf_counter() - start
        total += spent
        rows.append((f"  {path.name}", f"{spent:.2f} s"))
    for _ in solutions:
        start = time.perf_counter()
        _execute(nbformat.from_dict(floor_nb), ROOT)
        floor += time.perf_counter() - start
    rows += [
        ("solution notebooks", f"{len(solutions)}, {total:.2f} s in all"),
        ("empty-notebook floor", f"{floor:.2f} s for {len(solutions)} kernels importing numpy, pyplot, ipywidgets"),
        ("ratio", f"{total / floor:.2f}x  (target <= 1.5x)" if floor else "n/a"),
    ]
    return rows


def bench_env():
    """Install requirements.txt (runtime only) into a fresh venv and measure it."""
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = venv / "bin" / "pip"
        subprocess.run([str(pip), "install", "-q", "-r", str(ROOT / "requirements.txt")], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        size = sum(f.stat().st_size for f in venv.rglob("*") if f.is_file() and not f.is_symlink())
    return [("runtime environment (requirements.txt)", f"{size / 1e6:.0f} MB  (target < 500 MB)")]


def _script_rows(name):
    path = ROOT / "scripts" / f"{name}.py"
    if not path.exists():
        return [(name, "not present")]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [(str(label), str(value)) for label, value in module.run()]


SECTIONS = {
    "checks": bench_checks,
    "notebooks": bench_notebooks,
    "env": bench_env,
    "widgets": lambda: _script_rows("bench_widgets"),
    "training": lambda: _script_rows("bench_training"),
    "grading": lambda: _script_rows("bench_grading"),
    "grading-scale": lambda: _script_rows("bench_grading_scale"),
}


def main(argv):
    chosen = argv or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        sys.exit(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    ARTIFACTS.mkdir(exist_ok=True)
    lines = []
    for section in chosen:
        rows = SECTIONS[section]()
        lines.append(f"\n== {section}")
        width = max(len(label) for label, _ in rows)
        lines += [f"{label:<{width}}  {value}" for label, value in rows]
        print("\n".join(lines[-len(rows) - 1:]), flush=True)
    (ARTIFACTS / "benchmark.txt").write_text("\n".join(lines).lstrip() + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
