"""The command line: `python -m checks.grade PATH... --out grades.csv [--lesson N]`.

Each PATH is a notebook (graded whatever its name) or a folder (searched recursively for *.ipynb,
skipping .ipynb_checkpoints). `--lesson N` grades every submission as lesson N; without it each
notebook's lesson is recognised (recognise.py). Writes the CSV and, in `<csv name>_feedback/` beside
it, one markdown file per submission, the class report (class_report.py) and `<csv name>_summary.txt`,
the run summary; the closing line names them all. Each kernel runs walled off (sandbox.py); without a
working bubblewrap the command refuses (exit code 3) unless --no-sandbox.
Exit code 0 when every submission got a row; 2 for a usage error; 3 when the sandbox cannot start.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys

from . import cluster, sandbox
from .batch import feedback_folder, grade_paths
from .cpu_time import WALL_FACTOR
from .discover import NothingToGrade
from .execute import Limits
from .grade_one import Grade
from .gradescope import normalise_lesson
from .pool import raise_interrupt


def parser() -> argparse.ArgumentParser:
    defaults = Limits()
    p = argparse.ArgumentParser(
        prog="python -m checks.grade",
        description="Grade submitted lesson notebooks: each runs in a fresh kernel, and the lesson's "
        "graded checks judge its exercises from outside it.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="a notebook, or a folder searched recursively for *.ipynb")
    p.add_argument("--out", default="grades.csv", help="the CSV to write (default: grades.csv)")
    p.add_argument("--whole-exercises", action="store_true", help="score 1 point per exercise, only when all of it "
                   "is right (default: a point per part where a check judges parts, e.g. lesson 3's three gradients)")
    p.add_argument("--feedback", metavar="DIR", help="folder for the feedback files (default: <out name>_feedback beside the CSV)")
    p.add_argument("--lesson", metavar="N", help="grade every submission as lesson N (3, 03 or lesson03); "
                   "default: each notebook's lesson from its metadata, else its file name, else its cells")
    _gradescope_arguments(p)
    p.add_argument("--jobs", type=int, default=os.cpu_count(), help="submissions graded at once (default: the number of cores)")
    p.add_argument("--cell-timeout", type=float, default=defaults.cell_seconds, help="seconds of CPU time one cell may use (its kernel's whole process tree); a cell still running after "
                   f"{WALL_FACTOR} times this in wall-clock time (in time.sleep, say) is stopped too (default: %(default)s)")
    p.add_argument("--notebook-timeout", type=float, default=defaults.notebook_seconds, help="seconds of CPU time all of a notebook's cells may use together, "
                   f"and {WALL_FACTOR} times this in wall-clock time (default: %(default)s)")
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
    group.add_argument("--gradescope-autograder", metavar="OUT.zip", help="write a Gradescope autograder bundle to "
                       "OUT.zip (needs --gradescope-lesson)")
    group.add_argument("--gradescope-lesson", metavar="LESSON", help="the assignment's lesson (3 or lesson03): its "
                       "exercises are the tests even for a wrong or broken notebook, or another lesson's")


def _not_grading(argv) -> int | None:
    """The exit code of a command that grades nothing (a Gradescope bundle, a usage error), else None."""
    p = parser()
    args = p.parse_args(argv)
    if args.gradescope_autograder:
        if args.lesson or args.paths:
            p.error("--gradescope-autograder writes a bundle and grades nothing here: give the assignment's "
                    "lesson as --gradescope-lesson N, and no PATH or --lesson")
        if not args.gradescope_lesson:
            p.error("--gradescope-autograder needs --gradescope-lesson N, the assignment's lesson: without "
                    "it, any lesson's notebook handed in would score its own exercises")
        from .gradescope_bundle import main as export

        return export(args.gradescope_autograder, args.gradescope_lesson, args.whole_exercises)
    if args.gradescope_lesson:
        p.error("--gradescope-lesson is for --gradescope-autograder; to grade every submission here as "
                "one lesson, use --lesson N")
    if not args.paths:
        p.error("give at least one PATH to grade")
    try:
        normalise_lesson(args.lesson)
    except ValueError as exc:
        p.error(f"--lesson: {exc}")
    return None


def main(argv=None) -> int:
    if (code := _not_grading(argv)) is not None:
        return code
    args = parser().parse_args(argv)
    limits = Limits(args.cell_timeout, args.notebook_timeout, args.call_timeout, args.memory_mb,
                    processes=args.processes, file_mb=args.file_mb, disk_mb=args.disk_mb, sandbox=not args.no_sandbox)
    signal.signal(signal.SIGTERM, raise_interrupt)  # stopped like Ctrl+C: kernels shut down, folders removed
    written: list[str] = []
    try:
        grades = grade_paths(args.paths, args.out, feedback_dir=args.feedback, limits=limits,
                             jobs=args.jobs, progress=not args.quiet, scheduler=args.scheduler,
                             lesson=normalise_lesson(args.lesson), written=written,
                             whole_exercises=args.whole_exercises)
    except (NothingToGrade, cluster.ClusterError) as exc:
        print(f"python -m checks.grade: {exc}", file=sys.stderr)
        return 2
    except sandbox.SandboxUnavailable as exc:
        print(f"python -m checks.grade: refusing to grade: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("python -m checks.grade: stopped before the results were written; no kernel was left running", file=sys.stderr)
        return 130
    if args.no_sandbox:
        print(f"python -m checks.grade: {sandbox.NO_SANDBOX_WARNING}", file=sys.stderr)
    print(closing_line(grades, written, args.feedback or feedback_folder(args.out)), file=sys.stderr)
    return 0


def closing_line(grades: list[Grade], written: list[str], folder: str) -> str:
    """How many were graded, and every file written: each by name, the feedback files by folder and count."""
    graded = sum(g.status == "graded" for g in grades)
    inside = os.path.abspath(folder) + os.sep
    own = [p for p in written if not os.path.abspath(p).startswith(inside)]
    count = len(written) - len(own)
    files = own + ([f"{count} feedback file{'' if count == 1 else 's'} in {folder.rstrip(os.sep)}{os.sep}"] if count else [])
    listed = ", ".join(files[:-1]) + f" and {files[-1]}" if len(files) > 1 else "".join(files)
    return f"{len(grades)} notebook(s), {graded} graded; wrote {listed}"
