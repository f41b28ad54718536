"""The decision boundary of a classifier over 2-D data, drawn with matplotlib (lesson 8).

    from backprop_tools.decision_boundary import plot_classes, plot_decision_boundary
    plot_decision_boundary(predict, X, y)   # predict: (M, 2) points -> (M,) class numbers
    plot_classes(X, y)                      # the data alone: a marker and a colour per class
"""
from __future__ import annotations

import numpy as np

from .plot_style import LINE_COLORS

# Each class has its own marker as well as its own colour, so the classes stay apart for
# colour-blind readers and in greyscale; a legend names them.
MARKERS = ["o", "s", "^", "D", "v", "P"]


def class_colours(classes):
    return [LINE_COLORS[k % len(LINE_COLORS)] for k in range(classes)]


def plot_classes(X, y, ax=None, title: str | None = None):
    """Scatter 2-D points with a marker, a colour and a legend entry ("class k") per class.

    X: (N, 2) points; y: (N,) integer classes; ax: an Axes (a new figure if None).
    Returns the Axes. Nothing is shown: call plt.show() in the notebook.
    """
    import matplotlib.pyplot as plt

    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    classes = int(max(y.max(), 0)) + 1
    for k, colour in enumerate(class_colours(classes)):
        points = X[y == k]
        ax.scatter(points[:, 0], points[:, 1], color=colour, marker=MARKERS[k % len(MARKERS)], s=14,
                   edgecolors="white", linewidths=0.3, label=f"class {k}")
    ax.legend(fontsize="small", loc="lower right", framealpha=0.9)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def plot_decision_boundary(predict, X, y, ax=None, resolution: int = 200, title: str | None = None):
    """Colour the plane by the class `predict` gives each point, and draw the data on top.

    predict:    callable, points (M, 2) -> class numbers (M,); called once, on the whole grid
    X:          (N, 2) data points; y: (N,) their integer classes
    ax:         a matplotlib Axes to draw into (a new figure if None)
    resolution: grid points along each axis (resolution**2 predictions)
    Returns the Axes. Nothing is shown: call plt.show() in the notebook.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    classes = int(max(y.max(), 0)) + 1
    colours = class_colours(classes)
    margin = 0.1 * (X.max(axis=0) - X.min(axis=0))
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    labels = np.asarray(predict(np.c_[grid_x.ravel(), grid_y.ravel()])).reshape(grid_x.shape)
    # Pale regions for the predictions, strong dots for the data: the eye reads the dots as truth.
    ax.contourf(grid_x, grid_y, labels, levels=np.arange(classes + 1) - 0.5, cmap=ListedColormap(colours),
                alpha=0.25)
    plot_classes(X, y, ax=ax, title=title)
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")
    return ax
