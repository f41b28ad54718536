"""Grading on a Dask cluster: `python -m checks.grade PATH... --scheduler tcp://HOST:8786`.

The same per-submission work as the local pool (`grade_one.grade`), run by Dask distributed
workers through a `Client` and futures. Each submission travels to a worker as bytes (its file
name, its path as shown, its content) and its `Grade` comes back the same way, pickled by Dask:
the workers need the course installed (`pip install -r requirements-cluster.txt`) but no
filesystem shared with the grader, and they write nothing the grader reads. The grader writes
the CSV, the feedback, the class report and the run summary, exactly as after a local run.

A worker that dies while grading a submission: the submission is graded once more (on whichever
worker Dask picks), its row's `runs` is 2 and its feedback says why, and if its worker dies again the
row says `error: worker died`. Every other
submission is graded as usual. The attempts are counted on the scheduler (its metadata store),
because Dask itself reschedules a lost task up to the scheduler's `allowed-failures` times
(3 by default) without telling the client; a scheduler configured to give up sooner raises
KilledWorker instead, and then the client submits the retry itself. An attempt counts from when
the worker's grader starts it: a worker lost before that (say, while it connects to the scheduler)
costs the submission nothing.

Needs `dask[distributed]` (requirements-cluster.txt), an instructor's tool, never a learner's.
"""
from __future__ import annotations

import uuid
from pathlib import Path

from .discover import Submission
from .execute import Limits
from .grade_one import Grade, grade
from .pool import ProgressBar, _worker_setup

ATTEMPTS = 2  # the first try and one retry
WORKER_DIED = "error: worker died"
CONNECT_SECONDS = 30


class ClusterError(Exception):
    """No cluster to grade on: dask is missing, or the scheduler cannot be reached."""


def _attempts_key(run: str, index: int) -> list[str]:
    return ["backprop-grade", run, str(index)]


def died(shown: str) -> Grade:
    """The row of a submission whose worker died on every attempt."""
    return Grade(shown, status=WORKER_DIED, runs=ATTEMPTS, detail=(
        f"The worker grading this notebook stopped (killed, out of memory, or its machine lost) during each "
        f"of {ATTEMPTS} attempts, so it was not graded. Nothing in the notebook is known to be at fault: "
        "grade it again on its own."))


def grade_bytes(name: str, shown: str, data: bytes, limits: Limits, run: str, index: int,
                lesson: str | None = None) -> Grade:
    """On a worker: grade one submission sent as bytes (`name` is its file name, `shown` its path
    as given to the grader, `lesson` the one --lesson gave). A third start of the same submission means
    its worker died twice."""
    from distributed import get_client

    client = get_client()
    key = _attempts_key(run, index)
    attempt = client.get_metadata(key, 0) + 1
    client.set_metadata(key, attempt)
    if attempt > ATTEMPTS:
        return died(shown)
    _worker_setup(limits)
    row = grade(Submission(Path(name), shown, lesson=lesson), limits, data)  # the path only names the kernel's copy
    if attempt > 1:  # the row and the feedback say what happened to the first run
        row.runs += attempt - 1
        row.warnings.append("The worker grading this notebook stopped (killed, out of memory, or its machine lost) "
                            "during grading's first attempt. So the notebook was graded again, from the start, "
                            "and this is that second attempt's grade.")
    return row


def connect(scheduler: str):
    """A Client of the scheduler at `scheduler` ("tcp://HOST:8786"), or ClusterError."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ClusterError("--scheduler needs Dask distributed: pip install -r requirements-cluster.txt") from exc
    try:
        return Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc


def grade_on_cluster(submissions: list[Submission], limits: Limits, scheduler, progress: bool = True) -> list[Grade]:
    """Grades in the order of `submissions`. `scheduler`: an address, or an open distributed.Client.

    Submissions are read and sent a few at a time (a few per worker thread in flight), so neither
    the grader nor the scheduler holds a whole class's notebooks at once. (The local pool reads every
    original before any kernel starts; here the kernels run on the workers, walled off by the sandbox
    where they share the grader's machine, so reading as we go is as safe.)
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    client = connect(scheduler) if isinstance(scheduler, str) else scheduler
    run = uuid.uuid4().hex
    bar = ProgressBar(len(submissions), progress)
    grades: dict[int, Grade] = {}
    in_flight: dict = {}  # future -> (index, the arguments of grade_bytes)
    waiting = iter(enumerate(submissions))
    pending = as_completed(loop=client.loop, with_results=True, raise_errors=False)

    def finish(i: int, row: Grade) -> None:
        grades[i] = row
        bar.step(f"{submissions[i].shown}: {row.status}")

    def submit_next() -> None:
        for i, submission in waiting:
            try:
                data = submission.path.read_bytes()
            except OSError as exc:
                finish(i, grade(submission, limits, exc))  # the local run's "unreadable" row, made here
                continue
            send(i, (submission.path.name, submission.shown, data, limits, run, i, submission.lesson), attempt=1)
            return

    def send(i: int, arguments: tuple, attempt: int) -> None:
        future = client.submit(grade_bytes, *arguments, key=f"grade-{run}-{i}-{attempt}", pure=False)
        in_flight[future] = (i, arguments)
        pending.add(future)

    try:
        window = max(8, 4 * sum(client.nthreads().values()))
        for _ in range(window):
            submit_next()
        for future, outcome in pending:
            i, arguments = in_flight.pop(future)
            if future.status == "error":  # then `outcome` is (type, exception, traceback)
                outcome = future.exception()
            future.release()
            if isinstance(outcome, Grade):
                finish(i, outcome)
            elif isinstance(outcome, KilledWorker):
                if client.get_metadata(_attempts_key(run, i), 0) < ATTEMPTS:
                    send(i, arguments, attempt=2)  # the scheduler gave up before the one retry
                    continue
                finish(i, died(submissions[i].shown))
            else:  # the grader's own failure on the worker (for example `checks` not installed there)
                finish(i, Grade(submissions[i].shown, status=f"error: grader failed ({type(outcome).__name__})",
                                detail=str(outcome)))
            submit_next()
    finally:
        try:
            client.set_metadata(["backprop-grade", run], None)  # forget this run's attempt counts
        except Exception:
            pass
        if client is not scheduler:
            client.close()
    return [grades[i] for i in range(len(submissions))]
