"""A progress bar for loops that take more than a second (lesson 8's training), drawn by tqdm.

    for epoch in progress_bar(range(epochs), description="training"):
        ...

In a notebook it is tqdm's widget bar (`tqdm.notebook`: an ipywidgets progress bar with the count,
elapsed time and rate beside it); elsewhere tqdm's text bar on stderr. `tqdm.auto` picks the
flavour. Redraws are at most every 0.05 s, so a tight loop pays little more than a clock read.

What a notebook stores: one display output whose text/plain is tqdm's meter as the bar appears,
"training:   0%|          | 0/2000 [00:00<?, ?it/s]", and a widget view that nbval does not
compare. nbval_sanitize.cfg turns that meter into "training: PROGRESS-BAR 2000 steps", so a cell
that shows a progress bar needs no `# NBVAL_IGNORE_OUTPUT` for the bar's sake.
"""
from tqdm.auto import tqdm

MIN_INTERVAL = 0.05  # seconds between redraws: 20 a second at most


def progress_bar(iterable, total=None, description=""):
    """Wrap `iterable` so that looping over it shows a progress bar (a tqdm instance).

    total: the number of items, if `iterable` has no len(); description: a short label.
    The bar closes when the loop ends, also by `break` or an exception (a loop stopped early
    leaves the widget red, a finished one green).
    """
    return tqdm(iterable, total=total, desc=description, mininterval=MIN_INTERVAL)
