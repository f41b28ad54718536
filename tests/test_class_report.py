"""What the class got wrong (issue 11, part 1): one grading run over a small folder of lesson-3
submissions (right, blank, two wrong answers of known kinds, one that showed every hint, one broken
file), then the detail CSV, the report's counts and its chart. Plus the report rendered from made-up
grades, for what a run with kernels would cost too much to show."""
from __future__ import annotations

import struct
import zlib

import pytest

from checks.engine.result import Result
from checks.grade import class_report, mistakes
from checks.grade.grade_one import Grade
from tests import submissions_util as subs

SOLUTION = "solutions/03_batched_dense.ipynb"
LESSON = "lessons/03_batched_dense.ipynb"
EXERCISE = "lesson03.dense_backward"


def _answer(body: str):
    return subs.replace_cell(subs.notebook(SOLUTION), "def dense_backward", "def dense_backward(dvalues, inputs, weights):\n" + body)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    subs.write(base, "class/right.ipynb", subs.notebook(SOLUTION))
    subs.write(base, "class/blank.ipynb", subs.notebook(LESSON))
    subs.write(base, "class/transposed.ipynb", _answer(
        "    return dvalues @ weights.T, dvalues.T @ inputs, np.sum(dvalues, axis=0, keepdims=True)"))
    subs.write(base, "class/keepdims.ipynb", _answer(
        "    return dvalues @ weights.T, inputs.T @ dvalues, np.sum(dvalues, axis=0)"))
    subs.write(base, "class/hints.ipynb", subs.append(subs.notebook(SOLUTION),
                                                      'for _ in range(9):\n    check.hint("dense_backward")'))
    subs.write(base, "class/broken.ipynb", '{"cells": [')
    run = subs.grade(base, "class")
    out = base / "out"
    return {"run": run, "detail": subs.read_csv(out / "grades_detail.csv"),
            "report": (out / "grades_report.md").read_text(encoding="utf-8"), "chart": out / "grades_report.png"}


def _row(graded, name):
    (row,) = [r for r in graded["detail"] if r["notebook"] == f"{name}.ipynb"]  # relative to the folder graded
    return row


def test_detail_has_one_row_per_submission_and_exercise(graded):
    assert graded["run"].returncode == 0, graded["run"].stderr
    assert list(graded["detail"][0]) == class_report.DETAIL_COLUMNS
    assert len(graded["detail"]) == 6
    assert {r["exercise"] for r in graded["detail"] if r["status"] == "graded"} == {EXERCISE}


def test_detail_rows_give_outcome_and_diagnosis(graded):
    right, blank = _row(graded, "right"), _row(graded, "blank")
    assert (right["outcome"], right["points"], right["max_points"], right["diagnosis"]) == ("correct", "3", "3", "")
    assert (right["parts_passed"], right["parts_failed"]) == ("dinputs;dweights;dbiases", "")
    assert (blank["outcome"], blank["points"], blank["max_points"]) == ("not_attempted", "0", "3")
    assert (blank["parts_passed"], blank["parts_failed"]) == ("", "dinputs;dweights;dbiases")
    transposed = _row(graded, "transposed")  # dweights transposed: the other two gradients keep their points
    assert (transposed["outcome"], transposed["part"], transposed["diagnosis"], transposed["points"]) == (
        "incorrect", "dweights", "transposed", "2")
    assert (transposed["parts_passed"], transposed["parts_failed"]) == ("dinputs;dbiases", "dweights")
    keepdims = _row(graded, "keepdims")  # a mistake in dbiases keeps dinputs and dweights
    assert (keepdims["outcome"], keepdims["part"], keepdims["diagnosis"]) == ("incorrect", "dbiases", "missing_keepdims")
    assert (keepdims["points"], keepdims["parts_passed"], keepdims["parts_failed"]) == ("2", "dinputs;dweights", "dbiases")
    broken = _row(graded, "broken")
    assert (broken["status"], broken["exercise"], broken["outcome"], broken["points"]) == (
        "error: invalid JSON", "", "not_graded", "0")


def test_solution_viewed_only_where_the_run_reached_the_last_hint(graded):
    assert _row(graded, "hints")["solution_viewed"] == "yes"
    assert {r["solution_viewed"] for r in graded["detail"] if r["notebook"] != "hints.ipynb"} == {""}


def test_report_counts_passes_outcomes_and_mistakes_in_learner_words(graded):
    report = graded["report"]
    assert f"## {EXERCISE}: " in report
    assert "**2 of 5 submissions passed** (40%)" in report  # the broken file has no lesson, so no exercise
    assert "| ✔ Correct | 2 |" in report
    assert "| ✘ Not yet right | 2 |" in report
    assert "| … Not attempted yet | 1 |" in report
    # right 3, blank 0, transposed 2, keepdims 2, hints (the solution) 3
    assert ("Points: 10 of 15 (3 a submission). Submissions with each part right: dinputs 4, dweights 3, "
            "dbiases 3.") in report
    assert f"| {mistakes.describe('transposed')} (`transposed`) | 1 |" in report
    assert f"| {mistakes.describe('missing_keepdims')} (`missing_keepdims`) | 1 |" in report
    assert "The graded run of 1 submission showed the pointer to the solution" in report
    assert "| broken.ipynb | error: invalid JSON |" in report
    assert "![Outcomes and mistakes by exercise](grades_report.png)" in report


def test_whole_exercises_keeps_all_or_nothing_scoring(tmp_path):
    """--whole-exercises: lesson 3's dense_backward is one point, only when all three gradients are right."""
    subs.write(tmp_path, "class/right.ipynb", subs.notebook(SOLUTION))
    subs.write(tmp_path, "class/keepdims.ipynb", _answer(
        "    return dvalues @ weights.T, inputs.T @ dvalues, np.sum(dvalues, axis=0)"))
    run = subs.grade(tmp_path, "class", options=("--whole-exercises",))
    assert run.returncode == 0, run.stderr
    rows = {r["notebook"]: r for r in subs.read_csv(tmp_path / "out" / "grades.csv")}
    columns = [EXERCISE, "score", "max_score", "percent"]
    assert [rows["right.ipynb"][c] for c in columns] == ["1", "1", "1", "100"]
    assert [rows["keepdims.ipynb"][c] for c in columns] == ["0", "0", "1", "0"]
    keepdims = next(r for r in subs.read_csv(tmp_path / "out" / "grades_detail.csv")
                    if r["notebook"] == "keepdims.ipynb")
    # the parts are still reported as judged; only the points are all or nothing
    assert (keepdims["points"], keepdims["max_points"], keepdims["parts_passed"]) == ("0", "1", "dinputs;dweights")


def test_chart_is_a_valid_png(graded):
    data = graded["chart"].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):  # every chunk's CRC is right, and the file ends with IEND
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks.append(kind)
        position += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND" and b"IDAT" in chunks
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 600 and height >= 150


# ---- the report from made-up grades: no kernels ----

def _grade(name, lesson, results, status="graded", viewed=()):
    exercises = list(results)
    built = {e: Result(e, *r) for e, r in results.items() if r is not None}
    return Grade(name, lesson, status, "", exercises, built, solution_viewed={e: True for e in viewed})


def test_mistakes_are_ranked_and_no_message_reaches_the_report():
    secret = "print('my password is hunter2')"
    wrong = ("incorrect", f"Your line {secret} is wrong.", "dweights")
    grades = [
        _grade("a.ipynb", "lesson03", {EXERCISE: (*wrong, "transposed")}),
        _grade("b.ipynb", "lesson03", {EXERCISE: (*wrong, "transposed")}),
        _grade("c.ipynb", "lesson03", {EXERCISE: (*wrong, "wrong_sign")}),
        _grade("d.ipynb", "lesson03", {EXERCISE: ("incorrect", secret, "dinputs", None)}, viewed=[EXERCISE]),
        _grade("e.ipynb", "lesson03", {EXERCISE: ("raised", secret, None, "raised")}),
        _grade("f.ipynb", "lesson03", {EXERCISE: None}, status="timeout"),
    ]
    report = class_report.render_report(grades, None)
    assert secret not in report and "hunter2" not in report
    assert "**0 of 6 submissions passed** (0%)" in report
    table = report.split("Most common mistakes:", 1)[1]
    order = [table.index(mistakes.describe(k)) for k in ("transposed", "wrong_sign", None)]
    assert order == sorted(order)  # 2, then 1 and 1 (a named kind before no kind)
    assert f"| {mistakes.describe('transposed')} (`transposed`) | 2 |" in table
    assert f"| {mistakes.NO_KIND} | 1 |" in table
    assert "| ⚠ Your code raised an error | 1 |" in report
    assert "| ■ Notebook not graded | 1 |" in report
    assert "| f.ipynb | timeout |" in report
    detail = class_report.render_detail(grades)
    assert secret not in detail
    assert "d.ipynb,lesson03,graded,lesson03.dense_backward,incorrect,dinputs,,0,3,,,yes" in detail


def test_several_lessons_each_get_their_own_section_and_a_kernel_that_stopped_is_counted():
    grades = [
        _grade("one.ipynb", "lesson01", {"lesson01.neuron_backward": ("correct", "Well done.")}),
        _grade("six.ipynb", "lesson06", {"lesson06.Layer_Dense": ("correct", "ok"), "lesson06.Activation_ReLU": None}),
    ]
    report = class_report.render_report(grades, "x.png")
    assert report.index("## lesson01.neuron_backward") < report.index("## lesson06.Layer_Dense")
    relu = report.split("## lesson06.Activation_ReLU", 1)[1]
    assert "**0 of 1 submission passed**" in relu and "| ? Not checked | 1 |" in relu
    assert "six.ipynb,lesson06,graded,lesson06.Activation_ReLU,not_checked,,kernel_stopped,0,2," in (
        class_report.render_detail(grades))


def test_not_checked_is_its_own_outcome_never_counted_as_not_yet_right():
    not_checked = ("not_checked", "backward() could not be checked ...", "backward", "graph_not_built")
    grades = [_grade("a.ipynb", "lesson09", {"lesson09.backward": not_checked}),
              _grade("b.ipynb", "lesson09", {"lesson09.backward": ("incorrect", "...", "backward", "wrong_visit_order")})]
    report = class_report.render_report(grades, None)
    assert "| ? Not checked | 1 |" in report and "| ✘ Not yet right | 1 |" in report
    assert class_report.tally(grades)["lesson09.backward"]["mistakes"] == {"wrong_visit_order": 1}
    assert "a.ipynb,lesson09,graded,lesson09.backward,not_checked,backward,graph_not_built,0,1," in (
        class_report.render_detail(grades))


def _strings(node) -> set:
    """The string values an expression can have: a constant, or either branch of `a if test else b`."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def test_every_kind_the_checks_name_has_learner_words():
    import ast
    from pathlib import Path

    kinds = set()
    checks = Path(subs.ROOT) / "checks"
    # Every module of the checks in any folder (the commands, grade/ and release/, name no mistakes).
    for path in sorted(p for p in checks.rglob("*.py") if p.relative_to(checks).parts[0] not in ("grade", "release")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            named = getattr(node.func, "id", getattr(node.func, "attr", ""))
            parts = [k.value for k in node.keywords if k.arg == "diagnosis"]
            if named == "Mistake" and node.args:
                parts.append(node.args[0])
            for part in parts:
                kinds |= _strings(part)
    assert len(kinds) > 40
    assert sorted(kinds - set(mistakes.WORDS)) == []
    assert mistakes.describe("some_new_kind") == "some new kind"


def test_a_run_with_nothing_graded_writes_no_chart_and_lists_the_files(tmp_path):
    grades = [Grade("notes.ipynb", "", "error: no lesson"), Grade("x.ipynb", "", "error: invalid JSON")]
    paths = class_report.write(str(tmp_path / "grades.csv"), grades)
    assert not paths["chart"].exists()
    report = paths["report"].read_text(encoding="utf-8")
    assert "2 submissions: 0 graded, 2 not graded" in report and "![" not in report
    assert "| x.ipynb | error: invalid JSON |" in report
    assert len(subs.read_csv(paths["detail"])) == 2
