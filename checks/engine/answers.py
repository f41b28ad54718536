"""Taking apart what a learner's function returned."""
from __future__ import annotations

import numpy as np

from .verdict import Incorrect, Raised


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


def linear_in_upstream(fn, args: tuple, names: tuple, parts: tuple, expected: tuple, what: str, judge=None) -> None:
    """A backward pass is linear in the upstream gradient (args[0]): tripling it triples every part.
    judge: a `_verdict.PartJudge`, to judge each part apart (parts it already failed are skipped)."""
    import contextlib

    from .diagnose import compare
    from .learner import guarded_call

    tripled = (3.0 * np.asarray(args[0], dtype=np.float64), *args[1:])
    got = unpack(guarded_call(fn, tripled, names, what).value, parts, what)
    for part, value, wanted in zip(parts, got, expected):
        if judge is not None and not judge.is_open(part):
            continue
        with judge.part(part) if judge is not None else contextlib.nullcontext():
            compare(part, value, 3.0 * np.asarray(wanted), what=what,
                    case=f"when {names[0]} is tripled (it should triple too)")


def call_explaining_shapes(fn, args: tuple, names: tuple, what: str, square_args: tuple, wrong_forms,
                           parts: tuple | None = None):
    """guarded_call(fn, args, names, what), explaining a product whose factors do not fit.

    When the learner's code stops on numpy's shape error (the raw `matmul ... (n?,k),(k,m?)` message), it is
    called once more on `square_args`, where every array is square and numpy lets any product through. If a
    part of that result is one of `wrong_forms(*square_args)[part]` (the right factors, one transposed or in
    the other order), the verdict is "transposed" for that part, with the learner's own line (`_shapes`);
    otherwise the learner's error stands.
    parts: the names of the returned tuple's items, or None for a single array (named `names`' result).
    """
    from .learner import guarded_call
    from .shapes import NOT_FOUND, is_shape_error, transposed_verdict, wrong_part

    try:
        return guarded_call(fn, args, names, what)
    except Raised as raised:
        if not is_shape_error(raised):
            raise
        error = raised
    try:
        value = guarded_call(fn, square_args, names, what).value
        got = dict(zip(parts, value)) if parts else {None: value}
        part = wrong_part(got, wrong_forms(*square_args))
    except (Raised, TypeError, ValueError):
        raise error from None
    if part is NOT_FOUND:
        raise error
    raise transposed_verdict(error, part) from None


def not_aliased(value, part: str, notebook: dict, originals: dict) -> None:
    """For a value check: the learner's answer must be an array of its own, and the notebook's arrays unchanged.

    notebook:  the learner's namespace (`_learner.caller_namespace()`)
    originals: {name: the array the lesson defined under that name}, e.g. {"dvalues": ..., "z": ...}
    `drelu = dvalues` followed by zeroing some of drelu's entries is caught here: drelu *is* dvalues, and zeroing it
    changed dvalues too, so every later attempt would start from a wrong dvalues.
    """
    for name, original in originals.items():
        theirs = notebook.get(name)
        if not isinstance(theirs, np.ndarray) or theirs.shape != np.shape(original):
            continue
        if isinstance(value, np.ndarray) and np.shares_memory(theirs, value):
            changed = not np.array_equal(theirs, original)
            raise Incorrect(
                f"Your {part} is not an array of its own: it is the same array as your `{name}` "
                f"(`{part} = {name}` gives one array a second name, it copies nothing)."
                + (f" So changing {part} changed `{name}` too: print({name}) and see." if changed else "")
                + f"\nTry: re-run the cell that defines `{name}`, then start {part} from a copy of it.",
                part=part,
                diagnosis="aliased",
            )
        if not np.array_equal(theirs, original):
            raise Incorrect(
                f"Your `{name}` is no longer the array the lesson gave you: some of its entries were changed "
                f"in place (by an assignment into `{name}`, or into another name for the same array).\n"
                f"Try: re-run the cell that defines `{name}`, then compute {part} without writing into `{name}`.",
                part=name,
                diagnosis="modified_input",
            )
