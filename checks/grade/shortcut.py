"""The shortcut grading has to look for itself: an answer that calls the course's own numerical-gradient
helpers (`checks.engine.reference`, `checks.engine.numeric`) instead of deriving the gradient.

An answer that estimates the gradient with a finite difference of its own is caught by the exercise's
check (`checks.engine.estimate`, diagnosis NUMERICAL_ESTIMATE), in the notebook and in grading alike: the
exercise is not correct, so it scores 0, and its feedback is the check's message, which says what gave
the estimate away (inputs nudged one element at a time, or a finite difference's rounding).

The learner's code runs in the submission's kernel; the helpers it could import live there too.
Before judging, the kernel's agent replaces each helper's code with a recorder (agent_guard.py,
`_guard_helpers`): every function object keeps its identity, so any name the notebook bound to it
still reaches it, and each call is noted before the original code runs. After each exercise's check
the grader asks which helpers were called. An exercise whose answer called one scores 0, and its
feedback says why.
"""
from __future__ import annotations

from checks.engine.estimate import DIAGNOSIS as ESTIMATE_DIAGNOSIS
from checks.engine.result import Result

from .remote import Connection

# module -> functions that compute a gradient numerically. The forward passes (dense_forward, relu_forward)
# are not listed: calling one derives nothing.
HELPERS = {
    "checks.engine.numeric": ["central_difference"],
    "checks.engine.reference": ["dense_gradients", "relu_gradient"],
    # lesson 9: the local derivatives of the course's own operations (what its backward() check builds on)
    "checks.lesson_helpers.autograd.graphs": ["local_derivatives", "gradients"],
}

DIAGNOSIS = "used_course_helpers"
NUMERICAL_ESTIMATE = ESTIMATE_DIAGNOSIS  # the checks' own diagnosis for a finite difference of the learner's


def install(connection: Connection) -> list[str]:
    """Guard the helpers in the kernel; the labels guarded ("checks.engine.numeric.central_difference", ...)."""
    found = connection.agent_request({"op": "guard_helpers", "helpers": HELPERS}, seconds=30)
    return [str(label) for label in found] if isinstance(found, list) else []


def take_calls(connection: Connection) -> tuple[list[str], bool]:
    """(helpers called since the last time, whether the learner's code put a helper's own code back)."""
    answer = connection.agent_request({"op": "helper_calls"}, seconds=10)
    if not isinstance(answer, dict):
        return [], False
    called = answer.get("called")
    called = [str(c) for c in called] if isinstance(called, list) else []
    return called, bool(answer.get("restored"))


def verdict(result: Result, called: list[str], restored: bool) -> Result:
    """The exercise's Result once the shortcut is known: scores 0, and says why."""
    if not called and not restored:
        return result
    if called:
        names = ", ".join(f"`{name}`" for name in called)
        why = (f"While it was checked, your answer called the course's own numerical-gradient "
               f"helper{'s' if len(called) > 1 else ''} ({names}). The checks use those to judge "
               "answers, so an answer that calls them has not derived anything: this exercise scores 0.")
    else:
        why = ("While it was checked, your code changed the course's own numerical-gradient helpers "
               "back from what grading had made of them: this exercise scores 0.")
    advice = "Work the gradient out with the chain rule and write it with numpy, then submit again."
    return Result(result.exercise, "incorrect", f"{why}\n{advice}", None, DIAGNOSIS)
