"""Grading many submissions in parallel (one process, and so one kernel, per core), with a progress bar."""
from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed

from tqdm import tqdm

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


class ProgressBar(tqdm):
    """tqdm's bar on stderr, counting notebooks; `step(label)` shows the last one's name and status."""

    def __init__(self, total: int, enabled: bool = True, stream=None):
        super().__init__(total=total, disable=not enabled, file=stream or sys.stderr, unit="notebook",
                         dynamic_ncols=True, mininterval=0.2)

    def step(self, label: str) -> None:
        self.set_postfix_str(label, refresh=False)
        self.update(1)
        if self.n >= self.total:
            self.close()


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
