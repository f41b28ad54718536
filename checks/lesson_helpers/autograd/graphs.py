"""Small scalar expression graphs, on the course's side: for checking a learner's autograd engine.

A graph is a list of nodes in the order they were computed: leaves (inputs) first, the output last.
Everything here is the course's own arithmetic on plain floats; no learner code runs in this module.

- `forward` evaluates the graph (optionally with one node's value overridden);
- `gradients` gives d(output)/d(node) for every node by central differences of that forward pass,
  which is what a right `backward()` must leave in each node's `.grad`;
- `simulate` replays the chain rule in a given visiting order, so that a learner's wrong answer can be
  recognised as "the right closures, visited in the wrong order" or "... some nodes visited twice".
The checks hold no closed-form derivative: local derivatives are central differences too.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

H = 1e-6  # central-difference step; the graphs' values stay between about 0.01 and 50

FORWARD = {
    "add": lambda x, y: x + y,
    "mul": lambda x, y: x * y,
    "relu": lambda x: max(0.0, x),
    "pow": lambda x, k: x ** k,
}
SYMBOL = {"add": "+", "mul": "*"}


@dataclass(frozen=True)
class Node:
    """op: "leaf", "add", "mul", "relu" or "pow"; parents: indices of earlier nodes (a Value's
    parents, in the order the operation was called: self first); value: a leaf's number; k: pow's exponent."""

    op: str
    parents: tuple = ()
    value: float = 0.0
    k: float = 0.0


def leaf(value: float) -> Node:
    return Node("leaf", (), float(value))


def evaluate(node: Node, parent_values: list[float]) -> float:
    if node.op == "leaf":
        return node.value
    if node.op == "pow":
        return FORWARD["pow"](parent_values[0], node.k)
    return FORWARD[node.op](*parent_values)


def forward(nodes: list[Node], override: dict | None = None) -> list[float]:
    """Every node's value, in order; override {index: value} replaces a node's computed value."""
    values: list[float] = []
    for index, node in enumerate(nodes):
        value = evaluate(node, [values[p] for p in node.parents])
        values.append((override or {}).get(index, value))
    return values


def gradients(nodes: list[Node]) -> list[float]:
    """d(output)/d(node) for every node, by central differences of `forward` (0 if the output does not use it)."""
    values = forward(nodes)
    result = []
    for index in range(len(nodes)):
        plus = forward(nodes, {index: values[index] + H})[-1]
        minus = forward(nodes, {index: values[index] - H})[-1]
        result.append((plus - minus) / (2 * H))
    return result


def local_derivatives(node: Node, parent_values: list[float]) -> list[float]:
    """d(node)/d(parent) for each entry of node.parents, by central differences of the node's own forward."""
    result = []
    for j in range(len(parent_values)):
        plus, minus = list(parent_values), list(parent_values)
        plus[j] += H
        minus[j] -= H
        result.append((evaluate(node, plus) - evaluate(node, minus)) / (2 * H))
    return result


def simulate(nodes: list[Node], order: list[int], output_grad: float = 1.0) -> list[float]:
    """The grads that right local rules leave when each node in `order` passes its grad to its parents
    (a node may appear more than once); the output's grad starts at `output_grad`, the rest at 0."""
    values = forward(nodes)
    grads = [0.0] * len(nodes)
    grads[-1] = output_grad
    for index in order:
        node = nodes[index]
        local = local_derivatives(node, [values[p] for p in node.parents])
        for parent, derivative in zip(node.parents, local):
            grads[parent] += derivative * grads[index]
    return grads


# --- visiting orders: the right one, and the ones learners write by mistake ---------------------------------

def depth_first(nodes: list[Node], remember: bool = True, flip: bool = False) -> list[int]:
    """Every node after all its parents (a topological order, output last) when `remember` is True;
    without remembering visited nodes, a node appears once per path from the output to it."""
    order: list[int] = []
    seen: set[int] = set()

    def visit(index):
        if remember and index in seen:
            return
        seen.add(index)
        parents = nodes[index].parents
        for parent in (reversed(parents) if flip else parents):
            visit(parent)
        order.append(index)

    visit(len(nodes) - 1)
    return order


def pre_order(nodes: list[Node], flip: bool = False) -> list[int]:
    """Depth-first from the output, each node listed when first reached (before its parents): output first,
    but a node used twice may come before a node that uses it."""
    order: list[int] = []

    def visit(index):
        if index in order:
            return
        order.append(index)
        parents = nodes[index].parents
        for parent in (reversed(parents) if flip else parents):
            visit(parent)

    visit(len(nodes) - 1)
    return order


def breadth_first(nodes: list[Node], remember: bool = True, flip: bool = False) -> list[int]:
    """From the output outwards, level by level: not a topological order when a node is used twice."""
    order: list[int] = []
    seen = {len(nodes) - 1}
    queue = deque([len(nodes) - 1])
    while queue:
        index = queue.popleft()
        order.append(index)
        parents = nodes[index].parents
        for parent in (reversed(parents) if flip else parents):
            if not remember or parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return order


def right_order(nodes: list[Node]) -> list[int]:
    return depth_first(nodes)[::-1]


def mistaken_orders(nodes: list[Node]) -> list[tuple[str, str, list[int]]]:
    """(diagnosis, how, order) for the visiting orders of common wrong backward() passes."""
    found = []
    for flip in (False, True):
        found += [
            ("wrong_visit_order", "the `_backward` calls run from the inputs to the output (the order in which "
                                  "the graph was built), so each node passes its grad on before it has received it",
             depth_first(nodes, flip=flip)),
            ("wrong_visit_order", "the `_backward` calls run level by level from the output (breadth-first), so a "
                                  "node used twice can run before every node that uses it has passed its share back",
             breadth_first(nodes, flip=flip)),
            ("visited_twice", "some nodes run their `_backward` more than once, once for every path from the output "
                              "to them", depth_first(nodes, False, flip)[::-1]),
            ("visited_twice", "some nodes run their `_backward` more than once, once for every path from the output "
                              "to them", breadth_first(nodes, False, flip)),
        ]
    for flip in (False, True):  # after the others: `telling` graphs are chosen against the first four
        found += [
            ("wrong_visit_order", "the `_backward` calls start at the output, but a node used twice runs before "
                                  "a node that uses it has passed its share back",
             pre_order(nodes, flip=flip)),
            ("wrong_visit_order", "the `_backward` calls end at the output: nodes run before the nodes that use "
                                  "them have passed their grads back",
             pre_order(nodes, flip=flip)[::-1]),
        ]
    return found


# --- random graphs ------------------------------------------------------------------------------------------

def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-4 * max(1.0, abs(b))


def all_close(got: list[float], expected: list[float]) -> bool:
    return len(got) == len(expected) and all(close(g, e) for g, e in zip(got, expected))


def _away_from_kinks(nodes: list[Node]) -> bool:
    values = forward(nodes)
    for node in nodes:
        if node.op == "relu" and abs(values[node.parents[0]]) < 0.05:
            return False
    return all(abs(v) < 50 for v in values)


def _shares_a_computed_node(nodes: list[Node]) -> bool:
    uses = [0] * len(nodes)
    for node in nodes:
        for parent in set(node.parents):
            uses[parent] += 1
    return any(uses[i] > 1 and nodes[i].op != "leaf" for i in range(len(nodes)))


def telling(nodes: list[Node]) -> bool:
    """True if each mistaken order (parents taken in the order they were given) gives grads different
    from the right ones, so that a wrong backward() cannot pass; the graph uses every operation, a
    computed node is used twice, ReLUs stay away from 0 and values stay moderate."""
    if {n.op for n in nodes} != {"leaf", "add", "mul", "relu", "pow"} or not _shares_a_computed_node(nodes):
        return False
    if not _away_from_kinks(nodes):
        return False
    right = simulate(nodes, right_order(nodes))
    if not any(abs(g) > 0.1 for g in right[:-1]):
        return False
    return all(not all_close(simulate(nodes, order), right)
               for _, _, order in mistaken_orders(nodes)[:4])


def random_graph(rng, n_leaves: int = 3) -> list[Node]:
    """A small graph using +, *, relu and ** (2 or 3), in which a computed node is used twice, at two
    depths, and every mistaken visiting order gives different grads. Its shape is fixed
    (c = x x; d = c x; e = unary(d); f = e c; g = unary(f); out = g x), its operations, operand
    order, inputs and values are drawn from `rng` until `telling` holds."""
    for _ in range(200):
        nodes = [leaf(float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.0))) for _ in range(n_leaves)]
        binary = ["add", "mul", ("add", "mul")[int(rng.integers(2))], ("add", "mul")[int(rng.integers(2))]]
        rng.shuffle(binary)
        unary = ["relu", "pow"]
        rng.shuffle(unary)

        def combine(op, a, b):
            nodes.append(Node(op, (a, b) if rng.integers(2) else (b, a)))
            return len(nodes) - 1

        def apply(op, a):
            nodes.append(Node(op, (a,), k=float(rng.choice([2, 3])) if op == "pow" else 0.0))
            return len(nodes) - 1

        pick = lambda: int(rng.integers(n_leaves))  # noqa: E731
        c = combine(binary[0], pick(), pick())
        d = combine(binary[1], c, pick())
        f = combine(binary[2], apply(unary[0], d), c)
        combine(binary[3], apply(unary[1], f), pick())
        if telling(nodes):
            return nodes
    return FALLBACK


# (x0 + x1) shared by a product and a later product, then ReLU and a cube: `telling` holds.
FALLBACK = [leaf(0.55), leaf(0.76), leaf(1.8), Node("add", (0, 1)), Node("mul", (0, 3)), Node("relu", (4,)),
            Node("mul", (5, 3)), Node("pow", (6,), k=3.0), Node("add", (1, 7))]
# The same graph with the shared node first in the later product: a pre-order walk (each node listed when
# first reached) is right on one of the two operand orders and wrong on the other, so together they catch
# it whichever way round a learner's walk takes the parents.
SHARED_FIRST = [*FALLBACK[:6], Node("mul", (3, 5)), *FALLBACK[7:]]


def names(nodes: list[Node]) -> list[str]:
    """x0, x1, ... for the leaves, n3, n4, ... in between, out for the output."""
    return [("out" if i == len(nodes) - 1 else f"x{i}" if n.op == "leaf" else f"n{i}") for i, n in enumerate(nodes)]


def describe(nodes: list[Node]) -> str:
    """The graph as the lines of code that build it, for messages."""
    label = names(nodes)
    lines = [", ".join(f"{label[i]} = Value({n.value:g})" for i, n in enumerate(nodes) if n.op == "leaf")]
    for i, node in enumerate(nodes):
        p = [label[j] for j in node.parents]
        if node.op in SYMBOL:
            lines.append(f"{label[i]} = {p[0]} {SYMBOL[node.op]} {p[1]}")
        elif node.op == "relu":
            lines.append(f"{label[i]} = {p[0]}.relu()")
        elif node.op == "pow":
            lines.append(f"{label[i]} = {p[0]} ** {node.k:g}")
    return "\n".join("    " + line for line in lines)
