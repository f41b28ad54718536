"""Lesson 4: ReLU's backward pass as four heatmaps side by side: z, the mask, dvalues, the result.

    relu_heatmaps(z, dvalues)     # a static Figure, e.g. of the lesson's example
    relu_explorer(seed=0)         # a random z (with exact zeros) and an offset slider

The result is dvalues where z > 0 and 0 elsewhere, including where z is exactly 0: ReLU's
derivative at 0 is taken as 0. Those cells get a dashed box, so it is seen, not only coloured.
"""
import ipywidgets as widgets
import numpy as np

from ._explorer import Explorer
from ._render import fmt_list, new_figure
from .figure_alt import set_alt
from .heatmap_panel import HeatmapPanel

ZERO_NOTE = "dashed box: z is exactly 0, where ReLU's derivative is 0, so nothing passes"


def relu_backward_values(z, dvalues):
    """ReLU's backward pass read off its forward pass, with everything a picture needs.

    z, dvalues: arrays of one shape (rows, cols). Returns float64 arrays of that shape:
    z, mask (ReLU's slope at z: 1.0 or 0.0), dvalues, drelu (dvalues times that slope) and
    exact_zero (bool, z == 0).

    The slope is measured, as the checks measure gradients, not written as the lesson's answer (a class
    release ships this module beside lesson 4): a backward difference of the forward pass, which gives 0
    at z = 0 (the lesson's convention). Its step is |z|, so it reaches the kink but never crosses it, and ReLU
    is a straight line on each side: the difference is exact (1.0 or 0.0), not an estimate.
    """
    z = np.asarray(z, dtype=np.float64)
    dvalues = np.asarray(dvalues, dtype=np.float64)
    if z.shape != dvalues.shape:
        raise ValueError(f"z {z.shape} and dvalues {dvalues.shape} must have the same shape")
    h = np.where(z != 0, np.abs(z), 1.0)
    with np.errstate(over="ignore"):  # z - |z| may overflow to -inf for huge negative z: ReLU gives 0 there too
        slope = (np.maximum(z, 0.0) - np.maximum(z - h, 0.0)) / h
    return {"z": z, "mask": slope, "dvalues": dvalues, "drelu": dvalues * slope + 0.0, "exact_zero": z == 0}


class ReluHeatmaps:
    """Four HeatmapPanels for arrays of one 2-D shape; `update(values)` redraws them in place."""

    def __init__(self, shape, figure=None):
        rows, cols = shape
        cell = 0.65
        if figure is None:
            figure = new_figure(4 * (cols * cell + 0.3) + 0.2, rows * cell + 1.2, dpi=80)
        self.figure = figure
        axes = figure.subplots(1, 4, gridspec_kw={"left": 0.02, "right": 0.98,
                                                  "top": 1 - 0.45 / figure.get_figheight(),
                                                  "bottom": 0.45 / figure.get_figheight(),
                                                  "wspace": 0.15})
        self.panels = {
            "z": HeatmapPanel(axes[0], shape, "z (ReLU's input)"),
            "mask": HeatmapPanel(axes[1], shape, "mask: 1 where z > 0", cmap="Greys",
                                 symmetric=False),
            "dvalues": HeatmapPanel(axes[2], shape, "dvalues (upstream)"),
            "drelu": HeatmapPanel(axes[3], shape, "drelu = dvalues × mask"),
        }
        self.note = figure.text(0.01, 0.03, "", fontsize=10, va="bottom")

    def update(self, values):
        self.panels["z"].set(values["z"])
        self.panels["mask"].set(values["mask"], limit=1.6)   # 1 shows as mid grey, 0 white
        scale = max(float(np.abs(values["dvalues"]).max()), 1e-12)
        self.panels["dvalues"].set(values["dvalues"], limit=scale)
        self.panels["drelu"].set(values["drelu"], limit=scale)  # same scale: zeros stand out
        zeros = values["exact_zero"]
        for name in ("z", "mask", "drelu"):
            self.panels[name].mark(zeros)
        count = int(np.count_nonzero(zeros))
        self.note.set_text(f"{ZERO_NOTE} ({count} cell{'s' * (count != 1)})" if count
                           else "no z is exactly 0 here")


def _rows(matrix):
    return "[" + ", ".join(fmt_list(row) for row in np.atleast_2d(matrix)) + "]"


def heatmaps_alt(values):
    """The four heatmaps in words, every number included (values from relu_backward_values)."""
    rows, cols = values["z"].shape
    zeros = int(np.count_nonzero(values["exact_zero"]))
    return (f"Four heatmaps of {rows} by {cols} numbers, row by row. "
            f"z: {_rows(values['z'])}. Mask, 1 where z > 0: {_rows(values['mask'])}. "
            f"dvalues: {_rows(values['dvalues'])}. drelu = dvalues × mask: {_rows(values['drelu'])}. "
            + (f"Dashed boxes mark the {zeros} cell{'s' * (zeros != 1)} where z is exactly 0, "
               "where nothing passes." if zeros else "No z is exactly 0."))


def relu_heatmaps(z, dvalues):
    """A Figure of z, the mask (z > 0), dvalues and the result, as annotated heatmaps.

    z, dvalues: 2-D arrays of one shape (a 1-D array is shown as one row).
    Shown as a PNG when it is the last value of a notebook cell.
    """
    z, dvalues = np.atleast_2d(z), np.atleast_2d(dvalues)
    view = ReluHeatmaps(z.shape)
    values = relu_backward_values(z, dvalues)
    view.update(values)
    return set_alt(view.figure, heatmaps_alt(values))


def random_relu_example(seed, shape=(3, 4)):
    """z: small integers with at least one exact 0; dvalues: integers 1..12. Both float64."""
    rng = np.random.default_rng(seed)
    z = rng.integers(-4, 5, size=shape).astype(np.float64)
    if not (z == 0).any():
        z[rng.integers(shape[0]), rng.integers(shape[1])] = 0.0
    dvalues = rng.integers(1, 13, size=shape).astype(np.float64)
    return z, dvalues


class ReluExplorer(Explorer):
    name = "ReluExplorer"

    def __init__(self, seed, offset):
        sliders = {
            "seed": widgets.IntSlider(value=seed, min=0, max=max(20, seed), description="random seed"),
            "offset": widgets.FloatSlider(value=offset, min=-3, max=3, step=0.5,
                                          description="z offset"),
        }
        self.view = ReluHeatmaps((3, 4))
        names = {"seed": "random seed of z and dvalues", "offset": "z offset, added to every z"}
        super().__init__(sliders, self.view.figure, names, stacked=True)

    def compute(self, settings):
        z, dvalues = random_relu_example(settings["seed"])
        values = relu_backward_values(z + round(settings["offset"], 9), dvalues)
        values["n_passed"] = int(values["mask"].sum())
        values["n_exact_zero"] = int(values["exact_zero"].sum())
        return values

    def draw(self, values):
        self.view.update(values)

    def readout(self, values):
        total = values["z"].size
        return (f"ReLU passes {values['n_passed']} of {total} gradients; "
                f"{values['n_exact_zero']} z are exactly 0 and pass nothing "
                "(the derivative at 0 is 0). Move the offset to shift every z.")

    def alt(self, values):
        return heatmaps_alt(values)

    def summary(self, values):
        return (f"passed={values['n_passed']}, exact_zeros={values['n_exact_zero']}, "
                f"drelu_sum={values['drelu'].sum():g}")


def relu_explorer(seed=0, offset=0.0):
    """A seeded random z (3, 4) with exact zeros and dvalues, plus a slider that shifts z.

    Returns a ReluExplorer with .sliders ("seed", "offset"), .values (z, mask, dvalues, drelu,
    exact_zero as arrays; n_passed, n_exact_zero), .figure, .widget.
    """
    return ReluExplorer(seed, offset)
