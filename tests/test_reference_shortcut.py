"""The shortcut of issue 11, part 5: an answer that calls the course's own numerical-gradient helpers
(checks.engine.reference, checks.engine.numeric) scores 0 for that exercise, and its feedback says why.

One grading run of a lesson-6 submission with three graded exercises: Layer_Dense calls
`dense_gradients` through a module alias bound in another cell, Activation_ReLU calls a copy of
`relu_gradient` made with types.FunctionType, and Optimizer_SGD is honest (while a demo cell of the
notebook itself calls the helpers, which is allowed). Plus the kernel-side guard on its own, in a
fresh interpreter, for what a grading run cannot easily show.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests import submissions_util as subs

HONEST_DEMO = """
    import numpy as np
    import checks.engine.reference as course
    demo = course.dense_gradients(np.ones((2, 3)), np.ones((2, 4)), np.ones((4, 3)))  # a gradient check: fine
"""
DENSE_WITH_HELPER = """
    class Layer_Dense:
        def __init__(self, n_inputs, n_neurons):
            self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
            self.biases = np.zeros((1, n_neurons))

        def forward(self, inputs):
            self.inputs = inputs
            self.output = inputs @ self.weights + self.biases

        def backward(self, dvalues):
            self.dinputs, self.dweights, self.dbiases = course.dense_gradients(dvalues, self.inputs, self.weights)
"""
RELU_WITH_COPY = """
    import types
    from checks.engine.reference import relu_gradient
    my_gradient = types.FunctionType(relu_gradient.__code__, relu_gradient.__globals__, "my_gradient")
    del relu_gradient

    class Activation_ReLU:
        def forward(self, inputs):
            self.inputs = inputs
            self.output = np.maximum(0, inputs)

        def backward(self, dvalues):
            self.dinputs = my_gradient(dvalues, self.inputs)
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("shortcut")
    nb = subs.notebook("solutions/06_layer_classes.ipynb")
    subs.insert_before(nb, "class Layer_Dense", HONEST_DEMO)
    subs.replace_cell(nb, "class Layer_Dense", DENSE_WITH_HELPER)
    subs.replace_cell(nb, "class Activation_ReLU", RELU_WITH_COPY)
    subs.write(base, "submissions/06_layer_classes.ipynb", nb)
    run = subs.grade(base, "submissions", jobs=1)
    rows = subs.read_csv(base / "out" / "grades.csv")
    feedback = (base / "out" / "grades_feedback" / "06_layer_classes.md").read_text(encoding="utf-8")
    return run, rows, feedback


def test_an_answer_that_calls_the_helpers_scores_zero_and_honest_ones_score(graded):
    run, rows, _ = graded
    assert run.returncode == 0, run.stderr
    (row,) = rows
    assert row["status"] == "graded"
    assert row["lesson06.Layer_Dense"] == "0"  # through a module alias
    assert row["lesson06.Activation_ReLU"] == "0"  # through a copy of the function
    assert row["lesson06.Optimizer_SGD"] == "1"  # honest, though a demo cell called the helpers
    assert row["score"] == "1"


def test_feedback_says_which_helper_and_why(graded):
    _, _, feedback = graded
    dense = feedback.split("Layer_Dense", 1)[1].split("## ", 1)[0]
    relu = feedback.split("Activation_ReLU", 1)[1].split("## ", 1)[0]
    assert "`checks.engine.reference.dense_gradients`" in dense and "scores 0" in dense
    assert "`checks.engine.reference.relu_gradient`" in relu and "scores 0" in relu
    assert "numerical-gradient" in dense
    sgd = feedback.split("Optimizer_SGD", 1)[1]
    assert "scores 0" not in sgd and "helper" not in sgd


GUARD_SCRIPT = textwrap.dedent("""
    import json, sys, types
    import numpy as np
    from checks.grade import remote, shortcut
    source = "".join(open(p, encoding="utf-8").read() + "\\n" for p in remote._AGENT_SOURCES)
    agent = types.ModuleType("agent")
    exec(compile(source, "<grading agent>", "exec"), agent.__dict__)
    from checks.engine.numeric import central_difference as alias
    saved = alias.__code__
    out = {"guarded": agent._guard_helpers(shortcut.HELPERS)}
    out["nothing_yet"] = agent._take_helper_calls()
    value = alias(lambda x: float(np.sum(x ** 2)), np.array([1.0, 2.0]))
    out["value"] = value.tolist()
    out["after_alias"] = agent._take_helper_calls()
    out["again_empty"] = agent._take_helper_calls()
    alias.__code__ = saved  # what an answer could do to hide its call
    out["after_restore"] = agent._take_helper_calls()
    out["levels"] = agent._hint_levels()
    from checks import lesson03
    for _ in range(9):
        lesson03.hint("dense_backward")
    out["levels_after_hints"] = agent._hint_levels()
    print(json.dumps(out))
""")


def test_kernel_side_guard_records_calls_once_and_sees_a_restored_helper(tmp_path):
    env = {"BACKPROP_PROGRESS": "off", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", GUARD_SCRIPT], capture_output=True, text=True, cwd=tmp_path,
                         env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    out = __import__("json").loads(run.stdout.strip().splitlines()[-1])
    assert sorted(out["guarded"]) == sorted([
        "checks.lesson_helpers.autograd.graphs.gradients", "checks.lesson_helpers.autograd.graphs.local_derivatives",
        "checks.engine.numeric.central_difference", "checks.engine.reference.dense_gradients", "checks.engine.reference.relu_gradient"])
    assert out["nothing_yet"] == {"called": [], "restored": False}
    assert out["value"] == pytest.approx([2.0, 4.0])  # the helper still works while recorded
    assert out["after_alias"] == {"called": ["checks.engine.numeric.central_difference"], "restored": False}
    assert out["again_empty"] == {"called": [], "restored": False}
    assert out["after_restore"]["restored"] is True
    assert out["levels"] == {}
    from checks import lesson03

    last = len(lesson03.dense_backward.exercise.hints) + 1
    assert out["levels_after_hints"] == {"lesson03.dense_backward": last}


def test_verdict_replaces_the_result_only_when_a_helper_was_called():
    from checks.engine.result import Result
    from checks.grade import shortcut

    right = Result("lesson03.dense_backward", "correct", "All three gradients match.")
    assert shortcut.verdict(right, [], False) is right
    caught = shortcut.verdict(right, ["checks.engine.reference.dense_gradients"], False)
    assert (caught.outcome, caught.diagnosis, caught.passed) == ("incorrect", "used_course_helpers", False)
    assert "`checks.engine.reference.dense_gradients`" in caught.message
    restored = shortcut.verdict(right, [], True)
    assert not restored.passed and "changed the course's own numerical-gradient helpers" in restored.message


# --- issue 17: a numerical estimate of its own, pasted into the answer ----------------------------------------

DENSE_BACKWARD_BY_NUDGES = """
    def dense_backward(dvalues, inputs, weights):
        def nudged(f, x, h=1e-5):
            grad = np.zeros(x.shape)
            for index in np.ndindex(x.shape):
                saved = x[index]
                x[index] = saved + h
                plus = f(x)
                x[index] = saved - h
                minus = f(x)
                x[index] = saved
                grad[index] = (plus - minus) / (2 * h)
            return grad

        biases = np.zeros((1, weights.shape[1]))
        loss = lambda i, w, b: float(np.sum(dvalues * (i @ w + b)))
        return (nudged(lambda i: loss(i, weights, biases), inputs.copy()),
                nudged(lambda w: loss(inputs, w, biases), weights.copy()),
                nudged(lambda b: loss(inputs, weights, b), biases))
"""


def test_a_pasted_numerical_gradient_scores_zero_and_the_feedback_says_why(tmp_path):
    nb = subs.notebook("solutions/03_batched_dense.ipynb")
    subs.replace_cell(nb, "def dense_backward", DENSE_BACKWARD_BY_NUDGES)
    subs.write(tmp_path, "submissions/03_batched_dense.ipynb", nb)
    run = subs.grade(tmp_path, "submissions", jobs=1)
    assert run.returncode == 0, run.stderr
    (row,) = subs.read_csv(tmp_path / "out" / "grades.csv")
    assert row["status"] == "graded"
    assert row["lesson03.dense_backward"] == "0"
    feedback = (tmp_path / "out" / "grades_feedback" / "03_batched_dense.md").read_text(encoding="utf-8")
    part = feedback.split("dense_backward", 1)[1].split("## ", 1)[0]
    assert "numerical estimate, not backpropagation" in part and "chain rule" in part
