"""Grading many submissions in parallel (one process, and so one kernel, per core), with a progress bar."""
from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from .discover import Submission
from .execute import Limits
from .grade_one import Grade, grade, read_all


def _worker_setup(call_seconds: float) -> None:
    # The grader's own checks run quietly and non-strictly, and time the learner's calls as set.
    os.environ["BACKPROP_PROGRESS"] = "off"
    os.environ.pop("BACKPROP_STRICT", None)
    os.environ["BACKPROP_TIME_LIMIT"] = f"{call_seconds:g}"


def _grade_in_worker(submission: Submission, limits: Limits, data) -> Grade:
    _worker_setup(limits.call_seconds)
    return grade(submission, limits, data)


class ProgressBar:
    """`[#####.....] 12/30 name` on one line of stderr when it is a terminal; one line per notebook otherwise."""

    def __init__(self, total: int, enabled: bool = True, stream=None):
        self.total, self.done, self.enabled = total, 0, enabled
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.monotonic()

    def step(self, label: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        line = f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {time.monotonic() - self.started:5.1f} s  {label}"
        if self.tty:
            self.stream.write("\r\x1b[K" + line[:120])
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def grade_all(submissions: list[Submission], limits: Limits, jobs: int | None = None,
              progress: bool = True) -> list[Grade]:
    """Grades in the order of `submissions`. Every original is read before any kernel starts."""
    originals = read_all(submissions)
    jobs = max(1, jobs or os.cpu_count() or 1)
    bar = ProgressBar(len(submissions), progress)
    grades: dict[int, Grade] = {}
    if jobs == 1 or len(submissions) <= 1:
        _worker_setup(limits.call_seconds)
        for i, submission in enumerate(submissions):
            grades[i] = grade(submission, limits, originals[i])
            bar.step(f"{submission.shown}: {grades[i].status}")
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(submissions))) as pool:
            futures = {pool.submit(_grade_in_worker, s, limits, originals[i]): i
                       for i, s in enumerate(submissions)}
            for future in as_completed(futures):
                i = futures[future]
                try:
                    grades[i] = future.result()
                except Exception as exc:  # a worker process that died: still a row
                    grades[i] = Grade(submissions[i].shown, status=f"error: grader failed ({type(exc).__name__})")
                bar.step(f"{submissions[i].shown}: {grades[i].status}")
    return [grades[i] for i in range(len(submissions))]
