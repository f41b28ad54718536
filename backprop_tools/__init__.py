"""Visual and interactive helpers for the course: widgets, pictures and a progress bar.

Every explorer returns an object with .sliders (name -> widget), .values (the numbers shown),
.figure (a matplotlib Figure), .widget (the ipywidgets container); put it last in a cell to show it.

    neuron_explorer()      lesson 1: one neuron's values, gradients and computational graph
    shape_explorer()       lesson 3: try products for dinputs, dweights, dbiases; do their shapes fit?
    relu_heatmaps(z, dv)   lesson 4: z, the mask, dvalues and the result (a static Figure)
    relu_explorer()        lesson 4: the same, interactive
    sgd_explorer()         lesson 5: loss over SGD steps; dead ReLUs; x² beside it
    loss_curve, live_relu_curve, quadratic_curve    lesson 5's curves as arrays
    progress_bar(iterable) lesson 8: a widget progress bar in notebooks, text elsewhere
    losses.crossentropy    lesson 8: the training loss (kept out of the lesson: its exercises compute it)
    value_graph(root)      lesson 9: a learner's graph of Values with data and grad (an <img> with alt text)
    show_figure(fig, alt)  any lesson: a matplotlib figure with a text alternative

Every picture has a text alternative for screen readers: explorers build theirs from the
current values; importing backprop_tools makes IPython show every matplotlib Figure (plt.show()
included) as a PNG in an <img> whose alt text comes from the figure's titles, labels and
ranges, or from set_alt(fig, text). See figure_alt. It also sets matplotlib's default line
colours and styles to ones colour-blind readers can tell apart (see plot_style).
"""
from .figure_alt import register as _register_figure_alt
from .figure_alt import set_alt, show_figure
from .neuron_explorer import neuron_explorer, neuron_values
from .plot_style import use_course_style
from .progress_bar import progress_bar
from .relu_view import relu_backward_values, relu_explorer, relu_heatmaps
from .sgd_curves import live_relu_curve, loss_curve, quadratic_curve, sgd_run
from .sgd_explorer import sgd_explorer
from .shape_explorer import shape_explorer
from .value_graph import value_graph

__all__ = [
    "neuron_explorer", "neuron_values", "shape_explorer",
    "relu_heatmaps", "relu_explorer", "relu_backward_values", "sgd_explorer", "sgd_run",
    "loss_curve", "live_relu_curve", "quadratic_curve", "progress_bar", "show_figure", "set_alt",
    "value_graph",
]

_register_figure_alt()
use_course_style()
