"""Checks for lesson 8: the combined softmax and categorical cross-entropy gradient.

    from checks import lesson08 as check
    check.softmax_crossentropy_backward(softmax_crossentropy_backward)   # graded
    check.loss(loss)                                                     # practice: the lesson's example
    check.Layer_Dense(Layer_Dense)           # practice: the class training uses (yours, if you pasted it)
    check.Activation_ReLU(Activation_ReLU)   # practice: likewise; both are lesson 6's checks

The expected gradient comes from central differences of the course's own forward pass,
mean(-log softmax(logits)[i, y_i]), with respect to the logits; the learner's function gets
probs = softmax(logits) and the integer labels.
"""
from __future__ import annotations

import numpy as np

from .lesson_helpers import estimate_probes as probes
from .engine.answers import untouched
from .engine.diagnose import Mistake, compare
from .engine.exercise import exercise, make_hint
from .engine.learner import guarded_call, require_callable
from .engine.numeric import as_float64, central_difference, close
from .engine.verdict import Incorrect

LESSON, NOTEBOOK = "lesson08", "08_train_a_network"
ARGS = ("probs", "y_true")
hint = make_hint(LESSON, NOTEBOOK)


def solution(name: str = ""):
    """check.solution(name): the answer, recorded as viewed. The classes are lesson 6's: shown from there."""
    if name in CLASS_HINTS:
        from . import lesson06

        return lesson06.solution(name)
    return hint.solution(name)


HINTS = (
    "The result has the shape of the logits, (N, C), like probs: each row is one sample's gradient. Per "
    "sample it is the probabilities minus the one-hot vector of the true class; the loss is the mean over "
    "the N samples, so each sample's share is divided by N.",
    "Start from a copy of probs (N, C), so the caller's probs stay as they were. Each row i loses 1 in one "
    "column only, its true class y_true[i]: an index made of two arrays of N entries, the row numbers and "
    "the labels, picks one entry per row. Then divide everything by N, the number of samples (the rows of "
    "probs).",
    "Fill in the blanks: `dinputs = probs.____()`, `dinputs[____, ____] -= 1`, then `return ____ / ____`",
)
LOSS_HINTS = (
    "For each sample, take the probability the model gave its true class; the loss is the mean of -log of "
    "those probabilities.",
    "probs_example is (3, 3) and y_example (3,). Indexing probs_example with two arrays of 3 entries, the "
    "row numbers and the labels, picks the three true-class probabilities, one per row.",
    "Fill in the blanks: `loss = np.mean(-np.log(probs_example[____, ____]))`",
)
# The classes lesson 8 trains with, and lets learners replace with their own: lesson 6's checks, as practice.
# The lesson provides working ones in plain sight, so these exercises have no answer of their own here.
PROVIDED = ("Layer_Dense", "Activation_ReLU")
CLASS_HINTS = {
    "Layer_Dense": ("This is lesson 6's class: its hints and solution are in lesson 6 "
                    "(`from checks import lesson06`, then `lesson06.hint(\"Layer_Dense\")`).",),
    "Activation_ReLU": ("This is lesson 6's class: its hints and solution are in lesson 6 "
                        "(`from checks import lesson06`, then `lesson06.hint(\"Activation_ReLU\")`).",),
}


def softmax(logits):
    """logits (N, C) -> probabilities (N, C), each row summing to 1."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def mean_crossentropy(logits, y_true):
    """The course's loss: mean over the batch of -log(probability of the true class). y_true (N,) ints."""
    probs = softmax(logits)
    return float(-np.mean(np.log(probs[np.arange(len(logits)), y_true])))


def example():
    """The lesson's example: logits (3 samples, 3 classes) and their labels."""
    return np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.1]]), np.array([0, 1, 1])


def _cases(rng):
    """(description, logits, y_true): random non-square shapes, the example, a batch of one."""
    for batch, classes in ((5, 3), (4, 6), (1, 4)):
        logits = rng.normal(0.0, 2.0, size=(batch, classes))
        labels = rng.integers(0, classes, size=batch)
        if batch > 1:
            labels[:2] = [0, classes - 1]  # never one class only: a label mistake must show
        yield (f"on random logits of {batch} sample{'s' * (batch > 1)} and {classes} classes",
               logits, labels)
    yield "on the lesson's example", *example()


def _diagnosers(probs, labels):
    n, classes = probs.shape

    def subtracted(got):
        """What the answer subtracted from probs / N (the right answer subtracts the one-hot labels)."""
        return probs - got * n

    def missing_mean(got, expected, context):
        if n > 1 and got.shape == expected.shape and close(got, n * expected):
            return Mistake("missing_batch_mean",
                           f"your values are the right ones times the batch size ({n}).",
                           "The loss is the mean over the batch, so each sample's gradient is divided by N.")
        return None

    def labels_ignored(got, expected, context):
        if got.shape == expected.shape and (close(got, probs / n) or close(got, probs)):
            return Mistake("labels_ignored",
                           "your answer does not depend on the labels: it is probs (or probs / N).",
                           "The true class of each sample is where the gradient differs: there, one is "
                           "subtracted from the probability.")
        return None

    def wrt_probs(got, expected, context):
        onehot = np.eye(classes)[labels]
        if got.shape == expected.shape and (close(got, -onehot / probs / n) or close(got, -onehot / probs)):
            return Mistake("gradient_wrt_probs",
                           "that is the gradient of the loss with respect to the probabilities, -y/p.",
                           "The exercise asks for the gradient with respect to the logits, before softmax: "
                           "chaining -y/p through softmax's Jacobian leaves something much simpler.")
        return None

    def onehot_wrong(got, expected, context):
        if got.shape != expected.shape:
            return None
        taken = subtracted(got)
        if not np.allclose(taken, np.round(taken), atol=1e-6) or close(taken, np.eye(classes)[labels]):
            return None
        by_column = np.zeros_like(probs)
        by_column[:, labels] = 1.0
        if close(taken, by_column) or close(taken, np.isin(np.arange(classes), labels)[None, :] * 1.0):
            detail = ("you subtracted 1 in whole columns: every row lost 1 in the column of every label in "
                      "y_true, not only in its own.")
        else:
            detail = "you subtracted 1 in places other than each sample's true class."
        return Mistake("onehot_wrong", detail,
                       "Each sample (row) loses 1 at exactly one place: the column of its own label. An index "
                       "that picks one entry per row pairs each row number with that row's label.")

    def divided_by_classes(got, expected, context):
        if classes != n and got.shape == expected.shape and close(got * classes, expected * n):
            return Mistake("mean_over_classes",
                           f"your values are (probs - one-hot) divided by {classes}, the number of classes here; "
                           f"this batch has {n} samples.",
                           "The loss is the mean over the samples (the rows of probs), so each sample's gradient "
                           "is divided by their number, whatever the number of classes.")
        return None

    def labels_subtracted(got, expected, context):
        if got.shape == expected.shape and (close(got, (probs - labels[:, None]) / n)
                                            or close(got, probs - labels[:, None])):
            return Mistake("onehot_wrong",
                           "you subtracted the label numbers themselves from probs.",
                           "A label 2 means 'class 2 is true': subtract 1 in column 2 of that row "
                           "(a one-hot vector), not the number 2.")
        return None

    return (missing_mean, divided_by_classes, labels_ignored, wrt_probs, labels_subtracted, onehot_wrong)


@exercise(LESSON, "softmax_crossentropy_backward: gradient of the mean cross-entropy w.r.t. the logits",
          graded=True, hints=HINTS)
def softmax_crossentropy_backward(fn, rng):
    require_callable(fn, "softmax_crossentropy_backward", ARGS)
    what = "your softmax_crossentropy_backward"
    for case, logits, labels in _cases(rng):
        probs = softmax(logits)
        expected = central_difference(lambda z: mean_crossentropy(z, labels), logits)
        call = guarded_call(fn, (probs, labels), ARGS, what)
        compare("dinputs", call.value, expected, what=what, case=case, diagnosers=_diagnosers(probs, labels))
        untouched(call, what)
    probes.softmax_crossentropy(fn, what)  # right values: are they derived, or a numerical estimate?
    return ("Right: (probs - one_hot(y)) / N. Softmax and cross-entropy together have a far simpler gradient "
            "than either alone, and each row of it sums to 0.")


@exercise(LESSON, "the mean cross-entropy loss of the lesson's example", graded=False, hints=LOSS_HINTS)
def loss(value, rng):
    logits, labels = example()
    expected = np.array(mean_crossentropy(logits, labels))
    got = as_float64(value, "loss", "your value")
    if got.size == 1:
        got = got.reshape(())
    probs = softmax(logits)
    picked = probs[np.arange(len(labels)), labels]
    if got.shape == () and abs(float(got) - float(-np.sum(np.log(picked)))) < 1e-6:
        raise Incorrect("Your loss is the sum over the samples; the course's loss is their mean.\n"
                        "Try: divide by the number of samples (or use np.mean).", part="loss",
                        diagnosis="sum_instead_of_mean")
    compare("loss", got, expected, what="your value", case="for the lesson's example",
            diagnosers=(_loss_mistake,), context=lambda: {"probs": probs, "labels": labels}, advice=LOSS_ADVICE)
    return f"{float(expected):.4f}: the average surprise at the true class. A perfect model would score 0."


# A loss is one number: advice about following one element of an array does not apply.
LOSS_ADVICE = {"wrong_values": "Compute it in steps and print each: the probability each sample gave its own "
                               "true class (one number per sample), their -log, then the mean over the samples.",
               "wrong_shape": "The loss is one number for the whole batch: the mean, over the samples, of -log "
                              "of the probability each gave its true class."}


def _loss_mistake(got, expected, context):
    """The loss computed from the wrong probabilities: what the check saw, named by kind."""
    probs, labels = context["probs"], context["labels"]
    n = len(labels)
    if got.shape != ():
        return None
    picked = probs[np.arange(n), labels]
    alternatives = (
        (np.mean(-np.log(probs[:, labels])), "picked_columns",
         "your loss is the mean of -log over whole columns: every sample's probability for every label in "
         "y_example, not only for its own.",
         "Each sample contributes one number: the probability it gave its own true class. An index that picks "
         "one entry per row pairs each row number with that row's label."),
        (np.mean(-np.log(probs)), "every_probability",
         "your loss is the mean of -log of every probability, the wrong classes' too.",
         "Only the probability each sample gave its true class counts."),
        (np.mean(-np.log10(picked)), "log_base_10",
         "your loss uses the logarithm in base 10.",
         "Cross-entropy uses the natural logarithm, np.log."),
        (-np.log(np.mean(picked)), "log_of_mean",
         "your loss is -log of the mean probability, not the mean of the -logs.",
         "Take -log of each sample's true-class probability first, then the mean."),
    )
    for value, kind, explanation, advice in alternatives:
        if abs(float(got) - float(value)) < 1e-6 * max(1.0, abs(float(value))) and not np.isclose(value, expected):
            return Mistake(kind, explanation, advice)
    return None


def _lesson06_check(name: str, title: str):
    """Lesson 6's check body for `name`, registered again as a practice exercise of lesson 8."""
    from . import lesson06

    return exercise(LESSON, title, graded=False, hints=CLASS_HINTS[name])(getattr(lesson06, name).__wrapped__)


Layer_Dense = _lesson06_check("Layer_Dense", "Layer_Dense for training (lesson 6's check, practice)")
Activation_ReLU = _lesson06_check("Activation_ReLU", "Activation_ReLU for training (lesson 6's check, practice)")
