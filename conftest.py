"""One `python -m pytest` from the repository root runs everything (options in pyproject.toml):

- tests/                 the ordinary tests;
- solutions/*.ipynb      nbval, strict: every stored output must be reproduced;
- lessons/*.ipynb        nbval, lax: only cells marked NBVAL_CHECK_OUTPUT are compared, but a cell that
                         raises still fails (a blank lesson must run top to bottom).

Other notebooks (fixtures under tests/, for example) are not run by nbval unless named on the command line.

Files the tests and the notebook kernels write stay under artifacts/ (git-ignored; BACKPROP_TEST_ARTIFACTS
moves it): never in the user's home or the tracked tree. The tests' HOME and XDG folders point there too,
so matplotlib's cache, Jupyter's runtime files and Chromium's profile land under artifacts/home. Each notebook's kernel gets a progress file of its own, emptied
before it starts, so a notebook's output does not depend on which notebooks ran before it.
"""

import os
from pathlib import Path

import pytest
from nbval.plugin import IPyNbCell, IPyNbFile

ROOT = Path(__file__).resolve().parent
ARTIFACTS = Path(os.environ.get("BACKPROP_TEST_ARTIFACTS") or ROOT / "artifacts")
NOTEBOOK_FOLDERS = {"solutions": "strict", "lessons": "lax"}

ARTIFACTS.mkdir(parents=True, exist_ok=True)
os.environ["BACKPROP_TEST_ARTIFACTS"] = str(ARTIFACTS)  # nested runs (tests/test_every_cpu.py) pick their own

# Everything that writes into the home folder (matplotlib's font cache, Jupyter's runtime and data files,
# IPython, Chromium's profile, dconf, npm's cache) follows HOME or an XDG variable: point them all here.
_HOME = ARTIFACTS / "home"
for _name, _path in {"HOME": _HOME, "XDG_CONFIG_HOME": _HOME / ".config", "XDG_CACHE_HOME": _HOME / ".cache",
                     "XDG_DATA_HOME": _HOME / ".local/share", "XDG_STATE_HOME": _HOME / ".local/state",
                     "MPLCONFIGDIR": _HOME / ".config/matplotlib", "npm_config_cache": _HOME / ".npm",
                     "JUPYTER_RUNTIME_DIR": _HOME / ".local/share/jupyter/runtime"}.items():
    _path.mkdir(parents=True, exist_ok=True)
    os.environ[_name] = str(_path)
# One file per xdist worker ("gw0", "gw1"; "main" without xdist), so parallel tests never share one.
_WORKER_PROGRESS = ARTIFACTS / f"pytest-progress-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.json"
_WORKER_PROGRESS.unlink(missing_ok=True)
os.environ["BACKPROP_PROGRESS_FILE"] = str(_WORKER_PROGRESS)
# Strict mode makes a check that is not "correct" raise: blank lessons would fail, so CI never sets it.
# A maintainer may still run `BACKPROP_STRICT=1 python -m pytest solutions` to catch a failing check.
os.environ.setdefault("BACKPROP_STRICT", "")
# The kernels must not read a user's IPython startup files (they could change outputs) or write history
# into the home directory.
os.environ["IPYTHONDIR"] = str(ARTIFACTS / "ipython")

_started_notebooks = set()


def _notebook_mode(path: Path):
    """"strict" or "lax" for a notebook in solutions/ or lessons/, else None."""
    path = Path(path).resolve()
    for folder, mode in NOTEBOOK_FOLDERS.items():
        if ROOT / folder in path.parents:
            return mode
    return None


def pytest_configure(config):
    # nbval opens the sanitize file relative to the working directory; make it the repo's file.
    sanitize = getattr(config.option, "nbval_sanitize_with", None)
    if sanitize and not os.path.isabs(sanitize) and not os.path.exists(sanitize):
        config.option.nbval_sanitize_with = str(config.rootpath / sanitize)


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collected = yield
    kept = []
    for node in collected:
        if isinstance(node, IPyNbFile):
            mode = _notebook_mode(file_path)
            if mode is None and not parent.session.isinitpath(file_path):
                continue
            if mode == "lax":
                node.compare_outputs = False  # read by IPyNbFile.collect(), which runs later
        kept.append(node)
    return kept


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Point BACKPROP_PROGRESS_FILE at this notebook's own file before nbval starts its kernel."""
    if not isinstance(item, IPyNbCell):
        os.environ["BACKPROP_PROGRESS_FILE"] = str(_WORKER_PROGRESS)
        return
    notebook = Path(item.parent.path).resolve()
    progress = ARTIFACTS / "nbval-progress" / f"{notebook.parent.name}-{notebook.stem}.json"
    if notebook not in _started_notebooks:
        _started_notebooks.add(notebook)
        progress.parent.mkdir(parents=True, exist_ok=True)
        progress.unlink(missing_ok=True)
    os.environ["BACKPROP_PROGRESS_FILE"] = str(progress)
