"""Lesson 8's loss for training: the mean cross-entropy of softmax probabilities.

It lives here, not in the lesson, because computing it picks each sample's probability of its own class,
the very indexing lesson 8's exercises ask the learner to work out (the loss by hand, then its gradient).
"""
from __future__ import annotations

import numpy as np


def crossentropy(probs, y_true) -> float:
    """probs: (N, C) softmax outputs, y_true: (N,) integer classes -> the mean of -log p(true class).

    Probabilities are clipped to [1e-7, 1 - 1e-7] first: log(0) is -infinity, and one confidently wrong
    sample would make the whole mean infinite.
    """
    probs = np.asarray(probs, dtype=np.float64)
    own_class = np.take_along_axis(probs, np.asarray(y_true).reshape(-1, 1), axis=1)  # (N, 1)
    return float(np.mean(-np.log(np.clip(own_class, 1e-7, 1 - 1e-7))))
