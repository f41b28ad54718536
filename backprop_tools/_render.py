"""Figures drawn off-screen with Agg and handed to Jupyter as PNG.

The helpers never import pyplot: a figure made through pyplot would be shown a second time by the
notebook's inline backend at the end of the cell, and pyplot keeps every figure alive in its
registry. A plain `Figure` with its own Agg canvas avoids both, whatever backend the learner uses.
"""
import io

import numpy as np
from PIL import Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .figure_alt import alt_text, png_html

# One palette for every picture, chosen to stay distinct for common colour-vision deficiencies
# (Okabe-Ito). Meaning is never carried by colour alone: each use also has a label or a symbol.
# Colours used for text are dark enough for WCAG AA on white (at least 4.5:1): Okabe-Ito's own
# vermillion #D55E00 is only 3.87:1, so gradients use a darker shade of it.
VALUE_COLOR = "#0072B2"   # forward values (blue, 5.19:1 on white)
GRAD_COLOR = "#B84F00"    # backward gradients (dark vermillion, 5.05:1 on white)
MATCH_COLOR = "#009E73"   # matched inner dimensions (green; bars only, never text)
OFF_COLOR = "#999999"     # switched-off parts (grey; lines only, never text)


class PngFigure(Figure):
    """A matplotlib Figure that Jupyter shows as a PNG when it is the last value of a cell.

    A bare Figure is otherwise shown only as its text repr unless pyplot's inline backend has
    registered a formatter; this makes the helpers' static pictures display the same either way.
    """

    def _repr_png_(self):
        return figure_png(self)

    def _repr_html_(self):
        # The PNG again, in an <img> with alt text: JupyterLab shows this one (see figure_alt).
        return png_html(figure_png(self), alt_text(self))

    def __repr__(self):
        # matplotlib's own text, under the name a learner knows.
        return super().__repr__().replace(f"<{type(self).__name__} ", "<Figure ", 1)


def new_figure(width, height, dpi=72):
    """A PngFigure of `width` x `height` inches with its own Agg canvas attached."""
    figure = PngFigure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def figure_png(figure):
    """The figure drawn by Agg and encoded as PNG bytes."""
    figure.canvas.draw()
    return canvas_png(figure.canvas)


def canvas_png(canvas):
    """PNG bytes of what an Agg canvas holds now, without drawing it again.

    `savefig` would draw the whole figure a second time; encoding the canvas's own buffer costs
    a few milliseconds. Compression level 1 instead of PIL's default 6: a few percent larger,
    several times faster, which matters because the widgets re-encode on every slider move.
    """
    image = Image.fromarray(np.asarray(canvas.buffer_rgba()), "RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def fmt(number, digits=3):
    """A number as a short string: 6.0 -> '6', -3.25 -> '-3.25', -0.0 -> '0'.

    Rounding first hides float noise from slider steps (0.1 * 3 = 0.30000000000000004).
    """
    value = round(float(number), digits)
    if value == 0:
        value = 0.0  # drop the sign of -0.0, which would read as a different number
    return f"{value:g}"


def fmt_list(numbers, digits=3):
    """A 1-D sequence as '[-3, -1, 2]'."""
    return "[" + ", ".join(fmt(n, digits) for n in np.ravel(numbers)) + "]"
