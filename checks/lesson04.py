"""Checks for lesson 4: ReLU's backward pass.

    from checks import lesson04 as check
    check.relu_backward(relu_backward)   # graded: fn(dvalues, z) -> drelu, shape of z
    check.mask(mask)                     # practice: ReLU's local derivative on the lesson's example
    check.drelu(drelu)                   # practice: the gradient with respect to z on the example
"""
from __future__ import annotations

import numpy as np

from .lesson_helpers import estimate_probes as probes
from .lesson_helpers import examples as example
from .lesson_helpers.relu_mistakes import DRELU_DIAGNOSERS, MASK_DIAGNOSERS, VALUE_ADVICE
from .engine.diagnose import compare
from .engine.exercise import exercise, make_hint
from .engine.answers import not_aliased
from .engine.learner import caller_namespace, guarded_call, require_callable
from .engine.numeric import as_float64, close
from .engine.reference import away_from_kink, relu_gradient
from .engine.verdict import Incorrect, Raised

LESSON, NOTEBOOK = "lesson04", "04_relu_backward"
ARGS = ("dvalues", "z")
PART = "drelu"
hint = make_hint(LESSON, NOTEBOOK)
solution = hint.solution  # check.solution(name): the answer, recorded as viewed

HINTS = (
    "ReLU lets the incoming gradient through where it was active (z > 0) and blocks it everywhere else. "
    "The result has the shape of z: dvalues (N, n), z (N, n) -> drelu (N, n).",
    "Start from a copy of dvalues (so the caller's array stays as it was), then set to zero the entries "
    "where ReLU was off, z <= 0 (at z == 0 too: the course takes the derivative there to be 0). Starting from "
    "np.zeros_like(z) instead gives an integer array when z is one.",
    "drelu = ____.copy(), then drelu[____] = 0, then return drelu.",
)
MASK_HINTS = (
    "The mask is ReLU's local derivative: 1 where ReLU passes its input on, 0 where it outputs 0. It comes "
    "from what ReLU saw in the forward pass, z.",
    "Compare z with 0 (a boolean array of shape (3, 4)), then turn it into numbers. What should the entries "
    "be where z is exactly 0?",
    "`mask = (____).astype(int)`, where the blank compares z with 0 and is True only where ReLU passed its "
    "input on (z = 0 not included).",
)
DRELU_HINTS = (
    "drelu keeps dvalues where ReLU was on (z > 0) and is 0 where it was off: copy dvalues, then zero "
    "the entries where ReLU was off.",
    "Copy with dvalues.copy(): `drelu = dvalues` would give the same array a second name, and zeroing drelu "
    "would zero dvalues too. The entries to zero are where z <= 0: a boolean array of z's shape selects them.",
    "drelu = ____.copy(), then drelu[____] = 0",
)


def expected_gradient(dvalues, z) -> np.ndarray:
    """Gradient of sum(dvalues * relu(z)) with respect to z, by central differences of the forward pass.

    Exactly at z == 0 ReLU has no derivative; the course's convention takes the left one, 0. Every other z
    the checks use keeps away from the kink, so the central differences there are exact.
    dvalues (N, n), z (N, n) -> (N, n)
    """
    gradient = relu_gradient(dvalues, z)
    gradient[np.asarray(z) == 0] = 0.0
    return gradient


def _compare(value, expected, dvalues, z, what, case) -> np.ndarray:
    """compare() with this lesson's diagnosers; their context is only built for a wrong answer."""
    got = as_float64(value, PART, what)
    if close(got, expected):
        return got
    return compare(PART, value, expected, what=what, case=case, diagnosers=DRELU_DIAGNOSERS, context=_context(dvalues, z),
                   advice=VALUE_ADVICE)


def _context(dvalues, z) -> dict:
    dvalues, z = np.asarray(dvalues, dtype=np.float64), np.asarray(z)
    return {"dvalues": dvalues, "z": z,
            "if_upstream_were_ones": {PART: expected_gradient(np.ones_like(dvalues), z)}}


# --- the cases ----------------------------------------------------------------------------------------------

def _cases(rng):
    """(description, dvalues, z): random non-square batches (z away from the kink), a batch of one,
    the lesson's example, z exactly 0, and integer z with fractional dvalues."""
    for batch, n in ((5, 3), (2, 4), (1, 3)):
        description = f"on a random batch of {batch} sample{'s' * (batch > 1)} with {n} neurons"
        z = away_from_kink(rng, (batch, n))
        z.flat[0], z.flat[-1] = abs(z.flat[0]), -abs(z.flat[-1])  # ReLU both on and off, whatever the draw
        yield description, rng.normal(scale=2.0, size=(batch, n)), z
    yield "on the lesson's example", example.relu_dvalues(), example.relu_z()
    z = away_from_kink(rng, (4, 3))
    z[[0, 1, 2, 3], [0, 2, 1, 0]] = 0.0
    yield "when some entries of z are exactly 0", rng.normal(size=(4, 3)), z
    z = rng.integers(-3, 4, size=(3, 5))
    z[0, :3] = (2, 0, -1)  # on, exactly 0 and off, whatever the draw
    dvalues = np.round(rng.uniform(0.1, 0.9, size=(3, 5)) + rng.integers(-3, 3, size=(3, 5)), 2)
    yield "when z is an integer array and dvalues has fractions", dvalues, z


def _call(fn, dvalues, z, what, case):
    """The learner's result for one case; an integer-dtype crash gets its explanation."""
    try:
        call = guarded_call(fn, (dvalues, z), ARGS, what)
    except Raised as raised:
        if np.issubdtype(z.dtype, np.integer) and "Cannot cast" in raised.message:
            raise Raised(
                f"{raised.message}\n\nWhy, {case}: z is an integer array here, and your code stores float "
                "gradients, in place, into an array of integers; numpy refuses. An array built from z "
                "(np.zeros_like(z), z.clip(...), a comparison times 1) keeps z's integer dtype. Build the result "
                "from dvalues (dvalues.copy()), or give it a float dtype.",
                diagnosis="integer_dtype",
            ) from None
        raise
    changed = call.modified
    if changed:
        name = changed[0]
        raise Incorrect(
            f"{what} changed its argument `{name}` in place ({case}). The caller still needs `{name}` as it "
            f"was: the same array may go to a second layer, or be used again.\n"
            f"Try: work on a copy (`{name}.copy()`) instead of assigning into `{name}`.",
            part=name,
            diagnosis="modified_input",
        )
    if isinstance(call.value, tuple):
        raise Incorrect(
            f"{what} returned {len(call.value)} values; it should return one array, the gradient with "
            "respect to z.",
            part=PART,
            diagnosis="wrong_return",
        )
    return call.value


def _exact_zeros(got, z, what, case):
    """Where ReLU was off, its gradient is exactly 0, not merely small."""
    off = np.asarray(z) <= 0
    if np.any(got[off] != 0.0):
        raise Incorrect(
            f"drelu from {what} is almost right {case}, but where z <= 0 some entries are tiny numbers "
            "instead of exactly 0.\nTry: set those entries to 0 rather than computing them.",
            part=PART,
            diagnosis="not_exact_zero",
        )


@exercise(LESSON, "ReLU backward: the gradient with respect to z", graded=True, hints=HINTS)
def relu_backward(fn, rng):
    require_callable(fn, "relu_backward", ARGS)
    what = "your relu_backward"
    cases = list(_cases(rng))
    for case, dvalues, z in cases:
        value = _call(fn, dvalues, z, what, case)
        expected = expected_gradient(dvalues, z)
        got = _compare(value, expected, dvalues, z, what, case)
        _exact_zeros(got, z, what, case)
    case, dvalues, z = cases[0]
    value = _call(fn, 3.0 * dvalues, z, what, case)
    _compare(value, 3.0 * expected_gradient(dvalues, z), 3.0 * dvalues, z, what,
             f"{case}, when dvalues is tripled (drelu should triple too)")
    probes.relu(fn, what)  # right values: are they derived, or a numerical estimate?
    return ("Right on random batches, a batch of one, the lesson's example, z exactly 0 and integer z, "
            "and dvalues was left as it was. ReLU's gradient is the incoming one where z > 0, and 0 elsewhere.")


@exercise(LESSON, "ReLU's mask (local derivative) on the lesson's example", graded=False, hints=MASK_HINTS)
def mask(value, rng):
    z = example.relu_z()
    not_aliased(value, "mask", caller_namespace(), {"z": z, "dvalues": example.relu_dvalues()})
    expected = expected_gradient(np.ones(z.shape), z)
    context = {"z": z, "dvalues": np.asarray(example.relu_dvalues(), dtype=np.float64)}
    got = compare("mask", value, expected, what="your value", case="for the lesson's example",
                  diagnosers=MASK_DIAGNOSERS,
                  context=context, advice=VALUE_ADVICE)
    _exact_zeros(got, z, "your value", "for the lesson's example")
    return "The mask is 1 where z > 0 and 0 elsewhere: ReLU's derivative, entry by entry, with z's shape."


@exercise(LESSON, "drelu on the lesson's example", graded=False, hints=DRELU_HINTS)
def drelu(value, rng):
    dvalues, z = example.relu_dvalues(), example.relu_z()
    # Where aliasing first can happen: `drelu = dvalues`, then zeroing entries of drelu, zeroes the learner's dvalues.
    not_aliased(value, "drelu", caller_namespace(), {"dvalues": dvalues, "z": z})
    _compare(value, expected_gradient(dvalues, z), dvalues, z, "your value", "for the lesson's example")
    return "drelu keeps dvalues where z > 0 and is 0 where ReLU was off."
