"""The class report's chart: one horizontal bar per exercise, lessons in course order, each bar the
exercise's submissions (100%), stacked by outcome and, for wrong answers, by kind of mistake; below them,
a bar for the submissions that could not be graded as any lesson's. Drawn with matplotlib's object API and
the Agg canvas (no pyplot: nothing global changes, no window opens).

Made to be read by anyone: every segment kind has its own colour AND its own hatch (the legend shows both),
is named in full in the legend (wrapped, never cut), and is labelled with its share of the bar where it
is wide enough; the y labels give each bar's count of submissions. Every text stands on a flat colour with
a contrast of at least 4.5:1 (WCAG AA): a segment's label is black or white, whichever contrasts more.
"""
from __future__ import annotations

import re
import textwrap

from . import mistakes
from .report import in_course_order, write_atomically

# Colours for the outcomes (as in the checks' results); mistakes get a palette of their own.
COLOURS = {"correct": "#1a7f37", "raised": "#bc4c00", "not_attempted": "#afb8c1", "uncheckable": "#8250df",
           "not_checked": "#6e7781", "not_graded": "#24292f"}
MISTAKE_PALETTE = ["#cf222e", "#fb8f44", "#d4a72c", "#bf3989", "#0969da", "#54aeff", "#a40e26", "#953800",
                   "#7d4e00", "#8c959f"]
HATCHES = {"correct": "", "raised": "xx", "not_attempted": "..", "uncheckable": "oo", "not_checked": "--",
           "not_graded": "++"}
MISTAKE_HATCHES = ["//", "\\\\", "||", "**", "O.", "/o", "\\|", "-\\", "|*", "x."]
LABELS = {"correct": "correct", "raised": "the code raised an error", "not_attempted": "not attempted",
          "uncheckable": "could not check", "not_checked": "not checked",
          "not_graded": "notebook not graded"}
OUTCOMES_AFTER_MISTAKES = ("raised", "not_attempted", "uncheckable", "not_checked", "not_graded")
NO_LESSON = "no lesson recognised"  # the bar of the submissions graded as no lesson's
WRAP = 34  # characters per legend line
SMALLEST_LABELLED = 6.0  # percent: narrower segments carry no label (the report's tables have every count)


def legend_text(text: str) -> str:
    """`text` in full, its markdown code spans in quotes ('dvalues'), wrapped to legend lines."""
    return textwrap.fill(re.sub(r"`([^`]*)`", r"'\1'", text), WRAP)


def segments(tally: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """(key, legend label, colour, hatch) in stacking order: correct, mistakes by overall frequency, the rest."""
    overall = {}
    for counts in tally.values():
        for kind, n in counts["mistakes"].items():
            overall[kind] = overall.get(kind, 0) + n
    kinds = sorted(overall, key=lambda k: (-overall[k], k or "~"))
    found = [("correct", LABELS["correct"], COLOURS["correct"], HATCHES["correct"])]
    for i, kind in enumerate(kinds):
        colour, hatch = MISTAKE_PALETTE[i % len(MISTAKE_PALETTE)], MISTAKE_HATCHES[i % len(MISTAKE_HATCHES)]
        if i >= len(MISTAKE_HATCHES):  # past the patterns: a denser version keeps every pair distinct
            hatch *= 1 + i // len(MISTAKE_HATCHES)
        found.append((f"incorrect:{kind or ''}", legend_text(f"wrong: {mistakes.describe(kind)}"), colour, hatch))
    found += [(o, LABELS[o], COLOURS[o], HATCHES[o]) for o in OUTCOMES_AFTER_MISTAKES]
    return found


def _count(counts: dict, key: str) -> int:
    if key.startswith("incorrect:"):
        return counts["mistakes"].get(key.split(":", 1)[1] or None, 0)
    return counts["outcomes"].get(key, 0)


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two "#rrggbb" colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink(background: str) -> str:
    """Black or white, whichever contrasts more with `background` (never below 4.58:1)."""
    return max(("#000000", "#ffffff"), key=lambda colour: contrast(colour, background))


def figure(tally: dict[str, dict], no_lesson: int = 0):
    """The chart as a matplotlib Figure (None if there is no exercise). `no_lesson`: submissions not
    graded as any lesson (no exercise to count them under), drawn as a bar of their own."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    if not tally:  # no exercise: a chart of nothing but unrecognised files would say nothing the report does not
        return None
    rows = {e: tally[e] for e in in_course_order(tally)}  # as the CSV's columns and the report's rows
    if no_lesson:
        rows[NO_LESSON] = {"outcomes": {"not_graded": no_lesson}, "mistakes": {}}
    stack = [s for s in segments(tally) if any(_count(rows[e], s[0]) for e in rows)]
    legend_lines = sum(label.count("\n") + 1 for _, label, _, _ in stack)
    result = Figure(figsize=(11, max(1.8 + 0.6 * len(rows), 1.2 + 0.2 * legend_lines + 0.12 * len(stack))), dpi=100)
    FigureCanvasAgg(result)
    axes = result.add_subplot()
    totals = {e: sum(_count(rows[e], key) for key, *_ in stack) or 1 for e in rows}
    left = {e: 0.0 for e in rows}
    positions = dict(zip(rows, range(len(rows) - 1, -1, -1)))  # the first exercise on top
    for key, label, colour, hatch in stack:
        shares = {e: 100 * _count(rows[e], key) / totals[e] for e in rows}
        bars = axes.barh([positions[e] for e in rows], list(shares.values()), left=[left[e] for e in rows],
                         color=colour, hatch=hatch, hatchcolor=ink(colour), edgecolor="white", linewidth=1,
                         label=label, height=0.62)
        for bar, share in zip(bars, shares.values()):
            if share >= SMALLEST_LABELLED:
                axes.text(bar.get_x() + share / 2, bar.get_y() + bar.get_height() / 2, f"{share:.0f}%",
                          ha="center", va="center", fontsize=8, color=ink(colour),
                          bbox={"boxstyle": "round,pad=0.15", "facecolor": colour, "edgecolor": "none"})
        for e in rows:
            left[e] += shares[e]
    names = [f"{e}\n{totals[e]} submission{'' if totals[e] == 1 else 's'}" for e in rows]
    axes.set_yticks(list(positions.values()), names, fontsize=9)
    axes.set_xlim(0, 100)
    axes.xaxis.set_major_formatter(PercentFormatter())
    axes.set_xlabel("share of the exercise's submissions")
    axes.set_title("Outcomes and mistakes by exercise")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False, handlelength=2.6,
                handleheight=1.6, labelspacing=0.7)
    result.tight_layout()
    return result


def write(path: str, tally: dict[str, dict], no_lesson: int = 0) -> bool:
    """Draw the chart into `path` (PNG, written atomically). False, writing nothing, if there is no exercise."""
    import io

    drawn = figure(tally, no_lesson)
    if drawn is None:
        return False
    buffer = io.BytesIO()
    drawn.savefig(buffer, format="png", metadata={"Software": None})
    write_atomically(path, buffer.getvalue())
    return True
