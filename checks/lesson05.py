"""Checks for lesson 5: the full backward pass on the lesson's layer, and one SGD step.

    from checks import lesson05 as check
    check.sgd_update(sgd_update)                 # graded: fn(weights, biases, dweights, dbiases, learning_rate), in place
    check.loss(loss)                             # practice: L = 1/2 * sum(relu_outputs**2) before the step
    check.updated_weights(new_weights, weights)  # practice: the weights after one step of 0.001 (weights kept)
    check.updated_biases(new_biases, biases)     # practice: the biases after that step (biases kept)
    check.loss_after(loss_after)                 # practice: L after the step

The SGD update is a rule, not a gradient, so its check verifies the rule's defining property: after the
call, the caller's own weights and biases have moved against the given gradients by the given rate.
The step-by-hand checks also look at the learner's original `weights` / `biases`: the lesson asks for the
step in new arrays, and a step taken in place would silently shift every later cell.
"""
from __future__ import annotations

import functools

import numpy as np

from .lesson_helpers import examples as example
from .engine.answers import untouched
from .engine.diagnose import Mistake, compare
from .engine.exercise import exercise, make_hint
from .engine.learner import guarded_call, require_callable
from .lesson_helpers.loss_mistakes import half_sum_of_squares_mistake, one_number
from .engine.numeric import central_difference, close
from .engine.reference import dense_forward, relu_forward
from .lesson_helpers.sgd_step import BOOK_RATE, step_diagnoser
from .engine.verdict import Incorrect, PartJudge

LESSON, NOTEBOOK = "lesson05", "05_backward_pass_and_sgd"
ARGS = ("weights", "biases", "dweights", "dbiases", "learning_rate")
hint = make_hint(LESSON, NOTEBOOK)
solution = hint.solution  # check.solution(name): the answer, recorded as viewed

HINTS = (
    "Each parameter takes a small step against its own gradient, scaled by the learning rate: the gradient "
    "points uphill, so the step goes the other way.",
    "weights (n_in, n_out) steps with dweights (n_in, n_out); biases (1, n_out) with dbiases (1, n_out). The "
    "caller must see the change: `weights = weights - ...` only points the local name at a new array. Change "
    "the arrays themselves, with an in-place operator (`-=`, `+=`) or slice assignment (`weights[...] = ...`).",
    "Fill in the blanks, and write the same line for the biases: `weights ____ ____ * ____` (an in-place "
    "operator, then the rate times the gradient).",
)
LOSS_HINTS = (
    "L is half the sum of the squares of every ReLU output: one number for the whole batch.",
    "relu_outputs is (3, 3). Square it element by element, add up all nine squares (np.sum with no axis), "
    "then halve.",
    "Fill in the blanks: `loss = ____ * np.sum(relu_outputs ____)`",
)
LOSS_AFTER_HINTS = (
    "The step changed the parameters, so the loss has to be measured again: the same forward pass and the "
    "same loss, but with the updated parameters new_weights and new_biases instead of weights and biases.",
    "inputs (3, 4) @ new_weights (4, 3) + new_biases (1, 3) gives the new layer outputs (3, 3); ReLU them "
    "with np.maximum(0, ...); then half the sum of their squares, as for `loss`.",
    "Fill in the blanks: `loss_after = ____ * np.sum(np.maximum(0, ____) ** 2)`: the same factor as in `loss`, "
    "and the layer's forward pass with the updated parameters.",
)


def _step_hints(part: str, gradient: str) -> tuple:
    new = f"new_{part}"
    return (
        f"One step of plain gradient descent: {part} moves against its gradient, by 0.001 times it. Put the "
        f"result in a new array, {new}, so that {part} itself stays as it was (the cells below start from it).",
        f"{part} and {gradient} (from the backward pass above) have the same shape. `{part} + ...` builds a "
        f"new array; `{part} += ...` or `{part} -= ...` would change {part} itself, which this exercise must not.",
        f"Fill in the blanks: `{new} = {part} ____ 0.001 * ____`",
    )


# --- the lesson's example: the book's layer and the loss it minimises ----------------------------------

def example_arrays():
    """inputs (3, 4), weights (4, 3), biases (1, 3), all float64 and fresh."""
    return (example.layer_inputs().astype(np.float64), example.layer_weights().astype(np.float64),
            example.layer_biases().astype(np.float64))


def example_loss(inputs, weights, biases) -> float:
    """L = 1/2 * sum(relu(inputs @ weights + biases)**2): the loss whose gradient the book backpropagates."""
    return 0.5 * float(np.sum(relu_forward(dense_forward(inputs, weights, biases)) ** 2))


def example_gradients():
    """(dweights, dbiases) of example_loss at the lesson's parameters, by central differences."""
    inputs, weights, biases = example_arrays()
    return (central_difference(lambda w: example_loss(inputs, w, biases), weights),
            central_difference(lambda b: example_loss(inputs, weights, b), biases))


# --- the graded exercise --------------------------------------------------------------------------------

def _cases(rng):
    """(description, weights, biases, dweights, dbiases, learning_rate)."""
    for n_in, n_out, rate in ((4, 3, 0.1), (2, 5, 0.5)):
        yield (f"on random parameters ({n_in} inputs, {n_out} neurons) with learning_rate {rate}",
               rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out)),
               rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out)), rate)
    _, weights, biases = example_arrays()
    yield ("on the lesson's example with learning_rate 0.001", weights, biases, *example_gradients(), BOOK_RATE)


@exercise(LESSON, "One SGD step, in place: weights and biases against their gradients", graded=True, hints=HINTS,
          parts=("weights", "biases"))
def sgd_update(fn, rng):
    """weights and biases are judged apart (one point each); a call that raises, changes a gradient or
    updates neither array in place fails both."""
    require_callable(fn, "sgd_update", ARGS)
    what = "your sgd_update"
    judge = PartJudge(("weights", "biases"))
    with judge.whole():
        for case, weights, biases, dweights, dbiases, rate in _cases(rng):
            call = guarded_call(fn, (weights, biases, dweights, dbiases, rate), ARGS, what)
            untouched(call, what, allowed=("weights", "biases"))
            weights_after, biases_after = call.args_after[:2]
            if "weights" not in call.modified and "biases" not in call.modified:
                returned = (" It returned new arrays, but the caller never sees them:" if call.value is not None
                            else " The caller sees only changes made to its own arrays:")
                raise Incorrect(
                    f"After {what} ran ({case}), the caller's weights and biases were unchanged.{returned} "
                    "`weights = weights - ...` makes a new array and only rebinds the name inside your function.\n"
                    "Try: change the arrays themselves, with `-=` (or `weights[...] = ...`).",
                    part="weights",
                    diagnosis="not_in_place",
                )
            for part, after, before, gradient, other in (("weights", weights_after, weights, dweights, dbiases),
                                                         ("biases", biases_after, biases, dbiases, dweights)):
                if judge.is_open(part):
                    with judge.part(part):
                        compare(part, after, before - rate * gradient, what=what, case=case,
                                diagnosers=(step_diagnoser(before, gradient, rate, other),))
    judge.finish()
    return ("The caller's weights and biases moved against their gradients by learning_rate, in place, and the "
            "gradients were left alone. Nothing had to be returned: the arrays themselves changed.")


# --- value checks on the lesson's example -----------------------------------------------------------------

def _loss_mistake(got, expected, context):
    inputs, weights, biases = context["params"]
    z = dense_forward(inputs, weights, biases)
    relu = relu_forward(z)
    rows = (
        (0.5 * np.sum(z ** 2), "relu_missing", "you squared the dense layer's outputs, before ReLU.",
         "The loss is on the ReLU outputs: np.maximum(0, layer_outputs)."),
        (0.5 * np.sum(relu), "not_squared", "you added up the ReLU outputs without squaring them.",
         "Square each ReLU output, then add."),
        (0.5 * np.mean(relu ** 2), "mean_instead_of_sum", "you averaged the squares instead of adding them.",
         "This loss adds up every squared output: np.sum, not np.mean."),
    )
    return half_sum_of_squares_mistake(
        got, expected, rows,
        formula="L = 1/2 * sum(relu_outputs**2); the 1/2 makes its gradient exactly relu_outputs.",
        one_number_advice="Add up every squared output (np.sum without an axis).",
        loss_name="the loss of the lesson's layer", slips="the 1/2, ReLU, squares, mean, sign",
        steps_advice="Compute it in steps and print each: the ReLU outputs (3, 3), their squares, the sum, "
                     "then half of it.")


def _loss_check(value, params, what_loss):
    expected = np.float64(example_loss(*params))
    got = compare("loss", one_number(value), expected, what="your value", case=what_loss,
                  diagnosers=(_loss_mistake,), context={"params": params})
    return float(got)


@exercise(LESSON, "The loss 1/2 * sum(relu_outputs**2) of the lesson's example", graded=False, hints=LOSS_HINTS)
def loss(value, rng):
    got = _loss_check(value, example_arrays(), "for the lesson's example, before the step")
    return (f"L = {got:.2f}. Its gradient with respect to relu_outputs is relu_outputs itself: that is why the "
            "book starts its backward pass from a copy of relu_outputs.")


def _updated(part: str, steps: int = 1):
    """(before, its gradient, the other parameter's gradient, after `steps` steps of 0.001)."""
    index = {"weights": 1, "biases": 2}[part]
    gradients = dict(zip(("weights", "biases"), example_gradients()))
    before = example_arrays()[index]
    other = gradients["biases" if part == "weights" else "weights"]
    return before, gradients[part], other, before - steps * BOOK_RATE * gradients[part]


class _WithOriginal:
    """The value a learner computed, with the original array it was computed from (the learner's `weights`)."""

    def __init__(self, value, original):
        self.value, self.original = value, original


def _original_kept(part, original, before, stepped):
    """Incorrect unless the learner's original array (their `weights`) still holds the lesson's values."""
    try:
        held = np.array(original, dtype=np.float64)
    except Exception:
        held = None
    if held is not None and close(held, before):
        return
    if held is not None and close(held, stepped):
        explanation = (f"`{part}` itself has taken the step: it now holds the updated values. "
                       f"`{part} += ...` (or `{part} -= ...`) changes the array in place, and `new_{part} = "
                       f"{part}` afterwards is a second name for that same array, not a copy.")
    else:
        explanation = (f"`{part}` no longer holds the lesson's {part}: a cell changed it (perhaps a step taken "
                       "in place, or run more than once).")
    raise Incorrect(
        f"Your new_{part} is judged together with the {part} it was computed from, and {explanation}\n"
        f"Every later cell that starts from `{part}` would now start one step further on, and its numbers "
        "would no longer match the text.\n"
        f"Try: re-run the cell that defines inputs, weights and biases (then the backward pass), and compute "
        f"new_{part} as a new array: `{part} + ...` leaves {part} as it was.",
        part=part, diagnosis="original_modified")


def _step_value_check(part: str):
    gradient_name = {"weights": "dweights", "biases": "dbiases"}[part]

    def body(value, rng):
        original = None
        if isinstance(value, _WithOriginal):
            value, original = value.value, value.original
        before, gradient, other, expected = _updated(part)
        if original is not None:
            _original_kept(part, original, before, expected)
        compare(part, value, expected, what="your value", case="after one step of 0.001 on the lesson's example",
                diagnosers=(step_diagnoser(before, gradient, BOOK_RATE, other, by_hand=True),),
                shown_as=f"new_{part}")
        return (f"These are the updated {part} the book prints: each moved by -0.001 times its gradient, and "
                f"`{part}` itself is unchanged, so the cells below still start from the lesson's {part}.")

    body.__name__ = f"updated_{part}"
    registered = exercise(LESSON, f"The lesson's {part} after one step of 0.001", graded=False, answer=f"new_{part}",
                          hints=_step_hints(part, gradient_name))(body)

    @functools.wraps(registered)
    def check(answer=None, original=None):
        """check.updated_<part>(new_<part>, <part>): the new array, and the original it was stepped from."""
        if original is None or answer is None or answer is Ellipsis:
            return registered(answer)
        return registered(_WithOriginal(answer, original))

    check.exercise = registered.exercise
    return check


updated_weights = _step_value_check("weights")
updated_biases = _step_value_check("biases")


def _loss_after_mistake(got, expected, context):
    """A step taken twice, or applied to one parameter only."""
    inputs = example_arrays()[0]
    variants = (
        ((_updated("weights", 2)[3], _updated("biases", 2)[3]), "two_steps",
         "your value is the loss after two steps of 0.001, not one: the step was taken twice (for example "
         "once in place on weights and biases, then again into new_weights and new_biases).",
         "Re-run the cells from the one that defines weights and biases, and take the step once, into new "
         "arrays."),
        ((_updated("weights")[3], example_arrays()[2]), "half_update",
         "your value is the loss after updating the weights only: the biases are still the old ones.",
         "The forward pass after the step uses both updated parameters: new_weights and new_biases."),
        ((example_arrays()[1], _updated("biases")[3]), "half_update",
         "your value is the loss after updating the biases only: the weights are still the old ones.",
         "The forward pass after the step uses both updated parameters: new_weights and new_biases."),
    )
    for (weights, biases), kind, explanation, advice in variants:
        if got.shape == () and np.isclose(got, example_loss(inputs, weights, biases), rtol=1e-6):
            return Mistake(kind, explanation, advice)
    return _loss_mistake(got, expected, context)


@exercise(LESSON, "The loss after one step of 0.001", graded=False, hints=LOSS_AFTER_HINTS)
def loss_after(value, rng):
    inputs = example_arrays()[0]
    params = (inputs, _updated("weights")[3], _updated("biases")[3])
    before = example_loss(*example_arrays())
    got = one_number(value)
    if got.shape == () and np.isclose(got, before, rtol=1e-6):
        raise Incorrect(
            f"{float(got):.4f} is the loss before the step.\nTry: run the forward pass again with the updated "
            "weights and biases (new_weights, new_biases), then compute the loss of its ReLU outputs.",
            part="loss", diagnosis="loss_before_step")
    expected = np.float64(example_loss(*params))
    compare("loss", got, expected, what="your value", case="after one step of 0.001",
            diagnosers=(_loss_after_mistake,), context={"params": params})
    return f"L fell from {before:.2f} to {expected:.2f} in one step: the step went downhill."
