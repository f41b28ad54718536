"""Calling the learner's code safely.

Every call to learner code goes through `guarded_call`, which
- passes copies of the arguments, so nothing the check owns can be changed, and reports which
  arguments the learner's code modified;
- stops the call after a time limit (a `while True:` must not hang the kernel);
- saves and restores numpy's global random state, so a check never changes what the learner's
  next `np.random` call returns;
- hides what the code prints (a check calls it many times);
- turns the learner's exception (and a `sys.exit()`, or any other BaseException but a
  KeyboardInterrupt) into a `Raised` verdict naming their own line, never a traceback from
  inside `checks/`.
"""
from __future__ import annotations

import contextlib
import copy
import inspect
import io
import os
import signal
import sys
import threading
import traceback
from dataclasses import dataclass

import numpy as np

from .verdict import Incorrect, NotAttempted, Raised

_CHECKS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # checks/, not checks/engine/
_LIBRARY_DIRS = tuple(
    os.path.dirname(os.path.abspath(m.__file__)) for m in (np, os, contextlib)
)


def time_limit() -> float:
    """Seconds a learner's call may take (env BACKPROP_TIME_LIMIT, default 2)."""
    try:
        return float(os.environ.get("BACKPROP_TIME_LIMIT", "2"))
    except ValueError:
        return 2.0


def wall_limit() -> float:
    """Seconds of wall time before a call is stopped from outside: the time limit, unless grading set
    BACKPROP_WALL_LIMIT (there the kernel measures the time limit in CPU time, and this is a backstop)."""
    try:
        return float(os.environ["BACKPROP_WALL_LIMIT"])
    except (KeyError, ValueError):
        return time_limit()


class _TimeUp(BaseException):
    """BaseException, so a learner's `except Exception:` cannot swallow it."""


@contextlib.contextmanager
def _alarm(seconds: float):
    # SIGALRM interrupts pure-Python loops; it only works in the main thread, which is where
    # Jupyter runs cell code. Elsewhere the call runs without a limit.
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise _TimeUp()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def _same(before, after) -> bool:
    if isinstance(before, np.ndarray) and isinstance(after, np.ndarray):
        return before.shape == after.shape and before.dtype == after.dtype and bool(
            np.array_equal(before, after, equal_nan=True)
        )
    try:
        return bool(before == after)
    except Exception:
        return True


def describe_error(exc: BaseException, what: str) -> str:
    """The learner's error as they would want to see it: their line, then the error."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [
        f
        for f in frames
        if not f.filename.startswith(_CHECKS_DIR) and not f.filename.startswith(_LIBRARY_DIRS)
    ]
    kind = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, SystemExit):
        kind += " (sys.exit() or exit() stops the whole program; a function hands back its result with `return`)"
    if not mine:
        return f"{what} raised {kind}"
    frame = mine[-1]
    where = f"line {frame.lineno}" + (f" (in {frame.name})" if frame.name != "<module>" else "")
    source = f"\n    {frame.line.strip()}" if frame.line else ""
    return f"{what} raised an error at {where}:{source}\n{kind}"


@dataclass
class Call:
    """What one guarded call gave back.

    value:      what the learner's code returned
    args_after: the (copied) arguments as the learner's code left them
    modified:   names of the arguments the call changed
    """

    value: object
    args_after: tuple
    modified: tuple


def guarded_call(fn, args: tuple, names: tuple, what: str) -> Call:
    """Call fn(*copies of args) with the protections above; `what` names it in messages."""
    passed = tuple(_copy(a) for a in args)
    kept = tuple(_copy(a) for a in args)
    random_state = np.random.get_state()
    seconds = time_limit()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            with _alarm(wall_limit()):
                value = fn(*passed)
    except _TimeUp:
        raise Raised(
            f"{what} was stopped after {seconds:g} s. Look for a loop that never ends "
            "(a `while` whose condition never becomes false).",
            diagnosis="timeout",
        ) from None
    except NotImplementedError:
        raise NotAttempted(
            f"{what} still has the placeholder `raise NotImplementedError`: replace it with your code."
        ) from None
    except RecursionError as exc:
        raise Raised(describe_error(exc, what), diagnosis="raised") from None
    except Exception as exc:
        raise Raised(describe_error(exc, what), diagnosis="raised") from None
    except KeyboardInterrupt:
        raise  # the learner pressed stop: the kernel's business, not a verdict
    except BaseException as exc:  # sys.exit(), and other exits that are not errors: still theirs to report
        raise Raised(describe_error(exc, what), diagnosis="raised") from None
    finally:
        np.random.set_state(random_state)
    modified = tuple(n for n, b, a in zip(names, kept, passed) if not _same(b, a))
    return Call(value, passed, modified)


def require_callable(obj, name: str, params: tuple, kind: str = "function"):
    """Stop with a clear verdict unless obj is a function taking `params` positionally."""
    if obj is None or obj is Ellipsis:
        raise NotAttempted(f"Define `{name}` in the exercise cell above, then run this check again.")
    if isinstance(obj, type) and kind == "function":
        raise Incorrect(
            f"`{name}` should be a function, but you passed a class ({obj.__name__}).",
            diagnosis="wrong_type",
        )
    if not callable(obj):
        raise Incorrect(
            f"`{name}` should be a {kind}, but you passed {describe_type(obj)}. "
            f"Pass the {kind} itself: check.{name}({name}), without calling it.",
            diagnosis="wrong_type",
        )
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return  # builtins and the like: nothing to compare
    try:
        signature.bind(*params)
    except TypeError:
        raise Incorrect(
            f"`{name}` should take {len(params)} argument{'s' if len(params) != 1 else ''} "
            f"({', '.join(params)}), but yours is defined as {name}{signature}.",
            diagnosis="wrong_signature",
        ) from None


def describe_type(obj) -> str:
    if isinstance(obj, np.ndarray):
        return f"an array of shape {obj.shape}"
    if isinstance(obj, str):
        return "a string"
    name = type(obj).__name__
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}"


def caller_namespace(frame=None) -> dict:
    """The global names of the code that called the check: in a notebook, the learner's variables.

    Value checks read it (never write it) to see what the learner's answer shares with their other arrays.
    It is the globals of the first frame outside checks/, looking up from `frame` (by default, the caller
    of this function).
    """
    frame = frame or sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_CHECKS_DIR):
        frame = frame.f_back
    return frame.f_globals if frame is not None else {}
