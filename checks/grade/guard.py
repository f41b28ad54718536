"""The guard: the small process a submission's kernel runs under, so that nothing outlives the grader.

jupyter_client starts the guard as the kernel's process (in a session and process group of its own).
The guard starts the real command (bwrap and the kernel inside it, or, with --no-sandbox, the kernel's
launcher) as its child and then waits for one of two things:

- the child ends (the kernel was shut down, or died): the guard ends too, with the child's status;
- the grader's process ends, however (a Dask worker killed, Ctrl+C or SIGTERM that left no time to shut
  the kernel down, a crash): the guard kills the child, removes the copy's temporary folder, then kills
  its whole process group (whatever the kernel started and left behind) and itself.

It watches the grader's process through a pidfd (Linux 5.3+), which becomes readable when the whole
process has ended, and, as a fallback, by its parent pid changing. This does not depend on which thread
started the kernel (PR_SET_PDEATHSIG fires when that thread ends, not the process), nor on who runs the
grader (bwrap's --die-with-parent, as root, did not always end a kernel whose Dask worker was killed).

Inside the sandbox the guard passes `--info-fd` to bwrap and writes the sandbox's first process id
(in the grader's pid namespace) to a file beside the copy: the grader reaches the kernel's folder
(a tmpfs inside the sandbox) through /proc/<that pid>/root.

It ignores SIGINT: interrupting the kernel (jupyter_client signals the whole process group) must reach
the Python inside, never stop the guard or bwrap.
"""
from __future__ import annotations

import os
import sys

# argv: grader pid, folder to remove when the grader is gone, file for the sandbox's pid ("" without
# the sandbox), then the command (bwrap and its arguments, or the kernel's launcher).
GUARD = r'''
import json, os, select, shutil, signal, subprocess, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
grader, folder, pid_file, command = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]

def grader_gone():
    return os.getppid() != grader

def end_everything():
    try:
        child.kill()
        child.wait()
    except Exception:
        pass
    shutil.rmtree(folder, ignore_errors=True)
    os.killpg(os.getpgrp(), signal.SIGKILL)  # what the kernel left in the group; the guard too

if grader_gone():  # the grader ended before the guard could start anything
    shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1)
writer = None
if pid_file:
    reader, writer = os.pipe()
    command = [command[0], "--info-fd", str(writer), *command[1:]]
child = subprocess.Popen(command, pass_fds=() if writer is None else (writer,))
if writer is not None:
    os.close(writer)
    info = b""
    while not info.rstrip().endswith(b"}"):  # the sandbox keeps a copy of the pipe open: read to the end of the JSON
        chunk = os.read(reader, 4096)
        if not chunk:
            break
        info += chunk
    os.close(reader)
    try:
        found = str(int(json.loads(info)["child-pid"]))
    except Exception:
        found = ""
    with open(pid_file + ".tmp", "w") as f:
        f.write(found)
    os.replace(pid_file + ".tmp", pid_file)
try:
    watch = os.pidfd_open(grader)
except (AttributeError, OSError):
    watch = None
poller = select.poll()
if watch is not None:
    poller.register(watch, select.POLLIN)
try:
    poller.register(os.pidfd_open(child.pid), select.POLLIN)
except (AttributeError, OSError):
    pass
while child.poll() is None:
    ready = [fd for fd, _ in poller.poll(500)]
    if (watch is not None and watch in ready) or grader_gone():
        end_everything()
code = child.returncode
sys.exit(code if code >= 0 else 128 - code)
'''


def command(folder: str, pid_file: str, inner: list[str]) -> list[str]:
    """`inner` (bwrap's command line, or the kernel's launcher) run under the guard of this process.

    folder:   the copy's temporary folder, removed if this process ends first
    pid_file: where the guard writes the sandbox's pid ("" without the sandbox)
    """
    return [sys.executable, "-c", GUARD, str(os.getpid()), folder, pid_file, *inner]
