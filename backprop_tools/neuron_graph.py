"""The computational graph of one neuron, y = ReLU(x0*w0 + x1*w1 + x2*w2 + b), as a picture.

Drawn once; `update(values)` only changes the texts, so a slider move costs one re-render.
Every edge carries two numbers, as in the CS231n diagrams: the value flowing forward (above the
edge) and the gradient of y with respect to that value, flowing backward (below, marked with ∂).
"""
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ._render import GRAD_COLOR, VALUE_COLOR, fmt, new_figure

SUBSCRIPT = "₀₁₂₃₄₅₆₇₈₉"

# Node positions in data units (the axes span 0..10.4 by 0..10). x_i and w_i sit far enough
# apart that the labels of their two edges do not touch; b enters the sum from below.
INPUT_X = 0.7
INPUT_Y = {"x0": 9.3, "w0": 7.6, "x1": 6.4, "w1": 4.7, "x2": 3.5, "w2": 1.8}
PRODUCT_XY = [(3.4, 8.45), (3.4, 5.55), (3.4, 2.65)]
SUM_XY = (6.2, 5.55)
B_XY = (6.2, 1.8)
RELU_XY = (7.9, 5.55)
OUTPUT_XY = (10.1, 5.55)


def _label(name):
    """'x0' -> 'x₀', for node labels."""
    return name[0] + "".join(SUBSCRIPT[int(d)] for d in name[1:])


class NeuronGraph:
    """Draws the graph on `ax` (or on a new figure) and relabels it from the explorer's values."""

    def __init__(self, ax=None):
        if ax is None:
            self.figure = new_figure(6.6, 5.0, dpi=80)
            ax = self.figure.add_axes((0, 0, 1, 0.89))
        self.figure = ax.figure
        self.ax = ax
        ax.set_xlim(0, 10.4)
        ax.set_ylim(0.9, 10.1)
        ax.axis("off")
        self.edge_value = {}   # edge name -> Text above the edge (forward value)
        self.edge_grad = {}    # edge name -> Text below the edge (backward gradient)
        self._draw_nodes()
        self._draw_edges()
        self._draw_legend()

    # -- built once --------------------------------------------------------------------------
    def _node(self, xy, text, width=0.9, height=0.7):
        box = FancyBboxPatch((xy[0] - width / 2, xy[1] - height / 2), width, height,
                             boxstyle="round,pad=0.05", facecolor="white", edgecolor="black")
        self.ax.add_patch(box)
        label = self.ax.text(*xy, text, ha="center", va="center", fontsize=11)
        return box, label

    def _draw_nodes(self):
        for name, y in INPUT_Y.items():
            self._node((INPUT_X, y), _label(name), width=0.7)
        self._node(B_XY, "b", width=0.7)
        for xy in PRODUCT_XY:
            self._node(xy, "×", width=0.6)
        self._node(SUM_XY, "+", width=0.6)
        self.relu_box, self.relu_label = self._node(RELU_XY, "ReLU", width=1.1)
        self.ax.text(OUTPUT_XY[0], OUTPUT_XY[1], "y", ha="center", va="center", fontsize=12)

    def _edge(self, name, start, end, at=0.5, vertical=False):
        """An arrow from `start` to `end` with a value label above and a gradient label below.

        On a vertical edge the value goes to the left and the gradient to the right.
        """
        arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10,
                                color="black", linewidth=1, shrinkA=0, shrinkB=0)
        self.ax.add_patch(arrow)
        mid = (start[0] + at * (end[0] - start[0]), start[1] + at * (end[1] - start[1]))
        if vertical:
            value_place = dict(xytext=(-4, 0), ha="right", va="center")
            grad_place = dict(xytext=(4, 0), ha="left", va="center")
        else:
            value_place = dict(xytext=(0, 3), ha="center", va="bottom")
            grad_place = dict(xytext=(0, -3), ha="center", va="top")
        self.edge_value[name] = self.ax.annotate(
            "", mid, textcoords="offset points", color=VALUE_COLOR, fontsize=9,
            fontweight="bold", **value_place)
        self.edge_grad[name] = self.ax.annotate(
            "", mid, textcoords="offset points", color=GRAD_COLOR, fontsize=9,
            fontstyle="italic", **grad_place)

    def _draw_edges(self):
        for i, (px, py) in enumerate(PRODUCT_XY):
            for name in (f"x{i}", f"w{i}"):
                self._edge(name, (INPUT_X + 0.4, INPUT_Y[name]), (px - 0.35, py), at=0.35)
            self._edge(f"p{i}", (px + 0.35, py), (SUM_XY[0] - 0.35, SUM_XY[1]), at=0.45)
        self._edge("b", (B_XY[0], B_XY[1] + 0.4), (SUM_XY[0], SUM_XY[1] - 0.4), vertical=True)
        self._edge("z", (SUM_XY[0] + 0.35, SUM_XY[1]), (RELU_XY[0] - 0.6, RELU_XY[1]))
        self._edge("y", (RELU_XY[0] + 0.6, RELU_XY[1]), (OUTPUT_XY[0] - 0.25, OUTPUT_XY[1]))

    def _draw_legend(self):
        # Words and a symbol, not colour alone, say which number is which.
        self.figure.text(0.01, 0.97, "above an edge: value (forward pass)", color=VALUE_COLOR,
                         fontsize=9, fontweight="bold", va="top")
        self.figure.text(0.01, 0.925, "∂ below an edge: grad, ∂y/∂(that value) (backward pass)",
                         color=GRAD_COLOR, fontsize=9, fontstyle="italic", va="top")
        self.status = self.figure.text(0.99, 0.97, "", ha="right", va="top", fontsize=9)

    def dynamic_artists(self):
        """What `update` changes, in drawing order (the ReLU box before its label)."""
        return ([self.relu_box, self.relu_label, self.status]
                + list(self.edge_value.values()) + list(self.edge_grad.values()))

    # -- changed on every update -------------------------------------------------------------
    def update(self, values):
        """Relabel every edge from the explorer's `values` (see neuron_explorer.neuron_values)."""
        forward = {"b": values["b"], "z": values["z"], "y": values["y"]}
        backward = {"b": values["db"], "z": values["dy_dz"] * values["dvalue"],
                    "y": values["dvalue"]}
        for i in range(3):
            forward[f"x{i}"], backward[f"x{i}"] = values["x"][i], values["dx"][i]
            forward[f"w{i}"], backward[f"w{i}"] = values["w"][i], values["dw"][i]
            forward[f"p{i}"], backward[f"p{i}"] = values["products"][i], values["dproducts"][i]
        for name, text in self.edge_value.items():
            text.set_text(fmt(forward[name]))
            self.edge_grad[name].set_text("∂ " + fmt(backward[name]))
        on = values["relu_on"]
        self.relu_box.set_facecolor("white" if on else "#DDDDDD")
        self.status.set_text("ReLU on: z > 0" if on else "ReLU off: z ≤ 0, so every grad is 0")
        self.status.set_fontweight("normal" if on else "bold")
