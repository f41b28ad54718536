"""The command line: `python -m checks.grade PATH... --out grades.csv`.

Each PATH is a notebook (graded whatever its name) or a folder (searched recursively for *.ipynb,
skipping .ipynb_checkpoints). Writes the CSV and, in `<csv name>_feedback/` beside it, one markdown
file per submission. Exit code 0 when every submission got a row; 2 for a usage error.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from . import cluster, feedback, report
from .discover import NothingToGrade, find
from .execute import Limits
from .grade_one import Grade
from .pool import grade_all


def feedback_folder(out: str) -> str:
    out_path = Path(out)
    return str(out_path.with_name(out_path.stem + "_feedback"))


@contextlib.contextmanager
def _grading_environment():
    """The grader never records progress, and its checks are not strict (it reads their Results)."""
    saved = {k: os.environ.get(k) for k in ("BACKPROP_PROGRESS", "BACKPROP_STRICT", "BACKPROP_TIME_LIMIT")}
    os.environ["BACKPROP_PROGRESS"] = "off"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def grade_paths(paths, out: str, *, feedback_dir: str | None = None, limits: Limits | None = None,
                jobs: int | None = None, progress: bool = True, scheduler=None) -> list[Grade]:
    """Grade every notebook under `paths`; write the CSV at `out` and the feedback files. Returns the rows."""
    submissions = find(paths)
    limits = limits or Limits()
    with _grading_environment():
        grades = (grade_all(submissions, limits, jobs=jobs, progress=progress) if scheduler is None
                  else cluster.grade_on_cluster(submissions, limits, scheduler, progress=progress))
    folder = feedback_dir or feedback_folder(out)
    for submission, grade in zip(submissions, grades):
        feedback.write(folder, submission, grade)
    report.write_csv(out, grades)
    return grades


def parser() -> argparse.ArgumentParser:
    defaults = Limits()
    p = argparse.ArgumentParser(
        prog="python -m checks.grade",
        description="Grade submitted lesson notebooks: each runs in a fresh kernel, and the lesson's "
        "graded checks judge its exercises from outside it.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="a notebook, or a folder searched recursively for *.ipynb")
    p.add_argument("--out", default="grades.csv", help="the CSV to write (default: grades.csv)")
    p.add_argument("--feedback", metavar="DIR", help="folder for the feedback files (default: <out name>_feedback beside the CSV)")
    p.add_argument("--jobs", type=int, default=os.cpu_count(), help="submissions graded at once (default: the number of cores)")
    p.add_argument("--cell-timeout", type=float, default=defaults.cell_seconds, help="seconds one cell may run (default: %(default)s)")
    p.add_argument("--notebook-timeout", type=float, default=defaults.notebook_seconds, help="seconds all of a notebook's cells may run (default: %(default)s)")
    p.add_argument("--call-timeout", type=float, default=defaults.call_seconds, help="seconds one call of the learner's code may take during checking (default: %(default)s)")
    p.add_argument("--memory-mb", type=int, default=defaults.memory_mb, help="address-space limit of each kernel in MB (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--scheduler", metavar="ADDRESS", help="grade on a Dask cluster: its scheduler's address, e.g. tcp://HOST:8786 (needs requirements-cluster.txt; --jobs is then ignored)")
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    limits = Limits(args.cell_timeout, args.notebook_timeout, args.call_timeout, args.memory_mb)
    try:
        grades = grade_paths(args.paths, args.out, feedback_dir=args.feedback, limits=limits,
                             jobs=args.jobs, progress=not args.quiet, scheduler=args.scheduler)
    except (NothingToGrade, cluster.ClusterError) as exc:
        print(f"python -m checks.grade: {exc}", file=sys.stderr)
        return 2
    graded = sum(g.status == "graded" for g in grades)
    print(f"{len(grades)} notebook(s), {graded} graded; wrote {args.out} and feedback in "
          f"{args.feedback or feedback_folder(args.out)}", file=sys.stderr)
    return 0
