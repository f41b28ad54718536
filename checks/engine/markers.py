"""The solution markers, read in one place: `scripts/make_lessons.py` replaces the blocks they mark to
make a lesson, and `engine/solutions.py` shows a block as `check.solution(name)`'s answer.

In a code cell an answer sits between a `### BEGIN SOLUTION` line and a `### END SOLUTION` line; in a
markdown cell (a written answer) between `<!-- BEGIN SOLUTION -->` and `<!-- END SOLUTION -->`. A block
inside a function body (an indented marker) belongs to the def/class lines that enclose it; a block at
the top level of a cell, to the names it assigns.
"""
from __future__ import annotations

import ast
import re

CODE_BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
CODE_END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
MD_BEGIN = re.compile(r"^[ \t]*<!--[ \t]*BEGIN SOLUTION[ \t]*-->[ \t]*$")
MD_END = re.compile(r"^[ \t]*<!--[ \t]*END SOLUTION[ \t]*-->[ \t]*$")
# A line that mentions a marker but is not exactly one is a typo that would leak an answer.
CODE_MARKER_WORDS = re.compile(r"(BEGIN|END) SOLUTION")
MD_MARKER_WORDS = re.compile(r"<!--.*(BEGIN|END) SOLUTION")
_MARKERS = {"code": (CODE_BEGIN, CODE_END, CODE_MARKER_WORDS), "markdown": (MD_BEGIN, MD_END, MD_MARKER_WORDS)}

HEADER = re.compile(r"^[ \t]*(?:async[ \t]+)?(?P<kind>def|class)[ \t]+(?P<name>\w+)")


class MarkerError(ValueError):
    """Solution markers that cannot be read (unbalanced, nested, misspelt...)."""


def find_blocks(lines: list, cell_type: str = "code", where: str = "<cell>") -> list:
    """The (begin line, end line) index pairs of the cell's solution blocks, markers included.
    Raises MarkerError, naming `where` and the line, for a nested, unclosed or misspelt marker."""
    begin, end, marker_words = _MARKERS[cell_type]
    blocks, start = [], None
    for i, line in enumerate(lines):
        if begin.match(line):
            if start is not None:
                raise MarkerError(
                    f"{where}: line {i + 1}: BEGIN SOLUTION inside the block opened on line {start + 1}"
                    " (solution blocks cannot nest)"
                )
            start = i
        elif end.match(line):
            if start is None:
                raise MarkerError(f"{where}: line {i + 1}: END SOLUTION without a BEGIN SOLUTION before it")
            blocks.append((start, i))
            start = None
        elif marker_words.search(line):
            raise MarkerError(f"{where}: line {i + 1}: malformed solution marker {line.strip()!r}")
    if start is not None:
        raise MarkerError(f"{where}: line {start + 1}: BEGIN SOLUTION is never closed by END SOLUTION")
    return blocks


def indent_width(line: str) -> int:
    return len(line.expandtabs()) - len(line.expandtabs().lstrip())


def enclosing_headers(lines: list, start: int) -> tuple:
    """The def/class lines enclosing line `start`, outermost first (none for a marker at the top level)."""
    limit, headers = indent_width(lines[start]), []
    if limit == 0:
        return ()
    for line in reversed(lines[:start]):
        if not line.strip() or line.strip().startswith("#") or indent_width(line) >= limit:
            continue
        if HEADER.match(line):
            headers.append(line)
        limit = indent_width(line)
        if limit == 0:
            break
    return tuple(reversed(headers))


def assigned_names(tree: ast.Module) -> list:
    """Names bound by the module-level assignments of `tree`, in order, without repeats.

    Tuple targets count too (`dx, dw, db = ...` binds three names), so that cells after a blank
    exercise still find every name they use.
    """
    names: list = []

    def add(target):
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                add(element)
        elif isinstance(target, ast.Starred):
            add(target.value)

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                add(target)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            add(node.target)
    return list(dict.fromkeys(names))
