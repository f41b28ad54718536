"""A lesson's cells run in a real Jupyter kernel, in any order: as a learner runs them.

    with KernelSession("lessons/09_autograd.ipynb") as lesson:
        lesson.run_until("check.backward(Value)")   # every code cell from the top to that one
        lesson.run("class Value")                   # the cell starting with that text, once more
        text, error = lesson.run("check.backward(Value)")

`run` finds the first code cell whose source contains the text, executes it, and returns what it showed
as text (streams, text/plain of displays and results) and the error's name, if it ended in one.
`run_source` runs code of the test's own (a learner's edit). The kernel starts in the notebook's folder,
with BACKPROP_STRICT unset, as in JupyterLab.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


class KernelSession:
    def __init__(self, relative_path: str, timeout: int = 120):
        path = ROOT / relative_path
        self.notebook = nbformat.read(path, as_version=4)
        self.code_cells = [c for c in self.notebook.cells if c.cell_type == "code"]
        self.client = NotebookClient(self.notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(path.parent)}})
        self.client.on_cell_error = self._on_error
        self._context = None
        self._error = None

    def __enter__(self):
        saved = os.environ.pop("BACKPROP_STRICT", None)
        try:
            self._context = self.client.setup_kernel()
            self._context.__enter__()
        finally:
            if saved is not None:
                os.environ["BACKPROP_STRICT"] = saved
        return self

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)

    def cell(self, text: str):
        for cell in self.code_cells:
            if text in cell.source:
                return cell
        raise KeyError(f"no code cell contains {text!r}")

    def run(self, text: str) -> tuple[str, str | None]:
        """Run the first code cell containing `text`: (what it showed, the error's name or None)."""
        return self._execute(self.cell(text))

    def run_source(self, source: str) -> tuple[str, str | None]:
        return self._execute(nbformat.v4.new_code_cell(source))

    def run_until(self, text: str) -> None:
        """Run every code cell from the top through the first one containing `text`; each must not raise."""
        target = self.cell(text)
        for cell in self.code_cells:
            shown, error = self._execute(cell)
            assert error is None, f"cell {cell.source[:60]!r} raised {error}: {shown[-500:]}"
            if cell is target:
                return

    def _on_error(self, cell, cell_index, execute_reply):
        self._error = execute_reply["content"].get("ename", "error")

    def _execute(self, cell) -> tuple[str, str | None]:
        """Run a copy of `cell` (the notebook's own cells keep no outputs) in a scratch slot at the end."""
        cell = nbformat.from_dict(dict(cell))
        cell.outputs = []
        self.notebook.cells.append(cell)
        self._error = None
        try:
            self.client.execute_cell(cell, len(self.notebook.cells) - 1)
        finally:
            self.notebook.cells.pop()
        # The kernel's reply carries the error's name even when no traceback was shown (a NameError
        # explained by checks' note shows the note instead).
        return shown_text(cell.outputs), self._error


def shown_text(outputs) -> str:
    parts = []
    for output in outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in {"display_data", "execute_result"}:
            parts.append(output.data.get("text/plain", ""))
        elif output.output_type == "error":
            parts.append("\n".join(output.traceback))
    return "\n".join(parts)
