"""Numbers: turning learner answers into float64 arrays, central differences, closeness."""
from __future__ import annotations

import numpy as np

from .verdict import Incorrect

# Learners may compute in float32 (about 7 significant digits), so values are compared with a
# relative tolerance of 1e-4 of the answer's scale; central differences of the course's forward
# passes (linear or piecewise linear in float64) are exact to about 1e-9.
RTOL = 1e-4


def as_float64(value, part: str, what: str) -> np.ndarray:
    """value as a float64 array, or an Incorrect verdict saying why it is not numbers.

    Converting first means an object with a rigged `__eq__` is judged by its numbers only.
    """
    if value is None:
        raise Incorrect(
            f"{what} gave None for {part}. Did you forget a `return` statement?",
            part=part,
            diagnosis="nothing_returned",
        )
    if value is Ellipsis:
        raise Incorrect(f"{what} gave `...` for {part}: replace the placeholder.", part=part, diagnosis="placeholder")
    if isinstance(value, (str, bytes)):
        raise Incorrect(
            f"{what} gave text ({value[:40]!r}) for {part}; it should be numbers.",
            part=part,
            diagnosis="not_numbers",
        )
    try:
        array = np.array(value, dtype=np.float64)
    except Exception:
        raise Incorrect(
            f"{what} gave {part} as a {type(value).__name__} that is not an array of numbers.",
            part=part,
            diagnosis="not_numbers",
        ) from None
    if not np.all(np.isfinite(array)):
        raise Incorrect(
            f"{what} gave {part} containing NaN or infinity. Look for a division by zero "
            "or an operation on an uninitialised array (np.empty).",
            part=part,
            diagnosis="not_finite",
        )
    return array


def close(got: np.ndarray, expected: np.ndarray) -> bool:
    """Same shape and values to RTOL of the expected array's scale."""
    if got.shape != expected.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    return bool(np.all(np.abs(got - expected) <= RTOL * scale))


def central_difference(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of scalar f at x by central differences, in float64.

    f: callable taking an array shaped like x and returning a float.
    x: any shape. Returns an array of x's shape. x itself is left untouched.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = f(x)
        x[index] = saved - h
        minus = f(x)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a| + |b|, 1e-12): the CS231n measure, with a floor."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12), initial=0.0))
