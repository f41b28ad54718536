"""Lesson 3: the shapes of a dense layer's three gradients, drawn as matrices.

    dinputs  = dvalues @ weights.T                       (batch, n_inputs)
    dweights = inputs.T @ dvalues                        (n_inputs, n_neurons)
    dbiases  = np.sum(dvalues, axis=0, keepdims=True)    (1, n_neurons)

with dvalues: (batch, n_neurons), inputs: (batch, n_inputs), weights: (n_inputs, n_neurons).
Green bars mark the inner dimensions a product matches (and the axis the sum removes), which is
why each transpose is where it is.
"""
import ipywidgets as widgets
import numpy as np

from ._explorer import Explorer
from ._render import new_figure
from .matrix_glyph import MatrixGlyph

MAX_SIZE = 8
# Each name holds the slider's visible label, so speech input can use either.
SLIDER_NAMES = {"batch": "batch size", "n_inputs": "n_inputs: number of inputs",
                "n_neurons": "n_neurons: number of neurons"}
GAP = 2.8          # horizontal room for an operator between two matrices, in cell units
GRAD_FILL = "#FBE3D3"


def layer_gradient_shapes(batch, n_inputs, n_neurons):
    """The shape of every matrix in the three products, found by doing them (with ones).

    Returns a dict name -> (rows, cols) for dvalues, inputs, weights, inputs.T, weights.T,
    dinputs, dweights, dbiases.
    """
    dvalues = np.ones((batch, n_neurons))
    inputs = np.ones((batch, n_inputs))
    weights = np.ones((n_inputs, n_neurons))
    matrices = {
        "dvalues": dvalues, "inputs": inputs, "weights": weights,
        "inputs.T": inputs.T, "weights.T": weights.T,
        "dinputs": dvalues @ weights.T,
        "dweights": inputs.T @ dvalues,
        "dbiases": np.sum(dvalues, axis=0, keepdims=True),
    }
    return {name: tuple(int(n) for n in m.shape) for name, m in matrices.items()}


def _without_transpose(left, right):
    """What the product would do with the transpose left out."""
    if left[1] != right[0]:
        return f"without .T: {left} @ {right}: inner {left[1]} ≠ {right[0]} ✗, an error"
    return f"without .T: {left} @ {right} runs (equal sizes) but pairs the wrong numbers"


class ShapeExplorer(Explorer):
    name = "ShapeExplorer"

    def __init__(self, batch, n_inputs, n_neurons):
        def slider(value, description):
            return widgets.IntSlider(value=value, min=1, max=max(MAX_SIZE, value),
                                     description=description)
        sliders = {"batch": slider(batch, "batch"), "n_inputs": slider(n_inputs, "n_inputs"),
                   "n_neurons": slider(n_neurons, "n_neurons")}
        size = max(MAX_SIZE, batch, n_inputs, n_neurons)
        width = 1.6 + 3 * size + 2 * GAP
        height = 3 * (size + 5.1) + 0.6
        figure = new_figure(7.2, 7.2 * height / width, dpi=70)
        self.ax = figure.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(height, 0)   # rows of a matrix go down
        self.ax.set_aspect("equal")
        self.ax.axis("off")
        self.glyphs = {
            "dinputs": {"dvalues": MatrixGlyph(self.ax, "dvalues"),
                        "weights.T": MatrixGlyph(self.ax, "weights.T"),
                        "dinputs": MatrixGlyph(self.ax, "dinputs", GRAD_FILL)},
            "dweights": {"inputs.T": MatrixGlyph(self.ax, "inputs.T"),
                         "dvalues": MatrixGlyph(self.ax, "dvalues"),
                         "dweights": MatrixGlyph(self.ax, "dweights", GRAD_FILL)},
            "dbiases": {"dvalues": MatrixGlyph(self.ax, "dvalues"),
                        "dbiases": MatrixGlyph(self.ax, "dbiases", GRAD_FILL)},
        }
        text = dict(fontsize=10, va="top")
        self.titles = {
            "dinputs": self.ax.text(0.3, 0, "dinputs = dvalues @ weights.T", **text),
            "dweights": self.ax.text(0.3, 0, "dweights = inputs.T @ dvalues", **text),
            "dbiases": self.ax.text(0.3, 0, "dbiases = np.sum(dvalues, axis=0, keepdims=True)",
                                    **text),
        }
        self.notes = {row: self.ax.text(0.3, 0, "", fontsize=9, va="top")
                      for row in self.glyphs}
        self.operators = {row: [self.ax.text(0, 0, "", fontsize=14, ha="center", va="center")
                                for _ in range(2)] for row in self.glyphs}
        super().__init__(sliders, figure, SLIDER_NAMES, controls_width="340px")

    def compute(self, settings):
        b, i, n = settings["batch"], settings["n_inputs"], settings["n_neurons"]
        shapes = layer_gradient_shapes(b, i, n)
        return {"batch": b, "n_inputs": i, "n_neurons": n, "shapes": shapes,
                "without_transpose": {
                    "dinputs": _without_transpose(shapes["dvalues"], shapes["weights"]),
                    "dweights": _without_transpose(shapes["inputs"], shapes["dvalues"])}}

    def _row(self, row, top, parts, operators, note):
        """Lay out one product: parts are (name, shape, mark_rows, mark_cols) left to right."""
        self.titles[row].set_position((0.3, top))
        matrix_top = top + 2.5
        left = 1.0
        for k, (name, shape, mark_rows, mark_cols) in enumerate(parts):
            self.glyphs[row][name].place(left, matrix_top, *shape, mark_rows, mark_cols)
            left += shape[1]
            if k < len(operators):
                op = self.operators[row][k]
                op.set_text(operators[k])
                op.set_position((left + GAP / 2, matrix_top + min(shape[0], 3) / 2))
                left += GAP
        bottom = matrix_top + max(shape[0] for _, shape, _, _ in parts) + 1.2
        self.notes[row].set_position((0.3, bottom))
        self.notes[row].set_text(note)
        return bottom + 1.4

    def draw(self, values):
        s = values["shapes"]
        b, n = values["batch"], values["n_neurons"]
        # The picture keeps its words short (text is the slow part of a redraw); the readout
        # beside it says what leaving out each .T would do.
        top = self._row("dinputs", 0.3, [
            ("dvalues", s["dvalues"], False, True),
            ("weights.T", s["weights.T"], True, False),
            ("dinputs", s["dinputs"], False, False)], ["@", "="],
            f"inner {n} = {n} ✓ (neurons) → {s['dinputs']}, the shape of inputs")
        top = self._row("dweights", top, [
            ("inputs.T", s["inputs.T"], False, True),
            ("dvalues", s["dvalues"], True, False),
            ("dweights", s["dweights"], False, False)], ["@", "="],
            f"inner {b} = {b} ✓ (batch: sums over samples) → {s['dweights']}, "
            "the shape of weights")
        self._row("dbiases", top, [
            ("dvalues", s["dvalues"], True, False),
            ("dbiases", s["dbiases"], False, False)], ["Σ↓"],
            f"axis 0 ({b} rows) summed away; keepdims keeps {s['dbiases']}, the shape of biases")
        self.operators["dbiases"][1].set_text("")

    def readout(self, values):
        s = values["shapes"]
        rows = [
            f"inputs {s['inputs']}, weights {s['weights']}, dvalues {s['dvalues']}",
            "A gradient has the shape of what it is the gradient of:",
            f"&nbsp; dinputs {s['dinputs']} like inputs {s['inputs']}",
            f"&nbsp; dweights {s['dweights']} like weights {s['weights']}",
            f"&nbsp; dbiases {s['dbiases']} like biases (1, {values['n_neurons']})",
            "Green bars: the inner dimensions each @ matches, and the axis the sum removes.",
            "dinputs " + values["without_transpose"]["dinputs"],
            "dweights " + values["without_transpose"]["dweights"],
        ]
        return "<div style='line-height: 1.5'>" + "<br>".join(rows) + "</div>"

    def alt(self, values):
        s = values["shapes"]
        b, n = values["batch"], values["n_neurons"]
        return (f"The three gradient products drawn as grids of cells. "
                f"dinputs = dvalues {s['dvalues']} @ weights.T {s['weights.T']} = {s['dinputs']}, "
                f"matching the inner {n} (neurons). "
                f"dweights = inputs.T {s['inputs.T']} @ dvalues {s['dvalues']} = {s['dweights']}, "
                f"matching the inner {b} (samples). "
                f"dbiases = dvalues {s['dvalues']} summed over axis 0 = {s['dbiases']}. "
                "Green bars mark the matched dimensions.")

    def summary(self, values):
        s = values["shapes"]
        return (f"dinputs={s['dinputs']}, dweights={s['dweights']}, "
                f"dbiases={s['dbiases']}")


def shape_explorer(batch=5, n_inputs=4, n_neurons=3):
    """Sliders for batch size, inputs and neurons (1 to 8); draws the three gradient products.

    Returns a ShapeExplorer with .sliders, .values (values["shapes"]: name -> (rows, cols)),
    .figure, .widget, and .glyphs[row][name].shape for the matrices as drawn.
    """
    return ShapeExplorer(batch, n_inputs, n_neurons)
