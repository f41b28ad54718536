"""Lesson 9: is a right `_backward` a numerical estimate of its local derivative? (`_estimate`)

A `_backward` may nudge the data and run the operation again, `((a.data + h) * b.data - (a.data - h) *
b.data) / (2 * h) * out.grad`, instead of using the rule of its operation: close enough to pass every case.
Once an operation's cases pass, its check makes one more call, on numbers where the chain rule's answer
is exact: a.data and b.data of full precision and 1e4 to 1e5 in size, ReLU on, `a ** 2`, and an out.grad
that is a power of two, so (local derivative) × out.grad (1, the other factor, 1, 2 · a.data) has no
rounding at all. A finite difference of the forward pass carries the rounding of its forward values,
about 1e-16 · |a.data| / h of the grad, for any step from 1e-8 to 0.3 (a step that is a power of two,
on a linear operation, is exact: a known limit). Off by more than 1e-13 and less than 1e-2 of its size
is called an estimate, as in `exact_probes`.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from . import learner
from .graphs import Node, evaluate
from ...engine.estimate import DIAGNOSIS, rounded_to_decimals
from ...engine.learner import guarded_call
from ...engine.verdict import Incorrect, Verdict
from ..exact_probes import EXACT_INPUTS

SEED = 20261204
# Powers of two: multiplying by them is exact. pow's 0.25 keeps its grad (a.data / 2) off the numbers shown.
OUT_GRAD = {"add": 2.0, "mul": 0.5, "relu": 2.0, "pow": 0.25}
CODE = {"add": "out = a + b", "mul": "out = a * b", "relu": "out = a.relu()", "pow": "out = a ** 2"}


def _numbers(op: str) -> tuple[float, float | None]:
    """a.data, and b.data (add, mul) or the exponent (pow) or None (relu)."""
    rng = np.random.default_rng(SEED)
    x, y = (float(v) for v in rng.uniform(1e4, 1e5, size=2) * np.array([1.0, -1.0]))
    return x, {"add": y, "mul": y, "relu": None, "pow": 2}[op]


def _exact_grads(op: str, x: float, other) -> list[float]:
    """(local derivative) × out.grad for each parent: central differences of the course's forward pass with a
    step of 1 in rational arithmetic, exact for these operations (linear, or a square) and these numbers."""
    binary = op in ("add", "mul")
    node = Node(op, (0, 1) if binary else (0,), k=other if op == "pow" else 0.0)
    values = [Fraction(x), Fraction(other)] if binary else [Fraction(x)]
    grads = []
    for j in range(len(values)):
        plus, minus = list(values), list(values)
        plus[j] += 1
        minus[j] -= 1
        grads.append(float((evaluate(node, plus) - evaluate(node, minus)) / 2 * Fraction(OUT_GRAD[op])))
    return grads


def _learner_grads(cls, op: str, x: float, other) -> list[float]:
    """a.grad (and b.grad) after out = a.<op>(...), out.grad set, out._backward(), with the learner's class."""
    def run():
        a = cls(x)
        name = next(n for n in learner.METHODS[op] if callable(getattr(a, n, None)))
        b = cls(other) if op in ("add", "mul") else None
        out = getattr(a, name)(*((b,) if b is not None else (other,) if op == "pow" else ()))
        out.grad = OUT_GRAD[op]
        out._backward()
        return [float(node.grad) for node in ((a, b) if b is not None else (a,))]

    return guarded_call(run, (), (), f"your `{op}` or its `_backward`").value


def refuse_estimate(cls, op: str) -> None:
    """Incorrect if the operation's `_backward` is a numerical estimate; nothing otherwise (nor when the extra
    call fails: the operation already passed its cases)."""
    x, other = _numbers(op)
    try:
        got = _learner_grads(cls, op, x, other)
    except (Verdict, Exception):
        return
    if all(g == float(np.float32(g)) for g in got) or rounded_to_decimals(got):
        return  # grads held in float32 (a Value that stores np.float32), or rounded: their rounding is their own
    wanted = _exact_grads(op, x, other)
    names = ("a.grad", "b.grad")
    off = {name: abs(g - w) / abs(w) for name, g, w in zip(names, got, wanted)}
    seen = {name: size for name, size in off.items() if EXACT_INPUTS[0] < size < EXACT_INPUTS[1]}
    if not seen:
        return
    name, size = max(seen.items(), key=lambda item: item[1])
    shown = f"a.data = {x:.10g}" + (f", b.data = {other:.10g}" if op in ("add", "mul") else "")
    raise Incorrect(
        f"Your `_backward` for `{CODE[op]}` gives grads close to the right ones, but they are a numerical "
        f"estimate, not the chain rule: for {shown} and out.grad = {OUT_GRAD[op]:g}, {name} is off by about "
        f"{size:.0e} of its size. That is the rounding of a finite difference (the data nudged and the "
        "operation run again), where the local derivative times out.grad is exact for these numbers.\n"
        "What happened: a finite difference, like lesson 7's, estimates a derivative by nudging; "
        "backpropagation takes each local derivative from the rule of its operation, exactly, with no "
        "extra forward passes.\n"
        "Try: work out d(out)/d(self) for this operation by hand (and d(out)/d(other) for two operands), "
        "as a number from the forward pass, then multiply it by out.grad: no nudges, no finite differences.",
        part=op, diagnosis=DIAGNOSIS)
