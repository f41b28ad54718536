"""The learner's progress: what each check said, kept in a small local JSON file.

The engine calls `record_check` after every check, `record_hint` after every hint and
`record_solution` when `check.solution(name)` shows an answer;
`checks.progress()` is `show`. Progress is a convenience, never a reason for a check to
fail: the record functions swallow every error (a read-only home, a full disk) and
`show` reports the last one instead.

The file (``BACKPROP_PROGRESS_FILE``, default ``~/.backprop_from_scratch/progress.json``)::

    {"version": 1,
     "exercises": {"lesson03.dense_backward": {"outcome": "incorrect", "attempts": 2,
                                               "first_correct_attempt": null, "hints": 1,
                                               "solution_viewed": true}},
     "notices": []}

Every change is a read-modify-write under an exclusive lock on a sidecar file
(``progress.json.lock``), and the new content replaces the old with ``os.replace`` of a
temporary file in the same folder, so two kernels writing at once lose nothing and a
reader never sees half a file. ``BACKPROP_PROGRESS=off`` turns it all off (grading does).
"""

import base64
import contextlib
import html
import json
import os
import tempfile
from pathlib import Path

OUTCOMES = ("correct", "incorrect", "not_attempted", "raised", "uncheckable", "not_checked")
VERSION = 1
DEFAULT_PATH = "~/.backprop_from_scratch/progress.json"

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

# Problems met while recording, reported once by the next show() in this kernel.
_pending_errors = []


# ---------------------------------------------------------------- where, and whether


def progress_path():
    """The progress file's path (``BACKPROP_PROGRESS_FILE`` or the default in the home)."""
    return Path(os.environ.get("BACKPROP_PROGRESS_FILE") or DEFAULT_PATH).expanduser()


def enabled():
    """False when ``BACKPROP_PROGRESS`` is off (grading sets this: no read, no write)."""
    return os.environ.get("BACKPROP_PROGRESS", "").strip().lower() not in {"off", "0", "false", "no"}


def on_binder():
    """True inside a Binder session: BinderHub sets these in every container it launches."""
    keys = ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REQUEST", "BINDER_REF_URL")
    return any(os.environ.get(key) for key in keys)


# ---------------------------------------------------------------- recording


def record_check(exercise_id, outcome):
    """Record one check's outcome. Never raises.

    A "not_attempted" result counts as no attempt and only fills an empty row: running a
    blank copy of a lesson must not hide that the exercise was solved before.
    """
    if not isinstance(exercise_id, str) or outcome not in OUTCOMES:
        return

    def change(data):
        entry = data["exercises"].setdefault(exercise_id, _new_entry())
        if outcome == "not_attempted":
            entry["outcome"] = entry["outcome"] or outcome
            return
        entry["attempts"] += 1
        entry["outcome"] = outcome
        if outcome == "correct" and entry["first_correct_attempt"] is None:
            entry["first_correct_attempt"] = entry["attempts"]

    _record(change)


def record_hint(exercise_id, level):
    """Record that hint `level` (1, 2, 3...) was shown; keeps the highest level. Never raises."""
    if not isinstance(exercise_id, str) or isinstance(level, bool) or not isinstance(level, int):
        return

    def change(data):
        entry = data["exercises"].setdefault(exercise_id, _new_entry())
        entry["hints"] = max(entry["hints"], level)

    _record(change)


def record_solution(exercise_id):
    """Record that the exercise's solution was shown. Never raises.

    The key is only written once it is true, so files from before `check.solution` stay valid as they are.
    """
    if not isinstance(exercise_id, str):
        return

    def change(data):
        data["exercises"].setdefault(exercise_id, _new_entry())[SOLUTION_VIEWED] = True

    _record(change)


def _record(change):
    if not enabled():
        return
    try:
        _update(change)
    except Exception as error:  # noqa: BLE001 -- progress must never break a check
        message = f"progress could not be saved ({type(error).__name__}: {error})"
        if message not in _pending_errors:
            _pending_errors.append(message)


SOLUTION_VIEWED = "solution_viewed"  # optional key: present (true) only once the solution was shown


def _new_entry():
    return {"outcome": None, "attempts": 0, "first_correct_attempt": None, "hints": 0}


# ---------------------------------------------------------------- the file


def _update(change):
    """Apply `change(data)` to the stored data: read, change and write back under the lock."""
    path = progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        data = _load(path)
        change(data)
        _write_atomically(path, data)


def _read_and_take_notices():
    """The stored data and its notices, which leave the file so that each is shown once."""
    path = progress_path()
    if not path.exists():
        return _fresh(), []
    with _locked(path):
        data = _load(path)
        notices, data["notices"] = data["notices"], []
        if notices and path.exists():  # a corrupt file was set aside: nothing to rewrite
            _write_atomically(path, data)
    return data, notices


@contextlib.contextmanager
def _locked(path):
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+b") as lock_file:
        _lock(lock_file)
        try:
            yield
        finally:
            _unlock(lock_file)


try:
    import fcntl

    def _lock(lock_file):
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)

    def _unlock(lock_file):
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

except ImportError:  # Windows: lock the sidecar's first byte instead.
    import msvcrt

    def _lock(lock_file):
        lock_file.seek(0)
        msvcrt.locking(lock_file.fileno(), msvcrt.LK_LOCK, 1)

    def _unlock(lock_file):
        lock_file.seek(0)
        msvcrt.locking(lock_file.fileno(), msvcrt.LK_UNLCK, 1)


def _fresh():
    return {"version": VERSION, "exercises": {}, "notices": []}


def _load(path):
    """The stored data; a missing file is a fresh start, a corrupt one is set aside."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _fresh()
    try:
        data = json.loads(text)
        _validate(data)
        return data
    except (ValueError, TypeError, KeyError) as error:
        backup = _set_aside(path)
        data = _fresh()
        data["notices"].append(
            f"The progress file was unreadable ({error}); a copy was kept as {backup.name} "
            "and progress starts afresh."
        )
        return data


def _validate(data):
    """Raise ValueError unless `data` has the shape this module writes."""
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), dict):
        raise ValueError("not a progress file")
    data.setdefault("notices", [])
    if not isinstance(data["notices"], list):
        raise ValueError("bad notices")
    for key, entry in data["exercises"].items():
        if not isinstance(entry, dict) or set(entry) - {SOLUTION_VIEWED} != set(_new_entry()):
            raise ValueError(f"bad entry for {key!r}")
        if entry.get(SOLUTION_VIEWED, True) is not True:
            raise ValueError(f"bad solution mark for {key!r}")
        if entry["outcome"] not in OUTCOMES + (None,):
            raise ValueError(f"bad outcome for {key!r}")
        first = entry["first_correct_attempt"]
        counts = (entry["attempts"], entry["hints"]) + ((first,) if first is not None else ())
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts):
            raise ValueError(f"bad count for {key!r}")


def _set_aside(path):
    """Rename a corrupt file to the first free ``<name>.corrupt-<n>``; return the new path."""
    n = 1
    while path.with_name(f"{path.name}.corrupt-{n}").exists():
        n += 1
    backup = path.with_name(f"{path.name}.corrupt-{n}")
    os.replace(path, backup)
    return backup


def _write_atomically(path, data):
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as temp:
            json.dump(data, temp, indent=1, sort_keys=True)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


# ---------------------------------------------------------------- showing


def show():
    """The table behind ``checks.progress()``: every exercise, its latest outcome, attempts, hints."""
    notices = [f"Note: {message}; your checks still work." for message in _pending_errors]
    _pending_errors.clear()
    stored_notices = []
    if not enabled():
        data = _fresh()
        notices.append("Progress recording is off here (BACKPROP_PROGRESS=off).")
    else:
        try:
            data, stored_notices = _read_and_take_notices()
        except Exception as error:  # noqa: BLE001 -- never crash a learner's cell
            data = _fresh()
            notices.append(f"The progress file could not be read ({type(error).__name__}: {error}).")
    return ProgressReport(_rows(data["exercises"]), stored_notices + notices, _display_path(), on_binder(), data)


def _rows(recorded):
    """One row per course exercise (catalogue order), then any recorded exercise it lacks."""
    rows = []
    for exercise in _course_exercises():
        entry = recorded.get(exercise.id) or _new_entry()
        rows.append((exercise.lesson, exercise.title, exercise.id, entry))
    known = {row[2] for row in rows}
    for exercise_id in sorted(set(recorded) - known):
        rows.append((exercise_id.split(".")[0], exercise_id.split(".")[-1], exercise_id, recorded[exercise_id]))
    return rows


def _course_exercises():
    """Every exercise of the course, from the catalogue; empty if it cannot be loaded."""
    try:
        from . import _catalog

        return list(_catalog.all_exercises())
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
