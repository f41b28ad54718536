"""Cells' time limits in CPU time, measured from the grader, with wall-clock backstops.

A busy machine makes an honest cell wait for a core: its wall time grows with the load, its CPU time
does not. So a cell may use `--cell-timeout` seconds of CPU time, and a notebook's cells together
`--notebook-timeout`. The grader measures it from outside the kernel (learner's code cannot turn it
off): every POLL_SECONDS it adds up the CPU time (user + system, and that of ended children it waited
for) of the kernel's whole process tree, read from /proc by psutil (a dependency of IPython): the guard
jupyter_client started, bubblewrap and the kernel inside it, and everything the kernel started (its
threads, numpy's, subprocesses; in the sandbox an orphan is adopted by bubblewrap, still in the tree).
A limit is reached when two readings in a row are past it (a child ended between reading it and its
parent could be counted twice in one reading).

A cell that waits without using the CPU (`time.sleep`, a blocking read) is stopped by nbclient's own
wall-clock timeout, the backstop: WALL_FACTOR times the cell's limit, and all cells together within
WALL_FACTOR times the notebook's limit, so a grading run always ends (execute.Limits.cell_wall_seconds,
notebook_wall_seconds).
"""
from __future__ import annotations

import asyncio
import time

import psutil

POLL_SECONDS = 0.2
WALL_FACTOR = 5  # the wall-clock backstops: this many times the CPU-time limits


class CpuTimeLimit(Exception):
    """A cell, or the notebook's cells together, used up their CPU time."""


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU seconds used so far by process `pid` and all its descendants (with the ended children each
    waited for), or None when `pid` is gone."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]  # parents before their children
    except psutil.Error:
        return None
    total = 0.0
    for process in processes:
        try:
            used = process.cpu_times()
        except psutil.Error:  # ended meanwhile: its time is now its parent's (or lost for this reading)
            continue
        total += used.user + used.system + used.children_user + used.children_system
    return total


class CpuWatch:
    """The CPU time a notebook's cells use in one kernel, against `limits` (execute.Limits).

    nbclient calls `cell_starts` before each cell; `watch` runs beside it in the same event loop and
    sets `tripped` when a limit is reached; `reached` then says which: "cell" or "notebook"."""

    def __init__(self, limits, kernel_pid):
        """kernel_pid: a function giving the kernel's process id (the guard's), None before it starts."""
        self.limits, self.kernel_pid = limits, kernel_pid
        self.notebook_start = self.cell_start = None  # the tree's CPU seconds when they started
        self.reached = ""
        self.tripped = asyncio.Event()
        self.wall_deadline = time.monotonic() + limits.notebook_wall_seconds
        self.notebook_wall_cut = False  # the last cell's backstop was what was left of the notebook's

    def reading(self) -> float | None:
        pid = self.kernel_pid()
        return None if pid is None else tree_cpu_seconds(pid)

    async def cell_starts(self, cell=None, cell_index=None) -> None:
        """nbclient's on_cell_start hook: a cell's CPU time counts from here."""
        if self.reached:  # reached between two cells: the next one does not start
            raise CpuTimeLimit(self.reached)
        now = self.reading()
        if now is not None:
            self.cell_start = now
            if self.notebook_start is None:
                self.notebook_start = now

    def past(self, now: float) -> str:
        """Which limit the reading `now` is past: "notebook", "cell" or ""."""
        if self.notebook_start is not None and now - self.notebook_start > self.limits.notebook_seconds:
            return "notebook"
        if self.cell_start is not None and now - self.cell_start > self.limits.cell_seconds:
            return "cell"
        return ""

    async def watch(self) -> None:
        """Read the kernel's CPU time every POLL_SECONDS until a limit is reached twice in a row."""
        before = ""
        while not self.reached:
            await asyncio.sleep(POLL_SECONDS)
            now = self.reading()
            found = "" if now is None else self.past(now)
            if found and before:
                self.reached = found
                self.tripped.set()
            before = found

    def wall_timeout(self, cell) -> int:
        """nbclient's timeout_func: the wall-clock backstop of this cell (whole seconds, at least 1)."""
        left = self.wall_deadline - time.monotonic()
        self.notebook_wall_cut = left < self.limits.cell_wall_seconds
        return max(1, int(min(self.limits.cell_wall_seconds, left) + 0.999))
