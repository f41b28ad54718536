"""How long grading 30 lesson-3 submissions takes (issue 5 asks for under 60 s on 2 cores), in the
sandbox (issue 13 asks for at most 1.3x plain nbclient execution of the same notebooks).

    python scripts/bench_grading.py [--jobs N] [--count 30] [--no-baseline]

The submissions (a third right, a third blank, a third wrong) are generated under
artifacts/bench_grading/; the CSV and feedback land there too. Prints the wall time of
`checks.grade` (the same work as the command, in this process: copies run walled off, then judged),
of the same grading with --no-sandbox, and of plain nbclient execution of the same notebooks with as
many at once (no limits, no judging): the baseline. `run()` returns the rows for benchmark.py.
The machine's load changes these figures: run it on a quiet machine, or read them as a range.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "artifacts" / "bench_grading"
WRONG = '''def dense_backward(dvalues, inputs, weights):
    return dvalues @ weights.T, dvalues.T @ inputs, np.sum(dvalues, axis=0)'''


def make_submissions(folder: Path, count: int) -> None:
    solution = nbformat.read(str(ROOT / "solutions" / "03_batched_dense.ipynb"), as_version=4)
    blank = nbformat.read(str(ROOT / "lessons" / "03_batched_dense.ipynb"), as_version=4)
    wrong = nbformat.read(str(ROOT / "solutions" / "03_batched_dense.ipynb"), as_version=4)
    cell = next(c for c in wrong.cells if c.cell_type == "code" and c.source.startswith("def dense_backward"))
    cell.source = WRONG
    for i in range(count):
        nb = (solution, blank, wrong)[i % 3]
        path = folder / f"learner{i:02d}" / "03_batched_dense.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))


def _grade(submissions: Path, out: Path, jobs: int | None, progress: bool, sandbox: bool) -> tuple[float, list]:
    from checks.grade import grade_paths
    from checks.grade.execute import Limits

    shutil.rmtree(out.parent, ignore_errors=True)
    started = time.perf_counter()
    grade_paths([str(submissions)], str(out), jobs=jobs, progress=progress, limits=Limits(sandbox=sandbox))
    seconds = time.perf_counter() - started
    with open(out, newline="", encoding="utf-8") as f:
        return seconds, list(csv.DictReader(f))


def _execute_plainly(path: str) -> None:
    """One notebook in a default kernel, in a temporary copy of its folder: what nbclient alone costs."""
    from nbclient import NotebookClient

    os.environ["BACKPROP_PROGRESS"] = "off"  # the kernel inherits it: no one's progress file is touched
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": folder}}).execute()


def _baseline(submissions: Path, jobs: int) -> float:
    paths = sorted(str(p) for p in submissions.rglob("*.ipynb"))
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        list(pool.map(_execute_plainly, paths))
    return time.perf_counter() - started


def run(count: int = 30, jobs: int | None = None, progress: bool = False, baseline: bool = True) -> list[tuple[str, str]]:
    """Grade `count` generated submissions; print the times; return (label, value) rows for benchmark.py."""
    jobs = jobs or os.cpu_count() or 1
    shutil.rmtree(OUT, ignore_errors=True)
    submissions = OUT / "submissions"
    make_submissions(submissions, count)
    seconds, rows = _grade(submissions, OUT / "sandbox" / "grades.csv", jobs, progress, sandbox=True)
    graded = sum(r["status"] == "graded" for r in rows)
    where = f"on {os.cpu_count()} cores with {jobs} job(s)"
    print(f"graded {len(rows)} lesson-3 submissions in the sandbox ({graded} with status graded, total score "
          f"{sum(int(r['score']) for r in rows)}) in {seconds:.1f} s {where}: "
          f"{seconds / max(len(rows), 1):.2f} s per submission (target: 30 in under 60 s)")
    result = [
        (f"grade {len(rows)} lesson-3 submissions", f"{seconds:.1f} s {where}, in the sandbox  (target: 30 in under 60 s)"),
        ("per submission", f"{seconds / max(len(rows), 1):.2f} s; {graded} with status graded"),
    ]
    if baseline:
        unwalled, _ = _grade(submissions, OUT / "no_sandbox" / "grades.csv", jobs, progress, sandbox=False)
        plain = _baseline(submissions, jobs)
        print(f"the same with --no-sandbox: {unwalled:.1f} s; plain nbclient execution of the same notebooks "
              f"({jobs} at once, no limits, no judging): {plain:.1f} s")
        print(f"grading in the sandbox / plain nbclient: {seconds / plain:.2f}x (target: at most 1.3x); "
              f"sandbox / --no-sandbox: {seconds / unwalled:.2f}x")
        result += [
            ("same, --no-sandbox", f"{unwalled:.1f} s"),
            ("plain nbclient execution", f"{plain:.1f} s  (the same notebooks, {jobs} at once)"),
            ("sandboxed grading / nbclient", f"{seconds / plain:.2f}x  (target <= 1.3x)"),
        ]
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--no-baseline", action="store_true", help="only the sandboxed grading")
    args = parser.parse_args(argv)
    run(args.count, args.jobs, progress=sys.stderr.isatty(), baseline=not args.no_baseline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
