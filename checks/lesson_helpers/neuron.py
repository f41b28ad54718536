"""The course's forward pass of one neuron, y = ReLU(x·w + b), and its gradients by central differences.

Lesson 1's checks compare learners' chain rules with these numbers; there is no closed-form
backward pass here, so reading this file does not give the exercise away.
"""
from __future__ import annotations

import numpy as np

from ..engine.numeric import central_difference
from ..engine.reference import relu_forward


def neuron_z(x, w, b) -> float:
    """x (n,), w (n,), b a number -> z = x·w + b, a float."""
    return float(np.dot(np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)) + float(b))


def neuron_forward(x, w, b) -> float:
    """x (n,), w (n,), b a number -> y = ReLU(z), a float."""
    return float(relu_forward(neuron_z(x, w, b)))


def neuron_gradients(x, w, b, dvalue):
    """Gradients of L = dvalue * y with respect to x (n,), w (n,) and b (0-d), numerically.

    At z exactly 0 ReLU has no derivative; the course's convention is 0 there, so every gradient is 0.
    Elsewhere z must keep away from the kink (|z| > 1e-3) for the differences to be exact.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if neuron_z(x, w, b) == 0:
        return np.zeros_like(x), np.zeros_like(w), np.zeros(())

    def loss(xx, ww, bb):
        return float(dvalue) * neuron_forward(xx, ww, bb)

    return (
        central_difference(lambda xx: loss(xx, w, b), x),
        central_difference(lambda ww: loss(x, ww, b), w),
        central_difference(lambda bb: loss(x, w, bb), b),
    )
