"""The course's autograder.

In a lesson:

    from checks import lesson03 as check
    check.dense_backward(dense_backward)   # -> a Result: passed, message
    check.hint("dense_backward")           # hints in levels; the last names check.solution
    check.solution("dense_backward")       # the answer, from the solution notebook (recorded as viewed)

`checks.progress()` shows every exercise with its latest outcome.
"""
from .engine.exercise import listen, ready, seeded
from .engine.name_help import install as _install_name_help
from .learner_progress.store import hear as _record_progress
from .engine.result import CheckFailed, Result

_install_name_help()  # a cell run before its exercise says which cell to run, not a bare NameError
# The engine announces each check, hint and solution shown; the learner's progress file listens.
listen(_record_progress)

__all__ = ["CheckFailed", "Result", "ready", "seeded", "progress"]


def progress():
    """A table of every exercise in the course: latest outcome, attempts, hints used."""
    from .learner_progress.table import show  # here, not above: the table imports every lesson's checks

    return show()
