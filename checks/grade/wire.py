"""Plain values to and from the files the grader exchanges with the kernel's agent (see agent.py).

Grader -> kernel (`encode`): arrays, numbers, strings, containers of them, proxies (by id), the
checks' own functions (as callbacks the kernel calls back through), the checks' own simple
objects (sent as namespaces of attributes, whose changes come back with the call), and lesson 9's
`ChainRule`s (a Value's course-made `_backward`, which must outlive the request: the agent builds it).

Kernel -> grader (`decode`): only plain data is accepted. Arrays are read with np.load without
pickles, so they are real numpy arrays of numbers; numbers are Python or numpy numbers. Whatever
else the learner's code produced stays in the kernel and is represented here by a proxy (`make_proxy`),
or by an inert stand-in that only knows its type's name. Nothing decoded here can run learner code.
"""
from __future__ import annotations

import json
import os

import numpy as np

from checks.lesson_helpers.autograd.rules import ChainRule

_NUMERIC = "biufc"


class Files:
    """The .npy files of one message: <prefix>_<k>.npy in the exchange folder."""

    def __init__(self, folder: str, prefix: str):
        self.folder, self.prefix, self.count = folder, prefix, 0

    def save(self, array: np.ndarray) -> str:
        name = f"{self.prefix}_{self.count}.npy"
        self.count += 1
        np.save(os.path.join(self.folder, name), array, allow_pickle=False)
        return name

    def load(self, name: str) -> np.ndarray:
        array = np.load(os.path.join(self.folder, os.path.basename(str(name))), allow_pickle=False)
        if not isinstance(array, np.ndarray) or array.dtype.kind not in _NUMERIC:
            raise ValueError("not an array of numbers")
        return np.array(array, subok=False)


def write_json(path: str, data) -> None:
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(path + ".tmp", path)


def read_json(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Encoder:
    """Grader-side objects -> JSON-able descriptions for one message.

    callbacks:  registry (id -> function) shared with the kernel connection, for functions sent
    namespaces: the checks' plain objects sent as attribute namespaces, in the order the kernel builds them
    """

    def __init__(self, files: Files, callbacks: dict, remote_id):
        self.files, self.callbacks, self.remote_id = files, callbacks, remote_id
        self.namespaces: list = []

    def __call__(self, x):
        object_id = self.remote_id(x)
        if object_id is not None:
            return {"t": "obj", "id": object_id}
        if x is None or isinstance(x, (bool, str)):
            return {"t": "py", "v": x}
        if x is Ellipsis:
            return {"t": "ellipsis"}
        if isinstance(x, np.generic):
            return {"t": "npscalar", "f": self.files.save(np.array(x))}
        if isinstance(x, (int, float)):
            return {"t": "py", "v": x}
        if isinstance(x, complex):
            return {"t": "complex", "re": x.real, "im": x.imag}
        if isinstance(x, np.ndarray):
            return {"t": "nd", "f": self.files.save(np.array(x, subok=False))}
        if isinstance(x, (tuple, list)):
            return {"t": "tuple" if isinstance(x, tuple) else "list", "items": [self(i) for i in x]}
        if isinstance(x, dict):
            return {"t": "dict", "items": [[self(k), self(v)] for k, v in x.items()]}
        if isinstance(x, ChainRule):  # lesson 9's course-made `_backward`: built again in the kernel, as data
            return {"t": "chain_rule", "out": self(x.out), "parents": [self(p) for p in x.parents],
                    "local": [float(d) for d in x.local]}
        if callable(x):
            callback_id = len(self.callbacks) + 1
            self.callbacks[callback_id] = x
            return {"t": "cb", "id": callback_id, "name": getattr(x, "__name__", "f")}
        if hasattr(x, "__dict__"):
            attrs = {k: self(v) for k, v in vars(x).items()}
            self.namespaces.append(x)  # after its attributes, as the kernel does
            return {"t": "ns", "type": type(x).__name__, "attrs": attrs}
        raise TypeError(f"cannot send a {type(x).__name__} to the kernel")


class Inert:
    """Stands for an object of the learner's that cannot be brought over: it only has a type name."""

    def __repr__(self):
        return f"<{type(self).__name__} object>"


_inert_types: dict[str, type] = {}


def inert(type_name) -> Inert:
    name = type_name if isinstance(type_name, str) and type_name.isidentifier() and len(type_name) < 60 else "object"
    cls = _inert_types.get(name)
    if cls is None:
        cls = _inert_types[name] = type(name, (Inert,), {})
    return cls()


def decode(d, files: Files, make_proxy):
    """A kernel description -> a plain value (or a proxy from `make_proxy(d)` for kernel objects)."""
    try:
        t = d["t"]
        if t == "py":
            v = d["v"]
            if v is None or type(v) in (bool, int, float, str):
                return v
        elif t == "ellipsis":
            return Ellipsis
        elif t == "complex":
            return complex(float(d["re"]), float(d["im"]))
        elif t == "nd":
            return files.load(d["f"])
        elif t == "npscalar":
            return files.load(d["f"])[()]
        elif t in ("tuple", "list"):
            items = [decode(i, files, make_proxy) for i in d["items"]]
            return tuple(items) if t == "tuple" else items
        elif t == "dict":
            return {decode(k, files, make_proxy): decode(v, files, make_proxy) for k, v in d["items"]}
        elif t == "obj":
            return make_proxy(d)
        return inert(d.get("type"))
    except Exception:
        return inert(d.get("name") if isinstance(d, dict) else None)


def copy_back(original, after, files: Files, make_proxy) -> None:
    """Make `original` (an argument the check passed) look as the learner's call left its copy."""
    if after.get("t") == "skip":
        return
    value = decode(after, files, make_proxy)
    if isinstance(original, np.ndarray) and isinstance(value, np.ndarray):
        if value.shape == original.shape:
            np.copyto(original, value, casting="unsafe")
    elif isinstance(original, list) and isinstance(value, list):
        for i, (old, new) in enumerate(zip(original, value)):
            if isinstance(old, np.ndarray) and isinstance(new, np.ndarray) and old.shape == new.shape:
                np.copyto(old, new, casting="unsafe")
                value[i] = old
        original[:] = value
    elif isinstance(original, dict) and isinstance(value, dict):
        original.clear()
        original.update(value)


def update_namespace(obj, after: dict, files: Files, make_proxy) -> None:
    """Apply the attribute changes the learner's call made to a namespace the check sent."""
    for name, described in after.get("attrs", {}).items():
        new = decode(described, files, make_proxy)
        old = vars(obj).get(name)
        same = after.get("same", {}).get(name)
        if same and isinstance(old, np.ndarray) and isinstance(new, np.ndarray) and old.shape == new.shape:
            np.copyto(old, new, casting="unsafe")  # changed in place: the check's array object sees it
        else:
            setattr(obj, name, new)
