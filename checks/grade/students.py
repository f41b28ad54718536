"""Whose a submission is: the student part of the names LMS downloads give, for the CSV's `student` column.

The file name and then each folder up to the graded one are tried, innermost first, against:

    Canvas      smithjane_12345_678901_03_batched_dense-1.ipynb        -> smithjane
                smithjane_LATE_12345_678901_03_batched_dense.ipynb     -> smithjane
    Moodle      Jane Roe_34567_assignsubmission_file_/my work.ipynb    -> Jane Roe  (a folder per student)
                Jane Roe_34567_assignsubmission_file_my work.ipynb     -> Jane Roe  (without folders)
    Blackboard  Lesson 3_jroe_attempt_2026-03-02-10-15-00_mine.ipynb   -> jroe
    Gradescope  submission_123456/03_batched_dense.ipynb               -> the submitters' names in
                submission_metadata.yml beside the folder (Gradescope's "Export Submissions"), joined
                by ", ", else submission_123456

Otherwise the first folder under the graded one (`alice/mine.ipynb` -> alice), else "" (a file directly
in the graded folder, or named on the command line).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path, PurePath

CANVAS = re.compile(r"^(?P<student>[^_]+)_(?:LATE_)?\d+_\d+_.+$", re.IGNORECASE)
MOODLE = re.compile(r"^(?P<student>.+?)_\d+_assignsubmission_[a-z]+_", re.IGNORECASE)
BLACKBOARD = re.compile(r"^.+?_(?P<student>[^_]+)_attempt_\d{4}(?:-\d{2}){5}(?:_.*)?$")
GRADESCOPE = re.compile(r"^submission_\d+$")
PATTERNS = (MOODLE, BLACKBOARD, CANVAS)  # Moodle's and Blackboard's markers are surer than Canvas's digits


def student_of(relative: PurePath, graded: Path) -> str:
    """The student of the file at `graded / relative` (see the module's docstring)."""
    parts = relative.parts
    for depth in range(len(parts) - 1, -1, -1):  # the file name, then its folders, innermost first
        name = parts[depth]
        if depth < len(parts) - 1 and GRADESCOPE.match(name):
            return _gradescope_submitters(str(graded.joinpath(*parts[:depth]))).get(name) or name
        for pattern in PATTERNS:
            match = pattern.match(name)
            if match and match.group("student").strip():
                return match.group("student").strip()
    return parts[0] if len(parts) > 1 else ""


@functools.lru_cache(maxsize=64)
def _gradescope_submitters(folder: str) -> dict[str, str]:
    """{"submission_123456": "Jane Roe, Sam Poe"} from `folder`/submission_metadata.yml; {} if it is
    missing or unreadable. PyYAML comes with JupyterLab (jupyter-events needs it)."""
    try:
        import yaml

        with open(Path(folder) / "submission_metadata.yml", encoding="utf-8") as f:
            metadata = yaml.safe_load(f)
    except Exception:  # no file, no PyYAML, or not YAML: the folder's name will do
        return {}
    found = {}
    for key, entry in metadata.items() if isinstance(metadata, dict) else ():
        submitters = entry.get(":submitters") if isinstance(entry, dict) else None
        names = [str(s.get(":name")).strip() for s in submitters if isinstance(s, dict) and s.get(":name")] \
            if isinstance(submitters, list) else []
        if names:
            found[str(key)] = ", ".join(names)
    return found
