"""Which lesson a submission is, when the instructor does not say (`--lesson`).

In this order, the first that answers:

1. the notebook's metadata: `metadata.course.lesson` ("lesson03"), written by scripts/make_lessons.py;
2. its file name: a lesson's own name anywhere in it ("03_batched_dense", as in Canvas's
   `smithjane_12345_678901_03_batched_dense-1.ipynb`), else a plain number prefix ("03_mine.ipynb");
3. its content: the lines the course wrote in its lesson notebooks (lessons/*.ipynb) that belong to one
   lesson only. A notebook that holds at least half of one lesson's lines, and clearly more of that lesson's
   than of any other's, is that lesson. Learners' edits to exercise cells, added cells and stored outputs do
   not matter: only lines the course wrote are compared, outputs never.

A broken file (not a notebook) has only its name (`lesson_of_name`).
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

LESSONS = Path(__file__).resolve().parents[2] / "lessons"  # the course's blank lessons
_METADATA = re.compile(r"^lesson(\d+)$")
_PREFIX = re.compile(r"^(\d{1,2})_")
_SPACES = re.compile(r"\s+")
SHORTEST_LINE = 16  # shorter lines ("import numpy as np", "print(x)") say little about which lesson
ENOUGH = 0.5  # the share of a lesson's own lines a notebook must hold to be that lesson
MARGIN = 2.0  # ... and how many times the next lesson's share it must be


def lesson_of_metadata(notebook) -> str | None:
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    course = metadata.get("course") if isinstance(metadata, dict) else None
    lesson = course.get("lesson") if isinstance(course, dict) else None
    match = _METADATA.match(lesson.strip()) if isinstance(lesson, str) else None
    return f"lesson{int(match.group(1)):02d}" if match else None


@functools.lru_cache(maxsize=1)
def lesson_names() -> dict[str, str]:
    """{"03_batched_dense": "lesson03", ...}: the course's lesson notebooks' names, longest first."""
    names = {p.stem: f"lesson{int(p.stem[:2]):02d}" for p in LESSONS.glob("[0-9][0-9]_*.ipynb")}
    return dict(sorted(names.items(), key=lambda item: -len(item[0])))


def lesson_of_name(file_name: str) -> str | None:
    """A lesson's name anywhere in `file_name` (not preceded by a digit, not followed by a letter or
    digit), else its number prefix ("03_" or "3_"), else None."""
    for name, lesson in lesson_names().items():
        if re.search(rf"(?<!\d){re.escape(name)}(?![A-Za-z0-9])", file_name, re.IGNORECASE):
            return lesson
    match = _PREFIX.match(file_name)
    return f"lesson{int(match.group(1)):02d}" if match else None


def _lines(notebook) -> set[str]:
    """The notebook's cells' lines, spaces collapsed, long enough to tell lessons apart. Never raises."""
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    found = set()
    for cell in cells if isinstance(cells, list) else ():
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        source = "".join(source) if isinstance(source, list) else source
        if not isinstance(source, str):
            continue
        for line in source.splitlines():
            line = _SPACES.sub(" ", line).strip()
            if len(line) >= SHORTEST_LINE:
                found.add(line)
    return found


@functools.lru_cache(maxsize=1)
def fingerprints() -> dict[str, frozenset[str]]:
    """lesson -> the lines of its notebook that no other lesson's notebook has."""
    lines = {}
    for path in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb")):
        try:
            lines[f"lesson{int(path.stem[:2]):02d}"] = _lines(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return {lesson: frozenset(own - set().union(*(v for k, v in lines.items() if k != lesson)))
            for lesson, own in lines.items()}


def lesson_of_content(notebook) -> str | None:
    """The lesson whose own lines the notebook holds (see the module's docstring), else None."""
    lines = _lines(notebook)
    if not lines:
        return None
    shares = sorted(((len(own & lines) / len(own), lesson) for lesson, own in fingerprints().items() if own),
                    reverse=True)
    if not shares:
        return None
    (best, lesson), runner_up = shares[0], (shares[1][0] if len(shares) > 1 else 0.0)
    return lesson if best >= ENOUGH and best >= MARGIN * runner_up else None


def lesson_of(notebook, file_name: str) -> str | None:
    """"lessonNN" from the metadata, else the file name, else the content; None if none says."""
    return lesson_of_metadata(notebook) or lesson_of_name(file_name) or lesson_of_content(notebook)
