"""The course's own operations for lesson 9's `backward()` check: graphs of the learner's `Value`s whose
data and `_backward` come from the course, so that `backward()` is judged on its own and a mistake in one
operation costs that operation's exercise only.

Each computed node is made with the lesson's constructor, `Value(data, parents, op)` (data from the course's
forward pass, op the lesson's label: "+", "*", "ReLU", "**k"), and given a `ChainRule` as its `_backward`:
each parent's grad gets d(node)/d(parent) times the node's grad. The local derivatives are numbers, central
differences of the operation's forward function (`_autograd_graphs.local_derivatives`): nothing here is a
closed-form derivative, so nothing here answers an exercise. A `backward()` that calls `_backward` gets
right closures; one that does its own arithmetic from `op`, `parents` and `data` gets right graphs; either
is judged by the grads it leaves.

Grading drives the learner's class in the submission's kernel: there, `ChainRule` crosses as data (its
Values and numbers, checks/grade/wire.py) and the kernel's agent builds the same closure.
"""
from __future__ import annotations

from . import graphs as graphs
from . import learner as learner
from ...engine.learner import guarded_call
from ...engine.verdict import NotChecked, Raised, Verdict


class ChainRule:
    """out._backward for a node computed by the course: adds local[i] * out.grad to parents[i].grad."""

    def __init__(self, out, parents: tuple, local: list[float]):
        self.out, self.parents, self.local = out, tuple(parents), [float(d) for d in local]

    def __call__(self) -> None:
        for parent, derivative in zip(self.parents, self.local):
            parent.grad += derivative * self.out.grad


def label(node: graphs.Node) -> str:
    """The op label the lesson's operations give a Value."""
    return {"add": "+", "mul": "*", "relu": "ReLU"}.get(node.op) or f"**{node.k:g}"


def _rule(out, parents: tuple, node: graphs.Node, values: list[float]) -> ChainRule:
    return ChainRule(out, parents, graphs.local_derivatives(node, [values[p] for p in node.parents]))


def build(cls, nodes: list[graphs.Node]) -> list:
    """The graph as the learner's Values with the course's data and `_backward`s, in node order.

    Made with the lesson's constructor; if the learner's class does not take (data, parents, op), with the
    learner's own operations, whose `_backward`s are then replaced by the course's. NotChecked if neither
    can build it (backward() cannot be judged then), Raised if the learner's code raised building it.
    """
    values = graphs.forward(nodes)

    def with_constructor():
        built = []
        for node, value in zip(nodes, values):
            if node.op == "leaf":
                built.append(cls(value))
                continue
            parents = tuple(built[p] for p in node.parents)
            out = cls(value, parents, label(node))
            out._backward = _rule(out, parents, node, values)
            built.append(out)
        return built

    try:
        return guarded_call(with_constructor, (), (), f"building a graph with {learner.WHAT}").value
    except Raised as raised:
        if "TypeError" not in raised.message:
            raise
    try:
        built = learner.build(cls, nodes)
        replace = [(out, node) for out, node in zip(built, nodes) if node.op != "leaf"]

        def with_course_rules():
            for out, node in replace:
                out._backward = _rule(out, tuple(built[p] for p in node.parents), node, values)

        guarded_call(with_course_rules, (), (), f"setting `_backward` on {learner.WHAT}")
        return built
    except Verdict:
        raise NotChecked(
            "backward() could not be checked: the check builds its graphs with your class, as "
            "Value(data, parents, op) (the lesson's __init__) or with your operations, and neither worked.\n"
            "Try: keep the lesson's __init__(self, data, parents=(), op=\"\"), then run this check again.",
            part="backward", diagnosis="graph_not_built") from None
