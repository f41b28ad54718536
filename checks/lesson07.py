"""Checks for lesson 7: gradient checking.

    from checks import lesson07 as check
    check.numerical_gradient(numerical_gradient)   # graded
    check.slope(slope)                             # practice: x**2 at 3 with h = 0.1
    check.numerical_dweights(numerical_dweights)   # practice: the lesson's dense layer

`numerical_gradient(f, x, h)` is itself a rule, not a gradient, so the check verifies its defining
property: on functions whose central differences are known exactly (a quadratic, a cubic, sin), the
learner's answer must equal (f(x + h e_i) - f(x - h e_i)) / (2h) for every element i, with the h given.
"""
from __future__ import annotations

import numpy as np

from .lesson_helpers import examples as example
from .engine.diagnose import Mistake, compare
from .engine.exercise import exercise, make_hint
from .engine.learner import guarded_call, require_callable
from .engine.numeric import as_float64
from .engine.estimate import _deviation, rounded_to_decimals
from .engine.reference import dense_gradients, exact_dense_gradients
from .engine.verdict import Incorrect
from .lesson_helpers.difference_mistakes import diagnosers, recording, restored

LESSON, NOTEBOOK = "lesson07", "07_gradient_checking"
ARGS = ("f", "x", "h")
hint = make_hint(LESSON, NOTEBOOK)
solution = hint.solution  # check.solution(name): the answer, recorded as viewed

HINTS = (
    "Nudge one element of x at a time, keeping all the others fixed: that element's slope is the change in f "
    "between a point just above and a point just below it, divided by the distance between the two points. "
    "Collect one slope per element in an array shaped like x.",
    "The answer has x's shape: start from np.zeros_like(x). `for i in np.ndindex(x.shape):` visits every index "
    "i of a 1-D or 2-D x. For one index: remember the element's value, set it a step h above and call f(x), set "
    "it h below and call f(x), then put the remembered value back, so x is as it was when you return.",
    "Fill in the blanks for one index i, where `saved` holds the element's value: `x[i] = ____` (a step h "
    "above it), then `plus = ____`, `x[i] = ____` (a step below), then `minus = ____`, put the element back "
    "(`x[i] = ____`), "
    "and `grad[i] = (plus - minus) / ____`",
)
SLOPE_HINTS = (
    "The exercise's function is x**2 (not the f of the cells above, which is x**3). A central difference takes "
    "its value a step h = 0.1 above 3 and a step below, and divides their difference by the distance between "
    "the two points.",
    "The two points are 3 + 0.1 and 3 - 0.1, so the distance between them is 2 * 0.1. Square each point: "
    "that is x**2 there.",
    "Fill in the blanks: `slope = (____ ** 2 - ____ ** 2) / ____`: the point above, the point below, and the "
    "distance between them.",
)
DWEIGHTS_HINTS = (
    "Your numerical_gradient takes a function and the point where to take its gradient. Here the function "
    "is loss_of_weights (its one argument is an array shaped like layer.weights) and the point is the layer's "
    "own weights, layer.weights.",
    "layer.weights is (4, 3), so numerical_dweights is (4, 3) too. Pass a copy of layer.weights "
    "(layer.weights.copy()), so that even a buggy numerical_gradient cannot change the layer, and h = 1e-5.",
    "Fill in the blanks: `numerical_dweights = numerical_gradient(____, layer.weights.____(), 1e-5)`",
)


# Functions whose central difference is known in closed form, for any h:
#   sum(a x^2 + b x):  2 a x + b              (exact: the h^2 term of a quadratic vanishes)
#   sum(x^3):          3 x^2 + h^2
#   sum(sin x):        cos(x) sin(h) / h
def _quadratic(rng, shape):
    a, b = rng.uniform(0.5, 2.0, shape), rng.normal(size=shape)
    return ("f(x) = sum(a * x**2 + b * x)",
            lambda x: float(np.sum(a * x**2 + b * x)),
            lambda x, h: 2 * a * x + b,
            lambda x: 2 * a * x + b)


def _cubic(rng, shape):
    return ("f(x) = sum(x**3)", lambda x: float(np.sum(x**3)), lambda x, h: 3 * x**2 + h**2, lambda x: 3 * x**2)


def _sine(rng, shape):
    return ("f(x) = sum(sin(x))", lambda x: float(np.sum(np.sin(x))), lambda x, h: np.cos(x) * np.sin(h) / h,
            lambda x: np.cos(x))


def _cases(rng):
    """(description, f, x, h, exact central difference, true derivative)."""
    for make, shape, h in ((_quadratic, (5,), 0.5), (_cubic, (4,), 0.1), (_cubic, (3, 4), 0.1),
                           (_sine, (2, 3), 0.3), (_sine, (1,), 1e-4)):
        name, f, central, derivative = make(rng, shape)
        x = rng.uniform(-1.5, 1.5, shape)
        yield (f"for {name} at an x of shape {shape} with h = {h:g}", f, x, h, central(x, h), derivative(x))


@exercise(LESSON, "numerical_gradient: central differences of a scalar function", graded=True, hints=HINTS)
def numerical_gradient(fn, rng):
    require_callable(fn, "numerical_gradient", ARGS)
    what = "your numerical_gradient"
    for case, f, x, h, central, derivative in _cases(rng):
        recorded, points = recording(f)
        call = guarded_call(fn, (recorded, x, h), ARGS, what)
        x_after = np.asarray(call.args_after[1])
        try:
            compare("gradient", call.value, central, what=what, case=case,
                    diagnosers=diagnosers(f, x, h, lambda _x, d=derivative: d, points))
        except Incorrect as wrong:
            if wrong.diagnosis in {"wrong_values", "scaled"} and not restored(x, x_after):
                raise Incorrect(
                    f"{what} gave wrong values {case}, and left x changed.\n"
                    "What happened: nudges stayed in x, so f was evaluated at points that are not one element "
                    "away from the x you were given. A nudge that is not undone does this, and so does "
                    "`x_plus = x`, which copies nothing: x_plus is a second name for x, so a nudge of x_plus "
                    "stays in x.\n"
                    "Try: make real copies (`x.copy()`), or put each element back after its two evaluations.",
                    part="x", diagnosis="modified_input") from None
            raise
        if not restored(x, x_after):
            changed = tuple(int(i) for i in np.argwhere(x_after != x)[0]) if x_after.shape == x.shape else ()
            raise Incorrect(
                f"{what} returned the right gradient {case}, but left x changed"
                f"{f' (element {list(changed)} is {x_after[changed]:.6g}, not {x[changed]:.6g})' if changed else ''}.\n"
                "The caller still needs x as it was: it holds a layer's weights, say.\n"
                "Try: after the two evaluations for an element, put its original value back. (If you wrote "
                "`x_plus = x`: that copies nothing, so a nudge of x_plus stays in x; use `x.copy()`.)",
                part="x", diagnosis="modified_input")
    return ("Your central differences match, for 1-D and 2-D x, and x is left as it was. Their error "
            "shrinks like h**2, where a one-sided difference's shrinks only like h.")


@exercise(LESSON, "slope of x**2 at x = 3 by a central difference with h = 0.1", graded=False, hints=SLOPE_HINTS)
def slope(value, rng):
    f, x, h = (lambda t: t**2), 3.0, 0.1
    expected = np.array((f(x + h) - f(x - h)) / (2 * h))
    got = as_float64(value, "slope", "your value")
    if got.shape != ():
        got = got.reshape(-1)[:1].reshape(()) if got.size == 1 else got
    forward = (f(x + h) - f(x)) / h
    if got.shape == () and abs(float(got) - forward) < 1e-9:
        raise Incorrect("Your slope is 6.1: the forward difference (f(3.1) - f(3)) / 0.1.\n"
                        "Try: use the points on both sides of 3, 2.9 and 3.1.", part="slope", diagnosis="one_sided")
    cubic = ((x + h) ** 3 - (x - h) ** 3) / (2 * h)
    if got.shape == () and abs(float(got) - cubic) < 1e-9:
        raise Incorrect("Your slope is the central difference of x**3, the f defined in the cells above; this "
                        "exercise is about x**2.\nTry: square the two points yourself (or define a function "
                        "for x**2 under another name).", part="slope", diagnosis="wrong_function")
    compare("slope", got, expected, what="your value", case="for f(x) = x**2 at x = 3 with h = 0.1",
            diagnosers=(lambda g, e, c: Mistake("factor_of_two", "your value is twice the right one.",
                                                "The two points are 0.2 apart, not 0.1.")
                        if g.shape == () and abs(float(g) - 2 * float(e)) < 1e-9 else None,))
    return ("6.0 exactly (up to rounding), the true derivative 2x at 3: for a quadratic, the central "
            "difference has no error at all, whatever h.")


def _refuse_derived(value, exact) -> None:
    """Incorrect when `value` (right to the check's tolerance) is the derived dweights rather than central
    differences with h = 1e-5. On this loss those carry floating-point rounding of about 3e-11 of the values'
    size (1e-13 even with h = 1e-3), the derived gradient about 2e-16; only a step of 0.1 or more comes as
    close. Answers held in float32, or rounded to some decimals, are not judged by their last bits."""
    got = np.asarray(value, dtype=np.float64) if np.asarray(value).dtype.kind == "f" else None
    if got is None or got.shape != np.shape(exact) or rounded_to_decimals(got):
        return
    deviation = _deviation(np.asarray(value), exact)
    if deviation is not None and deviation < 1e-14:
        raise Incorrect(
            "Your numerical_dweights agrees with the derived dweights to the last bits (within 1e-14 of their "
            "size). Central differences with h = 1e-5 carry floating-point rounding of about 1e-11 of the values, "
            "so these were not made that way: they are the derived gradient (lesson 3's formula), or central "
            "differences with a step of 0.1 or more.\nTry: compute numerical_dweights with your "
            "numerical_gradient and h = 1e-5, as the exercise says: an estimate made without the backward "
            "pass is what can check it.", part="numerical_dweights", diagnosis="not_numerical")


def _layer_example():
    return example.batch_dvalues(), example.layer_inputs(), example.layer_weights(), example.layer_biases()


@exercise(LESSON, "dweights of the lesson's dense layer, by your numerical_gradient", graded=False,
          hints=DWEIGHTS_HINTS)
def numerical_dweights(value, rng):
    dvalues, inputs, weights, biases = _layer_example()
    expected = dense_gradients(dvalues, inputs, weights, biases)[1]
    compare("numerical_dweights", value, expected, what="your value",
            case="for the lesson's layer and loss sum(dvalues * output)")
    _refuse_derived(value, exact_dense_gradients(dvalues, inputs, weights, biases)[1])
    return ("It matches lesson 3's analytic dweights: a relative error around 1e-10 "
            "says a backward pass is right.")
