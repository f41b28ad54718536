"""One annotated heatmap: a matrix as coloured cells with its numbers written in them.

Built once for a shape; `set(matrix)` changes colours and numbers in place. Cells can be marked
with a dashed box (`mark(mask)`), so a property such as "exactly zero" is shown by a shape,
not by colour alone.
"""
import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection

from ._render import fmt


def relative_luminance(rgb):
    """WCAG 2 relative luminance of sRGB colours: rgb (..., 3) in 0..1 -> (...)."""
    rgb = np.asarray(rgb, dtype=np.float64)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(luminance_a, luminance_b):
    """WCAG contrast ratio of two relative luminances (1 to 21)."""
    high, low = np.maximum(luminance_a, luminance_b), np.minimum(luminance_a, luminance_b)
    return (high + 0.05) / (low + 0.05)


def text_on_black(rgb):
    """True where black text contrasts more than white with the background colour `rgb`.

    Taking the better of the two always gives at least 4.58:1, so every number meets WCAG AA
    (4.5:1); a fixed luminance threshold of 0.5 left some white numbers at 4.33:1.
    """
    luminance = relative_luminance(rgb)
    return contrast_ratio(luminance, 0.0) >= contrast_ratio(luminance, 1.0)


class HeatmapPanel:
    def __init__(self, ax, shape, title, cmap="PuOr_r", symmetric=True):
        self.ax = ax
        self.shape = tuple(shape)
        self.symmetric = symmetric
        self.cmap = colormaps[cmap]
        rows, cols = self.shape
        self.image = ax.imshow(np.zeros(self.shape), cmap=self.cmap, vmin=-1, vmax=1,
                               interpolation="nearest", aspect="equal")
        self.texts = np.array([[ax.text(j, i, "", ha="center", va="center", fontsize=10)
                                for j in range(cols)] for i in range(rows)])
        self.marks = ax.add_collection(LineCollection([], colors="black", linewidths=2,
                                                      linestyles="--"))
        ax.set_title(title, fontsize=11)
        ax.set_xticks([])
        ax.set_yticks([])

    def set(self, matrix, limit=None):
        """Show `matrix` (of this panel's shape). limit: the colour scale's half-range."""
        matrix = np.asarray(matrix, dtype=np.float64)
        if limit is None:
            limit = max(float(np.abs(matrix).max()), 1e-12)
        low = -limit if self.symmetric else 0.0
        self.image.set_data(matrix)
        self.image.set_clim(low, limit)
        rgba = self.cmap(np.clip((matrix - low) / (limit - low), 0, 1))
        black = text_on_black(rgba[..., :3])
        for (i, j), text in np.ndenumerate(self.texts):
            text.set_text(fmt(matrix[i, j]))
            text.set_color("black" if black[i, j] else "white")

    def mark(self, cells):
        """Draw a dashed box around each cell where the boolean array `cells` is True."""
        boxes = []
        for i, j in zip(*np.nonzero(cells)):
            x0, x1, y0, y1 = j - 0.45, j + 0.45, i - 0.45, i + 0.45
            boxes.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
        self.marks.set_segments(boxes)
