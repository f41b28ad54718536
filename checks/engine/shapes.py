"""Naming a product whose factors do not fit: numpy's raw shape error, told as the mistake it is.

When a learner's dense backward pass stops on numpy's `matmul ... (n?,k),(k,m?)` error, the check runs it
once more where every array is square (numpy lets any product through) and compares what comes out with the
right factors multiplied the wrong way round (`dense_wrong_products`). A match is a factor left untransposed
(or the two swapped): `transposed_verdict` says so, keeping the learner's own line and dropping numpy's
signature, which says nothing a learner can use.
"""
from __future__ import annotations

import re

import numpy as np

from .learner import guarded_call
from .numeric import close
from .objects import construct, get, method, set_attr
from .reference import dense_gradients
from .verdict import Incorrect, Raised, Verdict

# Numpy's words when the factors of a product do not fit (matmul, dot, and broadcasting in `*`).
SHAPE_ERROR = re.compile(r"matmul|not aligned|mismatch in its core dimension|could not be broadcast")


def is_shape_error(raised: Raised) -> bool:
    return bool(SHAPE_ERROR.search(raised.message))


def square_arrays(rng) -> tuple:
    """dvalues, inputs, weights, each (3, 3): where a mis-transposed product raises no error."""
    return rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3))


def dense_wrong_products(dvalues, inputs, weights) -> dict:
    """{part: products of the right arrays with one transposed or the two swapped} (square arrays: all defined),
    leaving out any that happen to equal the right answer."""
    right = dense_gradients(dvalues, inputs, weights)
    forms = {
        "dinputs": [dvalues @ weights, weights @ dvalues, weights.T @ dvalues, dvalues.T @ weights,
                    dvalues.T @ weights.T, weights @ dvalues.T],
        "dweights": [inputs @ dvalues, dvalues @ inputs, inputs.T @ dvalues.T, dvalues.T @ inputs,
                     inputs @ dvalues.T, dvalues @ inputs.T],
    }
    return {part: [f for f in found if not close(f, right[index])]
            for index, (part, found) in enumerate(forms.items())}


NOT_FOUND = object()


def wrong_part(got: dict, forms: dict):
    """The first part whose value in `got` ({part: array}) is one of its wrong products, or NOT_FOUND."""
    for part, alternatives in forms.items():
        try:
            mine = np.asarray(got.get(part), dtype=np.float64)
        except (TypeError, ValueError):
            continue
        if any(mine.shape == alt.shape and close(mine, alt) for alt in alternatives):
            return part
    return NOT_FOUND


def transposed_verdict(error: Raised, part) -> Incorrect:
    """The learner's shape error, named: `part` is the product of the right arrays, one wrongly transposed."""
    name = part or "the result"
    where = "\n".join(line for line in error.message.split("\n") if not SHAPE_ERROR.search(line))
    return Incorrect(
        f"{where}\nValueError: the shapes of a product's two factors do not fit.\n\nWhat happened: the two "
        "factors of a product do not fit, because one of them should be transposed (or the two swapped). With "
        f"square arrays, where numpy cannot notice, your {name} is the product of the right arrays with the "
        "wrong one transposed.\n"
        "Try: write each factor's shape under it; the inner dimensions must match, and the outer ones must "
        f"give the shape of {name}.",
        part=part,
        diagnosis="transposed",
    )


def _square_layer_backward(cls, what) -> tuple:
    """(the wrong products, {part: what the learner's Layer_Dense.backward stores}) when every array is
    square, where numpy lets a product with the wrong factor transposed through."""
    dvalues, inputs, weights = square_arrays(np.random.default_rng(3))
    layer = construct(cls, (3, 3), "Layer_Dense")
    set_attr(layer, "weights", weights, what)
    set_attr(layer, "biases", np.zeros((1, 3)), what)
    guarded_call(method(layer, "forward", what), (inputs,), ("inputs",), f"{what}.forward")
    guarded_call(method(layer, "backward", what), (dvalues,), ("dvalues",), f"{what}.backward")
    found = {part: get(layer, part, what) for part in ("dinputs", "dweights")}
    return dense_wrong_products(dvalues, inputs, weights), found


def layer_backward_explaining_shapes(layer, cls, dvalues, what: str):
    """layer.backward(dvalues), guarded (lesson 6's Layer_Dense, the class `cls`); numpy's shape error is named
    when a factor is wrongly transposed, as lesson 3's `call_explaining_shapes` does for a function."""
    try:
        return guarded_call(method(layer, "backward", what), (dvalues,), ("dvalues",), f"{what}.backward")
    except Raised as error:
        if not is_shape_error(error):
            raise
        try:
            forms, found = _square_layer_backward(cls, what)
        except Verdict:
            raise error from None
        part = wrong_part(found, forms)
        if part is NOT_FOUND:
            raise
        raise transposed_verdict(error, part) from None
