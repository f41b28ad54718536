"""One submission, start to finish: read it (never modifying it), run a copy, judge, clean up."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field

import nbformat

from checks._result import Result

from .discover import Submission, lesson_of
from .execute import Limits, run_notebook
from .judge import graded_exercises, judge, solution_views
from .remote import Connection


@dataclass
class Grade:
    """One CSV row and one feedback file.

    exercises: ids of the lesson's graded exercises ("lesson03.dense_backward"), in order
    results:   id -> Result for those judged (missing ones score 0)
    """

    notebook: str
    lesson: str = ""
    status: str = "graded"
    detail: str = ""
    exercises: list = field(default_factory=list)
    results: dict = field(default_factory=dict)
    seed: int | None = None
    solution_viewed: dict = field(default_factory=dict)  # id -> True where the run showed the solution hint
    cell_errors: list = field(default_factory=list)  # what the notebook's own cells raised

    def passed(self, exercise_id: str) -> bool:
        result = self.results.get(exercise_id)
        return self.status == "graded" and result is not None and result.passed

    @property
    def score(self) -> int:
        return sum(self.passed(e) for e in self.exercises)


def grade(submission: Submission, limits: Limits) -> Grade:
    """Grade one submission; never raises (a problem of any kind becomes the row's status)."""
    row = Grade(submission.shown)
    try:
        _grade(submission, limits, row)
    except Exception as exc:  # the grader's own failure must not cost the other rows
        row.status, row.detail = f"error: grader failed ({type(exc).__name__})", str(exc)
    if row.status != "graded":
        row.results = {}
    return row


def _grade(submission: Submission, limits: Limits, row: Grade) -> None:
    nb = _read(submission, row)
    if nb is None:
        return
    lesson = lesson_of(nb, submission.path.name)
    if lesson is None:
        row.status, row.detail = "error: no lesson", (
            "This notebook is not one of the course's lessons: its metadata names no lesson "
            "and its file name has no number prefix like '03_'.")
        return
    row.lesson = lesson
    exercises = graded_exercises(lesson)
    if not exercises:
        row.status, row.detail = f"error: no graded exercises in {lesson}", f"The course has no graded checks for {lesson}."
        return
    row.exercises = [e.id for e in exercises]
    row.seed = secrets.randbits(31)
    workdir = tempfile.mkdtemp(prefix="backprop-grade-")
    try:
        shutil.copyfile(submission.path, os.path.join(workdir, submission.path.name))  # the kernel's folder
        run = run_notebook(nb, workdir, limits)
        row.status, row.detail, row.cell_errors = run.status, run.detail, run.cell_errors
        if run.status != "graded":
            return
        exchange = os.path.join(workdir, ".exchange")
        os.mkdir(exchange)
        connection = Connection(run.km, exchange)
        try:
            connection.install_agent()
            row.results = judge(connection, exercises, row.seed)
            row.solution_viewed = solution_views(connection, exercises)
            if connection.dead:
                row.status, row.detail = "error: kernel died", (
                    f"While the checks ran your code, {connection.dead}.")
        finally:
            connection.close()
            run.shutdown()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _read(submission: Submission, row: Grade):
    """The submission as a notebook (a copy in memory; the file is only read), or None with a status."""
    try:
        data = submission.path.read_bytes()
    except OSError as exc:
        row.status, row.detail = "error: unreadable", f"The file could not be read: {exc.strerror or exc}"
        return None
    if not data.strip():
        row.status, row.detail = "error: empty file", "The file is empty."
        return None
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        row.status, row.detail = "error: invalid JSON", "The file is not valid JSON, so it is not a notebook (was it saved completely?)."
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list) or "nbformat" not in raw:
        row.status, row.detail = "error: not a notebook", "The file is JSON, but not a Jupyter notebook."
        return None
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                cell.outputs = []  # never trust stored outputs; they are replaced when the copy runs
    except Exception as exc:
        row.status, row.detail = "error: not a notebook", f"The notebook could not be read: {exc}"
        return None
    return nb
