"""The progress table behind `checks.progress()`: every exercise of the course with what the
progress file (`_progress`) recorded for it, as text in a console and an HTML table in Jupyter."""

import base64
import contextlib
import html
import json
import os
from pathlib import Path

from .store import (DEFAULT_PATH, SOLUTION_VIEWED, enabled, fresh, new_entry, progress_path,
                        read_and_take_notices, take_errors)

# Marks as well as words, so the table never relies on colour alone.
LABELS = {
    "correct": "✔ correct",
    "incorrect": "✘ incorrect",
    "not_attempted": "○ not attempted",
    "raised": "⚠ your code raised",
    "uncheckable": "? uncheckable",
    "not_checked": "? not checked",
    None: "· not started",
}


def on_binder():
    """True inside a Binder session: BinderHub sets these in every container it launches."""
    keys = ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REQUEST", "BINDER_REF_URL")
    return any(os.environ.get(key) for key in keys)


def show():
    """The table behind ``checks.progress()``: every exercise, its latest outcome, attempts, hints."""
    notices = [f"Note: {message}; your checks still work." for message in take_errors()]
    stored_notices = []
    if not enabled():
        data = fresh()
        notices.append("Progress recording is off here (BACKPROP_PROGRESS=off).")
    else:
        try:
            data, stored_notices = read_and_take_notices()
        except Exception as error:  # noqa: BLE001 -- never crash a learner's cell
            data = fresh()
            notices.append(f"The progress file could not be read ({type(error).__name__}: {error}).")
    return ProgressReport(_rows(data["exercises"]), stored_notices + notices, _display_path(), on_binder(), data)


def _rows(recorded):
    """One row per course exercise (catalogue order), then any recorded exercise it lacks."""
    rows = []
    for exercise in _course_exercises():
        entry = recorded.get(exercise.id) or new_entry()
        rows.append((exercise.lesson, exercise.title, exercise.id, entry))
    known = {row[2] for row in rows}
    for exercise_id in sorted(set(recorded) - known):
        rows.append((exercise_id.split(".")[0], exercise_id.split(".")[-1], exercise_id, recorded[exercise_id]))
    return rows


def _course_exercises():
    """Every exercise of the course, from the catalogue; empty if it cannot be loaded."""
    try:
        from ..engine import catalog  # here, not above: the catalogue imports every lesson, which only the table needs

        return list(catalog.all_exercises())
    except Exception:  # noqa: BLE001 -- the table then lists what was recorded
        return []


def _display_path():
    """The file's path as the learner would type it, without machine-specific folders where possible:
    with the home written as ~, or relative to the notebook's folder when it is in or beside it."""
    path = progress_path().absolute()
    with contextlib.suppress(ValueError, RuntimeError):
        return "~/" + path.relative_to(Path.home()).as_posix()
    with contextlib.suppress(ValueError, OSError):
        relative = os.path.relpath(path)
        if not relative.startswith(os.pardir + os.sep + os.pardir):
            return relative
    return str(path)


class ProgressReport:
    """What ``checks.progress()`` returns: plain text in a console, an HTML table in Jupyter.

    ``rows``: list of ``(lesson, title, exercise_id, entry)``; ``notices``: messages shown once.
    """

    def __init__(self, rows, notices, path, binder, data):
        self.rows = rows
        self.notices = notices
        self.path = path
        self.binder = binder
        self._data = data

    @property
    def solved(self):
        return sum(1 for row in self.rows if row[3]["outcome"] == "correct")

    def _summary(self):
        return f"{self.solved} of {len(self.rows)} exercises correct. Progress file: {self.path}"

    def _download_json(self):
        stored = {key: self._data[key] for key in ("version", "exercises")}
        stored["notices"] = []
        return json.dumps(stored, indent=1, sort_keys=True)

    def __repr__(self):
        lines = ["Your progress", *self.notices, self._summary(), ""]
        header = ("lesson", "exercise", "latest outcome", "attempts", "solved on", "hints")
        table = [header] + [
            (lesson, title, LABELS[entry["outcome"]], str(entry["attempts"]),
             _solved_on(entry), _hints(entry))
            for lesson, title, _, entry in self.rows
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in table]
        if self.binder:
            lines += ["", BINDER_TEXT.format(path=self.path)]
        return "\n".join(lines)

    def _repr_html_(self):
        # Bold text, not a heading: a heading here would break the notebook's own outline.
        parts = ["<div class='backprop-progress'><p><b>Your progress</b></p>"]
        parts += [f"<p><b>{html.escape(notice)}</b></p>" for notice in self.notices]
        parts.append(f"<p>{html.escape(self._summary())}</p>")
        parts.append(
            "<table><thead><tr>"
            + "".join(f"<th style='text-align:{align}'>{name}</th>" for name, align in zip(HTML_HEADER, ALIGN))
            + "</tr></thead><tbody>"
        )
        for lesson, title, exercise_id, entry in self.rows:
            cells = (lesson, title, LABELS[entry["outcome"]], entry["attempts"], _solved_on(entry), _hints(entry))
            row = "".join(f"<td style='text-align:{align}'>{html.escape(str(cell))}</td>"
                          for cell, align in zip(cells, ALIGN))
            parts.append(f"<tr title='{html.escape(exercise_id)}'>{row}</tr>")
        parts.append("</tbody></table>")
        if self.binder:
            encoded = base64.b64encode(self._download_json().encode("utf-8")).decode("ascii")
            parts.append(
                f"<p>{html.escape(BINDER_TEXT.format(path=self.path))}</p>"
                f"<p><a download='progress.json' href='data:application/json;base64,{encoded}'>"
                "⬇ Download progress.json</a></p>"
            )
        parts.append("</div>")
        return "".join(parts)


HTML_HEADER = ("lesson", "exercise", "latest outcome", "attempts", "solved on attempt", "hints")
ALIGN = ("left", "left", "left", "right", "right", "right")  # JupyterLab right-aligns cells by default


def _hints(entry):
    """The hint levels seen, and whether the solution was shown too: "2", "2 + solution viewed"."""
    return f"{entry['hints']}{' + solution viewed' if entry.get(SOLUTION_VIEWED) else ''}"


def _solved_on(entry):
    first = entry["first_correct_attempt"]
    return "—" if first is None else str(first)


BINDER_TEXT = (
    "You are on Binder: storage here is temporary and is deleted when the session ends. "
    "Download your progress file to keep it. To restore it on your own computer, save it as "
    f"{DEFAULT_PATH} (or point the BACKPROP_PROGRESS_FILE environment variable at it); "
    "on a new Binder session, upload it and move it to {path}."
)
