"""How long one widget update takes: a slider move -> numbers, readout and PNG figure redrawn.

Each slider of each explorer is dragged through 30 positions, back and forth across its range
(as a learner's drag would), and the Python time of each move is measured: from setting the
slider's value to the new PNG being handed to the Image widget. The target is at most 100 ms.

    python scripts/bench_widgets.py          # prints a table, one line per slider
    run()                                    # (label, value) rows for scripts/benchmark.py

measure() gives the detail: dicts {"widget", "slider", "updates", "median_ms", "p95_ms"}, where
slider "all" pools every slider of that widget.
"""
import time

import numpy as np

from backprop_tools import neuron_explorer, relu_explorer, sgd_explorer, shape_explorer

UPDATES = 30
TARGET_MS = 100.0
FACTORIES = {"neuron_explorer": neuron_explorer, "shape_explorer": shape_explorer,
             "relu_explorer": relu_explorer, "sgd_explorer": sgd_explorer}


def drag_positions(slider, count=UPDATES):
    """`count` values sweeping the slider's range forward then back, each unlike the last (a dropdown
    steps through its options, a checkbox toggles: lesson 3's choice of factors)."""
    if not hasattr(slider, "min"):
        options = list(slider.options) if hasattr(slider, "options") else [not slider.value, slider.value]
        values, previous = [], slider.value
        for value in options * (2 * count):
            if value != previous:
                values.append(value)
                previous = value
            if len(values) == count:
                return values
    log = hasattr(slider, "base")                      # FloatLogSlider: min/max are exponents
    low, high = slider.min, slider.max
    sweep = np.concatenate([np.linspace(low, high, count // 2 + 1),
                            np.linspace(high, low, count // 2 + 1)[1:]])
    values, previous = [], slider.value
    for position in np.resize(sweep, count * 20):
        value = float(slider.base ** position) if log else position
        if not log:
            value = round(value / slider.step) * slider.step
            value = int(value) if isinstance(slider.value, int) else float(value)
        if value != previous:
            values.append(value)
            previous = value
        if len(values) == count:
            break
    return values


def time_drag(explorer, name, count=UPDATES):
    """Seconds for each of `count` moves of slider `name`."""
    slider = explorer.sliders[name]
    times = []
    for value in drag_positions(slider, count):
        before = explorer.updates
        start = time.perf_counter()
        slider.value = value
        times.append(time.perf_counter() - start)
        assert explorer.updates == before + 1, "a slider move must redraw exactly once"
    return times


def _row(widget, slider, times):
    ms = np.array(times) * 1000
    return {"widget": widget, "slider": slider, "updates": len(ms),
            "median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95))}


def measure(updates=UPDATES):
    """Time every slider of every explorer; returns dict rows (see the module docstring)."""
    rows = []
    for widget, factory in FACTORIES.items():
        explorer = factory()                 # built and drawn once before timing: a warm start
        pooled = []
        for name in explorer.sliders:
            times = time_drag(explorer, name, updates)
            pooled += times
            rows.append(_row(widget, name, times))
        rows.append(_row(widget, "all", pooled))
    return rows


def run():
    """(label, value) rows for scripts/benchmark.py: each widget's pooled figures, and the worst."""
    pooled = [row for row in measure() if row["slider"] == "all"]
    rows = [(f"{row['widget']} update ({row['updates']} slider moves)",
             f"median {row['median_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms") for row in pooled]
    worst = max(row["p95_ms"] for row in pooled)
    rows.append(("worst widget update, p95", f"{worst:.1f} ms  (target <= {TARGET_MS:g} ms)"))
    return rows


def main():
    rows = measure()
    print(f"Widget update time (Python), {UPDATES} moves per slider; target <= {TARGET_MS:g} ms")
    print(f"{'widget':<16} {'slider':<24} {'updates':>7} {'median ms':>10} {'p95 ms':>8}")
    for row in rows:
        print(f"{row['widget']:<16} {row['slider']:<24} {row['updates']:>7} "
              f"{row['median_ms']:>10.1f} {row['p95_ms']:>8.1f}")
    worst = max(row["p95_ms"] for row in rows if row["slider"] == "all")
    print(f"worst widget p95: {worst:.1f} ms "
          f"({'within' if worst <= TARGET_MS else 'OVER'} the {TARGET_MS:g} ms target)")


if __name__ == "__main__":
    main()
