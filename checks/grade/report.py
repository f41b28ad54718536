"""The grades CSV: one row per submission, written atomically (a temporary file, then os.replace).

Columns: notebook, lesson, status, one column per graded exercise `lessonNN.name` (the union over
the rows' lessons, in course order; the exercise's points, empty where it is not in the row's lesson),
score (the points), max_score (the lesson's points) and percent (score / max_score * 100, one decimal).
An exercise whose check judges parts (lesson 3's dinputs, dweights, dbiases) scores one point per part
right; with --whole-exercises every exercise is one point, only when all of it is right.
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
    writer.writerow(["notebook", "lesson", "status", *exercise_columns, "score", "max_score", "percent"])
    for g in grades:
        cells = [str(g.points(e)) if e in g.exercises else "" for e in exercise_columns]
        writer.writerow([g.notebook, g.lesson, g.status, *cells, g.score, g.max_score if g.exercises else "",
                         f"{g.percent:g}"])
    return out.getvalue()


def write_atomically(path: str, text: str) -> None:
    """Write `text` to `path` so that a reader sees the old file or the new one, never half of one."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".grades-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
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
