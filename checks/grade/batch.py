"""Grade a batch of submissions: paths in; the CSV, the class report, one feedback file per
submission and the run summary out. The command line (cli.py) and Gradescope (gradescope.py) both
grade through `grade_paths`."""
from __future__ import annotations

import contextlib
import dataclasses
import os
from pathlib import Path

from . import class_report, cluster, feedback, report, sandbox, summary
from .discover import find
from .execute import Limits
from .grade_one import Grade
from .pool import grade_all


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
                jobs: int | None = None, progress: bool = True, scheduler=None, lesson: str | None = None,
                written: list | None = None, whole_exercises: bool = False) -> list[Grade]:
    """Grade every notebook under `paths` (as `lesson`, "lesson03", when given); write the CSV at `out`,
    the feedback files, the class report and the run summary, appending their paths to `written`.
    Returns the rows. whole_exercises: 1 point per exercise, only when all of it is right (not a point
    per part). Raises sandbox.SandboxUnavailable, before anything runs, when `limits.sandbox` and
    bubblewrap cannot start a kernel here."""
    submissions = find(paths, lesson)
    limits = limits or Limits()
    folder = feedback_dir or feedback_folder(out)
    wall = sandbox.check() if limits.sandbox else None  # raises SandboxUnavailable, before anything runs
    # The kernels see none of the submissions' folders, nor where the results go.
    given = [p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in map(str, paths)]
    limits = dataclasses.replace(limits, hidden=(*limits.hidden, *given, os.path.dirname(os.path.abspath(out)), folder))
    with _grading_environment():
        grades = (grade_all(submissions, limits, jobs=jobs, progress=progress) if scheduler is None
                  else cluster.grade_on_cluster(submissions, limits, scheduler, progress=progress))
    written = [] if written is None else written
    for grade in grades:
        grade.whole_exercises = whole_exercises
    for submission, grade in zip(submissions, grades):
        grade.student = submission.student  # found here, where the folders are (not on a cluster's worker)
    report.write_csv(out, grades)
    written.append(out)
    report_paths = class_report.write(out, grades)  # <out>_detail.csv, <out>_report.md and .png
    written += [str(p) for p in report_paths.values() if p.exists()]
    summary.write(summary.path_for(out), grades, limits, wall)
    written.append(summary.path_for(out))
    written += [str(feedback.write(folder, submission, grade)) for submission, grade in zip(submissions, grades)]
    return grades
