"""Lesson 3: try products for a dense layer's gradients and see whether their shapes fit.

The learner picks, for `dinputs` and for `dweights`, a left and a right factor among dvalues, inputs
and weights, each as it is or transposed, and for `dbiases` the axis that `np.sum` removes from
dvalues and whether it keeps it. The explorer draws the chosen matrices and says what numpy would
do: the inner dimensions do not match (an error), or they do and the result has a shape, which is or
is not the shape of what the gradient belongs to (dinputs like inputs, dweights like weights,
dbiases like biases). It holds no answer: it only multiplies shapes, so the exercise stays the
learner's.

with dvalues: (batch, n_neurons), inputs: (batch, n_inputs), weights: (n_inputs, n_neurons).
"""
import ipywidgets as widgets

from ._explorer import Explorer
from ._render import new_figure
from .matrix_glyph import MatrixGlyph

MAX_SIZE = 8
FACTORS = ("dvalues", "dvalues.T", "inputs", "inputs.T", "weights", "weights.T")
PRODUCTS = {"dinputs": "inputs", "dweights": "weights"}   # a gradient -> what it is the gradient of
# Where the learner starts: products whose shapes do not fit, so the picture gives nothing away.
START = {"dinputs": ("dvalues", "weights"), "dweights": ("inputs", "dvalues")}
# Each name holds the control's visible label, so speech input can use either.
NAMES = {"batch": "batch size", "n_inputs": "n_inputs: number of inputs",
         "n_neurons": "n_neurons: number of neurons",
         "dinputs_left": "dinputs: left factor", "dinputs_right": "dinputs: right factor",
         "dweights_left": "dweights: left factor", "dweights_right": "dweights: right factor",
         "sum_axis": "dbiases: sum over axis (of dvalues)", "keepdims": "keepdims in the sum for dbiases"}
GAP = 2.8          # horizontal room for an operator between two matrices, in cell units
GRAD_FILL = "#FBE3D3"


def base_shapes(batch, n_inputs, n_neurons):
    """name -> (rows, cols) of each factor a product can use, transposes included."""
    shapes = {"dvalues": (batch, n_neurons), "inputs": (batch, n_inputs), "weights": (n_inputs, n_neurons),
              "biases": (1, n_neurons)}
    shapes.update({f"{name}.T": shape[::-1] for name, shape in list(shapes.items())})
    return shapes


def try_product(left, right):
    """(rows, cols) @ (rows, cols) -> the result's shape, or None if the inner dimensions differ."""
    return (left[0], right[1]) if left[1] == right[0] else None


def summed_shape(shape, axis, keepdims):
    """The shape np.sum(array of `shape`, axis=axis, keepdims=keepdims) has."""
    if keepdims:
        return (1, shape[1]) if axis == 0 else (shape[0], 1)
    return (shape[1],) if axis == 0 else (shape[0],)


def verdict(gradient, result, target, of):
    """Words for a chosen product's result shape against the shape its gradient must have."""
    if result is None:
        return "✗ the inner dimensions differ: numpy raises an error"
    if tuple(result) != tuple(target):
        return f"✗ gives {_shape(result)}, but {gradient} must be {_shape(target)}, the shape of {of}"
    return f"✓ gives {_shape(result)}, the shape of {of}"


def _shape(shape):
    return f"({shape[0]},)" if len(shape) == 1 else f"({shape[0]}, {shape[1]})"


class ShapeExplorer(Explorer):
    name = "ShapeExplorer"

    def __init__(self, batch, n_inputs, n_neurons):
        def slider(value, description):
            return widgets.IntSlider(value=value, min=1, max=max(MAX_SIZE, value), description=description)

        def factor(row, side):
            return widgets.Dropdown(options=FACTORS, value=START[row][side == "right"],
                                    description=f"{row}: {side}", style={"description_width": "initial"})
        controls = {"batch": slider(batch, "batch"), "n_inputs": slider(n_inputs, "n_inputs"),
                    "n_neurons": slider(n_neurons, "n_neurons")}
        for row in PRODUCTS:
            controls[f"{row}_left"], controls[f"{row}_right"] = factor(row, "left"), factor(row, "right")
        controls["sum_axis"] = widgets.Dropdown(options=(1, 0), value=1, description="dbiases: sum over axis",
                                                style={"description_width": "initial"})
        controls["keepdims"] = widgets.Checkbox(value=False, description="keepdims", indent=False)
        size = max(MAX_SIZE, batch, n_inputs, n_neurons)
        width = 1.6 + 3 * size + 2 * GAP
        height = 3 * (size + 5.1) + 0.6
        figure = new_figure(7.2, 7.2 * height / width, dpi=70)
        self.ax = figure.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(height, 0)   # rows of a matrix go down
        self.ax.set_aspect("equal")
        self.ax.axis("off")
        self.glyphs = {row: {"left": MatrixGlyph(self.ax, ""), "right": MatrixGlyph(self.ax, ""),
                             "result": MatrixGlyph(self.ax, row, GRAD_FILL)} for row in PRODUCTS}
        self.glyphs["dbiases"] = {"left": MatrixGlyph(self.ax, "dvalues"), "result": MatrixGlyph(self.ax, "dbiases", GRAD_FILL)}
        self.titles = {row: self.ax.text(0.3, 0, "", fontsize=10, va="top") for row in self.glyphs}
        self.notes = {row: self.ax.text(0.3, 0, "", fontsize=9, va="top") for row in self.glyphs}
        self.operators = {row: [self.ax.text(0, 0, "", fontsize=14, ha="center", va="center")
                                for _ in range(2)] for row in self.glyphs}
        super().__init__(controls, figure, NAMES, controls_width="360px")

    def compute(self, settings):
        shapes = base_shapes(settings["batch"], settings["n_inputs"], settings["n_neurons"])
        rows = {}
        for gradient, of in PRODUCTS.items():
            left, right = settings[f"{gradient}_left"], settings[f"{gradient}_right"]
            result = try_product(shapes[left], shapes[right])
            rows[gradient] = {"factors": (left, right), "shapes": (shapes[left], shapes[right]),
                              "result": result, "target": shapes[of],
                              "verdict": verdict(gradient, result, shapes[of], of)}
        axis, keepdims = settings["sum_axis"], settings["keepdims"]
        result = summed_shape(shapes["dvalues"], axis, keepdims)
        rows["dbiases"] = {"axis": axis, "keepdims": keepdims, "shapes": (shapes["dvalues"],), "result": result,
                           "target": shapes["biases"], "verdict": verdict("dbiases", result, shapes["biases"], "biases")}
        sizes = (settings["batch"], settings["n_inputs"], settings["n_neurons"])
        return {"sizes": sizes, "shapes": shapes, "rows": rows, "distinct": len(set(sizes)) == 3}

    def _row(self, row, top, parts, operators, title, note):
        """Lay out one row: parts are (glyph key, name, shape or None, mark_rows, mark_cols) left to right."""
        self.titles[row].set_position((0.3, top))
        self.titles[row].set_text(title)
        matrix_top = top + 2.5
        left = 1.0
        for key, glyph in self.glyphs[row].items():
            glyph.set_visible(False)
        drawn = []
        for k, (key, name, shape, mark_rows, mark_cols) in enumerate(parts):
            glyph = self.glyphs[row][key]
            if shape is not None:
                rows, cols = (1, shape[0]) if len(shape) == 1 else shape
                glyph.place(left, matrix_top, rows, cols, mark_rows, mark_cols)
                glyph.name_text.set_text(name)
                glyph.shape_text.set_text(_shape(shape))
                glyph.set_visible(True)
                drawn.append(rows)
                left += cols
            if k < len(operators):
                op = self.operators[row][k]
                op.set_text(operators[k])
                op.set_position((left + GAP / 2, matrix_top + min(max(drawn or [1]), 3) / 2))
                left += GAP
        bottom = matrix_top + max(drawn) + 1.2
        self.notes[row].set_position((0.3, bottom))
        self.notes[row].set_text(note)
        return bottom + 1.4

    def draw(self, values):
        top = 0.3
        for gradient, of in PRODUCTS.items():
            row = values["rows"][gradient]
            (left, right), (left_shape, right_shape) = row["factors"], row["shapes"]
            fits = row["result"] is not None
            top = self._row(gradient, top, [
                ("left", left, left_shape, False, fits),
                ("right", right, right_shape, fits, False),
                ("result", gradient, row["result"], False, False)], ["@", "=" if fits else "✗"],
                f"{gradient} must be {_shape(row['target'])}, the shape of {of}: your product",
                f"inner {left_shape[1]} {'=' if fits else '≠'} {right_shape[0]}  {row['verdict']}")
        row = values["rows"]["dbiases"]
        self._row("dbiases", top, [
            ("left", "dvalues", row["shapes"][0], row["axis"] == 0, row["axis"] == 1),
            ("result", "dbiases", row["result"], False, False)], [f"Σ axis {row['axis']} →"],
            f"dbiases must be {_shape(row['target'])}, the shape of biases: your sum",
            f"keepdims={row['keepdims']}  {row['verdict']}")
        self.operators["dbiases"][0].set_fontsize(10)
        self.operators["dbiases"][1].set_text("")

    def readout(self, values):
        s, rows = values["shapes"], values["rows"]
        lines = [f"inputs {s['inputs']}, weights {s['weights']}, biases {s['biases']}, dvalues {s['dvalues']}",
                 "Choose each product's factors below the sliders. A gradient has the shape of what it is the "
                 "gradient of."]
        for gradient in PRODUCTS:
            left, right = rows[gradient]["factors"]
            lines.append(f"&nbsp; {gradient} = {left} @ {right}: {rows[gradient]['verdict']}")
        lines.append(f"&nbsp; dbiases = dvalues summed over axis {rows['dbiases']['axis']}, "
                     f"keepdims={rows['dbiases']['keepdims']}: {rows['dbiases']['verdict']}")
        if not values["distinct"]:
            lines.append("Some sizes are equal: then a wrong product can have the right shape too. "
                         "Make batch, n_inputs and n_neurons all different to be sure.")
        lines.append("Green bars: the inner dimensions a product matches, and the axis the sum removes.")
        return "<div style='line-height: 1.5'>" + "<br>".join(lines) + "</div>"

    def alt(self, values):
        rows = values["rows"]
        parts = ["The products you chose, drawn as grids of cells."]
        for gradient in PRODUCTS:
            (left, right), (left_shape, right_shape) = rows[gradient]["factors"], rows[gradient]["shapes"]
            parts.append(f"{gradient}: {left} {_shape(left_shape)} @ {right} {_shape(right_shape)}: "
                         f"{rows[gradient]['verdict']}.")
        row = rows["dbiases"]
        parts.append(f"dbiases: dvalues {_shape(row['shapes'][0])} summed over axis {row['axis']}, "
                     f"keepdims={row['keepdims']}: {row['verdict']}.")
        return " ".join(parts)

    def summary(self, values):
        rows = values["rows"]
        return ", ".join([f"{g}={rows[g]['factors'][0]} @ {rows[g]['factors'][1]}" for g in PRODUCTS]
                         + [f"dbiases=sum over axis {rows['dbiases']['axis']}"])


def shape_explorer(batch=5, n_inputs=4, n_neurons=3):
    """Sliders for batch size, inputs and neurons (1 to 8) and a choice of each product's factors;
    draws the chosen products and says whether their shapes fit.

    Returns a ShapeExplorer with .sliders (the controls, by name: "batch", "dinputs_left", "sum_axis",
    "keepdims", ...), .values (values["rows"][gradient]: factors, result shape, target shape, verdict),
    .figure, .widget, and .glyphs[row][slot].shape for the matrices as drawn.
    """
    return ShapeExplorer(batch, n_inputs, n_neurons)
