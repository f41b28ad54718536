"""Grading under load: every lesson's solution notebook (`--copies` of each), graded in the sandbox while
`--hogs` processes spin on the CPU beside it. Honest work must keep every mark however busy the machine.

    python scripts/bench_grading_load.py [--hogs 0 4 8] [--copies 2] [--jobs 2] [--cell-timeout 60]

Each hog runs in a session of its own, as a kernel does: the scheduler shares the cores between sessions
first (autogroups), so hogs started in one session would take one share between them, not one each.
`--cell-timeout` (seconds of CPU time a cell may use) can be set tight to show the limit ignores load.
For each load it prints the marks kept of the marks possible, the rows not graded, and the wall time.
The hogs are ended (by id) when each run is done, whatever happens. Submissions, CSV and feedback land
under artifacts/bench_grading_load/.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "artifacts" / "bench_grading_load"
HOG = "import time\nend = time.monotonic() + float(__import__('sys').argv[1])\nwhile time.monotonic() < end:\n    pass"


def make_submissions(folder: Path, copies: int) -> int:
    """`copies` of every solution notebook under `folder`; returns how many notebooks."""
    count = 0
    for solution in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(str(solution), as_version=4)
        for copy in range(copies):
            path = folder / f"learner{copy:02d}" / solution.name
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(path))
            count += 1
    return count


def grade_under_load(hogs: int, copies: int, jobs: int, cell_seconds: float) -> dict:
    """One run: {"hogs", "notebooks", "kept", "possible", "not_graded", "seconds"}."""
    from checks.grade import grade_paths
    from checks.grade.execute import Limits

    base = OUT / f"hogs{hogs}"
    shutil.rmtree(base, ignore_errors=True)
    notebooks = make_submissions(base / "submissions", copies)
    spinning = [subprocess.Popen([sys.executable, "-c", HOG, "3600"], start_new_session=True) for _ in range(hogs)]
    try:
        started = time.perf_counter()
        grades = grade_paths([str(base / "submissions")], str(base / "grades.csv"), jobs=jobs, progress=False,
                             limits=Limits(cell_seconds=cell_seconds))
        seconds = time.perf_counter() - started
    finally:
        for process in spinning:
            process.kill()
            process.wait()
    with open(base / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {"hogs": hogs, "notebooks": notebooks, "kept": sum(g.score for g in grades),
            "possible": sum(g.max_score for g in grades),
            "not_graded": [f"{r['notebook']}: {r['status']}" for r in rows if r["status"] != "graded"],
            "seconds": seconds}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hogs", type=int, nargs="+", default=[0, 4, 8], help="processes spinning beside grading, one run each")
    p.add_argument("--copies", type=int, default=2, help="copies of each solution notebook (default: 2)")
    p.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default: 2)")
    p.add_argument("--cell-timeout", type=float, default=60.0, help="seconds of CPU time a cell may use (default: 60)")
    args = p.parse_args(argv)
    lost = False
    for hogs in args.hogs:
        run = grade_under_load(hogs, args.copies, args.jobs, args.cell_timeout)
        print(f"{hogs} CPU hogs, cells limited to {args.cell_timeout:g} s of CPU time: {run['notebooks']} notebooks, kept {run['kept']}/{run['possible']} marks, "
              f"{len(run['not_graded'])} not graded, {run['seconds']:.0f} s")
        for row in run["not_graded"]:
            print(f"    {row}")
        lost |= run["kept"] != run["possible"]
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
