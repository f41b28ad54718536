"""Lesson 8's teaching: it carries the checks of the classes it lets learners replace (lesson 6's, as
practice), their solution comes from lesson 6, its hints go from the idea to blanks, and its value checks
give advice that fits a cross-entropy."""
import numpy as np
import pytest

from checks import lesson08 as check
from tests.checks_util import assert_diagnosed, assert_passes
from tests.test_lesson06 import Activation_ReLU, Layer_Dense, SeedReLU


@pytest.fixture(autouse=True)
def own_progress_file(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))


def test_lesson_8_carries_the_checks_of_the_classes_it_lets_learners_replace():
    assert_passes(check.Layer_Dense, Layer_Dense)
    assert_passes(check.Activation_ReLU, Activation_ReLU)
    assert_diagnosed(check.Activation_ReLU, SeedReLU, "modified_input", "dvalues")  # writes into dvalues
    for name in check.PROVIDED:
        info = getattr(check, name).exercise
        assert info.id == f"lesson08.{name}" and not info.graded  # practice: grading is lesson 6's


def test_the_provided_classes_solution_is_lesson_6s_and_the_hints_point_there():
    shown = str(check.solution("Layer_Dense"))
    assert shown.startswith("Solution for Layer_Dense") and "06_layer_classes" in shown
    assert "lesson06.hint" in str(check.hint("Activation_ReLU", 1))


def test_training_is_gated_on_this_lesson_s_own_checks():
    import nbformat

    from tests.notebook_answers import ROOT

    sources = "\n".join(c.source for c in nbformat.read(ROOT / "lessons" / "08_train_a_network.ipynb",
                                                            as_version=4).cells)
    assert "(check.Layer_Dense, Layer_Dense)" in sources and "(check.Activation_ReLU, Activation_ReLU)" in sources
    assert "check.Layer_Dense(Layer_Dense)" in sources and "check.Activation_ReLU(Activation_ReLU)" in sources
    assert "lesson06." not in sources.replace("lesson06.hint", "")


def test_hints_go_from_the_idea_to_blanks():
    for name in ("softmax_crossentropy_backward", "loss"):
        hints = getattr(check, name).exercise.hints
        assert len(hints) == 3 and "____" in hints[-1] and all("____" not in h for h in hints[:-1]), name
        assert f'check.solution("{name}")' in str(check.hint(name, 4))


def test_a_wrong_loss_gets_advice_that_fits_a_cross_entropy():
    logits, labels = check.example()
    probs = check.softmax(logits)
    loss = float(np.mean(-np.log(probs[np.arange(3), labels])))
    assert check.loss(loss).passed
    negative = check.loss(-loss)
    assert negative.diagnosis == "wrong_sign" and "chain rule" not in negative.message
    assert str(round(loss, 4)) not in negative.message and str(round(loss, 3)) not in negative.message
    assert check.loss(np.sum(-np.log(probs[np.arange(3), labels]))).diagnosis == "sum_instead_of_mean"


def test_no_course_cell_picks_each_rows_own_class_before_the_learner_does():
    """Picking each sample's probability of its own class is what the loss and the gradient exercises ask
    for: the course's crossentropy comes from backprop_tools, and no cell of the blank lesson shows a row
    index paired with the labels, nor the course's loss called on the exercise's arrays."""
    import nbformat

    from backprop_tools.losses import crossentropy
    from tests.voice_util import notebook_path

    notebook = nbformat.read(notebook_path("lessons", "08"), as_version=4)
    for cell in notebook.cells:
        assert "np.arange(" not in cell.source, cell.source[:200]
        assert "crossentropy(probs_example" not in cell.source, cell.source[:200]
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    assert np.isclose(crossentropy(probs, np.array([0, 1, 1])), np.mean(-np.log([0.7, 0.8, 0.3])))
    assert np.isclose(crossentropy(np.array([[1.0, 0.0]]), np.array([1])), -np.log(1e-7))  # clipped, finite
