"""The book's example values, as the lessons use them (fresh copies on every call)."""
from __future__ import annotations

import numpy as np


def neuron():
    """Lesson 1: x (3,), w (3,), b, upstream dvalue."""
    return np.array([1.0, -2.0, 3.0]), np.array([-3.0, -1.0, 2.0]), 1.0, 1.0


def layer_weights():
    """weights (4 inputs, 3 neurons): the book's rows are neurons, hence the transpose."""
    return np.array([[0.2, 0.8, -0.5, 1], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]]).T


def layer_inputs():
    """inputs (3 samples, 4 inputs)."""
    return np.array([[1, 2, 3, 2.5], [2.0, 5.0, -1.0, 2], [-1.5, 2.7, 3.3, -0.8]])


def layer_biases():
    """biases (1, 3 neurons)."""
    return np.array([[2, 3, 0.5]])


def batch_dvalues():
    """dvalues (3 samples, 3 neurons)."""
    return np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]])


def relu_z():
    """Lesson 4: z (3, 4), integers as in the book, with one entry exactly 0 (the book has -1 there), so that
    the example shows ReLU's derivative at 0 and a mask built with `>=` differs from the right one."""
    return np.array([[1, 2, -3, -4], [2, -7, 0, 3], [-1, 2, 5, -1]])


def relu_dvalues():
    """Lesson 4: dvalues (3, 4), integers as in the book."""
    return np.array([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
