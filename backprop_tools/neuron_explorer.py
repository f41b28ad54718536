"""Lesson 1: one neuron, y = ReLU(x·w + b), with sliders and its computational graph.

    explorer = neuron_explorer()          # lesson 1's x = [1, -2, 3], w = [-3, -1, 2], b = 1
    explorer                              # last in a cell: shows the sliders and the graph
    explorer.values["dx"]                 # [-3.0, -1.0, 2.0]
    explorer.set(b=-6)                    # z = -1: ReLU off, every gradient 0
"""
import ipywidgets as widgets
import numpy as np

from ._explorer import Explorer
from ._render import fmt, fmt_list
from .neuron_graph import NeuronGraph, _label

# Slider values are floats from a browser; rounding away float noise (1e-16) keeps z = 0 at
# exactly 0, where the course's convention is that ReLU's derivative is 0.
ROUND = 9


def neuron_values(x, w, b, dvalue=1.0):
    """Forward and backward pass of one neuron, every intermediate kept.

    x, w: (3,) sequences; b, dvalue: numbers (dvalue is dL/dy from upstream).
    Returns a dict of plain floats and lists: x, w, b, products (3,), z, y, dvalue,
    dy_dz (ReLU's derivative, 0 at z <= 0), dproducts (3,), dx (3,), dw (3,), db, relu_on.

    Each local derivative is measured on the forward pass, as the checks measure gradients, and not
    written as lesson 1's answer (a class release ships this module beside lesson 1): `_slope` takes a
    backward difference over a stretch where the function is a straight line, so it is exact, not an
    estimate. The gradients are then the chain rule's products of those local derivatives.
    """
    x = np.round(np.asarray(x, dtype=np.float64), ROUND)
    w = np.round(np.asarray(w, dtype=np.float64), ROUND)
    b = round(float(b), ROUND)
    products = np.round(x * w, ROUND)
    z = round(float(products.sum() + b), ROUND)
    y = max(z, 0.0)
    dy_dz = _slope(lambda v: max(v, 0.0), z, abs(z) or 1.0)  # reaches ReLU's kink, never crosses it
    dz = dvalue * dy_dz
    dsum = np.array([_slope(lambda p: p + (z - products[i]), products[i]) for i in range(3)])  # z in each product
    dproducts = dz * dsum
    dmul_dx = np.array([_slope(lambda v: v * w[i], x[i]) for i in range(3)])  # x_i * w_i in x_i
    dmul_dw = np.array([_slope(lambda v: x[i] * v, w[i]) for i in range(3)])  # x_i * w_i in w_i
    return {
        "x": x.tolist(), "w": w.tolist(), "b": b, "products": products.tolist(),
        "z": z, "y": y, "dvalue": float(dvalue), "dy_dz": dy_dz,
        "dproducts": dproducts.tolist(),
        "dx": (dproducts * dmul_dx + 0.0).tolist(),   # (+0.0 drops -0.0)
        "dw": (dproducts * dmul_dw + 0.0).tolist(),
        "db": dz * _slope(lambda v: products.sum() + v, b), "relu_on": z > 0,
    }


def _slope(f, at, step=1.0):
    """f's slope at `at`, from f(at) and f(at - step), rounded to ROUND digits: exact where f is a straight
    line on [at - step, at] (the rounding removes the last bits a float subtraction leaves)."""
    return round(float(f(at) - f(at - step)) / step, ROUND)


def _slider(name, value, limit, step=0.1):
    low, high = min(-limit, np.floor(value)), max(limit, np.ceil(value))
    return widgets.FloatSlider(value=value, min=low, max=high, step=step,
                               description=_label(name), readout_format=".1f",
                               continuous_update=True)


# What each slider controls, for screen readers (the visible label is only "x₀").
SLIDER_NAMES = {**{f"x{i}": f"input {_label(f'x{i}')}" for i in range(3)},
                **{f"w{i}": f"weight {_label(f'w{i}')}" for i in range(3)}, "b": "bias b"}


class NeuronExplorer(Explorer):
    name = "NeuronExplorer"

    def __init__(self, x, w, b):
        sliders = {}
        for i in range(3):
            sliders[f"x{i}"] = _slider(f"x{i}", float(x[i]), 5)
        for i in range(3):
            sliders[f"w{i}"] = _slider(f"w{i}", float(w[i]), 5)
        sliders["b"] = _slider("b", float(b), 10)
        self.graph = NeuronGraph()
        super().__init__(sliders, self.graph.figure, SLIDER_NAMES)

    def compute(self, settings):
        x = [settings[f"x{i}"] for i in range(3)]
        w = [settings[f"w{i}"] for i in range(3)]
        return neuron_values(x, w, settings["b"])

    def draw(self, values):
        self.graph.update(values)

    def dynamic_artists(self):
        return self.graph.dynamic_artists()

    def readout(self, v):
        terms = " + ".join(f"({fmt(a)})·({fmt(c)})" for a, c in zip(v["x"], v["w"]))
        if v["relu_on"]:
            status = "ReLU is on (z &gt; 0): dy/dz = 1, so the gradient flows back."
        else:
            status = ("<b>ReLU is off: every gradient upstream of it is 0</b> "
                      "(z &le; 0, and the derivative at exactly 0 is taken as 0).")
        rows = [
            f"z = x·w + b = {terms} + ({fmt(v['b'])}) = <b>{fmt(v['z'])}</b>",
            f"y = ReLU(z) = max(z, 0) = <b>{fmt(v['y'])}</b>",
            f"upstream dvalue = {fmt(v['dvalue'])}",
            f"dy/dz = {fmt(v['dy_dz'])}",
            f"dx = dvalue · dy/dz · w = <b>{fmt_list(v['dx'])}</b>",
            f"dw = dvalue · dy/dz · x = <b>{fmt_list(v['dw'])}</b>",
            f"db = dvalue · dy/dz · 1 = <b>{fmt(v['db'])}</b>",
        ]
        return ("<div style='font-family: monospace; line-height: 1.5'>"
                + "<br>".join(rows) + f"<p>{status}</p></div>")

    def alt(self, v):
        relu = (f"z = {fmt(v['z'])} > 0, ReLU on" if v["relu_on"]
                else f"z = {fmt(v['z'])} ≤ 0, ReLU off, so every gradient is 0")
        return (f"Computational graph of one neuron, y = ReLU(x·w + b), each edge labelled with "
                f"its value and its gradient. x = {fmt_list(v['x'])}, w = {fmt_list(v['w'])}, "
                f"products x·w = {fmt_list(v['products'])}, b = {fmt(v['b'])}; {relu}; "
                f"y = {fmt(v['y'])}. Gradients: dx = {fmt_list(v['dx'])}, "
                f"dw = {fmt_list(v['dw'])}, db = {fmt(v['db'])}.")

    def summary(self, v):
        return (f"z={fmt(v['z'])}, y={fmt(v['y'])}, dx={fmt_list(v['dx'])}, "
                f"dw={fmt_list(v['dw'])}, db={fmt(v['db'])}")


def neuron_explorer(x=(1.0, -2.0, 3.0), w=(-3.0, -1.0, 2.0), b=1.0):
    """Sliders for x0..x2, w0..w2 and b; shows z, y, every gradient and the neuron's graph.

    x, w: three numbers each; b: a number. The upstream gradient dvalue is 1.
    Returns a NeuronExplorer with .sliders, .values, .figure, .widget (see _explorer.Explorer).
    """
    return NeuronExplorer(x, w, b)
