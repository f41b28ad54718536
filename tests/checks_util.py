"""Shared helpers for the checks' own tests."""
from __future__ import annotations

import numpy as np


def assert_passes(check, answer):
    result = check(answer)
    assert result.passed, f"expected a pass, got:\n{result}"
    return result


def assert_diagnosed(check, answer, diagnosis, part=None, outcome="incorrect"):
    """The answer fails with this outcome and diagnosis (and part, if given)."""
    result = check(answer)
    assert result.outcome == outcome, f"expected {outcome}/{diagnosis}, got:\n{result}"
    assert result.diagnosis == diagnosis, f"expected diagnosis {diagnosis!r}, got {result.diagnosis!r}:\n{result}"
    if part is not None:
        assert result.part == part, f"expected part {part!r}, got {result.part!r}:\n{result}"
    assert result.message.strip()
    return result


def as_float32(fn):
    """Wrap a right answer so that it computes in float32 (a learner's legitimate choice)."""

    def wrapped(*args):
        out = fn(*[np.asarray(a, dtype=np.float32) if isinstance(a, np.ndarray) else a for a in args])
        return out

    return wrapped


# Words that tell a learner which way to move a number: a value check that says them turns into guessing.
# ("greater than 0" states a rule about an input, not a direction for a guess: not listed.)
DIRECTION_WORDS = ("smaller", "larger", "bigger", "too big", "too small", "too high", "too low", "increase it",
                   "decrease it")


def assert_no_direction(message: str) -> None:
    found = [word for word in DIRECTION_WORDS if word in message.lower()]
    assert not found, f"direction words {found} in:\n{message}"


def pasted_gradient(f, x, h=1e-5):
    """A learner's pasted central difference of scalar f at x (lesson 7's), nudging x itself in place."""
    grad = np.zeros(np.shape(x))
    for index in np.ndindex(np.shape(x)):
        saved = x[index]
        x[index] = saved + h
        plus = f(x)
        x[index] = saved - h
        minus = f(x)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def assert_numerical_estimate(check, answer):
    """The answer's values pass, but the check says it is a numerical estimate, and why (no answer in it)."""
    import importlib

    result = assert_diagnosed(check, answer, "numerical_estimate")
    info = check.exercise
    assert_gives_nothing_away(result, importlib.import_module(f"checks.{info.lesson}"), info.name)
    assert "numerical estimate, not backpropagation" in result.message
    assert any(sign in result.message for sign in ("one element at a time", "rounding of a finite difference",
                                                    "forward passes"))
    assert "chain rule" in result.message
    return result


def assert_gives_nothing_away(result, module, name: str) -> None:
    """The result's message shows no line of exercise `name`'s answer, no piece of one under other names,
    and no line with blanks that leaves little to do (tests/copy_util.py)."""
    from checks.engine import solutions
    from tests.copy_util import shown

    found = shown(result.message, solutions.answer_lines(module.NOTEBOOK, name))
    assert not found, f"the message hands over the answer: {found}\n{result.message}"
