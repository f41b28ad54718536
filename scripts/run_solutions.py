"""Re-execute solution notebooks in place, so their stored outputs are current.

    python scripts/run_solutions.py                  # every solutions/*.ipynb
    python scripts/run_solutions.py 03 04_relu_backward
    python scripts/run_solutions.py --strict         # any check that is not "correct" raises

Each notebook runs top to bottom in a fresh python3 kernel whose working directory is solutions/.
Run metadata that changes from run to run (timings, widget state, random widget ids, the Python
version) is removed, so re-running an unchanged solution rewrites nothing. A notebook with a cell
that raises is not written; the script names it and the cell, and exits 1.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import _notebooks as nbs

PROGRESS_FILE = "run-solutions-progress.json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
# Text a later `\r` overwrites on the same line (a progress bar's earlier frames).
OVERWRITTEN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)


class CellFailed(Exception):
    """A cell of a solution notebook raised (or timed out, or killed its kernel)."""


def execute(nb: nbformat.NotebookNode, name: str, workdir: Path, timeout: int) -> nbformat.NotebookNode:
    """Run `nb` in place in a fresh kernel started in `workdir`; raises CellFailed naming the cell."""
    current = {}
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": os.fspath(workdir)}},
        record_timing=False,
        store_widget_state=False,
        on_cell_start=lambda cell, cell_index: current.update(index=cell_index, id=cell.get("id", "?")),
    )
    try:
        client.execute()
    except Exception as error:  # noqa: BLE001 - any failure is reported with its cell
        where = f"cell {current.get('index', -1) + 1} (id {current.get('id', '?')})"
        raise CellFailed(f"{name}: {where} failed:\n{error}") from None
    return nb


def strip_volatile(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """Remove what changes between two runs of the same notebook; returns `nb`, modified."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(nbs.KERNELSPEC)
    nb.metadata.get("language_info", {}).pop("version", None)
    for index, cell in enumerate(nb.cells):
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            _coalesce_streams(cell)
            _renumber_widget_ids(cell, f"{name}:{index}")
    return nb


def _coalesce_streams(cell) -> None:
    """Join consecutive outputs of one stream: how prints are split into messages depends on timing."""
    merged = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and merged and merged[-1].get("name") == output.name:
            merged[-1].text += output.text
        else:
            merged.append(output)
    for output in merged:
        if output.output_type == "stream":
            output.text = OVERWRITTEN.sub("", output.text)
    cell.outputs = merged


def _renumber_widget_ids(cell, seed: str) -> None:
    """Replace the random model ids of displayed widgets by ids derived from the cell's place.

    The widget state is not stored, so the ids only need to be stable, not to resolve."""
    for n, output in enumerate(cell.get("outputs", [])):
        view = output.get("data", {}).get(WIDGET_VIEW)
        if isinstance(view, dict) and "model_id" in view:
            view["model_id"] = hashlib.sha1(f"{seed}:{n}".encode()).hexdigest()[:32]


def run(path: Path, root: Path, timeout: int) -> bool:
    """Execute the solution at `path` and write it back; True if the file changed."""
    progress = Path(os.environ["BACKPROP_PROGRESS_FILE"])
    progress.unlink(missing_ok=True)  # every notebook starts from no recorded progress
    nb = nbs.read(path)
    execute(nb, nbs.relative(path, root), path.parent, timeout)
    return nbs.write_if_changed(strip_volatile(nb, path.stem), path)


def set_environment(root: Path, strict: bool) -> None:
    """Keep every file the kernels write (progress, IPython history) under artifacts/."""
    artifacts = root / nbs.ARTIFACTS
    artifacts.mkdir(parents=True, exist_ok=True)
    os.environ["BACKPROP_PROGRESS_FILE"] = os.fspath(artifacts / PROGRESS_FILE)
    os.environ["BACKPROP_STRICT"] = "1" if strict else ""
    # A user's IPython startup files must not change a solution's outputs.
    os.environ["IPYTHONDIR"] = os.fspath(artifacts / "ipython")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="names, numbers or paths (default: every solution)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    parser.add_argument("--strict", action="store_true", help="set BACKPROP_STRICT=1 in the kernels")
    parser.add_argument("--root", type=Path, default=nbs.ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        paths = nbs.resolve(args.notebooks, args.root)
    except nbs.UsageError as error:
        print(f"run_solutions: error: {error}", file=sys.stderr)
        return 2
    set_environment(args.root, args.strict)
    failures = []
    for path in paths:
        start = time.perf_counter()
        try:
            changed = run(path, args.root, args.timeout)
        except CellFailed as error:
            failures.append(str(error))
            print(f"FAILED {nbs.relative(path, args.root)}", flush=True)
            continue
        state = "updated" if changed else "unchanged"
        print(f"{state} {nbs.relative(path, args.root)} ({time.perf_counter() - start:.1f} s)", flush=True)
    for failure in failures:
        print(f"\n{failure if sys.stderr.isatty() else ANSI_COLOUR.sub('', failure)}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
