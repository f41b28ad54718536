"""A cell run before its exercise: "Finish `dense_backward` first" instead of a bare NameError.

Learners run cells out of order. A check cell (`check.dinputs(dinputs)`) or a gated demo
(`if checks.ready(check.dense_backward, dense_backward):`) run before the exercise cell that defines
the name would stop with Python's `NameError: name 'dense_backward' is not defined`, which does not say
what to do. Importing `checks` in IPython installs a handler for NameError that, only when

- the missing name is the learner's object of an exercise of a lesson imported in this kernel
  (`dense_backward`, `dinputs`, lesson 6's `Layer_Dense`, lesson 9's `Value`), and
- the name is missing in the cell's own top-level code (not inside a function the learner wrote),

shows which exercise cell defines it. Any other NameError (a typo, a name missing inside the learner's
own function) gets IPython's usual traceback, unchanged. The cell still ends in an error, so "Run All"
stops there and grading sees the same failed cell; only what the learner reads changes.

Not installed in strict mode (BACKPROP_STRICT=1: the checks' tests and grading), where an error should
look like Python's own.
"""
from __future__ import annotations

from ._exercise import REGISTRY, Exercise, strict
from ._result import Note


def exercise_defining(name: str) -> Exercise | None:
    """The exercise whose learner object is `name`, from the lesson imported last; None if none is."""
    for info in reversed(list(REGISTRY.values())):
        if info.answer_name == name:
            return info
    return None


def first_exercise_defining(name: str) -> Exercise | None:
    """Of the exercises taking `name`, the first of its lesson: several checks take one object
    (lesson 9's all take `Value`), and the first of them follows its exercise cell (check.add(Value))."""
    last = exercise_defining(name)
    if last is None:
        return None
    return next(info for info in REGISTRY.values() if info.lesson == last.lesson and info.answer_name == name)


def note_for(name: str) -> Note | None:
    """What to show for a NameError on `name` in a cell's top-level code, or None if it is not ours."""
    info = first_exercise_defining(name)
    if info is None:
        return None
    call = f"check.{info.name}({name})"
    return Note(
        f"Finish `{name}` first",
        f"This cell uses `{name}`, which is not defined yet. Its exercise cell, further up this notebook, "
        f"defines it: the cell checked by {call}. Run that cell first (with your answer in it, or with its "
        f"placeholder for now), then run this cell again.",
    )


def _top_level_name_error(shell, value, tb) -> str | None:
    """The missing name if the NameError was raised by the cell's own top-level code, else None."""
    name = getattr(value, "name", None)
    if not name or tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    if frame.f_code.co_name != "<module>" or frame.f_globals is not shell.user_ns:
        return None  # inside a function, or in an imported module: the learner's own error
    return name


def _handler(shell, etype, value, tb, tb_offset=None):
    name = _top_level_name_error(shell, value, tb)
    note = note_for(name) if name else None
    if note is None:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        shell._showtraceback(etype, value, stb)
        return stb
    from IPython.display import display

    display(note)
    shell._last_traceback = [str(note)]  # what the kernel's reply (and nbclient's error) carries
    return None


def install() -> bool:
    """Install the handler in the running IPython shell; True if it is (or already was) installed."""
    if strict():
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if getattr(shell, "_backprop_name_help", False):
        return True
    if shell.custom_exceptions:
        return False  # someone else's handler: leave it alone
    shell.set_custom_exc((NameError,), _handler)
    shell._backprop_name_help = True
    return True
