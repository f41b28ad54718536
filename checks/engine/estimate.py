"""Recognising a gradient estimated numerically instead of derived: backpropagation is the lesson.

A pasted finite difference gives values close enough to pass every value comparison. Two things give
it away, and a graded backward check looks for both once the values are right (`refuse_estimate`):

- its cost grows with the number of parameters: it nudges its inputs one element at a time, two forward
  passes per element. The check runs the answer once more on arrays that notice such nudges (`_Watched`:
  a write into an array that otherwise holds an input's values, of a value within 1% of the original) and
  count the matrix products shaped like the layer's output (forward passes, which backprop never needs);
- its values carry a finite difference's rounding: about 1e-12 to 1e-9 of their size, where a chain-rule
  answer in float64 (matrix products, loops, einsum alike, on any BLAS kernel) is exact to about 1e-15. The
  check compares with a reference that is exact to rounding (`exact_slopes`: a central difference whose
  step is large where the loss is linear, or a complex step where it is smooth). Answers that went through
  float32 (rounding about 1e-8 to 1e-7) are left to the first sign alone.
"""
from __future__ import annotations

import numpy as np

from .numeric import central_difference
from .verdict import Incorrect

NUDGE = 1e-2  # a nudge changes an element by at most this much of its size (h = 1e-2 ... 1e-8 all count)
# Values off the exact slopes by between these (relative to their size) carry a finite difference's rounding
# (h = 1e-4 ... 1e-7). Below: a chain-rule answer in float64 (1e-15). Above: as likely an answer that went
# through float32 on the way (about 1e-8: inputs stored as float32, say) as a finite difference; the nudges
# say more there.
ROUNDING = (1e-12, 3e-9)
EXACT = 1e-15  # what a chain-rule answer in float64 typically shows, for the message
DIAGNOSIS = "numerical_estimate"


class _Watched(np.ndarray):
    """An input array that records, in a shared log, every element nudged away from its original value.

    Arrays made from it (copies, views, results of operations) are watched too and share the original;
    a write counts only where the array holds the original's values everywhere else.
    """

    def __array_finalize__(self, obj):
        self._origin = getattr(obj, "_origin", None)
        self._log = getattr(obj, "_log", None)

    def __setitem__(self, index, value):
        _note(self, index, value)
        super().__setitem__(index, value)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [x.view(np.ndarray) if isinstance(x, _Watched) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(x.view(np.ndarray) if isinstance(x, _Watched) else x for x in kwargs["out"])
        result = getattr(ufunc, method)(*plain, **kwargs)
        if ufunc is np.matmul and method == "__call__":
            _products(self).append(np.shape(result))
        if isinstance(result, np.ndarray) and type(result) is np.ndarray and "out" not in kwargs:
            result = result.view(_Watched)
            result._origin, result._log = None, self._log  # a new array: nothing to compare its writes with
        return result

    def __array_function__(self, func, types, args, kwargs):
        result = super().__array_function__(func, types, args, kwargs)
        if func is np.dot:
            _products(self).append(np.shape(result))
        return result


def _products(array) -> list:
    """The shapes of the matrix products an answer computed from watched arrays (kept in the shared log)."""
    log = array._log if array._log is not None else {}
    return log.setdefault("products", [])


def _note(array, index, value) -> None:
    try:
        origin, log = array._origin, array._log
        if origin is None or log is None or array.shape != origin.shape:
            return
        plain = array.view(np.ndarray)
        position = np.arange(plain.size).reshape(plain.shape)[index]
        if np.ndim(position) != 0:
            return  # a slice or a mask: not one element at a time
        position = int(position)
        new, old = float(value), float(origin.flat[position])
        if new in (0.0, old) or abs(new - old) > NUDGE * max(1.0, abs(old)):
            return
        elsewhere = plain.reshape(-1) != origin.reshape(-1)
        elsewhere[position] = False
        if not elsewhere.any():
            log.setdefault(id(origin), (origin.size, set()))[1].add(position)
    except Exception:  # noting is never the learner's problem
        return


def watched(array, log: dict) -> np.ndarray:
    """A float64 copy of `array` that records nudges in `log`."""
    original = np.array(array, dtype=np.float64)
    out = original.copy().view(_Watched)
    out._origin, out._log = original, log
    return out


def nudged_everywhere(log: dict) -> int:
    """How many elements were nudged, if some input had at least half of its elements nudged; else 0."""
    counts = [len(positions) for key, (size, positions) in ((k, v) for k, v in log.items() if k != "products")
              if len(positions) >= max(2, size / 2)]
    return sum(counts)


def exact_slopes(loss, x: np.ndarray, step: float) -> np.ndarray:
    """Gradient of `loss` at x by central differences with a large `step`, for a loss linear in each
    element within `step` of x: exact up to rounding (about 1e-15 of its size)."""
    return central_difference(loss, x, h=step)


def complex_step(loss, x: np.ndarray, step: float = 1e-30) -> np.ndarray:
    """Gradient of a smooth `loss` written for complex numbers: Im(loss(x + i·step)) / step, exact to rounding."""
    x = np.array(x, dtype=np.complex128)
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        x[index] += 1j * step
        grad[index] = np.imag(loss(x)) / step
        x[index] -= 1j * step
    return grad


def _deviation(got, exact) -> float | None:
    """max |got - exact| / max |exact|, or None for an answer computed in float32 (its rounding is its own)."""
    try:
        raw = np.asarray(got)
        values = np.array(got, dtype=np.float64)
    except Exception:
        return None
    if raw.dtype in (np.float32, np.float16) or values.shape != exact.shape:
        return None
    if np.all(values == values.astype(np.float32)):
        return None  # every value is a float32 number: rounded to float32 somewhere on the way
    if rounded_to_decimals(values):
        return None  # np.round(..., 6), say: its rounding is its own, not a finite difference's
    scale = float(np.max(np.abs(exact), initial=0.0))
    return float(np.max(np.abs(values - exact), initial=0.0)) / scale if scale > 0 else None


def rounded_to_decimals(values) -> bool:
    """True if every value is rounded to d decimals (np.round(dinputs, 6), say), for a d that leaves out at
    least 4 of a float64's 16 digits: a derived answer so rounded is off the exact slopes by its own
    rounding; a finite difference's values are round like that with a chance of about 1e-4 each."""
    values = np.asarray(values, dtype=np.float64)
    size = float(np.max(np.abs(values), initial=0.0))
    if size == 0.0 or not np.isfinite(size):
        return False
    most = min(12, int(np.floor(12 - np.log10(size))))
    return any(np.array_equal(values, np.round(values, decimals)) for decimals in range(most + 1))


def forward_passes(log: dict, shape: tuple) -> int:
    """How many matrix products of watched arrays had the shape of the layer's output: forward passes."""
    return sum(1 for found in log.get("products", ()) if tuple(found) == tuple(shape))


def refuse_estimate(run, inputs: dict, exact: dict, what: str, part_names: str = "",
                    forward_shape: tuple | None = None, rounding: tuple = ROUNDING) -> None:
    """Incorrect when the answer is a numerical estimate; nothing otherwise.

    run:    run(arrays) -> {part: value}, calling the learner's code once on `arrays` ({name: watched array})
    inputs: {name: array} the probe's inputs (copied and watched here)
    exact:  {part: the exact slopes for those inputs}
    forward_shape: the layer output's shape, when no part of the answer has it: products of that shape are
                   forward passes, and a chain-rule answer computes none (lesson 2, whose function is not
                   even given the inputs a finite difference would nudge)
    rounding: how far off the exact slopes (relative) counts as a finite difference's rounding: ROUNDING,
              or a wider band for inputs on which every derived answer is exact (`exact_probes`)
    A probe that raises says nothing: the answer already passed, so it is not judged on this call.
    """
    log: dict = {}
    arrays = {name: watched(array, log) for name, array in inputs.items()}
    from .learner import guarded_call  # its protections: time limit, output, numpy's random state

    try:
        got = guarded_call(lambda: run(arrays), (), (), what).value
    except Exception:  # an error or a verdict on this extra call: the answer already passed, nothing to say
        return
    if not isinstance(got, dict):
        return
    nudges = nudged_everywhere(log)
    passes = forward_passes(log, forward_shape) if forward_shape is not None else 0
    elements = sum(np.size(array) for array in exact.values())
    passes = passes if passes >= 2 * elements else 0  # two forward passes per element: a finite difference
    deviations = {part: _deviation(got.get(part), wanted) for part, wanted in exact.items()}
    rounded = {part: d for part, d in deviations.items() if d is not None and rounding[0] < d < rounding[1]}
    if not nudges and not passes and not rounded:
        return
    seen = []
    if passes:
        seen.append(f"{what} ran {passes} forward passes (products shaped like the layer's output, {forward_shape}) "
                    f"for {elements} gradient elements: a loss evaluated again for every element, so its cost grows "
                    "with the number of parameters")
    if nudges:
        seen.append(f"{what} changed its inputs one element at a time, by a tiny step ({nudges} elements "
                    "nudged in one call): it evaluates the loss again for every element, so its cost grows "
                    "with the number of parameters")
    if rounded:
        part, size = max(rounded.items(), key=lambda item: item[1])
        seen.append(f"its {part} carries the rounding of a finite difference: it is off the exact slopes by "
                    f"about {size:.0e} of their size, where a gradient derived with the chain rule is exact to "
                    f"about {EXACT:.0e}")
    raise Incorrect(
        "Your values are close to the right gradient, but they are a numerical estimate, not backpropagation: "
        + "; and ".join(seen) + ".\n"
        "What happened: a finite difference, like lesson 7's, estimates a gradient by nudging; backpropagation "
        "gets every gradient exactly, with the chain rule, for about the cost of one forward pass. This "
        "exercise asks for the chain rule.\n"
        f"Try: derive {part_names or 'each gradient'} from the local derivatives with the chain rule, as the "
        "lesson does: no nudges, no finite differences.",
        part=next(iter(rounded), None) or next(iter(exact), None),
        diagnosis=DIAGNOSIS,
    )
