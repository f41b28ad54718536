"""The run summary beside the CSV (`grades.csv` -> `grades_summary.txt`): when, how many of each status,
the limits, how scores were counted (and the mean percent), and whether the kernels were walled off. Without the sandbox it starts with a warning."""
from __future__ import annotations

import collections
import datetime
from pathlib import Path

from .report import write_atomically
from .sandbox import NO_SANDBOX_WARNING


def path_for(out: str) -> str:
    out_path = Path(out)
    return str(out_path.with_name(out_path.stem + "_summary.txt"))


def render(grades, limits, wall: str | None) -> str:
    """wall: bubblewrap's version when the kernels ran in the sandbox, None when they did not."""
    lines = [NO_SANDBOX_WARNING, ""] if wall is None else []
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    statuses = collections.Counter(g.status for g in grades)
    lines += [
        f"Grading run: {when}",
        f"Notebooks: {len(grades)}; " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items())),
        f"Limits per kernel: {limits.cell_seconds:g} s of CPU time a cell, {limits.notebook_seconds:g} s a notebook "
        f"(wall-clock backstops: {limits.cell_wall_seconds:g} s and {limits.notebook_wall_seconds:g} s), "
        f"{limits.call_seconds:g} s of CPU time a call while checking, {limits.memory_mb} MB of memory, "
        f"files up to {limits.file_mb} MB" + (f", {limits.disk_mb} MB written in all, {limits.processes} processes"
                                               if wall else ""),
        _scoring(grades),
    ]
    again = [g.notebook for g in grades if g.runs > 1]
    if again:
        lines.append(f"Run twice (the kernel or worker of the first run died; `runs` is 2 in the CSV): {len(again)}: "
                     + ", ".join(again))
    if wall:
        lines.append(f"Sandbox: on ({wall}): each kernel could write only into its own copy's folder, saw no "
                     "home, no other submission and no output folder, and had no network.")
    else:
        lines.append("Sandbox: OFF (--no-sandbox)")
    return "\n".join(lines) + "\n"


def _scoring(grades) -> str:
    """How the scores were counted, and the class's mean percent of the notebooks whose lesson is known."""
    whole = any(getattr(g, "whole_exercises", False) for g in grades)
    how = ("whole exercises (--whole-exercises): 1 point each, only when all of it is right" if whole else
           "a point per part where a check judges parts (the README's points table), else 1 per exercise")
    known = [g.percent for g in grades if g.max_score]
    mean = f"; mean {sum(known) / len(known):.1f}% over {len(known)} notebook(s) of a known lesson" if known else ""
    return f"Scoring: {how}{mean}"


def write(path: str, grades, limits, wall: str | None) -> None:
    write_atomically(path, render(grades, limits, wall))
