"""Submissions as LMSs return them, without kernels (issue 16, parts 2, 4 and 5): lessons recognised from
file names and content, students from LMS names, paths relative to the folder graded, file modes, the
command's refusals, and the class chart inspected through its matplotlib objects."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path, PurePosixPath

import nbformat
import pytest

from checks.grade import class_chart, discover, mistakes, recognise, report, students

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))


def _stripped(path: Path) -> dict:
    """A lesson notebook as an LMS may hand it back: no course metadata."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"] = {"kernelspec": nb["metadata"].get("kernelspec", {})}
    return nb


# ---- the lesson: metadata, then file name, then content ----

@pytest.mark.parametrize("name, lesson", [
    ("smithjane_12345_678901_03_batched_dense-1.ipynb", "lesson03"),  # Canvas, a re-submission
    ("smithjane_LATE_12345_678901_03_batched_dense.ipynb", "lesson03"),  # Canvas, late
    ("Lesson 3_jroe_attempt_2026-03-02-10-15-00_09_autograd.ipynb", "lesson09"),
    ("03_BATCHED_DENSE (1).ipynb", "lesson03"),
    ("03_mine.ipynb", "lesson03"),  # a plain number prefix
    ("7_x.ipynb", "lesson07"),
    ("12345_678901_mine.ipynb", None),  # ids are not lesson numbers
    ("smithjane_12345_678901_my work.ipynb", None),
    ("103_batched_dense.ipynb", None),  # not the lesson's name: another number
    ("03_batched_denser.ipynb", "lesson03"),  # not the lesson's name, but its number prefix
])
def test_lesson_from_a_file_name(name, lesson):
    assert recognise.lesson_of_name(name) == lesson


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_is_recognised_from_its_cells_after_the_learner_worked_in_it(path):
    nb = _stripped(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for cell in code[::3]:  # edited cells, with outputs
        cell["source"] = "x = 1  # my own answer, changed a lot from what the lesson gave\n"
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "03_batched_dense lesson09\n"}]
    nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "My notes on this week's lesson."})
    expected = f"lesson{path.name[:2]}"
    assert recognise.lesson_of(nb, "my work.ipynb") == expected
    assert recognise.lesson_of(nb, "my work.ipynb") == recognise.lesson_of_content(nb)


def test_a_notebook_of_no_lesson_or_of_two_halves_is_not_recognised():
    notes = nbformat.v4.new_notebook()
    notes.cells = [nbformat.v4.new_code_cell("import numpy as np\nprint('my own experiments with arrays')")]
    assert recognise.lesson_of(notes, "notes.ipynb") is None
    three, four = _stripped(ROOT / "lessons/03_batched_dense.ipynb"), _stripped(ROOT / "lessons/04_relu_backward.ipynb")
    mixed = dict(three, cells=three["cells"][: len(three["cells"]) // 2 + 1] + four["cells"][len(four["cells"]) // 2:])
    assert recognise.lesson_of_content(mixed) is None  # no lesson clearly ahead: the instructor says (--lesson)
    assert recognise.lesson_of({"cells": "not a list"}, "x.ipynb") is None
    assert recognise.lesson_of({"cells": [{"source": 3}, "junk"]}, "x.ipynb") is None


def test_metadata_wins_over_the_name_and_the_name_over_the_content():
    nine = _stripped(ROOT / "lessons/09_autograd.ipynb")
    assert recognise.lesson_of(nine, "03_batched_dense.ipynb") == "lesson03"
    nine["metadata"]["course"] = {"lesson": "lesson06"}
    assert recognise.lesson_of(nine, "03_batched_dense.ipynb") == "lesson06"


# ---- the student ----

@pytest.mark.parametrize("relative, student", [
    ("smithjane_12345_678901_03_batched_dense-1.ipynb", "smithjane"),
    ("smithjane_LATE_12345_678901_03_batched_dense.ipynb", "smithjane"),
    ("Jane Roe_34567_assignsubmission_file_/my work.ipynb", "Jane Roe"),
    ("Jane Roe_34567_assignsubmission_file_/sub/folder/anything.ipynb", "Jane Roe"),
    ("week3/Jane Roe_34567_assignsubmission_file_my work.ipynb", "Jane Roe"),  # Moodle without folders
    ("Lesson 3_jroe_attempt_2026-03-02-10-15-00_mine.ipynb", "jroe"),  # Blackboard
    ("alice/deep/03_batched_dense.ipynb", "alice"),  # the first folder under the graded one
    ("03_batched_dense.ipynb", ""),  # directly in the graded folder
])
def test_student_from_lms_names(relative, student, tmp_path):
    assert students.student_of(PurePosixPath(relative), tmp_path) == student


def test_gradescope_export_names_come_from_its_metadata_else_the_folder(tmp_path):
    export = tmp_path / "assignment_77_export"
    export.mkdir()
    (export / "submission_metadata.yml").write_text(
        "submission_111:\n  :submitters:\n  - :name: Sam Poe\n    :sid: '42'\n    :email: sam@example.edu\n"
        "  - :name: Ada Lee\n  :score: 0.0\nsubmission_222:\n  :submitters: []\n", encoding="utf-8")
    assert students.student_of(PurePosixPath("assignment_77_export/submission_111/a.ipynb"), tmp_path) == "Sam Poe, Ada Lee"
    assert students.student_of(PurePosixPath("submission_111/a.ipynb"), export) == "Sam Poe, Ada Lee"
    assert students.student_of(PurePosixPath("submission_222/a.ipynb"), export) == "submission_222"
    broken = tmp_path / "other_export"
    broken.mkdir()
    (broken / "submission_metadata.yml").write_text("submission_111: [unclosed\n", encoding="utf-8")
    assert students.student_of(PurePosixPath("submission_111/a.ipynb"), broken) == "submission_111"


# ---- names relative to the folder graded ----

def test_names_are_relative_to_the_folder_graded_however_it_is_given(tmp_path, monkeypatch):
    folder = tmp_path / "class"
    for name in ("alice/03_batched_dense.ipynb", "bob/x.ipynb"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("{}")
    (tmp_path / "extra.ipynb").write_text("{}")
    absolute = discover.find([str(folder)])
    assert [(s.shown, s.student) for s in absolute] == [("alice/03_batched_dense.ipynb", "alice"), ("bob/x.ipynb", "bob")]
    assert [str(s.relative) for s in absolute] == ["alice/03_batched_dense.ipynb", "bob/x.ipynb"]
    monkeypatch.chdir(tmp_path)
    assert [s.shown for s in discover.find(["class/"])] == ["alice/03_batched_dense.ipynb", "bob/x.ipynb"]
    assert [s.shown for s in discover.find([str(folder / "bob" / "x.ipynb")])] == ["x.ipynb"]  # a file on its own
    both = discover.find([str(folder), "extra.ipynb"])  # several PATHs: relative to what holds them all
    assert [s.shown for s in both] == ["class/alice/03_batched_dense.ipynb", "class/bob/x.ipynb", "extra.ipynb"]
    assert [s.student for s in both] == ["alice", "bob", ""]
    assert {s.lesson for s in discover.find([str(folder)], "lesson03")} == {"lesson03"}


# ---- file modes ----

@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_atomic_writes_follow_the_umask(tmp_path, mask, mode):
    previous = os.umask(mask)
    try:
        assert report.umask() == mask
        report.write_atomically(str(tmp_path / "a.csv"), "text")
        report.write_atomically(str(tmp_path / "b.png"), b"\x89PNG")
    finally:
        os.umask(previous)
    for name in ("a.csv", "b.png"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode
    assert (tmp_path / "a.csv").read_text() == "text" and not list(tmp_path.glob(".grades-*"))


# ---- the command's refusals: usage errors, exit 2, nothing graded or written ----

def _command(*args, cwd):
    return subprocess.run([sys.executable, "-m", "checks.grade", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_a_gradescope_bundle_without_its_lesson_is_refused(tmp_path):
    run = _command("--gradescope-autograder", "out.zip", cwd=tmp_path)
    assert run.returncode == 2 and "--gradescope-lesson" in run.stderr.splitlines()[-1]
    assert not (tmp_path / "out.zip").exists()
    from checks.grade.gradescope_bundle import export

    with pytest.raises(ValueError, match="--gradescope-lesson"):
        export(str(tmp_path / "api.zip"), None)
    assert not list(tmp_path.glob("*.zip"))


def _usage_error(argv, capsys) -> str:
    """What `python -m checks.grade ARGV` says on stderr, asserting it stops with a usage error (exit 2)."""
    from checks.grade.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    return capsys.readouterr().err


def test_gradescope_lesson_is_not_silently_ignored_when_grading_here(tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    said = _usage_error([str(tmp_path / "subs"), "--gradescope-lesson", "3", "--out", str(tmp_path / "g.csv")], capsys)
    assert "--lesson N" in said and "usage:" in said
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.parametrize("extra", [["--lesson", "3"], ["subs"], ["--lesson", "3", "--gradescope-lesson", "3"]])
def test_a_bundle_takes_its_lesson_only_as_gradescope_lesson(tmp_path, extra, capsys):
    said = _usage_error(["--gradescope-autograder", str(tmp_path / "b.zip"), *extra], capsys)
    assert "--gradescope-lesson N" in said
    assert not (tmp_path / "b.zip").exists()


@pytest.mark.parametrize("value", ["x", "99", "lesson", "-1"])
def test_a_bad_lesson_is_a_usage_error(tmp_path, value, capsys):
    (tmp_path / "subs").mkdir()
    said = _usage_error([str(tmp_path / "subs"), f"--lesson={value}", "--out", str(tmp_path / "g.csv")], capsys)
    assert "--lesson" in said and "usage:" in said
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.parametrize("value", ["3", "03", "lesson03", "lesson3"])
def test_every_way_of_naming_a_lesson_is_accepted(value):
    from checks.grade.cli import _not_grading

    assert _not_grading(["subs", "--lesson", value]) is None  # no usage error (grading would start)


# ---- the chart, through its matplotlib objects ----

def _tally():
    kinds = ["assignment_not_accumulation", "missing_keepdims", "modified_input", "transposed", "placeholder",
             "wrong_sign", "factor_of_two", "aliasing", "chain_missing", "not_in_place", "wrong_axis", None]
    return {
        # given out of order: lesson 9 before lesson 3
        "lesson09.add": {"outcomes": Counter(correct=3, incorrect=2, not_graded=1),
                         "mistakes": Counter({"assignment_not_accumulation": 2})},
        "lesson03.dense_backward": {"outcomes": Counter(correct=2, incorrect=len(kinds), not_attempted=1, raised=1,
                                                        uncheckable=1, not_checked=1, not_graded=2),
                                    "mistakes": Counter(kinds)},
    }


def _drawn(figure):
    """(legend handles, legend texts, y labels, texts on the bars) of the chart."""
    axes = figure.axes[0]
    legend = axes.get_legend()
    ticks = sorted(zip(axes.get_yticks(), axes.get_yticklabels()), key=lambda tick: -tick[0])  # top first
    return (legend.legend_handles, [t.get_text() for t in legend.get_texts()],
            [label.get_text() for _, label in ticks], axes.texts)


def test_the_chart_names_every_segment_in_full_and_tells_them_apart_by_hatch():
    handles, labels, _, _ = _drawn(class_chart.figure(_tally(), no_lesson=2))
    unwrapped = [" ".join(label.split()) for label in labels]
    for kind in _tally()["lesson03.dense_backward"]["mistakes"]:
        words = mistakes.describe(kind).replace("`", "'")
        assert f"wrong: {words}" in unwrapped, words
    assert not [label for label in labels if "…" in label or "..." in label.replace("'...'", "") or "`" in label]
    assert max(len(line) for label in labels for line in label.splitlines()) <= class_chart.WRAP
    assert {"correct", "the code raised an error", "not attempted", "could not check",
            "not checked", "notebook not graded"} <= set(unwrapped)
    hatches = [h.get_hatch() or "" for h in handles]
    colours = [h.get_facecolor() for h in handles]
    assert len(set(hatches)) == len(hatches) == len(labels) == 18  # 12 kinds of mistake and 6 other outcomes
    assert sum(h == "" for h in hatches) == 1  # only "correct" is plain
    assert len(set(zip(hatches, colours))) == len(labels)


def test_the_chart_shows_percentages_lessons_in_order_and_what_was_not_graded():
    _, _, ylabels, texts = _drawn(class_chart.figure(_tally(), no_lesson=2))
    assert [label.split("\n")[0] for label in ylabels] == ["lesson03.dense_backward", "lesson09.add", class_chart.NO_LESSON]
    assert ylabels[0].endswith("20 submissions") and ylabels[2].endswith("2 submissions")
    shown = sorted(t.get_text() for t in texts)
    assert "50%" in shown and "100%" in shown  # lesson 9's correct 3 of 6; the unrecognised files' bar
    assert "10%" in shown  # lesson 3: 2 of 20 correct, and 2 of 20 not graded
    assert all(t.get_text().endswith("%") for t in texts)
    figure = class_chart.figure(_tally())
    assert class_chart.NO_LESSON not in " ".join(_drawn(figure)[2])
    assert class_chart.figure({}, no_lesson=3) is None


def test_every_text_of_the_chart_has_a_contrast_of_at_least_4_5():
    from matplotlib.colors import to_hex

    _, _, _, texts = _drawn(class_chart.figure(_tally(), no_lesson=2))
    assert texts
    for text in texts:
        background = to_hex(text.get_bbox_patch().get_facecolor())
        assert class_chart.contrast(to_hex(text.get_color()), background) >= 4.5, (text.get_text(), background)
    every = list(class_chart.COLOURS.values()) + class_chart.MISTAKE_PALETTE
    assert min(class_chart.contrast(class_chart.ink(c), c) for c in every) >= 4.5
    assert round(class_chart.contrast("#000000", "#ffffff"), 1) == 21.0


def test_the_chart_file_is_written_with_the_umask_and_only_when_there_is_an_exercise(tmp_path):
    previous = os.umask(0o022)
    try:
        assert class_chart.write(str(tmp_path / "c.png"), _tally(), 2)
        assert not class_chart.write(str(tmp_path / "none.png"), {}, 2)
    finally:
        os.umask(previous)
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert stat.S_IMODE((tmp_path / "c.png").stat().st_mode) == 0o644 and not (tmp_path / "none.png").exists()
