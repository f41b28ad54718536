"""Verdicts: a check stops at the first thing it can say, by raising one of these.

A check body reads top to bottom as "try this, then that"; the first failure ends it, and the
exercise wrapper (`_exercise.py`) turns the verdict into a `Result`.
"""
from __future__ import annotations


class Verdict(Exception):
    outcome = "uncheckable"

    def __init__(self, message: str, *, part: str | None = None, diagnosis: str | None = None):
        super().__init__(message)
        self.message = message
        self.part = part
        self.diagnosis = diagnosis


class Incorrect(Verdict):
    outcome = "incorrect"


class NotAttempted(Verdict):
    outcome = "not_attempted"


class Raised(Verdict):
    """The learner's own code raised (or ran past the time limit)."""

    outcome = "raised"


class Uncheckable(Verdict):
    outcome = "uncheckable"
