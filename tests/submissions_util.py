"""Submissions for the grading tests, made from the real solution and lesson notebooks, and one run of
`python -m checks.grade` over a folder of them (a subprocess: grading sets environment variables)."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def notebook(relative: str) -> nbformat.NotebookNode:
    """solutions/03_batched_dense.ipynb or lessons/..., as a fresh copy whose metadata names its lesson
    (as a lesson's does), so that a submission's own file name does not matter."""
    nb = nbformat.read(str(ROOT / relative), as_version=4)
    nb.metadata.setdefault("course", {"lesson": "lesson" + Path(relative).name[:2]})
    return nb


def replace_cell(nb: nbformat.NotebookNode, starts_with: str, source: str) -> nbformat.NotebookNode:
    """`nb` with the code cell whose source starts with `starts_with` replaced by `source`."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(starts_with))
    cell.source = textwrap.dedent(source).strip()
    return nb


def insert_before(nb: nbformat.NotebookNode, starts_with: str, source: str) -> nbformat.NotebookNode:
    """`nb` with a code cell `source` inserted before the code cell starting with `starts_with`."""
    index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.startswith(starts_with))
    nb.cells.insert(index, nbformat.v4.new_code_cell(textwrap.dedent(source).strip()))
    return nb


def append(nb: nbformat.NotebookNode, *sources: str) -> nbformat.NotebookNode:
    nb.cells += [nbformat.v4.new_code_cell(textwrap.dedent(s).strip()) for s in sources]
    return nb


def write(folder: Path, name: str, content) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, nbformat.NotebookNode):
        nbformat.write(content, str(path))
    else:
        path.write_text(content, encoding="utf-8")
    return path


def grade(base: Path, *paths: str, out: str = "out/grades.csv", jobs: int = 2, options=()) -> subprocess.CompletedProcess:
    """Run the grading command in `base` (paths relative to it); `options`: more of its arguments."""
    env = dict(os.environ, BACKPROP_PROGRESS_FILE=str(base / "instructor-progress.json"))
    return subprocess.run(
        [sys.executable, "-m", "checks.grade", *paths, "--out", out, "--jobs", str(jobs), "--quiet",
         "--cell-timeout", "30", "--notebook-timeout", "120", "--memory-mb", "1536", *options],
        cwd=base, env=env, capture_output=True, text=True, timeout=600,
    )


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
