"""`python -m checks.grade --gradescope-autograder OUT.zip --gradescope-lesson 3`: a Gradescope
autograder bundle for one assignment, one lesson. A bundle without its lesson is refused: it would
score whatever lesson a learner hands in (a lesson 9 notebook, 5 of 5, in a lesson 3 assignment).
At the zip's root, as Gradescope requires:

    setup.sh          installs Python >= 3.11, a virtual environment and the pinned requirements (once)
    run_autograder    grades /autograder/submission/*.ipynb -> /autograder/results/results.json (gradescope.py)
    requirements.txt  the course's pinned runtime requirements, unchanged (ending with `-e .`)
    pyproject.toml, checks/, backprop_tools/   the course's own package, which `-e .` installs

The two scripts are templates in gradescope_files/. Files are written in a fixed order with fixed
dates, so the same course gives the same zip.
"""
from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

from .gradescope import normalise_lesson

ROOT = Path(__file__).resolve().parents[2]  # the repository: pyproject.toml, requirements.txt, checks/
TEMPLATES = Path(__file__).resolve().parent / "gradescope_files"
PACKAGES = ("checks", "backprop_tools")
_DATE = (2020, 1, 1, 0, 0, 0)


def package_files() -> list[Path]:
    """The course package's files, relative to ROOT (no caches, no compiled files)."""
    found = [Path("pyproject.toml"), Path("requirements.txt")]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            relative = path.relative_to(ROOT)
            if path.is_file() and "__pycache__" not in relative.parts and path.suffix not in (".pyc", ".pyo"):
                found.append(relative)
    return found


def run_autograder_script(lesson: str | None, whole_exercises: bool = False) -> str:
    template = (TEMPLATES / "run_autograder").read_text(encoding="utf-8")
    arguments = " ".join(([f"--lesson {lesson}"] if lesson else []) + (["--whole-exercises"] if whole_exercises else []))
    return template.replace("@LESSON_ARGUMENTS@", arguments)


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o755 if executable else 0o644) | 0o100000) << 16  # a regular file, with its mode
    archive.writestr(info, data)


def export(out: str, lesson: str, whole_exercises: bool = False) -> Path:
    """Write the bundle to `out`; `lesson` ("3", "lesson03") fixes the assignment's exercises;
    `whole_exercises` scores 1 point per exercise, only when all of it is right. Returns its path.
    ValueError, writing nothing, without a lesson or for one that is not graded."""
    if not lesson:
        raise ValueError("a Gradescope bundle needs its assignment's lesson: --gradescope-lesson N")
    lesson = normalise_lesson(lesson)
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = out_path.with_name(f".{out_path.name}.tmp")
    with zipfile.ZipFile(temporary, "w") as archive:
        _add(archive, "setup.sh", (TEMPLATES / "setup.sh").read_bytes(), executable=True)
        _add(archive, "run_autograder", run_autograder_script(lesson, whole_exercises).encode("utf-8"), executable=True)
        for relative in package_files():
            if relative.parts[:3] == ("checks", "grade", TEMPLATES.name):
                continue  # the templates are the two scripts above
            _add(archive, relative.as_posix(), (ROOT / relative).read_bytes())
    os.replace(temporary, out_path)
    return out_path


def main(out: str, lesson: str | None, whole_exercises: bool = False) -> int:
    """The command line's --gradescope-autograder: 0, or 2 for a missing lesson or one that is not graded."""
    try:
        path = export(out, lesson, whole_exercises)
    except ValueError as exc:
        print(f"python -m checks.grade: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: upload it as the assignment's autograder (Configure Autograder, zip file)", file=sys.stderr)
    return 0
