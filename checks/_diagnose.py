"""Comparing an answer with the expected array, and naming the mistake when it is a known kind.

A diagnoser looks at (got, expected, context) and returns a `Mistake` or None. The generic
ones below know nothing about any lesson; lessons add their own (mask on the wrong array, ...).
`context` is a dict a lesson fills with what its diagnosers need (the case's inputs, the batch size).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._numeric import as_float64, close
from ._verdict import Incorrect


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
            "Summing without an `axis` adds up everything. Sum over the batch axis only.",
        )
    return None


def wrong_sign(got, expected, context):
    if np.any(expected != 0) and close(-got, expected):
        return Mistake(
            "wrong_sign",
            "every value has the wrong sign.",
            "Check each factor of the chain rule: which one brings in a minus sign, or removes one?",
        )
    return None


def averaged_not_summed(got, expected, context):
    batch = context.get("batch", 1)
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


GENERIC = (upstream_ignored, transposed, missing_keepdims, collapsed_to_scalar, wrong_sign, averaged_not_summed)


def compare(part: str, value, expected: np.ndarray, *, what: str, case: str, diagnosers=(), context=None,
            others=None) -> np.ndarray:
    """Return value as float64 if it matches expected; otherwise raise Incorrect, diagnosed.

    part:     the name of the answer part ("dweights")
    what:     who produced it ("your dense_backward"), for messages
    case:     which input it was computed on ("on a random batch of 5 ..."), for messages
    context:  a dict for the diagnosers, or a function returning one (called only for a wrong answer)
    others:   {other part name: its expected array}, to recognise answers given in the wrong order
    """
    got = as_float64(value, part, what)
    if close(got, expected):
        return got
    # Diagnosis context may be costly (extra numerical gradients): build it only for a wrong answer.
    context = {**((context() if callable(context) else context) or {}), "part": part}
    for diagnose in (*diagnosers, *GENERIC):
        mistake = diagnose(got, expected, context)
        if mistake:
            raise _incorrect(part, what, case, mistake)
    for other, other_expected in (others or {}).items():
        if other != part and close(got, other_expected):
            raise _incorrect(part, what, case, Mistake(
                "wrong_order",
                f"the array in the place of {part} is the right value of {other}.",
                "Return the results in the order the exercise asks for.",
            ))
    if got.shape != expected.shape:
        raise _incorrect(part, what, case, Mistake(
            "wrong_shape",
            f"your {part} has shape {got.shape}, but it should have shape {expected.shape}.",
            "A gradient has the shape of what it is the gradient of. Write the shapes of each factor "
            "next to your code and check that the inner dimensions of each product match.",
        ))
    raise _incorrect(part, what, case, Mistake(
        "wrong_values",
        f"{part} has the right shape {got.shape}, but {_first_difference(got, expected)}",
        "Work through one element by hand: which inputs does it depend on, and through which path?",
    ))


def _first_difference(got, expected) -> str:
    index = tuple(int(i) for i in np.argwhere(~np.isclose(got, expected, rtol=1e-4, atol=1e-6))[0])
    where = f"[{', '.join(map(str, index))}]" if index else ""
    return f"element {where or '(the only one)'} is {got[index]:.6g} where {expected[index]:.6g} is expected."


def _incorrect(part, what, case, mistake: Mistake) -> Incorrect:
    return Incorrect(
        f"{part} from {what} is not right {case}.\n"
        f"What happened: {mistake.explanation}\n"
        f"Try: {mistake.advice}",
        part=part,
        diagnosis=mistake.kind,
    )
