"""The cases on which lesson 9 checks one operation of a learner's `Value`, and what each should give.

A case is one call: `out = a.mul(b)` (or `a + b`, `a.relu()`, `a ** k`, `a * a`) on given numbers, with
`out.grad` set and, for some, gradient already held by `a` and `b` from other paths. What the grads
should be after `out._backward()` comes from central differences of the course's own forward
(`_autograd_graphs.local_derivatives`): nothing here knows a derivative in closed form.
"""
from __future__ import annotations

from dataclasses import dataclass

from .graphs import Node, local_derivatives


@dataclass(frozen=True)
class Case:
    """One call of an operation. x: a.data; other: b.data (add, mul), k (pow) or None (relu);
    g: out.grad; preset: the grads a (and b) already hold from other paths; twice: `a op a`."""

    description: str
    op: str
    x: float
    other: float | None
    g: float
    preset: tuple = (0.0, 0.0)
    twice: bool = False

    @property
    def binary(self) -> bool:
        return self.op in ("add", "mul")

    def node(self) -> Node:
        parents = (0, 0) if self.twice else (0, 1) if self.binary else (0,)
        return Node(self.op, parents, k=self.other if self.op == "pow" else 0.0)

    def parent_values(self) -> list[float]:
        return [self.x, self.x] if self.twice else [self.x, self.other] if self.binary else [self.x]

    def local(self) -> list[float]:
        """d(out)/d(each parent); ReLU's is 0 at exactly 0, the course's (and the book's) convention."""
        if self.op == "relu" and self.x == 0.0:
            return [0.0]
        return local_derivatives(self.node(), self.parent_values())

    def shown(self) -> str:
        values = [f"a.data = {self.x:g}"]
        if self.binary and not self.twice:
            values.append(f"b.data = {self.other:g}")
        values.append(f"out.grad = {self.g:g}")
        if self.preset[0]:
            values.append(f"a.grad was {self.preset[0]:g} before")
        if self.binary and not self.twice and self.preset[1]:
            values.append(f"b.grad was {self.preset[1]:g} before")
        return ", ".join(values)

    def code(self) -> str:
        if self.twice:
            return f"out = a {'+' if self.op == 'add' else '*'} a"
        if self.op == "pow":
            return f"out = a ** {self.other:g}"
        return {"add": "out = a + b", "mul": "out = a * b", "relu": "out = a.relu()"}[self.op]


def expected(case: Case) -> list[float]:
    """What a.grad (and b.grad) should hold after out._backward()."""
    local = case.local()
    if case.twice:
        return [case.preset[0] + sum(local) * case.g]
    return [p + d * case.g for p, d in zip(case.preset, local)]


def _magnitude(rng, low=0.5, high=2.0) -> float:
    return float(rng.choice([-1, 1]) * rng.uniform(low, high))


def _upstream(rng) -> float:
    """out.grad: away from 1 and -1, so that 'out.grad left out' and 'wrong sign' are told apart."""
    return _magnitude(rng, 1.3, 2.5)


def binary_cases(op: str, rng) -> list[Case]:
    x = _magnitude(rng)
    y = -x * rng.uniform(1.3, 1.8)  # different size and sign, so "its own value" is told apart
    presets = (round(float(rng.uniform(0.2, 0.9)), 3), round(float(rng.uniform(-0.9, -0.2)), 3))
    return [
        Case("on fresh Values", op, x, y, _upstream(rng)),
        Case("when a and b already hold gradient from other paths", op, y, x, _upstream(rng), presets),
        Case("when one Value is used twice", op, _magnitude(rng), None, _upstream(rng), twice=True),
    ]


def relu_cases(rng) -> list[Case]:
    on, off = float(rng.uniform(1.3, 2.0)), float(rng.uniform(-2.0, -0.5))
    g = float(rng.uniform(1.3, 2.5))
    return [
        Case("where ReLU is on", "relu", on, None, g),
        Case("where ReLU is off", "relu", off, None, g),
        Case("where ReLU is on and out.grad is negative", "relu", on, None, -g),
        Case("at exactly 0", "relu", 0.0, None, g),
        Case("when a already holds gradient from another path", "relu", on, None, -g, (0.4, 0.0)),
    ]


def pow_cases(rng) -> list[Case]:
    x = float(rng.uniform(1.2, 2.0))
    return [
        Case("on a fresh Value", "pow", x, 2.0, _upstream(rng)),
        Case("on a fresh Value", "pow", -x, 3.0, _upstream(rng)),
        Case("with a negative exponent", "pow", x, -1.0, _upstream(rng)),
        Case("when a already holds gradient from another path", "pow", x, 3.0, _upstream(rng), (0.6, 0.0)),
    ]
