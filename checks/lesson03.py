"""Checks for lesson 3: a dense layer's backward pass on a batch.

    from checks import lesson03 as check
    check.dense_backward(dense_backward)     # graded
    check.dinputs(dinputs)                   # practice: the lesson's example
"""
from __future__ import annotations

import functools

import numpy as np

from .lesson_helpers import estimate_probes as probes
from .lesson_helpers import examples as example
from .engine.answers import call_explaining_shapes, linear_in_upstream, unpack, untouched
from .engine.diagnose import Mistake, compare
from .engine.exercise import exercise, make_hint
from .engine.learner import guarded_call, require_callable
from .engine.numeric import close
from .engine.reference import dense_gradients
from .engine.shapes import dense_wrong_products, square_arrays
from .engine.verdict import PartJudge

LESSON, NOTEBOOK = "lesson03", "03_batched_dense"
PARTS = ("dinputs", "dweights", "dbiases")
ARGS = ("dvalues", "inputs", "weights")
hint = make_hint(LESSON, NOTEBOOK)
solution = hint.solution  # check.solution(name): the answer, recorded as viewed

HINTS = (
    "Start from the shapes. dvalues is (N, n_out), inputs (N, n_in), weights (n_in, n_out). "
    "Each gradient has the shape of what it is the gradient of: dinputs (N, n_in), dweights (n_in, n_out), "
    "dbiases (1, n_out).",
    "Each result is one matrix product or one sum. Pick the factors whose shapes give the result's shape: "
    "(N, n_out) times (n_out, n_in) gives (N, n_in). Which array, transposed, is (n_out, n_in)? For dweights "
    "the batch N must be the inner dimension; dbiases adds up dvalues over the batch.",
    "dinputs = ____ @ ____, (N, n_out) times (n_out, n_in); dweights = ____ @ ____, (n_in, N) times (N, n_out); "
    "dbiases = np.sum(dvalues, axis=____, keepdims=____)",
)
VALUE_HINTS = {
    "dinputs": (
        "Row n of dinputs is lesson 2's result for sample n. Stacking the samples' rows, one matrix product "
        "does them all at once.",
        "dvalues is (3, 3), weights (4, 3), and dinputs must be (3, 4), one row per sample, like inputs. Which "
        "product of dvalues and weights, one of them transposed, has that shape?",
        "`dinputs = ____ @ ____`: (3, 3) times (3, 4) gives (3, 4). Which arrays have those shapes?",
    ),
    "dweights": (
        "Every sample adds its own contribution (an outer product) to dweights, and a matrix product adds up "
        "along its inner dimension.",
        "inputs is (3, 4) and dvalues (3, 3); dweights must be (4, 3), the shape of weights, with the batch "
        "(3 samples) as the inner dimension. Which of the two goes first, and transposed?",
        "`dweights = ____ @ ____`: (4, 3) times (3, 3) gives (4, 3), with the 3 samples as the inner "
        "dimension. Which arrays have those shapes?",
    ),
    "dbiases": (
        "A bias is added to every sample's output with local derivative 1, so its gradient adds up dvalues "
        "over the samples.",
        "Sum dvalues over the batch axis, axis 0. The result must keep the shape of biases, (1, 3), not (3,).",
        "dbiases = np.sum(dvalues, axis=____, keepdims=____)",
    ),
}
# Generic shape advice fits here: every gradient of this lesson is a product or a sum of these arrays.
ADVICE = {"wrong_shape": "A gradient has the shape of what it is the gradient of. Write the shapes of each factor "
                         "next to your code and check that the inner dimensions of each product match."}


def _cases(rng):
    """(description, dvalues, inputs, weights): random non-square shapes, the example, a batch of one."""
    for batch, n_in, n_out in ((5, 4, 3), (3, 2, 4), (1, 4, 3)):
        description = f"on a random batch of {batch} sample{'s' * (batch > 1)}, {n_in} inputs, {n_out} neurons"
        yield description, rng.normal(size=(batch, n_out)), rng.normal(size=(batch, n_in)), rng.normal(size=(n_in, n_out))
    yield "on the lesson's example", example.batch_dvalues(), example.layer_inputs(), example.layer_weights()


def _wrong_axis(got, expected, context):
    dvalues = context.get("dvalues")
    if context["part"] != "dbiases" or dvalues is None:
        return None
    across_neurons = dvalues.sum(axis=1)
    if got.size == across_neurons.size and close(got.reshape(-1), across_neurons):
        kept = " (keepdims kept that summed axis, so the shape looks two-dimensional)" if got.ndim == 2 else ""
        return Mistake(
            "wrong_axis",
            f"you summed over the neurons (axis=1), giving one number per sample, shape {got.shape}{kept}.",
            "A bias is shared by every sample in the batch, so its gradient adds up the samples' "
            "contributions: sum over the batch axis.",
        )
    return None


def _context(dvalues, inputs, weights):
    ones = dense_gradients(np.ones_like(dvalues), inputs, weights)
    return {"dvalues": dvalues, "batch": len(dvalues), "if_upstream_were_ones": dict(zip(PARTS, ones))}


@exercise(LESSON, "Dense layer backward on a batch: dinputs, dweights, dbiases", graded=True, hints=HINTS,
          parts=PARTS)
def dense_backward(fn, rng):
    """Each gradient is judged apart (one point each): a wrong dbiases keeps dinputs and dweights. What
    stops the call as a whole (it raised, returned the wrong number of values, changed its inputs) fails all."""
    require_callable(fn, "dense_backward", ARGS)
    what = "your dense_backward"
    square = square_arrays(rng)
    judge = PartJudge(PARTS)
    with judge.whole():
        for case, dvalues, inputs, weights in _cases(rng):
            call = call_explaining_shapes(fn, (dvalues, inputs, weights), ARGS, what, square, dense_wrong_products, PARTS)
            untouched(call, what)
            got = unpack(call.value, PARTS, what)
            expected = dense_gradients(dvalues, inputs, weights)
            context = functools.partial(_context, dvalues, inputs, weights)
            for part, value, wanted in zip(PARTS, got, expected):
                if judge.is_open(part):
                    with judge.part(part):
                        compare(part, value, wanted, what=what, case=case, diagnosers=(_wrong_axis,), context=context,
                                others=dict(zip(PARTS, expected)), advice=ADVICE)
        if judge.open_parts():
            case, dvalues, inputs, weights = next(_cases(rng))
            linear_in_upstream(fn, (dvalues, inputs, weights), ARGS, PARTS, dense_gradients(dvalues, inputs, weights),
                               what, judge=judge)
        if not judge.failed:  # right values: are they derived, or a numerical estimate?
            probes.dense(fn, what)
    judge.finish()
    return ("All three gradients match on random batches, a batch of one and the lesson's example. "
            "Each has the shape of what it is the gradient of: dinputs (N, n_in), dweights (n_in, n_out), "
            "dbiases (1, n_out).")


def _value_check(part: str, title: str):
    index = PARTS.index(part)

    def body(value, rng):
        args = example.batch_dvalues(), example.layer_inputs(), example.layer_weights()
        expected = dense_gradients(*args)
        compare(part, value, expected[index], what="your value", case="for the lesson's example",
                diagnosers=(_wrong_axis,), context=functools.partial(_context, *args), others=dict(zip(PARTS, expected)),
                advice=ADVICE)
        return f"{part} has shape {expected[index].shape}, the shape of what it is the gradient of."

    body.__name__ = part
    return exercise(LESSON, title, graded=False, hints=VALUE_HINTS[part])(body)


dinputs = _value_check("dinputs", "dinputs of the lesson's example")
dweights = _value_check("dweights", "dweights of the lesson's example")
dbiases = _value_check("dbiases", "dbiases of the lesson's example")
