"""Grading against plain execution, on one machine and on a 2-worker Dask LocalCluster (issue 11).

    python scripts/bench_grading_scale.py [--count 30 300]
    BENCH_GRADING_SCALE_N=30 python scripts/benchmark.py grading-scale

For each N, the same N lesson-3 submissions (a third right, a third blank, a third wrong, as in
bench_grading.py) are
- graded: `checks.grade` with the local pool (one process per core), then on the cluster;
- executed plainly: every notebook run once with nbclient in a fresh kernel and not judged, with
  the same parallelism (a process pool of one process per core, then the cluster's workers).
Plain kernels get what grading kernels get that changes speed: one BLAS thread each, progress
recording off. The figure to watch is grading / plain (issue 11's aim: at most 1.3x).
Files go to artifacts/bench_grading_scale/ (git-ignored). Nothing here asserts.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
OUT = ROOT / "artifacts" / "bench_grading_scale"
PLAIN_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "BACKPROP_PROGRESS": "off"}


def execute_plain(name: str, data: bytes) -> bool:
    """Run one notebook (sent as bytes) with nbclient in a fresh kernel, in a scratch folder; no judging.
    Returns whether it ran to the end."""
    import nbclient
    import nbformat
    from jupyter_client import KernelManager

    os.environ.update(PLAIN_ENV)  # inherited by the kernel
    folder = tempfile.mkdtemp(prefix="backprop-plain-")
    try:
        (Path(folder) / name).write_bytes(data)
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        # Local sockets, as the grader's kernels use: TCP ports picked by parallel kernels can collide.
        km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(folder, ".kernel"))
        nbclient.NotebookClient(nb, km=km, timeout=300, allow_errors=True,
                                resources={"metadata": {"path": folder}}).execute()
        return True
    except Exception:
        return False
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _notebooks(folder: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(folder.rglob("*.ipynb"))]


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(count: int, cluster_client, me) -> list[tuple[str, str]]:
    from checks.grade import grade_paths

    bench_grading = importlib.import_module("bench_grading")
    shutil.rmtree(OUT, ignore_errors=True)
    submissions = OUT / "submissions"
    bench_grading.make_submissions(submissions, count)
    notebooks = _notebooks(submissions)
    cores = os.cpu_count() or 1
    names, contents = [n for n, _ in notebooks], [d for _, d in notebooks]

    ran = []

    def plain_local():
        # spawn, not fork: this process already runs the cluster client's threads
        with ProcessPoolExecutor(max_workers=cores, mp_context=multiprocessing.get_context("spawn")) as pool:
            ran.append(sum(pool.map(me.execute_plain, names, contents)))

    def plain_cluster():
        ran.append(sum(cluster_client.gather(cluster_client.map(me.execute_plain, names, contents, pure=False))))

    def grade_here(out, **how):
        rows = grade_paths([str(submissions)], str(OUT / out), progress=False, **how)
        ran.append(sum(row.status == "graded" for row in rows))

    rows = []
    for where, grading, plain in [("one machine", lambda: grade_here("local.csv", jobs=cores), plain_local),
                                  ("LocalCluster, 2 workers", lambda: grade_here("cluster.csv", scheduler=cluster_client),
                                   plain_cluster)]:
        graded_seconds, plain_seconds = _timed(grading), _timed(plain)
        plain_ran, graded = ran.pop(), ran.pop()
        rows.append((f"N={count}, {where}",
                     f"graded {graded_seconds:.1f} s, plain nbclient {plain_seconds:.1f} s: "
                     f"{graded_seconds / plain_seconds:.2f}x  (aim <= 1.3x); "
                     f"{graded_seconds / count:.2f} s per graded submission; "
                     f"{graded}/{count} graded, {plain_ran}/{count} ran to the end plainly"))
        print(f"{rows[-1][0]}: {rows[-1][1]}", flush=True)
    return rows


def run(counts=None) -> list[tuple[str, str]]:
    """(label, value) rows for benchmark.py; N from `counts`, else BENCH_GRADING_SCALE_N ("30,300")."""
    import cloudpickle
    from distributed import Client, LocalCluster

    if counts is None:
        counts = [int(n) for n in os.environ.get("BENCH_GRADING_SCALE_N", "30,300").split(",") if n.strip()]
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    me = importlib.import_module("bench_grading_scale")  # importable by name, so the local pool can pickle it
    cloudpickle.register_pickle_by_value(me)             # and sent by value to the cluster's workers
    rows = [("cores", f"{os.cpu_count()}; cluster: 2 worker processes of 1 thread on 127.0.0.1, on these cores"),
            ("load average at start", "%.1f %.1f %.1f  (other work on the machine slows every figure)" % os.getloadavg())]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, worker_dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        for count in counts:
            rows += measure(count, client, me)
    rows.append(("load average at end", "%.1f %.1f %.1f" % os.getloadavg()))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, nargs="+", default=[30, 300], help="the N to measure (default: 30 300)")
    args = parser.parse_args(argv)
    run(args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
