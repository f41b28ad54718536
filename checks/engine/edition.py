"""Which edition of the course this copy is: the full course, or a class release.

A class release (`python -m checks.release DEST ...`, see README "Teaching a class") writes
`checks/edition.json` beside this module:

    {"edition": "class release", "lessons": ["lesson01", ...], "solutions": ["lesson01", ...],
     "github": "my-school/backprop-2027"}

`lessons` are the lessons the class received, `solutions` those whose solutions the instructor has
released (a subset; empty until `--with-solutions`); `github` is for the next release's README only. The full course has no such file: every
solution is there. Nothing here raises: an unreadable file counts as a release without solutions,
so a damaged release never shows answers.
"""
from __future__ import annotations

import json
from pathlib import Path

EDITION_FILE = Path(__file__).resolve().parents[1] / "edition.json"

NOT_RELEASED = ("Your instructor has not released the solutions of this lesson yet, so check.solution(\"{name}\") "
                "cannot show this answer. The hints before this one go from the idea to a partial line with "
                "blanks: check.hint(\"{name}\", 1) starts them again.")


def _edition() -> dict | None:
    """The release's description, or None for the full course."""
    if not EDITION_FILE.exists():
        return None
    try:
        data = json.loads(EDITION_FILE.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def is_release() -> bool:
    return _edition() is not None


def solutions_released(lesson: str) -> bool:
    """True if this copy may show lesson `lesson`'s ("lesson03") answers: always in the full course."""
    edition = _edition()
    if edition is None:
        return True
    released = edition.get("solutions", [])
    return isinstance(released, list) and lesson in released
