"""Every exercise in the course, in lesson order (for the progress table and grading)."""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re

from .exercise import REGISTRY, Exercise


def lesson_modules() -> list[str]:
    """Names of the lesson modules that exist: ["lesson01", ...]."""
    # The package's folder, found without importing `checks` here (it is imported already; importing it
    # again by name would make a circle: checks -> the progress table -> this catalogue -> checks).
    folders = importlib.util.find_spec("checks").submodule_search_locations
    return sorted(m.name for m in pkgutil.iter_modules(folders) if re.fullmatch(r"lesson\d+", m.name))


def all_exercises(graded_only: bool = False) -> list[Exercise]:
    """Each lesson module is imported (which registers its exercises); order is the lesson's own."""
    for name in lesson_modules():
        importlib.import_module(f"checks.{name}")
    found = [e for e in REGISTRY.values() if e.graded or not graded_only]
    return sorted(found, key=lambda e: e.lesson)  # stable sort keeps definition order in a lesson
