"""The mistakes lesson 7's numerical_gradient check knows by name: one-sided differences, nudged rows,
aliased copies, a factor of two, a flattened gradient, h ignored, and x left changed.

Each diagnoser is compare()'s (checks/engine/diagnose.py): (got, expected, context) -> a Mistake or None,
on float64 arrays of x's shape. A wrong answer is matched against the values one mistake gives (the
wrong differences are computed here, on copies of x), and only where those differ from the right ones.
"""
from __future__ import annotations

import numpy as np

from ..engine.diagnose import Mistake
from ..engine.numeric import close


def _one_sided(f, x, h, forward=True):
    x = x.copy()
    grad = np.zeros_like(x)
    base = f(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + (h if forward else -h)
        grad[index] = (f(x) - base) / h if forward else (base - f(x)) / h
        x[index] = saved
    return grad


def _by_rows(f, x, h):
    """What nudging a whole row at once (x[i] += h on a 2-D x) gives, spread over the row."""
    x = x.copy()
    grad = np.zeros_like(x)
    for i in range(len(x)):
        saved = x[i].copy()
        x[i] = saved + h
        plus = f(x)
        x[i] = saved - h
        minus = f(x)
        x[i] = saved
        grad[i] = (plus - minus) / (2 * h)
    return grad


def recording(f):
    """f, and the list of points (copies) it is evaluated at."""
    points = []

    def recorded(x):
        try:
            points.append(np.array(x, dtype=np.float64))
        except Exception:  # not numbers: f itself will say so
            pass
        return f(x)

    return recorded, points


def diagnosers(f, x, h, derivative, points=()):
    """compare()'s diagnosers for a numerical_gradient on f at x with step h: its named mistakes, each
    recognised by the values it gives (derivative: the exact one; points: where f was evaluated)."""
    def aliased(got, expected, context):
        """`x_plus = x` (a second name, not a copy): both nudges change x itself, so f sees x un-nudged."""
        at_x = sum(1 for p in points if p.shape == x.shape and np.array_equal(p, x))
        if got.shape != expected.shape or at_x < 2 or close(expected, np.zeros_like(expected)):
            return None
        zeros = close(got, np.zeros_like(expected))
        half = any(close(got, _one_sided(f, x, h, forward) / 2) for forward in (True, False))
        if not (zeros or half):
            return None
        if zeros:
            seen = ("both values you subtract came from the same, un-nudged x, so their difference is 0. That is "
                    "what `x_plus = x` does: it copies nothing, so x_plus and x_minus are second names for x "
                    "itself, and the second nudge undoes the first.")
        else:  # the same calls come from an alias and from a nudge down that only undoes the nudge up
            seen = ("one of the two values you subtract came from the un-nudged x: the point a step below was "
                    "never evaluated. Two ways to get there: `x_plus = x` copies nothing, so nudging x_minus "
                    "undid x_plus's nudge in x itself; or, nudging x itself, a step of h down from x + h lands "
                    "back on x, not a step below it.")
        return Mistake(
            "aliasing",
            f"f was called at x exactly as it was, {at_x} of {len(points)} times: {seen}",
            "Either make real copies (`x.copy()`), or nudge x itself and call f between the nudges, putting "
            "the element back afterwards.",
        )

    def one_sided(got, expected, context):
        for forward in (True, False):
            if got.shape == expected.shape and not close(expected, _one_sided(f, x, h, forward)) and close(
                    got, _one_sided(f, x, h, forward)):
                return Mistake(
                    "one_sided",
                    f"your values are {'forward' if forward else 'backward'} differences: the slope between "
                    f"x and x {'+' if forward else '-'} h. Their error shrinks only like h.",
                    "Use the two points on either side of x, x + h and x - h: the error of the central "
                    "difference shrinks like h**2.",
                )
        return None

    def factor_of_two(got, expected, context):
        for factor, why in ((2.0, "you divided by h, but x + h and x - h are 2h apart"),
                            (0.5, "you divided by 2h once too often (or by 4h)")):
            if got.shape == expected.shape and close(got, factor * expected):
                return Mistake("factor_of_two", f"your values are {factor:g} times the right ones: {why}.",
                               "The slope is the rise over the run: the run from x - h to x + h is 2 * h.")
        return None

    def scalar(got, expected, context):
        if got.size == 1 and expected.size > 1:
            return Mistake(
                "scalar_answer",
                f"you returned one number, but x has {expected.size} elements, so the gradient has "
                f"{expected.size} values, shaped like x {expected.shape}.",
                "Nudge one element of x at a time, and store each slope in an array of zeros shaped like x "
                "(np.zeros_like(x)). Nudging all of x at once gives the sum of the slopes.",
            )
        return None

    def rows(got, expected, context):
        if x.ndim == 2 and got.shape[:1] == x.shape[:1] and got.size in (x.shape[0], x.size):
            by_rows = _by_rows(f, x, h)
            if close(got.reshape(-1), by_rows[:, 0]) or close(got.reshape(by_rows.shape) if got.size == x.size
                                                               else got, by_rows):
                return Mistake(
                    "rows_not_elements",
                    "on a 2-D x, your loop nudged whole rows (x[i] += h changes every element of row i).",
                    "Visit every element, not every row: np.ndindex(x.shape) gives index tuples such as "
                    "(1, 2), for any number of dimensions.",
                )
        return None

    def flattened(got, expected, context):
        if got.shape != expected.shape and got.size == expected.size and close(got.reshape(expected.shape),
                                                                                 expected):
            return Mistake(
                "wrong_shape",
                f"the values are right, but your gradient has shape {got.shape} instead of x's shape "
                f"{expected.shape}.",
                "A gradient has the shape of what it is the gradient of: start from np.zeros_like(x).",
            )
        return None

    def h_ignored(got, expected, context):
        exact = derivative(x)
        if got.shape == expected.shape and not close(exact, expected) and close(got, exact):
            return Mistake(
                "h_ignored",
                f"your values are the exact derivative, closer than central differences with h = {h:g} can "
                "be: your function does not use the h it is given.",
                "Use the argument h for the nudge, not a step of your own.",
            )
        return None

    return (aliased, scalar, rows, flattened, one_sided, factor_of_two, h_ignored)


def restored(before: np.ndarray, after: np.ndarray) -> bool:
    """x as it was: equal, allowing the last-digit rounding of x[i] += h; x[i] -= h."""
    if after.shape != before.shape:
        return False
    return bool(np.all(np.abs(after - before) <= 1e-12 * np.maximum(1.0, np.abs(before))))
