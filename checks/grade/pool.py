"""Grading many submissions in parallel (one process, and so one kernel, per core), with a progress bar.

Stopping: Ctrl+C (SIGINT) or SIGTERM to the grader stops the workers too (SIGTERM, which each worker
turns into KeyboardInterrupt: the submission it was grading shuts its kernel down and removes its
folder), then the grader. The workers ignore SIGINT themselves (a terminal sends it to all of them):
the grader decides. A worker that is killed outright leaves its kernel to its guard (guard.py).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from tqdm import tqdm

from .discover import Submission
from .execute import Limits, stopping
from .grade_one import Grade, grade, read_all


STOP_SECONDS = 30  # the stopped workers' time to shut their kernels down before they are killed


def _worker_setup(limits: Limits) -> None:
    # The grader's own checks run quietly and non-strictly, and time the learner's calls as set: in CPU
    # time, in the kernel (remote.py, agent.py). The checks' own wall-clock alarm is only a last resort,
    # past the connection's backstop.
    os.environ["BACKPROP_PROGRESS"] = "off"
    os.environ.pop("BACKPROP_STRICT", None)
    os.environ["BACKPROP_TIME_LIMIT"] = f"{limits.call_seconds:g}"
    os.environ["BACKPROP_WALL_LIMIT"] = f"{limits.call_wall_seconds + 15:g}"


def raise_interrupt(signum=None, frame=None):
    """A signal handler: stop as Ctrl+C does (every `finally` runs: kernels shut down, folders removed)."""
    stopping.set()
    raise KeyboardInterrupt


_grading = threading.Event()  # set while a worker grades a submission


def _worker_interrupt(signum=None, frame=None):
    if not _grading.is_set():  # idle: nothing to shut down (and no exit handlers that could wait on the grader)
        os._exit(130)
    raise_interrupt()


def _worker_start() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_interrupt)
    threading.Thread(target=_stop_when_orphaned, args=(os.getppid(),), daemon=True).start()


def _stop_when_orphaned(grader: int) -> None:
    """A worker whose grader was killed outright (SIGKILL) stops as if told to (SIGTERM)."""
    while os.getppid() == grader:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def _grade_in_worker(submission: Submission, limits: Limits, data) -> Grade:
    _worker_setup(limits)
    _grading.set()
    try:
        row = grade(submission, limits, data)
    except KeyboardInterrupt:  # told to stop: the kernel is shut down and the folder removed by now
        os._exit(130)
    finally:
        _grading.clear()
    if stopping.is_set():  # the stop was taken for something else on the way (a kernel that died, say)
        os._exit(130)
    return row


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started; ask each worker to stop (SIGTERM), then kill what is left."""
    workers = list((getattr(pool, "_processes", None) or {}).values()) or multiprocessing.active_children()
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for worker in workers:
        worker.join(max(0.1, deadline - time.monotonic()))
    for worker in workers:  # its kernel's guard ends the kernel and removes its folder
        if worker.is_alive():
            worker.kill()
            worker.join(5)


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
        _worker_setup(limits)
        for i, submission in enumerate(submissions):
            grades[i] = grade(submission, limits, originals[i])
            bar.step(f"{submission.shown}: {grades[i].status}")
        return [grades[i] for i in range(len(submissions))]
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(submissions)), initializer=_worker_start)
    try:
        futures = {pool.submit(_grade_in_worker, s, limits, originals[i]): i for i, s in enumerate(submissions)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                grades[i] = future.result()
            except Exception as exc:  # a worker process that died: still a row
                grades[i] = Grade(submissions[i].shown, status=f"error: grader failed ({type(exc).__name__})")
            bar.step(f"{submissions[i].shown}: {grades[i].status}")
    except BaseException:  # Ctrl+C, SIGTERM: nothing may keep running
        _stop_workers(pool)
        raise
    pool.shutdown()
    return [grades[i] for i in range(len(submissions))]
