"""Working with a learner's class: building it, calling its methods, reading what they stored.

The checks touch a learner's class only by constructing it, calling methods and getting or setting
attributes (no isinstance on its instances, no reading of its source), so a stand-in object that
forwards those operations elsewhere (as grading may use) is checked exactly like the class itself.
"""
from __future__ import annotations

import types

import numpy as np

from .learner import describe_error, describe_type, guarded_call
from .numeric import close
from .verdict import Incorrect, NotAttempted, Raised

_MISSING = object()
_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, types.MethodType)


def require_class(obj, name: str, args: tuple, check: str = "") -> None:
    """Stop with a clear verdict unless obj can be used as a class (something callable, not a function).

    check: the name of the check the learner runs, when it is not the class's (lesson 9's `check.add(Value)`).
    """
    call = f"check.{check or name}({name})"
    if obj is None or obj is Ellipsis:
        raise NotAttempted(f"Define the class `{name}` in the exercise cell above, then run this check again.")
    if isinstance(obj, _FUNCTIONS):
        try:  # the lesson's placeholder may sit in a function: that is "not attempted", not a wrong type
            guarded_call(obj, args, tuple(f"arg{i}" for i in range(len(args))), f"`{name}`")
        except NotAttempted:
            raise
        except Raised:
            pass
        raise Incorrect(
            f"`{name}` should be a class, but you passed a function. Write `class {name}:` with the methods "
            f"the exercise asks for, then pass the class itself: {call}.",
            diagnosis="wrong_type",
        )
    if not callable(obj):
        looks_built = any(_has(obj, m) for m in ("forward", "backward", "update_params"))
        made = (f"an object made from a class (`{name}(...)`)" if looks_built else describe_type(obj))
        raise Incorrect(
            f"`{name}` should be the class itself, but you passed {made}. "
            f"Pass the class, without calling it: {call}.",
            diagnosis="wrong_type",
        )


def _has(obj, attr) -> bool:
    try:
        getattr(obj, attr)
        return True
    except Exception:
        return False


def construct(cls, args: tuple, name: str):
    """cls(*args), guarded: the learner's error in __init__ is reported as theirs."""
    shown = ", ".join(repr(a) for a in args)
    return guarded_call(cls, args, tuple(f"arg{i}" for i in range(len(args))), f"`{name}({shown})`").value


def get(obj, attr: str, what: str):
    """obj.attr, or _MISSING; an error raised by a property is the learner's."""
    try:
        return getattr(obj, attr)
    except AttributeError:
        return _MISSING
    except Exception as exc:
        raise Raised(describe_error(exc, f"reading `.{attr}` of {what}"), diagnosis="raised") from None


def set_attr(obj, attr: str, value, what: str) -> None:
    try:
        setattr(obj, attr, value)
    except Exception as exc:
        raise Raised(describe_error(exc, f"setting `.{attr}` of {what}"), diagnosis="raised") from None


def method(obj, name: str, what: str):
    found = get(obj, name, what)
    if found is _MISSING or not callable(found):
        raise Incorrect(
            f"{what} has no method `{name}`. Define `def {name}(self, ...):` inside the class "
            "(indented under `class`).",
            part=name,
            diagnosis="missing_method",
        )
    return found


def stored(obj, attr: str, what: str, when: str, expected=None, alternatives=(), returned=None):
    """The value the learner's method stored in obj.attr; a clear verdict when it is not there.

    alternatives: other names learners use for it (`dL_dw` for `dweights`); finding one of them, or
    any attribute holding the expected array, gives "wrong_attribute_name" naming the book's name.
    """
    value = get(obj, attr, what)
    if value is not _MISSING:
        return value
    for other in alternatives:
        if get(obj, other, what) is not _MISSING:
            raise _wrong_name(attr, other, what, when)
    if expected is not None:
        try:
            found = dict(vars(obj))
        except Exception:  # a stand-in object may have no __dict__
            found = {}
        for other, candidate in found.items():
            try:
                if close(np.asarray(candidate, dtype=np.float64), np.asarray(expected, dtype=np.float64)):
                    raise _wrong_name(attr, other, what, when)
            except (TypeError, ValueError):
                continue
    gave_back = ""
    if returned is not None and expected is not None:
        try:
            if close(np.asarray(returned, dtype=np.float64), np.asarray(expected, dtype=np.float64)):
                gave_back = f" It returned the right array, but the next layer reads it from `.{attr}`."
        except (TypeError, ValueError):
            pass
    raise Incorrect(
        f"After {when}, {what} has no attribute `{attr}`.{gave_back}\n"
        f"Try: store it on the object inside that method: `self.{attr} = ...` (a plain local variable "
        "disappears when the method returns).",
        part=attr,
        diagnosis="missing_attribute",
    )


def _wrong_name(attr, other, what, when) -> Incorrect:
    return Incorrect(
        f"After {when}, {what} stored its result in `self.{other}`, but the course (like the book) names it "
        f"`self.{attr}`: the next layer and the optimizer look for that name.\n"
        f"Try: rename `self.{other}` to `self.{attr}`.",
        part=attr,
        diagnosis="wrong_attribute_name",
    )


def attribute_sharing(obj, array) -> str:
    """The name of an attribute of obj that is `array` itself under another name (shares its memory), or ''."""
    try:
        found = dict(vars(obj))
    except Exception:  # a stand-in object may have no __dict__
        return ""
    return next((name for name, value in found.items()
                 if isinstance(value, np.ndarray) and np.shares_memory(value, array)), "")
