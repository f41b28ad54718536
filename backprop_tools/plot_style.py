"""The course's default line colours and styles: apart for colour-blind readers, not by colour alone.

Importing backprop_tools calls use_course_style(), so every plot a lesson draws after it cycles
through Okabe-Ito colours (dark enough for 3:1 against white, as WCAG asks of lines) together
with a different line style per line: two lines differ in dash pattern as well as in hue.
"""
import matplotlib as mpl
from matplotlib import cycler   # matplotlib's own copy: no extra dependency

# Okabe-Ito blue, vermillion, bluish green, reddish purple, black and orange, the vermillion and
# orange darkened to reach 3:1 against white (the originals are 3.9:1 and 2.0:1 only).
LINE_COLORS = ["#0072B2", "#B84F00", "#009E73", "#CC79A7", "#000000", "#A67C00"]
LINE_STYLES = ["-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]


def use_course_style():
    """Set matplotlib's default colour and line-style cycle to the course's (LINE_COLORS/STYLES)."""
    mpl.rcParams["axes.prop_cycle"] = cycler(color=LINE_COLORS, linestyle=LINE_STYLES)
