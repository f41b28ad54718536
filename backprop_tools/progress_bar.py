"""A progress bar for loops that take more than a second (lesson 8's training).

    for epoch in progress_bar(range(epochs), description="training"):
        ...

In a notebook it is an ipywidgets IntProgress with a label beside it; elsewhere it writes a text
bar to stderr (in place on a terminal; one final line when the output is a file or a pipe).
It redraws at most `1 / min_interval` times a second (20 by default), so a tight loop pays for a
clock read per item and little else.

What a notebook stores: one display output whose text/plain is fixed when the bar appears,
"<description>: progress bar, <total> steps" (nothing that depends on speed, time or ids), and a
widget view that nbval does not compare. Counts and elapsed time live only in the widget's state.
So a cell that shows a progress bar needs no `# NBVAL_IGNORE_OUTPUT` for the bar's sake.
"""
import sys
import time

import ipywidgets as widgets


def in_notebook():
    """True inside a Jupyter kernel (where widgets can be shown), False in a terminal or script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class ProgressBar:
    """Iterate over it as over `iterable`; see the module docstring. Attributes tests can read:
    n (items done), total, refreshes (redraws so far), widget (None in text mode), text (the
    last text line drawn)."""

    def __init__(self, iterable, total=None, description="", min_interval=0.05, mode=None,
                 file=None):
        self.iterable = iterable
        if total is None and hasattr(iterable, "__len__"):
            total = len(iterable)
        self.total = total
        self.description = description
        self.min_interval = min_interval
        self.mode = mode or ("widget" if in_notebook() else "text")
        self.file = file if file is not None else sys.stderr
        self.postfix = ""
        self.n = 0
        self.refreshes = 0
        self.text = ""
        self.closed = False
        self._start = time.perf_counter()
        self._last = float("-inf")
        self.widget = None
        if self.mode == "widget":
            self._bar = widgets.IntProgress(value=0, min=0, max=max(total or 1, 1),
                                            description=description)
            self._label = widgets.Label()
            self.widget = widgets.HBox([self._bar, self._label])
            from IPython.display import display
            display(self)
        self._refresh()

    def __len__(self):
        return self.total

    def __iter__(self):
        clock = time.perf_counter
        try:
            for item in self.iterable:
                yield item
                self.n += 1
                if clock() - self._last >= self.min_interval:
                    self._refresh()
        finally:
            self.close()

    def set_postfix(self, text):
        """Extra words after the count, e.g. "loss 0.412"; shown at the next redraw."""
        self.postfix = str(text)

    def close(self):
        """Draw the final state once (called when the loop ends, even by an exception)."""
        if self.closed:
            return
        self.closed = True
        self._refresh(final=True)

    def _count(self, final):
        count = f"{self.n}/{self.total}" if self.total is not None else f"{self.n}"
        if final and self.total is not None and self.n < self.total:
            count += " (stopped early)"
        return count

    def _line(self, final):
        parts = [self._count(final), f"{time.perf_counter() - self._start:.1f} s"]
        if self.postfix:
            parts.append(self.postfix)
        return " · ".join(parts)

    def _refresh(self, final=False):
        self._last = time.perf_counter()
        self.refreshes += 1
        line = self._line(final)
        if self.mode == "widget":
            self._bar.value = min(self.n, self._bar.max)
            if final:
                self._bar.bar_style = "success" if self.n == self.total else "warning"
            self._label.value = line
            self.text = line
        else:
            self._write_text(line, final)

    def _write_text(self, line, final):
        prefix = f"{self.description}: " if self.description else ""
        if self.total:
            filled = round(20 * min(self.n / self.total, 1))
            bar = "[" + "#" * filled + "." * (20 - filled) + "] "
        else:
            bar = ""
        self.text = prefix + bar + line
        if _is_terminal(self.file):
            self.file.write("\r" + self.text + ("\n" if final else ""))
            self.file.flush()
        elif final:
            # A log file or pipe gets one line, without the time, so it reads the same each run.
            self.file.write(prefix + bar + self._count(final) + " done\n")

    def __repr__(self):
        total = self.total if self.total is not None else "?"
        name = self.description or "progress"
        return f"{name}: progress bar, {total} steps"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        if self.widget is None:
            return {"text/plain": repr(self)}
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = repr(self)    # fixed when shown: no counts, times or ids
        return bundle


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def progress_bar(iterable, total=None, description=""):
    """Wrap `iterable` so that looping over it shows a progress bar (see ProgressBar).

    total: the number of items, if `iterable` has no len(); description: a short label.
    """
    return ProgressBar(iterable, total=total, description=description)
