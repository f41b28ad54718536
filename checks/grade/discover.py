"""Which files to grade, how to name them, and each one's lesson.

A folder is searched recursively for `*.ipynb`, skipping `.ipynb_checkpoints`; a file named
explicitly is graded whatever its name. A submission's lesson comes from the notebook's
`metadata.course.lesson` ("lesson03"), written by scripts/make_lessons.py, falling back to the
file name's number prefix ("03_anything.ipynb" -> "lesson03").
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_PREFIX = re.compile(r"^(\d+)_")
_LESSON = re.compile(r"^lesson(\d+)$")


@dataclass(frozen=True)
class Submission:
    path: Path  # the file to read
    shown: str  # the path as given on the command line (folder + relative path), for the CSV

    @property
    def relative(self) -> PurePosixPath:
        """Where its feedback goes inside the feedback folder: `shown` without anchors or '..'."""
        parts = [p for p in PurePosixPath(self.shown.replace(os.sep, "/")).parts if p not in ("/", "..", ".")]
        return PurePosixPath(*parts) if parts else PurePosixPath(self.path.name)


class NothingToGrade(Exception):
    """A PATH that does not exist."""


def find(paths) -> list[Submission]:
    """The submissions under `paths` (files or folders), without duplicates, sorted by `shown`."""
    found: dict[Path, Submission] = {}
    for given in paths:
        given = str(given)
        path = Path(given)
        if path.is_dir():
            for notebook in sorted(path.rglob("*.ipynb")):
                relative = notebook.relative_to(path)
                if ".ipynb_checkpoints" in relative.parts or not notebook.is_file():
                    continue
                found.setdefault(notebook.resolve(), Submission(notebook, os.path.normpath(os.path.join(given, str(relative)))))
        elif path.exists():
            found.setdefault(path.resolve(), Submission(path, given))
        else:
            raise NothingToGrade(f"no such file or folder: {given}")
    return sorted(found.values(), key=lambda s: s.shown)


def lesson_of(notebook: dict, file_name: str) -> str | None:
    """"lessonNN" from the notebook's metadata, else from the file name's number prefix, else None."""
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    course = metadata.get("course") if isinstance(metadata, dict) else None
    lesson = course.get("lesson") if isinstance(course, dict) else None
    if isinstance(lesson, str):
        match = _LESSON.match(lesson.strip())
        if match:
            return f"lesson{int(match.group(1)):02d}"
    match = _PREFIX.match(file_name)
    return f"lesson{int(match.group(1)):02d}" if match else None
