"""Gradescope's side of the course: `run_autograder` (from the bundle that gradescope_bundle.py writes)
calls `python -m checks.grade.gradescope --root /autograder [--lesson lessonNN]`, which grades
<root>/submission/*.ipynb as `python -m checks.grade` would and writes <root>/results/results.json in
Gradescope's documented format (gradescope-autograders.readthedocs.io, "Autograder Specifications"):

    {"score": 2.0, "output": "...", "output_format": "text", "execution_time": 12,
     "visibility": "visible", "stdout_visibility": "hidden",
     "tests": [{"name": "...", "number": "1", "score": 1.0, "max_score": 1.0, "status": "passed",
                "output": "<the check's feedback>", "output_format": "text", "visibility": "visible"}, ...]}

One test per graded exercise, worth the exercise's points (one per part its check judges apart, as in the
grades CSV; 1 each with --whole-exercises); its output is what the check said, as in the notebook.
With an assignment's lesson (`--lesson`), a notebook of another lesson, a broken file or no notebook
at all still lists that lesson's exercises, each at 0, so the maximum never changes.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from checks.engine.catalog import all_exercises
from checks.engine.result import OUTCOMES

from .execute import Limits
from .grade_one import Grade, max_points
from .judge import graded_exercises
from .report import write_atomically
from .sandbox import NO_SANDBOX_WARNING


def normalise_lesson(text: str | None) -> str | None:
    """"3", "03", "lesson3", "lesson03" -> "lesson03"; None stays None. ValueError if not a graded lesson."""
    if text is None:
        return None
    digits = str(text).strip().lower().removeprefix("lesson")
    if not digits.isdigit():
        raise ValueError(f"not a lesson: {text!r} (give a number such as 3, or lesson03)")
    lesson = f"lesson{int(digits):02d}"
    if not graded_exercises(lesson):
        raise ValueError(f"the course has no graded exercises in {lesson}")
    return lesson


def _test(number: int, exercise_id: str, points: int, max_points: int, output: str) -> dict:
    titles = {e.id: e.title for e in all_exercises()}
    name = exercise_id.split(".", 1)[-1]
    return {"name": f"{name}: {titles.get(exercise_id, '')}".rstrip(": "), "number": str(number),
            "score": float(points), "max_score": float(max_points),
            "status": "passed" if points == max_points else "failed",
            "output": output, "output_format": "text", "visibility": "visible"}


def _chosen(grades: list[Grade], lesson: str | None) -> Grade | None:
    """The submission to score: among the notebooks of the assignment's lesson (if any), the best."""
    matching = [g for g in grades if lesson is None or g.lesson == lesson] or grades
    return max(matching, key=lambda g: (g.score, g.status == "graded"), default=None)


def results(grades: list[Grade], lesson: str | None = None, seconds: float = 0.0, whole_exercises: bool = False) -> dict:
    """The results.json content for the grades of one Gradescope submission (its notebooks).
    whole_exercises: 1 point per exercise, only when all of it is right (set on the grades, which score so)."""
    for g in grades:
        g.whole_exercises = whole_exercises
    grade = _chosen(grades, lesson)
    lines = []
    if grade is None:
        lines.append("No notebook (.ipynb) was found in your submission: upload your lesson notebook.")
        exercises = [e.id for e in graded_exercises(lesson)] if lesson else []
    else:
        # what happened while it was graded (its first run's kernel died, it filled its disk), but not the
        # instructor's --no-sandbox warning: in Gradescope's container that is Gradescope's wall's business
        lines += [w for w in grade.warnings if w != NO_SANDBOX_WARNING]
        if len(grades) > 1:
            lines.append(f"Your submission has {len(grades)} notebooks; {grade.notebook} is the one scored.")
        exercises = [e.id for e in graded_exercises(lesson)] if lesson else grade.exercises
        if lesson and grade.lesson and grade.lesson != lesson:
            lines.append(f"{grade.notebook} is {grade.lesson}; this assignment is {lesson}. "
                         f"Submit the notebook of {lesson}.")
        elif grade.status != "graded":
            lines.append(f"{grade.notebook} could not be graded ({grade.status}). {grade.detail}".strip())
            if exercises:
                lines.append("Every exercise scores 0: a notebook scores only when it runs to the end.")
        if grade.cell_errors:
            lines += ["", "Cells that raised an error (the notebook kept running after each):"]
            lines += [f"- {error}" for error in grade.cell_errors]
    scored = grade is not None and grade.status == "graded" and (lesson is None or grade.lesson == lesson)
    tests = []
    for number, exercise_id in enumerate(exercises, 1):
        result = grade.results.get(exercise_id) if scored else None
        most = 1 if whole_exercises else max_points(exercise_id)
        if result is None:
            output = ("The kernel stopped before this exercise could be checked." if scored
                      else "Not graded: see the message above the tests.")
            tests.append(_test(number, exercise_id, 0, most, output))
            continue
        mark, words, _ = OUTCOMES.get(result.outcome, ("?", result.outcome, ""))
        points = grade.points(exercise_id)
        right = [name for name, passed in result.parts if passed]
        note = (f"\nParts right: {', '.join(right) or 'none'} ({points} of {most} points)."
                if result.parts and not whole_exercises and not result.passed else "")
        tests.append(_test(number, exercise_id, points, most, f"{mark} {words}\n{result.message}{note}"))
    score = sum(t["score"] for t in tests)
    lines.insert(0, f"Score: {score:g} of {sum(t['max_score'] for t in tests):g}.")
    return {"score": score, "output": "\n".join(lines), "output_format": "text", "execution_time": int(round(seconds)),
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def _limits() -> Limits:
    """Grading's usual limits. Gradescope runs each submission in a fresh container of its own, which
    is the wall around the learner's code there; the bubblewrap sandbox (where this course has one:
    a `sandbox` field of Limits, and sandbox.py) is used when it works in that container, and not
    required when it does not (Docker often forbids the namespaces it needs)."""
    limits = Limits()
    if "sandbox" in {f.name for f in dataclasses.fields(Limits)}:
        try:
            from . import sandbox

            sandbox.check()
        except Exception:
            limits = dataclasses.replace(limits, sandbox=False)
    return limits


def run(root: str, lesson: str | None = None, whole_exercises: bool = False) -> dict:
    """Grade <root>/submission/*.ipynb; write and return <root>/results/results.json's content."""
    from .batch import grade_paths

    started = time.monotonic()
    notebooks = sorted(str(p) for p in (Path(root) / "submission").glob("*.ipynb") if p.is_file())
    grades: list[Grade] = []
    if notebooks:
        with tempfile.TemporaryDirectory(prefix="backprop-gradescope-") as scratch:
            grades = grade_paths(notebooks, os.path.join(scratch, "grades.csv"), limits=_limits(), jobs=1,
                                 progress=False)
    for g in grades:
        g.notebook = os.path.basename(g.notebook)  # the learner's own file name, not the container's path
    content = results(grades, lesson, time.monotonic() - started, whole_exercises)
    path = Path(root) / "results" / "results.json"
    write_atomically(str(path), json.dumps(content, indent=1, ensure_ascii=False) + "\n")
    return content


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m checks.grade.gradescope",
                                description="Grade a Gradescope submission and write results/results.json.")
    p.add_argument("--root", default=os.environ.get("BACKPROP_AUTOGRADER_ROOT", "/autograder"),
                   help="the autograder folder (default: $BACKPROP_AUTOGRADER_ROOT or /autograder)")
    p.add_argument("--lesson", help="the assignment's lesson (lesson03); default: each notebook's own")
    p.add_argument("--whole-exercises", action="store_true",
                   help="1 point per exercise, only when all of it is right (default: a point per part)")
    args = p.parse_args(argv)
    try:
        lesson = normalise_lesson(args.lesson)
    except ValueError as exc:
        p.error(str(exc))
    content = run(args.root, lesson, args.whole_exercises)
    most = sum(t["max_score"] for t in content["tests"])
    print(f"score {content['score']:g} of {most:g}; wrote {Path(args.root) / 'results' / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
