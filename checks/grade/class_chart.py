"""The class report's chart: one horizontal bar per exercise, its length the number of submissions,
stacked by outcome and, for wrong answers, by kind of mistake. Drawn with matplotlib's object API and
the Agg canvas (no pyplot: nothing global changes, no window opens)."""
from __future__ import annotations

import os
import tempfile

from . import mistakes

# Colours for the outcomes (as in the checks' results); mistakes get a palette of their own. Each segment
# is also named in the legend, so the chart does not rely on colour alone.
COLOURS = {"correct": "#1a7f37", "raised": "#bc4c00", "not_attempted": "#afb8c1", "uncheckable": "#8250df",
           "not_checked": "#6e7781", "not_graded": "#24292f"}
MISTAKE_PALETTE = ["#cf222e", "#fb8f44", "#d4a72c", "#bf3989", "#0969da", "#54aeff", "#a40e26", "#953800",
                   "#7d4e00", "#8c959f"]
LABELS = {"correct": "correct", "raised": "the code raised an error", "not_attempted": "not attempted",
          "uncheckable": "could not check", "not_checked": "not checked",
          "not_graded": "notebook not graded"}


def segments(tally: dict[str, dict]) -> list[tuple[str, str, str]]:
    """(key, legend label, colour) in stacking order: correct, mistakes by overall frequency, the rest."""
    overall = {}
    for counts in tally.values():
        for kind, n in counts["mistakes"].items():
            overall[kind] = overall.get(kind, 0) + n
    kinds = sorted(overall, key=lambda k: (-overall[k], k or "~"))
    found = [("correct", LABELS["correct"], COLOURS["correct"])]
    for i, kind in enumerate(kinds):
        label = f"wrong: {mistakes.describe(kind)}"
        found.append((f"incorrect:{kind or ''}", label if len(label) <= 60 else label[:57] + "...",
                      MISTAKE_PALETTE[i % len(MISTAKE_PALETTE)]))
    found += [(o, LABELS[o], COLOURS[o]) for o in ("raised", "not_attempted", "uncheckable", "not_checked", "not_graded")]
    return found


def _count(counts: dict, key: str) -> int:
    if key.startswith("incorrect:"):
        return counts["mistakes"].get(key.split(":", 1)[1] or None, 0)
    return counts["outcomes"].get(key, 0)


def write(path: str, tally: dict[str, dict]) -> bool:
    """Draw the chart into `path` (PNG, written atomically). False, writing nothing, if there is no exercise."""
    if not tally:
        return False
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    exercises = list(tally)
    stack = [s for s in segments(tally) if any(_count(tally[e], s[0]) for e in exercises)]
    figure = Figure(figsize=(10, 1.6 + 0.55 * len(exercises)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    left = [0] * len(exercises)
    positions = list(range(len(exercises)))[::-1]  # the first exercise on top
    for key, label, colour in stack:
        widths = [_count(tally[e], key) for e in exercises]
        bars = axes.barh(positions, widths, left=left, color=colour, edgecolor="white", label=label, height=0.6)
        for bar, width in zip(bars, widths):
            if width:
                axes.text(bar.get_x() + width / 2, bar.get_y() + bar.get_height() / 2, str(width), ha="center",
                          va="center", fontsize=8, color="white" if colour not in ("#afb8c1", "#d4a72c", "#54aeff") else "black")
        left = [a + b for a, b in zip(left, widths)]
    axes.set_yticks(positions, exercises)
    axes.set_xlabel("submissions")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(0, max(max(left), 1))
    axes.set_title("Outcomes and mistakes by exercise")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    figure.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".chart-", suffix=".png", dir=folder)
    os.close(fd)
    try:
        figure.savefig(temporary, format="png", metadata={"Software": None})
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return True
