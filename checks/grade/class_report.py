"""What the class got wrong: beside the grades CSV, grading writes

    <name>_detail.csv   one row per submission and graded exercise: notebook, lesson, status, exercise,
                        outcome, part, diagnosis, points, max_points, parts_passed, parts_failed,
                        solution_viewed
    <name>_report.md    for each exercise: how many submissions passed, each outcome's count, and the most
                        common mistakes by kind in the learner-facing words (mistakes.py), with counts
    <name>_report.png   the chart the report shows (class_chart.py)

Nothing here names a learner: a submission appears only by its path, and no feedback message (which
may quote the learner's code) is copied. `solution_viewed` is "yes" where the graded run of the notebook
reached the exercise's last hint level (the pointer to the solution); empty means unknown, not "no".
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from checks.engine.catalog import all_exercises
from checks.engine.result import OUTCOMES

from . import mistakes
from .grade_one import Grade
from .report import columns, write_atomically

DETAIL_COLUMNS = ["notebook", "lesson", "status", "exercise", "outcome", "part", "diagnosis", "points", "max_points",
                  "parts_passed", "parts_failed", "solution_viewed"]
# An outcome beyond the checks' own: the notebook was not graded. `not_checked` is the checks' (nothing could be
# judged), and also the outcome of an exercise the kernel stopped before (diagnosis `kernel_stopped`).
EXTRA_OUTCOMES = {"not_graded": ("■", "Notebook not graded")}
ORDER = ["correct", "incorrect", "raised", "not_attempted", "uncheckable", "not_checked", "not_graded"]


def paths_for(out: str) -> dict[str, Path]:
    """grades.csv -> grades_detail.csv, grades_report.md, grades_report.png (beside it)."""
    base = Path(out)
    return {"detail": base.with_name(base.stem + "_detail.csv"), "report": base.with_name(base.stem + "_report.md"),
            "chart": base.with_name(base.stem + "_report.png")}


def outcome_label(outcome: str) -> str:
    mark, words = OUTCOMES[outcome][:2] if outcome in OUTCOMES else EXTRA_OUTCOMES.get(outcome, ("", outcome))
    return f"{mark} {words}".strip()


def cells(grade: Grade) -> list[dict]:
    """The detail rows of one submission (one with an empty exercise if it has no exercises)."""
    rows = []
    for exercise_id in grade.exercises or [""]:
        result = grade.results.get(exercise_id)
        if grade.status != "graded":
            outcome, part, diagnosis = "not_graded", "", ""
        elif result is None:
            outcome, part, diagnosis = "not_checked", "", "kernel_stopped"
        else:
            outcome, part, diagnosis = result.outcome, result.part or "", result.diagnosis or ""
        parts = result.parts if result is not None and grade.status == "graded" else ()
        rows.append({
            "notebook": grade.notebook, "lesson": grade.lesson, "status": grade.status, "exercise": exercise_id,
            "outcome": outcome, "part": part, "diagnosis": diagnosis,
            "points": str(grade.points(exercise_id)) if exercise_id else "0",
            "max_points": str(grade.max_points(exercise_id)) if exercise_id else "",
            "parts_passed": ";".join(name for name, passed in parts if passed),
            "parts_failed": ";".join(name for name, passed in parts if not passed),
            "solution_viewed": "yes" if getattr(grade, "solution_viewed", {}).get(exercise_id) else "",
        })
    return rows


def render_detail(grades: list[Grade]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, DETAIL_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for grade in grades:
        writer.writerows(cells(grade))
    return out.getvalue()


def tally(grades: list[Grade]) -> dict[str, dict]:
    """exercise id -> {"outcomes": Counter, "mistakes": Counter of diagnosis (None: no kind), "viewed": int,
    "points": total points, "max_points": the exercise's points, "parts": Counter of parts right}."""
    found = {e: {"outcomes": Counter(), "mistakes": Counter(), "viewed": 0, "points": 0, "max_points": 0,
                 "parts": Counter()} for e in columns(grades)}
    for grade in grades:
        for row in cells(grade):
            if not row["exercise"]:
                continue
            counts = found[row["exercise"]]
            counts["outcomes"][row["outcome"]] += 1
            if row["outcome"] == "incorrect":
                counts["mistakes"][row["diagnosis"] or None] += 1
            counts["viewed"] += row["solution_viewed"] == "yes"
            counts["points"] += int(row["points"])
            counts["max_points"] = max(counts["max_points"], int(row["max_points"] or 0))
            counts["parts"].update(name for name in row["parts_passed"].split(";") if name)
    return found


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_report(grades: list[Grade], chart_name: str | None) -> str:
    titles = {e.id: e.title for e in all_exercises()}
    part_names = {e.id: e.parts for e in all_exercises()}
    graded = sum(g.status == "graded" for g in grades)
    lines = ["# What the class got wrong", "",
             f"{_plural(len(grades), 'submission')}: {graded} graded, {len(grades) - graded} not graded. "
             "Submissions are named only by their paths; per-submission rows are in the detail CSV.", ""]
    if chart_name:
        lines += [f"![Outcomes and mistakes by exercise]({chart_name})", ""]
    for exercise_id, counts in tally(grades).items():
        total = sum(counts["outcomes"].values())
        passed = counts["outcomes"]["correct"]
        title = titles.get(exercise_id, "")
        lines += [f"## {exercise_id}" + (f": {title}" if title else ""), "",
                  f"**{passed} of {_plural(total, 'submission')} passed** ({100 * passed / max(total, 1):.0f}%).", ""]
        lines += ["| outcome | submissions |", "| --- | ---: |"]
        lines += [f"| {outcome_label(o)} | {counts['outcomes'][o]} |" for o in ORDER if counts["outcomes"][o]]
        lines.append("")
        if counts["max_points"] > 1:
            right = ", ".join(f"{name} {counts['parts'][name]}" for name in part_names.get(exercise_id, ()))
            lines += [f"Points: {counts['points']} of {counts['max_points'] * total} "
                      f"({counts['max_points']} a submission). Submissions with each part right: {right}.", ""]
        if counts["mistakes"]:
            lines += ["Most common mistakes:", "", "| mistake | submissions |", "| --- | ---: |"]
            ranked = sorted(counts["mistakes"].items(), key=lambda kv: (-kv[1], kv[0] or "~"))
            lines += [f"| {mistakes.describe(kind)}" + (f" (`{kind}`)" if kind else "") + f" | {n} |" for kind, n in ranked]
            lines.append("")
        if counts["viewed"]:
            lines += [f"The graded run of {_plural(counts['viewed'], 'submission')} showed the pointer to the "
                      "solution (the last hint level).", ""]
    not_graded = [g for g in grades if g.status != "graded"]
    if not_graded:
        lines += ["## Submissions not graded", "", "| submission | status |", "| --- | --- |"]
        lines += [f"| {g.notebook.replace('|', '/')} | {g.status} |" for g in not_graded]
        lines.append("")
    return "\n".join(lines)


def write(out: str, grades: list[Grade]) -> dict[str, Path]:
    """Write the detail CSV, the report and its chart beside the grades CSV `out`; their paths (the chart's
    is not written when no submission has an exercise)."""
    from . import class_chart

    paths = paths_for(out)
    write_atomically(str(paths["detail"]), render_detail(grades))
    no_lesson = sum(not g.exercises for g in grades)  # not graded as any lesson: a bar of their own
    chart = class_chart.write(str(paths["chart"]), tally(grades), no_lesson)
    if not chart:  # an earlier run's chart would not be this report's
        paths["chart"].unlink(missing_ok=True)
    write_atomically(str(paths["report"]), render_report(grades, paths["chart"].name if chart else None))
    return paths
