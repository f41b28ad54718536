"""The exercise wrapper: turns a check body into a learner-facing check function.

A check body is `body(answer, rng) -> insight` that raises a verdict at the first problem.
`@exercise(...)` wraps it so that the learner's call
- never raises (internal problems become an "uncheckable" result, without a traceback),
- returns a `Result` that Jupyter displays,
- announces what happened (a check's outcome, a hint shown, a solution shown) to whoever listens
  (`listen`): the learner's progress file does, and the engine needs to know nothing about it,
- raises `CheckFailed` only in strict mode (BACKPROP_STRICT=1: the checks' tests and grading).
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import sys
from dataclasses import dataclass, field

import numpy as np

from .result import CheckFailed, Code, Note, Result
from .verdict import NotAttempted, Verdict

REGISTRY: dict[str, "Exercise"] = {}

# Who hears what happens: each listener is called `listener(event, exercise_id, detail)` with event
# "check" (detail: the outcome), "hint" (detail: the level shown) or "solution" (detail: None).
_listeners: list = []

# Learner-facing checks use a fixed seed per exercise, so a notebook's output never changes;
# grading sets its own through `seeded(...)`.
_seed_override: contextvars.ContextVar[int | None] = contextvars.ContextVar("seed_override", default=None)
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("quiet", default=False)


@dataclass
class Exercise:
    id: str  # "lesson03.dense_backward"
    lesson: str  # "lesson03"
    name: str  # "dense_backward"
    title: str  # one line, for progress tables and grading reports
    graded: bool  # function and class exercises are graded; value checks are practice
    hints: tuple = field(default=())
    check: object = field(default=None, repr=False)  # the learner-facing check function
    answer: str = ""  # the learner's top-level name the check is given, if not `name` (grading looks it up)
    parts: tuple = ()  # the parts the check judges apart, one point each ("dinputs", "dweights", "dbiases")
    uses: tuple = ()  # other exercises of the lesson that a demo of this one runs too (for `ready`)

    @property
    def answer_name(self) -> str:
        return self.answer or self.name

    @property
    def max_points(self) -> int:
        """Points of the exercise when every part is right: one per part, or 1 if it is judged whole."""
        return len(self.parts) or 1


def strict() -> bool:
    return os.environ.get("BACKPROP_STRICT", "").strip().lower() in {"1", "true", "yes", "on"}


@contextlib.contextmanager
def seeded(seed: int):
    """Run checks with this random seed instead of each exercise's fixed one (used by grading)."""
    token = _seed_override.set(seed)
    try:
        yield
    finally:
        _seed_override.reset(token)


def _fixed_seed(exercise_id: str) -> int:
    # A stable number per exercise (Python's hash() of a str changes between runs).
    return sum((i + 1) * ord(c) for i, c in enumerate(exercise_id)) % (2**31)


def listen(listener):
    """Call `listener(event, exercise_id, detail)` after every check, hint and solution shown; see
    `_listeners`. Subscribing the same listener twice has no further effect. Returns the listener."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def _announce(event: str, exercise_id: str, detail=None) -> None:
    for listener in tuple(_listeners):
        try:
            listener(event, exercise_id, detail)
        except Exception:
            pass  # a listener (the progress file, say) is a convenience; it never makes a check fail


def exercise(lesson: str, title: str, *, graded: bool, hints=(), answer: str = "", parts=(), uses=()):
    """Decorator for a check body `body(answer, rng) -> insight`; see the module docstring.

    answer: the name of the learner's object the check is given, when several checks take the same
    object (lesson 9's checks each take the class `Value`); by default the exercise's own name.
    parts:  the parts the body judges apart with a `_verdict.PartJudge` (one point each in grading);
            empty: the exercise is judged whole (1 point, when it is right).
    uses:   names of the lesson's other exercises that a demo of this one runs too: the check judges this
            exercise on its own, but `ready` waits for those as well (lesson 9's backward() and the operations).
    """

    def wrap(body):
        info = Exercise(f"{lesson}.{body.__name__}", lesson, body.__name__, title, graded, tuple(hints),
                        answer=answer, parts=tuple(parts), uses=tuple(uses))
        REGISTRY[info.id] = info

        @functools.wraps(body)
        def check(answer=None):
            result = evaluate(info, body, answer)
            if not _quiet.get():
                _announce("check", info.id, result.outcome)
                if strict() and not result.passed:
                    raise CheckFailed(result)
            return result

        check.exercise = info
        info.check = check
        return check

    return wrap


def evaluate(info: Exercise, body, answer) -> Result:
    """Run one check body on the learner's answer and turn what happens into a Result."""
    seed = _seed_override.get()
    rng = np.random.default_rng(_fixed_seed(info.id) if seed is None else seed)
    random_state = np.random.get_state()
    try:
        if answer is None or answer is Ellipsis:
            raise NotAttempted(f"Replace the placeholder in the exercise cell for `{info.answer_name}`, run it, then "
                               "run this check.")
        insight = body(answer, rng)
        result = Result(info.id, "correct", insight or "Well done.", parts=tuple((p, True) for p in info.parts))
    except Verdict as verdict:
        message = verdict.message
        if verdict.outcome in {"incorrect", "raised"} and info.hints:
            message += f'\nStuck? check.hint("{info.name}") gives a hint (run it again for the next one).'
        passed = set(getattr(verdict, "passed_parts", ()))
        result = Result(info.id, verdict.outcome, message, verdict.part, verdict.diagnosis,
                        parts=tuple((p, p in passed) for p in info.parts))
    except Exception as exc:  # a bug in the checker itself: never the learner's fault, never a traceback
        result = Result(
            info.id,
            "uncheckable",
            f"The checker itself hit a problem ({type(exc).__name__}). This is not your mistake: "
            "please report it to the course maintainers.",
            diagnosis="internal_error",
            parts=tuple((p, False) for p in info.parts),
        )
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        # sys.exit() and the like. The checker never exits, so a learner's object did, outside
        # guarded_call (a property, an __array__ ...): their error, reported as such.
        from .learner import describe_error

        result = Result(info.id, "raised", describe_error(exc, "Your code"), diagnosis="raised",
                        parts=tuple((p, False) for p in info.parts))
    finally:
        np.random.set_state(random_state)
    return result


def ready(check, answer) -> bool:
    """True if `answer` passes `check`; otherwise show which exercise to finish first.

    Demo cells that run the learner's code outside a check start with
    `if checks.ready(check.dense_backward, dense_backward):` so a blank lesson runs without errors.
    An exercise that `uses` others (lesson 9's backward() runs every operation) waits for their checks too.
    """
    info = getattr(check, "exercise", None)
    needed = [REGISTRY.get(f"{info.lesson}.{name}") for name in getattr(info, "uses", ())]
    for each in [check, *(e.check for e in needed if e is not None)]:
        if not _ready(each, answer):
            return False
    return True


def _ready(check, answer) -> bool:
    token = _quiet.set(True)
    try:
        result = check(answer)
    except Exception:
        return False
    finally:
        _quiet.reset(token)
    if result.passed:
        return True
    from IPython.display import display

    info = getattr(check, "exercise", None)
    name = getattr(info, "name", "the exercise above")
    given = getattr(info, "answer_name", name)  # lesson 9's checks take the class: check.mul(Value)
    display(Note(
        f"Finish `{name}` first",
        f"This cell uses your `{name}`, and its check, check.{name}({given}) above in this notebook, says: "
        f"{result.label.split(':')[0][2:].lower()}. Come back and run this cell when the check passes.",
    ))
    return False


_hint_levels: dict[str, int] = {}


def _lesson_exercises(lesson: str) -> dict:
    return {e.name: e for e in REGISTRY.values() if e.lesson == lesson}


def solution_level(name: str, lesson: str = "") -> str:
    """The last hint level of every exercise: where the answer itself is (in a class release whose
    instructor has not released the lesson's solutions, that they are not there yet)."""
    from . import edition

    if lesson and not edition.solutions_released(lesson):
        return edition.NOT_RELEASED.format(name=name)
    return (f'Still stuck? check.solution("{name}") shows the answer from the solution notebook (your progress '
            "table will note that you looked). Read it, then close it and write the code yourself.")


def make_hint(lesson: str, notebook: str):
    """Build a lesson module's `hint(name, level=None)` function.

    Levels: the exercise's own hints (the idea, then which arrays and shapes, then a partial line with
    blanks), then a last one that names `check.solution(name)`.
    """

    def hint(name: str = "", level: int | None = None) -> Note:
        """Show the next hint for exercise `name` (or the given level: 1, 2, ...)."""
        exercises = {n: e for n, e in _lesson_exercises(lesson).items() if e.hints}
        if name not in exercises:
            names = ", ".join(f'"{n}"' for n in exercises) or "none"
            return Note("No such exercise", f"Hints exist for: {names}. Example: check.hint({next(iter(exercises), '')!r})")
        info = exercises[name]
        levels = (*info.hints, solution_level(name, lesson))
        if isinstance(level, bool) or not isinstance(level, (int, type(None))):
            level = None
        if level is None:
            level = _hint_levels.get(info.id, 0) + 1
        level = min(max(level, 1), len(levels))
        _hint_levels[info.id] = level
        _announce("hint", info.id, level)
        # On a line of its own: a level that ends in a line with blanks must not run into the sentence.
        more = "\nRun check.hint again for the next level." if level < len(levels) else ""
        return Note(f"Hint {level} of {len(levels)} for {name}", levels[level - 1] + more)

    hint.solution = make_solution(lesson, notebook)  # a lesson module's one line: `solution = hint.solution`
    # The last hint level names check.solution, so every module that has hints has it too, even one that
    # does not (yet) say `solution = hint.solution` itself.
    sys._getframe(1).f_globals.setdefault("solution", hint.solution)
    return hint


def make_solution(lesson: str, notebook: str):
    """Build a lesson module's `solution(name)` function. make_hint attaches one to the hint it
    builds, so a lesson module gets it with one line: `solution = hint.solution`."""

    def solution(name: str = "") -> Note:
        """Show exercise `name`'s answer from the solution notebook, and record that it was viewed."""
        exercises = _lesson_exercises(lesson)
        if not isinstance(name, str) or name not in exercises:
            names = ", ".join(f'"{n}"' for n in exercises) or "none"
            return Note("No such exercise", f"Solutions exist for: {names}. Example: check.solution({next(iter(exercises), '')!r})")
        from . import edition
        from . import solutions

        if not edition.solutions_released(lesson):  # a class release: say so, read nothing, record nothing
            return Note(f"No solution yet for {name}", edition.NOT_RELEASED.format(name=name))
        try:
            code = solutions.answer_code(notebook, name)
        except (OSError, ValueError, KeyError):
            code = ""
        if not code.strip():
            return Note(f"No solution to show for {name}",
                        f"This copy of the course has no answer for `{name}` in solutions/{notebook}.ipynb.")
        _announce("solution", exercises[name].id)
        return Code(f"Solution for {name} (from solutions/{notebook}.ipynb)", code)

    return solution
