"""Shared helpers of the notebook scripts: where notebooks live, and how to read and write them.

Both scripts write notebooks only through `dumps`, so the same notebook always gives the same bytes
(nbformat's JSON: indent 1, sorted keys, a trailing newline), whoever runs them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = "solutions"
LESSONS = "lessons"
ARTIFACTS = "artifacts"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

_PREFIX = re.compile(r"^(\d+)_")


class UsageError(Exception):
    """A notebook named on the command line does not exist."""


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(os.fspath(path), as_version=4)


def dumps(nb: nbformat.NotebookNode) -> str:
    text = nbformat.writes(nb, version=4, indent=1)
    return text if text.endswith("\n") else text + "\n"


def write_if_changed(nb: nbformat.NotebookNode, path: Path) -> bool:
    """Write `nb` to `path` unless the file already holds exactly those bytes; True if written."""
    text = dumps(nb)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return True


def notebooks_in(folder: Path) -> list[Path]:
    """The notebooks directly in `folder`, sorted by name (checkpoints are in a subfolder, so skipped)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def course_info(name: str) -> dict[str, str]:
    """The `metadata.course` of notebook `name` ("03_batched_dense"), which the grader reads."""
    match = _PREFIX.match(name)
    if not match:
        raise ValueError(f"notebook name {name!r} does not start with a number prefix like '03_'")
    return {
        "lesson": f"lesson{int(match.group(1)):02d}",
        "notebook": name,
        "source": f"{SOLUTIONS}/{name}.ipynb",
    }


def _number(name: str) -> int | None:
    match = _PREFIX.match(name)
    return int(match.group(1)) if match else None


def resolve(args: list[str], root: Path) -> list[Path]:
    """Solution notebooks named by `args`: a name ("03_batched_dense"), its number ("03"), or a
    path to the solution or to its lesson. No args means every solution."""
    solutions = notebooks_in(root / SOLUTIONS)
    if not args:
        return solutions
    found = []
    for arg in args:
        stem = Path(arg).stem if arg.endswith(".ipynb") else Path(arg).name
        if stem.isdigit():
            matches = [p for p in solutions if _number(p.stem) == int(stem)]
        else:
            matches = [p for p in solutions if p.stem == stem]
        if len(matches) != 1:
            raise UsageError(f"no single solution notebook in {SOLUTIONS}/ matches {arg!r}")
        if matches[0] not in found:
            found.append(matches[0])
    return found


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return os.fspath(path)
