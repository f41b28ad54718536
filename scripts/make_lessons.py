"""Make the learner's lessons/NAME.ipynb from the single source, solutions/NAME.ipynb.

    python scripts/make_lessons.py                 # every lesson
    python scripts/make_lessons.py 03 04_relu_backward solutions/05_backward_pass_and_sgd.ipynb
    python scripts/make_lessons.py --check         # write nothing; exit 1 if a lesson is stale
    python scripts/make_lessons.py --stamp-solutions   # also write metadata.course into the solutions

In code cells, each `### BEGIN SOLUTION` ... `### END SOLUTION` block (markers included) becomes:
  - inside a function body (indented marker): one line
        raise NotImplementedError("Exercise: NAME — replace this line with your code")
  - at top level: one `NAME = ...  # YOUR CODE HERE` line per name the block assigns, or
    `# YOUR CODE HERE` if it assigns none (so later cells see `...`, which checks call "not attempted").
In markdown cells, a block between `<!-- BEGIN SOLUTION -->` and `<!-- END SOLUTION -->` lines becomes
`*Your answer here.*`. Outputs, execution counts and widget state are cleared; cell ids are kept.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import sys
from pathlib import Path

import nbformat

import _notebooks as nbs
from checks.engine.markers import CODE_BEGIN, HEADER, MarkerError, assigned_names, enclosing_headers, find_blocks

MD_PLACEHOLDER = "*Your answer here.*"
TOP_LEVEL_PLACEHOLDER = "# YOUR CODE HERE"

# Cell metadata that only records a past run or the editor's view state.
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled")
# Fixed, so a lesson does not change with the Python version that last ran its solution.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
KEPT_NOTEBOOK_METADATA = ("title", "authors")


def make_lesson(solution_nb: nbformat.NotebookNode, name: str | None = None) -> nbformat.NotebookNode:
    """The lesson made from `solution_nb`; the solution itself is not modified.

    `name` is the notebook's file name without `.ipynb`; it names the notebook in errors and gives
    the lesson its `metadata.course`. Without it, the solution's own `metadata.course` (if any) is used.
    Raises MarkerError, naming the notebook and the cell, for unbalanced or nested markers.
    """
    course = nbs.course_info(name) if name else solution_nb.metadata.get("course")
    label = name or (course or {}).get("notebook") or "<notebook>"
    lesson = copy.deepcopy(solution_nb)
    lesson.nbformat, lesson.nbformat_minor = 4, max(5, lesson.get("nbformat_minor", 5))
    for index, cell in enumerate(lesson.cells):
        where = f"{label}, cell {index + 1} (id {cell.get('id', '?')})"
        if cell.cell_type == "code":
            cell.source = strip_code(cell.source, where)
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source = strip_markdown(cell.source, where)
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if "id" not in cell:  # nbformat < 4.5: give a stable id, not a random one
            cell.id = hashlib.sha1(f"{label}:{index}".encode()).hexdigest()[:8]
    metadata = {k: lesson.metadata[k] for k in KEPT_NOTEBOOK_METADATA if k in lesson.metadata}
    metadata["kernelspec"] = dict(nbs.KERNELSPEC)
    metadata["language_info"] = copy.deepcopy(LANGUAGE_INFO)
    if course:
        metadata["course"] = dict(course)
    lesson.metadata = nbformat.from_dict(metadata)
    return lesson


def strip_code(source: str, where: str = "<cell>") -> str:
    """`source` with every solution block replaced by its placeholder."""
    lines = source.split("\n")
    blocks = find_blocks(lines, "code", where)
    return "\n".join(_replace(lines, blocks, lambda start, end: _code_placeholder(lines, start, end, where)))


def strip_markdown(source: str, where: str = "<cell>") -> str:
    """`source` with every `<!-- BEGIN SOLUTION -->` block replaced by `*Your answer here.*`."""
    lines = source.split("\n")
    blocks = find_blocks(lines, "markdown", where)
    return "\n".join(_replace(lines, blocks, lambda start, end: [MD_PLACEHOLDER]))


def solution_blocks(nb: nbformat.NotebookNode, name: str = "<notebook>") -> int:
    """How many solution blocks `nb` has; raises MarkerError if any is malformed."""
    count = 0
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index + 1} (id {cell.get('id', '?')})"
        lines = cell.source.split("\n")
        if cell.cell_type == "code":
            count += len(find_blocks(lines, "code", where))
        elif cell.cell_type == "markdown":
            count += len(find_blocks(lines, "markdown", where))
    return count


def expected_lesson_text(solution_path: Path) -> str:
    """The exact file content make_lessons writes for the solution at `solution_path`."""
    return nbs.dumps(make_lesson(nbs.read(solution_path), solution_path.stem))


def lesson_is_current(solution_path: Path, lesson_path: Path) -> bool:
    """True if `lesson_path` exists and holds exactly what make_lessons would write for it."""
    lesson_path = Path(lesson_path)
    return lesson_path.is_file() and lesson_path.read_text(encoding="utf-8") == expected_lesson_text(
        Path(solution_path)
    )


def _replace(lines, blocks, placeholder) -> list[str]:
    out, position = [], 0
    for start, end in blocks:
        out += lines[position:start] + placeholder(start, end)
        position = end + 1
    return out + lines[position:]


def _code_placeholder(lines, start, end, where) -> list[str]:
    indent = CODE_BEGIN.match(lines[start]).group("indent")
    if indent:
        name = _enclosing_def(lines, start, where)
        what = f"Exercise: {name} — replace" if name else "Exercise: replace"
        return [f'{indent}raise NotImplementedError("{what} this line with your code")']
    try:
        tree = ast.parse("\n".join(lines[start + 1 : end]))
    except SyntaxError as error:
        raise MarkerError(
            f"{where}: the top-level solution block (lines {start + 1}-{end + 1}) is not valid Python"
            f" on its own: {error.msg}"
        ) from None
    names = assigned_names(tree)
    return [f"{name} = ...  {TOP_LEVEL_PLACEHOLDER}" for name in names] or [TOP_LEVEL_PLACEHOLDER]


def _enclosing_def(lines, start, where) -> str | None:
    """Name of the nearest def enclosing line `start`; a block directly in a class body is an error."""
    headers = enclosing_headers(lines, start)
    if not headers:
        return None
    match = HEADER.match(headers[-1])
    if match.group("kind") == "class":
        # A `raise` in a class body would fail when the class is defined, breaking the lesson.
        raise MarkerError(
            f"{where}: a solution block directly in the body of class {match.group('name')};"
            " put the markers inside a method"
        )
    return match.group("name")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="names, numbers or paths (default: every solution)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if any lesson is stale")
    parser.add_argument(
        "--stamp-solutions", action="store_true", help="also write metadata.course into the solutions"
    )
    parser.add_argument("--root", type=Path, default=nbs.ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.root
    try:
        solutions = nbs.resolve(args.notebooks, root)
        if args.check:
            return _check(solutions, root, every=not args.notebooks)
        for solution in solutions:
            _make(solution, root, stamp=args.stamp_solutions)
    except (MarkerError, nbs.UsageError, ValueError) as error:
        print(f"make_lessons: error: {error}", file=sys.stderr)
        return 2
    for orphan in _orphans(root) if not args.notebooks else []:
        print(f"warning: {orphan} has no solution notebook", file=sys.stderr)
    return 0


def _make(solution: Path, root: Path, stamp: bool) -> None:
    nb = nbs.read(solution)
    if stamp:
        nb.metadata["course"] = nbs.course_info(solution.stem)
        if nbs.write_if_changed(nb, solution):
            print(f"stamped {nbs.relative(solution, root)}")
    lesson_path = root / nbs.LESSONS / solution.name
    written = nbs.write_if_changed(make_lesson(nb, solution.stem), lesson_path)
    print(f"{'wrote' if written else 'unchanged'} {nbs.relative(lesson_path, root)}")


def _check(solutions: list[Path], root: Path, every: bool) -> int:
    problems = []
    for solution in solutions:
        lesson_path = root / nbs.LESSONS / solution.name
        stamped = nbs.read(solution).metadata.get("course")
        if stamped is not None and stamped != nbs.course_info(solution.stem):
            problems.append(f"wrong metadata.course: {nbs.relative(solution, root)} (use --stamp-solutions)")
        if not lesson_path.exists():
            problems.append(f"missing: {nbs.relative(lesson_path, root)}")
        elif not lesson_is_current(solution, lesson_path):
            problems.append(f"out of date: {nbs.relative(lesson_path, root)}")
    if every:
        problems += [f"no solution: {orphan}" for orphan in _orphans(root)]
    for problem in problems:
        print(problem)
    if problems:
        print("Run `python scripts/make_lessons.py` to regenerate the lessons from their solutions.")
        return 1
    print(f"{len(solutions)} lesson(s) up to date")
    return 0


def _orphans(root: Path) -> list[str]:
    names = {p.name for p in nbs.notebooks_in(root / nbs.SOLUTIONS)}
    return [nbs.relative(p, root) for p in nbs.notebooks_in(root / nbs.LESSONS) if p.name not in names]


if __name__ == "__main__":
    sys.exit(main())
