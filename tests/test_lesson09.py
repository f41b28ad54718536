"""lesson09's checks: right engines pass, each mistake gets its diagnosis, the graphs behind them are sound."""
from collections import deque

import numpy as np
import pytest

from checks.lesson_helpers.autograd import graphs as graphs
from checks import lesson09 as check
from tests.checks_util import assert_diagnosed, assert_passes

OPERATIONS = (check.add, check.mul, check.relu, check.pow)
ALL = (*OPERATIONS, check.backward)


@pytest.fixture(autouse=True)
def own_progress_file(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.delenv("BACKPROP_STRICT", raising=False)


class Value:
    """The lesson's engine: parents in a tuple, operations by name, Python's operators on top.
    (Results are made with type(self), so that the wrong engines below, its subclasses, stay wrong.)"""

    def __init__(self, data, parents=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.op = op
        self._backward = lambda: None

    def add(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def mul(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = type(self)(max(0.0, self.data), (self,), "ReLU")

        def _backward():
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    def pow(self, k):
        out = type(self)(self.data ** k, (self,), f"**{k:g}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def topological_order(self):
        order, visited = [], set()

        def visit(node):
            if node not in visited:
                visited.add(node)
                for parent in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        return order

    def backward(self):
        order = self.topological_order()
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def __add__(self, other):
        return self.add(other)

    def __mul__(self, other):
        return self.mul(other)


class Micrograd:
    """micrograd's own shape: operators only, parents in a set, relu's mask from out.data."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Micrograd) else Micrograd(other)
        out = Micrograd(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Micrograd) else Micrograd(other)
        out = Micrograd(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other):
        out = Micrograd(self.data ** other, (self,), f"**{other}")

        def _backward():
            self.grad += (other * self.data ** (other - 1)) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = Micrograd(0 if self.data < 0 else self.data, (self,), "ReLU")

        def _backward():
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()


class IterativeBackward(Value):
    """A topological order without recursion: Kahn's algorithm from the output."""

    def backward(self):
        nodes, stack = set(), [self]
        while stack:
            node = stack.pop()
            if node not in nodes:
                nodes.add(node)
                stack.extend(node.parents)
        users = {node: 0 for node in nodes}
        for node in nodes:
            for parent in set(node.parents):
                users[parent] += 1
        self.grad = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            node._backward()
            for parent in set(node.parents):
                users[parent] -= 1
                if users[parent] == 0:
                    ready.append(parent)


@pytest.mark.parametrize("engine", [Value, Micrograd, IterativeBackward])
@pytest.mark.parametrize("exercise", ALL, ids=lambda c: c.exercise.name)
def test_right_engines_pass(engine, exercise):
    assert_passes(exercise, engine)


@pytest.mark.parametrize("exercise", ALL, ids=lambda c: c.exercise.name)
def test_the_check_leaves_the_class_as_it_was(exercise):
    before = dict(vars(Value))
    assert_passes(exercise, Value)
    assert dict(vars(Value)) == before


# --- wrong operations ---------------------------------------------------------------------------------------

def _with_closure(name, closure_body):
    """A Value whose operation `name` has the `_backward` given as closure_body(self, other, out)."""

    class Wrong(Value):
        pass

    def operation(self, other=None):
        out = getattr(Value, name)(self, other) if other is not None else getattr(Value, name)(self)
        operand = other if isinstance(other, Value) else None

        def _backward():
            closure_body(self, operand, out, other)

        out._backward = _backward
        return out

    setattr(Wrong, name, operation)
    return Wrong


def _assigning_add(a, b, out, _):
    a.grad = out.grad
    b.grad = out.grad


def _add_without_chain(a, b, out, _):
    a.grad += 1.0
    b.grad += 1.0


def _mul_own_value(a, b, out, _):
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


def _assigning_mul(a, b, out, _):
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


def _mul_without_chain(a, b, out, _):
    a.grad += b.data
    b.grad += a.data


def _mul_wrong_sign(a, b, out, _):
    a.grad -= b.data * out.grad
    b.grad -= a.data * out.grad


def _mul_nothing(a, b, out, _):
    pass


def _relu_at_zero(a, b, out, _):
    a.grad += (a.data >= 0) * out.grad


def _relu_mask_from_gradient(a, b, out, _):
    a.grad += (out.grad > 0) * out.grad


def _relu_value_as_derivative(a, b, out, _):
    a.grad += out.data * out.grad


def _assigning_relu(a, b, out, _):
    a.grad = (a.data > 0) * out.grad


def _relu_without_chain(a, b, out, _):
    a.grad += float(a.data > 0)


def _pow_exponent_not_lowered(a, b, out, k):
    a.grad += k * a.data ** k * out.grad


def _pow_without_k(a, b, out, k):
    a.grad += a.data ** (k - 1) * out.grad


def _pow_without_chain(a, b, out, k):
    a.grad += k * a.data ** (k - 1)


def _assigning_pow(a, b, out, k):
    a.grad = k * a.data ** (k - 1) * out.grad


WRONG_OPERATIONS = [
    (check.add, "add", _assigning_add, "assignment_not_accumulation", "self.grad"),
    (check.add, "add", _add_without_chain, "chain_missing", "self.grad"),
    (check.mul, "mul", _mul_own_value, "wrong_local_derivative", "self.grad"),
    (check.mul, "mul", _assigning_mul, "assignment_not_accumulation", "self.grad"),
    (check.mul, "mul", _mul_without_chain, "chain_missing", "self.grad"),
    (check.mul, "mul", _mul_wrong_sign, "wrong_sign", "self.grad"),
    (check.mul, "mul", _mul_nothing, "no_gradient", "self.grad"),
    (check.relu, "relu", _relu_at_zero, "relu_at_zero", "self.grad"),
    (check.relu, "relu", _relu_mask_from_gradient, "relu_wrong_node", "self.grad"),
    (check.relu, "relu", _relu_value_as_derivative, "relu_wrong_node", "self.grad"),
    (check.relu, "relu", _assigning_relu, "assignment_not_accumulation", "self.grad"),
    (check.relu, "relu", _relu_without_chain, "chain_missing", "self.grad"),
    (check.pow, "pow", _pow_exponent_not_lowered, "wrong_local_derivative", "self.grad"),
    (check.pow, "pow", _pow_without_k, "wrong_local_derivative", "self.grad"),
    (check.pow, "pow", _pow_without_chain, "chain_missing", "self.grad"),
    (check.pow, "pow", _assigning_pow, "assignment_not_accumulation", "self.grad"),
]


@pytest.mark.parametrize("exercise, name, closure, diagnosis, part", WRONG_OPERATIONS,
                         ids=[w[2].__name__ for w in WRONG_OPERATIONS])
def test_each_wrong_operation_is_diagnosed(exercise, name, closure, diagnosis, part):
    wrong = _with_closure(name, closure)
    result = assert_diagnosed(exercise, wrong, diagnosis, part=part)
    assert "What happened" in result.message and "Try" in result.message
    assert 'check.hint("' in result.message


def test_assignment_is_shown_on_a_value_used_twice():
    result = assert_diagnosed(check.mul, _with_closure("mul", _assigning_mul), "assignment_not_accumulation")
    assert "a * a" in result.message or "other paths" in result.message


def test_a_wrong_message_never_shows_the_right_grad():
    # mul's first case: a.data = x, b.data = y, out.grad = g; the right a.grad is y * g.
    result = check.mul(_with_closure("mul", _mul_own_value))
    case = check.op_cases.binary_cases("mul", np.random.default_rng(_seed("lesson09.mul")))[0]
    assert f"{case.other * case.g:g}" not in result.message


def _seed(exercise_id):
    from checks.engine.exercise import _fixed_seed

    return _fixed_seed(exercise_id)


class NoRelu(Value):
    relu = None


class ReturnsNothing(Value):
    def mul(self, other):
        Value.mul(self, other)


class GradIsAValue(Value):
    def add(self, other):
        out = Value.add(self, other)

        def _backward():
            self.grad = Value(self.grad + out.grad)
            other.grad = Value(other.grad + out.grad)

        out._backward = _backward
        return out


class RaisingClosure(Value):
    def mul(self, other):
        out = Value.mul(self, other)

        def _backward():
            self.grad += other.value * out.grad  # no attribute `value`

        out._backward = _backward
        return out


class Unfinished(Value):
    def mul(self, other):
        out = Value.mul(self, other)

        def _backward():
            raise NotImplementedError("Exercise: _backward — replace this line with your code")

        out._backward = _backward
        return out

    def backward(self):
        raise NotImplementedError("Exercise: backward — replace this line with your code")


def test_a_missing_operation_is_named():
    assert_diagnosed(check.relu, NoRelu, "missing_method", part="relu")


def test_an_operation_that_returns_nothing_is_named():
    assert_diagnosed(check.mul, ReturnsNothing, "nothing_returned", part="mul")


def test_grads_that_are_not_numbers_are_named():
    assert_diagnosed(check.add, GradIsAValue, "not_numbers")


def test_a_raising_closure_shows_the_learners_line():
    result = check.mul(RaisingClosure)
    assert result.outcome == "raised"
    assert "other.value" in result.message and "AttributeError" in result.message


def test_the_lessons_placeholders_are_not_attempted():
    assert check.mul(Unfinished).outcome == "not_attempted"
    assert check.backward(Unfinished).outcome == "not_attempted"
    assert check.add(Unfinished).passed  # its own closure is written


class BackwardWithUnfinishedMul(Value):
    backward = Value.backward
    mul = Unfinished.mul


class AddAssigns(Value):
    """`=` for `+=` in add's `_backward`: the accumulation bug, in one operation."""

    def add(self, other):
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad = out.grad

        out._backward = _backward
        return out


class NoClosures(Value):
    """A right backward() that does not go through `_backward` closures: it does each operation's chain
    rule itself, from the lesson's op labels, parents and data (its operations pass nothing back)."""

    def __init__(self, data, parents=(), op=""):
        super().__init__(data, parents, op)

    def add(self, other):
        return type(self)(self.data + other.data, (self, other), "+")

    def mul(self, other):
        return type(self)(self.data * other.data, (self, other), "*")

    def relu(self):
        return type(self)(max(0.0, self.data), (self,), "ReLU")

    def pow(self, k):
        return type(self)(self.data ** k, (self,), f"**{k:g}")

    def backward(self):
        order = self.topological_order()
        self.grad = 1.0
        for node in reversed(order):
            p = node.parents
            if node.op == "+":
                p[0].grad += node.grad
                p[1].grad += node.grad
            elif node.op == "*":
                p[0].grad += p[1].data * node.grad
                p[1].grad += p[0].data * node.grad
            elif node.op == "ReLU":
                p[0].grad += (p[0].data > 0) * node.grad
            elif node.op.startswith("**"):
                k = float(node.op[2:])
                p[0].grad += k * p[0].data ** (k - 1) * node.grad


class OwnConstructor(Value):
    """An __init__ that takes only the number: graphs are then built with the class's own operations."""

    def __init__(self, data):
        super().__init__(data)

    def _made(self, data, parents, op):
        out = type(self)(data)
        out.parents, out.op = tuple(parents), op
        return out

    def add(self, other):
        out = self._made(self.data + other.data, (self, other), "+")
        out._backward = lambda: None  # wrong, but backward() is judged with the course's rules
        return out

    def mul(self, other):
        return self._made(self.data * other.data, (self, other), "*")

    def relu(self):
        return self._made(max(0.0, self.data), (self,), "ReLU")

    def pow(self, k):
        return self._made(self.data ** k, (self,), f"**{k:g}")


class CannotBuild(OwnConstructor):
    def mul(self, other):
        raise RuntimeError("mul is broken")


def test_backward_is_judged_on_its_own_when_an_operation_is_unfinished():
    assert check.mul(BackwardWithUnfinishedMul).outcome == "not_attempted"
    assert_passes(check.backward, BackwardWithUnfinishedMul)


@pytest.mark.parametrize("engine", [_with_closure("mul", _mul_own_value), AddAssigns], ids=["mul_own_value", "add_assigns"])
def test_a_wrong_operation_costs_that_operation_only(engine):
    """One wrong operation: its own check fails with its diagnosis; the others and backward() pass."""
    wrong = check.mul if engine is not AddAssigns else check.add
    assert_diagnosed(wrong, engine, "wrong_local_derivative" if wrong is check.mul else "assignment_not_accumulation")
    for other in ALL:
        if other is not wrong:
            assert_passes(other, engine)


def test_the_lessons_demos_wait_for_every_operation_though_backward_passes_alone(monkeypatch):
    """The demo cells run the whole engine (`checks.ready(check.backward, Value)`): they wait for add too."""
    import checks
    from checks.engine.result import Note

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda note: shown.append(note))
    assert check.backward(AddAssigns).passed
    assert checks.ready(check.backward, AddAssigns) is False
    (note,) = shown
    assert isinstance(note, Note) and note.title == "Finish `add` first"
    assert "check.add(Value)" in note.text and "not yet right" in note.text
    assert checks.ready(check.backward, Value) is True and len(shown) == 1


def test_a_right_backward_without_closures_is_judged_by_its_results():
    assert_passes(check.backward, NoClosures)
    assert_diagnosed(check.add, NoClosures, "no_gradient")  # its operations pass nothing back themselves


def test_graphs_are_built_with_the_classs_own_operations_when_its_init_takes_only_data():
    assert_passes(check.backward, OwnConstructor)
    assert not check.add(OwnConstructor).passed


def test_backward_that_cannot_be_built_on_is_not_checked_not_wrong():
    result = check.backward(CannotBuild)
    assert result.outcome == "not_checked" and result.diagnosis == "graph_not_built"
    assert "Value(data, parents, op)" in result.message
    assert result.label.startswith("? Not checked")


def test_a_wrong_backward_still_fails_when_the_operations_are_right():
    result = assert_diagnosed(check.backward, WrongOrderOnly, "wrong_visit_order")
    assert "the order in which the graph was built" in result.message


class WrongOrderOnly(Value):
    def backward(self):
        order = self.topological_order()
        self.grad = 1.0
        for node in order:
            node._backward()


# --- wrong backward() ---------------------------------------------------------------------------------------

class NoOutputGrad(Value):
    def backward(self):
        for node in reversed(self.topological_order()):
            node._backward()


class OutputGradTooLate(Value):
    def backward(self):
        for node in reversed(self.topological_order()):
            node._backward()
        self.grad = 1.0


class NotReversed(Value):
    def backward(self):
        self.grad = 1.0
        for node in self.topological_order():
            node._backward()


class BreadthFirst(Value):
    def backward(self):
        self.grad = 1.0
        queue, seen = deque([self]), {self}
        while queue:
            node = queue.popleft()
            node._backward()
            for parent in node.parents:
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)


class NoVisitedSet(Value):
    def backward(self):
        order = []

        def visit(node):
            for parent in node.parents:
                visit(parent)
            order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


class LoopsForever(Value):
    def backward(self):
        self.grad = 1.0
        todo = [self]
        for node in todo:  # the list grows as fast as it is read: a leaf points back at the output
            node._backward()
            todo.extend(node.parents or [self])


WRONG_BACKWARDS = [
    (NoOutputGrad, "output_grad_not_one"),
    (OutputGradTooLate, "output_grad_not_one"),
    (NotReversed, "wrong_visit_order"),
    (BreadthFirst, "wrong_visit_order"),
    (NoVisitedSet, "visited_twice"),
]


@pytest.mark.parametrize("engine, diagnosis", WRONG_BACKWARDS, ids=[w[0].__name__ for w in WRONG_BACKWARDS])
def test_each_wrong_backward_is_diagnosed(engine, diagnosis):
    result = assert_diagnosed(check.backward, engine, diagnosis, part="backward")
    assert "Try" in result.message


def test_a_backward_that_never_ends_is_stopped(monkeypatch):
    monkeypatch.setenv("BACKPROP_TIME_LIMIT", "0.3")
    result = assert_diagnosed(check.backward, LoopsForever, "timeout", outcome="raised")
    assert "stopped after 0.3 s" in result.message
    assert "visited" in result.message


@pytest.mark.parametrize("engine, diagnosis", WRONG_BACKWARDS[2:], ids=[w[0].__name__ for w in WRONG_BACKWARDS[2:]])
def test_wrong_backwards_fail_on_every_random_graph_too(engine, diagnosis):
    """Not only the fixed graph: each random graph alone would catch them (grading draws new ones)."""
    from checks.lesson_helpers.autograd import backward as backward_check
    from checks.engine.verdict import Incorrect

    rng = np.random.default_rng(5)
    for _ in range(10):
        with pytest.raises(Incorrect) as failure:
            backward_check.check_graph(engine, graphs.random_graph(rng), "a random graph")
        assert failure.value.diagnosis == diagnosis


# --- the course's graphs ------------------------------------------------------------------------------------

def test_random_graphs_are_telling_and_their_gradients_agree_with_the_chain_rule():
    rng = np.random.default_rng(0)
    for _ in range(30):
        nodes = graphs.random_graph(rng)
        assert nodes is not graphs.FALLBACK
        assert graphs.telling(nodes)
        assert graphs.all_close(graphs.simulate(nodes, graphs.right_order(nodes)), graphs.gradients(nodes))
    assert graphs.telling(graphs.FALLBACK)


def test_a_graph_is_described_as_the_code_that_builds_it():
    text = graphs.describe(graphs.FALLBACK)
    assert "x0 = Value(0.55)" in text and "n3 = x0 + x1" in text and "out = x1 + n7" in text


def test_grading_seeds_draw_other_graphs():
    import checks

    seen = []

    class Recording(Value):
        def __init__(self, data, parents=(), op=""):
            super().__init__(data, parents, op)
            if not parents:
                seen.append(self.data)

    check.backward(Recording)
    first = list(seen)
    seen.clear()
    with checks.seeded(11):
        check.backward(Recording)
    assert first != seen


# --- grading: the checks drive the class through grading's proxies ------------------------------------------

def test_grading_drives_the_learners_value_class_through_its_proxies(tmp_path):
    """Grading keeps the learner's Value in the submission's kernel: the checks construct it, call its
    operations by name and read data and grad through proxies, and backward() is judged on graphs whose
    `_backward`s the course made in that kernel. A right engine scores 5 of 5; `=` for `+=` in add costs add
    only (backward() is judged on its own); a backward() in the wrong order costs backward() only; an add
    that takes its derivatives from the course's own helper scores 0 for add."""
    import csv
    import os
    import subprocess
    import sys

    import nbformat

    from tests.notebook_answers import ROOT

    def variant(name, *replacements):
        nb = nbformat.read(ROOT / "solutions" / "09_autograd.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                for old, new in replacements:
                    cell.source = cell.source.replace(old, new)
        (tmp_path / name).write_text(nbformat.writes(nb), encoding="utf-8")

    variant("09_right.ipynb")
    variant("09_add_assigns.ipynb", ("self.grad += 1.0 * out.grad", "self.grad = 1.0 * out.grad"),
            ("other.grad += 1.0 * out.grad", "other.grad = 1.0 * out.grad"))
    variant("09_wrong_order.ipynb", ("for node in reversed(order):", "for node in order:"))
    variant("09_course_derivatives.ipynb", (  # add's local derivatives taken from the course's own helper
        "            self.grad += 1.0 * out.grad\n            other.grad += 1.0 * out.grad",
        "            from checks.lesson_helpers.autograd.graphs import Node, local_derivatives\n"
        "            local = local_derivatives(Node('add', (0, 1)), [self.data, other.data])\n"
        "            self.grad += local[0] * out.grad\n            other.grad += local[1] * out.grad"))
    # Each proxied call has the learner's time limit; a loaded test machine must not turn one into a timeout.
    env = dict(os.environ, BACKPROP_PROGRESS_FILE=str(tmp_path / "progress.json"), BACKPROP_TIME_LIMIT="20")
    run = subprocess.run([sys.executable, "-m", "checks.grade", "09_right.ipynb", "09_add_assigns.ipynb",
                          "09_wrong_order.ipynb", "09_course_derivatives.ipynb", "--out", "grades.csv", "--jobs", "2"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["notebook"]: r for r in csv.DictReader(f)}
    columns = ["lesson09.add", "lesson09.mul", "lesson09.relu", "lesson09.pow", "lesson09.backward", "score",
               "max_score", "percent"]
    assert [rows["09_right.ipynb"][c] for c in columns] == ["1"] * 5 + ["5", "5", "100"]
    assert [rows["09_add_assigns.ipynb"][c] for c in columns] == ["0", "1", "1", "1", "1", "4", "5", "80"]
    assert [rows["09_wrong_order.ipynb"][c] for c in columns] == ["1", "1", "1", "1", "0", "4", "5", "80"]
    feedback = (tmp_path / "grades_feedback" / "09_add_assigns.md").read_text(encoding="utf-8")
    assert "instead of adding to it" in feedback and "does not pass yet" not in feedback
    feedback = (tmp_path / "grades_feedback" / "09_wrong_order.md").read_text(encoding="utf-8")
    assert "the order in which the graph was built" in feedback
    assert [rows["09_course_derivatives.ipynb"][c] for c in columns] == ["0", "1", "1", "1", "1", "4", "5", "80"]
    feedback = (tmp_path / "grades_feedback" / "09_course_derivatives.md").read_text(encoding="utf-8")
    assert "checks.lesson_helpers.autograd.graphs.local_derivatives" in feedback and "scores 0" in feedback


# --- the picture of a learner's graph -----------------------------------------------------------------------

def _neuron(engine):
    x = [engine(v) for v in (1.0, -2.0, 3.0)]
    w = [engine(v) for v in (-3.0, -1.0, 2.0)]
    b = engine(1.0)
    z = x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + b
    y = z.relu()
    y.backward()
    return x, w, b, z, y


@pytest.mark.parametrize("engine", [Value, Micrograd])
def test_the_graph_picture_has_a_text_alternative_built_from_its_values(engine):
    import html

    from backprop_tools.value_graph import value_graph

    x, w, b, z, y = _neuron(engine)
    before = [(v.data, v.grad) for v in (*x, *w, b, z, y)]
    picture = value_graph(y, labels={x[0]: "x0", w[0]: "w0", b: "b", z: "z", y: "y"})
    shown = picture._repr_html_()
    assert shown.startswith('<img src="data:image/png;base64,') and ' alt="' in shown
    alt = html.unescape(shown.split(' alt="', 1)[1].rsplit('"', 1)[0])
    assert alt == picture.description() == repr(picture)
    assert "Graph of 14 Values" in alt
    assert "x0: data 1, grad -3" in alt and "w0: data -3, grad 1" in alt and "b: data 1, grad 1" in alt
    assert "y = ReLU of z: data 6, grad 1" in alt
    assert [(v.data, v.grad) for v in (*x, *w, b, z, y)] == before  # only read


def test_the_graph_pictures_text_has_enough_contrast():
    from backprop_tools._render import VALUE_COLOR
    from backprop_tools.value_graph import GRAD_TEXT

    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in (VALUE_COLOR, GRAD_TEXT):  # on the boxes' white
        assert (1.05) / (luminance(colour) + 0.05) >= 4.5, colour


class NoBackwardAttribute(Value):
    def __init__(self, data, parents=(), op=""):
        super().__init__(data, parents, op)
        del self._backward

    def add(self, other):
        return type(self)(self.data + other.data, (self, other), "+")


class WrongForward(Value):
    def mul(self, other):
        out = Value.mul(self, other)
        out.data = self.data + other.data
        return out


class ChangesItsInput(Value):
    def relu(self):
        out = Value.relu(self)
        self.data = out.data
        return out


@pytest.mark.parametrize("exercise, engine, diagnosis", [
    (check.add, NoBackwardAttribute, "missing_backward"),
    (check.mul, WrongForward, "wrong_forward"),
    (check.relu, ChangesItsInput, "modified_input"),
], ids=["missing_backward", "wrong_forward", "modified_input"])
def test_an_operation_that_breaks_the_lessons_frame_is_named(exercise, engine, diagnosis):
    assert_diagnosed(exercise, engine, diagnosis)


# ---- issue 17: say what the check saw ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["add", "mul", "relu", "pow", "backward"])
@pytest.mark.parametrize("thing", [lambda data: data, 3, Value(2.0)], ids=["a function", "a number", "an object"])
def test_wrong_types_name_the_check_the_learner_ran(name, thing):
    result = assert_diagnosed(getattr(check, name), thing, "wrong_type")
    assert f"check.{name}(Value)" in result.message
    assert "check.Value(Value)" not in result.message


class PreOrderReversed(Value):
    """Peer code: lists each node when first reached (before its parents), then walks the list reversed."""

    walk_reversed = True

    def backward(self):
        order, visited = [], set()

        def visit(node):
            if node not in visited:
                visited.add(node)
                order.append(node)
                for parent in node.parents:
                    visit(parent)

        visit(self)
        self.grad = 1.0
        for node in reversed(order) if self.walk_reversed else order:
            node._backward()


class PreOrder(PreOrderReversed):
    """The same pre-order list, walked as it stands."""

    walk_reversed = False


@pytest.mark.parametrize("engine", [PreOrderReversed, PreOrder])
def test_a_pre_order_walk_is_told_the_order_it_ran_not_a_guess_at_its_line(engine):
    result = assert_diagnosed(check.backward, engine, "wrong_visit_order", part="backward")
    assert "not reversed" not in result.message
    assert "the `_backward` calls" in result.message
