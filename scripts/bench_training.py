"""Lesson 8's training step, timed (COURSE.md, "Performance figures": training step).

    python scripts/bench_training.py

Prints, at the lesson's size (300 spiral points, 64 hidden units) and at batch 4096 x 512 hidden units:
- one full training step (forward, softmax cross-entropy, backward, SGD with momentum), the same
  operations as lesson 8's classes;
- its five matrix products alone, on the same arrays: the floor no numpy step can go below;
- their ratio. At the lesson's size every numpy call costs a few microseconds whatever its size, so
  the ratio counts calls more than arithmetic; at the large size the arithmetic dominates and the
  aim is 2x or better.
And the speed-up of the vectorised step over the same step as a Python loop over samples, which
lesson 8 shows learners. `run()` returns the rows, for scripts/benchmark.py. Nothing here asserts.
"""
from __future__ import annotations

import time

import numpy as np

from backprop_tools.spiral import spiral_data

N_CLASSES = 3


def make_network(n_inputs: int, hidden: int, seed: int = 0) -> dict:
    """Weights as lesson 8 starts them (He scale), biases zero, momentums zero."""
    rng = np.random.default_rng(seed)
    net = {
        "W1": rng.standard_normal((n_inputs, hidden)) * np.sqrt(2.0 / n_inputs),
        "b1": np.zeros((1, hidden)),
        "W2": rng.standard_normal((hidden, N_CLASSES)) * np.sqrt(2.0 / hidden),
        "b2": np.zeros((1, N_CLASSES)),
    }
    net.update({f"m{name}": np.zeros_like(value) for name, value in list(net.items())})
    return net


def step(net: dict, X: np.ndarray, y: np.ndarray, learning_rate=1.0, momentum=0.9) -> float:
    """One training step on the whole batch, in place. X: (N, n_in), y: (N,) ints -> the loss.

    Intermediate arrays are reused (out=, in-place operators): at 4096 x 512 each temporary
    array is 16 MB, and writing it costs about as much as a matrix product.
    """
    n = len(X)
    rows = np.arange(n)
    a1 = X @ net["W1"]
    a1 += net["b1"]
    np.maximum(a1, 0.0, out=a1)  # ReLU in place: a1 > 0 exactly where z1 > 0
    z2 = a1 @ net["W2"]
    z2 += net["b2"]
    z2 -= z2.max(axis=1, keepdims=True)
    probs = np.exp(z2, out=z2)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(np.clip(probs[rows, y], 1e-7, 1.0)))
    dz2 = probs  # (probs - one_hot) / N, built in place: probs is not needed again
    dz2[rows, y] -= 1.0
    dz2 /= n
    grads = {"W2": a1.T @ dz2, "b2": dz2.sum(axis=0, keepdims=True)}
    da1 = dz2 @ net["W2"].T
    da1 *= a1 > 0
    grads["W1"] = X.T @ da1
    grads["b1"] = da1.sum(axis=0, keepdims=True)
    for name, grad in grads.items():
        velocity = net[f"m{name}"]
        velocity *= momentum
        velocity -= learning_rate * grad
        net[name] += velocity
    return float(loss)


def products_only(net: dict, X: np.ndarray, a1: np.ndarray, dz2: np.ndarray, da1: np.ndarray) -> None:
    """The step's five matrix products, nothing else: the floor."""
    X @ net["W1"]
    a1 @ net["W2"]
    a1.T @ dz2
    dz2 @ net["W2"].T
    X.T @ da1


def loop_step(net: dict, X: np.ndarray, y: np.ndarray, learning_rate=1.0, momentum=0.9) -> None:
    """The same step, one sample at a time (what a first implementation often looks like)."""
    n = len(X)
    grads = {name: np.zeros_like(net[name]) for name in ("W1", "b1", "W2", "b2")}
    for x, label in zip(X, y):
        z1 = x @ net["W1"] + net["b1"][0]
        a1 = np.maximum(z1, 0.0)
        z2 = a1 @ net["W2"] + net["b2"][0]
        e = np.exp(z2 - z2.max())
        dz2 = e / e.sum()
        dz2[label] -= 1.0
        dz2 /= n
        grads["W2"] += np.outer(a1, dz2)
        grads["b2"][0] += dz2
        dz1 = (dz2 @ net["W2"].T) * (z1 > 0)
        grads["W1"] += np.outer(x, dz1)
        grads["b1"][0] += dz1
    for name, grad in grads.items():
        velocity = net[f"m{name}"]
        velocity *= momentum
        velocity -= learning_rate * grad
        net[name] += velocity


def best_time(fn, repeats: int, rounds: int = 5) -> float:
    """Seconds per call: the best of `rounds` averages over `repeats` calls (the least disturbed)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best


def spiral_batch(batch: int, seed: int = 0):
    samples = -(-batch // N_CLASSES)
    X, y = spiral_data(samples=samples, classes=N_CLASSES, seed=seed)
    return X[:batch], y[:batch]


def step_vs_floor(batch: int, hidden: int, repeats: int):
    """(step seconds, products seconds) for one size."""
    X, y = spiral_batch(batch)
    net = make_network(X.shape[1], hidden)
    a1 = np.maximum(X @ net["W1"], 0.0)
    dz2 = np.full((batch, N_CLASSES), 1.0 / batch)
    da1 = dz2 @ net["W2"].T
    step_time = best_time(lambda: step(net, X, y, learning_rate=0.01), repeats)
    floor = best_time(lambda: products_only(net, X, a1, dz2, da1), repeats)
    return step_time, floor


def loop_speedup(batch: int = 300, hidden: int = 64):
    X, y = spiral_batch(batch)
    looped, vectorised = make_network(2, hidden), make_network(2, hidden)
    loop_time = best_time(lambda: loop_step(looped, X, y), 1, rounds=3)
    vector_time = best_time(lambda: step(vectorised, X, y), 50)
    return loop_time, vector_time


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


def run():
    rows = []
    for label, batch, hidden, repeats, note in (
        ("lesson size (300 x 64)", 300, 64, 500, "numpy's per-call overhead dominates"),
        ("large (4096 x 512)", 4096, 512, 10, "target <= 2x"),
    ):
        step_time, floor = step_vs_floor(batch, hidden, repeats)
        rows.append((f"training step, {label}", _ms(step_time)))
        rows.append((f"matrix products alone, {label}", _ms(floor)))
        rows.append((f"ratio step / products, {label}", f"{step_time / floor:.2f}x  ({note})"))
    loop_time, vector_time = loop_speedup()
    rows.append(("loop over samples, lesson size", _ms(loop_time)))
    rows.append(("vectorised step, lesson size", _ms(vector_time)))
    rows.append(("speed-up of the vectorised step", f"{loop_time / vector_time:.0f}x"))
    return rows


if __name__ == "__main__":
    rows = run()
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
