"""The wall around each submission's kernel (bubblewrap, Debian's `bubblewrap` package, `bwrap`).

Inside the wall a kernel
- sees the whole system read-only (`--ro-bind / /`): the Python, packages and `checks` it needs;
- can write only into its own copy's folder, a tmpfs of `--disk-mb` in all (`--size`, `--tmpfs WORK`):
  everything it writes (files, its ipc sockets, the exchange files) is bounded there, in memory, and
  is gone when the sandbox ends. The grader's folder of the same path holds the connection file (bound
  in read-only) and the sandbox's pid; the grader reaches the tmpfs through /proc/<pid>/root;
- sees an empty, read-only folder in place of the instructor's home, the submissions' folders, the
  output folder, the temporary folders (and so every other copy) and /run (other programs' sockets):
  `--tmpfs`, then `--remount-ro`. The rest of the system is readable as far as file permissions allow.
  Python paths inside a hidden folder (a virtual environment in the home, say) are bound back read-only;
- has no network (`--unshare-net`), sees only its own processes (`--unshare-pid`) and dies with its
  guard (`--die-with-parent`; guard.py ends it when the grader's process ends);
- runs in a user namespace of its own, where the kernel's launcher sets RLIMIT_NPROC (a fork bomb stops
  there) beside RLIMIT_FSIZE (so does a disk-filler) and RLIMIT_AS. In a fresh user namespace
  RLIMIT_NPROC counts only the sandbox's own processes, so the limit neither depends on what else the
  user runs nor is shared between kernels graded at once.

As a normal user bwrap makes that namespace (`--unshare-user`, then `--disable-userns`: no more of them).
RLIMIT_NPROC is never enforced for root, so when the grader runs as root bwrap runs privileged (it can
put back a Python that lives in /root), and the launcher, inside, becomes the unprivileged user `nobody`
(its folder is handed to that user first) and makes the user namespace itself.
"""
from __future__ import annotations

import functools
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

from . import guard

BWRAP_ENV = "BACKPROP_BWRAP"  # the bwrap to use (a path or a name on PATH); tests point it at a missing file
DISK_MB = 500  # default of --disk-mb: all a copy may write (its tmpfs), the exchange included
EXCHANGE_MB = 32  # at most, of that, for the grader's exchange with the kernel
EXCHANGE = ".exchange"  # in the copy's folder: the grader's requests and the agent's replies
CONNECTION_FILE = ".kernel.json"  # in the copy's folder: the kernel's connection file (read-only inside)
INSTALL_HINT = "Install it with `apt-get install bubblewrap` (Debian, Ubuntu), or grade with --no-sandbox."
NO_SANDBOX_WARNING = ("WARNING: graded with --no-sandbox: each submission's code ran with the instructor's "
                      "rights, not walled off (it could read, change or delete files and use the network).")

# Runs before the kernel, inside the wall (and, with --no-sandbox, without it). argv: bytes of address
# space, processes, bytes of the largest file (each 0 for no limit), uid, gid (-1 to stay who we are),
# then the kernel's arguments. As root it becomes `nobody` in a user namespace of its own, so that
# RLIMIT_NPROC is enforced (never for root) and counts this kernel's processes alone; it lets SIGINT
# interrupt again (the outer launcher ignores it); then it becomes `python -m ipykernel_launcher ...`.
LAUNCHER = (
    "import os, resource, signal, sys\n"
    "memory, processes, size, uid, gid = map(int, sys.argv[1:6])\n"
    "for name, limit in (('RLIMIT_AS', memory), ('RLIMIT_FSIZE', size)):\n"
    "    if limit > 0:\n"
    "        resource.setrlimit(getattr(resource, name), (limit, limit))\n"
    "if uid >= 0:\n"
    "    import ctypes\n"
    "    os.setgroups([]); os.setgid(gid); os.setuid(uid)\n"
    "    if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:  # CLONE_NEWUSER\n"
    "        sys.exit('cannot make a user namespace: ' + os.strerror(ctypes.get_errno()))\n"
    "if processes > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))\n"
    "signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
    "os.execv(sys.executable, [sys.executable, *sys.argv[6:]])\n"
)


def launcher(memory_bytes: int, processes: int, file_bytes: int, walled: bool, *arguments: str) -> list[str]:
    """The command that sets the limits (processes only `walled`), then runs `python *arguments`."""
    uid, gid = (sandbox_user() if walled else None) or (-1, -1)
    numbers = (memory_bytes, processes if walled else 0, file_bytes, uid, gid)
    return [sys.executable, "-c", LAUNCHER, *(str(int(n)) for n in numbers), *arguments]


class SandboxUnavailable(Exception):
    """bwrap is missing or cannot start here; the message says why, for the instructor."""


def bwrap_path() -> str | None:
    """The bwrap to use: $BACKPROP_BWRAP (a path, or a name looked up on PATH), else `bwrap` on PATH."""
    wanted = os.environ.get(BWRAP_ENV) or "bwrap"
    if os.sep in wanted:
        return wanted if os.path.isfile(wanted) and os.access(wanted, os.X_OK) else None
    return shutil.which(wanted)


def sandbox_user() -> tuple[int, int] | None:
    """(uid, gid) the kernel runs as when the grader is root (`nobody`), else None (the grader's own)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 65534, 65534


def hand_over(folder: str) -> None:
    """Make `folder` (a copy's work folder, or a file) the sandbox user's, so the kernel can use it when we are root."""
    user = sandbox_user()
    if user is None:
        return
    os.chown(folder, *user, follow_symlinks=False)
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.chown(os.path.join(root, name), *user, follow_symlinks=False)


def default_hidden(extra=()) -> list[str]:
    """Folders a kernel must not see: the homes, the temporary folders (every copy is in one), /run, and
    `extra` (the submissions' folders and the output folder, given by the command)."""
    homes = [os.path.expanduser("~")]
    try:
        homes.append(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        pass
    temporary = [tempfile.gettempdir(), "/tmp", "/var/tmp"]  # (/dev, with /dev/shm, is a fresh read-only one)
    # /run holds other programs' sockets (an ssh agent, D-Bus, Docker): read-only does not stop a connect().
    return _distinct([*homes, *temporary, "/run", *extra])


def _distinct(paths) -> list[str]:
    """Absolute, real, existing folders other than /, without duplicates or folders inside another one."""
    real = sorted({os.path.realpath(p) for p in paths if p and os.path.isdir(p)} - {"/"})
    kept: list[str] = []
    for path in real:  # sorted, so a parent comes before the folders inside it
        if not any(_inside(path, parent) for parent in kept):
            kept.append(path)
    return kept


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _python_paths() -> list[str]:
    """What the kernel's Python needs to read: its prefixes, its import path and the course's packages."""
    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]
    paths += [p for p in sys.path if p and os.path.isabs(p) and p != os.getcwd()]
    for package in ("checks", "backprop_tools"):  # editable installs map these to the repository
        try:
            module = __import__(package)
            paths.append(os.path.dirname(os.path.abspath(module.__file__)))
        except Exception:
            pass
    return [os.path.realpath(p) for p in paths if os.path.exists(p)]


def _folders_to_make(path: str, walls, made: set) -> list[str]:
    """The folders between the hidden folder holding `path` and `path` itself, not made yet (outermost first)."""
    wall = next((f for f in walls if _inside(path, f)), None)
    if wall is None:
        return []
    folders = []
    folder = os.path.dirname(path)
    while folder != wall and _inside(folder, wall) and folder not in made:
        folders.append(folder)
        folder = os.path.dirname(folder)
    made.update(folders)
    return folders[::-1]


def put_back(workdir: str, hidden) -> list[str]:
    """The Python paths inside hidden folders, to bind back read-only (parents before what is inside them)."""
    walls = _distinct(hidden)
    kept: list[str] = []
    for path in sorted(set(_python_paths())):  # sorted: a parent comes before what is inside it
        if (any(_inside(path, f) for f in walls) and not _inside(os.path.realpath(workdir), path)
                and not any(_inside(path, k) for k in kept)):
            kept.append(path)
    return kept


def exchange_bytes(disk_bytes: int) -> int:
    """The part of a copy's space kept for the grader's exchange with the kernel (agent.py's files)."""
    return min(EXCHANGE_MB << 20, disk_bytes // 8)


def bwrap_args(workdir: str, hidden, disk_bytes: int = DISK_MB << 20) -> list[str]:
    """bwrap's options for a kernel whose only writable folder is `workdir`, a tmpfs of `disk_bytes` in
    all (see the module docstring)."""
    workdir = os.path.realpath(workdir)
    walls = _distinct(hidden)
    args = ["--ro-bind", "/", "/"]
    for folder in walls:
        args += ["--tmpfs", folder]
    made: set[str] = set()
    for path in [*put_back(workdir, hidden), workdir]:
        for folder in _folders_to_make(path, walls, made):  # bwrap would make them 0700: `nobody` could not enter
            args += ["--perms", "0755", "--dir", folder]
        if path != workdir:
            args += ["--ro-bind", path, path]
    # The copy's folder: a size-limited tmpfs (mode 0777: as root the kernel is `nobody`), holding the
    # connection file (read-only, from the grader's folder of the same path) and the exchange folder,
    # a tmpfs of its own, so that a copy that filled its space can still be judged.
    exchange = os.path.join(workdir, EXCHANGE)
    args += ["--perms", "0777", "--size", str(disk_bytes - exchange_bytes(disk_bytes)), "--tmpfs", workdir,
             "--ro-bind", os.path.join(workdir, CONNECTION_FILE), os.path.join(workdir, CONNECTION_FILE),
             "--perms", "0777", "--size", str(exchange_bytes(disk_bytes)), "--tmpfs", exchange]
    for folder in walls:
        args += ["--remount-ro", folder]
    args += ["--dev", "/dev", "--remount-ro", "/dev", "--proc", "/proc",
             "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
             "--chdir", workdir,
             # In the pid namespace the kernel's parent is its init (pid 1), which ipykernel would take for a
             # dead grader, and quit; "1" turns that watch off (--die-with-parent does that job here).
             "--setenv", "JPY_PARENT_PID", "1"]
    if sandbox_user() is None:  # an unprivileged bwrap: its own user namespace, and no more of them
        args += ["--unshare-user", "--disable-userns"]
    else:  # bwrap as root: the kernel's launcher needs these to become `nobody` (then it has none)
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return args


def wrap(command: list[str], workdir: str, hidden, disk_bytes: int = DISK_MB << 20) -> list[str]:
    """`command` (the kernel's launcher) run inside the wall, under the guard (guard.py) of this process."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable(f"bubblewrap (bwrap) was not found. {INSTALL_HINT}")
    return guard.command(workdir, sandbox_pid_file(workdir),
                         [bwrap, *bwrap_args(workdir, hidden, disk_bytes), "--", *command])


def sandbox_pid_file(workdir: str) -> str:
    """Where the guard writes the sandbox's pid: in the copy's folder as the grader sees it (the kernel
    sees a tmpfs there instead)."""
    return os.path.join(os.path.realpath(workdir), ".sandbox-pid")


def inside(workdir: str, pid: int) -> str:
    """`workdir` as the grader reaches it inside the running sandbox whose first process is `pid`."""
    return f"/proc/{pid}/root{os.path.realpath(workdir)}"


@functools.lru_cache(maxsize=None)
def _probe(bwrap: str, uid: int) -> str:
    folder = tempfile.mkdtemp(prefix="backprop-sandbox-probe-")
    try:
        open(os.path.join(folder, CONNECTION_FILE), "w").close()  # the wall binds it in
        hand_over(folder)
        probe = "import checks, ipykernel, numpy; open('written', 'w').close(); print('ok')"
        inside = launcher(2 << 30, 64, 1 << 20, True, "-c", probe)
        command = wrap(inside, folder, default_hidden())
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxUnavailable(f"bubblewrap ({bwrap}) could not start: {exc}. {INSTALL_HINT}") from None
        if run.returncode != 0 or run.stdout.strip() != "ok":
            said = (run.stderr.strip().splitlines() or ["no message"])[-1]
            who = "the user nobody (the grader runs as root)" if uid >= 0 else "this user"
            raise SandboxUnavailable(
                f"bubblewrap ({bwrap}) cannot start a kernel here as {who}: {said}. It needs user "
                "namespaces (sysctl kernel.unprivileged_userns_clone=1 or user.max_user_namespaces > 0) "
                "and, as root, a Python and course files that every user can read. Fix that, or grade "
                "with --no-sandbox.")
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()
        return version or "bubblewrap"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check() -> str:
    """bwrap's version when a walled kernel can start here; raises SandboxUnavailable saying why not."""
    bwrap = bwrap_path()
    if bwrap is None:
        shown = os.environ.get(BWRAP_ENV) or "bwrap"
        raise SandboxUnavailable(f"bubblewrap ({shown}) was not found, so submissions cannot be walled off. {INSTALL_HINT}")
    return _probe(bwrap, (sandbox_user() or (-1, -1))[0])
