"""An exercise's answer, read from its solution notebook: what `check.solution("name")` shows.

The solution notebooks (`solutions/NN_name.ipynb`, beside this package in the repository) mark each
answer with `### BEGIN SOLUTION` / `### END SOLUTION` lines (read by `engine/markers.py`). A block answers the exercise named
- by the function or class it sits in (`def dense_backward(...)`, a method of `class Layer_Dense`), or
- by a name it assigns at the top level of its cell (`dinputs = ...`), or
- by the cell's metadata `"exercise"` (a name or a list of names), for an answer whose check has
  another name than anything the block defines.
Markdown answers (`<!-- BEGIN SOLUTION -->`) are written answers, not exercises' code, and are skipped.

In a class release (`checks/engine/edition.py`) a lesson whose solutions the instructor has not released has
no blocks here, whatever files lie in solutions/: this module then reads nothing.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import edition
from .markers import HEADER, assigned_names, enclosing_headers, find_blocks, indent_width

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"

@dataclass(frozen=True)
class Block:
    """One solution block of a code cell.

    owners:  names of the exercises it answers (enclosing def/class names, assigned names, metadata)
    headers: the `class ...:` / `def ...:` lines enclosing it, outermost first (empty at top level)
    lines:   the answer's lines, markers excluded, as written (indentation kept)
    """

    owners: tuple
    headers: tuple
    lines: tuple


def solution_path(notebook: str) -> Path:
    """notebook: "03_batched_dense" -> .../solutions/03_batched_dense.ipynb"""
    return SOLUTIONS / f"{notebook}.ipynb"


_cache: dict = {}


def lesson_of(notebook: str) -> str:
    """"03_batched_dense" -> "lesson03" ("" for a name without a number prefix)."""
    number = re.match(r"(\d+)_", notebook)
    return f"lesson{int(number.group(1)):02d}" if number else ""


def blocks_of(notebook: str) -> list:
    """Every code solution block of the notebook (read once per change of the file); none when a class
    release has not released that lesson's solutions."""
    if not edition.solutions_released(lesson_of(notebook)):
        return []
    path = solution_path(notebook)
    stamp = path.stat().st_mtime_ns
    if _cache.get(notebook, (None,))[0] != stamp:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        _cache[notebook] = (stamp, [b for cell in cells if cell.get("cell_type") == "code" for b in _cell_blocks(cell)])
    return _cache[notebook][1]


def answer_blocks(notebook: str, name: str) -> list:
    """The blocks that answer exercise `name`, in notebook order."""
    return [block for block in blocks_of(notebook) if name in block.owners]


def answer_lines(notebook: str, name: str) -> list:
    """The stripped lines of exercise `name`'s answer (for tests: what must not appear elsewhere)."""
    return [line.strip() for block in answer_blocks(notebook, name) for line in block.lines]


def answer_code(notebook: str, name: str) -> str:
    """Exercise `name`'s answer as code to read: each block under the def/class lines that enclose it."""
    out, shown_headers = [], ()
    for block in answer_blocks(notebook, name):
        if block.headers != shown_headers:
            shared = 0
            while shared < min(len(block.headers), len(shown_headers)) and block.headers[shared] == shown_headers[shared]:
                shared += 1
            if out:
                out.append("")
            out += [header.rstrip() for header in block.headers[shared:]]
            shown_headers = block.headers
        elif out:
            out.append("    ...")
        out += [line.rstrip() for line in block.lines]
    return _dedent("\n".join(out))


def _cell_blocks(cell) -> list:
    source = cell.get("source", "")
    lines = ("".join(source) if isinstance(source, list) else source).split("\n")
    tagged = cell.get("metadata", {}).get("exercise", ())
    tagged = (tagged,) if isinstance(tagged, str) else tuple(tagged)
    blocks = []
    for start, end in find_blocks(lines, "code"):  # a malformed marker: MarkerError, a ValueError
        body = tuple(lines[start + 1 : end])
        headers = enclosing_headers(lines, start)
        owners = tuple(HEADER.match(h).group("name") for h in headers) if headers else _assigned(body)
        blocks.append(Block(owners + tagged, headers, body))
    return blocks


def _assigned(body) -> tuple:
    """Names assigned at the top level of a block (`a, b = ...` gives both)."""
    try:
        return tuple(assigned_names(ast.parse("\n".join(body))))
    except SyntaxError:
        return ()


def _dedent(text: str) -> str:
    lines = text.split("\n")
    width = min((indent_width(line) for line in lines if line.strip()), default=0)
    return "\n".join(line.expandtabs()[width:] if line.strip() else "" for line in lines)
