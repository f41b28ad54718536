"""The learner's progress: the store (checks/learner_progress/store.py: counts, the file's safety), the table
(checks/learner_progress/table.py) and how the engine's announcements reach the store."""

import base64
import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from checks.learner_progress import store as progress
from checks.learner_progress import table as table

CATALOG = [
    SimpleNamespace(id="lesson01.neuron_backward", lesson="lesson01", title="One neuron's gradients"),
    SimpleNamespace(id="lesson03.dense_backward", lesson="lesson03", title="A dense layer's backward pass"),
    SimpleNamespace(id="lesson04.relu_backward", lesson="lesson04", title="ReLU's backward pass"),
]


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    """A private progress file, a fixed catalogue, and no Binder or off switch from outside."""
    path = tmp_path / "store" / "progress.json"
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(path))
    for key in ("BACKPROP_PROGRESS", "BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REQUEST", "BINDER_REF_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(table, "_course_exercises", lambda: list(CATALOG))
    progress._pending_errors.clear()
    return path


def stored(path):
    return json.loads(path.read_text())["exercises"]


def row(report, exercise_id):
    (entry,) = [r[3] for r in report.rows if r[2] == exercise_id]
    return entry


# ---------------------------------------------------------------- counting


def test_attempts_latest_outcome_and_first_correct_attempt(store):
    for outcome in ("incorrect", "raised", "correct", "correct", "incorrect"):
        progress.record_check("lesson03.dense_backward", outcome)
    assert stored(store)["lesson03.dense_backward"] == {
        "outcome": "incorrect", "attempts": 5, "first_correct_attempt": 3, "hints": 0,
    }


def test_not_attempted_is_no_attempt_and_never_hides_earlier_work(store):
    progress.record_check("lesson01.neuron_backward", "not_attempted")
    assert stored(store)["lesson01.neuron_backward"]["outcome"] == "not_attempted"
    assert stored(store)["lesson01.neuron_backward"]["attempts"] == 0
    progress.record_check("lesson01.neuron_backward", "correct")
    progress.record_check("lesson01.neuron_backward", "not_attempted")
    entry = stored(store)["lesson01.neuron_backward"]
    assert (entry["outcome"], entry["attempts"], entry["first_correct_attempt"]) == ("correct", 1, 1)


def test_hints_keep_the_highest_level(store):
    for level in (1, 3, 2):
        progress.record_hint("lesson04.relu_backward", level)
    assert stored(store)["lesson04.relu_backward"]["hints"] == 3
    assert stored(store)["lesson04.relu_backward"]["outcome"] is None


def test_bad_arguments_are_ignored_without_raising(store):
    progress.record_check(None, "correct")
    progress.record_check("lesson01.neuron_backward", "passed")
    progress.record_hint("lesson01.neuron_backward", "2")
    progress.record_hint("lesson01.neuron_backward", True)
    assert not store.exists()


# ---------------------------------------------------------------- the display


def test_show_lists_every_exercise_with_never_checked_as_not_started(store):
    progress.record_check("lesson03.dense_backward", "incorrect")
    progress.record_check("lesson03.dense_backward", "correct")
    progress.record_hint("lesson03.dense_backward", 2)
    report = table.show()
    assert [r[2] for r in report.rows] == [e.id for e in CATALOG]
    text, page = repr(report), report._repr_html_()
    assert "1 of 3 exercises correct" in text and "1 of 3 exercises correct" in page
    lines = {line.split("  ")[1].strip(): line for line in text.splitlines() if line.startswith("lesson0")}
    assert re.search(r"✔ correct\s+2\s+2\s+2$", lines["A dense layer's backward pass"])
    assert re.search(r"· not started\s+0\s+—\s+0$", lines["ReLU's backward pass"])
    assert page.count("<tr title=") == 3 and "· not started" in page and "&#x27;s" in page
    assert "download" not in page.lower()


def test_show_is_deterministic_and_writes_nothing(store):
    first = table.show()
    assert repr(first) == repr(table.show()) and first._repr_html_() == table.show()._repr_html_()
    assert not store.exists()  # a missing file is a silent fresh start
    assert "Note" not in repr(first) and "unreadable" not in repr(first)


def test_recorded_exercises_missing_from_the_catalogue_are_still_shown(store, monkeypatch):
    monkeypatch.setattr(table, "_course_exercises", lambda: [])
    progress.record_check("lesson07.numerical_gradient", "raised")
    report = table.show()
    assert [(r[0], r[2], r[3]["outcome"]) for r in report.rows] == [
        ("lesson07", "lesson07.numerical_gradient", "raised"),
    ]


def test_path_under_home_is_shown_with_a_tilde(store, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert "Progress file: ~/store/progress.json" in repr(table.show())
    monkeypatch.delenv("BACKPROP_PROGRESS_FILE")
    assert progress.progress_path() == tmp_path / ".backprop_from_scratch" / "progress.json"


def test_path_beside_the_notebook_folder_is_shown_relative(monkeypatch, tmp_path):
    # run_solutions and nbval keep the file in artifacts/, beside solutions/: no machine path in outputs
    (tmp_path / "solutions").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "artifacts" / "progress.json"))
    monkeypatch.chdir(tmp_path / "solutions")
    assert "Progress file: ../artifacts/progress.json" in repr(table.show())


# ---------------------------------------------------------------- a damaged or unwritable file


@pytest.mark.parametrize("content", [
    "{not json",
    "[1, 2, 3]",
    json.dumps({"version": 1, "exercises": {"lesson01.neuron_backward": {"outcome": "great"}}}),
    json.dumps({"version": 1, "exercises": {"x": {"outcome": None, "attempts": -1,
                                                  "first_correct_attempt": None, "hints": 0}}}),
    "",
])
def test_corrupt_file_is_kept_aside_and_reported_once(store, content):
    store.parent.mkdir(parents=True)
    store.write_text(content)
    progress.record_check("lesson01.neuron_backward", "correct")
    assert (store.parent / "progress.json.corrupt-1").read_text() == content
    assert stored(store)["lesson01.neuron_backward"]["attempts"] == 1
    first, second = repr(table.show()), repr(table.show())
    assert "unreadable" in first and "progress.json.corrupt-1" in first
    assert "unreadable" not in second and "1 of 3 exercises correct" in second


def test_corrupt_file_found_by_show_and_backups_never_overwritten(store):
    store.parent.mkdir(parents=True)
    (store.parent / "progress.json.corrupt-1").write_text("older")
    store.write_text("{}")
    report = table.show()
    assert "progress.json.corrupt-2" in repr(report) and "progress.json.corrupt-2" in report._repr_html_()
    assert (store.parent / "progress.json.corrupt-1").read_text() == "older"
    assert (store.parent / "progress.json.corrupt-2").read_text() == "{}"
    assert "unreadable" not in repr(table.show())


def test_unwritable_location_never_raises_and_is_reported_once(store, monkeypatch, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(blocker / "progress.json"))  # parent is a file
    progress.record_check("lesson01.neuron_backward", "correct")
    progress.record_hint("lesson01.neuron_backward", 1)
    report = repr(table.show())
    assert "progress could not be saved" in report and "your checks still work" in report
    assert "could not be saved" not in repr(table.show())


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(store, monkeypatch):
    progress.record_check("lesson01.neuron_backward", "incorrect")
    before = store.read_text()

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(progress.os, "replace", full_disk)
    progress.record_check("lesson01.neuron_backward", "correct")
    assert store.read_text() == before
    assert sorted(p.name for p in store.parent.iterdir()) == ["progress.json", "progress.json.lock"]
    assert "No space left" in repr(table.show())


# ---------------------------------------------------------------- switched off, and on Binder


def test_off_switch_neither_reads_nor_writes(store, monkeypatch):
    progress.record_check("lesson01.neuron_backward", "correct")
    before = store.read_text()
    monkeypatch.setenv("BACKPROP_PROGRESS", "off")
    progress.record_check("lesson01.neuron_backward", "incorrect")
    progress.record_hint("lesson01.neuron_backward", 3)
    report = table.show()
    assert store.read_text() == before
    assert "0 of 3 exercises correct" in repr(report) and "BACKPROP_PROGRESS=off" in repr(report)


def test_on_binder_storage_is_called_temporary_and_offered_for_download(store, monkeypatch):
    progress.record_check("lesson04.relu_backward", "correct")
    assert "Binder" not in repr(table.show())
    monkeypatch.setenv("BINDER_LAUNCH_HOST", "https://mybinder.org/")
    report = table.show()
    assert "storage here is temporary" in repr(report) and "BACKPROP_PROGRESS_FILE" in repr(report)
    match = re.search(r"<a download='progress.json' href='data:application/json;base64,([A-Za-z0-9+/=]+)'",
                      report._repr_html_())
    assert match, "no download link"
    downloaded = json.loads(base64.b64decode(match.group(1)))
    assert downloaded["exercises"] == stored(store)
    # The downloaded file restores as is.
    store.write_text(json.dumps(downloaded))
    assert "1 of 3 exercises correct" in repr(table.show())


def test_binder_signal():
    assert not table.on_binder()
    os.environ["BINDER_REPO_URL"] = "https://github.com/OWNER/REPO"
    try:
        assert table.on_binder()
    finally:
        del os.environ["BINDER_REPO_URL"]


# ---------------------------------------------------------------- two kernels at once

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from checks.learner_progress import store as progress
    name, count, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    go.with_name("ready-" + name).write_text("")
    while not go.exists():  # start together, so that the writes interleave
        time.sleep(0.001)
    for i in range(count):
        progress.record_check("lesson03.dense_backward", "incorrect")
        progress.record_check(f"lesson08.{name}", "correct" if i % 2 else "raised")
        progress.record_hint(f"lesson08.{name}", i)
    assert not progress._pending_errors, progress._pending_errors
""")


def test_two_processes_writing_at_once_lose_nothing(store, tmp_path):
    count = 150
    go = tmp_path / "go"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, name, str(count), str(go)], env=os.environ.copy())
        for name in ("first", "second")
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{n}").exists() for n in ("first", "second")):
        assert time.monotonic() < deadline and all(w.poll() is None for w in writers), "a writer did not start"
        time.sleep(0.01)
    go.write_text("")  # both have imported: they now write at the same time
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    exercises = stored(store)
    assert exercises["lesson03.dense_backward"]["attempts"] == 2 * count
    for name in ("first", "second"):
        assert exercises[f"lesson08.{name}"] == {
            "outcome": "correct", "attempts": count, "first_correct_attempt": 2, "hints": count - 1,
        }
    assert sorted(p.name for p in Path(store.parent).iterdir()) == ["progress.json", "progress.json.lock"]


# ---------------------------------------------------------------- the engine announces, progress listens


def test_a_learners_check_hint_and_solution_reach_the_progress_file(store):
    from checks import lesson03 as check

    check.dense_backward(lambda dvalues, inputs, weights: (dvalues, dvalues, dvalues))  # wrong shapes
    check.hint("dense_backward", level=2)  # a level of its own: this kernel may have shown hints before
    check.solution("dense_backward")
    entry = stored(store)["lesson03.dense_backward"]
    assert entry["outcome"] == "incorrect" and entry["attempts"] == 1
    assert entry["hints"] == 2 and entry["solution_viewed"] is True


def test_a_listener_that_fails_never_fails_the_check_nor_silences_the_others(store, monkeypatch):
    from checks.engine import exercise
    from checks import lesson01 as check

    heard = []

    def broken(event, exercise_id, detail):
        raise RuntimeError("a listener's own bug")

    monkeypatch.setattr(exercise, "_listeners", [broken, *exercise._listeners,
                                                  lambda *event: heard.append(event)])
    result = check.hint("neuron_backward", level=1)
    assert result.title.startswith("Hint 1 of")
    assert heard == [("hint", "lesson01.neuron_backward", 1)]
    assert stored(store)["lesson01.neuron_backward"]["hints"] == 1
