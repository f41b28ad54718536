"""A cell run before its exercise: "Finish `dense_backward` first" instead of a bare NameError.

Learners run cells out of order. A check cell (`check.dinputs(dinputs)`) or a gated demo
(`if checks.ready(check.dense_backward, dense_backward):`) run before the exercise cell that defines
the name would stop with Python's `NameError: name 'dense_backward' is not defined`, which does not say
what to do. Importing `checks` in IPython installs a handler for NameError raised by code written in
the notebook. When the missing name is

- the learner's object of an exercise of the lesson imported last (`dense_backward`, `dinputs`,
  lesson 6's `Layer_Dense`, lesson 9's `Value`), it says "Finish `dense_backward` first" and which
  exercise cell (its heading, its check) defines it;
- a name a cell of that lesson defines at its top level (`inputs`, `checks`), read from the lesson's
  notebook, it says which heading that cell is under and to run the cells above first.

Any other NameError (a typo, a name no cell of the lesson defines) gets IPython's usual traceback,
unchanged. The cell still ends in an error output (NameError), so "Run All" stops there and grading
sees the same failed cell; only the text shown in place of the traceback changes.

Not installed in strict mode (BACKPROP_STRICT=1: the checks' tests and grading), where an error should
look like Python's own.
"""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

from .exercise import REGISTRY, strict
from .result import Note
from .solutions import solution_path

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


def _exercises_taking(name: str) -> list:
    """The exercises whose learner object is `name`, of the lesson imported last that has one."""
    taking = [info for info in REGISTRY.values() if info.answer_name == name]
    if not taking:
        return []
    lesson = taking[-1].lesson
    return [info for info in taking if info.lesson == lesson]


def _current_notebook() -> str | None:
    """The notebook name ("03_batched_dense") of the lesson whose checks were imported last."""
    for info in reversed(list(REGISTRY.values())):
        module = sys.modules.get(f"checks.{info.lesson}")
        if module is not None and hasattr(module, "NOTEBOOK"):
            return module.NOTEBOOK
    return None


_definitions_cache: dict = {}


def definitions(notebook: str) -> dict:
    """name -> the heading above the first code cell that defines it at its top level (an assignment,
    def, class or import), read from the lesson's solution notebook, or its lesson where no solutions
    are shipped. {} if neither can be read."""
    if notebook in _definitions_cache:
        return _definitions_cache[notebook]
    found: dict = {}
    for path in (solution_path(notebook), LESSONS / f"{notebook}.ipynb"):
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        heading = "the lesson's first cells"
        for cell in cells:
            source = "".join(cell.get("source", ""))
            if cell.get("cell_type") == "markdown":
                titles = [line.lstrip("#").strip() for line in source.splitlines() if line.startswith("#")]
                heading = f'"{titles[-1]}"' if titles else heading
            elif cell.get("cell_type") == "code":
                for name in _top_level_names(source):
                    found.setdefault(name, heading)
        break
    _definitions_cache[notebook] = found
    return found


def _top_level_names(source: str) -> set:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        else:
            targets = [t for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For))
                       for t in ([n.target] if not isinstance(n, ast.Assign) else n.targets)]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def note_for(name: str) -> Note | None:
    """What to show for a NameError on `name` in the notebook's own code, or None if it is not ours:
    the name is neither an exercise's nor defined by any cell of the lesson."""
    notebook = _current_notebook()
    heading = definitions(notebook).get(name) if notebook else None
    under = f" (under {heading})" if heading else ""
    taking = _exercises_taking(name)
    if taking:
        call = f"check.{taking[0].name}"  # named, not written out: some checks take more than the answer
        return Note(
            f"Finish `{name}` first",
            f"This cell uses `{name}`, which is not defined yet. Its exercise cell, further up this notebook{under}, "
            f"defines it: the cell that calls {call}. Run that cell first (with your answer in it, or with its "
            f"placeholder for now), then run this cell again.",
        )
    if heading is None:
        return None
    return Note(
        "Run the cells above first",
        f"This cell uses `{name}`, which a cell further up this notebook defines{under}, and that cell has not "
        "run yet since the kernel started. Run the cells above this one first (Run > Run All Above Selected "
        "Cell), then this one.",
    )


def _notebook_name_error(shell, value, tb) -> str | None:
    """The missing name if the NameError was raised by code written in the notebook, else None."""
    name = getattr(value, "name", None)
    if not name or tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    if tb.tb_frame.f_globals is not shell.user_ns:
        return None  # raised inside an imported module: not a cell run too early
    return name


def _handler(shell, etype, value, tb, tb_offset=None):
    name = _notebook_name_error(shell, value, tb)
    note = note_for(name) if name else None
    if note is None:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    else:
        # Still an error output (ename NameError, as before), so "Run All" stops here and a grader reading
        # the outputs sees the same failed cell; only the text shown in place of the traceback changes.
        stb = [f"\x1b[1m{note.title}\x1b[0m", note.text]
    shell._showtraceback(etype, value, stb)
    return stb


def install() -> bool:
    """Install the handler in the running IPython shell; True if it is (or already was) installed."""
    if strict():
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if getattr(shell, "_backprop_name_help", False):
        return True
    if shell.custom_exceptions:
        return False  # someone else's handler: leave it alone
    shell.set_custom_exc((NameError,), _handler)
    shell._backprop_name_help = True
    return True
