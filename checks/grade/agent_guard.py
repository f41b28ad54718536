"""The kernel-side half of two grading requests, appended to agent.py's source when the grader sends it
(remote.Connection.install_agent): guarding the course's numerical-gradient helpers during judging
(the grader side is shortcut.py), and reading the hint levels the notebook's run showed.

Standalone on purpose (stdlib only): it runs inside the learner's kernel.
"""
import os

# ---- the course's numerical-gradient helpers, recording their calls during judging ----
# Each helper function object keeps its identity (so every name the notebook bound to it, by any
# import or alias, still reaches it), but its code is replaced by a recorder that notes the call and
# then runs the original code. Found through the garbage collector, so copies made with
# types.FunctionType and helpers whose module was swapped out of sys.modules are caught as well.

_helper_calls = []
_guarded = {}  # (file, function name) -> (label, the original as a new function, the recorder's code)
_guarded_functions = []  # (function object, the recorder code it was given)


def _course_file(module_name):
    """The real file of one of the course's modules: asked of the import system's finders (which
    also know an editable install), not of sys.modules, which the notebook could have changed."""
    import sys

    top, *inside = module_name.split(".")  # the top package is found; the rest is folders under it
    for finder in sys.meta_path:
        try:
            spec = finder.find_spec(top, None)
        except Exception:
            continue
        if spec is not None and spec.submodule_search_locations and inside:
            folder = list(spec.submodule_search_locations)[0]
            return os.path.realpath(os.path.join(folder, *inside[:-1], inside[-1] + ".py"))
    return None


def _recorder(function, label):
    """(a copy of the original function, code that records `label` and then calls that copy)"""
    import types

    original = types.FunctionType(function.__code__, function.__globals__, function.__name__,
                                  function.__defaults__, function.__closure__)
    original.__kwdefaults__ = function.__kwdefaults__
    source = (f"def {function.__name__}(*args, **kwargs):\n"
              f"    __grading_calls__.append({label!r})\n"
              f"    return __grading_originals__[{label!r}](*args, **kwargs)\n")
    namespace = {}
    exec(compile(source, function.__code__.co_filename, "exec"), {}, namespace)
    return original, namespace[function.__name__].__code__


def _guard_helpers(helpers):
    """helpers: {"checks.engine.numeric": ["central_difference"], ...}. Returns the labels guarded."""
    import gc
    import importlib
    import types

    wanted = {}
    for module_name, names in helpers.items():
        try:
            importlib.import_module(module_name)  # so that a helper the notebook never imported exists
        except Exception:
            pass
        path = _course_file(module_name)
        for name in names:
            if path:
                wanted[(path, name)] = f"{module_name}.{name}"
    names = {name for _, name in wanted}
    done = set()
    for obj in gc.get_objects():
        if type(obj) is not types.FunctionType or obj.__code__.co_name not in names or obj.__closure__:
            continue  # cheap tests first: there are tens of thousands of functions in a kernel
        code = obj.__code__
        key = (os.path.realpath(code.co_filename), code.co_name)
        if key not in wanted or getattr(code, "co_qualname", code.co_name) != code.co_name:
            continue
        if key in _guarded and code is _guarded[key][2]:
            continue
        if key not in _guarded:
            _guarded[key] = (wanted[key], *_recorder(obj, wanted[key]))
        label, original, recorder = _guarded[key]
        obj.__globals__["__grading_calls__"] = _helper_calls
        obj.__globals__.setdefault("__grading_originals__", {})[label] = original
        obj.__code__, obj.__defaults__, obj.__kwdefaults__ = recorder, None, None
        _guarded_functions.append((obj, recorder))
        done.add(label)
    _helper_calls.clear()
    return sorted(done)


def _take_helper_calls():
    """The helpers called since the last time (each once), and whether a guarded one was put back."""
    called = list(dict.fromkeys(_helper_calls))  # in the order first called
    _helper_calls.clear()
    restored = any(function.__code__ is not recorder for function, recorder in _guarded_functions)
    return {"called": called, "restored": restored}


def _hint_levels():
    """exercise id -> the highest hint level this kernel showed (what the progress file would hold)."""
    import sys

    engine = sys.modules.get("checks.engine.exercise")
    levels = getattr(engine, "_hint_levels", None)
    if not isinstance(levels, dict):
        return {}
    return {str(k): int(v) for k, v in levels.items() if isinstance(v, int) and not isinstance(v, bool)}
