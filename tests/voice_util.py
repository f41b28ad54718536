"""Learner-facing text, gathered for the voice and nothing-to-copy tests.

Notebooks: every cell's source and every text output (plain text, HTML, streams, errors).
Python modules: every string constant but docstrings (messages, hints, titles, widget labels).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def notebook_path(folder: str, number: str) -> Path:
    (path,) = sorted((ROOT / folder).glob(f"{number}_*.ipynb"))
    return path


def notebook_texts(path: Path):
    """(where, text) for every cell source and text output of the notebook."""
    nb = nbformat.read(str(path), as_version=4)
    for index, cell in enumerate(nb.cells):
        where = f"{path.relative_to(ROOT)} cell {index + 1} ({cell.cell_type})"
        yield where, cell.source
        for output in cell.get("outputs", []):
            if "text" in output:
                yield f"{where} output", "".join(output["text"])
            for mime, data in output.get("data", {}).items():
                if mime.startswith("text/"):
                    yield f"{where} output {mime}", "".join(data) if isinstance(data, list) else data
            if output.get("output_type") == "error":
                yield f"{where} error", f"{output.get('ename')}: {output.get('evalue')}"


def _docstring_nodes(tree) -> set:
    nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                nodes.add(id(body[0].value))
    return nodes


def module_strings(path: Path):
    """(where, text) for every string constant of a Python file, docstrings excepted."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstring_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield f"{path.relative_to(ROOT)} line {node.lineno}", node.value


def squeeze(text: str) -> str:
    """Text without any whitespace, so `a @ b` and `a@b` compare equal."""
    return re.sub(r"\s+", "", text)
