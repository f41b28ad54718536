"""Checking a learner's `Value.backward()` (lesson 9) on small expression graphs.

The check builds a graph of the learner's Values with the course's own operations (`_autograd_rules`:
the course's data and `_backward`s, so a wrong operation of the learner's costs only that operation's
exercise), calls `out.backward()` once, and reads every node's grad. Each should be d(out)/d(node),
central differences of the course's forward pass of the same expression. A wrong set of grads is replayed against the visiting orders of common wrong `backward()`s
(`_autograd_graphs.mistaken_orders`) to say what happened: visited in the wrong order, some node
visited twice, or the output's grad never set to 1.
"""
from __future__ import annotations

from . import graphs as graphs
from . import learner as learner
from . import rules as rules
from ...engine.verdict import Incorrect, Raised

WHAT = "your Value's backward()"


def check_leaf(cls) -> None:
    """Value(3.0).backward() on a lone Value: its grad is d(x)/d(x) = 1."""
    x = learner.make(cls, 3.0)
    _backward_explained(x, "a lone x = Value(3.0)", "    x = Value(3.0)")
    grad = learner.number(x, "grad", "x", "x.backward() on a lone x = Value(3.0)")
    if not graphs.close(grad, 1.0):
        raise _output_not_one(grad, "x = Value(3.0); x.backward()", "x")


def check_graph(cls, nodes: list[graphs.Node], description: str) -> None:
    """Build `nodes` as the learner's Values with the course's operations, call backward() on the output,
    compare every grad."""
    built = rules.build(cls, nodes)
    names = graphs.names(nodes)
    code = graphs.describe(nodes)
    values = graphs.forward(nodes)
    data = learner.number(built[-1], "data", "out", "building the graph")
    if not graphs.close(data, values[-1]):
        raise Incorrect(
            f"Built with your Value, this graph ({description}) gives out.data = {data:g}, which is not "
            f"its value:\n{code}\nTry: keep the lesson's __init__, which stores the number it is given "
            "as self.data, and the operations' forward lines as the lesson gives them.", part="data", diagnosis="wrong_forward")
    _backward_explained(built[-1], f"this graph ({description})", code)
    got = [learner.number(node, "grad", name, "out.backward()") for node, name in zip(built, names)]
    wanted = graphs.gradients(nodes)
    if graphs.all_close(got, wanted):
        return
    if not graphs.close(got[-1], 1.0):
        raise _output_not_one(got[-1], f"out.backward() on this graph ({description})", "out")
    if all(g == 0.0 for g in got[:-1]):
        raise Incorrect(
            f"After out.backward() on this graph ({description}), out.grad is 1 but every other grad is "
            f"still 0:\n{code}\nWhat happened: out.grad was set to 1 only after the nodes passed their "
            "gradients back (or `_backward` was never called), so out passed on 0.\n"
            "Try: set the output's grad to 1 first, then call each node's `_backward`.",
            part="backward", diagnosis="output_grad_not_one")
    _diagnose(nodes, got, description, code)


def _backward_explained(root, where: str, code: str) -> None:
    """root.backward(); a call stopped by the time limit gets the likely reasons."""
    try:
        learner.call_backward(root, WHAT)
    except Raised as raised:
        if raised.diagnosis == "timeout":
            raise Raised(
                f"{raised.message}\nOn {where}:\n{code}\n"
                "A graph of Values has no cycles, so a walk that remembers what it has visited ends. Look "
                "for a loop over a list that the loop itself keeps growing, or a walk that never marks "
                "a node as visited.", diagnosis="timeout") from None
        raise


def _diagnose(nodes, got, description, code) -> None:
    for kind, how, order in graphs.mistaken_orders(nodes):
        if graphs.all_close(got, graphs.simulate(nodes, order)):
            advice = {
                "wrong_visit_order": "A node may pass its grad on only once it holds all of it, that is, after "
                               "every node that uses it has run its `_backward`. Build a topological order "
                               "(each node after its parents) and go through it from the output backwards.",
                "visited_twice": "Each node's `_backward` must run exactly once. When you build the order, "
                                 "remember which nodes you have already added (a set) and skip them.",
            }[kind]
            raise Incorrect(
                f"The grads after out.backward() on this graph ({description}) are what the right `_backward` "
                f"functions give when {how}:\n{code}\nTry: {advice}",
                part="backward", diagnosis=kind)
    names = graphs.names(nodes)
    wanted = graphs.gradients(nodes)
    first = next(i for i, (g, w) in enumerate(zip(got, wanted)) if not graphs.close(g, w))
    raise Incorrect(
        f"After out.backward() on this graph ({description}), {names[first]}.grad is {got[first]:g}, which is "
        f"not d(out)/d({names[first]}):\n{code}\n"
        "Try: every node must run its `_backward` exactly once, after all the nodes that use it, starting "
        "from out with out.grad = 1. Draw this graph and follow the gradient along each path by hand.",
        part="backward", diagnosis="wrong_values")


def _output_not_one(grad, where, name) -> Incorrect:
    return Incorrect(
        f"After {where}, {name}.grad is {grad:g}.\n"
        f"What happened: the output's own gradient, d({name})/d({name}), was not set to 1, and every other "
        "gradient is that number times local derivatives.\n"
        "Try: `backward()` sets the grad of the Value it is called on to 1 before anything is passed back.",
        part="backward", diagnosis="output_grad_not_one")
