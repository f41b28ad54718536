"""Lesson 9: a `_backward` that estimates its local derivative numerically (the data nudged and the operation
run again) is named, with any step; `_backward`s written with the rules pass, however they are written
(checks/lesson_helpers/autograd/estimate.py)."""
import math

import numpy as np
import pytest

from checks import lesson09 as check
from tests.checks_util import assert_diagnosed, assert_passes
from tests.test_lesson09 import Micrograd, Value

CHECKS = {"add": check.add, "mul": check.mul, "relu": check.relu, "pow": check.pow}


@pytest.fixture(autouse=True)
def own_progress_file(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.delenv("BACKPROP_STRICT", raising=False)


def slope(f, x, h, central):
    """Lesson 7's finite difference of a function of one number."""
    return (f(x + h) - f(x - h)) / (2 * h) if central else (f(x + h) - f(x)) / h


def estimating(h, central):
    """The lesson's Value, each `_backward` a finite difference of its own operation's forward pass."""

    class EstimatingValue(Value):
        def add(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = type(self)(self.data + other.data, (self, other), "+")

            def _backward():
                self.grad += slope(lambda v: v + other.data, self.data, h, central) * out.grad
                other.grad += slope(lambda v: self.data + v, other.data, h, central) * out.grad

            out._backward = _backward
            return out

        def mul(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = type(self)(self.data * other.data, (self, other), "*")

            def _backward():
                self.grad += slope(lambda v: v * other.data, self.data, h, central) * out.grad
                other.grad += slope(lambda v: self.data * v, other.data, h, central) * out.grad

            out._backward = _backward
            return out

        def relu(self):
            out = type(self)(max(0.0, self.data), (self,), "ReLU")

            def _backward():
                local = slope(lambda v: max(0.0, v), self.data, h, central) if self.data != 0 else 0.0
                self.grad += local * out.grad

            out._backward = _backward
            return out

        def pow(self, k):
            out = type(self)(self.data ** k, (self,), f"**{k:g}")

            def _backward():
                self.grad += slope(lambda v: v ** k, self.data, h, central) * out.grad

            out._backward = _backward
            return out

    return EstimatingValue


def _estimates():
    """Every operation and step whose estimate passes the value cases (a step so large that its truncation,
    or a straddled kink, shows in them is told its values are wrong instead), but add's step of 1 (the known
    limit below)."""
    steps = {"add": (1e-8, 1e-5, 1e-3, 0.1, 0.3), "mul": (1e-8, 1e-5, 1e-3, 0.1, 0.3, 1.0),
             "relu": (1e-8, 1e-5, 1e-3, 0.1, 0.3), "pow": (1e-8, 1e-5, 1e-4)}
    for op, hs in steps.items():
        for h in hs:
            for central in (True, False):
                yield pytest.param(op, h, central, id=f"{op}-{h:g}-{'central' if central else 'forward'}")


@pytest.mark.parametrize("op, h, central", list(_estimates()))
def test_a_numerical_estimate_in_backward_is_named(op, h, central):
    result = assert_diagnosed(CHECKS[op], estimating(h, central), "numerical_estimate", part=op)
    message = result.message
    assert "numerical estimate, not the chain rule" in message and "rounding of a finite difference" in message
    assert "out.grad" in message and "no nudges" in message
    from checks.lesson_helpers.autograd.estimate import OUT_GRAD, _exact_grads, _numbers

    for wanted in _exact_grads(op, *_numbers(op)):  # no right grad is shown, but out.grad itself (add, relu)
        if wanted != OUT_GRAD[op]:
            assert f"{wanted:g}" not in message and f"{wanted:.10g}" not in message, message


# ---- `_backward`s written with the rules, every way: they pass ---------------------------------------------

class RulesWrittenOtherwise(Value):
    """Derived, but not as the lesson writes it: from out.data, with math.pow, assigned through a sum."""

    def add(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = self.grad + 1.0 * out.grad
            other.grad = other.grad + out.grad * 1

        out._backward = _backward
        return out

    def mul(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += out.grad * other.data
            other.grad += out.grad * self.data

        out._backward = _backward
        return out

    def relu(self):
        out = type(self)(max(0.0, self.data), (self,), "ReLU")

        def _backward():
            self.grad += out.grad if out.data > 0 else 0.0

        out._backward = _backward
        return out

    def pow(self, k):
        out = type(self)(self.data ** k, (self,), f"**{k:g}")

        def _backward():
            if self.data != 0:
                self.grad += k * out.data / self.data * out.grad  # rounds a little: x**k / x
            else:
                self.grad += k * math.pow(self.data, k - 1) * out.grad

        out._backward = _backward
        return out


class Float32Value(Value):
    """Data and grads held as np.float32: float32's rounding is its own, not a finite difference's."""

    def __init__(self, data, parents=(), op=""):
        super().__init__(data, parents, op)
        self.data = np.float32(data)
        self.grad = np.float32(0.0)


class RoundedGrads(Value):
    """The lesson's rules, each grad rounded to 6 decimals after: its rounding is its own."""

    def mul(self, other):
        out = super().mul(other)
        rule = out._backward

        def _backward():
            rule()
            self.grad, out.parents[1].grad = round(self.grad, 6), round(out.parents[1].grad, 6)

        out._backward = _backward
        return out


def test_analytic_backwards_every_way_are_not_taken_for_estimates():
    for engine in (Value, Micrograd, RulesWrittenOtherwise, Float32Value, RoundedGrads):
        for op, exercise in CHECKS.items():
            assert_passes(exercise, engine)


# ---- the known limit, as documented in the README ----------------------------------------------------------

def test_known_limit_an_estimate_of_add_with_a_step_of_one_passes():
    """(a + 1 + b) - (a - 1 + b) is exactly 2 for the probe's numbers: a step that is a power of two on a
    linear operation leaves no rounding, so this estimate passes (README, "numerical estimate")."""
    for central in (True, False):
        assert_passes(check.add, estimating(1.0, central))
