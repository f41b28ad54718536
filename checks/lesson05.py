"""Checks for lesson 5: the full backward pass on the seed's layer, and one SGD step.

    from checks import lesson05 as check
    check.sgd_update(sgd_update)        # graded: fn(weights, biases, dweights, dbiases, learning_rate), in place
    check.loss(loss)                    # practice: L = 1/2 * sum(relu_outputs**2) before the step (56.27)
    check.updated_weights(new_weights)  # practice: the seed's weights after one step of 0.001
    check.updated_biases(new_biases)    # practice: the seed's biases after that step
    check.loss_after(loss_after)        # practice: L after the step (51.24)

The SGD update is a rule, not a gradient, so its check verifies the rule's defining property: after the
call, the caller's own weights and biases have moved against the given gradients by the given rate.
"""
from __future__ import annotations

import numpy as np

from . import _examples as example
from ._answers import untouched
from ._diagnose import Mistake, compare
from ._exercise import exercise, make_hint
from ._learner import guarded_call, require_callable
from ._numeric import as_float64, central_difference, close
from ._reference import dense_forward, relu_forward
from ._verdict import Incorrect

LESSON, NOTEBOOK = "lesson05", "05_backward_pass_and_sgd"
ARGS = ("weights", "biases", "dweights", "dbiases", "learning_rate")
SEED_RATE = 0.001
hint = make_hint(LESSON, NOTEBOOK)

HINTS = (
    "Each parameter takes a small step against its own gradient: parameter <- parameter - learning_rate * "
    "gradient. weights (n_in, n_out) goes with dweights (n_in, n_out); biases (1, n_out) with dbiases (1, n_out).",
    "The caller must see the change. `weights = weights - ...` builds a new array and points the local name at "
    "it; the caller's array stays as it was. Change the array itself: an in-place operator (`-=`, `+=`) or "
    "slice assignment (`weights[...] = ...`).",
    "weights -= learning_rate * dweights, and the same for biases with dbiases. Nothing needs returning.",
)
LOSS_HINTS = (
    "L = 1/2 * (sum of the squares of every ReLU output). The ReLU outputs are np.maximum(0, layer_outputs).",
    "One number for the whole batch: square relu_outputs element by element, add up all of them (np.sum with no "
    "axis), then halve.",
)
STEP_HINTS = (
    "One step of the seed: each parameter plus -0.001 times its gradient, with the gradients of the worked "
    "backward pass (dweights (4, 3), dbiases (1, 3)).",
    "new_weights = weights + -0.001 * dweights; the same for the biases. Keep the original arrays unchanged.",
)


# --- the lesson's example: the seed's layer and the loss it minimises ----------------------------------

def example_arrays():
    """inputs (3, 4), weights (4, 3), biases (1, 3), all float64 and fresh."""
    return (example.layer_inputs().astype(np.float64), example.layer_weights().astype(np.float64),
            example.layer_biases().astype(np.float64))


def example_loss(inputs, weights, biases) -> float:
    """L = 1/2 * sum(relu(inputs @ weights + biases)**2): the loss whose gradient the seed backpropagates."""
    return 0.5 * float(np.sum(relu_forward(dense_forward(inputs, weights, biases)) ** 2))


def example_gradients():
    """(dweights, dbiases) of example_loss at the seed's parameters, by central differences."""
    inputs, weights, biases = example_arrays()
    return (central_difference(lambda w: example_loss(inputs, w, biases), weights),
            central_difference(lambda b: example_loss(inputs, weights, b), biases))


# --- what a wrong step looks like ---------------------------------------------------------------------

def _step_mistake(step, gradient, rate, other_gradient, name) -> Mistake | None:
    """Name the mistake when `step` (after - before) is not -rate * gradient."""
    if not np.any(gradient != 0):
        return None
    if not np.any(step != 0):
        return Mistake(
            "not_in_place" if name == "weights" else "biases_not_updated",
            f"the caller's {name} did not change at all.",
            f"`{name} = {name} - ...` builds a new array and rebinds the local name only; the caller's array "
            f"is untouched (and a returned value is ignored). Change the array itself: `{name} -= ...`.",
        )
    if close(step, rate * gradient):
        return Mistake(
            "wrong_sign",
            f"{name} moved along its gradient, by +learning_rate * gradient: that is gradient ascent, which "
            "makes the loss grow.",
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
        ignored = any(np.isclose(factor, k, rtol=1e-6) for k in (1.0, SEED_RATE))
        return Mistake(
            "learning_rate_ignored" if ignored else "wrong_scale",
            f"{name} moved against its gradient, but by {factor:.6g} times it, where learning_rate is {rate:g}.",
            "Use the learning_rate argument you are given (not a number written in the function), once: "
            "the step is learning_rate * gradient.",
        )
    return None


def _step_diagnoser(before, gradient, rate, other_gradient=None):
    def diagnose(got, expected, context):
        if got.shape != before.shape:
            return None
        return _step_mistake(got - before, gradient, rate, other_gradient, context["part"])

    return diagnose


# --- the graded exercise --------------------------------------------------------------------------------

def _cases(rng):
    """(description, weights, biases, dweights, dbiases, learning_rate)."""
    for n_in, n_out, rate in ((4, 3, 0.1), (2, 5, 0.5)):
        yield (f"on random parameters ({n_in} inputs, {n_out} neurons) with learning_rate {rate}",
               rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out)),
               rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out)), rate)
    _, weights, biases = example_arrays()
    yield ("on the lesson's example with learning_rate 0.001", weights, biases, *example_gradients(), SEED_RATE)


@exercise(LESSON, "One SGD step, in place: weights and biases against their gradients", graded=True, hints=HINTS)
def sgd_update(fn, rng):
    require_callable(fn, "sgd_update", ARGS)
    what = "your sgd_update"
    for case, weights, biases, dweights, dbiases, rate in _cases(rng):
        call = guarded_call(fn, (weights, biases, dweights, dbiases, rate), ARGS, what)
        untouched(call, what, allowed=("weights", "biases"))
        weights_after, biases_after = call.args_after[:2]
        if "weights" not in call.modified and "biases" not in call.modified:
            returned = " It returned new arrays, but" if call.value is not None else ""
            raise Incorrect(
                f"After {what} ran ({case}), the caller's weights and biases were unchanged.{returned} "
                "the caller never sees them: `weights = weights - ...` makes a new array and only rebinds the "
                "name inside your function.\n"
                "Try: change the arrays themselves, with `-=` (or `weights[...] = ...`).",
                part="weights",
                diagnosis="not_in_place",
            )
        for part, after, before, gradient, other in (("weights", weights_after, weights, dweights, dbiases),
                                                     ("biases", biases_after, biases, dbiases, dweights)):
            compare(part, after, before - rate * gradient, what=what, case=case,
                    diagnosers=(_step_diagnoser(before, gradient, rate, other),))
    return ("The caller's weights and biases moved against their gradients by learning_rate, in place, and the "
            "gradients were left alone. Nothing had to be returned: the arrays themselves changed.")


# --- value checks on the lesson's example -----------------------------------------------------------------

def _loss_mistake(got, expected, context):
    inputs, weights, biases = context["params"]
    z = dense_forward(inputs, weights, biases)
    relu = relu_forward(z)
    alternatives = (
        (2 * expected, "missing_half", "your value is twice the loss: the 1/2 is missing.",
         "L = 1/2 * sum(relu_outputs**2); the 1/2 makes its gradient exactly relu_outputs."),
        (0.5 * np.sum(z ** 2), "relu_missing", "you squared the dense layer's outputs, before ReLU.",
         "The loss is on the ReLU outputs: np.maximum(0, layer_outputs)."),
        (np.sum(relu ** 2), "missing_half", "your value is twice the loss: the 1/2 is missing.",
         "L = 1/2 * sum(relu_outputs**2)."),
        (0.5 * np.sum(relu), "not_squared", "you added up the ReLU outputs without squaring them.",
         "Square each ReLU output, then add."),
        (0.5 * np.mean(relu ** 2), "mean_instead_of_sum", "you averaged the squares instead of adding them.",
         "This loss adds up every squared output: np.sum, not np.mean."),
    )
    for value, kind, explanation, advice in alternatives:
        if got.shape == () and np.isclose(got, value, rtol=1e-6) and not np.isclose(value, expected, rtol=1e-6):
            return Mistake(kind, explanation, advice)
    if got.ndim > 0 and got.size > 1:
        return Mistake("not_a_number", f"you gave an array of shape {got.shape}, but the loss is one number.",
                       "Add up every squared output (np.sum without an axis).")
    return None


def _loss_check(value, params, what_loss):
    expected = np.float64(example_loss(*params))
    got = compare("loss", value, expected, what="your value", case=what_loss, diagnosers=(_loss_mistake,),
                  context={"params": params})
    return float(got)


@exercise(LESSON, "The loss 1/2 * sum(relu_outputs**2) of the lesson's example", graded=False, hints=LOSS_HINTS)
def loss(value, rng):
    got = _loss_check(value, example_arrays(), "for the lesson's example, before the step")
    return (f"L = {got:.2f}. Its gradient with respect to relu_outputs is relu_outputs itself: that is why the "
            "seed starts its backward pass from a copy of relu_outputs.")


def _updated(part: str):
    index = {"weights": 1, "biases": 2}[part]
    gradients = dict(zip(("weights", "biases"), example_gradients()))
    before = example_arrays()[index]
    other = gradients["biases" if part == "weights" else "weights"]
    expected = before - SEED_RATE * gradients[part]
    return before, gradients[part], other, expected


def _step_value_check(part: str):
    def body(value, rng):
        before, gradient, other, expected = _updated(part)
        compare(part, value, expected, what="your value", case="after one step of 0.001 on the lesson's example",
                diagnosers=(_step_diagnoser(before, gradient, SEED_RATE, other),))
        return f"These are the seed's updated {part}: each moved by -0.001 times its gradient."

    body.__name__ = f"updated_{part}"
    return exercise(LESSON, f"The seed's {part} after one step of 0.001", graded=False, hints=STEP_HINTS)(body)


updated_weights = _step_value_check("weights")
updated_biases = _step_value_check("biases")


@exercise(LESSON, "The loss after one step of 0.001", graded=False, hints=LOSS_HINTS)
def loss_after(value, rng):
    inputs = example_arrays()[0]
    params = (inputs, _updated("weights")[3], _updated("biases")[3])
    before = example_loss(*example_arrays())
    got = as_float64(value, "loss", "your value")
    if got.shape == () and np.isclose(got, before, rtol=1e-6):
        raise Incorrect(
            f"{float(got):.4f} is the loss before the step.\nTry: run the forward pass again with the updated "
            "weights and biases (new_weights, new_biases), then compute the loss of its ReLU outputs.",
            part="loss", diagnosis="loss_before_step")
    got = _loss_check(value, params, "after one step of 0.001")
    return f"L fell from {before:.2f} to {got:.2f} in one step: the step went downhill."
