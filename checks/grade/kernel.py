"""Starting a kernel for a submission: walled off, limited, in its own folder, away from the instructor's files.

The kernel runs with
- the sandbox around it (sandbox.py: bubblewrap), unless grading was told --no-sandbox;
- limits set by a tiny launcher before it becomes the kernel: address space (RLIMIT_AS), so a memory
  blow-up fails fast inside the kernel instead of slowing the machine down; file size (RLIMIT_FSIZE);
  and, inside the sandbox's own user namespace, processes (RLIMIT_NPROC);
- BACKPROP_PROGRESS=off and BACKPROP_STRICT unset, so the learner's checks neither read nor write the
  instructor's progress file, and display as they would for the learner;
- one BLAS thread (submissions are graded in parallel, one kernel per core);
- its own IPYTHONDIR, so the instructor's IPython start-up files and history are not involved;
- its working folder, HOME and connection file in the submission's temporary copy (in the sandbox, a
  tmpfs of --disk-mb that the grader reaches through /proc/<sandbox pid>/root: `outside`);
- a guard (guard.py) as its process, which ends it and removes the copy's folder if the grader's
  process ends first.
"""
from __future__ import annotations

import asyncio
import os
import time

from jupyter_client import AsyncKernelManager

from . import guard, sandbox

_SOCKET_PATH_MAX = 108  # sun_path, with its NUL
_SINGLE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class LimitedKernelManager(AsyncKernelManager):
    """An IPython kernel started through the limiting launcher, inside the sandbox when `walled`."""

    limits: tuple = (0, 0, 0)  # bytes of address space, processes, bytes of the largest file (0: none)
    # (set by the launcher, sandbox.LAUNCHER, before it becomes the kernel)
    walled: bool = True
    workdir: str = ""
    outside: str = ""  # the copy's folder as the grader reaches it (the sandbox's tmpfs, or workdir itself)
    disk_bytes: int = sandbox.DISK_MB << 20
    hidden: tuple = ()

    def format_kernel_cmd(self, extra_arguments=None):
        connection_file = os.path.realpath(self.connection_file)
        command = sandbox.launcher(*self.limits, self.walled, "-m", "ipykernel_launcher", "-f", connection_file,
                                   *(extra_arguments or []))
        if self.walled:
            return sandbox.wrap(command, self.workdir, self.hidden, self.disk_bytes)
        return guard.command(self.workdir, "", command)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        await super()._async_launch_kernel(kernel_cmd, **kw)
        self.outside = self.workdir
        if self.walled:  # the sockets are in the sandbox's tmpfs: reach them through /proc/<pid>/root
            self.outside = sandbox.inside(self.workdir, await self._sandbox_pid())
            self.ip = os.path.join(self.outside, os.path.basename(self.ip))
            if len(self.ip) + 7 > _SOCKET_PATH_MAX:  # "-NNNNN" and the final NUL
                raise RuntimeError(f"the kernel's socket path is too long for Linux ({self.ip}): set TMPDIR "
                                   "to a shorter folder")

    async def _sandbox_pid(self, seconds: float = 120.0) -> int:
        """The sandbox's first process id, as the guard wrote it once bwrap said."""
        path, deadline = sandbox.sandbox_pid_file(self.workdir), time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with open(path, encoding="ascii") as f:
                    return int(f.read())
            except (OSError, ValueError):
                if not await self.is_alive():
                    break
            await asyncio.sleep(0.05)
        raise RuntimeError("the sandbox did not start (bubblewrap gave no process id)")

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.walled:  # as root the kernel runs as `nobody`, and must read it
            sandbox.hand_over(self.connection_file)


def kernel_manager(limits, workdir: str) -> LimitedKernelManager:
    """A kernel manager for `workdir` with `limits` (execute.Limits); the kernel starts later."""
    # Local sockets (ipc) at an absolute path inside the copy's folder (the sandbox's one writable
    # folder): no TCP ports to find, and nothing relative to a cwd. The connection file goes there too.
    km = LimitedKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(workdir, "k"),
                              connection_file=os.path.join(workdir, sandbox.CONNECTION_FILE))
    walled = bool(limits.sandbox)
    # Outside a user namespace RLIMIT_NPROC counts every process of the user: it is only set in the sandbox.
    km.limits = (limits.memory_mb * 1024 * 1024, limits.processes, limits.file_mb * 1024 * 1024)
    km.walled, km.workdir, km.outside = walled, workdir, workdir
    km.disk_bytes = limits.disk_mb << 20
    km.hidden = tuple(sandbox.default_hidden(limits.hidden)) if walled else ()
    return km


def kernel_env(workdir: str) -> dict:
    """The kernel's environment: the grader's own, made safe for grading (see the module docstring)."""
    env = dict(os.environ)
    env.pop("BACKPROP_STRICT", None)
    env.pop("BACKPROP_WALL_LIMIT", None)  # the grader's backstop: the notebook's own checks stop as the learner's do
    env["BACKPROP_PROGRESS"] = "off"
    env["BACKPROP_PROGRESS_FILE"] = os.path.join(workdir, ".progress.json")  # in case a check ignores "off"
    env["IPYTHONDIR"] = os.path.join(workdir, ".ipython")
    env["HOME"] = workdir  # not the instructor's (hidden in the sandbox anyway); caches land in the copy
    env["MPLCONFIGDIR"] = os.path.join(workdir, ".matplotlib")
    env.pop("JUPYTER_RUNTIME_DIR", None)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in _SINGLE_THREAD:
        env[name] = "1"
    return env
