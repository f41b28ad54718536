"""The command line: `python -m checks.grade PATH... --out grades.csv`.

Each PATH is a notebook (graded whatever its name) or a folder (searched recursively for *.ipynb,
skipping .ipynb_checkpoints). Writes the CSV and, in `<csv name>_feedback/` beside it, one markdown
file per submission, and `<csv name>_summary.txt`, the run summary. Each kernel runs walled off
(sandbox.py); without a working bubblewrap the command refuses (exit code 3) unless --no-sandbox.
Exit code 0 when every submission got a row; 2 for a usage error; 3 when the sandbox cannot start.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import sys
from pathlib import Path

from . import cluster, feedback, report, sandbox, summary
from .discover import NothingToGrade, find
from .execute import Limits
from .grade_one import Grade
from .pool import grade_all, raise_interrupt
from . import class_report


def feedback_folder(out: str) -> str:
    out_path = Path(out)
    return str(out_path.with_name(out_path.stem + "_feedback"))


@contextlib.contextmanager
def _grading_environment():
    """The grader never records progress, and its checks are not strict (it reads their Results)."""
    saved = {k: os.environ.get(k) for k in ("BACKPROP_PROGRESS", "BACKPROP_STRICT", "BACKPROP_TIME_LIMIT",
                                            "BACKPROP_WALL_LIMIT")}
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
    """Grade every notebook under `paths`; write the CSV at `out`, the feedback files and the run summary.
    Returns the rows. Raises sandbox.SandboxUnavailable, before anything runs, when `limits.sandbox` and
    bubblewrap cannot start a kernel here."""
    submissions = find(paths)
    limits = limits or Limits()
    folder = feedback_dir or feedback_folder(out)
    wall = sandbox.check() if limits.sandbox else None  # raises SandboxUnavailable, before anything runs
    # The kernels see none of the submissions' folders, nor where the results go.
    given = [p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in map(str, paths)]
    limits = dataclasses.replace(limits, hidden=(*limits.hidden, *given, os.path.dirname(os.path.abspath(out)), folder))
    with _grading_environment():
        grades = (grade_all(submissions, limits, jobs=jobs, progress=progress) if scheduler is None
                  else cluster.grade_on_cluster(submissions, limits, scheduler, progress=progress))
    for submission, grade in zip(submissions, grades):
        feedback.write(folder, submission, grade)
    class_report.write(out, grades)  # <out>_detail.csv, <out>_report.md and .png
    report.write_csv(out, grades)
    summary.write(summary.path_for(out), grades, limits, wall)
    return grades


def parser() -> argparse.ArgumentParser:
    defaults = Limits()
    p = argparse.ArgumentParser(
        prog="python -m checks.grade",
        description="Grade submitted lesson notebooks: each runs in a fresh kernel, and the lesson's "
        "graded checks judge its exercises from outside it.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="a notebook, or a folder searched recursively for *.ipynb")
    p.add_argument("--out", default="grades.csv", help="the CSV to write (default: grades.csv)")
    p.add_argument("--feedback", metavar="DIR", help="folder for the feedback files (default: <out name>_feedback beside the CSV)")
    _gradescope_arguments(p)
    p.add_argument("--jobs", type=int, default=os.cpu_count(), help="submissions graded at once (default: the number of cores)")
    p.add_argument("--cell-timeout", type=float, default=defaults.cell_seconds, help="seconds one cell may run (default: %(default)s)")
    p.add_argument("--notebook-timeout", type=float, default=defaults.notebook_seconds, help="seconds all of a notebook's cells may run (default: %(default)s)")
    p.add_argument("--call-timeout", type=float, default=defaults.call_seconds, help="seconds of CPU time one call of the learner's code may use during checking (default: %(default)s)")
    p.add_argument("--memory-mb", type=int, default=defaults.memory_mb, help="address-space limit of each kernel in MB (default: %(default)s)")
    p.add_argument("--processes", type=int, default=defaults.processes, help="processes and threads each kernel may have, in the sandbox (default: %(default)s)")
    p.add_argument("--file-mb", type=int, default=defaults.file_mb, help="largest file a kernel may write, in MB (default: %(default)s)")
    p.add_argument("--disk-mb", type=int, default=defaults.disk_mb, help="all a kernel may write, in MB: its folder is a "
                   "tmpfs of this size, held in memory (default: %(default)s; not enforced with --no-sandbox)")
    p.add_argument("--no-sandbox", action="store_true", help="run the kernels without bubblewrap, with your rights "
                   "(only for trusted notebooks; the run summary and every feedback file say so)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--scheduler", metavar="ADDRESS", help="grade on a Dask cluster: its scheduler's address, e.g. tcp://HOST:8786 (needs requirements-cluster.txt; --jobs is then ignored)")
    return p


def _gradescope_arguments(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("Gradescope", "write an autograder bundle instead of grading (no PATH needed)")
    group.add_argument("--gradescope-autograder", metavar="OUT.zip", help="write a Gradescope autograder bundle to OUT.zip")
    group.add_argument("--gradescope-lesson", metavar="LESSON", help="the assignment's lesson (3 or lesson03): its "
                       "exercises are the tests even for a wrong or broken notebook (default: each notebook's own)")


def _not_grading(argv) -> int | None:
    """The exit code of a command that grades nothing (a Gradescope bundle, a usage error), else None."""
    args = parser().parse_args(argv)
    if args.gradescope_autograder:
        from .gradescope_bundle import main as export

        return export(args.gradescope_autograder, args.gradescope_lesson)
    if not args.paths:
        parser().error("give at least one PATH to grade")
    return None


def main(argv=None) -> int:
    if (code := _not_grading(argv)) is not None:
        return code
    args = parser().parse_args(argv)
    limits = Limits(args.cell_timeout, args.notebook_timeout, args.call_timeout, args.memory_mb,
                    processes=args.processes, file_mb=args.file_mb, disk_mb=args.disk_mb, sandbox=not args.no_sandbox)
    signal.signal(signal.SIGTERM, raise_interrupt)  # stopped like Ctrl+C: kernels shut down, folders removed
    try:
        grades = grade_paths(args.paths, args.out, feedback_dir=args.feedback, limits=limits,
                             jobs=args.jobs, progress=not args.quiet, scheduler=args.scheduler)
    except (NothingToGrade, cluster.ClusterError) as exc:
        print(f"python -m checks.grade: {exc}", file=sys.stderr)
        return 2
    except sandbox.SandboxUnavailable as exc:
        print(f"python -m checks.grade: refusing to grade: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("python -m checks.grade: stopped before the results were written; no kernel was left running", file=sys.stderr)
        return 130
    graded = sum(g.status == "graded" for g in grades)
    if args.no_sandbox:
        print(f"python -m checks.grade: {sandbox.NO_SANDBOX_WARNING}", file=sys.stderr)
    print(f"{len(grades)} notebook(s), {graded} graded; wrote {args.out}, {summary.path_for(args.out)} and "
          f"feedback in {args.feedback or feedback_folder(args.out)}", file=sys.stderr)
    return 0
