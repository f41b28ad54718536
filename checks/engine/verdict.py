"""Verdicts: a check stops at the first thing it can say, by raising one of these.

A check body reads top to bottom as "try this, then that"; the first failure ends it, and the
exercise wrapper (`engine/exercise.py`) turns the verdict into a `Result`.
"""
from __future__ import annotations

import contextlib


class Verdict(Exception):
    """passed_parts: the exercise's parts judged right before this verdict ended the check (PartJudge)."""

    outcome = "uncheckable"

    def __init__(self, message: str, *, part: str | None = None, diagnosis: str | None = None):
        super().__init__(message)
        self.message = message
        self.part = part
        self.diagnosis = diagnosis
        self.passed_parts: tuple = ()


class Incorrect(Verdict):
    outcome = "incorrect"


class NotAttempted(Verdict):
    outcome = "not_attempted"


class Raised(Verdict):
    """The learner's own code raised (or ran past the time limit)."""

    outcome = "raised"


class Uncheckable(Verdict):
    outcome = "uncheckable"


class NotChecked(Verdict):
    """The check could not judge the answer at all (what it needs to build its cases is missing)."""

    outcome = "not_checked"


class PartJudge:
    """Judges an exercise's parts apart, where the check honestly can: a verdict inside `part(name)` fails
    that part only, and the check goes on with the others. `finish()` then raises the first verdict (the
    learner reads what they would have read without parts), carrying the parts that passed.

        judge = PartJudge(("dinputs", "dweights", "dbiases"))
        with judge.whole():                           # a verdict outside a part (the call raised) fails all
            for case in cases:
                ...
                for name in judge.open_parts():
                    with judge.part(name):
                        compare(name, ...)
        judge.finish()
    """

    def __init__(self, names):
        self.names = tuple(names)
        self.failed: dict[str, Verdict] = {}  # in the order the failures happened
        self.judged: set[str] = set()  # parts that went through `part(name)` at least once

    def open_parts(self) -> tuple:
        """The parts not failed yet, in order."""
        return tuple(name for name in self.names if name not in self.failed)

    def is_open(self, name: str) -> bool:
        return name not in self.failed

    @contextlib.contextmanager
    def part(self, name: str):
        self.judged.add(name)
        try:
            yield
        except Verdict as verdict:
            self.failed.setdefault(name, verdict)

    @contextlib.contextmanager
    def whole(self):
        """A verdict here (the call raised, returned the wrong things) fails every part still open and
        ends the check: the first failure (this one, unless a part failed before) is raised."""
        try:
            yield
        except Verdict as verdict:
            for name in self.open_parts():
                self.failed[name] = verdict
            self.finish()

    def finish(self) -> None:
        """Raise the first failure, carrying the parts that were judged and never failed."""
        if self.failed:
            first = next(iter(self.failed.values()))
            first.passed_parts = tuple(name for name in self.open_parts() if name in self.judged)
            raise first
