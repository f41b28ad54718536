"""Which files to grade, how to name them, whose they are, and each one's lesson.

A folder is searched recursively for `*.ipynb`, skipping `.ipynb_checkpoints`; a file named
explicitly is graded whatever its name. Each submission is named (`shown`, the CSV's `notebook`
column and the feedback mirror's path) relative to the folder graded: with several PATHs, relative to
the folder that holds them all; a file named on its own is its file name. Its student comes from the
LMS's naming (students.py), its lesson from `--lesson`, else from the notebook itself (recognise.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .recognise import lesson_of, lesson_of_name  # noqa: F401 (lesson_of: the grader's one entry point)
from .students import student_of


@dataclass(frozen=True)
class Submission:
    path: Path  # the file to read
    shown: str  # its name in the CSV and the feedback folder: relative to the folder graded
    student: str = ""  # from the LMS's naming (students.py), "" if none
    lesson: str | None = None  # "lesson03" when the instructor said which (--lesson), else None

    @property
    def relative(self) -> PurePosixPath:
        """Where its feedback goes inside the feedback folder: `shown` without anchors or '..'."""
        parts = [p for p in PurePosixPath(self.shown.replace(os.sep, "/")).parts if p not in ("/", "..", ".")]
        return PurePosixPath(*parts) if parts else PurePosixPath(self.path.name)


class NothingToGrade(Exception):
    """A PATH that does not exist."""


def _folder_of(given: str) -> str:
    """The folder a PATH stands for: itself if a folder, else the folder holding the file."""
    absolute = os.path.abspath(given)
    return absolute if os.path.isdir(absolute) else os.path.dirname(absolute)


def find(paths, lesson: str | None = None) -> list[Submission]:
    """The submissions under `paths` (files or folders), without duplicates, sorted by `shown`.
    `lesson` ("lesson03"), when given, is every submission's lesson."""
    paths = [str(p) for p in paths]
    for given in paths:
        if not os.path.exists(given):
            raise NothingToGrade(f"no such file or folder: {given}")
    base = os.path.commonpath([_folder_of(p) for p in paths]) if paths else os.getcwd()
    found: dict[Path, Submission] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for notebook in sorted(path.rglob("*.ipynb")):
                relative = notebook.relative_to(path)
                if ".ipynb_checkpoints" in relative.parts or not notebook.is_file():
                    continue
                found.setdefault(notebook.resolve(), Submission(
                    notebook, os.path.relpath(os.path.abspath(notebook), base), student_of(relative, path), lesson))
        else:
            found.setdefault(path.resolve(), Submission(
                path, os.path.relpath(os.path.abspath(path), base), student_of(PurePosixPath(path.name), path.parent),
                lesson))
    return sorted(found.values(), key=lambda s: s.shown)
