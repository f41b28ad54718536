"""Running a submission's copy, cell by cell, in a fresh kernel (nbclient).

A cell that raises does not stop the run (`allow_errors`): the exercises it broke will fail their
checks. A cell past its time limit (each cell has one, and so does the whole notebook: CPU time, with
wall-clock backstops, cpu_time.py), a kernel that dies, or a cell that ran out of memory ends the
submission's grading with a status instead.
A copy that filled its space (--disk-mb) goes on (its writes fail with "No space left on device")
and is judged; `Run.out_of_space` says so, for the feedback.
The kernel is left running afterwards, for the judge; on any exception (Ctrl+C too) it is shut down.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from dataclasses import dataclass, field

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.util import run_hook
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .cpu_time import WALL_FACTOR, CpuTimeLimit, CpuWatch
from .kernel import kernel_env, kernel_manager


@dataclass
class Limits:
    cell_seconds: float = 60.0  # CPU time of one cell (its wall-clock backstop: cpu_time.WALL_FACTOR times this)
    notebook_seconds: float = 300.0  # CPU time of all of a notebook's cells together (and its backstop)
    call_seconds: float = 2.0  # CPU time of one call of the learner's code during judging (as for the learner)
    memory_mb: int = 2048  # the kernel's address space
    processes: int = 128  # processes and threads of the kernel together (RLIMIT_NPROC, in the sandbox)
    file_mb: int = 200  # the largest file the kernel may write (RLIMIT_FSIZE)
    disk_mb: int = 500  # all the kernel may write, in the sandbox (its folder is a tmpfs of this size)
    sandbox: bool = True  # run the kernel walled off (sandbox.py); False only with --no-sandbox
    hidden: tuple = ()  # folders the kernel must not see beside the homes and temporary folders
    call_backstop_seconds: float = 0.0  # wall time of one call before it is stopped anyway (0: see below)
    cell_backstop_seconds: float = 0.0  # wall time of one cell before it is stopped anyway (0: see below)
    notebook_backstop_seconds: float = 0.0  # wall time of all the cells before they are stopped anyway (0: below)

    @property
    def call_wall_seconds(self) -> float:
        """The wall-clock backstop of one call: CPU time is the limit (a busy machine slows honest code
        down, it does not make it use more CPU); this only stops a call that waits without end."""
        return self.call_backstop_seconds or max(30.0, 15 * self.call_seconds)

    @property
    def cell_wall_seconds(self) -> float:
        """The wall-clock backstop of one cell (cpu_time.py): stops a cell that waits (time.sleep, a blocking read)."""
        return self.cell_backstop_seconds or WALL_FACTOR * self.cell_seconds

    @property
    def notebook_wall_seconds(self) -> float:
        """The wall-clock backstop of all of a notebook's cells: a grading run always ends."""
        return self.notebook_backstop_seconds or WALL_FACTOR * self.notebook_seconds


@dataclass
class Run:
    """A finished run: `status` is "graded" (judge it), "timeout" or "error: <reason>"."""

    status: str
    detail: str = ""  # a sentence for the feedback file
    km: object = None  # the kernel manager, while the kernel is alive
    cell_errors: list = field(default_factory=list)  # "code cell 12: NameError: name 'x' is not defined"
    out_of_space: bool = False  # the copy filled its space (--disk-mb) while its cells ran

    def shutdown(self) -> None:
        if self.km is None:
            return
        km, self.km = self.km, None
        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:
            pass
        try:
            run_sync(km.cleanup_resources)()
        except Exception:
            pass


class _Client(NotebookClient):
    """nbclient's client, without the SIGINT and SIGTERM handlers it installs while it runs a notebook:
    those only close its client (grading would go on) and, when done, set SIGTERM back to its default
    (a SIGTERM would then end the grader at once, leaving its kernels). Grading's own handlers stop it,
    shutting every kernel down (pool.raise_interrupt). The kernel manager is ours (`km`): as in
    nbclient for a kernel manager it does not own, the kernel is left running afterwards."""

    @contextlib.asynccontextmanager
    async def async_setup_kernel(self, **kwargs):
        kwargs.pop("cleanup_kc", None)
        if not self.km.has_kernel:
            await self.async_start_new_kernel(**kwargs)
        if self.kc is None:
            await self.async_start_new_kernel_client()
        try:
            yield
        except RuntimeError:
            await run_hook(self.on_notebook_error, notebook=self.nb)
            raise
        finally:
            await run_hook(self.on_notebook_complete, notebook=self.nb)

    # The cells' CPU time is watched beside nbclient, in its event loop (cpu_time.CpuWatch, set as `watch`).
    watch: CpuWatch

    async def async_execute(self, **kwargs):
        watcher = asyncio.ensure_future(self.watch.watch())
        try:
            return await super().async_execute(**kwargs)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    execute = run_sync(async_execute)  # nbclient's `execute` runs its own async_execute, not this one

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
        """nbclient's wait for a cell's reply, ended early (CpuTimeLimit) when the watch trips."""
        reply = asyncio.ensure_future(super()._async_poll_for_reply(
            msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive))
        tripped = asyncio.ensure_future(self.watch.tripped.wait())
        try:
            done, _ = await asyncio.wait({reply, tripped}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when nbclient cancels this wait (its kernel died)
            tripped.cancel()
            if not reply.done():
                reply.cancel()
                task_poll_kernel_alive.cancel()
        if reply in done:  # the cell ended (or nbclient's wall-clock backstop stopped it)
            return reply.result()
        raise CpuTimeLimit(self.watch.reached)


# Set when grading is being stopped (Ctrl+C, SIGTERM: pool.raise_interrupt): no kernel starts after that,
# even where the interrupt was taken for a kernel that died (which would otherwise be started again).
stopping = threading.Event()


def run_notebook(nb: nbformat.NotebookNode, workdir: str, limits: Limits) -> Run:
    """Execute every code cell of `nb` (a copy: its outputs are replaced) in a kernel started in `workdir`."""
    if stopping.is_set():
        raise KeyboardInterrupt
    km = kernel_manager(limits, workdir)
    watch = CpuWatch(limits, lambda: getattr(km.provisioner, "pid", None) if km.has_kernel else None)
    client = _Client(
        nb,
        km=km,
        timeout_func=watch.wall_timeout,
        on_cell_start=watch.cell_starts,
        startup_timeout=60,
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": workdir}},
    )
    client.watch = watch
    run = Run("graded", km=km)
    try:
        client.execute(env=kernel_env(workdir), cwd=workdir)
    except BaseException as exc:  # shut the kernel down before anything else, whatever ended the run
        if not isinstance(exc, Exception):  # Ctrl+C, SIGTERM (pool.py turns it into KeyboardInterrupt)
            run.shutdown()
            raise
        _failed(run, exc, limits, watch)
    else:
        cell = _memory_error_cell(nb)
        if cell is not None:
            run.status, run.detail = "error: out of memory", (
                f"Code cell {cell} ran out of memory (MemoryError); the notebook was not graded further.")
    run.cell_errors = _cell_errors(nb)
    run.out_of_space = _out_of_space(nb, km)
    if run.status != "graded":
        run.shutdown()
    return run


def _failed(run: Run, exc: Exception, limits: Limits, watch: CpuWatch) -> None:
    """The run's status and detail for what ended it early."""
    if isinstance(exc, CpuTimeLimit) or watch.reached:
        limit = (f"the notebook's time limit ({limits.notebook_seconds:g} s of CPU time)"
                 if watch.reached == "notebook" else f"the time limit of a cell ({limits.cell_seconds:g} s of CPU time)")
        run.status, run.detail = "timeout", f"A cell ran past {limit} and was stopped."
    elif isinstance(exc, CellTimeoutError):
        backstop = (f"the notebook's ({limits.notebook_wall_seconds:g} s; its limit is {limits.notebook_seconds:g} s "
                    "of CPU time)" if watch.notebook_wall_cut
                    else f"a cell's ({limits.cell_wall_seconds:g} s; its limit is {limits.cell_seconds:g} s of CPU time)")
        run.status, run.detail = "timeout", (
            f"A cell ran past the wall-clock backstop, {backstop}, and was stopped: it was waiting (in time.sleep, "
            "say) rather than computing, or the machine was too busy to run it.")
    elif isinstance(exc, DeadKernelError):
        run.status, run.detail = "error: kernel died", (
            "The kernel stopped while running the notebook (a call to os._exit or exit(), a crash, or "
            "running out of memory).")
    else:  # a kernel that cannot start, a notebook nbclient cannot run
        run.status, run.detail = f"error: {type(exc).__name__}", f"The notebook could not be run: {exc}"


def _out_of_space(nb, km) -> bool:
    """Whether the copy's folder is (nearly) full, or a cell was told there was no space left."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and "No space left on device" in str(output.get("evalue", "")):
                return True
    if not km.walled or not km.outside:  # without the sandbox the folder is on the grader's own disk
        return False
    try:
        found = os.statvfs(km.outside)
    except OSError:
        return False
    return found.f_bavail * found.f_frsize < (1 << 20)


def _cell_errors(nb) -> list[str]:
    """The errors the copy's cells raised, for the feedback (never for the score)."""
    found = []
    code_cells = [c for c in nb.cells if c.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"code cell {number}: {output.get('ename', 'Error')}: {output.get('evalue', '')}"[:300])
    return found


def _memory_error_cell(nb) -> int | None:
    """The number (1-based, among code cells) of the first cell that raised MemoryError."""
    code_cells = [c for c in nb.cells if c.get("cell_type") == "code"]
    for number, cell in enumerate(code_cells, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and output.get("ename") == "MemoryError":
                return number
    return None
