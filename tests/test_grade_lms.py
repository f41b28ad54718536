"""Submissions as LMSs return them, graded for real (issue 16, parts 2 and 5): one run of `python -m
checks.grade` over a folder given by its absolute path, holding Canvas-, Moodle- and Gradescope-named
lesson-3 submissions, a renamed one without metadata, a broken one named for lesson 3 and a notebook of no
lesson, under umask 022; then a second, small run with `--lesson 3`. Few kernels: four, then one."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from checks.grade.class_report import paths_for
from tests import submissions_util as subs

SOLUTION = "solutions/03_batched_dense.ipynb"
LESSON = "lessons/03_batched_dense.ipynb"
CANVAS = "canvas/smithjane_12345_678901_03_batched_dense-1.ipynb"
CANVAS_LATE = "canvas/doejohn_LATE_23456_789012_03_batched_dense.ipynb"
MOODLE = "moodle/Jane Roe_34567_assignsubmission_file_/my work.ipynb"
GRADESCOPE = "gradescope/assignment_77_export/submission_111/answers.ipynb"
GRADESCOPE_NOTES = "gradescope/assignment_77_export/submission_222/notes.ipynb"
RENAMED = "renamed/final (2).ipynb"


def _as_lms_returns(relative: str) -> nbformat.NotebookNode:
    """A course notebook whose course metadata an LMS stripped."""
    nb = nbformat.read(str(subs.ROOT / relative), as_version=4)
    nb.metadata.pop("course", None)
    return nb


def _notes() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np\nprint('my own experiments with arrays')")]
    return nb


def _command(base: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m checks.grade ARGS` in `base`, under umask 022 (the usual one)."""
    env = dict(os.environ, BACKPROP_PROGRESS_FILE=str(base / "instructor-progress.json"))
    return subprocess.run(
        [sys.executable, "-m", "checks.grade", *args, "--jobs", "2", "--quiet", "--cell-timeout", "30",
         "--notebook-timeout", "120", "--memory-mb", "1536"],
        cwd=base, env=env, capture_output=True, text=True, timeout=600, preexec_fn=lambda: os.umask(0o022))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("lms")
    export = base / "downloads"
    subs.write(export, CANVAS, _as_lms_returns(SOLUTION))
    subs.write(export, CANVAS_LATE, '{"cells": [')  # cut off: counts, at 0, in lesson 3
    wrong = subs.replace_cell(_as_lms_returns(SOLUTION), "def dense_backward", """
        def dense_backward(dvalues, inputs, weights):
            return dvalues @ weights.T, dvalues.T @ inputs, np.sum(dvalues, axis=0, keepdims=True)
    """)
    for cell in wrong.cells:  # as saved after a run: outputs stay in the file
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="04_relu_backward 09_autograd\n")]
    subs.write(export, MOODLE, wrong)
    subs.write(export, GRADESCOPE, _as_lms_returns(LESSON))
    subs.write(export, GRADESCOPE_NOTES, _notes())
    subs.write(export, "gradescope/assignment_77_export/submission_metadata.yml",
               "submission_111:\n  :submitters:\n  - :name: Sam Poe\n    :sid: '42'\n  :score: 0.0\n"
               "submission_222:\n  :submitters: []\n")
    subs.write(export, RENAMED, _as_lms_returns(SOLUTION))
    out = base / "out"
    run = _command(base, str(export), "--out", str(out / "grades.csv"))  # the folder by its absolute path
    return {"run": run, "base": base, "out": out, "rows": {r["notebook"]: r for r in subs.read_csv(out / "grades.csv")}}


def test_every_submission_has_a_row_named_relative_to_the_folder_graded(graded):
    assert graded["run"].returncode == 0, graded["run"].stderr
    assert sorted(graded["rows"]) == sorted([CANVAS, CANVAS_LATE, MOODLE, GRADESCOPE, GRADESCOPE_NOTES, RENAMED])


def test_students_come_from_the_lms_names(graded):
    students = {name: row["student"] for name, row in graded["rows"].items()}
    assert students == {CANVAS: "smithjane", CANVAS_LATE: "doejohn", MOODLE: "Jane Roe", GRADESCOPE: "Sam Poe",
                        GRADESCOPE_NOTES: "submission_222", RENAMED: "renamed"}


def test_lessons_come_from_names_and_content_and_are_graded(graded):
    rows = graded["rows"]
    summary = {name: (row["lesson"], row["status"], row["lesson03.dense_backward"], row["score"])
               for name, row in rows.items()}
    assert summary == {
        CANVAS: ("lesson03", "graded", "3", "3"),  # the lesson's name inside Canvas's
        RENAMED: ("lesson03", "graded", "3", "3"),  # no metadata, no name: its cells
        MOODLE: ("lesson03", "graded", "2", "2"),  # its cells, though edited and saved with outputs
        GRADESCOPE: ("lesson03", "graded", "0", "0"),  # the blank lesson, from its cells
        CANVAS_LATE: ("lesson03", "error: invalid JSON", "0", "0"),  # broken: the lesson its name says
        GRADESCOPE_NOTES: ("", "error: no lesson", "", "0"),
    }
    feedback = graded["out"] / "grades_feedback"
    assert "transpose" in (feedback / Path(MOODLE).with_suffix(".md")).read_text(encoding="utf-8")
    assert "Not attempted yet" in (feedback / Path(GRADESCOPE).with_suffix(".md")).read_text(encoding="utf-8")
    notes = (feedback / Path(GRADESCOPE_NOTES).with_suffix(".md")).read_text(encoding="utf-8")
    assert "error: no lesson" in notes and "its cells are not a lesson's" in notes


def test_a_broken_file_counts_in_its_lesson_in_the_report(graded):
    report = paths_for(str(graded["out"] / "grades.csv"))["report"].read_text(encoding="utf-8")
    assert "**2 of 5 submissions passed** (40%)" in report  # the broken Canvas file is the fifth
    assert "| ■ Notebook not graded | 1 |" in report
    assert f"| {CANVAS_LATE} | error: invalid JSON |" in report and f"| {GRADESCOPE_NOTES} | error: no lesson |" in report


def test_no_absolute_path_is_written_and_the_feedback_mirrors_relative_names(graded):
    out = graded["out"]
    written = [p for p in out.rglob("*") if p.is_file()]
    for path in written:
        if path.suffix in (".csv", ".md", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert str(graded["base"]) not in text and "/tmp" not in text, path
    mirrored = sorted(p.relative_to(out / "grades_feedback").as_posix() for p in (out / "grades_feedback").rglob("*.md"))
    assert mirrored == sorted(str(Path(n).with_suffix(".md")) for n in graded["rows"])


def test_every_file_written_is_readable_by_the_group_and_others(graded):
    written = [p for p in graded["out"].rglob("*") if p.is_file()]
    assert len(written) == 5 + len(graded["rows"])  # csv, detail, report, chart, summary; the feedback
    assert {p: oct(stat.S_IMODE(p.stat().st_mode)) for p in written} == {p: "0o644" for p in written}


def test_the_closing_line_names_every_file_written(graded):
    out = graded["out"]
    line = graded["run"].stderr.strip().splitlines()[-1]
    assert line.startswith("6 notebook(s), 4 graded; wrote ")
    for name in ("grades.csv", "grades_detail.csv", "grades_report.md", "grades_report.png", "grades_summary.txt"):
        assert str(out / name) in line, name
    assert line.endswith(f"and 6 feedback files in {out / 'grades_feedback'}{os.sep}")


def test_lesson_option_grades_every_submission_as_that_lesson(tmp_path):
    """--lesson 3: a notebook of no lesson is graded as lesson 3 (nothing attempted), a broken file with
    no lesson in its name counts in lesson 3, and a lesson-4 notebook is graded on lesson 3's exercise."""
    subs.write(tmp_path, "week3/notes.ipynb", _notes())
    subs.write(tmp_path, "week3/cut.ipynb", "not json")
    subs.write(tmp_path, "week3/04_relu_backward.ipynb", "{}")  # broken too: its name's lesson gives way
    run = _command(tmp_path, "week3", "--lesson", "03", "--out", "g.csv")
    assert run.returncode == 0, run.stderr
    rows = {r["notebook"]: r for r in subs.read_csv(tmp_path / "g.csv")}
    assert {n: (r["lesson"], r["status"], r["lesson03.dense_backward"]) for n, r in rows.items()} == {
        "notes.ipynb": ("lesson03", "graded", "0"),
        "cut.ipynb": ("lesson03", "error: invalid JSON", "0"),
        "04_relu_backward.ipynb": ("lesson03", "error: not a notebook", "0"),
    }
    assert "Not attempted yet: dense_backward" in (tmp_path / "g_feedback" / "notes.md").read_text(encoding="utf-8")


def test_feedback_option_puts_the_feedback_files_in_the_folder_named(tmp_path):
    """--feedback DIR (README "For instructors"): the feedback files mirror the submissions there, and no
    `<name>_feedback/` is written beside the CSV. Broken files only: no kernel starts."""
    subs.write(tmp_path, "subs/Jane Roe_34567_assignsubmission_file_/03.ipynb", '{"cells": [')
    subs.write(tmp_path, "subs/smithjane_12345_678901_03_batched_dense.ipynb", "")
    run = _command(tmp_path, "subs", "--lesson", "3", "--out", "out/week3.csv", "--feedback", "hand-back")
    assert run.returncode == 0, run.stderr
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md"))
    assert written == ["hand-back/Jane Roe_34567_assignsubmission_file_/03.md",
                       "hand-back/smithjane_12345_678901_03_batched_dense.md", "out/week3_report.md"]
    assert "Score: 0 of 3" in (tmp_path / "hand-back" / "smithjane_12345_678901_03_batched_dense.md").read_text()
    assert "2 feedback files in hand-back/" in run.stdout + run.stderr
