"""Comparing an answer with the expected array, and naming the mistake when it is a known kind.

A diagnoser looks at (got, expected, context) and returns a `Mistake` or None. The generic
ones below know nothing about any lesson; lessons add their own (mask on the wrong array, ...).
`context` is a dict a lesson fills with what its diagnosers need (the case's inputs, the batch size).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .numeric import as_float64, close
from .verdict import Incorrect


@dataclass(frozen=True)
class Mistake:
    kind: str  # short machine-readable name, e.g. "transposed"
    explanation: str  # what happened, in the learner's terms
    advice: str  # how to think about it, without giving the answer


def transposed(got, expected, context):
    if got.ndim == 2 and got.shape == expected.T.shape and got.shape != expected.shape and close(got.T, expected):
        return Mistake(
            "transposed",
            f"your array has shape {got.shape} but should have shape {expected.shape}: "
            "it holds the right numbers, transposed.",
            "A gradient has the shape of what it is the gradient of. Swap the order of the "
            "factors in the product, or move the `.T` to the other factor.",
        )
    return None


def missing_keepdims(got, expected, context):
    if expected.ndim == 2 and expected.shape[0] == 1 and got.shape == expected.shape[1:] and close(got, expected[0]):
        return Mistake(
            "missing_keepdims",
            f"the numbers are right, but the shape is {got.shape} instead of {expected.shape}.",
            "np.sum drops the summed axis unless you ask it to keep it: look at its `keepdims` argument.",
        )
    return None


def collapsed_to_scalar(got, expected, context):
    if got.size == 1 and expected.size > 1:
        return Mistake(
            "summed_all_axes",
            f"you gave a single number, but {expected.size} values of shape {expected.shape} are expected.",
            "A sum without an `axis` adds up everything: which axis should it run over, if any?",
        )
    return None


def wrong_sign(got, expected, context):
    if np.any(expected != 0) and close(-got, expected):
        return Mistake(
            "wrong_sign",
            "every value has the wrong sign.",
            "Look for a minus sign that is missing, or one too many.",
        )
    return None


def scaled(got, expected, context):
    """Every value off by the same factor (an array with at least two non-zero entries)."""
    nonzero = expected != 0
    if got.shape != expected.shape or np.count_nonzero(nonzero) < 2 or np.any(got[~nonzero] != 0):
        return None
    ratios = got[nonzero] / expected[nonzero]
    factor = float(np.median(ratios))
    if abs(factor) < 1e-9 or abs(factor - 1) < 1e-3 or abs(factor + 1) < 1e-3 or not close(got, factor * expected):
        return None
    return Mistake(
        "scaled",
        f"every value is off by the same factor: yours are about {factor:.3g} times the right ones.",
        "A factor too many or one missing: which step multiplies (or divides) everything by the same number?",
    )


# Gradients with one row per sample: nothing of them is summed over the batch, so "sum, don't average"
# would be untrue advice for them (a dinputs divided by N is a factor too many: `scaled` says so).
PER_SAMPLE = frozenset({"dinputs"})


def averaged_not_summed(got, expected, context):
    """A parameter's gradient (summed over the batch) divided by the batch size."""
    batch = context.get("batch", 1)
    if context.get("part") in PER_SAMPLE:
        return None
    if batch > 1 and got.shape == expected.shape and np.any(expected != 0) and close(got * batch, expected):
        return Mistake(
            "mean_instead_of_sum",
            f"your values are the right ones divided by the batch size ({batch}).",
            "Each sample adds its own contribution to a parameter's gradient: sum over the batch, "
            "don't average (the loss decides about averaging, and this one does not).",
        )
    return None


def upstream_ignored(got, expected, context):
    """context["if_upstream_were_ones"][part]: what the answer would be if dvalues were all ones."""
    alternative = context.get("if_upstream_were_ones", {}).get(context.get("part"))
    if alternative is not None and not close(alternative, expected) and close(got, alternative):
        return Mistake(
            "upstream_ignored",
            "your answer is what it would be if the incoming gradient (dvalues) were all ones.",
            "The chain rule multiplies the local derivative by the gradient coming from above: "
            "where does dvalues enter your computation?",
        )
    return None


GENERIC = (upstream_ignored, transposed, missing_keepdims, collapsed_to_scalar, wrong_sign, averaged_not_summed, scaled)


# Advice for the mistakes compare() names itself; a lesson may replace any of them (`advice=`).
ADVICE = {
    "wrong_order": "Return the results in the order the exercise asks for.",
    "wrong_shape": "Write the shape of each array next to your code and follow it step by step: "
                   "where does the shape stop being the one you want?",
    "wrong_values": "Work through one element by hand: which inputs does it depend on, and through which path?",
}


def compare(part: str, value, expected: np.ndarray, *, what: str, case: str, diagnosers=(), context=None,
            others=None, generic=GENERIC, advice=None, shown_as=None) -> np.ndarray:
    """Return value as float64 if it matches expected; otherwise raise Incorrect, diagnosed.

    The message says how the value is off (shape, sign, a factor, a known mistake, which elements),
    never what the expected value is.

    part:     the name of the answer part ("dweights")
    what:     who produced it ("your dense_backward", or "your value" for a value check), for messages
    case:     which input it was computed on ("on a random batch of 5 ..."), for messages
    context:  a dict for the diagnosers, or a function returning one (called only for a wrong answer)
    others:   {other part name: its expected array}, to recognise answers given in the wrong order
    generic:  the lesson-independent diagnosers to try after the lesson's own (default: all of GENERIC)
    advice:   {mistake kind: advice}, replacing the advice of any mistake found (generic ones mostly)
    shown_as: the learner's own name for the value ("new_biases"), in the messages; `part` stays what is
              graded and counted
    """
    got = as_float64(value, part, what)
    if close(got, expected):
        return got
    name = shown_as or part
    overrides = advice or {}
    advice = {**ADVICE, **overrides}
    # Diagnosis context may be costly (extra numerical gradients): build it only for a wrong answer.
    context = {**((context() if callable(context) else context) or {}), "part": part}
    for diagnose in (*diagnosers, *generic):
        mistake = diagnose(got, expected, context)
        if mistake:
            raise _incorrect(part, what, case, mistake, overrides, name)
    for other, other_expected in (others or {}).items():
        if other != part and close(got, other_expected):
            raise _incorrect(part, what, case, Mistake(
                "wrong_order", f"the array in the place of {part} is the right value of {other}.",
                advice["wrong_order"]), advice, name)
    if got.shape != expected.shape:
        wanted = "be a single number" if expected.ndim == 0 else f"have shape {expected.shape}"
        raise _incorrect(part, what, case, Mistake(
            "wrong_shape", f"your {name} has shape {got.shape}, but it should {wanted}.",
            advice["wrong_shape"]), advice, name)
    raise _incorrect(part, what, case, Mistake("wrong_values", _how_values_differ(name, got, expected),
                                                advice["wrong_values"]), advice, name)


def _how_values_differ(part, got, expected) -> str:
    """Which elements are off, by sign or by size: never the expected values themselves."""
    if got.ndim == 0:
        if expected != 0 and np.sign(got) == -np.sign(expected):
            return f"your {part} ({float(got):.6g}) has the wrong sign, and its size is not right either."
        return f"your {part} ({float(got):.6g}) is not the right number."
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    off = np.abs(got - expected) > 1e-4 * scale
    index = tuple(int(i) for i in np.argwhere(off)[0])
    where = f"[{', '.join(map(str, index))}]"
    count = int(np.count_nonzero(off))
    if count == 1:
        many = f"element {where} is off"
    else:
        many = f"{'all' if count == got.size else count} of its {got.size} elements are off; the first is {where}"
    sign = np.sign(got) == -np.sign(expected)
    size_right = np.abs(np.abs(got) - np.abs(expected)) <= 1e-4 * scale
    if np.all(sign[off]) and np.all(size_right[off]) and np.all(got[off] != 0):
        how = ", and each of those has the wrong sign" if count > 1 else ": it has the wrong sign"
    elif np.all(sign[off]) and np.all(got[off] != 0):
        how = ", and each of those has the wrong sign (and not only that)" if count > 1 else \
            ": it has the wrong sign, and its size is off too"
    elif np.all(got[off] == 0):
        how = ", and each of those is 0 where it should not be" if count > 1 else ": it is 0 where it should not be"
    else:
        how = f" (yours is {got[index]:.6g} there)"
    return f"{part} has the right shape {got.shape}, but {many}{how}."


def entries(where) -> str:
    """'entry [1, 2]' or 'entries [0, 1], [2, 3]' for a boolean array (at most three shown), for messages."""
    found = np.argwhere(where)
    shown = ", ".join(f"[{', '.join(map(str, index))}]" for index in found[:3])
    return f"entr{'y' if len(found) == 1 else 'ies'} {shown}{', ...' if len(found) > 3 else ''}"


def _incorrect(part, what, case, mistake: Mistake, advice=None, name=None) -> Incorrect:
    name = name or part
    who = f"Your {name}" if what == "your value" else f"{name} from {what}"
    return Incorrect(
        f"{who} is not right {case}.\n"
        f"What happened: {mistake.explanation}\n"
        f"Try: {(advice or {}).get(mistake.kind, mistake.advice)}",
        part=part,
        diagnosis=mistake.kind,
    )
