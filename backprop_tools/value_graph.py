"""A picture of a learner's own graph of `Value`s (lesson 9), with data and grad on every node.

    value_graph(y, labels={x0: "x0", w0: "w0", ...})   # last in a cell: shows the picture

Like lesson 1's neuron graph: forward values in blue, gradients in dark orange marked with ∂, so that
colour is never the only cue. The picture is shown as an HTML <img> whose alt text lists every node's
data and grad (JupyterLab ignores alt text given in display metadata, but reads an <img alt>).

Only attributes are read: `data`, `grad`, the parents (`parents`, or micrograd's `_prev`) and the
operation's name (`op` or `_op`). Nothing of the learner's objects is called or changed.
"""
from __future__ import annotations

import base64
import html

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ._render import VALUE_COLOR, figure_png, fmt, new_figure

# Darker than the explorers' vermillion, so that small text on white stays above 4.5:1 contrast.
GRAD_TEXT = "#9E4300"
OPS = {"+": "+", "*": "×", "×": "×", "ReLU": "ReLU", "relu": "ReLU"}
BOX_W, BOX_H, COLUMN, ROW = 1.5, 1.05, 2.3, 1.35


def _parents(node) -> list:
    found = getattr(node, "parents", None)
    if found is None:
        found = getattr(node, "_prev", ())
    try:
        return list(found)
    except TypeError:
        return []


def _op(node) -> str:
    op = str(getattr(node, "op", "") or getattr(node, "_op", "") or "")
    return OPS.get(op, op)


def collect(root) -> list:
    """Every Value the root depends on, each after its parents (a topological order, root last)."""
    order, seen = [], set()

    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in _parents(node):
            visit(parent)
        order.append(node)

    visit(root)
    return order


def _layout(order: list) -> dict:
    """id(node) -> (column, row): each node one column left of its first user (the output rightmost),
    so that edges are short; rows in topological order keep parents near the nodes they feed."""
    column = {id(order[-1]): 0}
    for node in reversed(order[:-1]):
        column[id(node)] = min(column[id(n)] for n in order if any(p is node for p in _parents(n))) - 1
    shift = min(column.values())
    rows: dict[int, int] = {}
    place = {}
    for node in order:  # topological order keeps parents near the nodes they feed
        c = column[id(node)] - shift
        place[id(node)] = (c, rows.get(c, 0))
        rows[c] = rows.get(c, 0) + 1
    tallest = max(rows.values())
    return {key: (c, r + (tallest - rows[c]) / 2) for key, (c, r) in place.items()}


def _names(order: list, labels: dict) -> dict:
    """id(node) -> its label, or n1, n2, ... for unlabelled nodes, in the order they were computed."""
    names, count = {}, 0
    for node in order:
        if id(node) not in labels:
            count += 1
        names[id(node)] = labels.get(id(node), f"n{count}")
    return names


class ValueGraph:
    """The figure and its description; shown in a notebook as an <img> with that description as alt."""

    def __init__(self, root, labels: dict | None = None):
        self.labels = {id(node): str(text) for node, text in (labels or {}).items()}
        self.order = collect(root)
        self.place = _layout(self.order)
        self.names = _names(self.order, self.labels)
        columns = 1 + max(c for c, _ in self.place.values())
        rows = 1 + max(r for _, r in self.place.values())
        self.figure = new_figure(1.35 * columns + 0.4, 0.8 * rows + 0.7, dpi=80)
        ax = self.figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(-BOX_W / 2 - 0.2, (columns - 1) * COLUMN + BOX_W / 2 + 0.2)
        ax.set_ylim(-(rows - 1) * ROW - BOX_H / 2 - 0.9, BOX_H / 2 + 0.2)
        ax.axis("off")
        self.ax = ax
        for node in self.order:
            for parent in _parents(node):
                self._edge(parent, node)
        for node in self.order:
            self._box(node)
        ax.text(-BOX_W / 2, -(rows - 1) * ROW - BOX_H / 2 - 0.35, "data: value (forward pass)", color=VALUE_COLOR,
                fontsize=9, fontweight="bold", va="top")
        ax.text(-BOX_W / 2 + 3.3, -(rows - 1) * ROW - BOX_H / 2 - 0.35, "∂ grad: d(output)/d(this value)",
                color=GRAD_TEXT, fontsize=9, fontstyle="italic", va="top")

    def _xy(self, node):
        column, row = self.place[id(node)]
        return column * COLUMN, -row * ROW

    def _box(self, node):
        x, y = self._xy(node)
        self.ax.add_patch(FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.04",
                                         facecolor="white", edgecolor="black", linewidth=1))
        title = self.names[id(node)] if id(node) in self.labels or not _op(node) else _op(node)
        if id(node) in self.labels and _op(node):
            title += f" ({_op(node)})"
        self.ax.text(x, y + 0.28, title, ha="center", va="center", fontsize=10)
        self.ax.text(x, y, f"data {fmt(_number(node, 'data'))}", ha="center", va="center", fontsize=9,
                     color=VALUE_COLOR, fontweight="bold")
        self.ax.text(x, y - 0.28, f"∂ grad {fmt(_number(node, 'grad'))}", ha="center", va="center", fontsize=9,
                     color=GRAD_TEXT, fontstyle="italic")

    def _edge(self, parent, node):
        (x0, y0), (x1, y1) = self._xy(parent), self._xy(node)
        self.ax.add_patch(FancyArrowPatch((x0 + BOX_W / 2, y0), (x1 - BOX_W / 2, y1), arrowstyle="-|>",
                                          mutation_scale=10, color="#444444", linewidth=1, shrinkA=2, shrinkB=2))

    def description(self) -> str:
        """Every node in the order it was computed: its name, what it was computed from, data and grad."""
        parts = []
        for node in self.order:
            source = ", ".join(self.names[id(p)] for p in _parents(node))
            made = f" = {_op(node) or 'computed'} of {source}" if source else ""
            parts.append(f"{self.names[id(node)]}{made}: data {fmt(_number(node, 'data'))}, "
                         f"grad {fmt(_number(node, 'grad'))}")
        return (f"Graph of {len(self.order)} Values, inputs on the left, the output on the right. "
                + "; ".join(parts) + ".")

    def _repr_html_(self) -> str:
        png = base64.b64encode(figure_png(self.figure)).decode("ascii")
        return f'<img src="data:image/png;base64,{png}" alt="{html.escape(self.description())}">'

    def __repr__(self) -> str:
        return self.description()


def _number(node, attr) -> float:
    try:
        return float(getattr(node, attr))  # a learner's data may be an int or a numpy number
    except Exception:
        return float("nan")


def value_graph(root, labels: dict | None = None) -> ValueGraph:
    """A picture of every Value `root` depends on. labels: {a Value: its name} for the inputs you named."""
    return ValueGraph(root, labels)
