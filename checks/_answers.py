"""Taking apart what a learner's function returned."""
from __future__ import annotations

import numpy as np

from ._verdict import Incorrect


def unpack(value, parts: tuple, what: str) -> tuple:
    """value should be a tuple (or list) of len(parts) items; say clearly what it is otherwise."""
    expected = f"{len(parts)} values ({', '.join(parts)})"
    if value is None:
        raise Incorrect(
            f"{what} returned nothing (None). End it with `return {', '.join(parts)}`.",
            part=parts[0],
            diagnosis="nothing_returned",
        )
    if isinstance(value, np.ndarray) or not isinstance(value, (tuple, list)):
        raise Incorrect(
            f"{what} returned one {type(value).__name__}, but it should return {expected}: "
            f"`return {', '.join(parts)}`.",
            part=parts[0],
            diagnosis="wrong_return",
        )
    if len(value) != len(parts):
        raise Incorrect(
            f"{what} returned {len(value)} values, but it should return {expected}.",
            part=parts[0],
            diagnosis="wrong_return",
        )
    return tuple(value)


def untouched(call, what: str, allowed=()) -> None:
    """Incorrect if the learner's code changed any of its arguments (except `allowed`)."""
    changed = [name for name in call.modified if name not in allowed]
    if changed:
        name = changed[0]
        raise Incorrect(
            f"{what} changed its argument `{name}` in place. The caller still needs `{name}` as it was: "
            f"another layer may use the same array.\n"
            f"Try: work on a copy (`{name}.copy()`) or build a new array instead of assigning into `{name}`.",
            part=name,
            diagnosis="modified_input",
        )


def linear_in_upstream(fn, args: tuple, names: tuple, parts: tuple, expected: tuple, what: str) -> None:
    """A backward pass is linear in the upstream gradient (args[0]): tripling it triples every part."""
    from ._diagnose import compare
    from ._learner import guarded_call

    tripled = (3.0 * np.asarray(args[0], dtype=np.float64), *args[1:])
    got = unpack(guarded_call(fn, tripled, names, what).value, parts, what)
    for part, value, wanted in zip(parts, got, expected):
        compare(part, value, 3.0 * np.asarray(wanted), what=what, case=f"when {names[0]} is tripled (it should triple too)")
