"""The kernel-side half of the grading proxies. The grader sends this file's source to the kernel
(after the notebook's cells have run) and then asks it, one request at a time, to look up, call,
copy or inspect the learner's objects.

Everything crosses as plain data in files: JSON for structure, `.npy` (no pickles) for arrays.
The kernel never sees the checks' expected answers, and the grader never runs the learner's
objects: what comes back is numbers, or a description of an object that stays in the kernel
(kept here in `_objects`, named by an id).

Standalone on purpose (stdlib and numpy only): it runs inside the learner's kernel. The grader sends
agent_guard.py's source with it, as one module (the guard_helpers, helper_calls and hint_levels requests).
"""
import builtins
import contextlib
import io
import itertools
import json
import os
import signal
import traceback

import numpy as np

AGENT_FILE = "<grading agent>"
_LIBRARY_DIRS = tuple(os.path.dirname(os.path.abspath(m.__file__)) for m in (np, os, contextlib))
_objects = {}
_ids = itertools.count(1)
_namespace_types = {}


class _Files:
    """Names for the .npy files of one message: <prefix>_<k>.npy in the exchange folder."""

    def __init__(self, folder, prefix):
        self.folder, self.prefix, self.count = folder, prefix, itertools.count()

    def save(self, array):
        path = os.path.join(self.folder, f"{self.prefix}_{next(self.count)}.npy")
        np.save(path, array, allow_pickle=False)
        return os.path.basename(path)

    def load(self, name):
        return np.load(os.path.join(self.folder, os.path.basename(name)), allow_pickle=False)


# ---- values the grader sends -> objects for the learner's code ----

def _decode(d, files, made):
    t = d["t"]
    if t == "py":
        return d["v"]
    if t == "ellipsis":
        return Ellipsis
    if t == "complex":
        return complex(d["re"], d["im"])
    if t == "nd":
        return files.load(d["f"])
    if t == "npscalar":
        return files.load(d["f"])[()]
    if t in ("tuple", "list"):
        items = [_decode(i, files, made) for i in d["items"]]
        return tuple(items) if t == "tuple" else items
    if t == "dict":
        return {_decode(k, files, made): _decode(v, files, made) for k, v in d["items"]}
    if t == "obj":
        return _objects[d["id"]]
    if t == "cb":
        return _callback(d["id"], d.get("name", "f"), files.folder)
    if t == "chain_rule":
        return _chain_rule(_decode(d["out"], files, made), [_decode(p, files, made) for p in d["parents"]],
                           [float(x) for x in d["local"]])
    if t == "ns":
        cls = _namespace_types.get(d["type"])
        if cls is None:
            cls = _namespace_types[d["type"]] = type(d["type"], (), {})
        obj = cls()
        for name, value in d["attrs"].items():
            setattr(obj, name, _decode(value, files, made))
        made.append(obj)
        return obj
    raise ValueError(f"unknown value kind {t!r}")


def _chain_rule(out, parents, local):
    """Lesson 9's course-made `_backward` for `out` (checks/lesson_helpers/autograd/rules.py's ChainRule): each parent's
    grad gets its local derivative, a number the grader computed, times out.grad."""
    def _backward():
        for parent, derivative in zip(parents, local):
            parent.grad += derivative * out.grad

    return _backward


def _callback(callback_id, name, folder):
    """A function that asks the grader (over the kernel's stdin channel) to run one of its functions."""
    calls = itertools.count()

    def callback(*args):
        files = _Files(folder, f"cb{callback_id}_{next(calls)}")
        request = {"cb": callback_id, "prefix": files.prefix, "args": [_encode(a, files) for a in args]}
        answer = json.loads(builtins.input(json.dumps(request)))
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return _decode(answer["value"], _Files(folder, files.prefix), [])

    callback.__name__ = callback.__qualname__ = name
    return callback


# ---- objects the learner's code gives back -> plain values ----

def _signature(obj):
    import inspect

    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [[p.name, int(p.kind), p.default is not p.empty] for p in signature.parameters.values()]


def _register(obj):
    object_id = next(_ids)
    _objects[object_id] = obj
    kind = "class" if isinstance(obj, type) else "callable" if callable(obj) else "object"
    name = obj.__name__ if isinstance(obj, type) else type(obj).__name__
    if kind == "callable":
        name = getattr(obj, "__name__", name)
    return {"t": "obj", "id": object_id, "kind": kind, "name": str(name),
            "sig": _signature(obj) if kind != "object" else None}


def _encode(x, files):
    if x is None or isinstance(x, bool):
        return {"t": "py", "v": None if x is None else bool(x)}
    if x is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(x, np.generic) and np.dtype(type(x)).kind in "biufc":
        return {"t": "npscalar", "f": files.save(np.array(x))}
    if isinstance(x, int):
        return {"t": "py", "v": int(x)}
    if isinstance(x, float):
        return {"t": "py", "v": float(x)}
    if isinstance(x, complex):
        return {"t": "complex", "re": float(x.real), "im": float(x.imag)}
    if isinstance(x, str):
        return {"t": "py", "v": str(x)}
    if isinstance(x, np.ndarray):
        base = np.array(x, subok=False, copy=True)
        if base.dtype.kind in "biufc":
            return {"t": "nd", "f": files.save(base)}
    if isinstance(x, (tuple, list)):
        return {"t": "tuple" if isinstance(x, tuple) else "list", "items": [_encode(i, files) for i in x]}
    if isinstance(x, dict):
        return {"t": "dict", "items": [[_encode(k, files), _encode(v, files)] for k, v in x.items()]}
    if not callable(x) and not isinstance(x, type(os)):
        try:  # what the checks would do with it anyway: numbers, as float64
            converted = np.asarray(x, dtype=np.float64)
        except Exception:
            converted = None
        if converted is not None and (isinstance(x, np.ndarray) or converted.ndim > 0 or _number_like(x)):
            return {"t": "nd", "f": files.save(np.array(converted, subok=False))}
    return _register(x)


def _number_like(x):
    return hasattr(x, "__float__") or hasattr(x, "__array__")


def _error(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if f.filename != AGENT_FILE and not f.filename.startswith(_LIBRARY_DIRS)]
    try:
        message = str(exc)
    except Exception:
        message = ""
    error = {"type": type(exc).__name__, "message": message, "not_implemented": isinstance(exc, NotImplementedError)}
    if mine:
        frame = mine[-1]
        error.update(file=frame.filename, line=frame.lineno, func=frame.name, text=frame.line or "")
    return error


# ---- requests ----

def _user_namespace():
    import IPython

    shell = IPython.get_ipython()
    return shell.user_ns if shell is not None else {}


def _call(request, files, reply_files):
    made = []
    target = _objects[request["target"]]
    args = [_decode(a, files, made) for a in request["args"]]
    kwargs = {k: _decode(v, files, made) for k, v in request.get("kwargs", {}).items()}
    before = [dict(vars(obj)) for obj in made]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        value = target(*args, **kwargs)
    after_args = []
    for arg in args:
        after_args.append(_encode(arg, reply_files) if isinstance(arg, (np.ndarray, list, dict)) else {"t": "skip"})
    namespaces = []
    for obj, attrs_before in zip(made, before):
        attrs = vars(obj)
        namespaces.append({
            "attrs": {k: _encode(v, reply_files) for k, v in attrs.items()},
            "same": {k: k in attrs_before and attrs_before[k] is v for k, v in attrs.items()},
        })
    return {"value": _encode(value, reply_files), "args": after_args, "namespaces": namespaces}


def _handle(request, files, reply_files):
    op = request["op"]
    if op == "lookup":
        namespace = _user_namespace()
        if request["name"] not in namespace:
            return {"missing": True}
        return {"value": _encode(namespace[request["name"]], reply_files)}
    if op == "call":
        return _call(request, files, reply_files)
    if op == "getattr":
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            value = getattr(_objects[request["target"]], request["attr"])
        return {"value": _encode(value, reply_files)}
    if op == "setattr":
        value = _decode(request["value"], files, [])
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            setattr(_objects[request["target"]], request["attr"], value)
        return {}
    if op == "vars":
        return {"value": _encode(dict(vars(_objects[request["target"]])), reply_files)}
    if op == "copy":
        import copy

        original = _objects[request["target"]]
        return {"value": _register(copy.deepcopy(original) if request.get("deep") else copy.copy(original))}
    if op == "guard_helpers":
        return {"value": _encode(_guard_helpers(request["helpers"]), reply_files)}
    if op == "helper_calls":
        return {"value": _encode(_take_helper_calls(), reply_files)}
    if op == "hint_levels":
        return {"value": _encode(_hint_levels(), reply_files)}
    if op == "release":
        for object_id in request["ids"]:
            _objects.pop(object_id, None)
        return {}
    raise ValueError(f"unknown request {op!r}")


class _CpuTimeUp(BaseException):
    """The request used its CPU time; a BaseException, so the learner's `except Exception:` cannot swallow it."""


@contextlib.contextmanager
def _cpu_limit(seconds):
    """Stop what runs inside after `seconds` of this process's CPU time (ITIMER_PROF: user and system,
    all threads), not wall time: on a busy machine fast code waits for a core, it does not use more
    CPU. A call that waits without using CPU is stopped by the grader's wall-clock backstop instead
    (it interrupts the kernel: KeyboardInterrupt)."""
    if not seconds or seconds <= 0:
        yield
        return

    def on_cpu_time_up(signum, frame):
        raise _CpuTimeUp()

    previous = signal.signal(signal.SIGPROF, on_cpu_time_up)
    signal.setitimer(signal.ITIMER_PROF, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def serve(folder, number):
    """Answer request q<number>.json in `folder` with r<number>.json. A request with "cpu" (seconds)
    runs the learner's code for at most that much CPU time."""
    files, reply_files = _Files(folder, f"q{number}"), _Files(folder, f"r{number}")
    with open(os.path.join(folder, f"q{number}.json"), encoding="utf-8") as f:
        request = json.load(f)
    try:
        with _cpu_limit(request.get("cpu")):
            reply = _handle(request, files, reply_files)
    except _CpuTimeUp:
        reply = {"timed_out": True}
    except KeyboardInterrupt:
        reply = {"interrupted": True}
    except BaseException as exc:  # the learner's error (SystemExit too): reported, never re-raised here
        reply = {"error": _error(exc)}
    path = os.path.join(folder, f"r{number}.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(reply, f)
    os.replace(path + ".tmp", path)
