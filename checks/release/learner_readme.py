"""The README a class reads in its release: how to start, how checks and hints work, how to hand in."""
from __future__ import annotations


def _numbers(numbers) -> str:
    """(1, 2, 3, 5) -> "1, 2, 3 and 5" """
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def learner_readme(plan, titles: dict, github: str = "OWNER/REPO") -> str:
    first = plan.notebooks[plan.lessons[0]]
    badge = (f"[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/{github}/HEAD"
             f"?urlpath=lab/tree/lessons/{first}.ipynb)")
    placeholder = ("\n(Instructor: replace `OWNER/REPO` in the badge above and in the `git clone` line below with "
                   "this repository's GitHub path, or make the release with `--github OWNER/REPO`.)\n"
                   if github == "OWNER/REPO" else "")
    rows = "\n".join(f"| {n} | [{titles[n]}](lessons/{plan.notebooks[n]}.ipynb) |" for n in plan.lessons)
    if not plan.solutions:
        solutions = ("Your instructor has not released the solutions yet: `check.solution(\"dense_backward\")` "
                     "says so, and the last hint level too. When they are released, `git pull` brings them "
                     "into `solutions/`.")
    else:
        missing = [n for n in plan.lessons if n not in plan.solutions]
        solutions = (f"The solutions of lesson{'s' * (len(plan.solutions) > 1)} {_numbers(plan.solutions)} are "
                     "released: the last hint level names `check.solution(\"name\")`, which shows that "
                     "exercise's answer from `solutions/` and notes in your progress table that you looked. "
                     "Read it, close it, and write the code yourself.")
        if missing:
            solutions += (f" For lesson{'s' * (len(missing) > 1)} {_numbers(missing)}, `check.solution` says "
                          "that your instructor has not released them yet.")
    return f"""# Backpropagation from scratch

{badge}
{placeholder}
An interactive Jupyter course that teaches backpropagation in plain numpy, from the chain rule on a
single neuron upwards. Every exercise has a check that runs your code on random inputs, compares it with
numerical derivatives, and tells you not just *that* a gradient is wrong but *why*.

## Start

**In your browser**, with nothing to install: click the Binder badge above. It opens lesson
{plan.lessons[0]} in JupyterLab (the first start can take a few minutes). Binder forgets everything when
you close the tab or leave it idle: download your notebook (File > Download) before you stop.

**On your computer**, with Python 3.11 or newer and git:

```text
git clone https://github.com/{github}.git backprop-class && cd backprop-class
python3 -m venv .venv && . .venv/bin/activate
pip install -r requirements.txt && jupyter lab --LabApp.default_url=/lab/tree/lessons/{first}.ipynb
```

JupyterLab opens lesson {plan.lessons[0]} in your browser (if not, open the `http://127.0.0.1:8888/lab?token=...`
address it prints); stop it with Ctrl+C, twice. Next time, `. .venv/bin/activate && jupyter lab` is
enough. As root (some containers) add `--allow-root`. New lessons arrive in this repository during the
term: `git pull` adds them and leaves the notebooks you already worked in as they are, as long as the new
release does not change them (your instructor will say if it does).

## The lessons

| # | lesson |
| --- | --- |
{rows}

## How checks work

Each exercise cell is followed by a check cell, for example:

```python
from checks import lesson03 as check
check.dense_backward(dense_backward)
```

The check runs your function on several random inputs of small, non-square shapes, on the lesson's own
example and on edge cases, and compares the results with numerical derivatives. It answers with one of
five outcomes, each shown with a mark and words: **✔ Correct** (with a one-line insight), **✘ Not yet
right** (which part is wrong first, the kind of mistake when it recognises it, and what to try),
**… Not attempted yet** (the placeholder is still there), **⚠ Your code raised an error** (your own line
and error; a function that runs longer than 2 s is stopped) and **? Could not check** (a problem of the
checker itself: tell your instructor). A check never changes what you pass it and never tells you the
value it expected. Cells that use your code outside a check say which check to pass first.

## Hints and solutions

A check that is not yet right says that a hint is there: `check.hint("dense_backward")` gives the first;
run it again for the next level. The levels go from the idea, to which arrays and shapes, to a partial
line with blanks. {solutions}

`import checks; checks.progress()` shows every exercise with its latest outcome, attempts and hints. It is
kept in `~/.backprop_from_scratch/progress.json` on your computer (set `BACKPROP_PROGRESS_FILE` to move it,
`BACKPROP_PROGRESS=off` to turn it off); on Binder it is lost with the session, so the table offers the file
for download.

## Handing in

Hand in the lesson's notebook (`lessons/NN_name.ipynb`) as your instructor asks, under any file name: the
grader recognises the lesson. It runs your notebook from top to bottom in a fresh kernel and then checks
your functions and classes itself, with random inputs of its own. So before you hand in, run
Kernel > Restart Kernel and Run All Cells, and see that every check you finished still says ✔.
"""
