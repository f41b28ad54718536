"""The notebook scripts (scripts/ is on sys.path through pytest's `pythonpath` setting) and the
repository's pytest + nbval set-up (conftest.py, nbval_sanitize.cfg)."""

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

import _notebooks as nbs
import make_lessons
import run_solutions
from make_lessons import MarkerError, make_lesson, strip_code, strip_markdown

ROOT = Path(__file__).resolve().parent.parent


def notebook(*cells):
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell(c) if isinstance(c, str) else c for c in cells]
    return nb


def lines(text):
    return text.split("\n")


# --- code placeholders -------------------------------------------------------------------------


def test_indented_block_becomes_raise_naming_the_function():
    source = (
        "def dense_backward(dvalues, inputs,\n"
        "                   weights):\n"
        "    # dvalues: (batch, n_neurons) -> dinputs: (batch, n_inputs)\n"
        "    ### BEGIN SOLUTION\n"
        "    dinputs = dvalues @ weights.T\n"
        "    return dinputs\n"
        "    ### END SOLUTION"
    )
    assert lines(strip_code(source)) == [
        "def dense_backward(dvalues, inputs,",
        "                   weights):",
        "    # dvalues: (batch, n_neurons) -> dinputs: (batch, n_inputs)",
        '    raise NotImplementedError("Exercise: dense_backward — replace this line with your code")',
    ]


def test_block_in_a_method_names_the_method_and_keeps_its_indentation():
    source = (
        "class Layer_Dense:\n"
        "    def forward(self, inputs):\n"
        "        self.output = inputs @ self.weights\n"
        "\n"
        "    def backward(self, dvalues):\n"
        "        if True:\n"
        "            ### BEGIN SOLUTION\n"
        "            self.dinputs = dvalues @ self.weights.T\n"
        "            ### END SOLUTION\n"
        "        return None"
    )
    assert lines(strip_code(source))[5:] == [
        "        if True:",
        '            raise NotImplementedError("Exercise: backward — replace this line with your code")',
        "        return None",
    ]


def test_indented_block_outside_any_def_gets_the_generic_message():
    source = "for i in range(3):\n    ### BEGIN SOLUTION\n    print(i)\n    ### END SOLUTION"
    assert lines(strip_code(source))[1] == '    raise NotImplementedError("Exercise: replace this line with your code")'


def test_block_directly_in_a_class_body_is_an_error():
    source = "class Optimizer_SGD:\n    ### BEGIN SOLUTION\n    rate = 1.0\n    ### END SOLUTION"
    with pytest.raises(MarkerError, match="class Optimizer_SGD"):
        strip_code(source)


def test_top_level_block_becomes_one_placeholder_per_assigned_name():
    source = (
        "x = [1.0, -2.0, 3.0]\n"
        "### BEGIN SOLUTION\n"
        "dx, dw, db = backward(x)\n"
        "total: float = 0.0\n"
        "total += 1\n"
        "dx = dx * 2\n"
        "layer.weights = 3\n"
        "for i in range(3):\n"
        "    inner = i\n"
        "### END SOLUTION\n"
        "print(dx)"
    )
    assert lines(strip_code(source)) == [
        "x = [1.0, -2.0, 3.0]",
        "dx = ...  # YOUR CODE HERE",
        "dw = ...  # YOUR CODE HERE",
        "db = ...  # YOUR CODE HERE",
        "total = ...  # YOUR CODE HERE",
        "print(dx)",
    ]


def test_top_level_block_without_assignment_becomes_a_comment():
    source = "### BEGIN SOLUTION\nprint(np.dot(dvalues[0], weights.T))\n### END SOLUTION"
    assert strip_code(source) == "# YOUR CODE HERE"


def test_several_blocks_in_one_cell_and_text_around_them_kept():
    source = (
        "a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\n"
        "def f():\n    ### BEGIN SOLUTION\n    return 3\n    ### END SOLUTION\n"
    )
    assert strip_code(source) == (
        "a = 1\nb = ...  # YOUR CODE HERE\n"
        'def f():\n    raise NotImplementedError("Exercise: f — replace this line with your code")\n'
    )


def test_cell_without_markers_is_unchanged():
    source = "import numpy as np\n\nnp.arange(3)  # BEGIN nothing\n"
    assert strip_code(source) == source


def test_top_level_block_that_is_not_python_on_its_own_is_an_error():
    with pytest.raises(MarkerError, match="not valid Python"):
        strip_code("### BEGIN SOLUTION\n    x = 1\n### END SOLUTION")


# --- markdown placeholders -----------------------------------------------------------------------


def test_markdown_block_becomes_your_answer_here():
    source = (
        "**Why does the gradient vanish?**\n"
        "<!-- BEGIN SOLUTION -->\n"
        "Because ReLU is flat for z <= 0.\n"
        "\n"
        "So nothing flows back.\n"
        "<!-- END SOLUTION -->\n"
        "Next: batches."
    )
    assert lines(strip_markdown(source)) == [
        "**Why does the gradient vanish?**",
        "*Your answer here.*",
        "Next: batches.",
    ]


def test_code_markers_in_markdown_are_left_alone():
    source = "Answers sit between `### BEGIN SOLUTION` and `### END SOLUTION`."
    assert strip_markdown(source) == source


# --- unbalanced markers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "without a BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n### END SOLUTION", "cannot nest"),
        ("## BEGIN SOLUTION\nx = 1\n### END SOLUTION", "malformed"),
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION  # done", "malformed"),
    ],
)
def test_unbalanced_code_markers_name_notebook_and_cell(source, message):
    nb = notebook("import numpy as np", source)
    with pytest.raises(MarkerError, match=message) as error:
        make_lesson(nb, "03_batched_dense")
    assert f"03_batched_dense, cell 2 (id {nb.cells[1].id})" in str(error.value)


def test_unbalanced_markdown_markers_are_an_error():
    nb = notebook(v4.new_markdown_cell("<!-- BEGIN SOLUTION -->\nanswer"))
    with pytest.raises(MarkerError, match="01_chain_rule_one_neuron, cell 1.*never closed"):
        make_lesson(nb, "01_chain_rule_one_neuron")


def test_cli_reports_unbalanced_markers_and_exits_non_zero(tmp_path, capsys):
    save(notebook("### BEGIN SOLUTION\nx = 1"), tmp_path / "solutions" / "02_layer_dinputs_one_sample.ipynb")
    assert make_lessons.main(["--root", str(tmp_path)]) == 2
    assert "02_layer_dinputs_one_sample, cell 1" in capsys.readouterr().err
    assert not (tmp_path / "lessons").exists()


# --- the lesson notebook -----------------------------------------------------------------------------


def solved_notebook():
    code = v4.new_code_cell(
        "def relu_backward(dvalues, z):\n    ### BEGIN SOLUTION\n    return dvalues * (z > 0)\n    ### END SOLUTION",
        execution_count=3,
        outputs=[v4.new_output("stream", name="stdout", text="done\n")],
        metadata={"execution": {"iopub.execute_input": "2025-01-01T00:00:00Z"}, "tags": ["exercise"]},
    )
    value = v4.new_code_cell("### BEGIN SOLUTION\nmask = z > 0\n### END SOLUTION\nmask", execution_count=4)
    nb = notebook(v4.new_markdown_cell("# ReLU"), code, value)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.7"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
    }
    return nb


def test_lesson_clears_outputs_and_run_metadata_and_keeps_ids_and_tags():
    solution = solved_notebook()
    before = nbs.dumps(solution)
    lesson = make_lesson(solution, "04_relu_backward")
    assert nbs.dumps(solution) == before, "make_lesson must not modify the solution"
    assert [c.id for c in lesson.cells] == [c.id for c in solution.cells]
    for cell in lesson.cells[1:]:
        assert cell.outputs == [] and cell.execution_count is None
    assert lesson.cells[1].metadata == {"tags": ["exercise"]}
    assert "widgets" not in lesson.metadata
    assert lesson.metadata.kernelspec.name == "python3"
    assert "version" not in lesson.metadata.language_info
    assert lesson.metadata.course == {
        "lesson": "lesson04",
        "notebook": "04_relu_backward",
        "source": "solutions/04_relu_backward.ipynb",
    }
    nbformat.validate(lesson)


def test_lesson_code_runs_and_placeholders_mean_not_attempted():
    lesson = make_lesson(solved_notebook(), "04_relu_backward")
    namespace = {"z": 1}
    for cell in lesson.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "<cell>", "exec"), namespace)
    assert namespace["mask"] is Ellipsis
    with pytest.raises(NotImplementedError, match="Exercise: relu_backward"):
        namespace["relu_backward"](None, None)


def test_lesson_takes_course_from_stamped_solution_without_a_name():
    solution = solved_notebook()
    solution.metadata["course"] = nbs.course_info("04_relu_backward")
    assert make_lesson(solution).metadata.course == solution.metadata.course


def test_same_solution_gives_byte_identical_lesson():
    solution = solved_notebook()
    first = nbs.dumps(make_lesson(solution, "04_relu_backward"))
    second = nbs.dumps(make_lesson(nbformat.reads(nbs.dumps(solution), 4), "04_relu_backward"))
    assert first == second
    assert first.endswith("}\n")


def test_old_notebook_without_cell_ids_gets_stable_ids():
    old = solved_notebook()
    old.nbformat_minor = 4
    for cell in old.cells:
        del cell["id"]
    ids = [c.id for c in make_lesson(old, "04_relu_backward").cells]
    assert ids == [c.id for c in make_lesson(old, "04_relu_backward").cells]
    assert len(set(ids)) == len(ids)


def test_course_info_needs_a_number_prefix():
    assert nbs.course_info("8_train")["lesson"] == "lesson08"
    with pytest.raises(ValueError, match="number prefix"):
        nbs.course_info("train_a_network")


# --- make_lessons command line -------------------------------------------------------------------------


def save(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def test_cli_writes_lessons_deterministically_and_checks_them(tmp_path, capsys):
    solution = save(solved_notebook(), tmp_path / "solutions" / "04_relu_backward.ipynb")
    save(solved_notebook(), tmp_path / "solutions" / "05_backward_pass_and_sgd.ipynb")
    solution_bytes = solution.read_bytes()
    lesson = tmp_path / "lessons" / "04_relu_backward.ipynb"

    assert make_lessons.main(["--root", str(tmp_path), "--check"]) == 1
    assert "missing: lessons/04_relu_backward.ipynb" in capsys.readouterr().out
    assert not lesson.exists(), "--check must write nothing"

    assert make_lessons.main(["--root", str(tmp_path)]) == 0
    first = lesson.read_bytes()
    assert make_lessons.main(["--root", str(tmp_path), "04"]) == 0
    assert "unchanged lessons/04_relu_backward.ipynb" in capsys.readouterr().out
    assert lesson.read_bytes() == first
    assert solution.read_bytes() == solution_bytes, "solutions are only written with --stamp-solutions"
    assert make_lessons.lesson_is_current(solution, lesson)
    assert make_lessons.main(["--root", str(tmp_path), "--check"]) == 0

    lesson.write_text(lesson.read_text().replace("raise NotImplementedError", "return 0  #"))
    save(notebook("1"), tmp_path / "lessons" / "09_orphan.ipynb")
    assert not make_lessons.lesson_is_current(solution, lesson)
    assert make_lessons.main(["--root", str(tmp_path), "--check"]) == 1
    out = capsys.readouterr().out
    assert "out of date: lessons/04_relu_backward.ipynb" in out
    assert "no solution: lessons/09_orphan.ipynb" in out
    assert "python scripts/make_lessons.py" in out


def test_cli_stamps_solutions_only_when_asked(tmp_path):
    solution = save(solved_notebook(), tmp_path / "solutions" / "04_relu_backward.ipynb")
    assert make_lessons.main(["--root", str(tmp_path), "--stamp-solutions", "solutions/04_relu_backward.ipynb"]) == 0
    assert nbs.read(solution).metadata.course == nbs.course_info("04_relu_backward")
    assert make_lessons.main(["--root", str(tmp_path), "--check"]) == 0


def test_cli_rejects_unknown_notebook_names(tmp_path, capsys):
    save(solved_notebook(), tmp_path / "solutions" / "04_relu_backward.ipynb")
    assert make_lessons.main(["--root", str(tmp_path), "07_nope"]) == 2
    assert "07_nope" in capsys.readouterr().err


# --- run_solutions ---------------------------------------------------------------------------------------


def test_strip_volatile_removes_run_metadata_and_fixes_widget_ids():
    nb = notebook("w")
    nb.metadata = {"language_info": {"name": "python", "version": "3.11.7"}, "widgets": {}}
    nb.cells[0].metadata = {"execution": {"iopub.status.idle": "now"}, "ExecuteTime": {}, "tags": ["x"]}
    view = {"model_id": "0123456789abcdef0123456789abcdef", "version_major": 2, "version_minor": 0}
    nb.cells[0].outputs = [v4.new_output("display_data", data={run_solutions.WIDGET_VIEW: view, "text/plain": "w"})]
    twice = [run_solutions.strip_volatile(copy.deepcopy(nb), "03_batched_dense") for _ in range(2)]
    assert nbs.dumps(twice[0]) == nbs.dumps(twice[1])
    stripped = twice[0]
    assert stripped.metadata == {"language_info": {"name": "python"}, "kernelspec": nbs.KERNELSPEC}
    assert stripped.cells[0].metadata == {"tags": ["x"]}
    assert stripped.cells[0].outputs[0].data[run_solutions.WIDGET_VIEW]["model_id"] != view["model_id"]


def test_strip_volatile_joins_split_stream_outputs():
    nb = notebook("print('a'); print('b')")
    nb.cells[0].outputs = [
        v4.new_output("stream", name="stdout", text="a\n"),
        v4.new_output("stream", name="stdout", text="b\nepoch 1\repoch 2\n"),
        v4.new_output("stream", name="stderr", text="warning\n"),
        v4.new_output("stream", name="stdout", text="c\n"),
    ]
    outputs = run_solutions.strip_volatile(nb, "08_train_a_network").cells[0].outputs
    assert [(o.name, o.text) for o in outputs] == [
        ("stdout", "a\nb\nepoch 2\n"),
        ("stderr", "warning\n"),
        ("stdout", "c\n"),
    ]


def test_run_solutions_executes_in_place_and_names_a_failing_cell(tmp_path, monkeypatch, capsys):
    # run_solutions sets these for its kernels; monkeypatch restores them for the other tests.
    for key in ("BACKPROP_PROGRESS_FILE", "IPYTHONDIR"):
        monkeypatch.setenv(key, "unset")
    monkeypatch.setenv("BACKPROP_STRICT", "1")  # not passed on: solutions run without --strict
    good = save(
        notebook(
            "import os\nprint(os.path.basename(os.getcwd()), repr(os.environ['BACKPROP_STRICT']))",
            "import os\nprint(os.path.relpath(os.environ['BACKPROP_PROGRESS_FILE'], '..'))",
        ),
        tmp_path / "solutions" / "01_chain_rule_one_neuron.ipynb",
    )
    bad = save(notebook("x = 1", "", "x / 0"), tmp_path / "solutions" / "02_layer_dinputs_one_sample.ipynb")
    bad_bytes = bad.read_bytes()

    assert run_solutions.main(["--root", str(tmp_path), "--timeout", "60"]) == 1
    err = capsys.readouterr().err
    assert "solutions/02_layer_dinputs_one_sample.ipynb: cell 3" in err
    assert "ZeroDivisionError" in err
    assert bad.read_bytes() == bad_bytes, "a failing notebook is not written"
    ran = nbs.read(good)
    assert [c.execution_count for c in ran.cells] == [1, 2]
    assert ran.cells[0].outputs[0].text == "solutions ''\n"
    assert ran.cells[1].outputs[0].text == "artifacts/run-solutions-progress.json\n"

    assert run_solutions.main(["--root", str(tmp_path), "01"]) == 0
    assert "unchanged solutions/01_chain_rule_one_neuron.ipynb" in capsys.readouterr().out


# --- the repository's pytest + nbval set-up --------------------------------------------------------------


def test_pytest_runs_solutions_strictly_and_lessons_laxly(tmp_path):
    """A throwaway copy of the set-up: what must fail fails, and what may differ passes."""
    for name in ("conftest.py", "nbval_sanitize.cfg"):
        shutil.copy(ROOT / name, tmp_path / name)
    pyproject = (ROOT / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(pyproject[pyproject.index("[tool.pytest.ini_options]") :])
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_env.py").write_text(
        "import os\n\ndef test_progress_file_is_under_artifacts():\n"
        "    assert '/artifacts/pytest-progress-' in os.environ['BACKPROP_PROGRESS_FILE']\n"
        "    assert os.environ['BACKPROP_STRICT'] == ''\n"
    )

    def stored(source, text):
        return v4.new_code_cell(
            source, execution_count=1, outputs=[v4.new_output("execute_result", data={"text/plain": text})]
        )

    env = "import os\nos.environ['BACKPROP_PROGRESS_FILE'].split('/artifacts/')[1], os.environ['BACKPROP_STRICT']"
    save(
        notebook(stored("object()", "<object at 0x7f0011223344>"), stored(env, "('nbval-progress/solutions-01_a.json', '')")),
        tmp_path / "solutions" / "01_a.ipynb",
    )
    save(notebook(stored("1 + 1", "3")), tmp_path / "solutions" / "02_differs.ipynb")
    save(notebook(stored("1 + 1", "3"), v4.new_code_cell("x = ...")), tmp_path / "lessons" / "01_a.ipynb")
    save(notebook("x = 1", "raise NotImplementedError('blank')"), tmp_path / "lessons" / "03_raises.ipynb")
    save(notebook(stored("# NBVAL_CHECK_OUTPUT\n1 + 1", "3")), tmp_path / "lessons" / "04_checked.ipynb")
    save(notebook("1 / 0"), tmp_path / "tests" / "fixtures" / "not_collected.ipynb")

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rfEp", "--color=no"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items()
             if k not in ("BACKPROP_STRICT", "PYTEST_XDIST_WORKER", "BACKPROP_TEST_ARTIFACTS")},
        timeout=600,
    )
    out = result.stdout
    assert result.returncode == 1, out
    failed = sorted(line.split()[1] for line in out.splitlines() if line.startswith("FAILED "))
    assert failed == [
        "lessons/03_raises.ipynb::Cell",
        "lessons/04_checked.ipynb::Cell",
        "solutions/02_differs.ipynb::Cell",
    ], out
    for passed in ("solutions/01_a.ipynb::Cell 0", "solutions/01_a.ipynb::Cell 1", "lessons/01_a.ipynb::Cell 0"):
        assert f"PASSED {passed}" in out, out
    assert "PASSED tests/test_env.py::test_progress_file_is_under_artifacts" in out
    assert "not_collected" not in out
    assert (tmp_path / "artifacts").is_dir()
