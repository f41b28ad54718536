"""The Binder configuration (binder/) and the README's badge: what mybinder.org will build and open."""

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.browser_util import ROOT, copy_repo, course_notebooks, isolated_env

BINDER = ROOT / "binder"
FIRST_LESSON = "lessons/01_chain_rule_one_neuron.ipynb"


def requirement_lines(path):
    """The requirement lines of a pip requirements file, comments and blanks dropped."""
    lines = (line.split("#", 1)[0].strip() for line in Path(path).read_text().splitlines())
    return [line for line in lines if line]


def pins(lines):
    """{normalised name: version} for `name==version` lines; anything else is an error."""
    found = {}
    for line in lines:
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)", line)
        assert match, f"not an exact pin: {line!r}"
        found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


def runtime_version():
    return re.fullmatch(r"python-(\d+\.\d+)", (BINDER / "runtime.txt").read_text().strip()).group(1)


# ---------------------------------------------------------------- the files themselves


def test_binder_requirements_are_the_root_pins_without_the_editable_line():
    root = requirement_lines(ROOT / "requirements.txt")
    assert "-e ." in root, "requirements.txt should install the course itself with `-e .`"
    binder = requirement_lines(BINDER / "requirements.txt")
    assert "-e ." not in binder, "binder/requirements.txt runs before the repository is there: no `-e .`"
    assert pins(binder) == pins([line for line in root if line != "-e ."])
    assert len(binder) == len(root) - 1  # no duplicates hiding behind the dict


def test_runtime_and_post_build():
    assert (BINDER / "runtime.txt").read_text() == "python-3.11\n"
    post_build = BINDER / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    lines = post_build.read_text().splitlines()
    assert lines[0] == "#!/bin/bash"
    commands = [line.strip() for line in lines[1:] if line.strip() and not line.lstrip().startswith("#")]
    assert commands == ["set -e", "pip install --no-deps -e ."]


# ---------------------------------------------------------------- what repo2docker makes of it


def repo2docker_command():
    beside_python = Path(sys.executable).with_name("repo2docker")
    found = shutil.which("repo2docker") or (str(beside_python) if beside_python.exists() else None)
    if not found:
        pytest.skip("repo2docker is not installed (pip install jupyter-repo2docker, pinned in requirements-test.txt)")
    return found


def test_repo2docker_builds_python_from_runtime_and_runs_post_build(tmp_path):
    command = repo2docker_command()
    repo = copy_repo(tmp_path / "repo")
    # --no-build --debug prints the Dockerfile it would build; no Docker is needed.
    run = subprocess.run([command, "--no-build", "--debug", str(repo)], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert f"Building conda environment for python={runtime_version()}" in output, output[-3000:]
    dockerfile = output[output.index("FROM "):]
    # The conda lock file of that Python, named in repo2docker's escaped form ("." is "-2e", "-" is "-2d").
    escaped = runtime_version().replace(".", "-2e")
    assert f"environment-2epy-2d{escaped}-2dlinux-2d64-2elock" in dockerfile
    assert re.search(r'RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install --no-cache-dir -r "binder/requirements\.txt"',
                     dockerfile)
    assert "RUN ./binder/postBuild" in dockerfile
    # With binder/ present, the top-level requirements.txt (and its `-e .`) is ignored.
    assert not re.search(r'-r "requirements\.txt"', dockerfile)
    assert dockerfile.index('-r "binder/requirements.txt"') < dockerfile.index("RUN ./binder/postBuild")


# ---------------------------------------------------------------- an environment from binder/ alone

RUNNER = textwrap.dedent("""
    # Runs with the Binder-like environment's python: execute each notebook in its own folder,
    # as JupyterLab would, and report every error output.
    import json, sys
    from pathlib import Path
    import nbformat
    from nbclient import NotebookClient

    def run(path, tries=2):
        # A kernel that dies before it answers kernel_info has run nothing of the notebook: on a loaded
        # machine (the whole suite on shared cores) that happened once, so such a start is tried once more.
        # Any error after start-up is the notebook's and is reported.
        notebook = nbformat.read(path, as_version=4)
        try:
            NotebookClient(notebook, timeout=600, startup_timeout=180, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(Path(path).parent)}}).execute()
        except RuntimeError as exc:
            if tries > 1 and "before replying to kernel_info" in str(exc):
                print(f"{path}: kernel start failed ({exc}); starting it again", file=sys.stderr)
                return run(path, tries - 1)
            raise
        return notebook

    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys, checks, backprop_tools; print(sys.prefix); print(checks.__file__)")])
    probe_path = Path(sys.argv[1]) / "probe.ipynb"
    nbformat.write(probe, probe_path)
    where = run(probe_path).cells[0].outputs
    report = {"probe": [output.get("text", output.get("evalue", "")) for output in where], "errors": {}}
    for path in sys.argv[2:]:
        errors = [f"{o['ename']}: {o['evalue']}" for cell in run(path).cells
                  for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if errors:
            report["errors"][path] = errors
    print(json.dumps(report))
""")


def test_an_environment_built_from_binder_alone_runs_every_notebook(tmp_path):
    """Slow (a fresh venv plus every notebook): the closest to mybinder.org without Docker.

    The venv uses this machine's python3; runtime.txt names the version Binder uses.
    """
    repo = copy_repo(tmp_path / "repo")
    shutil.rmtree(repo / "tests")  # the environment must not lean on test code
    venv = tmp_path / "venv"
    env = isolated_env(tmp_path, PIP_DISABLE_PIP_VERSION_CHECK="1")
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    env.pop("VIRTUAL_ENV", None)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "-r", str(repo / "binder" / "requirements.txt")],
                   check=True, env=env, cwd=repo)
    subprocess.run([str(repo / "binder" / "postBuild")], check=True, env=env, cwd=repo)

    runner = tmp_path / "run_notebooks.py"
    runner.write_text(RUNNER)
    notebooks = [str(repo / name) for name in course_notebooks(repo)]
    run = subprocess.run([python, str(runner), str(tmp_path), *notebooks], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=3000)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    prefix, checks_file = "".join(report["probe"]).split()
    assert Path(prefix) == venv, "the kernel did not run in the Binder environment"
    assert Path(checks_file).is_relative_to(repo), "checks was not installed from the repository by postBuild"
    assert report["errors"] == {}, json.dumps(report["errors"], indent=1)


# ---------------------------------------------------------------- the README's badge


def test_readme_binder_badge_opens_lesson_one_in_jupyterlab():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(
        r"\[!\[[^\]]*\]\(https://mybinder\.org/badge_logo\.svg\)\]"
        r"\((https://mybinder\.org/v2/gh/([^/\s()]+)/([^/\s()]+)/HEAD\?urlpath=lab/tree/([^\s()]+))\)",
        readme,
    )
    assert badge, "README.md has no Binder badge of the form [![...](badge_logo.svg)](https://mybinder.org/v2/gh/...)"
    url, owner, repo, notebook = badge.groups()
    assert url == f"https://mybinder.org/v2/gh/{owner}/{repo}/HEAD?urlpath=lab/tree/{FIRST_LESSON}"
    assert (ROOT / notebook).is_file(), f"the badge opens {notebook}, which does not exist"
    if (owner, repo) == ("OWNER", "REPO"):
        assert re.search(r"OWNER/REPO", readme.replace(url, "")), "say in the README to replace OWNER/REPO"
