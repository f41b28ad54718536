"""Running every graded check of a lesson on the learner's objects, through the kernel proxies.

Checks run here, in the grader, with a fresh random seed, quietly (nothing is recorded in any
progress file) and non-strictly (each gives its `Result`). The answer a check receives is a proxy
(remote.py) for the learner's top-level object of the exercise's name (or of its `answer_name`, when
several checks take one object, as lesson 9's take the class `Value`), or None if the notebook
never defined it (the check then says "not attempted").

Before the first check, the course's numerical-gradient helpers in the kernel are replaced with
recorders (shortcut.py); an exercise whose answer called one scores 0.
"""
from __future__ import annotations

from checks.engine.catalog import all_exercises
from checks.engine.exercise import Exercise, _quiet, seeded
from checks.engine.result import Result

from . import shortcut
from .remote import Connection


def graded_exercises(lesson: str) -> list[Exercise]:
    """The lesson's graded exercises, in the lesson's order (empty for an unknown lesson)."""
    return [e for e in all_exercises(graded_only=True) if e.lesson == lesson]


def judge(connection: Connection, exercises: list[Exercise], seed: int) -> dict[str, Result]:
    """exercise id -> Result. Stops early (leaving later exercises out) if the kernel dies."""
    results: dict[str, Result] = {}
    token = _quiet.set(True)
    try:
        if not _guard(connection, exercises, results):
            return results
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
                results[info.id] = _without_shortcut(connection, info.check(answer))
    finally:
        _quiet.reset(token)
    return results


def _guard(connection: Connection, exercises: list[Exercise], results: dict) -> bool:
    """Install the recorders (shortcut.py). If the kernel cannot take them, nothing is judged: every
    exercise is uncheckable (or, if the kernel died, left out for grade_one to report)."""
    try:
        shortcut.install(connection)
        return True
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt) and not connection.dead:
            raise
        if not connection.dead:
            for info in exercises:
                results[info.id] = Result(info.id, "uncheckable", (
                    "Grading could not prepare your notebook's kernel for checking (the notebook's code "
                    "changed Python's own machinery there), so nothing could be checked."), diagnosis="kernel_unusable")
        return False


def _without_shortcut(connection: Connection, result: Result) -> Result:
    """The check's result, or a 0 that says why if the answer called the course's gradient helpers."""
    if connection.dead:
        return result
    try:
        called, restored = shortcut.take_calls(connection)
    except Exception:  # the kernel died meanwhile: the next exercise finds connection.dead
        return result
    return shortcut.verdict(result, called, restored)


def solution_views(connection: Connection, exercises: list[Exercise]) -> dict[str, bool]:
    """exercise id -> True where this run of the notebook reached the exercise's last hint level
    (the pointer to the solution notebook). The kernel keeps the levels it showed in memory, as the
    progress file would (grading turns the file off). Unknown (missing) otherwise; never raises."""
    if connection.dead:
        return {}
    try:
        levels = connection.agent_request({"op": "hint_levels"}, seconds=10)
    except Exception:
        return {}
    if not isinstance(levels, dict):
        return {}
    views = {}
    for info in exercises:
        level = levels.get(info.id)
        if isinstance(level, int) and info.hints and level >= len(info.hints) + 1:
            views[info.id] = True
    return views
