"""Lesson 6's value checks on its network: dense1 -> ReLU -> dense2, its loss before and after one SGD step.

    check.network_loss(loss)              # practice: the network's loss before any step
    check.network_loss_after(loss_after)  # practice: the loss after one step of 0.01 on both layers

The lesson builds a fresh network at the top of each exercise cell, so re-running a cell gives the same
number. The expected losses come from the course's forward pass and central differences; a wrong value is
compared with what known mistakes would give (a skipped ReLU, a mean, a step taken twice, an update
applied twice with the same gradients, one layer updated) and never reported with the expected value.
"""
from __future__ import annotations

import functools

import numpy as np

from . import examples as example
from ..engine.diagnose import Mistake, compare
from ..engine.exercise import exercise
from .loss_mistakes import half_sum_of_squares_mistake, one_number
from ..engine.numeric import central_difference
from ..engine.reference import dense_forward, relu_forward
from ..engine.verdict import Incorrect

LESSON = "lesson06"
NETWORK_RATE = 0.01
BOTH_LAYERS = (0, 1, 2, 3)  # indices into (w1, b1, w2, b2)


def network_example():
    """The lesson's network: inputs (3, 4) -> dense1 (lesson 5's 4 x 3 layer) -> ReLU -> dense2 (3 x 2),
    compared with targets (3, 2). Returns inputs, w1, b1, w2, b2, targets."""
    return (example.layer_inputs(), example.layer_weights(), example.layer_biases().astype(np.float64),
            np.array([[0.53, 0.89], [-1.28, -0.07], [0.51, 0.68]]), np.zeros((1, 2)),
            np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))


def network_output(params, inputs, relu=True):
    """dense2(relu(dense1(inputs))) (3, 2); params = (w1, b1, w2, b2); relu=False skips the ReLU."""
    w1, b1, w2, b2 = params
    hidden = dense_forward(inputs, w1, b1)
    return dense_forward(relu_forward(hidden) if relu else hidden, w2, b2)


def network_loss_value(params, inputs, targets) -> float:
    """L = 1/2 * sum((dense2(relu(dense1(inputs))) - targets)**2)."""
    return 0.5 * float(np.sum((network_output(params, inputs) - targets) ** 2))


def stepped(params, inputs, targets, steps=1, rate=NETWORK_RATE, layers=BOTH_LAYERS):
    """params after `steps` SGD steps of `rate` on the parameters in `layers` (gradients numerically)."""
    params = [np.array(p, dtype=np.float64) for p in params]
    for _ in range(steps):
        gradients = []
        for i, p in enumerate(params):
            def f(x, i=i):
                return network_loss_value([x if j == i else q for j, q in enumerate(params)], inputs, targets)
            gradients.append(central_difference(f, p) if i in layers else np.zeros_like(p))
        params = [p - rate * g for p, g in zip(params, gradients)]
    return params


def stepped_without_relu_backward(params, inputs, targets, rate=NETWORK_RATE):
    """params after one step whose dense1 gradients skipped ReLU's backward (dense2.dinputs fed straight to
    dense1.backward): dense1's gradients are those of sum(G * dense1(inputs)), with G the loss's gradient with
    respect to the ReLU outputs, all by central differences."""
    w1, b1, w2, b2 = [np.array(p, dtype=np.float64) for p in params]
    relu_out = relu_forward(dense_forward(inputs, w1, b1))
    upstream = central_difference(lambda a: 0.5 * float(np.sum((dense_forward(a, w2, b2) - targets) ** 2)), relu_out)
    dw1 = central_difference(lambda w: float(np.sum(upstream * dense_forward(inputs, w, b1))), w1)
    db1 = central_difference(lambda b: float(np.sum(upstream * dense_forward(inputs, w1, b))), b1)
    _, _, new_w2, new_b2 = stepped((w1, b1, w2, b2), inputs, targets, rate=rate, layers=(2, 3))
    return [w1 - rate * dw1, b1 - rate * db1, new_w2, new_b2]


@functools.lru_cache(maxsize=None)
def network_losses():
    """The lesson network's loss before and after one SGD step of NETWORK_RATE (computed once)."""
    inputs, w1, b1, w2, b2, targets = network_example()
    params = [w1, b1, w2, b2]
    return (network_loss_value(params, inputs, targets),
            network_loss_value(stepped(params, inputs, targets), inputs, targets))


def _formula_mistake(params):
    """A diagnoser for mistakes in the loss formula or the forward chain, at these parameters."""
    def diagnose(got, expected, context):
        inputs, targets = network_example()[0], network_example()[5]
        output = network_output(params, inputs)
        errors = output - targets
        rows = (
            (0.5 * np.sum((network_output(params, inputs, relu=False) - targets) ** 2), "relu_skipped",
             "your value is the loss of the network without its ReLU: dense2 was fed dense1's output directly.",
             "Each object's .output is the next one's input: dense1 -> relu -> dense2."),
            (0.5 * np.mean(errors ** 2), "mean_instead_of_sum",
             "you averaged the squared errors (np.mean) instead of adding them up.",
             "This loss adds up every squared error, then halves: np.sum, not np.mean."),
            (np.mean(errors ** 2), "mean_instead_of_sum",
             "you averaged the squared errors (np.mean) instead of adding them up and halving.",
             "This loss adds up every squared error, then halves: np.sum, not np.mean."),
            (0.5 * np.sum(output ** 2), "targets_ignored",
             "your value ignores the targets: it squares the network's outputs themselves.",
             "The loss measures how far the outputs are from the targets: square their difference."),
            (0.5 * np.sum(errors), "not_squared", "you added up the errors without squaring them.",
             "Square each error, then add them up, then halve."),
        )
        return half_sum_of_squares_mistake(
            got, expected, rows,
            formula="The loss is half the sum of the squared errors: the 1/2 makes its gradient the error itself.",
            one_number_advice="Add up every squared error (np.sum without an axis), then halve.",
            loss_name="the network's loss", slips="the 1/2, ReLU, mean, targets, squares, sign",
            steps_advice="Print each step: dense1.output (3, 3), relu.output (3, 3), dense2.output (3, 2), "
                         "the errors against targets, their squares, the sum, then half of it.")

    return diagnose


NETWORK_HINTS = (
    "Run the forward pass through the chain, then measure the loss: each object's .output is the next "
    "one's input (dense1, then relu, then dense2), and the loss compares dense2's output with targets.",
    "inputs (3, 4) -> dense1.output (3, 3) -> relu.output (3, 3) -> dense2.output (3, 2), the shape of "
    "targets. The loss is one number: half the sum of the squared differences.",
    "Fill in the blanks: `dense1.forward(____)`, `relu.forward(____)`, `dense2.forward(____)`, then "
    "`loss = 0.5 * np.sum(____)`, the sum of the squared differences between the network's output and targets.",
)
NETWORK_AFTER_HINTS = (
    "One training step, then the loss again: forward (the layers need their inputs for backward), backward "
    "in reverse order starting from dL/d(output) = dense2.output - targets, then optimizer.update_params on "
    "each dense layer. The update changes the weights, so run the forward pass once more before measuring "
    "loss_after.",
    "Backward: dense2.backward takes (3, 2); relu.backward takes dense2.dinputs (3, 3); dense1.backward takes "
    "relu.dinputs (3, 3). Update dense1 and dense2 (relu has no parameters). Then forward through all three "
    "again and compute the loss as in the exercise above.",
    "Fill in the blanks: `dense2.backward(____)`, `relu.backward(dense2.____)`, "
    "`dense1.backward(____.dinputs)`, `optimizer.update_params(____)` for each dense layer.",
)


@exercise(LESSON, "The network's loss before the step", graded=False, hints=NETWORK_HINTS, answer="loss")
def network_loss(value, rng):
    inputs, w1, b1, w2, b2, targets = network_example()
    before = network_loss_value((w1, b1, w2, b2), inputs, targets)
    compare("loss", one_number(value), np.float64(before), what="your value", case="for the lesson's network",
            diagnosers=(_formula_mistake((w1, b1, w2, b2)),), generic=())
    return f"L = {before:.4f} before any step."


@functools.lru_cache(maxsize=None)
def _step_variants():
    """(loss, kind, explanation, advice) for each known wrong step on the lesson's network (computed once)."""
    inputs, w1, b1, w2, b2, targets = network_example()
    params = (w1, b1, w2, b2)
    both = "Call optimizer.update_params on both dense layers, after both backward passes."
    variants = (
        (stepped(params, inputs, targets, steps=2), "two_steps",
         "your value is the loss after two steps, not one: the step ran twice on the same network (the update "
         "changes the layers' own weights, so running it again steps on from where the first step ended).",
         "Run the exercise cell once more: it builds a fresh network first, so one run takes exactly one step."),
        (stepped(params, inputs, targets, rate=2 * NETWORK_RATE), "update_twice",
         "your value is the loss after each layer was updated twice with the same gradients: "
         "optimizer.update_params ran twice on each dense layer after one backward pass (or the update "
         "lines ran again without a fresh forward and backward).",
         "One step updates each dense layer once. Run the exercise cell once more as a whole: it builds a "
         "fresh network first."),
        (stepped(params, inputs, targets, layers=(0, 1)), "one_layer_updated",
         "your value is the loss after updating dense1 only: dense2 kept its old weights.", both),
        (stepped(params, inputs, targets, layers=(2, 3)), "one_layer_updated",
         "your value is the loss after updating dense2 only: dense1 kept its old weights.", both),
        (stepped(params, inputs, targets, rate=1.0), "wrong_learning_rate",
         "your value is the loss after a step of 1.0, the default rate, not the lesson's 0.01.",
         "Use the optimizer the cell builds for you (learning_rate=0.01)."),
        (stepped_without_relu_backward(params, inputs, targets), "relu_backward_skipped",
         "your value is the loss after a step in which dense1's gradients skipped ReLU's backward pass: "
         "dense1.backward got dense2.dinputs directly.",
         "Going back, each object's .dinputs is the next one's dvalues, ReLU included: dense2, then relu, "
         "then dense1."),
    )
    return tuple((network_loss_value(after, inputs, targets), kind, explanation, advice)
                 for after, kind, explanation, advice in variants)


@functools.lru_cache(maxsize=None)
def _params_after():
    inputs, w1, b1, w2, b2, targets = network_example()
    return tuple(stepped((w1, b1, w2, b2), inputs, targets))


def _step_mistake(got, expected, context):
    """The step taken twice, on one layer only, with another learning rate, or without ReLU's backward."""
    if got.shape != ():
        return None
    for loss, kind, explanation, advice in _step_variants():
        if np.isclose(got, loss, rtol=1e-6):
            return Mistake(kind, explanation, advice)
    return None


@exercise(LESSON, "The network's loss after one SGD step", graded=False, hints=NETWORK_AFTER_HINTS,
          answer="loss_after")
def network_loss_after(value, rng):
    before, after = network_losses()
    got = one_number(value)
    if got.shape == () and np.isclose(got, before, rtol=1e-6):
        raise Incorrect(f"{before:.4f} is the loss before the step.\nTry: after update_params, run the forward "
                        "pass again, then compute the loss.", part="loss", diagnosis="loss_before_step")
    compare("loss", got, np.float64(after), what="your value", case="after one step of 0.01",
            diagnosers=(_step_mistake, _formula_mistake(_params_after())), generic=())
    return f"L fell from {before:.4f} to {after:.4f}: one step of the whole network went downhill."
