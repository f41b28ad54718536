"""Figures with a text alternative, so a screen reader says what a picture shows.

JupyterLab shows a PNG output as an <img> without alt text, and ignores an alt passed in display
metadata. An HTML output `<img src="data:image/png;base64,..." alt="...">` is read out, so every
figure is shown as that HTML, with the PNG beside it in the same output for other front ends.

    show_figure(fig, alt="...")   display `fig` with this alt text (pyplot's copy is closed)
    set_alt(fig, "...")           the alt text to use whenever `fig` is displayed
    alt_text(fig)                 the alt set on `fig`, else one built from its own titles,
                                  axis labels, ranges and legend entries (describe_figure)
    register()                    every Figure displayed in IPython gets that HTML: importing
                                  backprop_tools calls it, so `plt.show()` needs no change

The description is deterministic (no ids, numbers to 2 significant digits), so nbval can compare it.
"""
import base64
import html
import sys

import numpy as np
from matplotlib.figure import Figure

_ALT = "_backprop_alt"   # attribute on a Figure holding the alt text set by set_alt


def set_alt(figure, text):
    """Use `text` as `figure`'s alt text from now on; returns the figure."""
    setattr(figure, _ALT, str(text))
    return figure


def alt_text(figure):
    """The alt text set on `figure` (set_alt or show_figure), else describe_figure(figure)."""
    return getattr(figure, _ALT, None) or describe_figure(figure)


def significant(value):
    """2 significant digits, no float noise: 0.0834 -> '0.083', 2000.0 -> '2000', -0.0 -> '0'."""
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    text = f"{value:.2g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        exponent = int(exponent)
        if -4 <= exponent < 6:      # written out: 2e+03 -> 2000
            text = f"{float(text):f}".rstrip("0").rstrip(".")
        else:
            text = f"{mantissa}e{exponent}"
    return "0" if text in ("-0", "0.0", "-0.0") else text


def _quoted(text):
    return f"“{text}”"


def _axis(ax, which, low, high):
    label = (ax.get_xlabel() if which == "x" else ax.get_ylabel()).strip()
    scale = ax.get_xscale() if which == "x" else ax.get_yscale()
    words = f"{which} axis" + (f" {_quoted(label)}" if label else "")
    if np.isfinite(low) and np.isfinite(high) and low <= high:
        words += f" from {significant(low)} to {significant(high)}"
    if scale == "log":
        words += " (log scale)"
    return words


def _marks(ax):
    """What is drawn on `ax`, in words: '2 lines (“a”, “b”)', '300 points', 'an image'."""
    parts = []
    shown = [line for line in ax.get_lines() if line.get_visible()]
    # axvline/axhline span the axes (a transform other than the data's): a reference, not data.
    references = [line for line in shown if line.get_transform() != ax.transData]
    lines = [line for line in shown if line not in references and len(line.get_xdata()) > 1]
    points = [line for line in shown if line not in references and len(line.get_xdata()) == 1]
    if lines:
        labels = [line.get_label() for line in lines if not line.get_label().startswith("_")]
        words = f"{len(lines)} line{'s' * (len(lines) != 1)}"
        if labels:
            words += " (" + ", ".join(_quoted(label) for label in labels) + ")"
        parts.append(words)
    if points:
        parts.append(f"{len(points)} marked point{'s' * (len(points) != 1)}")
    for line in references:
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        if len(x) == 2 and x[0] == x[1]:
            parts.append(f"a reference line at x = {significant(x[0])}")
        elif len(y) == 2 and y[0] == y[1]:
            parts.append(f"a reference line at y = {significant(y[0])}")
    scatters = [c for c in ax.collections if type(c).__name__ == "PathCollection" and c.get_visible()]
    named = [c for c in scatters if not c.get_label().startswith("_")]
    if named:   # one scatter per class: say how many points each has
        parts.append("data points: " + ", ".join(f"{len(c.get_offsets())} {_quoted(c.get_label())}"
                                                  for c in named))
    unnamed = sum(len(c.get_offsets()) for c in scatters if c not in named)
    if unnamed:
        parts.append(f"{unnamed} data points")
    if any(type(c).__name__ in ("QuadContourSet", "ContourSet") for c in ax.collections):
        parts.append("shaded regions")
    if ax.images:
        parts.append("an image" if len(ax.images) == 1 else f"{len(ax.images)} images")
    return parts


def describe_axes(ax):
    """One plot in words: title, what is drawn, both axes with their data ranges, legend."""
    title = " ".join(t for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right")) if t)
    words = [_quoted(title) if title else "(no title)"]
    if not ax.axison:
        texts = [t.get_text() for t in ax.texts if t.get_text().strip()]
        return words[0] + f": a diagram with {len(texts)} labels"
    marks = _marks(ax)
    if marks:
        words.append(", ".join(marks))
    (x0, y0), (x1, y1) = ax.dataLim.get_points()
    if np.all(np.isfinite([x0, y0, x1, y1])):
        words += [_axis(ax, "x", x0, x1), _axis(ax, "y", y0, y1)]
    else:
        words += [_axis(ax, "x", *ax.get_xlim()), _axis(ax, "y", *ax.get_ylim())]
    return words[0] + ": " + "; ".join(words[1:])


def describe_figure(figure):
    """A figure in words, from its own titles, labels, ranges and legends (see describe_axes)."""
    axes = [ax for ax in figure.get_axes() if ax.get_visible()]
    suptitle = figure._suptitle.get_text() if getattr(figure, "_suptitle", None) else ""
    head = f"Figure {_quoted(suptitle)}: " if suptitle else ""
    if not axes:
        return head + "an empty figure."
    if len(axes) == 1:
        return f"{head}Plot {describe_axes(axes[0])}."
    one_row = len({round(ax.get_position().y0, 3) for ax in axes}) == 1
    layout = "side by side" if one_row else "left to right, top to bottom"
    plots = " ".join(f"Plot {k}, {describe_axes(ax)}." for k, ax in enumerate(axes, 1))
    return f"{head}{len(axes)} plots {layout}. {plots}"


def png_html(png, alt, width=None):
    """An <img> of PNG bytes with `alt`; width in CSS pixels (None: the PNG's own size)."""
    encoded = base64.b64encode(png).decode("ascii")
    size = f' width="{int(width)}" style="max-width: 100%; height: auto"' if width else ""
    return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt, quote=True)}"{size}>'


def _figure_png(figure):
    """The PNG the inline backend would show (cropped to its content), or None if empty."""
    from IPython.core.pylabtools import print_figure
    return print_figure(figure, "png", bbox_inches="tight") or None


def figure_html(figure):
    """HTML for a Figure: its PNG with alt_text(figure); None for an empty figure."""
    if not figure.get_axes() and not figure.texts:
        return None
    png = _figure_png(figure)
    return png_html(png, alt_text(figure)) if png else None


def show_figure(figure, alt=None):
    """Display `figure` in a notebook as PNG plus an <img> with alt text; close pyplot's copy.

    alt: what the figure shows, in words (default: alt_text(figure)). Use it instead of
    plt.show() for one figure.
    """
    from IPython.display import display
    if alt is not None:
        set_alt(figure, alt)
    png = _figure_png(figure)
    if png is not None:
        display({"image/png": base64.b64encode(png).decode("ascii"),
                 "text/html": png_html(png, alt_text(figure)),
                 "text/plain": repr(figure)}, raw=True)
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(figure)   # else the inline backend shows it again at the end of the cell


def _html_bundle(figure):
    html_text = figure_html(figure)
    return {"text/html": html_text} if html_text else {}


def register(shell=None):
    """Make IPython display every matplotlib Figure with figure_html too. True if it did.

    The inline backend's plt.show() calls display(fig): the formatter then adds the <img> with
    alt text beside the PNG, and JupyterLab shows the HTML. It is registered with the mime-bundle
    formatter, not the text/html one: the inline backend clears Figure from every per-type
    formatter when it starts, which happens at the first pyplot figure, after this import.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    shell.display_formatter.mimebundle_formatter.for_type(Figure, _html_bundle)
    return True
