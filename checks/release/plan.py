"""What a release holds: the lessons chosen, the solutions released, and the combinations refused.

A lesson's course-authored cell may provide a worked class that answers another lesson's graded
exercise (lessons 7 and 8 provide `Layer_Dense`, `Activation_ReLU`, `Optimizer_SGD`, which pass lesson 6's
checks). Such a cell says so in its metadata, `"provides_answers": ["lesson06.Layer_Dense", ...]`, in the
solution notebook (make_lessons copies it into the lesson). A release refuses to send such a lesson out
with the lesson it answers unless that lesson's solutions are released too: the learner would otherwise
find lesson 6's answer in lesson 7. (Swapping the worked class for the learner's own is not done: the
cells after it run the class unconditionally, so a blank lesson would stop there.)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # the full course: lessons/, solutions/, checks/
_PREFIX = re.compile(r"^(\d+)_")


class PlanError(ValueError):
    """A release that cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Plan:
    lessons: tuple  # lesson numbers, ascending: (1, 2, 3)
    solutions: tuple  # lesson numbers whose solutions go out, a subset of lessons
    notebooks: dict  # {number: "03_batched_dense"}

    def lesson_ids(self, numbers) -> list:
        return [f"lesson{n:02d}" for n in numbers]


def course_notebooks(root: Path = ROOT) -> dict:
    """{lesson number: notebook name} of every lesson in the full course's lessons/."""
    found = {}
    for path in sorted((root / "lessons").glob("*.ipynb")):
        match = _PREFIX.match(path.name)
        if match:
            found[int(match.group(1))] = path.stem
    return found


def parse_lessons(text: str, available) -> tuple:
    """"1-6" or "1,3,5-6" -> (1, 2, 3, 4, 5, 6) / (1, 3, 5, 6); PlanError for anything else."""
    available = sorted(available)
    numbers = set()
    for part in str(text).split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not match:
            raise PlanError(f"{text!r} is not a list of lessons: write numbers and ranges such as 1-6 or 1,3,5-6")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first > last:
            raise PlanError(f"the range {part} runs backwards: write {last}-{first}")
        missing = [n for n in range(first, last + 1) if n not in available]
        if missing:
            raise PlanError(f"there is no lesson {missing[0]}: the course's lessons are "
                            f"{available[0]} to {available[-1]}")
        numbers.update(range(first, last + 1))
    return tuple(sorted(numbers))


def provided_answers(notebook: str, root: Path = ROOT) -> list:
    """[(exercise id, class or function name)] that the lesson's course-authored cells provide worked."""
    cells = json.loads((root / "lessons" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    return [(exercise_id, exercise_id.split(".", 1)[1]) for cell in cells
            for exercise_id in cell.get("metadata", {}).get("provides_answers", [])]


def make_plan(lessons: str, solutions: str | None = None, every_solution: bool = False, root: Path = ROOT) -> Plan:
    notebooks = course_notebooks(root)
    if not notebooks:
        raise PlanError(f"no lessons found in {root / 'lessons'}: run this from the full course")
    chosen = parse_lessons(lessons, notebooks)
    if every_solution:
        released = chosen
    elif solutions:
        released = parse_lessons(solutions, notebooks)
        outside = [n for n in released if n not in chosen]
        if outside:
            raise PlanError(f"--solutions names lesson {outside[0]}, which is not in --lessons {lessons}: "
                            "a release only holds the solutions of lessons it holds")
    else:
        released = ()
    plan = Plan(chosen, tuple(released), {n: notebooks[n] for n in chosen})
    refuse_answering_combinations(plan, root)
    return plan


def refuse_answering_combinations(plan: Plan, root: Path = ROOT) -> None:
    """PlanError if a chosen lesson provides a worked answer to another chosen lesson without its solutions
    (every such pair named, one sentence each)."""
    refusals = []
    for number in plan.lessons:
        clashes = {}
        for exercise_id, name in provided_answers(plan.notebooks[number], root):
            answered = int(exercise_id.split(".")[0].removeprefix("lesson"))
            if answered != number and answered in plan.lessons and answered not in plan.solutions:
                clashes.setdefault(answered, []).append(name)
        for answered, names in clashes.items():
            listed = ", ".join(f"`{name}`" for name in names)
            refusals.append(
                f"lessons {answered} and {number} cannot go out together while lesson {answered}'s solutions "
                f"are not released: lesson {number} provides a working {listed}, which "
                f"{'passes' if len(names) == 1 else 'pass'} lesson {answered}'s graded "
                f"check{'s' * (len(names) > 1)}, so a learner could copy {'it' if len(names) == 1 else 'them'} "
                f"into lesson {answered}. Release lesson {answered}'s solutions with them "
                f"(--solutions {answered}, or --with-solutions), or leave lesson {number} out until then.")
    if refusals:
        raise PlanError("\n".join(refusals))
