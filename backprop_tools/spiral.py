"""The spiral data set of Neural Networks from Scratch, made with numpy alone (no download, no nnfs).

    from backprop_tools.spiral import spiral_data
    X, y = spiral_data(samples=100, classes=3, seed=0)   # X: (300, 2) floats, y: (300,) ints
"""
from __future__ import annotations

import numpy as np


def spiral_data(samples: int = 100, classes: int = 3, seed: int = 0, noise: float = 0.2):
    """`classes` interleaved spiral arms of `samples` points each.

    Returns X: (samples * classes, 2) float64 points in the unit disc, and y: (samples * classes,)
    int64 labels 0 .. classes-1, grouped by class as in the book. The same seed gives the same data
    on every machine: the generator is local (np.random.default_rng), numpy's global state is untouched.
    """
    rng = np.random.default_rng(seed)
    X = np.zeros((samples * classes, 2))
    y = np.zeros(samples * classes, dtype=np.int64)
    for label in range(classes):
        rows = slice(samples * label, samples * (label + 1))
        radius = np.linspace(0.0, 1.0, samples)
        # Each arm turns through 4 radians, with noise on the angle so the arms overlap a little.
        angle = np.linspace(label * 4.0, (label + 1) * 4.0, samples) + rng.normal(0.0, noise, samples)
        X[rows] = np.c_[radius * np.sin(angle * 2.5), radius * np.cos(angle * 2.5)]
        y[rows] = label
    return X, y
