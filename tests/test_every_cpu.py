"""The same results on every CPU: the solutions and the training tests under other BLAS kernels.

numpy's OpenBLAS picks a matrix-product kernel for the CPU it runs on, and kernels round differently in
the last bit. One multiplication does not care, but lesson 8's 2000 training steps amplify those bits,
so what the notebooks compare and what the tests assert must hold whatever kernel is picked.
`OPENBLAS_CORETYPE=Prescott` (SSE3) and `=Haswell` (AVX2) run on any x86-64 CPU of the last decade,
so this machine can stand in for others: each variant reruns, in a fresh process,

- every solution notebook under nbval, strictly (every stored output must be reproduced), and
- lesson 8's tests, which train networks and multiply the largest matrices of the course,

with the kernel forced and with 1 and 2 BLAS threads. The default kernel is the main run's.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("BACKPROP_TEST_ARTIFACTS") or ROOT / "artifacts")
X86_64 = platform.machine().lower() in ("x86_64", "amd64")
NOT_X86 = (f"OPENBLAS_CORETYPE names x86-64 kernels; this is {platform.machine()}, "
           "so only the default kernel is tested (by the main run)")

# OpenBLAS reports some kernels by the name of the family they reuse (Prescott's is "Katmai").
EXPECTED_CORE = {"Prescott": ("Prescott", "Katmai"), "Haswell": ("Haswell",)}
VARIANTS = [(core, threads) for core in (None, "Prescott", "Haswell") for threads in (1, 2)]


def core_name(env: dict) -> str:
    """The kernel OpenBLAS picked in a fresh process with this environment (numpy's bundled library)."""
    code = (
        "import ctypes, glob, os, numpy\n"
        "libs = os.path.join(os.path.dirname(numpy.__file__), os.pardir, 'numpy.libs')\n"
        "lib = ctypes.CDLL(glob.glob(os.path.join(libs, '*openblas*'))[0])\n"
        "f = next(getattr(lib, n) for n in ('scipy_openblas_get_corename64_', 'openblas_get_corename64_',\n"
        "                                   'openblas_get_corename') if hasattr(lib, n))\n"
        "f.restype = ctypes.c_char_p\n"
        "print(f().decode())\n"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True, timeout=60).stdout.strip()


@pytest.mark.skipif(not X86_64, reason=NOT_X86)
@pytest.mark.parametrize("core, threads", VARIANTS,
                         ids=[f"{core or 'default'}-{threads}thread{'s' * (threads > 1)}" for core, threads in VARIANTS])
def test_solutions_and_training_hold_with_this_blas_kernel(core, threads):
    name = f"{core or 'default'}-{threads}"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads),
           # a folder of its own, so progress files never collide with the main run's
           "BACKPROP_TEST_ARTIFACTS": str(ARTIFACTS / "every-cpu" / name)}
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    if core:
        env["OPENBLAS_CORETYPE"] = core
        picked = core_name(env)
        assert picked in EXPECTED_CORE[core], f"OPENBLAS_CORETYPE={core} was ignored: OpenBLAS picked {picked}"

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-q", "--color=no",
         "--basetemp", str(ARTIFACTS / "every-cpu" / name / "tmp"),
         "solutions", "tests/test_lesson08.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    summary = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
    assert result.returncode == 0, (
        f"with OPENBLAS_CORETYPE={core or '(default)'} and {threads} thread(s): {summary[0]}\n"
        + result.stdout[-6000:] + result.stderr[-2000:]
    )
    assert " passed" in summary[0] and "failed" not in summary[0]


ESTIMATE_TESTS = ["tests/test_lesson01.py", "tests/test_lesson02.py", "tests/test_lesson03.py",
                  "tests/test_lesson04.py", "tests/test_lesson06.py", "tests/test_lesson08.py",
                  "tests/test_estimates_on_copies.py", "tests/test_estimate_known_limits.py",
                  "tests/test_lesson09_estimate.py"]


@pytest.mark.skipif(not X86_64, reason=NOT_X86)
@pytest.mark.parametrize("core", ["Prescott", "Haswell"])
def test_numerical_estimates_are_told_from_derived_gradients_with_this_blas_kernel(core):
    """Issue 17: the checks tell a pasted finite difference from a chain-rule answer by its rounding, to
    about 1e-12 against 1e-15: analytic answers (matrix products, loops, einsum, float32) must pass and
    estimates be named whatever kernel rounds the products."""
    env = {**os.environ, "OPENBLAS_CORETYPE": core, "OPENBLAS_NUM_THREADS": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-q", "--color=no",
         "-k", "numerical or estimate or analytic or right_answers or right_dense or right_relus",
         *ESTIMATE_TESTS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    summary = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
    assert result.returncode == 0, f"with OPENBLAS_CORETYPE={core}: {summary[0]}\n" + result.stdout[-6000:]
    assert " passed" in summary[0] and "failed" not in summary[0]
