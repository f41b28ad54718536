"""lesson06's class checks: the book's classes pass, each mistake gets its diagnosis."""
import numpy as np
import pytest

from checks import lesson06 as check
from checks.lesson_helpers import lesson06_network as network
from tests.checks_util import assert_diagnosed, assert_passes


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = np.dot(dvalues, self.weights.T)


class DenseWithRng(Layer_Dense):
    """A learner who keeps randomness local is right too."""

    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.01 * np.random.default_rng(0).standard_normal((n_inputs, n_neurons))
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = np.asarray(inputs, dtype=np.float32)
        self.output = self.inputs @ self.weights + self.biases
        return self.output


class DenseEinsum(Layer_Dense):
    def backward(self, dvalues):
        self.dweights = np.einsum("ni,nj->ij", self.inputs, dvalues)
        self.dbiases = dvalues.sum(axis=0)[None, :]
        self.dinputs = np.einsum("nj,ij->ni", dvalues, self.weights)


class SeedDense(Layer_Dense):
    """Names from other code (dL_dw ...), not the book's."""

    def backward(self, dL_dz):
        self.dL_dw = np.dot(self.inputs.T, dL_dz)
        self.dL_db = np.sum(dL_dz, axis=0, keepdims=True)
        self.dL_dX = np.dot(dL_dz, self.weights.T)


class OddName(Layer_Dense):
    def backward(self, dvalues):
        super().backward(dvalues)
        self.gradient_of_weights = self.__dict__.pop("dweights")


class ForgetsInputs(Layer_Dense):
    def forward(self, inputs):
        self.output = np.dot(inputs, self.weights) + self.biases


class UsesLocalInputs(Layer_Dense):
    def forward(self, inputs):
        self.x = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = self.x.T @ dvalues
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = dvalues @ self.weights.T


class ReturnsOutput(Layer_Dense):
    def forward(self, inputs):
        self.inputs = inputs
        return inputs @ self.weights + self.biases


class Stale(Layer_Dense):
    def __init__(self, n_inputs, n_neurons):
        super().__init__(n_inputs, n_neurons)
        self.w, self.b = self.weights.copy(), self.biases.copy()

    def forward(self, inputs):
        self.inputs = inputs
        self.output = inputs @ self.w + self.b


class Transposed(Layer_Dense):
    def __init__(self, n_inputs, n_neurons):
        super().__init__(n_neurons, n_inputs)


class FlatBiases(Layer_Dense):
    def __init__(self, n_inputs, n_neurons):
        super().__init__(n_inputs, n_neurons)
        self.biases = np.zeros(n_neurons)


class ZeroWeights(Layer_Dense):
    def __init__(self, n_inputs, n_neurons):
        super().__init__(n_inputs, n_neurons)
        self.weights = np.zeros((n_inputs, n_neurons))


def _dense_variant(name, **parts):
    def backward(self, dvalues):
        Layer_Dense.backward(self, dvalues)
        for part, make in parts.items():
            setattr(self, part, make(self, dvalues))

    return type(name, (Layer_Dense,), {"backward": backward})


NoKeepdims = _dense_variant("NoKeepdims", dbiases=lambda s, d: d.sum(axis=0))
WrongAxis = _dense_variant("WrongAxis", dbiases=lambda s, d: d.sum(axis=1, keepdims=True))
TransposedDweights = _dense_variant("TransposedDweights", dweights=lambda s, d: d.T @ s.inputs)
MeanDweights = _dense_variant("MeanDweights", dweights=lambda s, d: s.inputs.T @ d / len(d))
SignDinputs = _dense_variant("SignDinputs", dinputs=lambda s, d: -(d @ s.weights.T))
UpstreamIgnored = _dense_variant("UpstreamIgnored", dinputs=lambda s, d: np.ones_like(d) @ s.weights.T)


class ModifiesDvalues(Layer_Dense):
    def backward(self, dvalues):
        super().backward(dvalues.copy())
        dvalues *= 0


class StepsInBackward(Layer_Dense):
    def backward(self, dvalues):
        super().backward(dvalues)
        self.weights -= 0.1 * self.dweights


class RaisesInInit:
    def __init__(self, n_inputs, n_neurons):
        raise ValueError("not yet")


@pytest.mark.parametrize("cls", [Layer_Dense, DenseWithRng, DenseEinsum])
def test_right_dense_layers_pass(cls):
    assert_passes(check.Layer_Dense, cls)


DENSE_WRONG = {
    "seed's names": (SeedDense, "wrong_attribute_name", "dinputs"),
    "an odd name": (OddName, "wrong_attribute_name", "dweights"),
    "forgot self.inputs": (ForgetsInputs, None, None),
    "inputs under another name": (UsesLocalInputs, "wrong_attribute_name", "inputs"),
    "returns output": (ReturnsOutput, "missing_attribute", "output"),
    "stale weights": (Stale, "stale_parameters", "output"),
    "transposed weights": (Transposed, "transposed", "weights"),
    "1-D biases": (FlatBiases, "missing_keepdims", "biases"),
    "zero weights": (ZeroWeights, "symmetric_weights", "weights"),
    "no keepdims": (NoKeepdims, "missing_keepdims", "dbiases"),
    "wrong axis": (WrongAxis, "wrong_axis", "dbiases"),
    "transposed dweights": (TransposedDweights, "transposed", "dweights"),
    "mean dweights": (MeanDweights, "mean_instead_of_sum", "dweights"),
    "wrong sign": (SignDinputs, "wrong_sign", "dinputs"),
    "upstream ignored": (UpstreamIgnored, "upstream_ignored", "dinputs"),
    "modifies dvalues": (ModifiesDvalues, "modified_input", "dvalues"),
    "steps in backward": (StepsInBackward, "modified_weights", "weights"),
}


@pytest.mark.parametrize("name", list(DENSE_WRONG))
def test_dense_mistakes_are_diagnosed(name):
    cls, diagnosis, part = DENSE_WRONG[name]
    if diagnosis is None:  # forgetting self.inputs: backward itself fails, with the learner's own error
        result = check.Layer_Dense(cls)
        assert result.outcome in {"incorrect", "raised"} and "inputs" in result.message
        return
    assert_diagnosed(check.Layer_Dense, cls, diagnosis, part)


def test_errors_in_init_are_the_learners():
    result = check.Layer_Dense(RaisesInInit)
    assert result.outcome == "raised" and "not yet" in result.message and "Layer_Dense(4, 3)" in result.message


@pytest.mark.parametrize("thing", [Layer_Dense(4, 3), lambda n_inputs, n_neurons: Layer_Dense(4, 3)])
def test_not_a_class_gets_a_clear_message(thing):
    result = assert_diagnosed(check.Layer_Dense, thing, "wrong_type")
    assert "class" in result.message


class Activation_ReLU:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0


class ReLUWithMask:
    def forward(self, inputs):
        self.mask = np.asarray(inputs) > 0
        self.output = np.where(self.mask, inputs, 0.0)

    def backward(self, dvalues):
        self.dinputs = dvalues * self.mask


class SeedReLU:
    """A tempting version: writes into dvalues."""

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dL_da):
        self.dL_dz = dL_da
        self.dL_dz[self.inputs <= 0] = 0


class SeedReLUFixedCopy(SeedReLU):
    def backward(self, dL_da):
        self.dL_dz = dL_da.copy()
        self.dL_dz[self.inputs <= 0] = 0


def _relu_variant(name, make):
    def backward(self, dvalues):
        self.dinputs = make(self, dvalues)

    return type(name, (Activation_ReLU,), {"backward": backward})


@pytest.mark.parametrize("cls", [Activation_ReLU, ReLUWithMask])
def test_right_relus_pass(cls):
    assert_passes(check.Activation_ReLU, cls)


RELU_WRONG = {
    "seed's in-place backward": (SeedReLU, "modified_input", "dvalues"),
    "seed's name": (SeedReLUFixedCopy, "wrong_attribute_name", "dinputs"),
    "wrong at zero": (_relu_variant("AtZero", lambda s, d: d * (s.inputs >= 0)), "relu_at_zero", "dinputs"),
    "mask on dvalues": (_relu_variant("OnDvalues", lambda s, d: d * (d > 0)), "mask_on_wrong_array", "dinputs"),
    "no mask": (_relu_variant("NoMask", lambda s, d: d.copy()), "mask_missing", "dinputs"),
    "upstream ignored": (_relu_variant("Ones", lambda s, d: (s.inputs > 0) * 1.0), "upstream_ignored", "dinputs"),
}


@pytest.mark.parametrize("name", list(RELU_WRONG))
def test_relu_mistakes_are_diagnosed(name):
    cls, diagnosis, part = RELU_WRONG[name]
    assert_diagnosed(check.Activation_ReLU, cls, diagnosis, part)


class Optimizer_SGD:
    def __init__(self, learning_rate=1.0):
        self.learning_rate = learning_rate

    def update_params(self, layer):
        layer.weights += -self.learning_rate * layer.dweights
        layer.biases += -self.learning_rate * layer.dbiases


class SGDRebinding(Optimizer_SGD):
    def update_params(self, layer):
        layer.weights = layer.weights - self.learning_rate * layer.dweights
        layer.biases = layer.biases - self.learning_rate * layer.dbiases


def _sgd_variant(name, update, init=None):
    body = {"update_params": update}
    if init:
        body["__init__"] = init
    return type(name, (Optimizer_SGD,), body)


def _set_rate(self, learning_rate):
    self.learning_rate = learning_rate


def _other_default(self, learning_rate=0.1):
    self.learning_rate = learning_rate


def _named_lr(self, lr=1.0):
    self.learning_rate = lr


def ascends(self, layer):
    layer.weights += self.learning_rate * layer.dweights
    layer.biases += self.learning_rate * layer.dbiases


def ignores_rate(self, layer):
    layer.weights -= layer.dweights
    layer.biases -= layer.dbiases


def forgets_biases(self, layer):
    layer.weights -= self.learning_rate * layer.dweights


def local_only(self, layer):
    weights = layer.weights
    weights = weights - self.learning_rate * layer.dweights  # noqa: F841 (the bug)
    layer.biases -= self.learning_rate * layer.dbiases


def scales_gradient(self, layer):
    layer.dweights *= self.learning_rate
    layer.weights -= layer.dweights
    layer.biases -= self.learning_rate * layer.dbiases


@pytest.mark.parametrize("cls", [Optimizer_SGD, SGDRebinding])
def test_right_optimizers_pass(cls):
    assert_passes(check.Optimizer_SGD, cls)


SGD_WRONG = {
    "gradient ascent": (_sgd_variant("Ascends", ascends), "wrong_sign", "weights"),
    "rate ignored": (_sgd_variant("Ignores", ignores_rate), "learning_rate_ignored", "weights"),
    "biases forgotten": (_sgd_variant("NoBiases", forgets_biases), "biases_not_updated", "biases"),
    "local variable": (_sgd_variant("Local", local_only), "weights_not_updated", "weights"),
    "gradient modified": (_sgd_variant("Scales", scales_gradient), "modified_input", "dweights"),
    "no default": (_sgd_variant("NoDefault", Optimizer_SGD.update_params, _set_rate), "no_default_learning_rate",
                   "learning_rate"),
    "other default": (_sgd_variant("OtherDefault", Optimizer_SGD.update_params, _other_default),
                      "wrong_default_learning_rate", "learning_rate"),
    # Issue 9: `lr` passed a positional check, then the lesson's Optimizer_SGD(learning_rate=0.01) raised.
    "parameter named lr": (_sgd_variant("NamedLr", Optimizer_SGD.update_params, _named_lr), "wrong_parameter_name",
                           "learning_rate"),
}


def test_a_parameter_named_lr_is_diagnosed_as_the_lesson_builds_the_optimizer():
    result = check.Optimizer_SGD(_sgd_variant("NamedLr", Optimizer_SGD.update_params, _named_lr))
    assert "Optimizer_SGD(learning_rate=0.5)" in result.message and "unexpected keyword argument" in result.message
    assert "Traceback" not in result.message


@pytest.mark.parametrize("name", list(SGD_WRONG))
def test_optimizer_mistakes_are_diagnosed(name):
    cls, diagnosis, part = SGD_WRONG[name]
    assert_diagnosed(check.Optimizer_SGD, cls, diagnosis, part)


def test_class_checks_leave_numpy_global_random_state_alone():
    np.random.seed(5)
    expected = np.random.rand()
    np.random.seed(5)
    check.Layer_Dense(Layer_Dense)
    assert np.random.rand() == expected


class Proxy:
    """Stands in for a class the way a grader's remote proxy would: only construction, calls, get/set."""

    def __init__(self, cls):
        self._cls = cls

    def __call__(self, *args, **kwargs):
        return _ObjectProxy(self._cls(*args, **kwargs))


class _ObjectProxy:
    def __init__(self, target):
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name):
        return getattr(object.__getattribute__(self, "_target"), name)

    def __setattr__(self, name, value):
        setattr(object.__getattribute__(self, "_target"), name, value)


@pytest.mark.parametrize("checker, cls", [(check.Layer_Dense, Layer_Dense), (check.Activation_ReLU, Activation_ReLU),
                                          (check.Optimizer_SGD, Optimizer_SGD)])
def test_a_stand_in_for_the_class_is_checked_like_the_class(checker, cls):
    assert_passes(checker, Proxy(cls))


def test_proxy_of_a_wrong_class_gets_the_same_diagnosis():
    assert_diagnosed(check.Layer_Dense, Proxy(SeedDense), "wrong_attribute_name", "dinputs")
    assert_diagnosed(check.Activation_ReLU, Proxy(SeedReLU), "modified_input", "dvalues")


def test_network_values():
    before, after = network.network_losses()
    assert after < before
    assert check.network_loss(before).passed
    assert check.network_loss(np.array([before])).passed
    assert check.network_loss(2 * before).diagnosis == "missing_half"
    assert check.network_loss_after(after).passed
    assert check.network_loss_after(before).diagnosis == "loss_before_step"


def _lesson_network():
    inputs, w1, b1, w2, b2, targets = network.network_example()
    dense1, relu, dense2 = Layer_Dense(4, 3), Activation_ReLU(), Layer_Dense(3, 2)
    dense1.weights, dense1.biases, dense2.weights, dense2.biases = w1.copy(), b1.copy(), w2.copy(), b2.copy()
    return inputs, targets, dense1, relu, dense2


def _forward(inputs, dense1, relu, dense2):
    dense1.forward(inputs)
    relu.forward(dense1.output)
    dense2.forward(relu.output)


def _step(inputs, targets, dense1, relu, dense2, optimizer, layers=None):
    _forward(inputs, dense1, relu, dense2)
    dense2.backward(dense2.output - targets)
    relu.backward(dense2.dinputs)
    dense1.backward(relu.dinputs)
    for layer in layers or (dense1, dense2):
        optimizer.update_params(layer)
    _forward(inputs, dense1, relu, dense2)


def test_network_loss_names_a_skipped_relu_and_a_mean():
    inputs, targets, dense1, relu, dense2 = _lesson_network()
    _forward(inputs, dense1, relu, dense2)
    assert check.network_loss(0.5 * np.sum((dense2.output - targets) ** 2)).passed
    dense2.forward(dense1.output)  # the ReLU skipped
    skipped = check.network_loss(0.5 * np.sum((dense2.output - targets) ** 2))
    assert skipped.outcome == "incorrect" and skipped.diagnosis == "relu_skipped" and "ReLU" in skipped.message
    _forward(inputs, dense1, relu, dense2)
    for mean in (0.5 * np.mean((dense2.output - targets) ** 2), np.mean((dense2.output - targets) ** 2)):
        result = check.network_loss(mean)
        assert result.diagnosis == "mean_instead_of_sum" and "np.mean" in result.message
    assert check.network_loss(0.5 * np.sum(dense2.output ** 2)).diagnosis == "targets_ignored"
    assert check.network_loss(0.5 * np.sum((dense2.output - targets) ** 2, axis=0)).diagnosis == "not_a_number"


def test_network_loss_never_states_the_loss_nor_gives_generic_advice():
    before, _ = network.network_losses()
    for value in (1.0, 40.0, before * 1.5, -before):
        message = check.network_loss(value).message
        assert f"{before:.2f}" not in message and "chain rule" not in message and "inner dimensions" not in message


def test_network_loss_after_names_a_double_step_one_layer_and_another_rate():
    inputs, targets, *layers = _lesson_network()
    optimizer = Optimizer_SGD(learning_rate=0.01)
    _step(inputs, targets, *layers, optimizer)
    dense2 = layers[2]
    assert check.network_loss_after(0.5 * np.sum((dense2.output - targets) ** 2)).passed
    _step(inputs, targets, *layers, optimizer)  # the step cell run again on the same network
    twice = check.network_loss_after(0.5 * np.sum((dense2.output - targets) ** 2))
    assert twice.outcome == "incorrect" and twice.diagnosis == "two_steps" and "twice" in twice.message
    for which in (0, 2):
        inputs, targets, *layers = _lesson_network()
        _step(inputs, targets, *layers, optimizer, layers=(layers[which],))
        assert check.network_loss_after(0.5 * np.sum((layers[2].output - targets) ** 2)).diagnosis == \
            "one_layer_updated"
    inputs, targets, *layers = _lesson_network()
    _step(inputs, targets, *layers, Optimizer_SGD())
    assert check.network_loss_after(0.5 * np.sum((layers[2].output - targets) ** 2)).diagnosis == \
        "wrong_learning_rate"


def test_hints_go_from_the_idea_to_blanks_and_the_step_hints_name_the_update():
    after_hints = " ".join(check.network_loss_after.exercise.hints)
    assert "update_params" in after_hints and "forward pass once more" in after_hints
    first_dense_hint = check.Layer_Dense.exercise.hints[0]
    assert "np.random.randn" not in first_dense_hint and "np.zeros" not in first_dense_hint
    for name in ("Layer_Dense", "Activation_ReLU", "Optimizer_SGD", "network_loss", "network_loss_after"):
        hints = getattr(check, name).exercise.hints
        assert "____" in hints[-1] and all("____" not in h for h in hints[:-1]), name
        assert f'check.solution("{name}")' in str(check.hint(name, len(hints) + 1))


def test_re_running_the_step_cell_is_safe_and_keeps_the_exercise_solved(tmp_path, monkeypatch):
    """Issue 9: re-running the correct network_loss_after cell took a second step, and the progress table
    flipped a solved exercise to ✘. Each exercise cell now builds a fresh network first."""
    import json

    import nbformat

    from tests.notebook_answers import ROOT, run_notebook

    progress = tmp_path / "progress.json"
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(progress))
    nb = nbformat.read(ROOT / "solutions" / "06_layer_classes.ipynb", as_version=4)
    step = next(i for i, c in enumerate(nb.cells) if "loss_after = 0.5" in c.source)
    assert nb.cells[step + 1].source.strip() == "check.network_loss_after(loss_after)"
    again = [nbformat.v4.new_code_cell(nb.cells[step].source), nbformat.v4.new_code_cell(nb.cells[step + 1].source)]
    nb.cells[step + 2:step + 2] = again  # the step cell and its check, run a second time
    nbformat.write(nb, tmp_path / "06.ipynb")
    results, _ = run_notebook(str(tmp_path / "06.ipynb"))
    after = [r for r in results if r.exercise == "lesson06.network_loss_after"]
    assert len(after) == 2 and all(r.passed for r in after), [str(r) for r in after]
    stored = json.loads(progress.read_text())["exercises"]["lesson06.network_loss_after"]
    assert stored["outcome"] == "correct" and stored["attempts"] == 2


def test_network_loss_after_names_a_skipped_relu_backward():
    inputs, targets, dense1, relu, dense2 = _lesson_network()
    optimizer = Optimizer_SGD(learning_rate=0.01)
    _forward(inputs, dense1, relu, dense2)
    dense2.backward(dense2.output - targets)
    dense1.backward(dense2.dinputs)  # relu.backward skipped
    optimizer.update_params(dense1)
    optimizer.update_params(dense2)
    _forward(inputs, dense1, relu, dense2)
    result = check.network_loss_after(0.5 * np.sum((dense2.output - targets) ** 2))
    assert result.outcome == "incorrect" and result.diagnosis == "relu_backward_skipped", str(result)


# ---- issue 17: what the check saw, in words the lesson taught ----------------------------------------------

def same_on_both_sides(check_value, loss):
    """Guesses just below and just above the loss get messages that differ only by the guess itself, with no
    direction word: nothing in them tells a learner which way to move (17 halvings would otherwise find it)."""
    from tests.checks_util import assert_no_direction

    below, above = check_value(0.93 * loss), check_value(1.07 * loss)
    assert below.diagnosis == above.diagnosis == "wrong_value", (below, above)
    for result, guess in ((below, 0.93 * loss), (above, 1.07 * loss)):
        assert_no_direction(result.message)
    strip = lambda result, guess: result.message.replace(f"{guess:.6g}", "GUESS")  # noqa: E731
    assert strip(below, 0.93 * loss) == strip(above, 1.07 * loss)


def test_a_wrong_network_loss_says_what_to_recompute_not_which_way():
    before, _ = network.network_losses()
    same_on_both_sides(check.network_loss, before)
    assert "Print each step" in check.network_loss(0.93 * before).message


class TransposedDinputs(Layer_Dense):
    def backward(self, dvalues):
        self.dweights = self.inputs.T @ dvalues
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = dvalues @ self.weights  # the factor that should be transposed is not


def test_a_product_that_does_not_fit_in_backward_is_named_as_in_lesson_3():
    from tests.checks_util import assert_gives_nothing_away

    result = assert_diagnosed(check.Layer_Dense, TransposedDinputs, "transposed", "dinputs")
    assert_gives_nothing_away(result, check, "Layer_Dense")
    assert "one of them should be transposed" in result.message
    assert "self.dinputs = dvalues @ self.weights" in result.message  # the learner's own line
    assert "core dimension" not in result.message and "gufunc" not in result.message


class PastedDense(Layer_Dense):
    def backward(self, dvalues):
        from tests.checks_util import pasted_gradient

        def loss(i, w, b):
            return float(np.sum(dvalues * (i @ w + b)))

        self.dweights = pasted_gradient(lambda w: loss(self.inputs, w, self.biases), self.weights)
        self.dbiases = pasted_gradient(lambda b: loss(self.inputs, self.weights, b), self.biases)
        self.dinputs = pasted_gradient(lambda i: loss(i, self.weights, self.biases), self.inputs.copy())


class PastedReLU(Activation_ReLU):
    def backward(self, dvalues):
        from tests.checks_util import pasted_gradient

        grad = pasted_gradient(lambda z: float(np.sum(dvalues * np.maximum(0, z))), np.array(self.inputs, float))
        grad[np.asarray(self.inputs) <= 0] = 0.0
        self.dinputs = grad


def test_pasted_numerical_gradients_in_the_classes_are_named():
    from tests.checks_util import assert_numerical_estimate

    assert_numerical_estimate(check.Layer_Dense, PastedDense)
    assert_numerical_estimate(check.Activation_ReLU, PastedReLU)
    for cls in (Layer_Dense, DenseWithRng, DenseEinsum):
        assert_passes(check.Layer_Dense, cls)
    for cls in (Activation_ReLU, ReLUWithMask):
        assert_passes(check.Activation_ReLU, cls)


def test_init_messages_state_the_rule_not_the_line():
    class OneDimBiases(Layer_Dense):
        def __init__(self, n_inputs, n_neurons):
            super().__init__(n_inputs, n_neurons)
            self.biases = np.zeros(n_neurons)

    for cls in (OneDimBiases, ZeroWeights):
        message = check.Layer_Dense(cls).message
        assert "np.zeros((1, n_neurons))" not in message and "np.random.randn(n_inputs, n_neurons)" not in message


def test_a_changed_dvalues_is_explained_by_what_was_seen():
    class ZeroesDvaluesThenCopies(Activation_ReLU):
        def backward(self, dvalues):
            dvalues[self.inputs <= 0] = 0
            self.dinputs = dvalues.copy()

    aliased = assert_diagnosed(check.Activation_ReLU, SeedReLU, "modified_input", "dvalues")
    assert "under a second name" in aliased.message
    other = assert_diagnosed(check.Activation_ReLU, ZeroesDvaluesThenCopies, "modified_input", "dvalues")
    assert "second name" not in other.message and "some entries of dvalues were changed" in other.message


def test_network_loss_after_names_an_update_applied_twice_with_the_same_gradients():
    """update_params called twice per layer after one backward (or the update lines run again on their own):
    each layer stepped twice along the same gradients, which the two-steps diagnosis (fresh gradients each
    time) did not recognise; the message said 'none of the usual slips' and asked to print the forward pass."""
    from tests.checks_util import assert_no_direction

    inputs, targets, dense1, relu, dense2 = _lesson_network()
    optimizer = Optimizer_SGD(learning_rate=0.01)
    _step(inputs, targets, dense1, relu, dense2, optimizer, layers=(dense1, dense2, dense1, dense2))
    result = check.network_loss_after(0.5 * np.sum((dense2.output - targets) ** 2))
    assert result.outcome == "incorrect" and result.diagnosis == "update_twice", str(result)
    assert "update_params" in result.message and "none of the usual" not in result.message
    assert_no_direction(result.message)
    before, after = network.network_losses()
    assert f"{after:.4f}" not in result.message and f"{after:.2f}" not in result.message


class StepsBeforeDinputs(Layer_Dense):
    """The step taken inside backward, between dweights and dinputs: dinputs then uses the stepped weights."""

    def backward(self, dvalues):
        self.dweights = self.inputs.T @ dvalues
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.weights -= 0.1 * self.dweights
        self.dinputs = dvalues @ self.weights.T


def test_a_step_inside_backward_is_named_even_when_dinputs_comes_after_it():
    """It was 'dinputs ... all of its elements are off' with generic advice: the kind of mistake, a backward
    pass that changes the weights, is what the learner needs to hear."""
    result = assert_diagnosed(check.Layer_Dense, StepsBeforeDinputs, "modified_weights", "weights")
    assert "optimizer" in result.message


def test_the_network_checks_on_the_placeholder_name_the_learners_variable():
    assert "`loss`" in check.network_loss(...).message
    assert "`loss_after`" in check.network_loss_after(...).message
