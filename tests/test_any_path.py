"""Any path through a lesson, in a real kernel: re-running cells and running them out of order never loses
the learner's work, never blames them for the course's code, and a cell run too early says what to run first.

Each test opens a notebook in a Jupyter kernel (tests/kernel_session.py) and runs its real cells in the order
a learner might.
"""
from __future__ import annotations

import ast
import re

import nbformat
import pytest

from checks.engine.exercise import REGISTRY
from tests.kernel_session import ROOT, KernelSession

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_lesson09_rerunning_the_class_cell_keeps_backward():
    with KernelSession("solutions/09_autograd.ipynb") as lesson:
        lesson.run_until("check.backward(Value)")
        shown, error = lesson.run("class Value")          # "rerun this cell after each change"
        assert error is None
        shown, error = lesson.run("check.backward(Value)")
        assert error is None and "✔ Correct" in shown, shown
        shown, error = lesson.run("x = [Value(v) for v in (1.0, -2.0, 3.0)]")   # the first bridge cell
        assert "Finish" not in shown and "dx = [-3.0, -1.0, 2.0]" in shown, shown


def test_lesson09_class_cell_run_before_backward_exists_defines_value_without_it():
    with KernelSession("lessons/09_autograd.ipynb") as lesson:
        lesson.run("from checks import lesson09")
        shown, error = lesson.run("class Value")
        assert error is None, shown
        shown, _ = lesson.run("check.backward(Value)")
        assert "Value.backward = backward" in shown and "inside `class Value`" not in shown, shown


def test_lesson09_backward_twice_shown_with_the_learners_value():
    with KernelSession("solutions/09_autograd.ipynb") as lesson:
        lesson.run_until("check.backward(Value)")
        shown, error = lesson.run("def zero_grads(root)")
        assert error is None
        lines = {line.split(".grad")[0]: line for line in shown.splitlines() if ".grad" in line}
        # y = a*b + a at a = 2, b = -3: once a.grad = b + 1 = -2; a second pass adds 1 + b * (c.grad = 2) = -5.
        assert "after one backward():    -2   after a second:    -7" in lines["a"], shown
        assert "after one backward():     1   after a second:     2" in lines["c"], shown
        assert "first gives the right ones again: True" in shown
        # A backward() that zeroes the graph itself first: the demo says so instead.
        lesson.run_source(
            "_course_backward = Value.backward\n"
            "def backward(self):\n"
            "    zero_grads(self)\n"
            "    _course_backward(self)\n"
            "Value.backward = backward")
        shown, _ = lesson.run("def zero_grads(root)")
        assert "starts over by itself" in shown, shown


def test_lesson04_pitfall_demos_leave_the_learners_drelu_alone():
    with KernelSession("solutions/04_relu_backward.ipynb") as lesson:
        lesson.run_until("check.drelu(drelu)")
        lesson.run("# integers, because z is")
        lesson.run("except TypeError as error")
        shown, error = lesson.run("check.drelu(drelu)")
        assert error is None and "✔ Correct" in shown, shown


def gated_and_check_cells():
    """(lesson, the exercise names its cell needs, text of the cell) for every gated cell and value check
    that needs an exercise cell above it."""
    import checks.lesson01, checks.lesson02, checks.lesson03, checks.lesson04, checks.lesson05  # noqa: F401,E401
    import checks.lesson06, checks.lesson07, checks.lesson08, checks.lesson09  # noqa: F401,E401
    cases = []
    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        lesson = f"lesson{path.name[:2]}"
        names = {info.answer_name for info in REGISTRY.values() if info.lesson == lesson}
        defined_above = set()
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            defined = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            defined |= {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            needed = (names & used & defined_above) - defined
            if needed and ("checks.ready(" in cell.source or cell.source.startswith("check.")):
                cases.append(pytest.param(path.name, sorted(needed), cell.source, id=f"{path.name[:2]}-cell{index}"))
            defined_above |= names & defined
    return cases


CASES = gated_and_check_cells()


def test_every_lesson_has_cells_that_need_an_earlier_exercise():
    lessons = {case.values[0][:2] for case in CASES}
    assert lessons == {"01", "02", "03", "04", "05", "06", "07", "08", "09"}, lessons


@pytest.mark.parametrize("notebook", sorted({case.values[0] for case in CASES}))
def test_a_cell_run_before_its_exercise_says_which_to_finish(notebook):
    """Each such cell right after the lesson's first cell (its imports), before any exercise: one kernel a lesson."""
    with KernelSession(f"lessons/{notebook}") as lesson:
        lesson._execute(lesson.code_cells[0])
        for _, names, source in (case.values for case in CASES if case.values[0] == notebook):
            shown, error = lesson._execute(lesson.cell(source))
            where = f"the cell {source[:60]!r}"
            assert any(f"Finish `{name}` first" in shown for name in names) or "Run the cells above first" in shown, \
                (where, shown)
            assert "Traceback" not in shown and "NameError" not in shown, (where, shown)
            if "Finish `" in shown:   # names the exercise's check, never a call with other arguments than its own
                assert "the cell that calls check." in shown and not re.search(r"check\.\w+\(", shown), (where, shown)
            assert error == "NameError", where         # the cell still stops "Run All", as any error does


def test_a_course_name_from_a_cell_not_run_yet_says_which_to_run():
    with KernelSession("solutions/09_autograd.ipynb") as lesson:
        lesson.run_until("check.backward(Value)")
        shown, error = lesson.run("if checks.ready(check.backward, Value):\n    X, W, B = as_values(inputs)")
        assert error == "NameError" and "Run the cells above first" in shown and "`as_values`" in shown, shown
        assert '"Lesson 2: one sample through a layer"' in shown and "Traceback" not in shown, shown


def test_other_name_errors_keep_pythons_own_traceback():
    with KernelSession("lessons/03_batched_dense.ipynb") as lesson:
        lesson.run("from checks import lesson03")
        shown, error = lesson.run_source("dinptus")           # a typo of the learner's
        assert error == "NameError" and "name 'dinptus' is not defined" in shown and "Finish" not in shown
        shown, error = lesson.run_source("def mine():\n    return weigths\nmine()")   # inside their function
        assert error == "NameError" and "name 'weigths' is not defined" in shown and "Run the cells" not in shown
        shown, error = lesson.run_source("import json\njson.loads('[]').missing_name")
        assert error == "AttributeError"


# Lesson 8's class cell is where the lesson asks learners to paste their own classes over the course's.
PASTE_OVER = {("08", "Layer_Dense"), ("08", "Activation_ReLU"), ("08", "Optimizer_SGD")}


def test_course_cells_never_assign_a_name_an_exercise_defines():
    """A course cell (one without an answer block) that assigns an exercise's name would overwrite the
    learner's answer whenever it is re-run, and the check would then blame the learner for it."""
    from checks.engine.name_help import _top_level_names

    gated_and_check_cells()   # imports every lesson's checks
    found = []
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        number = path.name[:2]
        names = {info.answer_name for info in REGISTRY.values() if info.lesson == f"lesson{number}"}
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and "### BEGIN SOLUTION" not in cell.source:
                found += [(path.name, name, cell.source[:60]) for name in names & _top_level_names(cell.source)
                          if (number, name) not in PASTE_OVER]
    assert not found, found


def test_lesson02_rerunning_the_books_sums_leaves_the_learners_dinputs_alone():
    with KernelSession("solutions/02_layer_dinputs_one_sample.ipynb") as lesson:
        lesson.run_until("check.dinputs(dinputs)")
        lesson.run("dx0 = sum([weights[0][0]")
        lesson.run("dx0 = sum(weights[0] * dvalues[0])")
        shown, error = lesson.run("check.dinputs(dinputs)")
        assert error is None and "✔ Correct" in shown, shown
