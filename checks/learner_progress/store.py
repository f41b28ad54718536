"""The learner's progress: what each check said, kept in a small local JSON file.

`hear` listens to the engine (`checks/__init__.py` subscribes it): it calls `record_check` after
every check, `record_hint` after every hint and `record_solution` when `check.solution(name)`
shows an answer. `checks.progress()` shows the table (`_progress_table.show`). Progress is a
convenience, never a reason for a check to fail: the record functions swallow every error (a
read-only home, a full disk) and the table reports the last one instead (`take_errors`).

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

import contextlib
import json
import os
import tempfile
from pathlib import Path

OUTCOMES = ("correct", "incorrect", "not_attempted", "raised", "uncheckable", "not_checked")
VERSION = 1
DEFAULT_PATH = "~/.backprop_from_scratch/progress.json"

# Problems met while recording, reported once by the next progress table in this kernel (take_errors).
_pending_errors = []


# ---------------------------------------------------------------- where, and whether


def progress_path():
    """The progress file's path (``BACKPROP_PROGRESS_FILE`` or the default in the home)."""
    return Path(os.environ.get("BACKPROP_PROGRESS_FILE") or DEFAULT_PATH).expanduser()


def enabled():
    """False when ``BACKPROP_PROGRESS`` is off (grading sets this: no read, no write)."""
    return os.environ.get("BACKPROP_PROGRESS", "").strip().lower() not in {"off", "0", "false", "no"}


# ---------------------------------------------------------------- recording


def hear(event, exercise_id, detail=None):
    """The engine's listener (see checks.engine.exercise.listen): record a check, a hint or a solution shown."""
    if event == "check":
        record_check(exercise_id, detail)
    elif event == "hint":
        record_hint(exercise_id, detail)
    elif event == "solution":
        record_solution(exercise_id)


def record_check(exercise_id, outcome):
    """Record one check's outcome. Never raises.

    A "not_attempted" result counts as no attempt and only fills an empty row: running a
    blank copy of a lesson must not hide that the exercise was solved before.
    """
    if not isinstance(exercise_id, str) or outcome not in OUTCOMES:
        return

    def change(data):
        entry = data["exercises"].setdefault(exercise_id, new_entry())
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
        entry = data["exercises"].setdefault(exercise_id, new_entry())
        entry["hints"] = max(entry["hints"], level)

    _record(change)


def record_solution(exercise_id):
    """Record that the exercise's solution was shown. Never raises.

    The key is only written once it is true, so files from before `check.solution` stay valid as they are.
    """
    if not isinstance(exercise_id, str):
        return

    def change(data):
        data["exercises"].setdefault(exercise_id, new_entry())[SOLUTION_VIEWED] = True

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


def take_errors():
    """The problems met while recording since the last call (each once), as sentences."""
    errors = list(_pending_errors)
    _pending_errors.clear()
    return errors


SOLUTION_VIEWED = "solution_viewed"  # optional key: present (true) only once the solution was shown


def new_entry():
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


def read_and_take_notices():
    """The stored data and its notices, which leave the file so that each is shown once."""
    path = progress_path()
    if not path.exists():
        return fresh(), []
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


def fresh():
    return {"version": VERSION, "exercises": {}, "notices": []}


def _load(path):
    """The stored data; a missing file is a fresh start, a corrupt one is set aside."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return fresh()
    try:
        data = json.loads(text)
        _validate(data)
        return data
    except (ValueError, TypeError, KeyError) as error:
        backup = _set_aside(path)
        data = fresh()
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
        if not isinstance(entry, dict) or set(entry) - {SOLUTION_VIEWED} != set(new_entry()):
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
