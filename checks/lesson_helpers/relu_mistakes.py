"""The mistakes lesson 4's checks know by name: wrong ReLU gradients (drelu) and wrong masks.

Each diagnoser is compare()'s (checks/engine/diagnose.py): (got, expected, context) -> a Mistake or None,
where got and expected are float64 arrays of z's shape and context holds the case's "dvalues" (float64)
and "z" (as given: an integer z stays integer). A wrong answer is matched against the value one
mistake gives, and only where that value differs from the right one.
"""
from __future__ import annotations

import numpy as np

from ..engine.diagnose import Mistake, entries
from ..engine.numeric import close


def _alternative(got, expected, alternative) -> bool:
    """got is this alternative answer, and the alternative is really a different answer here."""
    return got.shape == alternative.shape and close(got, alternative) and not close(alternative, expected)


def _mask_on_wrong_array(got, expected, context):
    dvalues = context["dvalues"]
    if _alternative(got, expected, dvalues * (dvalues > 0)):
        return Mistake(
            "mask_on_wrong_array",
            "you zeroed the entries where dvalues is negative, but kept every entry where dvalues is "
            "positive, whatever z was.",
            "The mask comes from ReLU's forward pass: what did ReLU see there? The sign of the incoming "
            "gradient says nothing about whether ReLU was on.",
        )
    return None


def _forward_output(got, expected, context):
    z = context["z"]
    if _alternative(got, expected, np.maximum(0.0, z)):
        return Mistake(
            "forward_output",
            "your answer is ReLU's output, max(0, z): the forward pass, not its gradient.",
            "The backward pass passes the incoming gradient (dvalues) through where ReLU was on.",
        )
    return None


def _relu_at_zero(got, expected, context):
    z, dvalues = context["z"], context["dvalues"]
    if np.any(z == 0) and _alternative(got, expected, dvalues * (z >= 0)):
        return Mistake(
            "relu_at_zero",
            f"where z is exactly 0 ({entries(z == 0)}) you let the gradient through; elsewhere your answer "
            "is right.",
            "ReLU has a corner at 0, and the course (like the book) takes its derivative there to be 0: "
            "an input of exactly 0 counts as off. Look at your comparison with 0.",
        )
    return None


def _inverted_mask(got, expected, context):
    z, dvalues = context["z"], context["dvalues"]
    for off in (z <= 0, z < 0):
        if _alternative(got, expected, dvalues * off):
            return Mistake(
                "inverted_mask",
                "your answer keeps the gradient where ReLU was off and zeroes it where ReLU was on.",
                "ReLU passes the gradient through where it passed its input through: where z > 0.",
            )
    return None


def _no_mask(got, expected, context):
    dvalues = context["dvalues"]
    if _alternative(got, expected, dvalues):
        return Mistake(
            "mask_missing",
            "your answer is dvalues unchanged: ReLU's local derivative was never applied.",
            "The chain rule multiplies the incoming gradient by ReLU's own derivative, which is 0 where ReLU "
            "was off. Which entries should become 0?",
        )
    return None


def _integer_dtype(got, expected, context):
    if not np.issubdtype(context["z"].dtype, np.integer):
        return None
    if _alternative(got, expected, np.trunc(expected)):
        return Mistake(
            "integer_dtype",
            "z is an integer array here, and your result lost the fractional part of each gradient "
            "(2.7 became 2): numbers written into an integer array are truncated, silently.",
            "An array built from z (np.zeros_like(z), z.clip(...), a comparison times 1) has z's dtype, so it "
            "is an integer array when z is one. Build the result from dvalues (dvalues.copy()), or give it a "
            "float dtype.",
        )
    return None


def _mask_from_dvalues(got, expected, context):
    dvalues = context["dvalues"]
    for alternative in ((dvalues > 0) * 1.0, (dvalues >= 0) * 1.0, (dvalues != 0) * 1.0):
        if _alternative(got, expected, alternative):
            return Mistake(
                "mask_on_wrong_array",
                "your mask is 1 wherever dvalues is positive, and here every entry of dvalues is: the mask "
                "was taken from dvalues.",
                "The mask is ReLU's own derivative, so it comes from ReLU's input in the forward pass. Which "
                "of the lesson's arrays is that?",
            )
    return None


# drelu (the graded relu_backward and the practice drelu): the first that matches names the mistake
DRELU_DIAGNOSERS = (_integer_dtype, _mask_on_wrong_array, _forward_output, _relu_at_zero, _inverted_mask, _no_mask)


def _mask_times_dvalues(got, expected, context):
    if _alternative(got, expected, context["dvalues"] * expected):
        return Mistake(
            "upstream_included",
            "this is the mask already multiplied by dvalues (that is drelu, the next step).",
            "The mask is ReLU's own derivative, before the chain rule brings in dvalues: only 1s and 0s.",
        )
    return None


def _mask_one_at_zero(got, expected, context):
    z = context["z"]
    if np.any(z == 0) and _alternative(got, expected, (z >= 0) * 1.0):
        return Mistake(
            "relu_at_zero",
            f"your mask is 1 where z is exactly 0 ({entries(z == 0)}); everywhere else it is right.",
            "ReLU has a corner at 0, and the course (like the book) takes its derivative there to be 0: an "
            "input of exactly 0 counts as off, so its mask entry is 0.",
        )
    return None


def _inverted_mask_alone(got, expected, context):
    return _inverted_mask(got, expected, {**context, "dvalues": np.ones(expected.shape)})


# the mask (ReLU's local derivative, practice), tried in this order
MASK_DIAGNOSERS = (_mask_times_dvalues, _mask_from_dvalues, _forward_output, _mask_one_at_zero, _inverted_mask_alone)


# ReLU works entry by entry: advice about products and their inner dimensions does not apply.
VALUE_ADVICE = {"wrong_shape": "The mask and drelu have the shape of z: one entry per entry of z.",
                "wrong_values": "Look at one entry where yours is off: was ReLU on there (z > 0) or off?"}
