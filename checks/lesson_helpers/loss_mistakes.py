"""The loss-diagnosis table of lessons 5 and 6: their practice checks ask for L = 1/2 * sum(x**2), one
number, and a wrong number is matched against the values the usual wrong formulas give.

Each lesson names what its loss squares (lesson 5: the ReLU outputs; lesson 6: the network's errors
against the targets) and brings its own rows; the rows every such loss has (the 1/2 missing, the sign
flipped) and what to say for an array or a number matching no row are here.
"""
from __future__ import annotations

import numpy as np

from ..engine.diagnose import Mistake
from ..engine.numeric import as_float64


def one_number(value, part: str = "loss") -> np.ndarray:
    """A one-element answer as a 0-d array (np.sum may hand back a (1,)-shaped or (1, 1)-shaped value)."""
    got = as_float64(value, part, "your value")
    return got.reshape(()) if got.size == 1 else got


def half_sum_of_squares_mistake(got, expected, rows, *, formula: str, one_number_advice: str,
                                loss_name: str, slips: str, steps_advice: str) -> Mistake | None:
    """The mistake whose value `got` (a float64 array) matches, or None.

    rows: (value, kind, explanation, advice) for the lesson's own wrong formulas, tried after the
    missing 1/2 (whose advice is `formula`, the loss written out) and before the flipped sign.
    An array is "not_a_number" (`one_number_advice`); a number matching no row is "wrong_value": it is
    not `loss_name` ("the network's loss") nor any of the `slips` the rows name, and `steps_advice` says
    how to find out where it went wrong.
    """
    table = (
        (2 * expected, "missing_half", "your value is twice the loss: the 1/2 is missing.", formula),
        *rows,
        (-expected, "wrong_sign", "your value is the loss with its sign flipped.",
         "A sum of squares, halved, is never negative: look for a minus sign that does not belong."),
    )
    for value, kind, explanation, advice in table:
        if got.shape == () and np.isclose(got, value, rtol=1e-6) and not np.isclose(value, expected, rtol=1e-6):
            return Mistake(kind, explanation, advice)
    if got.size > 1:
        return Mistake("not_a_number", f"you gave an array of shape {got.shape}, but the loss is one number.",
                       one_number_advice)
    if got.shape == ():
        return Mistake("wrong_value", f"your number ({float(got):.6g}) is not {loss_name}, and it is none of the "
                       f"usual slips ({slips}).", steps_advice)
    return None
