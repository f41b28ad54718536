"""Lesson 5: the loss over repeated SGD steps, with learning-rate and step sliders.

Left: the lesson's layer, L = ½·Σ relu_outputs², and the fraction of its ReLUs still on. A large
learning rate does not diverge here: one step switches every ReLU off and L drops to 0 because
the layer died. Right: f(x) = x² with its own learning rate, where too small, good and divergent
steps all show. The curves come from sgd_curves, which a static plot or a test can call directly.
"""
import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator

from ._explorer import Explorer
from ._render import GRAD_COLOR, OFF_COLOR, VALUE_COLOR, fmt, new_figure
from .figure_alt import significant
from .sgd_curves import loss_curve, quadratic_curve, quadratic_regime, sgd_run

SEED_LR = 0.001
# Reference runs on x², drawn faintly so the slider's run has something to compare against.
QUADRATIC_REFERENCES = [(0.02, "too small, lr 0.02", ":"), (0.3, "good, lr 0.3", "--"),
                        (1.05, "divergent, lr 1.05", "-.")]
FLOOR = 1e-9       # x² reaches exactly 0 at lr 0.5; a log axis needs something above 0
X_RANGES = (10, 20, 50, 100)   # the step axis snaps to these, so most moves keep the axes
# Each name holds the slider's visible label, so speech input can use either.
SLIDER_NAMES = {"learning_rate": "layer lr: learning rate of the layer",
                "steps": "steps: number of SGD steps",
                "quadratic_learning_rate": "x² lr: learning rate on x²"}


def step_axis_limit(steps):
    """The right end of the step axis: the first of X_RANGES that holds `steps`."""
    return next((limit for limit in X_RANGES if steps <= limit), steps)


class SgdExplorer(Explorer):
    name = "SgdExplorer"

    def __init__(self, learning_rate, steps, quadratic_learning_rate):
        sliders = {
            "learning_rate": widgets.FloatLogSlider(
                value=learning_rate, base=10, min=-4, max=0, step=0.1,
                description="layer lr", readout_format=".2g"),
            "steps": widgets.IntSlider(value=steps, min=1, max=max(100, steps),
                                       description="steps"),
            "quadratic_learning_rate": widgets.FloatLogSlider(
                value=quadratic_learning_rate, base=10, min=-2, max=0.3, step=0.05,
                description="x² lr", readout_format=".2g"),
        }
        figure = new_figure(9.6, 4.2, dpi=88)
        grid = figure.add_gridspec(2, 2, left=0.07, right=0.98, top=0.92, bottom=0.12,
                                   hspace=0.45, wspace=0.2, height_ratios=(3, 2))
        self.ax_loss = figure.add_subplot(grid[0, 0])
        self.ax_live = figure.add_subplot(grid[1, 0], sharex=self.ax_loss)
        self.ax_quad = figure.add_subplot(grid[:, 1])
        self._build_axes()
        super().__init__(sliders, figure, SLIDER_NAMES, stacked=True)

    def _build_axes(self):
        ax = self.ax_loss
        ax.set_title("the lesson's layer: L = ½·Σ relu_outputs²", fontsize=10)
        ax.set_ylim(-2, 60)
        ax.set_yticks([0, 20, 40, 60])
        ax.tick_params(labelbottom=False)     # the live-ReLU axes below share and label x
        self.seed_line, = ax.plot([], [], ":", color="0.5", label=f"lr {SEED_LR} (the book's)")
        self.loss_line, = ax.plot([], [], "-", color=VALUE_COLOR, linewidth=2, label="your lr")
        ax.legend(fontsize=8, loc="upper right")
        self.death_text = ax.text(0.97, 0.5, "", transform=ax.transAxes, fontsize=9,
                                  fontweight="bold", color=GRAD_COLOR, ha="right")
        ax = self.ax_live
        ax.set_title("fraction of ReLUs on (z > 0)", fontsize=10)
        ax.set_ylim(-0.05, 1.05)
        ax.set_yticks([0, 0.5, 1])
        ax.set_xlabel("SGD steps")
        self.live_line, = ax.plot([], [], "-", color=OFF_COLOR, linewidth=2, drawstyle="steps-post")
        ax = self.ax_quad
        ax.set_title("f(x) = x², x0 = 1 (log scale)", fontsize=10)
        ax.set_yscale("log")
        ax.set_ylim(1e-8, 1e6)
        # Plain tick labels: the default log labels are typeset with mathtext, which is slow
        # to draw on every slider move; minor ticks add nothing here.
        ax.yaxis.set_major_locator(FixedLocator([1e-8, 1e-4, 1, 1e4]))
        ax.yaxis.set_major_formatter(FixedFormatter(["1e-8", "1e-4", "1", "1e4"]))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("gradient steps")
        self.reference_lines = [ax.plot([], [], style, color="0.55", label=label)[0]
                                for _, label, style in QUADRATIC_REFERENCES]
        self.quad_line, = ax.plot([], [], "-", color=GRAD_COLOR, linewidth=2, label="your lr")
        ax.legend(fontsize=8, loc="upper left")
        self.regime_text = ax.text(0.98, 0.04, "", transform=ax.transAxes, fontsize=9,
                                   fontweight="bold", ha="right")

    def compute(self, settings):
        steps = int(settings["steps"])
        lr = float(settings["learning_rate"])
        quad_lr = float(settings["quadratic_learning_rate"])
        run = sgd_run(lr, steps)
        return {
            "learning_rate": lr, "steps": steps, "quadratic_learning_rate": quad_lr,
            "loss": run["loss"], "live_fraction": run["live_fraction"],
            "seed_loss": loss_curve(SEED_LR, steps),
            "quadratic": quadratic_curve(quad_lr, steps),
            "references": [quadratic_curve(r, steps) for r, _, _ in QUADRATIC_REFERENCES],
            "regime": quadratic_regime(quad_lr),
            "layer_died": bool(run["live_fraction"][-1] == 0),
        }

    def draw(self, values):
        steps = np.arange(values["steps"] + 1)
        self.loss_line.set_data(steps, values["loss"])
        self.seed_line.set_data(steps, values["seed_loss"])
        self.live_line.set_data(steps, values["live_fraction"])
        self.ax_loss.set_xlim(0, step_axis_limit(values["steps"]))
        self.death_text.set_text("every ReLU is off: L = 0 because the layer died"
                                 if values["layer_died"] else "")
        for line, curve in zip(self.reference_lines, values["references"]):
            line.set_data(steps, np.maximum(curve, FLOOR / 10))
        self.quad_line.set_data(steps, np.maximum(values["quadratic"], FLOOR / 10))
        self.ax_quad.set_xlim(0, step_axis_limit(values["steps"]))
        self.regime_text.set_text(values["regime"])

    def dynamic_artists(self):
        # Legends last, as in a full draw, so a curve passing under one does not cover it.
        return [self.seed_line, self.loss_line, self.live_line, *self.reference_lines,
                self.quad_line, self.death_text, self.regime_text,
                self.ax_loss.get_legend(), self.ax_quad.get_legend()]

    def static_key(self, values):
        return step_axis_limit(values["steps"])

    def readout(self, v):
        loss, live = v["loss"], v["live_fraction"]
        rows = [
            f"layer, lr {fmt(v['learning_rate'], 5)}: L {fmt(loss[0], 2)} → "
            f"{fmt(loss[-1], 2)} after {v['steps']} steps; ReLUs on "
            f"{round(live[0] * 9)}/9 → {round(live[-1] * 9)}/9",
            f"x², lr {fmt(v['quadratic_learning_rate'], 3)}: each step multiplies x by "
            f"1 − 2·lr = {fmt(1 - 2 * v['quadratic_learning_rate'], 3)}: {v['regime']}",
        ]
        if v["layer_died"]:
            rows.insert(1, "<b>Every ReLU is off: the loss is 0 because the layer died, "
                           "not because it learned</b> (the dead-ReLU problem).")
        return "<div style='line-height: 1.5'>" + "<br>".join(rows) + "</div>"

    def alt(self, v):
        loss, live, quad = v["loss"], v["live_fraction"], v["quadratic"]
        died = " Every ReLU is off: the layer died." if v["layer_died"] else ""
        return (f"Left, top: the lesson's layer's loss L over {v['steps']} SGD steps at learning rate "
                f"{fmt(v['learning_rate'], 5)}, from {fmt(loss[0], 2)} to {fmt(loss[-1], 2)}, "
                f"beside the book's rate {SEED_LR} (dotted, to {fmt(v['seed_loss'][-1], 2)}). "
                f"Left, bottom: ReLUs on, {round(live[0] * 9)} of 9 to {round(live[-1] * 9)} of 9."
                f"{died} Right: f(x) = x² on a log scale at learning rate "
                f"{fmt(v['quadratic_learning_rate'], 3)}, from {fmt(quad[0], 3)} to "
                f"{significant(quad[-1])}: {v['regime']}; grey reference runs at learning rates "
                + ", ".join(f"{r:g}" for r, _, _ in QUADRATIC_REFERENCES) + ".")

    def summary(self, v):
        return (f"lr={fmt(v['learning_rate'], 5)}, steps={v['steps']}, "
                f"final_loss={fmt(v['loss'][-1], 4)}, "
                f"relus_on={fmt(v['live_fraction'][-1], 3)}, "
                f"quadratic_lr={fmt(v['quadratic_learning_rate'], 3)}")


def sgd_explorer(learning_rate=SEED_LR, steps=30, quadratic_learning_rate=0.1):
    """Sliders for the layer's learning rate (log scale), the number of steps, and x²'s rate.

    Returns an SgdExplorer with .sliders, .values (loss, live_fraction, quadratic: arrays of
    length steps + 1; layer_died, regime), .figure, .widget.
    """
    return SgdExplorer(learning_rate, steps, quadratic_learning_rate)
