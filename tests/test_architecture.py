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
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


CONTRACTS = ("layers", "engine-layers", "progress-listens", "tools-apart", "no-circles")  # the ids in pyproject.toml


def lint(root: Path) -> tuple[dict[str, str], str]:
    """Run lint-imports on the packages and pyproject.toml under `root` (nothing cached, nothing written).
    Returns ({contract id: "KEPT" or "BROKEN"}, the linter's report)."""
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: pip install -r requirements-test.txt")
    config = root / "pyproject.toml"
    names = {c["name"]: c["id"] for c in tomllib.loads(config.read_text())["tool"]["importlinter"]["contracts"]}
    # The packages under `root`, not the installed ones; a wide terminal, so no contract's name is wrapped.
    environment = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "10000"}
    run = subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
                         cwd=root, env=environment, capture_output=True, text=True, timeout=120)
    report = run.stdout + run.stderr
    status = {names[line.rsplit(" ", 1)[0]]: line.rsplit(" ", 1)[1] for line in run.stdout.splitlines()
              if line.rsplit(" ", 1)[-1] in ("KEPT", "BROKEN") and line.rsplit(" ", 1)[0] in names}
    assert set(status) == set(CONTRACTS), report  # every contract was checked, and it said how it went
    assert (run.returncode == 0) == all(s == "KEPT" for s in status.values()), report
    return status, report


def broken(status: dict[str, str]) -> set[str]:
    return {contract for contract, said in status.items() if said == "BROKEN"}


def test_the_course_keeps_every_architecture_contract():
    status, report = lint(ROOT)
    assert broken(status) == set(), report


@pytest.fixture
def copy(tmp_path) -> Path:
    """A temporary copy of the two packages and the contracts, to break on purpose."""
    for package in ("checks", "backprop_tools"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(root: Path, module: str, imported: str) -> None:
    """Add `import <imported>` at the end of `module` ("checks.grade.batch") in the copy at `root`."""
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\nimport {imported}  # planted\n", encoding="utf-8")


def test_an_untouched_copy_keeps_the_contracts(copy):
    # The baseline for the tests below: what breaks there is what they planted.
    assert broken(lint(copy)[0]) == set()


def test_a_circle_between_two_grading_modules_breaks_the_no_circle_contract(copy):
    plant(copy, "checks.grade.batch", "checks.grade.cli")
    status, report = lint(copy)
    assert broken(status) == {"no-circles"}, report
    assert "No cycles are allowed in checks.grade" in report and ".batch -> .cli" in report, report


def test_the_engine_reaching_for_progress_breaks_the_progress_contract_and_makes_a_circle(copy):
    # The circle this house once had: the exercise engine recording progress, progress reading the catalogue.
    plant(copy, "checks.engine.exercise", "checks.learner_progress.store")
    plant(copy, "checks.learner_progress.store", "checks.engine.catalog")
    status, report = lint(copy)
    assert {"progress-listens", "no-circles"} <= broken(status), report
    assert "checks.engine.exercise -> checks.learner_progress.store" in report, report


def test_a_lesson_helper_importing_a_lesson_breaks_the_layers(copy):
    plant(copy, "checks.lesson_helpers.examples", "checks.lesson03")
    status, report = lint(copy)
    assert "layers" in broken(status), report
    assert "checks.lesson_helpers.examples -> checks.lesson03" in report, report


def test_backprop_tools_importing_checks_breaks_their_independence(copy):
    plant(copy, "backprop_tools.plot_style", "checks")
    status, report = lint(copy)
    assert broken(status) == {"tools-apart"}, report
    assert "backprop_tools.plot_style -> checks" in report, report
