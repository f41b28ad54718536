"""Accessible outputs without a browser: alt text, slider names, contrast, the figure formatter.

The browser test (tests/test_browser.py) checks the same in JupyterLab with axe-core and the
keyboard; these tests pin down what backprop_tools produces, fast.
"""
import base64
import html
import re

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from backprop_tools import (neuron_explorer, relu_explorer, relu_heatmaps, sgd_explorer,
                            shape_explorer)
import ipywidgets as widgets

from backprop_tools._accessible import naming_script, slider_class
from backprop_tools._explorer import Explorer
from backprop_tools._render import GRAD_COLOR, VALUE_COLOR, new_figure
from backprop_tools.decision_boundary import plot_classes, plot_decision_boundary
from backprop_tools.figure_alt import (describe_figure, figure_html, png_html, register,
                                       set_alt, significant)
from backprop_tools.heatmap_panel import contrast_ratio, relative_luminance, text_on_black
from backprop_tools.plot_style import LINE_COLORS, LINE_STYLES

EXPLORERS = [neuron_explorer, shape_explorer, relu_explorer, sgd_explorer]
IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"')


def luminance_of(hex_colour):
    return relative_luminance(matplotlib.colors.to_rgb(hex_colour))


def shown_img(explorer):
    """(png bytes, alt text) of the <img> the explorer's picture widget holds."""
    match = IMG.search(explorer.image.value)
    assert match, explorer.image.value[:200]
    return base64.b64decode(match.group(1)), html.unescape(match.group(2))


# -- explorers: names, alt text, live readout ----------------------------------------------

@pytest.mark.parametrize("make", EXPLORERS)
def test_every_slider_has_a_name_that_holds_its_visible_label(make):
    explorer = make()
    assert set(explorer.names) == set(explorer.sliders)
    for key, slider in explorer.sliders.items():
        name = explorer.names[key]
        assert slider.description in name and len(name) > len(slider.description)
        assert slider_class(key) in slider._dom_classes   # what the naming script looks for
    script = naming_script(explorer.names)
    for key, name in explorer.names.items():
        assert f'"{slider_class(key)}": "{name}"' in script
    assert "aria-live" in script and "'polite'" in script


def test_the_names_say_what_each_slider_controls():
    assert neuron_explorer().names["x0"] == "input x₀"
    assert neuron_explorer().names["b"] == "bias b"
    assert shape_explorer().names["batch"] == "batch size"
    assert "learning rate" in sgd_explorer().names["learning_rate"]


def test_a_missing_name_or_one_without_the_visible_label_is_refused():
    def explorer(names):
        return Explorer({"n": widgets.IntSlider(description="size")}, new_figure(1, 1), names)
    with pytest.raises(ValueError, match="must hold the label"):
        explorer({"n": "count"})
    with pytest.raises(ValueError, match="without an accessible name"):
        explorer({})


@pytest.mark.parametrize("make", EXPLORERS)
def test_the_picture_is_an_img_whose_alt_follows_the_sliders(make):
    explorer = make()
    png, alt = shown_img(explorer)
    assert png == explorer.png and alt == explorer.alt_text and len(alt) > 40
    key = next(iter(explorer.sliders))
    slider = explorer.sliders[key]
    slider.value = slider.max if slider.value != slider.max else slider.min
    png_after, alt_after = shown_img(explorer)
    assert alt_after != alt and png_after != png


def test_neuron_alt_text_says_the_values_and_the_relu_state():
    explorer = neuron_explorer()
    assert "z = 6 > 0, ReLU on" in explorer.alt_text
    assert "dx = [-3, -1, 2]" in explorer.alt_text and "db = 1" in explorer.alt_text
    explorer.set(b=-6)
    assert "z = -1 ≤ 0, ReLU off, so every gradient is 0" in explorer.alt_text
    assert "dx = [0, 0, 0]" in explorer.alt_text


def test_shape_and_sgd_alt_texts_follow_their_values():
    explorer = shape_explorer(batch=2, n_inputs=7, n_neurons=3)
    explorer.set(dinputs_right="weights.T", sum_axis=0, keepdims=True)
    assert "dvalues (2, 3) @ weights.T (3, 7): ✓ gives (2, 7), the shape of inputs" in explorer.alt_text
    assert "summed over axis 0, keepdims=True: ✓ gives (1, 3)" in explorer.alt_text
    explorer = sgd_explorer(learning_rate=1.0)
    assert "Every ReLU is off: the layer died." in explorer.alt_text
    assert "8 of 9 to 0 of 9" in explorer.alt_text


def test_relu_alt_text_lists_every_number_and_the_exact_zeros():
    figure = relu_heatmaps(np.array([[1.0, 0.0], [-2.0, 3.0]]), np.array([[5.0, 6.0], [7.0, 8.0]]))
    png, alt = (lambda m: (m.group(1), html.unescape(m.group(2))))(IMG.search(figure._repr_html_()))
    assert "z: [[1, 0], [-2, 3]]" in alt and "drelu = dvalues × mask: [[5, 0], [0, 8]]" in alt
    assert "the 1 cell where z is exactly 0" in alt
    assert base64.b64decode(png).startswith(b"\x89PNG")


# -- static figures -------------------------------------------------------------------------

def two_plots():
    figure = Figure(figsize=(6, 3))
    left, right = figure.subplots(1, 2)
    b = np.linspace(-10, 4, 141)
    left.plot(b, np.maximum(b + 5, 0))
    left.set(xlabel="b", ylabel="y", title="the output")
    right.plot(b, (b > -5) * 1.0, label="slope")
    right.plot([0], [0], "o")
    right.axvline(-5, color="grey")
    right.set(title="the slope", yscale="linear")
    right.legend()
    return figure


def test_describe_figure_uses_titles_labels_ranges_and_legends():
    text = describe_figure(two_plots())
    assert text.startswith("2 plots side by side.")
    assert "Plot 1, “the output”: 1 line; x axis “b” from -10 to 4; y axis “y” from 0 to 9." in text
    assert "Plot 2, “the slope”: 1 line (“slope”), 1 marked point, a reference line at x = -5" in text


def test_describe_figure_counts_points_per_class_and_log_axes():
    x = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    ax = plot_decision_boundary(lambda p: (p[:, 0] > 0.5).astype(int), x, np.array([0, 1, 1]),
                                ax=Figure().subplots(), title="boundary")
    assert "data points: 1 “class 0”, 2 “class 1”, shaded regions" in describe_figure(ax.figure)
    markers = [c.get_paths()[0].vertices.tobytes() for c in ax.collections if c.get_label().startswith("class")]
    assert len(markers) == 2 and markers[0] != markers[1]   # a shape per class, not colour alone
    ax = plot_classes(x, np.array([0, 1, 2]), ax=Figure().subplots())
    assert "data points: 1 “class 0”, 1 “class 1”, 1 “class 2”" in describe_figure(ax.figure)
    figure = Figure()
    axes = figure.subplots()
    axes.loglog([1e-13, 0.1], [1e-12, 1.0])
    assert "x axis from 1e-13 to 0.1 (log scale)" in describe_figure(figure)


def test_significant_digits_are_short_and_stable():
    assert [significant(v) for v in (0.0834, 2000.0, -0.0, 1e-13, 56.27, 1.5e-6, 1e6)] == \
        ["0.083", "2000", "0", "1e-13", "56", "1.5e-6", "1e6"]


def test_an_alt_set_on_the_figure_wins_and_is_escaped():
    figure = set_alt(two_plots(), 'a "quoted" <b>alt</b>')
    match = IMG.search(figure_html(figure))
    assert html.unescape(match.group(2)) == 'a "quoted" <b>alt</b>'
    assert 'alt="a &quot;quoted&quot; &lt;b&gt;alt&lt;/b&gt;"' in png_html(b"x", 'a "quoted" <b>alt</b>')


def test_register_adds_an_img_with_alt_to_every_displayed_figure():
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    assert register(shell)
    # The inline backend clears Figure from the per-type formatters when pyplot starts; the
    # mime-bundle formatter is left alone, so the alt text survives that.
    for formatter in shell.display_formatter.formatters.values():
        formatter.pop(Figure, None)
    data, _ = shell.display_formatter.format(two_plots())
    match = IMG.search(data["text/html"])
    assert match and html.unescape(match.group(2)).startswith("2 plots side by side.")


# -- contrast and colour ----------------------------------------------------------------------

def test_text_colours_in_figures_meet_wcag_aa_on_white():
    for colour in (VALUE_COLOR, GRAD_COLOR):
        assert contrast_ratio(luminance_of(colour), 1.0) >= 4.5, colour
    assert contrast_ratio(luminance_of("#D55E00"), 1.0) < 4.5   # why GRAD_COLOR is darker


def test_heatmap_numbers_pick_the_better_of_black_and_white():
    rgb = np.random.default_rng(0).random((2000, 3))
    black = text_on_black(rgb)
    luminance = relative_luminance(rgb)
    ratio = np.where(black, contrast_ratio(luminance, 0.0), contrast_ratio(luminance, 1.0))
    assert ratio.min() >= 4.5
    # The old rule (white where the plain weighted sum of sRGB values is at most 0.5) put white
    # numbers below 4.5:1 on some of the lesson's own heatmap colours; the new rule makes them black.
    cells = matplotlib.colormaps["PuOr_r"](np.linspace(0, 1, 201))[:, :3]
    old_white = cells @ np.array([0.2126, 0.7152, 0.0722]) <= 0.5
    low = old_white & (contrast_ratio(relative_luminance(cells), 1.0) < 4.5)
    assert low.any() and text_on_black(cells[low]).all()


def test_line_colours_reach_3_to_1_and_every_line_has_its_own_dash():
    assert all(contrast_ratio(luminance_of(c), 1.0) >= 3.0 for c in LINE_COLORS)
    assert len(set(map(str, LINE_STYLES))) == len(LINE_STYLES) == len(LINE_COLORS)
    cycle = list(matplotlib.rcParams["axes.prop_cycle"])   # set by importing backprop_tools
    assert [entry["color"] for entry in cycle] == LINE_COLORS


# -- headings ---------------------------------------------------------------------------------

def test_the_progress_table_adds_no_heading_to_the_notebooks_outline(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))
    from checks.learner_progress import table
    page = table.show()._repr_html_()
    assert "<b>Your progress</b>" in page and not re.search(r"<h[1-6][ >]", page)
