"""A matrix drawn as a grid of cells, with its name above and its shape below.

The artists are made once; `place` moves and resizes them, so a widget can redraw a matrix of a
new shape without rebuilding the figure. The axes are expected to have y growing downward
(`ax.set_ylim(bottom, 0)`), like the rows of a matrix.
"""
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ._render import MATCH_COLOR


class MatrixGlyph:
    def __init__(self, ax, name, facecolor="#E8EEF4"):
        self.ax = ax
        self.rows = self.cols = 0
        self.left = self.top = 0.0
        self.rect = ax.add_patch(Rectangle((0, 0), 1, 1, facecolor=facecolor,
                                           edgecolor="black", linewidth=1.2))
        self.grid = ax.add_collection(LineCollection([], colors="0.55", linewidths=0.6))
        self.name_text = ax.text(0, 0, name, ha="center", va="bottom", fontsize=10,
                                 fontweight="bold")
        self.shape_text = ax.text(0, 0, "", ha="center", va="top", fontsize=10)
        # Thick bars along a side mark the dimension that a product matches (or a sum removes).
        self.row_bar = ax.add_line(Line2D([], [], color=MATCH_COLOR, linewidth=5,
                                          solid_capstyle="butt"))
        self.col_bar = ax.add_line(Line2D([], [], color=MATCH_COLOR, linewidth=5,
                                          solid_capstyle="butt"))

    def place(self, left, top, rows, cols, mark_rows=False, mark_cols=False):
        """Draw a (rows, cols) matrix whose top-left corner is at (left, top), one unit per cell.

        mark_rows: a bar along the left side (the row dimension is the matched one);
        mark_cols: a bar along the top side (the column dimension is).
        """
        self.left, self.top, self.rows, self.cols = left, top, rows, cols
        right, bottom = left + cols, top + rows
        self.rect.set_bounds(left, top, cols, rows)
        lines = [[(left + j, top), (left + j, bottom)] for j in range(1, cols)]
        lines += [[(left, top + i), (right, top + i)] for i in range(1, rows)]
        self.grid.set_segments(lines)
        self.name_text.set_position((left + cols / 2, top - 0.35))
        self.shape_text.set_position((left + cols / 2, bottom + 0.25))
        self.shape_text.set_text(f"({rows}, {cols})")
        self.row_bar.set_data([left - 0.3, left - 0.3], [top, bottom])
        self.row_bar.set_visible(mark_rows)
        self.col_bar.set_data([left, right], [top - 0.25, top - 0.25])
        self.col_bar.set_visible(mark_cols)
        if mark_cols:  # the bar sits where the name was: lift the name above it
            self.name_text.set_position((left + cols / 2, top - 0.6))

    def set_visible(self, visible):
        """Show or hide the matrix (its bars follow `place`'s marks when shown, and hide with it)."""
        for artist in (self.rect, self.grid, self.name_text, self.shape_text):
            artist.set_visible(visible)
        if not visible:
            self.row_bar.set_visible(False)
            self.col_bar.set_visible(False)

    @property
    def shape(self):
        """The (rows, cols) drawn, read back from the rectangle itself."""
        return (round(self.rect.get_height()), round(self.rect.get_width()))
