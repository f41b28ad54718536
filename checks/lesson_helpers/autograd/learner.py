"""Driving a learner's `Value` class (lesson 9): making values, applying operations, reading grads.

Everything goes through the guarded calls of `_learner` and `_objects`: the learner's errors become
their own messages, a loop that never ends is stopped, and nothing here raises anything but verdicts.
The class is only constructed, its methods called by name and its attributes read and set, never
used with Python's operators or isinstance, so a stand-in for it (as grading uses) is driven alike.
"""
from __future__ import annotations

from .graphs import Node
from ...engine.learner import guarded_call
from ...engine.objects import _MISSING, construct, get
from ...engine.verdict import Incorrect

WHAT = "your Value"
# Each operation by the name the lesson gives it, then Python's operator name (a micrograd-style class).
METHODS = {"add": ("add", "__add__"), "mul": ("mul", "__mul__"), "relu": ("relu",), "pow": ("pow", "__pow__")}
SYMBOL = {"add": "a + b", "mul": "a * b", "relu": "a.relu()", "pow": "a ** k"}


def make(cls, data: float):
    return construct(cls, (data,), "Value")


def method_name(node, op: str) -> str:
    """The name under which node has operation `op`: "mul", else "__mul__"; a verdict if neither."""
    for name in METHODS[op]:
        method = get(node, name, WHAT)
        if method is not _MISSING and callable(method):
            return name
    raise Incorrect(
        f"{WHAT} has no method `{METHODS[op][0]}`, so `{SYMBOL[op]}` cannot be computed.\n"
        f"Try: define `def {METHODS[op][0]}(self, ...):` inside `class Value` (indented under it), "
        "and run that cell again.",
        part=op, diagnosis="missing_method")


def number(node, attr: str, label: str, when: str) -> float:
    """node.<attr> as a float; a clear verdict if it is missing or not a number."""
    value = get(node, attr, label)
    if value is _MISSING:
        raise Incorrect(
            f"After {when}, {label} has no attribute `{attr}`.\n"
            f"Try: `__init__` sets `self.{attr}`; keep that line as the lesson gives it.",
            part=attr, diagnosis="missing_attribute")
    return as_number(value, f"{label}.{attr}", when)


def as_number(value, label: str, when: str) -> float:
    """value as a float; a verdict naming `label` if it is not a finite number."""
    try:
        result = float(value)
    except Exception:
        raise Incorrect(
            f"After {when}, `{label}` is {type(value).__name__}, not a number.\n"
            "Try: `.data` and `.grad` hold plain numbers (floats); add numbers to them, not Values.",
            part=label.split(".")[-1], diagnosis="not_numbers") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise Incorrect(f"After {when}, `{label}` is {result}.", part=label.split(".")[-1], diagnosis="not_finite")
    return result


def call_backward(root, what: str) -> None:
    """root.backward()."""
    method = get(root, "backward", WHAT)
    if method is _MISSING or not callable(method):
        raise Incorrect(
            f"{WHAT} has no method `backward`.\nTry: run the cell that defines your `backward(self)` and makes it "
            "a method with `Value.backward = backward` (section 3), then this check again.",
            part="backward", diagnosis="missing_method")
    guarded_call(lambda: method(), (), (), what)


def build(cls, nodes: list[Node]) -> list:
    """The graph built with the learner's class: one learner Value per node, in order.

    One guarded call builds it all (each call saves and restores numpy's random state, which costs
    more than a whole small graph); the operations' names are looked up on the first Value before.
    """
    first = make(cls, nodes[0].value)
    names = {op: method_name(first, op) for op in {n.op for n in nodes} - {"leaf"}}

    def run():
        built = []
        for node in nodes:
            if node.op == "leaf":
                built.append(first if not built else cls(node.value))
            elif node.op == "pow":
                built.append(getattr(built[node.parents[0]], names["pow"])(node.k))
            else:
                operands = [built[p] for p in node.parents[1:]]
                built.append(getattr(built[node.parents[0]], names[node.op])(*operands))
        return built

    return guarded_call(run, (), (), f"building a graph with {WHAT}").value
