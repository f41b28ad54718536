"""Checking one operation of a learner's `Value` (lesson 9): its forward value and its `_backward` closure.

For `out = a.mul(b)` the check sets `out.grad`, calls `out._backward()` once, as `backward()` would,
and reads `a.grad` and `b.grad` (the cases and their right grads: `_autograd_cases`). A wrong grad is
compared with what common mistakes give (out.grad left out, assignment instead of `+=`, a factor's own
value, ReLU's mask from the wrong number, ...) to name the mistake, without showing the right number.
"""
from __future__ import annotations

from . import learner as learner
from .cases import Case, expected
from .graphs import close, evaluate
from ...engine.diagnose import Mistake
from ...engine.learner import guarded_call
from ...engine.verdict import Incorrect, Verdict

PARTS = ("self.grad", "other.grad")


def check(cls, case: Case) -> None:
    """Run one case on the learner's class; raise a verdict at the first problem."""
    a, b = _operands(cls, case)
    name = learner.method_name(a, case.op)
    parents = [a] if case.twice or not case.binary else [a, b]
    when = f"`{case.code()}`"

    def forward_then_backward():
        """out = a.<op>(...); the grads set as the case says; out._backward(), as backward() calls it."""
        operands = (a,) if case.twice else (b,) if case.binary else (case.other,) if case.op == "pow" else ()
        out = getattr(a, name)(*operands)
        if out is None:
            return None, False
        data = getattr(out, "data", None)
        for node, preset in zip(parents, case.preset):
            if preset:
                node.grad = preset
        out.grad = case.g
        closure = getattr(out, "_backward", None)
        if callable(closure):
            closure()
        return data, callable(closure)

    data, has_closure = guarded_call(forward_then_backward, (), (),
                                     f"your `{name}` or its `_backward`").value
    if data is None:
        raise Incorrect(
            f"{when} gave no Value back (None, or an object without `.data`).\n"
            f"Try: `{learner.METHODS[case.op][0]}` ends with `return out`.",
            part=case.op, diagnosis="nothing_returned")
    data = learner.as_number(data, "out.data", when)
    if not close(data, evaluate(case.node(), case.parent_values())):
        raise Incorrect(
            f"`{case.code()}` gives out.data = {data:g} for {case.shown().split(', out.grad')[0]}: that is not the "
            f"result of the operation.\nTry: the forward line of `{learner.METHODS[case.op][0]}` computes out.data from "
            "self.data (and other.data); keep it as the lesson gives it.",
            part="data", diagnosis="wrong_forward")
    if not has_closure:
        raise Incorrect(
            f"The result of {when} has no `_backward` function to call.\n"
            "Try: inside the operation, define `def _backward():` and store it with `out._backward = _backward` "
            "before `return out`.",
            part=case.op, diagnosis="missing_backward")
    if not close(learner.number(a, "data", "a", when), case.x):
        raise Incorrect(f"{when} changed a.data. An operation makes a new Value and leaves its inputs as they were.",
                        part="data", diagnosis="modified_input")
    after = f"out._backward() for {when}"
    for part, node, wanted in zip(PARTS, parents, expected(case)):
        got = learner.number(node, "grad", "a" if part == "self.grad" else "b", after)
        if not close(got, wanted):
            raise _incorrect(case, part, got, _diagnose(case, PARTS.index(part), got, wanted))


def all_pass(cls, cases: list[Case]) -> bool:
    """True if every case gives the right data and grads, all run in one guarded call (fast: used by
    backward()'s check to know that the operations are ready; a failure is then checked case by case)."""
    def run():
        for case in cases:
            a, b = cls(case.x), (None if not case.binary or case.twice else cls(case.other))
            name = next(n for n in learner.METHODS[case.op] if callable(getattr(a, n, None)))
            operands = (a,) if case.twice else (b,) if case.binary else (case.other,) if case.op == "pow" else ()
            out = getattr(a, name)(*operands)
            parents = [a] if case.twice or not case.binary else [a, b]
            for node, preset in zip(parents, case.preset):
                if preset:
                    node.grad = preset
            out.grad = case.g
            out._backward()
            wanted = [evaluate(case.node(), case.parent_values()), *expected(case)]
            got = [float(out.data), *(float(node.grad) for node in parents)]
            if not all(close(g, w) for g, w in zip(got, wanted)):
                return False
        return True

    try:
        return guarded_call(lambda: _quietly(run), (), (), "your operations").value
    except Verdict:
        return False


def _quietly(run) -> bool:
    try:
        return run()
    except Exception:
        return False


def _operands(cls, case: Case):
    """a (and b) made with the learner's class, in one guarded call."""
    def make():
        return cls(case.x), (None if not case.binary or case.twice else cls(case.other))

    return guarded_call(make, (), (), f"`Value({case.x:g})`").value


def _diagnose(case: Case, index: int, got: float, wanted: float) -> Mistake:
    """Name the mistake whose result `got` is, for parent `index` (0: self, 1: other)."""
    for value, mistake in _alternatives(case, index):
        if close(got, value) and not close(value, wanted):
            return mistake
    return Mistake(
        "wrong_values",
        f"{PARTS[index]} is {got:g}, which is not the chain rule's value.",
        "Work out the local derivative d(out)/d(self) by hand for these numbers, then multiply by out.grad.",
    )


def _alternatives(case: Case, index: int):
    """(what a mistake would leave in the grad, the Mistake), most specific first."""
    local, g = case.local(), case.g
    preset = case.preset[0 if case.twice else index]
    mine = sum(local) if case.twice else local[index]
    name = PARTS[index]
    if case.twice:
        for path in local:
            yield preset + path * g, Mistake(
                "assignment_not_accumulation",
                "a is used twice, so two paths lead back to it, but a.grad holds only one path's share: "
                "the second `_backward` line replaced what the first had put there.",
                "Gradients from different paths add up. Each line of `_backward` should add its share to "
                "the grad (`+=`) rather than assign it (`=`).")
    if preset:
        yield mine * g, Mistake(
            "assignment_not_accumulation",
            f"{name} had already received {preset:g} from another path, and your `_backward` replaced it "
            "instead of adding to it.",
            "A Value used in two places gets gradient along both paths, and they add up: add to the grad "
            "(`+=`) instead of assigning it (`=`).")
    if case.op == "mul" and not case.twice:
        own = case.x if index == 0 else case.other
        yield preset + own * g, Mistake(
            "wrong_local_derivative",
            f"{name} got its own factor's value times out.grad.",
            "For out = self * other, how much does out change when self changes by a little? By the "
            "*other* factor's value times that little.")
    if case.op == "relu":
        yield preset + (g if case.x == 0.0 else float("nan")), Mistake(
            "relu_at_zero",
            "at a.data exactly 0 your ReLU passed the gradient through.",
            "ReLU's derivative at exactly 0 is taken as 0 (as in lesson 4): the mask is on only where the "
            "input was strictly greater than 0.")
        yield preset + (g if g > 0 else 0.0), Mistake(
            "relu_wrong_node",
            "the gradient passed through or not depending on the sign of out.grad.",
            "Whether ReLU was on is a fact about the forward pass: decide it from a number the forward pass "
            "computed, not from a gradient.")
        yield preset + max(0.0, case.x) * g, Mistake(
            "relu_wrong_node",
            "your ReLU multiplied out.grad by a value from the forward pass instead of by 1 or 0.",
            "ReLU's local derivative is 1 where it was on and 0 where it was off: a mask, not the value itself.")
    if case.op == "pow":
        k, x = case.other, case.x
        yield preset + k * x ** k * g, Mistake(
            "wrong_local_derivative", "the exponent in your derivative was not lowered by one.",
            "The power rule: d(x**k)/dx = k * x**(k - 1).")
        yield preset + x ** (k - 1) * g, Mistake(
            "wrong_local_derivative", "your derivative lacks the factor k.",
            "The power rule: the exponent comes down in front as a factor, and the new exponent is k - 1.")
    if g != 1.0:
        yield preset + mine, Mistake(
            "chain_missing",
            f"{name} got the local derivative alone, as if out.grad were 1.",
            "The chain rule multiplies the local derivative by the gradient arriving from above, out.grad.")
    yield preset - mine * g, Mistake(
        "wrong_sign", f"{name} has the right size but the wrong sign.",
        "Which factor brings in a minus sign, or removes one?")
    yield preset, Mistake(
        "no_gradient", f"nothing was added to {name}.",
        "`_backward` must pass out.grad on to the Values the operation was computed from: "
        "each of them gets (local derivative) × out.grad added to its grad.")


def _incorrect(case: Case, part: str, got: float, mistake: Mistake) -> Incorrect:
    shown_part = part.replace("self", "a").replace("other", "b")
    return Incorrect(
        f"{shown_part} (`{part}` inside `_backward`) is not right after `{case.code()}` and out._backward(), "
        f"{case.description} ({case.shown()}).\n"
        f"What happened: {mistake.explanation}\n"
        f"Try: {mistake.advice}",
        part=part, diagnosis=mistake.kind)
