"""The widgets and pictures in backprop_tools, driven without a browser.

Each test moves sliders the way a learner would (setting `.value`) and asserts what is shown:
the numbers in `.values`, the texts and data of the figure's artists, and the PNG.
"""
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backprop_tools import (live_relu_curve, loss_curve, neuron_explorer, neuron_values,
                            progress_bar, quadratic_curve, relu_explorer, relu_heatmaps,
                            sgd_explorer, sgd_run, shape_explorer)
from backprop_tools._render import figure_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def texts_of(artists):
    return [artist.get_text() for artist in artists]


def assert_stable_repr(explorer):
    """The text a notebook stores: no memory address, no widget model id."""
    text = repr(explorer)
    assert "0x" not in text and "model_id" not in text
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == text
    assert "application/vnd.jupyter.widget-view+json" in bundle   # the live widget is shown


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


# -- lesson 1: the neuron explorer -----------------------------------------------------------

def test_neuron_defaults_are_the_seeds_numbers():
    explorer = neuron_explorer()
    v = explorer.values
    assert (v["z"], v["y"], v["db"]) == (6.0, 6.0, 1.0)
    assert v["dx"] == [-3.0, -1.0, 2.0]
    assert v["dw"] == [1.0, -2.0, 3.0]
    assert v["products"] == [-3.0, 2.0, 6.0]
    graph = explorer.graph
    assert graph.edge_value["z"].get_text() == "6"
    assert graph.edge_grad["x0"].get_text() == "∂ -3"
    assert graph.edge_grad["w2"].get_text() == "∂ 3"
    assert explorer.png.startswith(PNG_SIGNATURE)
    assert repr(explorer) == "NeuronExplorer(z=6, y=6, dx=[-3, -1, 2], dw=[1, -2, 3], db=1)"
    assert_stable_repr(explorer)


@pytest.mark.parametrize("b, z", [(-6.0, -1.0), (-7.0, -2.0), (-5.0, 0.0)])
def test_neuron_gradients_vanish_when_relu_is_off(b, z):
    explorer = neuron_explorer()
    before_png, before_updates = explorer.png, explorer.updates
    explorer.sliders["b"].value = b
    v = explorer.values
    assert explorer.updates == before_updates + 1
    assert v["z"] == z and v["y"] == 0.0          # z = 0 exactly: ReLU's derivative there is 0
    assert v["dx"] == [0.0, 0.0, 0.0] and v["dw"] == [0.0, 0.0, 0.0] and v["db"] == 0.0
    assert "ReLU is off: every gradient upstream of it is 0" in explorer.readout_html.value
    assert "ReLU off" in explorer.graph.status.get_text()
    assert set(texts_of(explorer.graph.edge_grad[n] for n in ("x0", "w1", "p2", "b", "z"))) \
        == {"∂ 0"}
    assert explorer.graph.edge_value["z"].get_text() == f"{z:g}"
    assert explorer.png != before_png
    explorer.sliders["b"].value = 1.0               # and back on
    assert explorer.values["dx"] == [-3.0, -1.0, 2.0]
    assert "ReLU on" in explorer.graph.status.get_text()


def test_neuron_dw_follows_x_and_dx_follows_w():
    explorer = neuron_explorer()
    explorer.set(x0=1.5, w1=0.5)
    v = explorer.values
    assert v["z"] == pytest.approx(1.5 * -3 + -2 * 0.5 + 3 * 2 + 1)     # 1.5, still on
    assert v["dw"][0] == 1.5 and v["dx"][1] == 0.5
    assert explorer.graph.edge_grad["w0"].get_text() == "∂ 1.5"
    assert explorer.graph.edge_value["x0"].get_text() == "1.5"


def test_neuron_values_match_central_differences():
    """An independent reference: numerical derivatives of y = max(x·w + b, 0)."""
    rng = np.random.default_rng(1)

    def y(x, w, b):
        return max(float(x @ w + b), 0.0)

    for _ in range(20):
        x, w, b = rng.uniform(-3, 3, 3), rng.uniform(-3, 3, 3), rng.uniform(-3, 3)
        if abs(x @ w + b) < 1e-2:
            continue                                # away from the kink
        v = neuron_values(x, w, b)
        h = 1e-6
        for i in range(3):
            e = np.eye(3)[i] * h
            assert v["dx"][i] == pytest.approx((y(x + e, w, b) - y(x - e, w, b)) / (2 * h),
                                               abs=1e-6)
            assert v["dw"][i] == pytest.approx((y(x, w + e, b) - y(x, w - e, b)) / (2 * h),
                                               abs=1e-6)
        assert v["db"] == pytest.approx((y(x, w, b + h) - y(x, w, b - h)) / (2 * h), abs=1e-6)


def test_neuron_one_update_per_set_and_unknown_slider_names():
    explorer = neuron_explorer(x=(1, 2, 7.5), w=(0, 0, 1), b=12)
    assert explorer.sliders["x2"].value == 7.5       # the range grew to hold the start value
    assert explorer.sliders["b"].value == 12
    before = explorer.updates
    explorer.set(x0=0.0, x1=0.0, x2=0.0)
    assert explorer.updates == before + 1
    with pytest.raises(KeyError):
        explorer.set(bias=1)


# -- lesson 3: the shape explorer ------------------------------------------------------------

def drawn_shapes(explorer):
    return {(row, slot): glyph.shape for row, glyphs in explorer.glyphs.items()
            for slot, glyph in glyphs.items() if glyph.rect.get_visible()}


def test_shape_explorer_starts_from_products_that_do_not_fit():
    """Before exercise 1: nothing on screen is an answer; the learner picks the factors."""
    explorer = shape_explorer()
    assert drawn_shapes(explorer) == {
        ("dinputs", "left"): (5, 3), ("dinputs", "right"): (4, 3),
        ("dweights", "left"): (5, 4), ("dweights", "right"): (5, 3),
        ("dbiases", "left"): (5, 3), ("dbiases", "result"): (1, 5),   # (5,), drawn as a row
    }
    shown = " ".join([explorer.alt_text, explorer.readout_html.value, repr(explorer)]
                     + [t.get_text() for t in explorer.ax.texts])
    for answer in ("weights.T", "inputs.T", "keepdims=True", "axis 0", "axis=0"):
        assert answer not in shown, answer
    assert explorer.notes["dinputs"].get_text() == "inner 3 ≠ 4  ✗ the inner dimensions differ: numpy raises an error"
    assert "✗ gives (5,), but dbiases must be (1, 3), the shape of biases" in explorer.alt_text
    assert repr(explorer) == "ShapeExplorer(dinputs=dvalues @ weights, dweights=inputs @ dvalues, dbiases=sum over axis 1)"
    assert_stable_repr(explorer)


def test_shape_explorer_says_whether_the_chosen_product_has_the_gradients_shape():
    explorer = shape_explorer(batch=5, n_inputs=4, n_neurons=3)
    explorer.set(dinputs_left="dvalues", dinputs_right="weights.T")
    assert explorer.values["rows"]["dinputs"]["result"] == (5, 4)
    assert explorer.notes["dinputs"].get_text() == "inner 3 = 3  ✓ gives (5, 4), the shape of inputs"
    assert drawn_shapes(explorer)[("dinputs", "result")] == (5, 4)
    explorer.set(dinputs_left="weights", dinputs_right="dvalues.T")    # fits, but the transposed shape
    assert "✗ gives (4, 5), but dinputs must be (5, 4), the shape of inputs" in explorer.alt_text
    explorer.set(dweights_left="inputs.T")
    assert explorer.notes["dweights"].get_text() == "inner 5 = 5  ✓ gives (4, 3), the shape of weights"
    explorer.set(sum_axis=0)
    assert "✗ gives (3,), but dbiases must be (1, 3)" in explorer.alt_text
    explorer.set(keepdims=True)
    assert "✓ gives (1, 3), the shape of biases" in explorer.alt_text
    assert drawn_shapes(explorer)[("dbiases", "result")] == (1, 3)


@pytest.mark.parametrize("batch, n_inputs, n_neurons", [(2, 7, 1), (8, 3, 6), (1, 1, 1)])
def test_shape_explorer_follows_the_sliders(batch, n_inputs, n_neurons):
    explorer = shape_explorer()
    explorer.set(batch=batch, n_inputs=n_inputs, n_neurons=n_neurons, dinputs_left="dvalues",
                 dinputs_right="weights.T", dweights_left="inputs.T", dweights_right="dvalues")
    shapes = drawn_shapes(explorer)
    assert shapes[("dinputs", "result")] == (batch, n_inputs)
    assert shapes[("dweights", "result")] == (n_inputs, n_neurons)
    assert shapes[("dinputs", "right")] == (n_neurons, n_inputs)
    assert shapes[("dweights", "left")] == (n_inputs, batch)
    glyph = explorer.glyphs["dinputs"]["left"]
    assert len(glyph.grid.get_segments()) == (batch - 1) + (n_neurons - 1)   # the cells
    equal_sizes_warned = "Make batch, n_inputs and n_neurons all different" in explorer.readout_html.value
    assert equal_sizes_warned == (len({batch, n_inputs, n_neurons}) < 3)


def test_shape_explorer_marks_the_matched_inner_dimensions_only_when_they_match():
    explorer = shape_explorer(batch=5, n_inputs=4, n_neurons=3)
    left, right = explorer.glyphs["dinputs"]["left"], explorer.glyphs["dinputs"]["right"]
    assert not left.col_bar.get_visible() and not right.row_bar.get_visible()
    explorer.set(dinputs_right="weights.T")
    assert left.col_bar.get_visible() and right.row_bar.get_visible()
    bar_x, bar_y = left.col_bar.get_xdata(), right.row_bar.get_ydata()
    assert bar_x[1] - bar_x[0] == pytest.approx(3) and bar_y[1] - bar_y[0] == pytest.approx(3)   # n_neurons


# -- lesson 4: ReLU heatmaps -----------------------------------------------------------------

SEED_Z = np.array([[1, 2, -3, -4], [2, -7, -1, 3], [-1, 2, 5, -1]])
SEED_DVALUES = np.array([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])


def panel_texts(view_or_figure_panel):
    return [[t.get_text() for t in row] for row in view_or_figure_panel.texts]


def test_relu_heatmaps_show_the_seeds_example():
    z, dvalues = SEED_Z.copy(), SEED_DVALUES.copy()
    figure = relu_heatmaps(z, dvalues)
    assert np.array_equal(z, SEED_Z) and np.array_equal(dvalues, SEED_DVALUES)   # untouched
    assert len(figure.axes) == 4
    drelu_axes = figure.axes[3]
    numbers = sorted((t.get_position()[1], t.get_position()[0], t.get_text())
                     for t in drelu_axes.texts)
    assert [n for _, _, n in numbers] == ["1", "2", "0", "0", "5", "0", "0", "8",
                                          "0", "10", "11", "0"]
    assert figure._repr_png_().startswith(PNG_SIGNATURE)   # a notebook shows it as a picture
    assert repr(figure).startswith("<Figure size")


def test_relu_heatmaps_mark_exact_zeros_and_reject_mismatched_shapes():
    z = np.array([[0.0, 1.0], [-1.0, 0.0]])
    figure = relu_heatmaps(z, np.ones((2, 2)))
    marks = [c for c in figure.axes[0].collections if c.get_linestyle()]
    assert len(marks[0].get_segments()) == 2
    assert "exactly 0" in figure.texts[0].get_text()
    with pytest.raises(ValueError):
        relu_heatmaps(np.zeros((2, 3)), np.zeros((3, 2)))


def test_relu_explorer_redraws_for_seed_and_offset():
    explorer = relu_explorer(seed=0)
    v = explorer.values
    assert v["n_exact_zero"] >= 1                                   # some z exactly 0 ...
    assert np.all(v["drelu"][v["exact_zero"]] == 0)                  # ... pass nothing
    assert np.array_equal(v["drelu"], np.where(v["z"] > 0, v["dvalues"], 0.0))
    texts = panel_texts(explorer.view.panels["z"])
    assert texts[0][0] == f"{v['z'][0, 0]:g}"
    before = (explorer.png, texts)
    explorer.sliders["seed"].value = 3
    assert panel_texts(explorer.view.panels["z"]) != before[1] and explorer.png != before[0]
    explorer.sliders["offset"].value = 0.5                           # no z is 0 any more
    assert explorer.values["n_exact_zero"] == 0
    assert len(explorer.view.panels["z"].marks.get_segments()) == 0
    explorer.sliders["offset"].value = 3.0
    explorer.sliders["offset"].value = -3.0
    assert explorer.values["n_passed"] < 12
    assert_stable_repr(explorer)


# -- lesson 5: SGD ---------------------------------------------------------------------------

def test_seed_loss_before_and_after_one_step():
    assert np.round(loss_curve(0.001, 1), 2).tolist() == [56.27, 51.24]
    run = sgd_run(0.001, 1)
    np.testing.assert_allclose(run["weights"], [[0.179515, 0.5003665, -0.262746],
                                                [0.742093, -0.9152577, -0.2758402],
                                                [-0.510153, 0.2529017, 0.1629592],
                                                [0.971328, -0.5021842, 0.8636583]], atol=1e-12)
    np.testing.assert_allclose(run["biases"], [[1.98489, 2.997739, 0.497389]], atol=1e-12)


@pytest.mark.parametrize("learning_rate", [0.05, 0.1, 1.0, 10.0])
def test_a_large_step_kills_every_relu_instead_of_diverging(learning_rate):
    loss, live = loss_curve(learning_rate, 10), live_relu_curve(learning_rate, 10)
    assert loss[0] == pytest.approx(56.267851)
    assert np.all(loss[1:] == 0) and np.all(live[1:] == 0)


def test_the_layer_loss_never_rises():
    for learning_rate in np.logspace(-4, 1, 11):
        loss = loss_curve(learning_rate, 40)
        assert np.all(np.diff(loss) <= 1e-12)


def test_quadratic_too_small_good_and_divergent():
    assert quadratic_curve(0.01, 10)[-1] == pytest.approx(0.98 ** 20)     # creeps
    assert quadratic_curve(0.5, 3).tolist() == [1.0, 0.0, 0.0, 0.0]       # one step
    assert quadratic_curve(1.0, 4).tolist() == [1.0] * 5                  # |1 - 2 lr| = 1
    for learning_rate in (1.01, 1.1, 2.0):                               # |1 - 2 lr| > 1
        curve = quadratic_curve(learning_rate, 20)
        assert np.all(np.diff(curve) > 0) and curve[-1] > 1
    for learning_rate in (0.1, 0.7, 0.99):
        assert quadratic_curve(learning_rate, 200)[-1] < 1e-3


def test_sgd_explorer_shows_the_dead_layer():
    explorer = sgd_explorer()
    v = explorer.values
    assert len(v["loss"]) == 31 and v["loss"][0] == pytest.approx(56.267851)
    assert not v["layer_died"] and explorer.death_text.get_text() == ""
    old_y = explorer.loss_line.get_ydata().copy()
    explorer.sliders["learning_rate"].value = 0.1
    v = explorer.values
    assert v["layer_died"] and v["loss"][-1] == 0 and v["live_fraction"][-1] == 0
    assert "because the layer died" in explorer.death_text.get_text()
    assert "because the layer died, not because it learned" in explorer.readout_html.value
    assert not np.array_equal(explorer.loss_line.get_ydata(), old_y)
    explorer.sliders["steps"].value = 50
    assert len(explorer.loss_line.get_xdata()) == 51 and explorer.ax_loss.get_xlim()[1] == 50
    explorer.sliders["quadratic_learning_rate"].value = 10 ** 0.05   # 1.12
    assert explorer.regime_text.get_text().startswith("divergent")
    assert explorer.quad_line.get_ydata()[-1] > 1e4
    assert_stable_repr(explorer)


def test_redrawing_only_what_changed_gives_the_same_picture():
    """The fast path (pasting the saved axes, drawing the changed artists) matches a full draw."""
    for explorer, settings in [(sgd_explorer(), {"learning_rate": 0.01, "steps": 12}),
                               (neuron_explorer(), {"b": -6.0})]:
        explorer.set(**settings)
        fast, full = pixels(explorer.png), pixels(figure_png(explorer.figure))
        differing = np.count_nonzero(np.abs(fast - full).max(axis=-1) > 8)
        assert differing < 0.001 * fast.shape[0] * fast.shape[1]   # a line over a spine at most


# -- the progress bar ------------------------------------------------------------------------

def test_progress_bar_outside_a_notebook_is_tqdms_text_bar_on_stderr(capsys):
    bar = progress_bar(range(5), description="train")
    from tqdm.notebook import tqdm_notebook
    assert not isinstance(bar, tqdm_notebook)            # tqdm.auto's choice outside a kernel
    assert list(bar) == [0, 1, 2, 3, 4]
    assert bar.n == 5 and bar.total == 5
    err = capsys.readouterr().err
    last = err.rsplit("\r", 1)[-1]                       # the final frame, then a new line
    assert err.endswith("\n") and last.startswith("train: 100%|") and "| 5/5 [" in last


def test_progress_bar_redraws_at_most_about_20_times_a_second(capsys):
    import time
    start = time.perf_counter()
    bar = progress_bar(range(200_000))
    for _ in bar:
        pass
    elapsed = time.perf_counter() - start
    assert bar.n == 200_000 and bar.mininterval == 0.05
    redraws = capsys.readouterr().err.count("\r")
    assert redraws <= 2 + elapsed / bar.mininterval + 1   # first, timed ones, final


def test_progress_bar_stopped_early_and_without_len(capsys):
    for i in (bar := progress_bar(range(10))):
        if i == 3:
            break
    assert bar.n == 3 and bar.total == 10           # 3 finished; closed with what was done
    assert "3/10" in capsys.readouterr().err.rsplit("\r", 1)[-1]
    bar = progress_bar((i for i in range(3)), description="gen")
    assert list(bar) == [0, 1, 2] and bar.total is None
    assert capsys.readouterr().err.rsplit("\r", 1)[-1].startswith("gen: 3it [")
    assert progress_bar(range(7), total=4).total == 4


def nbval_sanitized(text):
    """`text` as nbval compares it, with the repository's nbval_sanitize.cfg."""
    import re
    from pathlib import Path

    from nbval.plugin import get_sanitize_patterns

    config = (Path(__file__).resolve().parent.parent / "nbval_sanitize.cfg").read_text()
    for regex, replace in get_sanitize_patterns(config):
        text = re.sub(regex, replace, text)
    return text


def test_the_sanitize_file_keeps_a_progress_bars_total_and_drops_the_rest():
    assert nbval_sanitized("plain SGD:   0%|          | 0/2000 [00:00<?, ?it/s]") == \
        "plain SGD: PROGRESS-BAR 2000 steps"
    assert nbval_sanitized("plain SGD: 100%|██████████| 2000/2000 [00:01<00:00, 1.5e3it/s]") == \
        "plain SGD: PROGRESS-BAR 2000 steps"
    assert nbval_sanitized("demo: 3it [00:00, 10.2it/s]") == "demo: PROGRESS-BAR"
    # Anchored: a percentage or a fraction elsewhere in a lesson's output is still compared.
    assert nbval_sanitized("accuracy 96% | loss 0.41, 12/40 [batch]") == "accuracy 96% | loss 0.41, 12/40 [batch]"


# -- the package ----------------------------------------------------------------------------

def test_importing_the_helpers_leaves_pyplot_alone():
    """pyplot would show the helpers' figures a second time in a notebook and keep them alive."""
    code = "import sys, backprop_tools; print('matplotlib.pyplot' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_in_a_real_kernel_the_outputs_are_stable():
    """Run the lesson cells in a kernel twice: the stored text outputs are the same each time."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "from backprop_tools import neuron_explorer, relu_heatmaps, progress_bar\n"
        "neuron_explorer()",
        "import numpy as np\nrelu_heatmaps(np.array([[1, 0], [-2, 3]]), np.ones((2, 2)))",
        "for _ in progress_bar(range(3), description='demo'):\n    pass",
    ]

    def run():
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
        return [cell.outputs for cell in notebook.cells]

    first, second = run(), run()
    texts = [[nbval_sanitized(o["data"]["text/plain"]) for o in outputs] for outputs in first]
    assert texts == [["NeuronExplorer(z=6, y=6, dx=[-3, -1, 2], dw=[1, -2, 3], db=1)"],
                     ["<Figure size 528x200 with 4 Axes>"],
                     ["demo: PROGRESS-BAR 3 steps"]]   # tqdm's widget flavour, as nbval compares it
    assert "image/png" in first[1][0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in first[0][0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in first[2][0]["data"]
    assert [[nbval_sanitized(o["data"]["text/plain"]) for o in outputs] for outputs in second] == texts


def test_neuron_values_follow_the_chain_rule_without_holding_lesson_ones_answer():
    """The lesson 1 explorer's gradients, each local derivative measured on the forward pass (its source
    ships in a class release beside lesson 1, whose answer it must not hold): dx = dvalue * w and
    dw = dvalue * x where z > 0, all 0 where z <= 0, for slider values and values with 9 digits."""
    from backprop_tools.neuron_explorer import neuron_values
    rng = np.random.default_rng(11)
    for digits in (1, 9):
        for _ in range(2000):
            x, w = np.round(rng.uniform(-10, 10, 3), digits), np.round(rng.uniform(-10, 10, 3), digits)
            b, dvalue = round(rng.uniform(-10, 10), digits), round(rng.uniform(-3, 3), digits)
            values = neuron_values(x, w, b, dvalue)
            dz = dvalue if values["z"] > 0 else 0.0
            assert values["dx"] == (dz * w + 0.0).tolist() and values["dw"] == (dz * x + 0.0).tolist(), values
            assert values["db"] == dz and type(values["db"]) is float and values["dy_dz"] == (values["z"] > 0) * 1.0
    zero = neuron_values([1.0, -2.0, 3.0], [-3.0, -1.0, 2.0], -5.0)  # z = 0 exactly: ReLU's derivative is 0
    assert (zero["z"], zero["dy_dz"], zero["dx"], zero["db"]) == (0.0, 0.0, [0.0, 0.0, 0.0], 0.0)
    source = Path(neuron_values.__code__.co_filename).read_text(encoding="utf-8")
    import re
    # lesson 1's answer: ReLU's derivative written as a condition, a gradient times w (dx) or x (dw)
    for answer in (r"if z > 0 else", r"\bd\w*\s*\*\s*[wx]\b", r"dvalue if"):
        assert not re.search(answer, source), answer


def test_relu_backward_values_follow_the_rule_without_holding_the_answer():
    """The explorer's ReLU backward pass, read off the forward pass (its source ships in a class release):
    dvalues where z > 0, 0 elsewhere and at exactly 0 (no -0.0), for tiny, huge, zero and subnormal z."""
    from backprop_tools import relu_backward_values
    rng = np.random.default_rng(7)
    for _ in range(200):
        z = rng.normal(size=(3, 4)) * 10.0 ** rng.uniform(-300, 300)
        z.flat[:6] = [0.0, -0.0, 5e-324, -5e-324, 1e308, -1e308]
        dvalues = rng.normal(size=(3, 4))
        values = relu_backward_values(z, dvalues)
        expected = np.where(z > 0, dvalues, 0.0)
        assert np.array_equal(values["drelu"], expected) and not np.signbit(values["drelu"][z <= 0]).any()
        assert np.array_equal(values["mask"], (z > 0) * 1.0)
    source = Path(relu_backward_values.__code__.co_filename).read_text(encoding="utf-8")
    assert "<= 0] = 0" not in source and "(z > 0).astype" not in source
