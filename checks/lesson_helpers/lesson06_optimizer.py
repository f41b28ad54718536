"""Lesson 6's Optimizer_SGD check (re-exported by `checks.lesson06`): update_params(layer) moves a layer's
weights and biases against their gradients by the stored learning rate, 1.0 unless another is given."""
from __future__ import annotations

from ..engine.diagnose import compare
from ..engine.exercise import exercise
from ..engine.learner import guarded_call
from ..engine.numeric import as_float64, close
from ..engine.objects import get, method, require_class
from .sgd_step import step_diagnoser
from ..engine.verdict import Incorrect, Raised

LESSON = "lesson06"
SGD_HINTS = (
    "__init__ keeps the rate it is given (the book's default is 1.0), under the name the lesson builds it "
    "with: Optimizer_SGD(learning_rate=...). update_params moves one layer's parameters against their "
    "gradients, scaled by that rate.",
    "layer.weights (n_inputs, n_neurons) steps with layer.dweights (same shape); layer.biases (1, n_neurons) "
    "with layer.dbiases. Change the layer's own arrays (`+=`, `-=`, or `layer.weights = ...`), not a local "
    "variable.",
    "Fill in the blanks, and write the same line for the biases: "
    "`layer.weights ____ self.learning_rate * layer.____`",
)


# --- Optimizer_SGD -------------------------------------------------------------------------------------------

class Parameters:
    """The course's stand-in for a layer given to update_params: weights, biases and their gradients."""

    def __init__(self, weights, biases, dweights, dbiases):
        self.weights, self.biases, self.dweights, self.dbiases = weights, biases, dweights, dbiases


def _sgd_step(optimizer, rng, rate, n_in, n_out, what, case):
    layer = Parameters(rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out)),
                       rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out)))
    before = {k: v.copy() for k, v in vars(layer).items()}
    call = guarded_call(method(optimizer, "update_params", what), (layer,), ("layer",), f"{what}.update_params")
    after = call.args_after[0]
    for name in ("dweights", "dbiases"):
        if not close(as_float64(get(after, name, "the layer"), name, what), before[name]):
            raise Incorrect(f"{what}.update_params changed layer.{name} ({case}). The gradients are read, "
                            "not changed: only the parameters move.", part=name, diagnosis="modified_input")
    for part, gradient, other in (("weights", "dweights", "dbiases"), ("biases", "dbiases", "dweights")):
        value = get(after, part, "the layer")
        if close(as_float64(value, part, what), before[part]):
            raise Incorrect(
                f"{what}.update_params left layer.{part} unchanged ({case}).\n"
                f"Try: assign the stepped value back to the layer (`layer.{part} += ...`); a local variable "
                "disappears when the method returns.",
                part=part, diagnosis="weights_not_updated" if part == "weights" else "biases_not_updated")
        compare(part, value, before[part] - rate * before[gradient], what=f"{what}.update_params", case=case,
                diagnosers=(step_diagnoser(before[part], before[gradient], rate, before[other]),))


def _build_optimizer(cls, rate=None):
    """Optimizer_SGD(learning_rate=rate) (or Optimizer_SGD()), built as the lesson builds it: by keyword."""
    shown = "Optimizer_SGD()" if rate is None else f"Optimizer_SGD(learning_rate={rate})"
    build = (lambda: cls()) if rate is None else (lambda: cls(learning_rate=rate))
    try:
        return guarded_call(build, (), (), f"`{shown}`").value
    except Raised as raised:
        if "TypeError" not in raised.message:
            raise
        if rate is None:
            raise Incorrect(f"{raised.message}\n\nOptimizer_SGD() should work without arguments, with the book's "
                            "default rate.\nTry: give __init__'s learning_rate parameter the default 1.0.",
                            part="learning_rate", diagnosis="no_default_learning_rate") from None
        raise Incorrect(
            f"{raised.message}\n\nThe lesson (like the book) builds the optimizer by keyword, {shown}, so "
            "__init__'s parameter must have exactly that name: learning_rate.\n"
            "Try: rename the parameter of __init__ to learning_rate (keeping the default 1.0).",
            part="learning_rate", diagnosis="wrong_parameter_name") from None


@exercise(LESSON, "Optimizer_SGD: update_params(layer) with a learning rate (default 1.0)", graded=True,
          hints=SGD_HINTS)
def Optimizer_SGD(cls, rng):
    require_class(cls, "Optimizer_SGD", (0.5,))
    for rate, n_in, n_out in ((0.5, 4, 3), (0.05, 2, 5)):
        optimizer = _build_optimizer(cls, rate)
        _sgd_step(optimizer, rng, rate, n_in, n_out, f"your Optimizer_SGD(learning_rate={rate})",
                  f"with learning_rate {rate}")
    optimizer = _build_optimizer(cls)
    try:
        _sgd_step(optimizer, rng, 1.0, 4, 3, "your Optimizer_SGD()", "with the default learning rate")
    except Incorrect as wrong:
        if wrong.diagnosis in {"wrong_scale", "learning_rate_ignored"}:
            raise Incorrect(f"{wrong.message}\n(The book's default learning rate is 1.0.)", part="learning_rate",
                            diagnosis="wrong_default_learning_rate") from None
        raise
    return ("update_params moves a layer's weights and biases against their gradients by the stored rate, "
            "1.0 unless you give another.")
