"""What a release holds: the lessons chosen, the solutions released, and the combinations refused.

A cell may hold another lesson's graded answer in two ways, and says so in its metadata in the solution
notebook (make_lessons copies it into the lesson): `"provides_answers": ["lesson06.Layer_Dense", ...]`.
- A worked cell (no solution markers) gives it in the blank lesson too: lessons 7 and 8 provide working
  `Layer_Dense`, `Activation_ReLU`, `Optimizer_SGD`, which pass lesson 6's checks and hold lesson 3's,
  4's and 5's answers as methods.
- An exercise cell gives it in its answer, that is in the lesson's solution notebook only: lesson 6's
  `Layer_Dense` answer holds lesson 3's `dense_backward`.
A release refuses to send either out with the lesson it answers unless that lesson's solutions go out
too; the message names the lessons and why. (Swapping a worked class for the learner's own is not done:
the cells after it use the class unconditionally, so a blank lesson would stop there.)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from checks.engine.markers import CODE_BEGIN

ROOT = Path(__file__).resolve().parent.parent.parent  # the full course: lessons/, solutions/, checks/
_PREFIX = re.compile(r"^(\d+)_")


class PlanError(ValueError):
    """A release that cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Plan:
    lessons: tuple  # lesson numbers, ascending: (1, 2, 3)
    solutions: tuple  # lesson numbers whose solutions go out, a subset of lessons
    notebooks: dict  # {number: "03_batched_dense"}

    @staticmethod
    def lesson_ids(numbers) -> list:
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
    """[(exercise id, in_answer)] the solution notebook's cells say they hold; in_answer is True when the
    cell is an exercise (it holds them in its answer only), False for a worked cell (in the lesson too)."""
    cells = json.loads((root / "solutions" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    return [(exercise_id, any(CODE_BEGIN.match(line) for line in "".join(cell.get("source", "")).split("\n")))
            for cell in cells for exercise_id in cell.get("metadata", {}).get("provides_answers", [])]


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


def _lesson_number(exercise_id: str) -> int:
    return int(exercise_id.split(".")[0].removeprefix("lesson"))


def refuse_answering_combinations(plan: Plan, root: Path = ROOT) -> None:
    """PlanError naming every chosen lesson (or released solution) that would give away the graded answer
    of a chosen lesson whose solutions stay withheld."""
    withheld = [n for n in plan.lessons if n not in plan.solutions]
    refusals = []
    for number in plan.lessons:
        worked, in_answers = {}, {}
        for exercise_id, in_answer in provided_answers(plan.notebooks[number], root):
            answered = _lesson_number(exercise_id)
            if answered == number or answered not in withheld:
                continue
            if not in_answer:
                worked.setdefault(answered, []).append(exercise_id.split(".", 1)[1])
            elif number in plan.solutions:
                in_answers.setdefault(answered, []).append(exercise_id.split(".", 1)[1])
        worked, in_answers = dict(sorted(worked.items())), dict(sorted(in_answers.items()))
        if worked:
            refusals.append(
                f"lesson {number} cannot go out with {_lessons(worked)} while {_their(worked)} solutions are "
                f"withheld: its worked code holds {_their(worked)} graded {_answers(worked)}, ready to copy. "
                f"Release {_their(worked)} solutions with it (--solutions {','.join(map(str, worked))},...), "
                f"or leave lesson {number} out until then.")
        if in_answers:
            refusals.append(
                f"lesson {number}'s solutions cannot go out while {_withheld(in_answers)} are withheld: they hold "
                f"{_their(in_answers)} graded {_answers(in_answers)}. "
                f"Release them together (--solutions {','.join(map(str, [*in_answers, number]))},...), or neither.")
    if refusals:
        raise PlanError("\n".join(refusals))


def _lessons(by_lesson: dict) -> str:
    numbers = [str(n) for n in by_lesson]
    return f"lesson {numbers[0]}" if len(numbers) == 1 else f"lessons {', '.join(numbers[:-1])} and {numbers[-1]}"


def _their(by_lesson: dict) -> str:
    return f"lesson {next(iter(by_lesson))}'s" if len(by_lesson) == 1 else "their"


def _withheld(by_lesson: dict) -> str:
    """{3: ...} -> "lesson 3's"; {3: ..., 4: ...} -> "those of lessons 3 and 4" """
    return f"lesson {next(iter(by_lesson))}'s" if len(by_lesson) == 1 else f"those of {_lessons(by_lesson)}"


def _answers(by_lesson: dict) -> str:
    """{6: ["Layer_Dense"], 3: ["dense_backward"]} -> "answers (lesson 6: `Layer_Dense`; lesson 3: ...)" """
    count = sum(len(names) for names in by_lesson.values())
    listed = "; ".join(f"lesson {n}: {_listed(names)}" for n, names in by_lesson.items())
    return f"answer{'s' * (count > 1)} ({listed})"


def _listed(names) -> str:
    quoted = [f"`{name}`" for name in dict.fromkeys(names)]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
