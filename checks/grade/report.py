"""The grades CSV: one row per submission, written atomically (a temporary file, then os.replace).

Columns: notebook (relative to the folder graded), student (from the LMS's naming, students.py),
lesson, status, one column per graded exercise `lessonNN.name` (the union over the rows' lessons, in
course order; the exercise's points, empty where it is not in the row's lesson), score (the points),
max_score (the lesson's points) and percent (score / max_score * 100, one decimal). An exercise whose
check judges parts (lesson 3's dinputs, dweights, dbiases) scores one point per part right; with
--whole-exercises every exercise is one point, only when all of it is right.

Every file grading writes is made with the mode the umask gives a new file (0644 under umask 022), as
`open` would: the temporary file of an atomic write is otherwise private (0600).
"""
from __future__ import annotations

import csv
import io
import os
import tempfile

from checks._catalog import all_exercises

from .grade_one import Grade


def columns(grades: list[Grade]) -> list[str]:
    present = {e for g in grades for e in g.exercises}
    ordered = [e.id for e in all_exercises(graded_only=True) if e.id in present]
    return ordered + sorted(present - set(ordered))


def render(grades: list[Grade]) -> str:
    exercise_columns = columns(grades)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["notebook", "student", "lesson", "status", *exercise_columns, "score", "max_score", "percent"])
    for g in grades:
        cells = [str(g.points(e)) if e in g.exercises else "" for e in exercise_columns]
        writer.writerow([g.notebook, getattr(g, "student", ""), g.lesson, g.status, *cells, g.score,
                         g.max_score if g.exercises else "", f"{g.percent:g}"])
    return out.getvalue()


def umask() -> int:
    """The process's umask, read without changing it where Linux shows it (/proc), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path: str, content: str | bytes) -> None:
    """Write `content` to `path` so that a reader sees the old file or the new one, never half of one.
    The file gets the mode a newly created file gets under the umask."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".grades-", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o666 & ~umask())
        data = content.encode("utf-8") if isinstance(content, str) else content
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def write_csv(path: str, grades: list[Grade]) -> None:
    write_atomically(path, render(grades))
