"""Checks for lesson 9: a tiny autograd engine, the class `Value`.

    from checks import lesson09 as check
    check.add(Value)        # graded: a + b and its _backward
    check.mul(Value)        # graded: a * b and its _backward
    check.relu(Value)       # graded: a.relu() and its _backward
    check.pow(Value)        # graded: a ** k (k a number) and its _backward
    check.backward(Value)   # graded: out.backward() on random expression graphs

Every check takes the class itself, builds its own Values with it, and calls their operations by name
(`a.add(b)`, falling back to `a.__add__(b)`), so the learner's objects are never changed from outside
and a stand-in for the class (grading's) works alike. Operations are checked one `_backward` call at a
time (`_autograd_ops`); `backward()` on small random graphs in which a node is used twice
(`_autograd_backward`), built with the course's own operations (`_autograd_rules`): each exercise is
judged on its own, so a wrong `add` costs `add` only, and a right `backward()` passes whether or not it
goes through `_backward` closures. Expected gradients are central differences of the course's own
forward passes. Once an operation's cases pass, one more call asks whether its `_backward` is a numerical
estimate of the local derivative (`_autograd_estimate`).
"""
from __future__ import annotations

from .lesson_helpers.autograd import backward as backward_check
from .lesson_helpers.autograd import cases as op_cases
from .lesson_helpers.autograd import estimate as estimate
from .lesson_helpers.autograd import graphs as graphs
from .lesson_helpers.autograd import ops as ops
from .engine.exercise import exercise, make_hint
from .engine.objects import require_class

LESSON, NOTEBOOK = "lesson09", "09_autograd"
hint = make_hint(LESSON, NOTEBOOK)

ADD_HINTS = (
    "out = self + other. How much does out change when self changes by a little? When other does? "
    "Those are the local derivatives; the chain rule multiplies each by out.grad.",
    "`_backward` changes two grads, self.grad and other.grad, each by (local derivative) × out.grad. A Value "
    "can be used in several places, so its grad collects a share from each: add to it, never assign.",
    "`self.grad += ____ * ____`, and the same for other.grad: the local derivative times the gradient that "
    "arrives at out. What is d(self + other)/d(self)?",
)
MUL_HINTS = (
    "out = self * other. If self changes by a little, out changes by that little times which number?",
    "Two grads change, self.grad and other.grad. Each gets a local derivative (a number from the forward "
    "pass: whose data is it?) times out.grad. When `a * a` uses one Value twice, both add to the same grad.",
    "`self.grad += ____ * ____` and `other.grad += ____ * ____`: a local derivative (a number from the forward "
    "pass) times the gradient that arrives at out.",
)
RELU_HINTS = (
    "ReLU passes the gradient through where its input was positive, and blocks it elsewhere (at exactly 0 "
    "too, as in lesson 4). Which number tells you whether the input was positive: a value or a gradient?",
    "Only self.grad changes. Its local derivative is 1 or 0, decided by a forward value (never by a grad); "
    "the chain rule then multiplies it by out.grad.",
    "`self.grad += ____ * ____`: the local derivative (1 where the input's data was positive, else 0) times "
    "the gradient that arrives at out.",
)
POW_HINTS = (
    "out = self ** k for a plain number k (no gradient for k). The power rule gives the local derivative.",
    "Only self.grad changes (k is a plain number). The power rule's local derivative uses k and self.data; "
    "the chain rule multiplies it by the gradient that arrives at out.",
    "`self.grad += ____ * ____`: the power rule's derivative, at self's data, times the gradient that "
    "arrives at out.",
)
BACKWARD_HINTS = (
    "Three steps: list every Value the output depends on so that each comes after the Values it was computed "
    "from (a topological order); set the output's grad to 1; call each node's `_backward`, from the output "
    "back to the inputs.",
    "Build the order with a recursive helper `visit(node)`: if the node is not in a `visited` set, add it, "
    "visit each of its parents, then append the node to the list. Then walk the list reversed.",
    "After the walk from self: `self.grad = ____`, then `for node in reversed(____): node.____()`.",
)


def _check_cases(cls, cases) -> None:
    """Every case, then (all right) one more call: is the `_backward` a numerical estimate?"""
    for case in cases:
        ops.check(cls, case)
    estimate.refuse_estimate(cls, cases[0].op)


@exercise(LESSON, "Value: a + b and its _backward", graded=True, hints=ADD_HINTS, answer="Value")
def add(cls, rng):
    require_class(cls, "Value", (2.0,), check="add")
    _check_cases(cls, op_cases.binary_cases("add", rng))
    return ("a + b passes out.grad unchanged to both a and b, and a Value used twice (a + a) collects both "
            "shares: d(a + a)/da = 2.")


@exercise(LESSON, "Value: a * b and its _backward", graded=True, hints=MUL_HINTS, answer="Value")
def mul(cls, rng):
    require_class(cls, "Value", (2.0,), check="mul")
    _check_cases(cls, op_cases.binary_cases("mul", rng))
    return ("Each factor's gradient is the other factor's value times out.grad (lesson 1's dx = w, dw = x), "
            "and a * a collects both shares.")


@exercise(LESSON, "Value: a.relu() and its _backward", graded=True, hints=RELU_HINTS, answer="Value")
def relu(cls, rng):
    require_class(cls, "Value", (2.0,), check="relu")
    _check_cases(cls, op_cases.relu_cases(rng))
    return "ReLU passes out.grad through where its input was > 0 and blocks it elsewhere, 0 included."


@exercise(LESSON, "Value: a ** k and its _backward", graded=True, hints=POW_HINTS, answer="Value")
def pow(cls, rng):  # noqa: A001  (the exercise is named after the operation)
    require_class(cls, "Value", (2.0,), check="pow")
    _check_cases(cls, op_cases.pow_cases(rng))
    return "The power rule, times out.grad: d(a ** k)/da = k * a ** (k - 1); with +=, like every operation."


@exercise(LESSON, "Value.backward(): topological order, grad 1 at the output, every _backward once",
          graded=True, hints=BACKWARD_HINTS, answer="Value", uses=("add", "mul", "relu", "pow"))
def backward(cls, rng):
    require_class(cls, "Value", (2.0,), check="backward")
    backward_check.check_leaf(cls)
    backward_check.check_graph(cls, graphs.FALLBACK, "a fixed graph")
    backward_check.check_graph(cls, graphs.SHARED_FIRST, "a second fixed graph")
    for index in range(2):
        backward_check.check_graph(cls, graphs.random_graph(rng), f"random graph {index + 1} of 2")
    return ("Every node's grad is d(out)/d(node) on random graphs where a node is used twice: reverse "
            "topological order, out.grad = 1, each `_backward` once. That is backpropagation for any graph.")

