"""Proxies that stand in for the learner's objects, which stay in the submission's kernel, and the
learner's errors raised here as the learner's own.

- `RemoteFunction`: callable, with the learner's `__signature__` (so arity checks work);
- a class proxy: a real class (so `isinstance(x, type)` holds), whose call constructs an instance
  in the kernel and returns a `RemoteObject`;
- `RemoteObject`: attribute get/set and method calls are forwarded; copying copies in the kernel.
Each proxy holds its `remote.Connection` and the kernel's id of its object; everything it does is a
request on that connection.
"""
from __future__ import annotations

import builtins
import inspect
import linecache

from ..engine import learner

_INTERNAL = ("_grade_connection", "_grade_id")


def make(connection, d: dict):
    """A proxy for a kernel object described by the agent: {"id", "kind", "name", "sig"}."""
    kind, name = d.get("kind"), str(d.get("name", "object"))
    if not name.isidentifier():
        name = "object"
    if kind == "class":
        cls = RemoteClass(name, (RemoteObject,), {"__slots__": (), "__signature__": signature_from(d.get("sig"))})
        # Not the instances' slot names: a class attribute of that name would hide the slots.
        type.__setattr__(cls, "_grade_class_connection", connection)
        type.__setattr__(cls, "_grade_class_id", d["id"])
        connection.classes.setdefault(name, cls)
        return cls
    if kind == "callable":
        function = RemoteFunction()
        bind(function, connection, d["id"])
        object.__setattr__(function, "__signature__", signature_from(d.get("sig")))
        object.__setattr__(function, "__name__", name)
        return function
    cls = connection.classes.get(name) or RemoteClass(name, (RemoteObject,), {"__slots__": ()})
    obj = RemoteObject.__new__(cls)
    bind(obj, connection, d["id"])
    return obj


def remote_id(connection, x):
    """The kernel's id of `x` if it is a proxy on `connection`, else None."""
    if isinstance(x, RemoteObject) or isinstance(x, RemoteClass):
        owner, object_id = identity(x)
        return object_id if owner is connection else None
    return None


def identity(x):
    if isinstance(x, RemoteClass):
        return type.__getattribute__(x, "_grade_class_connection"), type.__getattribute__(x, "_grade_class_id")
    return object.__getattribute__(x, "_grade_connection"), object.__getattribute__(x, "_grade_id")


def bind(obj, connection, object_id) -> None:
    object.__setattr__(obj, "_grade_connection", connection)
    object.__setattr__(obj, "_grade_id", object_id)


_DEFAULT = object()


def signature_from(described):
    if not described:
        return None
    try:
        return inspect.Signature([
            inspect.Parameter(name, inspect._ParameterKind(kind), default=_DEFAULT if has_default else inspect.Parameter.empty)
            for name, kind, has_default in described
        ])
    except (TypeError, ValueError):
        return None


def raise_if_error(answer: dict) -> None:
    error = answer.get("error")
    if error is None:
        return
    message = str(error.get("message", ""))
    if error.get("not_implemented"):
        raise NotImplementedError(message)
    raise_as_learner(str(error.get("type", "Exception")), message, error)


def raise_as_learner(type_name: str, message: str, where: dict):
    """Raise an exception that reads like the learner's: same type name and message, and a traceback
    whose last frame is the learner's own line (what checks.engine.learner.describe_error reports)."""
    exc = _like(type_name if type_name.isidentifier() else "Exception", message)
    filename, line = where.get("file"), where.get("line")
    if not isinstance(filename, str) or not isinstance(line, int) or not 0 < line < 100_000 or filename.startswith(learner._CHECKS_DIR):
        raise exc
    text = str(where.get("text", ""))
    lines = [""] * (line - 1) + [text + "\n"]
    linecache.cache[filename] = (len(text), None, lines, filename)
    function = str(where.get("func", "<module>"))
    code = compile("\n" * (line - 1) + "raise __exc__", filename, "exec")
    code = code.replace(co_name=function if function.isidentifier() or function == "<module>" else "<module>")
    exec(code, {"__exc__": exc})


def _like(name: str, message: str) -> Exception:
    """An exception named `name` showing `message`; a subclass of the builtin of that name if there is one,
    so that `except AttributeError` (as in hasattr) treats it as the checks would treat the learner's."""
    base = getattr(builtins, name, None)
    if not (isinstance(base, type) and issubclass(base, Exception)) or base is NotImplementedError:
        base = Exception
    for parent in (base, Exception):
        try:
            exc_type = type(name, (parent,), {"__str__": lambda self: message, "__module__": "builtins"})
            return exc_type(message)
        except Exception:
            continue
    return Exception(message)


class RemoteObject:
    """An object in the kernel; attribute access, `vars()` and copies are forwarded to it."""

    __slots__ = _INTERNAL

    @property
    def __dict__(self):
        connection, object_id = identity(self)
        found = connection.simple({"op": "vars", "target": object_id})
        return found if isinstance(found, dict) else {}

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        connection, object_id = identity(self)
        return connection.simple({"op": "getattr", "target": object_id, "attr": name})

    def __setattr__(self, name, value):
        connection, object_id = identity(self)
        connection.simple({"op": "setattr", "target": object_id, "attr": name}, value=(value,))

    def __copy__(self):
        connection, object_id = identity(self)
        return connection.simple({"op": "copy", "target": object_id, "deep": False})

    def __deepcopy__(self, memo):
        connection, object_id = identity(self)
        return connection.simple({"op": "copy", "target": object_id, "deep": True})

    def __repr__(self):
        return f"<{type(self).__name__} object>"


class RemoteFunction(RemoteObject):
    """A callable in the kernel (the learner's function, or a bound method of their object)."""

    __slots__ = ("__signature__", "__name__")

    def __call__(self, *args, **kwargs):
        connection, object_id = identity(self)
        return connection.call(object_id, args, kwargs)


class RemoteClass(type):
    """The metaclass of class proxies: calling one constructs the learner's object in the kernel."""

    def __call__(cls, *args, **kwargs):
        connection, object_id = identity(cls)
        return connection.call(object_id, args, kwargs)

    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        connection, object_id = identity(cls)
        return connection.simple({"op": "getattr", "target": object_id, "attr": name})

    def __repr__(cls):
        return f"<class '{cls.__name__}'>"
