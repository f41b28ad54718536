"""The course's own forward passes, and gradients of them by central differences.

Checks compare learners' backward passes with these numerical gradients, never with a
closed-form backward pass: reading this file does not give an exercise away.
"""
from __future__ import annotations

import numpy as np

from .numeric import central_difference


def dense_forward(inputs, weights, biases):
    """inputs (N, n_in), weights (n_in, n_out), biases (1, n_out) -> (N, n_out)"""
    return inputs @ weights + biases


def relu_forward(z):
    return np.maximum(0.0, z)


def dense_gradients(dvalues, inputs, weights, biases=None, step: float = 1e-5):
    """Gradients of L = sum(dvalues * dense_forward(...)), numerically, by central differences of `step`.

    dvalues (N, n_out), inputs (N, n_in), weights (n_in, n_out), biases (1, n_out) or None (zeros)
    -> dinputs (N, n_in), dweights (n_in, n_out), dbiases (1, n_out)
    """
    dvalues = np.asarray(dvalues, dtype=np.float64)
    inputs = np.asarray(inputs, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    biases = np.zeros((1, weights.shape[1])) if biases is None else np.asarray(biases, dtype=np.float64)

    def loss(i, w, b):
        return float(np.sum(dvalues * dense_forward(i, w, b)))

    return (
        central_difference(lambda i: loss(i, weights, biases), inputs, step),
        central_difference(lambda w: loss(inputs, w, biases), weights, step),
        central_difference(lambda b: loss(inputs, weights, b), biases, step),
    )


def relu_gradient(dvalues, z):
    """Gradient of L = sum(dvalues * relu(z)) with respect to z, numerically; z must keep away
    from the kink (|z| > 1e-3), where the course's convention (derivative 0 at 0) applies instead."""
    dvalues = np.asarray(dvalues, dtype=np.float64)
    return central_difference(lambda zz: float(np.sum(dvalues * relu_forward(zz))), np.asarray(z, dtype=np.float64))


def away_from_kink(rng, shape, scale=2.0, margin=1e-2):
    """Normal values with |v| > margin, so a ReLU's finite difference never straddles 0."""
    values = rng.normal(0.0, scale, size=shape)
    return np.where(np.abs(values) < margin, np.sign(values + 1e-12) * (margin + np.abs(values)), values)


def exact_dense_gradients(dvalues, inputs, weights, biases=None):
    """dense_gradients, exact to rounding: the loss is linear in every element, so a step of 1 loses nothing
    to truncation and little to rounding (about 1e-15 of the gradient's size), as estimate.exact_slopes
    says. For telling a derived gradient from a finite difference (`estimate`)."""
    return dense_gradients(dvalues, inputs, weights, biases, step=1.0)
