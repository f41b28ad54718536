"""Running every graded check of a lesson on the learner's objects, through the kernel proxies.

Checks run here, in the grader, with a fresh random seed, quietly (nothing is recorded in any
progress file) and non-strictly (each gives its `Result`). The answer a check receives is a proxy
(remote.py) for the learner's top-level object of the exercise's name (or of its `answer_name`, when
several checks take one object, as lesson 9's take the class `Value`), or None if the notebook
never defined it (the check then says "not attempted").
"""
from __future__ import annotations

from checks import seeded
from checks._catalog import all_exercises
from checks._exercise import Exercise, _quiet
from checks._result import Result

from .remote import Connection


def graded_exercises(lesson: str) -> list[Exercise]:
    """The lesson's graded exercises, in the lesson's order (empty for an unknown lesson)."""
    return [e for e in all_exercises(graded_only=True) if e.lesson == lesson]


def judge(connection: Connection, exercises: list[Exercise], seed: int) -> dict[str, Result]:
    """exercise id -> Result. Stops early (leaving later exercises out) if the kernel dies."""
    results: dict[str, Result] = {}
    token = _quiet.set(True)
    try:
        with seeded(seed):
            for info in exercises:
                if connection.dead:
                    break
                try:
                    answer = connection.lookup(info.answer_name)
                except BaseException as exc:  # the kernel died or hung while looking the name up
                    if isinstance(exc, KeyboardInterrupt) and not connection.dead:
                        raise
                    results[info.id] = Result(info.id, "raised", f"Looking up `{info.answer_name}` in your notebook failed: {exc or type(exc).__name__}")
                    continue
                results[info.id] = info.check(answer)
    finally:
        _quiet.reset(token)
    return results
