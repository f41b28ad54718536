"""Starting a kernel for a submission: memory-capped, in its own folder, away from the instructor's files.

The kernel runs with
- an address-space limit (RLIMIT_AS, set by a tiny launcher before it becomes the kernel), so a memory
  blow-up fails fast inside the kernel instead of slowing the machine down;
- BACKPROP_PROGRESS=off and BACKPROP_STRICT unset, so the learner's checks neither read nor write the
  instructor's progress file, and display as they would for the learner;
- one BLAS thread (submissions are graded in parallel, one kernel per core);
- its own IPYTHONDIR, so the instructor's IPython start-up files and history are not involved;
- its working folder set to the submission's temporary copy.
"""
from __future__ import annotations

import os
import sys

from jupyter_client import AsyncKernelManager

# Runs before the kernel: caps the address space, then becomes `python -m ipykernel_launcher ...`.
_LAUNCHER = (
    "import os, resource, sys\n"
    "limit = int(sys.argv[1])\n"
    "if limit > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "os.execv(sys.executable, [sys.executable, *sys.argv[2:]])\n"
)

_SINGLE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class LimitedKernelManager(AsyncKernelManager):
    """An IPython kernel started through the memory-capping launcher."""

    memory_bytes: int = 0

    def format_kernel_cmd(self, extra_arguments=None):
        connection_file = os.path.realpath(self.connection_file)
        return [
            sys.executable, "-c", _LAUNCHER, str(int(self.memory_bytes)),
            "-m", "ipykernel_launcher", "-f", connection_file, *(extra_arguments or []),
        ]


def kernel_manager(memory_mb: int, workdir: str) -> LimitedKernelManager:
    # Local sockets (ipc) at an absolute path: no TCP ports to find, and nothing relative to a cwd.
    km = LimitedKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(workdir, ".kernel"))
    km.memory_bytes = int(memory_mb) * 1024 * 1024
    return km


def kernel_env(workdir: str) -> dict:
    """The kernel's environment: the grader's own, made safe for grading (see the module docstring)."""
    env = dict(os.environ)
    env.pop("BACKPROP_STRICT", None)
    env["BACKPROP_PROGRESS"] = "off"
    env["BACKPROP_PROGRESS_FILE"] = os.path.join(workdir, ".progress.json")  # in case a check ignores "off"
    env["IPYTHONDIR"] = os.path.join(workdir, ".ipython")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in _SINGLE_THREAD:
        env[name] = "1"
    return env
