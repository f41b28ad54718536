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
