"""The wall around each submission's kernel (issue 13), judged by its effects.

One grading run, next to an honest learner's finished lesson 3, of hostile submissions that each add one
cell trying to: write into the `checks` package, write outside its copy, overwrite the honest learner's
original, read the instructor's home, connect to a server on 127.0.0.1, fork without end (bounded here,
so a failing wall cannot take the machine down), fill the disk (bounded too). The test then looks at the
world: no file appeared, the original is byte for byte the same, the honest learner has full marks, the
server was never reached, the secret is in no feedback, no process is left, no file grew past the limit.

Also: grading refuses without bubblewrap unless told --no-sandbox, which warns in the run summary and
in every feedback file (and still reads every original before any kernel starts).
"""
from __future__ import annotations

import csv
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

import checks
from checks.grade import sandbox

from .sandbox_util import Server, Watch, sleepers

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_03 = ROOT / "solutions" / "03_batched_dense.ipynb"
LESSON_03 = ROOT / "lessons" / "03_batched_dense.ipynb"
COURSE_03 = {"lesson": "lesson03", "notebook": "03_batched_dense", "source": "solutions/03_batched_dense.ipynb"}
TOKEN = secrets.token_hex(4)  # names nothing else on the machine uses
SLEEP = f"41.{int(TOKEN, 16) % 10**6:06d}"  # the fork bomb's children: `sleep 41.xxxxxx`, easy to find
PROCESSES, FILE_MB = 48, 20


def _bwrap_problem() -> str | None:
    try:
        sandbox.check()
    except sandbox.SandboxUnavailable as exc:
        return str(exc)
    return None



def _exists(path: Path) -> bool:
    """Whether a planted file exists. A folder the test cannot enter (/root, run as another user) counts as
    "not there": the kernel runs as the same user or as `nobody`, so it could not have written there either."""
    try:
        return path.exists()
    except PermissionError:
        return False

@pytest.fixture(scope="module")
def bwrap_works():
    """Skip where bubblewrap truly cannot run (no user namespaces); in CI, which installs it, a missing bwrap fails."""
    problem = _bwrap_problem()
    if problem and os.environ.get("CI") and sandbox.bwrap_path() is None:
        pytest.fail(f"CI must run the sandbox tests (.ci/run installs bubblewrap), but {problem}")
    if problem:
        pytest.skip(f"bubblewrap cannot run here: {problem}")


def _notebook(path: Path, *extra_cells: str) -> nbformat.NotebookNode:
    nb = nbformat.read(str(path), as_version=4)
    nb.metadata["course"] = dict(COURSE_03)
    nb.cells += [nbformat.v4.new_code_cell(textwrap.dedent(source).strip()) for source in extra_cells]
    return nb


def _write(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def _grade(base: Path, *options: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "checks.grade", "submissions", "--out", "out/grades.csv", "--cell-timeout", "30",
         "--notebook-timeout", "120", "--memory-mb", "1024", *options],
        cwd=base, env=env or dict(os.environ), capture_output=True, text=True, timeout=timeout)


def _rows(base: Path) -> dict:
    with open(base / "out" / "grades.csv", newline="", encoding="utf-8") as f:
        return {r["notebook"]: r for r in csv.DictReader(f)}


def _feedback(base: Path, name: str) -> str:
    return (base / "out" / "grades_feedback" / Path(name).with_suffix(".md")).read_text(encoding="utf-8")


def _hostile_cells(base: Path, home: Path, honest: Path, port: int) -> dict[str, str]:
    """name -> the one extra cell of that hostile submission."""
    checks_dir = Path(checks.__file__).resolve().parent
    site = Path(nbformat.__file__).resolve().parent.parent
    return {
        "checks_package": f"""
            for path in [{str(checks_dir / f'_hostile_{TOKEN}.py')!r}, {str(site / f'_hostile_{TOKEN}.pth')!r}]:
                with open(path, "w") as f:
                    f.write("import os  # planted by a submission")
        """,
        "outside_copy": f"""
            import os
            failures = []
            for path in ["/tmp/hostile-{TOKEN}", "/var/tmp/hostile-{TOKEN}", {str(Path('/root') / f'hostile-{TOKEN}')!r},
                         {str(home / f'hostile-{TOKEN}')!r}, {str(base / f'hostile-{TOKEN}')!r},
                         os.path.join(os.path.dirname(os.getcwd()), "hostile-{TOKEN}")]:
                try:
                    with open(path, "w") as f:
                        f.write("x")
                except OSError as exc:
                    failures.append(exc)
            assert failures, "wrote everywhere"
        """,
        "overwrite_other": f"""
            with open({str(honest)!r}, "w") as f:
                f.write("{{}}")
        """,
        "read_home": f"""
            import os
            def look(action):
                try:
                    return action()
                except OSError as exc:
                    return type(exc).__name__
            secret = look(lambda: open({str(home / 'secret.txt')!r}).read())
            listed = [look(lambda: os.listdir(folder)) for folder in ({str(home)!r}, "/root")]
            # A raised error reaches the feedback file (its first 300 characters): the report comes first.
            raise RuntimeError(f"hostile-home-report {{secret}} {{listed}}")
        """,
        "network": f"""
            import socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
            except OSError as exc:
                raise RuntimeError(f"hostile-network-report {{exc!r}}")
        """,
        "fork_bomb": f"""
            import os
            for _ in range(400):  # bounded: without the wall, 400 sleeping processes, no harm done
                if os.fork() == 0:
                    try:
                        os.execv("/bin/sleep", ["sleep", "{SLEEP}"])
                    finally:
                        os._exit(1)
        """,
        "fill_disk": """
            chunk = b"x" * (1 << 20)
            with open("filler.bin", "wb") as f:
                for _ in range(600):  # bounded: without the limit, 600 MB in the copy's folder, removed after
                    f.write(chunk)
                    f.flush()
        """,
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, bwrap_works):
    base = tmp_path_factory.mktemp("sandbox")
    home = base / "home"
    home.mkdir()
    secret = f"instructor-secret-{TOKEN}"
    (home / "secret.txt").write_text(secret)
    copies = base / "copies"
    copies.mkdir()
    honest = _write(base / "submissions" / "honest" / "03_batched_dense.ipynb", _notebook(SOLUTION_03))
    honest_bytes = honest.read_bytes()
    server = Server()
    cells = _hostile_cells(base, home, honest, server.port)
    for name, cell in cells.items():
        _write(base / "submissions" / "hostile" / f"{name}.ipynb", _notebook(LESSON_03, cell))
    env = dict(os.environ, HOME=str(home), TMPDIR=str(copies), BACKPROP_PROGRESS="off")
    watch = Watch(copies, SLEEP)
    try:
        run = _grade(base, "--jobs", "2", "--processes", str(PROCESSES), "--file-mb", str(FILE_MB), env=env)
    finally:
        watch.stop()
        server.stop()
    planted = [Path(p) for p in (f"/tmp/hostile-{TOKEN}", f"/var/tmp/hostile-{TOKEN}", f"/root/hostile-{TOKEN}",
                                 home / f"hostile-{TOKEN}", base / f"hostile-{TOKEN}")]
    planted += [Path(checks.__file__).resolve().parent / f"_hostile_{TOKEN}.py",
                Path(nbformat.__file__).resolve().parent.parent / f"_hostile_{TOKEN}.pth"]
    planted += list(copies.glob(f"hostile-{TOKEN}")) + list(base.rglob(f"hostile-{TOKEN}"))
    found = sorted({p for p in planted if _exists(p)})
    sleepers_after = sleepers(SLEEP)
    yield {"base": base, "run": run, "honest": honest, "honest_bytes": honest_bytes, "server": server,
           "watch": watch, "found": found, "secret": secret, "names": list(cells), "copies": copies,
           "sleepers_after": sleepers_after}
    for path in found:  # a wall that failed must not leave its mess behind
        path.unlink(missing_ok=True)


def _hostile_row(hostile, name):
    return _rows(hostile["base"])[f"hostile/{name}.ipynb"]


def test_grading_runs_and_the_honest_learner_keeps_full_marks(hostile):
    assert hostile["run"].returncode == 0, hostile["run"].stderr
    rows = _rows(hostile["base"])
    assert len(rows) == 1 + len(hostile["names"])
    honest = rows["honest/03_batched_dense.ipynb"]
    assert (honest["status"], honest["lesson03.dense_backward"], honest["score"]) == ("graded", "3", "3")


def test_nothing_was_written_outside_the_copies(hostile):
    assert hostile["found"] == []
    assert "hostile-" not in " ".join(os.listdir(hostile["copies"]))  # and the copies are gone


def test_the_checks_package_is_read_only(hostile):
    assert _hostile_row(hostile, "checks_package")["status"] == "graded"
    text = _feedback(hostile["base"], "hostile/checks_package.ipynb")
    assert "Read-only file system" in text  # it tried, and the wall answered


def test_the_other_learners_original_is_unchanged(hostile):
    assert hostile["honest"].read_bytes() == hostile["honest_bytes"]
    text = _feedback(hostile["base"], "hostile/overwrite_other.ipynb")
    assert "No such file or directory" in text or "Read-only file system" in text


def test_the_home_folder_shows_nothing(hostile):
    text = _feedback(hostile["base"], "hostile/read_home.ipynb")
    assert "hostile-home-report" in text  # the cell ran and reported what it saw...
    assert hostile["secret"] not in text and "secret.txt" not in text  # ...which was nothing
    for other in Path(hostile["base"] / "out").rglob("*"):
        if other.is_file():
            assert hostile["secret"] not in other.read_text(encoding="utf-8", errors="replace")


def test_the_server_on_localhost_was_never_reached(hostile):
    assert hostile["server"].accepted == 0
    assert "hostile-network-report" in _feedback(hostile["base"], "hostile/network.ipynb")


def test_the_fork_bomb_stops_at_the_process_limit_and_leaves_nothing(hostile):
    watch = hostile["watch"]
    assert 0 < watch.most_sleepers < PROCESSES, watch.most_sleepers  # it started, and was stopped
    assert hostile["sleepers_after"] == 0 and sleepers(SLEEP) == 0  # and nothing outlived its kernel
    text = _feedback(hostile["base"], "hostile/fork_bomb.ipynb")
    assert "Resource temporarily unavailable" in text


def test_the_disk_filler_stops_at_the_file_size_limit(hostile):
    # It wrote into its copy's tmpfs (--disk-mb), never onto the grader's disk, and stopped at --file-mb.
    assert hostile["watch"].largest < 1 << 20, hostile["watch"].largest
    assert "File too large" in _feedback(hostile["base"], "hostile/fill_disk.ipynb")


def test_the_run_summary_says_the_sandbox_was_on(hostile):
    text = (hostile["base"] / "out" / "grades_summary.txt").read_text(encoding="utf-8")
    assert "Sandbox: on (bubblewrap" in text and "WARNING" not in text
    assert f"{PROCESSES} processes" in text and f"files up to {FILE_MB} MB" in text


# ---- without bubblewrap ----

def _small_class(base: Path) -> tuple[Path, bytes]:
    """An honest learner and, graded first, one whose extra cell overwrites the honest original."""
    honest = _write(base / "submissions" / "b_honest" / "03_batched_dense.ipynb", _notebook(SOLUTION_03))
    _write(base / "submissions" / "a_hostile" / "03_batched_dense.ipynb", _notebook(LESSON_03, f"""
        with open({str(honest)!r}, "w") as f:
            f.write("{{}}")
    """))
    return honest, honest.read_bytes()


@pytest.mark.parametrize("how", ["missing binary", "not on PATH"])
def test_grading_refuses_without_bubblewrap(tmp_path, how):
    _small_class(tmp_path)
    env = dict(os.environ)
    if how == "missing binary":
        env[sandbox.BWRAP_ENV] = str(tmp_path / "no" / "bwrap")
    else:
        env.pop(sandbox.BWRAP_ENV, None)
        empty = tmp_path / "empty-bin"
        empty.mkdir()
        env["PATH"] = str(empty)
    run = _grade(tmp_path, env=env, timeout=120)
    assert run.returncode == 3, run.stderr
    assert "refusing to grade" in run.stderr and "bubblewrap" in run.stderr
    assert "apt-get install bubblewrap" in run.stderr and "--no-sandbox" in run.stderr
    assert not (tmp_path / "out").exists()  # nothing ran, nothing written


def test_no_sandbox_grades_with_a_warning_everywhere_and_reads_originals_first(tmp_path):
    honest, honest_bytes = _small_class(tmp_path)
    env = dict(os.environ, **{sandbox.BWRAP_ENV: str(tmp_path / "no" / "bwrap")})
    run = _grade(tmp_path, "--no-sandbox", "--jobs", "1", env=env)  # one at a time: the hostile one first
    assert run.returncode == 0, run.stderr
    assert "--no-sandbox" in run.stderr and "WARNING" in run.stderr
    summary = (tmp_path / "out" / "grades_summary.txt").read_text(encoding="utf-8")
    assert summary.startswith(sandbox.NO_SANDBOX_WARNING) and "Sandbox: OFF" in summary
    rows = _rows(tmp_path)
    for name in rows:
        assert sandbox.NO_SANDBOX_WARNING in _feedback(tmp_path, name), name
    # Unwalled, the hostile cell really did overwrite the honest original before that one was graded...
    assert honest.read_bytes() == b"{}" != honest_bytes
    # ...and still the honest learner was graded on what was handed in: it was read before any kernel ran.
    row = rows["b_honest/03_batched_dense.ipynb"]
    assert (row["status"], row["score"]) == ("graded", "3")


# ---- the wall's shape, without running it ----

def test_hidden_folders_are_empty_and_read_only_and_only_the_copy_is_writable(tmp_path):
    work, home = tmp_path / "tmp" / "copy", tmp_path / "home"
    work.mkdir(parents=True)
    home.mkdir()
    args = sandbox.bwrap_args(str(work), [str(home), str(tmp_path / "tmp"), str(home / "inside"), "/"])
    pairs = list(zip(args, args[1:]))
    assert args[:3] == ["--ro-bind", "/", "/"]
    for folder in (home, tmp_path / "tmp"):
        assert ("--tmpfs", str(folder.resolve())) in pairs and ("--remount-ro", str(folder.resolve())) in pairs
    assert ("--tmpfs", "/") not in pairs and ("--tmpfs", str(home / "inside")) not in pairs  # never /, no nesting
    assert "--bind" not in args  # nothing of the machine's is writable...
    tmpfs = [args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"]
    sized = [args[i + 1] for i, a in enumerate(args) if a == "--size"]
    copy = str(work.resolve())
    assert tmpfs[-2:] == [copy, str(work.resolve() / sandbox.EXCHANGE)]  # ...but the copy's own tmpfs
    assert sum(map(int, sized)) == sandbox.DISK_MB << 20  # of --disk-mb in all, the exchange included
    assert ("--ro-bind", str(work.resolve() / sandbox.CONNECTION_FILE)) in pairs  # the connection file, read-only
    for option in ("--unshare-net", "--unshare-pid", "--die-with-parent"):
        assert option in args
    assert args.index(copy) < args.index("--remount-ro")  # the copy is mounted before its wall turns read-only


def test_python_inside_a_hidden_folder_is_put_back_read_only(tmp_path):
    prefix = Path(sys.prefix).resolve()
    args = sandbox.bwrap_args(str(tmp_path), [str(prefix.parent)])
    pairs = list(zip(args, args[1:]))
    assert ("--tmpfs", str(prefix.parent)) in pairs
    assert ("--ro-bind", str(prefix)) in pairs


def test_the_bwrap_setting_names_a_missing_binary(monkeypatch, tmp_path):
    monkeypatch.setenv(sandbox.BWRAP_ENV, str(tmp_path / "nope"))
    assert sandbox.bwrap_path() is None
    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap"):
        sandbox.check()


def test_the_wall_a_normal_user_gets(tmp_path, monkeypatch, bwrap_works):
    """As a normal user bwrap makes the user namespace itself (--unshare-user). Run here that way (in this
    process, as if the grader were not root): the honest work scores, writes outside the copy fail. (As
    root, this way would not enforce the process limit, which is why root's kernels become `nobody`.)"""
    from checks.grade.discover import Submission
    from checks.grade.execute import Limits
    from checks.grade.grade_one import grade

    monkeypatch.setattr(sandbox, "sandbox_user", lambda: None)
    monkeypatch.setenv("BACKPROP_PROGRESS", "off")
    planted = [Path(f"/tmp/hostile-user-{TOKEN}"), Path(checks.__file__).resolve().parent / f"_hostile_user_{TOKEN}.py"]
    cell = "".join(f"try:\n    open({str(p)!r}, 'w').close()\nexcept OSError:\n    pass\n" for p in planted)
    path = _write(tmp_path / "subs" / "03_batched_dense.ipynb", _notebook(SOLUTION_03, cell))
    try:
        row = grade(Submission(path, "03_batched_dense.ipynb"), Limits(hidden=(str(tmp_path),)))
        assert (row.status, row.score, row.warnings) == ("graded", 3, []), row.detail
        assert [p for p in planted if p.exists()] == []
    finally:
        for p in planted:
            p.unlink(missing_ok=True)
