"""Running a notebook's code cells in this process, to see what each check cell returns.

Used by the lesson tests: the solution's answers must pass every check, and the blank lesson must run
top to bottom with every check saying "not attempted". Faster than a kernel, and a failure points at the cell.
"""
from __future__ import annotations

import ast
import contextlib
import io
from pathlib import Path

import nbformat

from checks import Result

ROOT = Path(__file__).resolve().parent.parent


def check_results(relative_path: str) -> list[Result]:
    """The Result each code cell of the notebook ends with (see `run_notebook`)."""
    return run_notebook(relative_path)[0]


def run_notebook(relative_path: str) -> tuple[list[Result], dict]:
    """Execute the notebook's code cells in one namespace: (the Result each cell ends with, the namespace).

    Each cell's last expression is evaluated as Jupyter would display it; output is swallowed.
    """
    import matplotlib

    matplotlib.use("Agg")  # plt.show() draws nothing and opens no window
    import matplotlib.pyplot as plt

    notebook = nbformat.read(ROOT / relative_path, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    results = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        where = f"{relative_path}, cell {index + 1}"
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(tree, where, "exec"), namespace)
            value = eval(compile(ast.Expression(last.value), where, "eval"), namespace) if last else None
        if isinstance(value, Result):
            results.append(value)
    plt.close("all")
    return results, namespace
