"""Checks for lesson 1: the chain rule on one neuron, y = ReLU(x·w + b).

    from checks import lesson01 as check
    check.neuron_backward(neuron_backward)   # graded: fn(x, w, b, dvalue) -> (dx, dw, db)
    check.z(z)                               # practice: z of the lesson's example
    check.slope_x0(slope_x0)                 # practice: the nudge estimate of dy/dx[0]
    check.dx(dx); check.dw(dw); check.db(db) # practice: the example's gradients (dvalue = 1)

Expected gradients are central differences of the course's forward pass (`lesson_helpers/neuron.py`), except at
z exactly 0, where ReLU has no derivative and the course's convention (0) applies.
"""
from __future__ import annotations

import numpy as np

from .lesson_helpers import estimate_probes as probes
from .lesson_helpers import examples as example
from .engine.answers import unpack, untouched
from .engine.diagnose import Mistake, compare
from .engine.exercise import exercise, make_hint
from .engine.learner import caller_namespace, guarded_call, require_callable
from .lesson_helpers.neuron import neuron_gradients, neuron_z
from .engine.numeric import as_float64, close
from .engine.verdict import PartJudge

LESSON, NOTEBOOK = "lesson01", "01_chain_rule_one_neuron"
PARTS = ("dx", "dw", "db")
ARGS = ("x", "w", "b", "dvalue")
hint = make_hint(LESSON, NOTEBOOK)
solution = hint.solution  # check.solution(name): the answer, recorded as viewed

HINTS = (
    "Go backward through the forward pass: the products x[i]*w[i], their sum plus b (that is z), then "
    "y = ReLU(z). Start from dvalue, the gradient arriving from above, and multiply by one local "
    "derivative per step.",
    "ReLU's derivative is 1 where z > 0 and 0 otherwise (at z = 0 too: the course's convention). Times "
    "dvalue, that is the gradient at z, a number. A sum passes it unchanged to each of its terms, b included; "
    "a product x[i]*w[i] multiplies it by the *other* factor. x and w are arrays of shape (n,), so dx and dw "
    "are too, and db is a number.",
    "With numpy, one line per gradient: dz = dvalue * (1.0 if ____ else 0.0), then dx = dz * ____, "
    "dw = dz * ____ and db = ____.",
)


def _neuron_cases(rng):
    """(description, x, w, b, dvalue): z > 0 twice (one negative dvalue), z < 0, the example, z exactly 0."""
    for n, sign, upstream_sign in ((3, 1, 1), (4, 1, -1), (5, -1, 1)):
        x, w = rng.normal(size=n), rng.normal(size=n)
        z = sign * rng.uniform(0.5, 3.0)
        b = float(z - x @ w)  # chosen so that z lands well away from ReLU's kink, on the wanted side
        dvalue = upstream_sign * rng.uniform(1.5, 3.0)
        where = "z > 0" if sign > 0 else "z < 0, so ReLU is off"
        yield f"on random inputs of length {n} ({where}, dvalue = {dvalue:.3g})", x, w, b, dvalue
    x, w, b, dvalue = example.neuron()
    yield "on the lesson's example", x, w, b, dvalue
    # Small integers make z exactly 0 in floating point: 2*1 + (-1)*3 + 1*(-2) + 3 = 0.
    yield ("when z is exactly 0 (x = [2, -1, 1], w = [1, 3, -2], b = 3, dvalue = 2)",
           np.array([2.0, -1.0, 1.0]), np.array([1.0, 3.0, -2.0]), 3.0, 2.0)


def _swapped(got, expected, context):
    """The right value of another part: dx and dw exchanged is a mix-up of roles, anything else an order slip."""
    part = context["part"]
    for other, other_expected in context["expected"].items():
        if other == part or close(expected, other_expected) or not close(got, other_expected):
            continue
        if {part, other} == {"dx", "dw"}:
            return Mistake(
                "roles_swapped",
                f"your {part} is the right value of {other}: x and w have swapped roles "
                "(or you returned them in the wrong order).",
                "In the product x[i]*w[i], nudging x[i] changes the product by w[i] per unit, and nudging "
                "w[i] changes it by x[i]. Which array does each gradient borrow its numbers from?",
            )
        return Mistake(
            "wrong_order",
            f"the value in the place of {part} is the right value of {other}.",
            "Return the results in the order the exercise asks for: dx, dw, db.",
        )
    return None


def _relu_off(got, expected, context):
    if context["z"] < 0 and np.any(got != 0):
        return Mistake(
            "relu_derivative_missing",
            f"z = {context['z']:.3g} is negative, so ReLU outputs 0 and a small nudge of any input "
            "changes nothing; every gradient should be 0, but yours is not.",
            "Multiply by ReLU's derivative: 1 where z > 0, 0 where it is not.",
        )
    return None


def _wrong_at_zero(got, expected, context):
    if context["z"] == 0 and np.any(got != 0):
        return Mistake(
            "wrong_at_zero",
            "z is exactly 0 here. ReLU has a kink there, and this course takes its derivative at 0 to be 0, "
            "so every gradient should be 0; yours is not.",
            "Look at the comparison that decides ReLU's derivative: is z = 0 on the side of 'on' or 'off'?",
        )
    return None


def _upstream_ignored(got, expected, context):
    ones = context["if_upstream_were_ones"][context["part"]]
    if not close(ones, expected) and close(got, ones):
        return Mistake(
            "upstream_ignored",
            "your answer is what it would be if dvalue were 1: the gradient arriving from above is left out.",
            "The chain rule multiplies every local derivative by the gradient coming from above. "
            "Where does dvalue enter your computation?",
        )
    return None


def _one_number(got, expected, context):
    if got.ndim == 0 and expected.ndim == 1:
        return Mistake(
            "wrong_shape",
            f"you gave one number, but {context['part']} needs one value per input: shape {expected.shape}.",
            "A gradient has the shape of what it is the gradient of: one entry for each element of x (or w).",
        )
    return None


DIAGNOSERS = (_swapped, _relu_off, _wrong_at_zero, _upstream_ignored, _one_number)


def _context(x, w, b, dvalue):
    expected = dict(zip(PARTS, neuron_gradients(x, w, b, dvalue)))
    ones = dict(zip(PARTS, neuron_gradients(x, w, b, 1.0)))
    return {"z": neuron_z(x, w, b), "expected": expected, "if_upstream_were_ones": ones}


def _as_number(value, what: str, part: str = "db"):
    """A number (db, z, a slope) may come as a float or as a 0-d / size-1 array: all the same number."""
    array = as_float64(value, part, what)
    return array.reshape(()) if array.size == 1 else array


def _compare_all(got, context, what, case, judge):
    """Each of dx, dw, db still right so far is judged apart (judge: a PartJudge)."""
    for part, value in zip(PARTS, got):
        if not judge.is_open(part):
            continue
        with judge.part(part):
            if part == "db":
                value = _as_number(value, what)
            compare(part, value, context["expected"][part], what=what, case=case, diagnosers=DIAGNOSERS,
                    context=context)


@exercise(LESSON, "One neuron's backward pass: dx, dw, db", graded=True, hints=HINTS, parts=PARTS)
def neuron_backward(fn, rng):
    """dx, dw and db are judged apart (one point each); a call that raises or returns the wrong things fails all."""
    require_callable(fn, "neuron_backward", ARGS)
    what = "your neuron_backward"
    cases = list(_neuron_cases(rng))
    judge = PartJudge(PARTS)
    with judge.whole():
        for case, x, w, b, dvalue in cases:
            call = guarded_call(fn, (x, w, b, dvalue), ARGS, what)
            untouched(call, what)
            _compare_all(unpack(call.value, PARTS, what), _context(x, w, b, dvalue), what, case, judge)
        # Linearity in the upstream gradient: tripling dvalue must triple every gradient.
        case, x, w, b, dvalue = cases[0]
        if judge.open_parts():
            got = unpack(guarded_call(fn, (x, w, b, 3 * dvalue), ARGS, what).value, PARTS, what)
            _compare_all(got, _context(x, w, b, 3 * dvalue), what,
                         "when dvalue is tripled (every gradient should triple too)", judge)
        if not judge.failed:  # right values: are they derived, or a numerical estimate?
            probes.neuron(fn, what)
    judge.finish()
    return ("dx, dw and db match on random inputs, with ReLU on and off, on the lesson's example and at z = 0. "
            "Each input's gradient is the other factor of its product times the gradient at z: "
            "that is why dx looks like w and dw looks like x.")


# ---- practice: values of the lesson's example ------------------------------------------------------

def _bias_missing(got, expected, context):
    if close(got, expected - context["b"]):
        return Mistake("bias_missing", "your z is x·w without the bias.", "z = x·w + b: add b.")
    return None


@exercise(LESSON, "z of the lesson's example", graded=False,
          hints=("z multiplies each input by its weight, adds the products, then adds the bias.",
                 "x and w are arrays of shape (3,): np.dot(x, w), or x @ w, is the sum of their products, "
                 "one number.",
                 "z = np.dot(____, ____) + ____"))
def z(value, rng):
    x, w, b, _ = example.neuron()
    compare("z", _as_number(value, "your value", "z"), np.float64(neuron_z(x, w, b)), what="your value",
            case="for the lesson's example", diagnosers=(_bias_missing,), context={"b": b},
            advice={"wrong_values": "Multiply each input by its weight, add the three products, then add b: "
                                    "check each step by printing it.",
                    "wrong_shape": "z is one number: the sum of the three products x[i]*w[i], plus b. "
                                   "np.dot of two (3,) arrays gives that number; x * w alone keeps all three."})
    return "z = x·w + b: three products, their sum, and the bias. ReLU then passes it through, since it is positive."


def _not_divided(got, expected, context):
    if got.ndim == 0 and 0 < abs(got) < 1e-2 * abs(expected):
        return Mistake(
            "not_divided_by_h",
            "your number is tiny: it looks like the change in y itself, not the change per unit of x[0].",
            "A slope is a ratio: divide the change in y by the size of the nudge h.",
        )
    return None


def _nudged_x_itself(got, expected, context):
    """A slope of exactly 0: both outputs came from the same x. The notebook shows whether x_nudged is x."""
    if got.ndim != 0 or got != 0 or expected == 0:
        return None
    notebook, x = context["notebook"], context["x"]
    theirs, nudged = notebook.get("x"), notebook.get("x_nudged")
    # x is an array in exercise 2, and a plain list after section 3's walkthrough (the book's x = [...]).
    kind = "array" if isinstance(theirs, np.ndarray) else "list" if isinstance(theirs, list) else None
    same = kind is not None and (nudged is theirs or (
        kind == "array" and isinstance(nudged, np.ndarray) and np.shares_memory(theirs, nudged)))
    try:
        values = np.asarray(theirs, dtype=np.float64) if kind else None
    except (TypeError, ValueError):
        values = None
    moved = values is not None and values.shape == x.shape and not np.array_equal(values, x)
    if same:
        seen = (f"your x_nudged and x are one {kind} under two names (a plain `=` copies nothing), so nudging "
                "x_nudged nudged x too, and both calls to neuron_output saw the same nudged x")
    else:
        seen = "y did not change at all between your two calls: both saw the same inputs"
    rerun = (" Your x now holds the nudged value too: run the cell that defines x again." if moved else "")
    return Mistake(
        "aliasing",
        f"your slope_x0 is exactly 0: {seen}.{rerun}",
        "nudge a copy of x (x.copy() makes a new array), so that x itself keeps its value for the other call.",
    )


@exercise(LESSON, "The slope of y in x[0], estimated with a small nudge", graded=False,
          hints=("Compute y once as it is, and once with x[0] increased by h (leave x itself unchanged: "
                 "work on a copy). The slope is (change in y) / h.",
                 "neuron_output(x, w, b) gives y. Make a copy of x (x.copy(): a plain `=` would give the same "
                 "array a second name), add h to its entry 0, and give the copy to neuron_output.",
                 "x_nudged = x.____(); x_nudged[____] += ____; slope_x0 = (neuron_output(x_nudged, w, b) - ____) / ____"))
def slope_x0(value, rng):
    x, w, b, _ = example.neuron()
    expected = neuron_gradients(x, w, b, 1.0)[0][0]
    compare("slope_x0", _as_number(value, "your value", "slope_x0"), expected, what="your value",
            case="for the lesson's example", diagnosers=(_nudged_x_itself, _not_divided),
            context=lambda: {"notebook": caller_namespace(), "x": x},
            advice={"wrong_values": "The slope is (y with x[0] nudged - y as it is) / h: check that only "
                                    "x[0] was nudged, by h, and that x itself was left as it was."})
    return ("Nudging x[0] by h changes y by about -3·h: y goes down by 3 for each unit of x[0]. "
            "Keep this -3 in mind; the chain rule will find it without any nudge.")


def _show(value) -> str:
    """-3.0000000001 -> "-3"; arrays as [a, b, c]."""
    if np.ndim(value) == 0:
        return f"{float(value):.6g}"
    return "[" + ", ".join(f"{v:.6g}" for v in np.ravel(value)) + "]"


def _value_check(part: str, hints: tuple):
    index = PARTS.index(part)

    def body(value, rng):
        x, w, b, dvalue = example.neuron()
        context = _context(x, w, b, dvalue)
        got = _as_number(value, "your value") if part == "db" else value
        compare(part, got, context["expected"][part], what="your value", case="for the lesson's example",
                diagnosers=DIAGNOSERS, context=context)
        return (f"{part} = {_show(context['expected'][part])}, the chain rule's answer: "
                "the gradient at z (1.0 here) times the local derivative of each step.")

    body.__name__ = part
    title = {"dx": "dx of the lesson's example", "dw": "dw of the lesson's example",
             "db": "db of the lesson's example"}[part]
    return exercise(LESSON, title, graded=False, hints=hints)(body)


_VALUE_HINTS = (
    "Follow the lesson's steps for x[0] and do the same for every input and every weight: the gradient at z "
    "(drelu_dz) passes through the sum unchanged (drelu_dxw0, drelu_dxw1, drelu_dxw2, drelu_db), then each "
    "product multiplies it by its other factor.",
    "dx[i] is the gradient at product i times w[i]; dw[i] is the same gradient times x[i]. dx and dw are "
    "arrays of shape (3,) (np.array([..., ..., ...])), db is a number.",
    "dx = np.array([drelu_dxw0 * ____, drelu_dxw1 * ____, drelu_dxw2 * ____]), dw the same with ____ in "
    "place of w, and db = ____.",
)
dx = _value_check("dx", _VALUE_HINTS)
dw = _value_check("dw", _VALUE_HINTS)
db = _value_check("db", _VALUE_HINTS)
