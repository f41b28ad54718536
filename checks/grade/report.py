"""The grades CSV: one row per submission, written atomically (a temporary file, then os.replace).

Columns: notebook (relative to the folder graded), student (from the LMS's naming, students.py),
lesson, status, runs (how many times the notebook was run in a kernel: 1, or 2 when the kernel or
worker of its first run died and it was graded on a second; empty when it never ran), one column per graded exercise `lessonNN.name` (the union over the rows' lessons, in
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
import re
import tempfile

from checks.engine.catalog import all_exercises

from .grade_one import Grade


def in_course_order(exercise_ids) -> list[str]:
    """The exercise ids, each once, in the course's order: by lesson number, a lesson's exercises as the
    lesson defines them, then any the course does not know (an older copy of a lesson) by name, and ids
    of no lesson last. The CSV's columns, the class report's rows and its chart all follow this order."""
    position = {e.id: i for i, e in enumerate(all_exercises())}

    def key(exercise_id: str):
        lesson = re.match(r"lesson(\d+)\.", exercise_id)
        return (int(lesson.group(1)) if lesson else 10**6, position.get(exercise_id, len(position)), exercise_id)

    return sorted(set(exercise_ids), key=key)


def columns(grades: list[Grade]) -> list[str]:
    """One column per exercise graded in any row, in course order."""
    return in_course_order(e for g in grades for e in g.exercises)


def render(grades: list[Grade]) -> str:
    exercise_columns = columns(grades)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["notebook", "student", "lesson", "status", "runs", *exercise_columns, "score", "max_score", "percent"])
    for g in grades:
        cells = [str(g.points(e)) if e in g.exercises else "" for e in exercise_columns]
        writer.writerow([g.notebook, getattr(g, "student", ""), g.lesson, g.status, g.runs or "", *cells, g.score,
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
