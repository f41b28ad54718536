"""What a wrong SGD step looks like: naming the mistake when a parameter did not move by -rate * gradient.

Used by lesson 5 (sgd_update, and the step taken by hand) and lesson 6 (Optimizer_SGD.update_params).
"""
from __future__ import annotations

import numpy as np

from ..engine.diagnose import Mistake
from ..engine.numeric import close

# The book's rate in its one worked step (chapter 9): weights += -0.001 * dweights.
BOOK_RATE = 0.001


def step_mistake(step, gradient, rate, other_gradient, name, by_hand=False) -> Mistake | None:
    """Name the mistake when `step` (after - before) is not -rate * gradient.

    by_hand: the step was taken in a plain cell with the rate 0.001 (lesson 5's value exercises), not by a
    function given `learning_rate`, so the advice speaks of that cell.
    """
    if not np.any(gradient != 0):
        return None
    if not np.any(step != 0):
        if by_hand:
            return Mistake("no_step", f"your new_{name} equals {name}: no step was taken.",
                           f"Take the step: move {name} against d{name}, by 0.001 times it.")
        return Mistake(
            "not_in_place" if name == "weights" else "biases_not_updated",
            f"the caller's {name} did not change at all.",
            f"`{name} = {name} - ...` builds a new array and rebinds the local name only; the caller's array "
            f"is untouched (and a returned value is ignored). Change the array itself: `{name} -= ...`.",
        )
    if close(step, rate * gradient):
        return Mistake(
            "wrong_sign",
            f"{name} moved along its gradient, by +{'0.001' if by_hand else 'learning_rate'} * gradient: that is "
            "gradient ascent, which makes the loss grow.",
            "The gradient points uphill. To lower the loss, step the other way.",
        )
    if other_gradient is not None and step.shape == np.broadcast_shapes(step.shape, other_gradient.shape) \
            and close(step, np.broadcast_to(-rate * other_gradient, step.shape)):
        return Mistake(
            "swapped_gradients",
            f"{name} moved by the other parameter's gradient.",
            "Each parameter steps against its own gradient: weights with dweights, biases with dbiases. "
            "(numpy broadcast the (1, n_out) dbiases over every row, so no error told you.)",
        )
    factor = float(np.sum(step * -gradient) / np.sum(gradient * gradient))
    if close(step, -factor * gradient):
        if by_hand:
            return Mistake(
                "wrong_scale", f"new_{name} moved against its gradient, but by {factor:.6g} times it.",
                "This step is 0.001 times the gradient: check the rate you multiplied by.")
        ignored = any(np.isclose(factor, k, rtol=1e-6) for k in (1.0, BOOK_RATE))
        return Mistake(
            "learning_rate_ignored" if ignored else "wrong_scale",
            f"{name} moved against its gradient, but by {factor:.6g} times it, where learning_rate is {rate:g}.",
            "Use the learning_rate argument you are given (not a number written in the function), once: "
            "the step is learning_rate * gradient.",
        )
    return None


def step_diagnoser(before, gradient, rate, other_gradient=None, by_hand=False):
    def diagnose(got, expected, context):
        if got.shape != before.shape:
            return None
        return step_mistake(got - before, gradient, rate, other_gradient, context["part"], by_hand)

    return diagnose
