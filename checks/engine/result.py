"""What a check returns: a result with an outcome, shown as plain text or HTML.

Checking (the lesson modules) and showing (this module) are kept apart, as in Kaggle's learntools.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

# outcome -> (mark, label, colour). The mark and the words carry the meaning; colour only repeats it, in the
# box's left border. The label's text takes the theme's own text colour: no one colour reads at 4.5:1 on both
# JupyterLab Light's white and Dark's #111111 (a text colour dark enough for one is too dark for the other).
OUTCOMES = {
    "correct": ("✔", "Correct", "#1a7f37"),
    "incorrect": ("✘", "Not yet right", "#cf222e"),
    "not_attempted": ("…", "Not attempted yet", "#6e7781"),
    "raised": ("⚠", "Your code raised an error", "#bc4c00"),
    "uncheckable": ("?", "Could not check", "#8250df"),
    "not_checked": ("?", "Not checked", "#6e7781"),
}
NOTE_COLOUR = "#0969da"  # the border of hints, notices and solutions: not an outcome


def _box(colour: str, title: str, body: str) -> str:
    """Every box the checks show: a bold title over `body` (HTML), behind a left border in `colour`."""
    return (f'<div style="border-left: 4px solid {colour}; padding: 4px 10px; margin: 2px 0">'
            f"<b>{html.escape(title)}</b>{body}</div>")


def _prose(text: str) -> str:
    """Plain text as HTML that keeps its line breaks and wraps long lines, in the notebook's own font."""
    return f'<pre style="white-space: pre-wrap; margin: 4px 0 0 0; font-family: inherit">{html.escape(text)}</pre>'


@dataclass(frozen=True)
class Result:
    """The outcome of one check call.

    exercise:  "lesson03.dense_backward"
    outcome:   one of OUTCOMES
    message:   plain text for the learner
    part:      the first failing part ("dweights"), if any
    diagnosis: the kind of mistake ("transposed", "missing_keepdims", ...), if one was recognised
    parts:     ((part name, passed), ...) for an exercise judged by parts (lesson 3: dinputs, dweights,
               dbiases), in the exercise's order; empty for an exercise judged whole
    """

    exercise: str
    outcome: str
    message: str
    part: str | None = None
    diagnosis: str | None = None
    parts: tuple = ()

    @property
    def passed(self) -> bool:
        return self.outcome == "correct"

    @property
    def points(self) -> int:
        """One point per part that passed; an exercise without parts: 1 if correct."""
        if self.parts:
            return sum(1 for _, passed in self.parts if passed)
        return int(self.passed)

    @property
    def max_points(self) -> int:
        return len(self.parts) or 1

    @property
    def label(self) -> str:
        mark, words, _ = OUTCOMES[self.outcome]
        return f"{mark} {words}: {self.exercise.split('.')[-1]}"

    def __str__(self) -> str:
        return f"{self.label}\n{self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return _box(OUTCOMES[self.outcome][2], self.label, _prose(self.message))


class CheckFailed(AssertionError):
    """Raised in strict mode (BACKPROP_STRICT=1) for any outcome but "correct"."""

    def __init__(self, result: Result):
        super().__init__(str(result))
        self.result = result


@dataclass(frozen=True)
class Note:
    """A hint or a "finish this first" notice: text shown as-is, in a box."""

    title: str
    text: str

    def __str__(self) -> str:
        return f"{self.title}\n{self.text}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return _box(NOTE_COLOUR, self.title, _prose(self.text))


@dataclass(frozen=True)
class Code:
    """A piece of code to read (a solution), shown in a box in a monospace font."""

    title: str
    code: str

    def __str__(self) -> str:
        return f"{self.title}\n\n{self.code}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return _box(NOTE_COLOUR, self.title, f'<pre style="margin: 4px 0 0 0"><code>{html.escape(self.code)}</code></pre>')
