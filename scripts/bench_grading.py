"""How long grading 30 lesson-3 submissions takes (issue 5 asks for under 60 s on 2 cores).

    python scripts/bench_grading.py [--jobs N] [--count 30]

The submissions (a third right, a third blank, a third wrong) are generated under
artifacts/bench_grading/; the CSV and feedback land there too. Prints the wall time of
`checks.grade` (the same work as the command, in this process) and `run()` returns the CSV rows.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import time
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


def run(count: int = 30, jobs: int | None = None, progress: bool = False) -> list[tuple[str, str]]:
    """Grade `count` generated submissions; print the time; return (label, value) rows for benchmark.py."""
    from checks.grade import grade_paths

    shutil.rmtree(OUT, ignore_errors=True)
    submissions = OUT / "submissions"
    make_submissions(submissions, count)
    out = OUT / "grades.csv"
    started = time.perf_counter()
    grade_paths([str(submissions)], str(out), jobs=jobs, progress=progress)
    seconds = time.perf_counter() - started
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    graded = sum(r["status"] == "graded" for r in rows)
    print(f"graded {len(rows)} lesson-3 submissions ({graded} with status graded, total score "
          f"{sum(int(r['score']) for r in rows)}) in {seconds:.1f} s on {os.cpu_count()} cores "
          f"with {jobs or os.cpu_count()} job(s): {seconds / max(len(rows), 1):.2f} s per submission "
          f"(target: 30 in under 60 s)")
    return [
        (f"grade {len(rows)} lesson-3 submissions", f"{seconds:.1f} s on {os.cpu_count()} cores  (target: 30 in under 60 s)"),
        ("per submission", f"{seconds / max(len(rows), 1):.2f} s; {graded} with status graded"),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    run(args.count, args.jobs, progress=sys.stderr.isatty())
    return 0


if __name__ == "__main__":
    sys.exit(main())
