"""lesson05.sgd_update and the value checks: right answers pass, each mistake gets its diagnosis."""
import numpy as np
import pytest

from checks import lesson05 as check
from tests.checks_util import assert_diagnosed, assert_passes


def in_place(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dweights
    biases -= learning_rate * dbiases


def like_the_book(weights, biases, dweights, dbiases, learning_rate):
    weights += -learning_rate * dweights
    biases += -learning_rate * dbiases


def slice_assignment(weights, biases, dweights, dbiases, learning_rate):
    weights[...] = weights - learning_rate * dweights
    biases[:] = biases - learning_rate * dbiases
    return weights, biases  # returning as well is harmless


def with_out(weights, biases, dweights, dbiases, learning_rate):
    np.subtract(weights, learning_rate * dweights, out=weights)
    np.subtract(biases, learning_rate * dbiases, out=biases)


def with_loops(weights, biases, dweights, dbiases, learning_rate):
    for i in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            weights[i, j] -= learning_rate * dweights[i, j]
    for j in range(biases.shape[1]):
        biases[0, j] -= learning_rate * dbiases[0, j]


@pytest.mark.parametrize("answer", [in_place, like_the_book, slice_assignment, with_out, with_loops])
def test_right_answers_pass(answer):
    assert_passes(check.sgd_update, answer)


def rebinds(weights, biases, dweights, dbiases, learning_rate):
    weights = weights - learning_rate * dweights
    biases = biases - learning_rate * dbiases
    return weights, biases


def ascends(weights, biases, dweights, dbiases, learning_rate):
    weights += learning_rate * dweights
    biases += learning_rate * dbiases


def ignores_rate(weights, biases, dweights, dbiases, learning_rate):
    weights -= dweights
    biases -= dbiases


def hard_codes_the_book_s_rate(weights, biases, dweights, dbiases, learning_rate):
    weights -= 0.001 * dweights
    biases -= 0.001 * dbiases


def forgets_biases(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dweights


def rebinds_biases(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dweights
    biases = biases - learning_rate * dbiases


def swaps_gradients(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dbiases  # broadcasts silently
    biases -= learning_rate * dbiases


def scales_dweights(weights, biases, dweights, dbiases, learning_rate):
    dweights *= learning_rate  # the bug: the caller's gradient changes
    weights -= dweights
    biases -= learning_rate * dbiases


def modifies_dbiases(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate * dweights
    dbiases *= learning_rate
    biases -= dbiases


def squares_rate(weights, biases, dweights, dbiases, learning_rate):
    weights -= learning_rate ** 2 * dweights
    biases -= learning_rate ** 2 * dbiases


WRONG = {
    "rebinding": (rebinds, "not_in_place", "weights"),
    "gradient ascent": (ascends, "wrong_sign", "weights"),
    "learning rate ignored": (ignores_rate, "learning_rate_ignored", "weights"),
    "the book's rate hard-coded": (hard_codes_the_book_s_rate, "learning_rate_ignored", "weights"),
    "biases forgotten": (forgets_biases, "biases_not_updated", "biases"),
    "biases rebound": (rebinds_biases, "biases_not_updated", "biases"),
    "swapped gradients": (swaps_gradients, "swapped_gradients", "weights"),
    "dweights modified": (scales_dweights, "modified_input", "dweights"),
    "dbiases modified": (modifies_dbiases, "modified_input", "dbiases"),
    "wrong scale": (squares_rate, "wrong_scale", "weights"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_diagnosed(name):
    answer, diagnosis, part = WRONG[name]
    assert_diagnosed(check.sgd_update, answer, diagnosis, part)


def test_swapping_into_biases_is_the_learners_own_error():
    def swapped(weights, biases, dweights, dbiases, learning_rate):
        weights -= learning_rate * dweights
        biases -= learning_rate * dweights  # (1, n) cannot hold (n_in, n): numpy raises

    result = check.sgd_update(swapped)
    assert result.outcome == "raised" and "biases -= learning_rate * dweights" in result.message


def test_the_book_s_numbers():
    inputs, weights, biases = check.example_arrays()
    assert round(check.example_loss(inputs, weights, biases), 2) == 56.27
    dweights, dbiases = check.example_gradients()
    in_place(weights, biases, dweights, dbiases, 0.001)
    assert np.allclose(weights, [[0.179515, 0.5003665, -0.262746], [0.742093, -0.9152577, -0.2758402],
                                 [-0.510153, 0.2529017, 0.1629592], [0.971328, -0.5021842, 0.8636583]])
    assert np.allclose(biases, [[1.98489, 2.997739, 0.497389]])
    assert round(check.example_loss(inputs, weights, biases), 2) == 51.24


def test_value_checks():
    inputs, weights, biases = check.example_arrays()
    relu = np.maximum(0, inputs @ weights + biases)
    dweights, dbiases = check.example_gradients()
    assert check.loss(0.5 * np.sum(relu ** 2)).passed
    assert check.loss(np.array([0.5 * np.sum(relu ** 2)])).passed  # a one-element array is one number
    assert check.loss(np.sum(relu ** 2)).diagnosis == "missing_half"
    assert check.loss(0.5 * np.sum((inputs @ weights + biases) ** 2)).diagnosis == "relu_missing"
    assert check.loss(0.5 * np.mean(relu ** 2)).diagnosis == "mean_instead_of_sum"
    assert check.loss(0.5 * relu ** 2).diagnosis == "not_a_number"
    assert check.loss(-0.5 * np.sum(relu ** 2)).diagnosis == "wrong_sign"
    assert check.updated_weights(weights + -0.001 * dweights).passed
    assert check.updated_biases(biases + -0.001 * dbiases).passed
    assert check.updated_weights(weights + 0.001 * dweights).diagnosis == "wrong_sign"
    assert check.updated_weights(weights).diagnosis == "no_step"
    assert check.updated_biases(biases).diagnosis == "no_step"
    assert check.updated_weights(weights - dweights).diagnosis == "wrong_scale"
    new_weights, new_biases = weights - 0.001 * dweights, biases - 0.001 * dbiases
    after = 0.5 * np.sum(np.maximum(0, inputs @ new_weights + new_biases) ** 2)
    assert check.loss_after(after).passed
    assert check.loss_after(0.5 * np.sum(relu ** 2)).diagnosis == "loss_before_step"
    assert check.loss_after(...).outcome == "not_attempted"


def test_the_step_by_hand_is_judged_with_the_weights_it_came_from():
    _, weights, biases = check.example_arrays()
    dweights, dbiases = check.example_gradients()
    assert check.updated_weights(weights + -0.001 * dweights, weights).passed
    assert check.updated_biases(biases + -0.001 * dbiases, biases).passed
    assert check.updated_weights(..., weights).outcome == "not_attempted"


@pytest.mark.parametrize("part", ["weights", "biases"])
def test_a_step_taken_in_place_is_caught_by_the_value_check(part):
    """The lesson's pitfall: `weights += -0.001 * dweights; new_weights = weights` gives the right numbers
    in new_weights, and silently moves every later cell one step on."""
    _, weights, biases = check.example_arrays()
    dweights, dbiases = check.example_gradients()
    original, gradient = (weights, dweights) if part == "weights" else (biases, dbiases)
    original += -0.001 * gradient
    new = original
    result = getattr(check, f"updated_{part}")(new, original)
    assert result.outcome == "incorrect" and result.diagnosis == "original_modified" and result.part == part
    assert "in place" in result.message and "re-run" in result.message
    assert "0.179515" not in result.message and "1.98489" not in result.message  # how it is off, not the values


def test_weights_changed_some_other_way_is_named_too():
    _, weights, _ = check.example_arrays()
    dweights, _ = check.example_gradients()
    right = weights + -0.001 * dweights
    result = check.updated_weights(right, weights + -0.002 * dweights)  # the in-place step run twice
    assert result.diagnosis == "original_modified" and "no longer holds the lesson's weights" in result.message


def test_loss_after_names_a_double_step_and_a_half_update():
    inputs, weights, biases = check.example_arrays()
    dweights, dbiases = check.example_gradients()

    def loss_of(w, b):
        return 0.5 * np.sum(np.maximum(0, inputs @ w + b) ** 2)

    assert check.loss_after(loss_of(weights - 0.002 * dweights, biases - 0.002 * dbiases)).diagnosis == "two_steps"
    assert check.loss_after(loss_of(weights - 0.001 * dweights, biases)).diagnosis == "half_update"
    assert check.loss_after(loss_of(weights, biases - 0.001 * dbiases)).diagnosis == "half_update"
    wrong = check.loss_after(12.5)
    assert wrong.diagnosis == "wrong_value" and "51.2" not in wrong.message


def test_wrong_loss_values_never_state_the_loss():
    for value in (40.0, 0.5, 123.4):
        result = check.loss(value)
        assert result.outcome == "incorrect" and "56.2" not in result.message, result.message


def test_generic_advice_only_where_it_applies():
    _, weights, _ = check.example_arrays()
    dweights, _ = check.example_gradients()
    by_hand = check.updated_weights(weights - 0.01 * dweights)  # a plain cell: there is no learning_rate argument
    assert by_hand.diagnosis == "wrong_scale" and "learning_rate argument" not in by_hand.message
    loss_shape = check.loss(np.ones((2, 3)))
    assert "inner dimensions" not in loss_shape.message and "chain rule" not in loss_shape.message


def test_hints_name_the_update_and_only_the_lesson_s_variables():
    loss_after_hints = " ".join(check.loss_after.exercise.hints)
    assert "new_weights" in loss_after_hints and "new_biases" in loss_after_hints and "step" in loss_after_hints
    for name in ("loss", "updated_weights", "updated_biases", "loss_after", "sgd_update"):
        levels = [str(check.hint(name, level)) for level in range(1, len(getattr(check, name).exercise.hints) + 2)]
        assert "____" in levels[-2], (name, levels[-2])  # the level before the solution is a line with blanks
        assert f'check.solution("{name}")' in levels[-1]


def test_checks_do_not_modify_what_they_are_given():
    _, weights, _ = check.example_arrays()
    before = weights.copy()
    check.updated_weights(weights)
    assert np.array_equal(weights, before)


def test_in_the_notebook_an_in_place_step_is_caught_and_later_cells_keep_the_lesson_s_story(tmp_path, monkeypatch):
    """Take the step by hand in place, as a learner might: the step's check says so, and the cells below
    (your sgd_update on the lesson's arrays, the runs of many steps) still show the lesson's numbers."""
    import nbformat

    from tests.notebook_answers import ROOT, run_notebook

    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))
    nb = nbformat.read(ROOT / "solutions" / "05_backward_pass_and_sgd.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if "new_weights = weights + -0.001 * dweights" in c.source]
    cell.source = cell.source.replace("new_weights = weights + -0.001 * dweights",
                                      "weights += -0.001 * dweights\nnew_weights = weights")
    nbformat.write(nb, tmp_path / "05.ipynb")
    results, namespace = run_notebook(str(tmp_path / "05.ipynb"))
    by_name = {r.exercise.split(".")[1]: r for r in results}
    assert by_name["updated_weights"].diagnosis == "original_modified"
    assert by_name["updated_biases"].passed
    dweights, dbiases = check.example_gradients()
    _, weights, biases = check.example_arrays()
    assert np.allclose(namespace["stepped_weights"], weights - 0.001 * dweights)  # one step, not two
    losses = namespace["runs"]["the book's: 1e-3"]["loss"]
    assert (round(losses[0], 2), round(losses[1], 2)) == (56.27, 51.24)


def test_re_running_the_sgd_update_demo_takes_the_same_step(tmp_path, monkeypatch):
    import nbformat

    from tests.notebook_answers import ROOT, run_notebook

    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))
    nb = nbformat.read(ROOT / "solutions" / "05_backward_pass_and_sgd.ipynb", as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if c.source.startswith("if checks.ready(check.sgd_update"))
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(nb.cells[index].source))  # the demo cell, run twice
    nbformat.write(nb, tmp_path / "05.ipynb")
    _, namespace = run_notebook(str(tmp_path / "05.ipynb"))
    dweights, _ = check.example_gradients()
    _, weights, _ = check.example_arrays()
    assert np.allclose(namespace["stepped_weights"], weights - 0.001 * dweights)


def test_the_not_in_place_message_reads_as_sentences():
    """Issue 9, E: "the caller's weights were unchanged. the caller never sees them" was broken wording."""
    for answer, says in ((rebinds, "It returned new arrays, but the caller never sees them"),
                         (lambda w, b, dw, db, lr: None, "The caller sees only changes made to its own arrays")):
        message = check.sgd_update(answer).message
        assert says in message and ". the caller" not in message, message


@pytest.mark.parametrize("original", ["text", [[1, 2]], np.zeros((4, 3)), np.full((4, 3), np.nan), object()])
def test_a_strange_original_never_raises_and_is_named(original):
    _, weights, _ = check.example_arrays()
    dweights, _ = check.example_gradients()
    result = check.updated_weights(weights + -0.001 * dweights, original)
    assert result.outcome == "incorrect" and result.diagnosis == "original_modified"


def test_the_step_checks_leave_both_arrays_alone():
    _, weights, _ = check.example_arrays()
    dweights, _ = check.example_gradients()
    new, kept = weights + -0.001 * dweights, weights.copy()
    new_before = new.copy()
    assert check.updated_weights(new, weights).passed
    assert np.array_equal(weights, kept) and np.array_equal(new, new_before)


# ---- issue 17: no direction to move a number in ------------------------------------------------------------

def test_a_wrong_loss_says_what_to_recompute_not_which_way():
    from tests.checks_util import assert_no_direction

    loss = check.example_loss(*check.example_arrays())
    below, above = check.loss(0.93 * loss), check.loss(1.07 * loss)
    assert below.diagnosis == above.diagnosis == "wrong_value"
    for result in (below, above):
        assert_no_direction(result.message)
        assert "Compute it in steps" in result.message
    assert below.message.replace(f"{0.93 * loss:.6g}", "GUESS") == above.message.replace(f"{1.07 * loss:.6g}", "GUESS")


def test_a_wrong_step_by_hand_is_spoken_of_by_the_learners_name():
    """The learner's array is new_weights (new_biases): the message said "Your biases is not right" and
    "your biases has shape (3, 3)", the name of the original, which the check also looks at."""
    _, weights, biases = check.example_arrays()
    for checker, wrong, name in ((check.updated_biases, np.ones((3, 3)), "new_biases"),
                                 (check.updated_weights, weights * 2.0, "new_weights")):
        result = checker(wrong)
        assert result.outcome == "incorrect", str(result)
        assert f"Your {name} is not right" in result.message, result.message
        assert result.part == name.removeprefix("new_")  # what is graded and counted stays the same
    assert f"your new_biases has shape (3, 3)" in check.updated_biases(np.ones((3, 3))).message


def test_a_check_run_on_the_placeholder_names_the_learners_variable():
    """The exercise cell defines new_weights; 'Replace the placeholder in the exercise cell for
    `updated_weights`' named a variable that is nowhere in the notebook."""
    _, weights, biases = check.example_arrays()
    for checker, name in ((check.updated_weights, "new_weights"), (check.updated_biases, "new_biases")):
        result = checker(..., weights if name == "new_weights" else biases)
        assert result.outcome == "not_attempted" and f"`{name}`" in result.message, result.message
    assert "`loss`" in check.loss(...).message  # where the exercise's name is the variable's, unchanged
