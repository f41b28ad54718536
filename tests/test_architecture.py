"""The architecture's contracts (pyproject.toml's [tool.importlinter], drawn in docs/ARCHITECTURE.md),
checked by import-linter: the layers of `checks`, progress listening to the engine, `backprop_tools`
apart from `checks`, and no import circle in any package. The linter reads the source (it imports
nothing of ours), so the whole run takes well under a second.

The second half proves the check can fail: it plants a circle, a layer turned upside down and a
bridge between the two packages in a temporary copy of the packages, and the linter must name each.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


CONTRACTS = ("layers", "progress-listens", "tools-apart", "no-circles")  # the ids in pyproject.toml


def lint(root: Path, contract: str | None = None) -> subprocess.CompletedProcess:
    """Run lint-imports on the packages and pyproject.toml under `root`, every contract or the one named
    (nothing cached, nothing written)."""
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: pip install -r requirements-test.txt")
    environment = {**os.environ, "PYTHONPATH": str(root)}  # the packages under `root`, not the installed ones
    only = ["--contract", contract] if contract else []
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", *only, str(root / "pyproject.toml")],
                          cwd=root, env=environment, capture_output=True, text=True, timeout=120)


def broken(root: Path) -> set[str]:
    """The ids of the contracts that the packages under `root` break."""
    return {contract for contract in CONTRACTS if lint(root, contract).returncode != 0}


def test_the_course_keeps_every_architecture_contract():
    run = lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken" in run.stdout, run.stdout


@pytest.fixture
def copy(tmp_path) -> Path:
    """A temporary copy of the two packages and the contracts, to break on purpose."""
    for package in ("checks", "backprop_tools"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_an_untouched_copy_keeps_the_contracts(copy):
    # The baseline for the tests below: what breaks there is what they planted.
    assert broken(copy) == set()


def test_a_circle_between_two_grading_modules_breaks_the_no_circle_contract(copy):
    plant(copy / "checks" / "grade" / "batch.py", "from . import cli  # planted")
    assert broken(copy) == {"no-circles"}
    report = lint(copy, "no-circles").stdout
    assert "No cycles are allowed in checks.grade" in report and ".batch -> .cli" in report, report


def test_the_engine_reaching_for_progress_breaks_the_layers_and_the_progress_contract(copy):
    # The circle this house once had: the exercise engine recording progress, progress reading the catalogue.
    plant(copy / "checks" / "_exercise.py", "from . import _progress  # planted")
    plant(copy / "checks" / "_progress.py", "from . import _catalog  # planted")
    assert broken(copy) == {"progress-listens", "no-circles"}
    report = lint(copy, "progress-listens").stdout
    assert "checks._exercise is not allowed to import checks._progress" in report, report


def test_a_lesson_helper_importing_a_lesson_breaks_the_layers(copy):
    plant(copy / "checks" / "_reference.py", "from . import lesson03  # planted")
    assert "layers" in broken(copy)
    report = lint(copy, "layers").stdout
    assert "checks._reference is not allowed to import checks.lesson03" in report, report


def test_backprop_tools_importing_checks_breaks_their_independence(copy):
    plant(copy / "backprop_tools" / "plot_style.py", "import checks  # planted")
    assert broken(copy) == {"tools-apart"}
