"""Lesson 5's numbers: repeated SGD steps on the lesson's dense + ReLU layer, and on f(x) = x².

The book feeds the ReLU output back as the upstream gradient (drelu = relu_outputs.copy()),
which is the gradient of L = ½·Σ relu_outputs². So its SGD step minimises that L: 56.27 before
one step of learning rate 0.001, 51.24 after. L is 0 only when every ReLU is off, so a large step
cannot diverge on it: it switches every ReLU off at once and the loss drops to 0 because the
layer died, not because it learned.

These are the course's own forward pass and gradients measured from it, never the learner's. No backward
pass is written out here: it would be lessons 3's and 4's answers (the dense layer's gradients, ReLU's
mask), and every class release ships this module, while those lessons' solutions are withheld.
"""
import numpy as np

# The lesson's example (the book's): 3 samples, 4 inputs, 3 neurons.
INPUTS = np.array([[1, 2, 3, 2.5],
                   [2., 5., -1., 2],
                   [-1.5, 2.7, 3.3, -0.8]])
WEIGHTS = np.array([[0.2, 0.8, -0.5, 1],
                    [0.5, -0.91, 0.26, -0.5],
                    [-0.26, -0.27, 0.17, 0.87]]).T
BIASES = np.array([[2, 3, 0.5]])


def layer_loss(weights, biases, inputs=INPUTS):
    """L = ½·Σ ReLU(inputs @ weights + biases)².

    inputs: (batch, n_in), weights: (n_in, n_out), biases: (1, n_out).
    Returns (loss, layer_outputs (batch, n_out)).
    """
    layer_outputs = inputs @ weights + biases
    relu_outputs = np.maximum(0, layer_outputs)
    return 0.5 * float(np.sum(relu_outputs ** 2)), layer_outputs


def linear_slopes(linear, x):
    """The slopes of `linear`, a linear function of the array x, along each of x's entries: x's shape.

    `linear` takes a stack of arrays shaped like x, (k, *x.shape), and returns (k,) values. A difference
    of a linear function is exact at any step, so the step is 1 (rounding is about 1e-15 of the slope).
    """
    units = np.eye(x.size).reshape(x.size, *x.shape)
    return ((linear(x + units) - linear(x - units)) / 2).reshape(x.shape)


def sgd_step(weights, biases, learning_rate, inputs=INPUTS):
    """One step of the book's update, returning new (weights, biases); the arguments are kept.

    dL/dz is the ReLU output itself (relu(z) times ReLU's slope, and relu(z) is already 0 where the slope
    is 0), so the layer's gradients are the slopes of Σ relu_outputs·z with relu_outputs held, which is
    linear in weights and biases: measured, not written out as a backward pass.
    """
    relu_outputs = np.maximum(0, inputs @ weights + biases)   # dL/dz, for L = ½·Σ relu_outputs²

    def held_loss(stacked_weights, stacked_biases):
        return np.sum(relu_outputs * (inputs @ stacked_weights + stacked_biases), axis=(-2, -1))

    dweights = linear_slopes(lambda w: held_loss(w, biases), weights)
    dbiases = linear_slopes(lambda b: held_loss(weights, b), biases)
    return weights - learning_rate * dweights, biases - learning_rate * dbiases


def sgd_run(learning_rate, steps):
    """`steps` SGD steps from the lesson's weights and biases.

    Returns a dict of arrays of length steps + 1 (entry k is after k steps): "loss" and
    "live_fraction" (the fraction of the batch's ReLU outputs that are on, z > 0), plus the
    final "weights" (4, 3) and "biases" (1, 3).
    """
    weights, biases = WEIGHTS.copy(), BIASES.copy()
    losses, live = [], []
    for step in range(steps + 1):
        loss, layer_outputs = layer_loss(weights, biases)
        losses.append(loss)
        live.append(float(np.mean(layer_outputs > 0)))
        if step < steps:
            weights, biases = sgd_step(weights, biases, learning_rate)
    return {"loss": np.array(losses), "live_fraction": np.array(live),
            "weights": weights, "biases": biases}


def loss_curve(learning_rate, steps):
    """The lesson's layer's loss ½·Σ relu_outputs² after 0, 1, ..., steps SGD steps: (steps + 1,)."""
    return sgd_run(learning_rate, steps)["loss"]


def live_relu_curve(learning_rate, steps):
    """The fraction of ReLU outputs still on after 0, 1, ..., steps SGD steps: (steps + 1,)."""
    return sgd_run(learning_rate, steps)["live_fraction"]


def quadratic_curve(learning_rate, steps, x0=1.0):
    """f(x) = x² after 0, 1, ..., steps gradient steps x <- x - learning_rate * 2x: (steps + 1,).

    Each step multiplies x by (1 - 2·learning_rate): it converges when that is below 1 in size,
    i.e. for 0 < learning_rate < 1, and diverges for learning_rate > 1.
    """
    factor = 1.0 - 2.0 * learning_rate
    with np.errstate(over="ignore"):          # a divergent run may overflow to inf: that is the point
        x = x0 * factor ** np.arange(steps + 1, dtype=np.float64)
        return x * x


def quadratic_regime(learning_rate):
    """In words, what gradient descent on x² does at this learning rate."""
    lr = float(learning_rate)
    if np.isclose(lr, 0.5):
        return "exact: one step lands on the minimum"
    if np.isclose(lr, 1.0):
        return "on the edge: bounces between x0 and -x0 forever"
    if lr <= 0:
        return "no descent: the step does not go downhill"
    if lr < 0.05:
        return "too small: it creeps towards the minimum"
    if lr < 0.5:
        return "good: a steady descent"
    if lr < 1:
        return "large: overshoots each time, but still converges"
    return "divergent: each step overshoots further than the last"
