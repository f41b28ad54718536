"""One markdown file per submission: each graded exercise's outcome and message, as the learner
would have seen them in the notebook. The files mirror the submissions' paths inside a folder
beside the CSV."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from checks.engine.result import OUTCOMES

from .discover import Submission
from .grade_one import Grade
from .report import write_atomically


_SOLUTION_CALL = re.compile(r"""\.solution\(\s*["'](\w+)["']""")


def solutions_viewed(path) -> set:
    """Names of the exercises whose `check.solution("name")` the submitted notebook calls. Only reads; never raises."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8-sig"))["cells"]
        sources = ("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                   for c in cells if c.get("cell_type") == "code")
        return {name for source in sources for name in _SOLUTION_CALL.findall(source)}
    except Exception:  # an unreadable notebook is reported by grading itself
        return set()


def render(grade: Grade, viewed=frozenset()) -> str:
    total = grade.max_score
    lines = [f"# Feedback: {grade.notebook}", ""]
    lines += [f"**{warning}**\n" for warning in getattr(grade, "warnings", ())]  # e.g. graded with --no-sandbox
    lines.append(f"- Lesson: {grade.lesson or 'unknown'}")
    lines.append(f"- Status: {grade.status}")
    lines.append(f"- Score: {grade.score} of {total} ({grade.percent:g}%)" if total else f"- Score: {grade.score}")
    if grade.seed is not None:
        lines.append(f"- Random seed of the checks: {grade.seed}")
    lines.append("")
    if grade.status != "graded":
        lines += [grade.detail or "This notebook could not be graded.", ""]
        if total:
            lines += [f"Every exercise scores 0: a notebook scores only when it runs to the end and its kernel "
                      f"stays alive while the checks run (status: {grade.status}).", ""]
        return "\n".join(lines)
    for exercise_id in grade.exercises:
        result = grade.results.get(exercise_id)
        name = exercise_id.split(".", 1)[-1]
        if result is None:
            lines += [f"## ? Not checked: {name}", "", f"Points: 0 of {grade.max_points(exercise_id)}", "",
                      "The kernel stopped before this exercise could be checked.", ""]
            continue
        mark, words, _ = OUTCOMES.get(result.outcome, ("?", result.outcome, ""))
        lines += [f"## {mark} {words}: {name}", "", _points_line(grade, exercise_id, result), "",
                  "```text", result.message.replace("```", "'''"), "```", ""]
        if name in viewed:
            lines += [f'The notebook shows this exercise\'s solution (`check.solution("{name}")`).', ""]
    if grade.cell_errors:
        lines += ["## Cells that raised an error", "",
                  "The notebook kept running after each; exercises that needed them may have failed above.", ""]
        lines += [f"- {error}" for error in grade.cell_errors] + [""]
    return "\n".join(lines)


def _points_line(grade: Grade, exercise_id: str, result) -> str:
    """"Points: 2 of 3 (right: dinputs, dweights; not yet: dbiases)"."""
    line = f"Points: {grade.points(exercise_id)} of {grade.max_points(exercise_id)}"
    if result.parts and not grade.whole_exercises:
        right = ", ".join(name for name, passed in result.parts if passed) or "none"
        wrong = ", ".join(name for name, passed in result.parts if not passed)
        line += f" (right: {right}" + (f"; not yet: {wrong}" if wrong else "") + ")"
    return line


def path_for(folder: str, submission: Submission) -> Path:
    return Path(folder) / submission.relative.with_suffix(".md")


def write(folder: str, submission: Submission, grade: Grade) -> Path:
    path = path_for(folder, submission)
    os.makedirs(path.parent, exist_ok=True)
    write_atomically(str(path), render(grade, solutions_viewed(submission.path)))
    return path
