"""One submission, start to finish: read it (never modifying it), run a copy, judge, clean up.

This is the one place where a kernel is walled off (`limits.sandbox`, see sandbox.py): every way of
grading (the command, a pool of processes, a cluster's workers) calls `grade`, and a submission whose
sandbox cannot start is not run at all.
"""
from __future__ import annotations

import copy
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field

import nbformat

from checks.engine.result import Result

from .discover import Submission, lesson_of, lesson_of_name
from .execute import Limits, run_notebook
from .judge import graded_exercises, judge, solution_views
from .remote import Connection
from .sandbox import EXCHANGE, NO_SANDBOX_WARNING, SandboxUnavailable, check as check_sandbox, hand_over

ATTEMPTS = 2  # a kernel that dies is started again, once, before the notebook scores 0
KERNEL_DIED = "error: kernel died"


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
    warnings: list = field(default_factory=list)  # about the grading itself (graded without the sandbox)
    student: str = ""  # from the LMS's naming of the file (students.py), set by the command
    runs: int = 0  # how many times the notebook was run in a kernel: 2 when its first run's kernel (or worker) died

    whole_exercises: bool = False  # scoring: 1 point per exercise, only when it is all right (--whole-exercises)

    def passed(self, exercise_id: str) -> bool:
        result = self.results.get(exercise_id)
        return self.status == "graded" and result is not None and result.passed

    def points(self, exercise_id: str) -> int:
        """One per part the check judged right (1 for an exercise judged whole, when right); 0 when the
        notebook was not graded or the exercise not checked."""
        result = self.results.get(exercise_id)
        if self.status != "graded" or result is None:
            return 0
        if self.whole_exercises:
            return int(result.passed)
        if result.parts:
            return result.points
        return self.max_points(exercise_id) if result.passed else 0  # a verdict that judged no parts

    def max_points(self, exercise_id: str) -> int:
        return 1 if self.whole_exercises else max_points(exercise_id)

    @property
    def score(self) -> int:
        return sum(self.points(e) for e in self.exercises)

    @property
    def max_score(self) -> int:
        """The lesson's points: a notebook that could not be graded scores 0 of them (0 if its lesson is unknown)."""
        return sum(self.max_points(e) for e in self.exercises)

    @property
    def percent(self) -> float:
        """score / max_score * 100, to one decimal (0 when the maximum is unknown)."""
        return round(100 * self.score / self.max_score, 1) if self.max_score else 0.0


def max_points(exercise_id: str) -> int:
    """An exercise's points when all of it is right: one per part its check judges apart, else 1."""
    from checks.engine.catalog import all_exercises

    found = {e.id: e for e in all_exercises(graded_only=True)}.get(exercise_id)
    return found.max_points if found else 1


def grade(submission: Submission, limits: Limits, data: bytes | None = None) -> Grade:
    """Grade one submission; never raises (a problem of any kind becomes the row's status).

    data: the submission's bytes, read before any kernel started (`read_all`); None reads the file now.
    """
    row = Grade(submission.shown)
    if not limits.sandbox:
        row.warnings.append(NO_SANDBOX_WARNING)
    try:
        _grade(submission, limits, row, data)
    except Exception as exc:  # the grader's own failure must not cost the other rows
        row.status, row.detail = f"error: grader failed ({type(exc).__name__})", str(exc)
    if row.status != "graded":
        row.results = {}
    return row


def read_all(submissions: list[Submission]) -> list[bytes | OSError]:
    """Every submission's bytes (or why it could not be read), so that no kernel can change an original first."""
    found: list[bytes | OSError] = []
    for submission in submissions:
        try:
            found.append(submission.path.read_bytes())
        except OSError as exc:
            found.append(exc)
    return found


def _grade(submission: Submission, limits: Limits, row: Grade, data) -> None:
    nb, data = _read(submission, row, data)
    if nb is None:  # a broken file still counts, at 0, in the lesson it was handed in for
        lesson = submission.lesson or lesson_of_name(submission.path.name)
        if lesson and graded_exercises(lesson):
            row.lesson, row.exercises = lesson, [e.id for e in graded_exercises(lesson)]
        return
    lesson = submission.lesson or lesson_of(nb, submission.path.name)
    if lesson is None:
        row.status, row.detail = "error: no lesson", (
            "This notebook is not one of the course's lessons: its metadata names no lesson, its file "
            "name has no lesson's name (like '03_batched_dense'), and its cells are not a lesson's.")
        return
    row.lesson = lesson
    exercises = graded_exercises(lesson)
    if not exercises:
        row.status, row.detail = f"error: no graded exercises in {lesson}", f"The course has no graded checks for {lesson}."
        return
    row.exercises = [e.id for e in exercises]
    row.seed = secrets.randbits(31)
    if limits.sandbox:
        try:
            check_sandbox()
        except SandboxUnavailable as exc:  # never run a submission unwalled unless told to
            row.status, row.detail = "error: no sandbox", str(exc)
            return
    for attempt in range(1, ATTEMPTS + 1):
        first = (row.status, row.detail)
        row.runs += 1
        if not _attempt(nb, submission.path.name, data, exercises, limits, row):
            break
    if attempt > 1 and row.status == "graded":
        row.warnings.append(
            f"Grading's first attempt ended early: {_sentence(first[1])}. So the notebook was run again in "
            "a fresh kernel and graded on that second run.")
    elif attempt > 1:
        row.detail = (f"{row.detail} This happened twice: the notebook was run again in a fresh kernel, "
                      "and its kernel stopped again, so it was not graded.")


def _sentence(text: str) -> str:
    return text.strip().rstrip(".")[:200] or "no reason given"


def _attempt(nb, name: str, data: bytes, exercises, limits: Limits, row: Grade) -> bool:
    """Run a fresh copy of `nb` in a fresh kernel and judge it, into `row`. True if its kernel died
    (then it is worth one more attempt: a kernel can die of the machine, not of the notebook)."""
    nb = copy.deepcopy(nb)  # the run fills in the outputs: each attempt starts from the submission
    row.results, row.solution_viewed = {}, {}
    workdir = tempfile.mkdtemp(prefix="backprop-grade-")
    try:
        with open(os.path.join(workdir, name), "wb") as f:  # the copy, as handed in, beside the kernel's folder
            f.write(data)
        if not limits.sandbox:  # in the sandbox the exchange is a tmpfs of its own (sandbox.py)
            os.mkdir(os.path.join(workdir, EXCHANGE))
        if limits.sandbox:
            hand_over(workdir)  # as root the kernel runs as `nobody`: its folder must be its own
        run = run_notebook(nb, workdir, limits)
        row.status, row.detail, row.cell_errors = run.status, run.detail, run.cell_errors
        full = (f"This notebook filled all the space a submission may write ({limits.disk_mb} MB) while it "
                "ran: from then on its writes failed (\"No space left on device\"). It was graded on what it did.")
        if run.out_of_space and full not in row.warnings:
            row.warnings.append(full)
        if run.status != "graded":
            return run.status == KERNEL_DIED
        connection = Connection(run.km, os.path.join(workdir, EXCHANGE),
                                os.path.join(run.km.outside, EXCHANGE), limits.call_wall_seconds)
        try:
            connection.install_agent()
            row.results = judge(connection, exercises, row.seed)
            row.solution_viewed = solution_views(connection, exercises)
            if connection.dead:
                row.status, row.detail = KERNEL_DIED, f"While the checks ran your code, {connection.dead}."
                row.results = {}
                return True
        finally:
            connection.close()
            run.shutdown()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return False


def _read(submission: Submission, row: Grade, data=None):
    """(the submission as a notebook, its bytes), or (None, None) with a status. The file is only read."""
    try:
        if data is None:
            data = submission.path.read_bytes()
        elif isinstance(data, OSError):
            raise data
    except OSError as exc:
        row.status, row.detail = "error: unreadable", f"The file could not be read: {exc.strerror or exc}"
        return None, None
    nb = _parse(data, row)
    return (nb, data) if nb is not None else (None, None)


def _parse(data: bytes, row: Grade):
    """The notebook in `data`, its stored outputs dropped, or None with a status."""
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
