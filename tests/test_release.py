"""A class release (`python -m checks.release`): what learners receive, and that nothing in it gives a
withheld lesson's graded answer away.

Two releases are built once for the module: lessons 1-4, 6 and 9 without solutions (the blank lessons run
under nbval in a fresh virtual environment made from the release's own requirements; lesson 5's worked
backward pass holds lessons 3 and 4's answers, so it waits for their solutions), and lessons 1-9 with the
solutions of 1-6 (lessons 7, 8 and 9 withheld).
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from checks.engine import solutions
from checks.engine.catalog import all_exercises
from tests import submissions_util as subs

ROOT = Path(__file__).resolve().parent.parent
FIRST = "1-4,6,9"
FIRST_LESSONS = (1, 2, 3, 4, 6, 9)


def release(dest: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "checks.release", str(dest), *args], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    if check:
        assert run.returncode == 0, run.stderr
    return run


@pytest.fixture(scope="module")
def first_release(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("release") / "class"
    release(dest, "--lessons", FIRST)
    return dest


@pytest.fixture(scope="module")
def later_release(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("release") / "class"
    run = release(dest, "--lessons", "1-9", "--solutions", "1-6")
    assert "lessons 1, 2, 3, 4, 5, 6, 7, 8, 9; solutions released: 1, 2, 3, 4, 5, 6" in run.stdout
    return dest


def _clean_env(**extra) -> dict:
    """This environment (HOME under artifacts/, PIP_* and SSL_* kept for pip) without this venv's marks."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(sys.prefix))
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def release_python(first_release, tmp_path_factory) -> Path:
    """A fresh venv with exactly the release's requirements.txt (which installs the release itself)."""
    venv = tmp_path_factory.mktemp("release-venv") / "venv"
    env = _clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env, timeout=300)
    python = venv / "bin" / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-compile", "-r", "requirements.txt"],
                         cwd=first_release, env=env, capture_output=True, text=True, timeout=1200)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return python


def in_release(python, dest: Path, code: str, tmp_path: Path, **env) -> subprocess.CompletedProcess:
    """Run `code` with `python` in the release's folder, with a progress file of its own."""
    environment = _clean_env(BACKPROP_PROGRESS_FILE=str(tmp_path / "progress.json"), **env)
    run = subprocess.run([str(python), "-c", code], cwd=dest, env=environment, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


# ---------------------------------------------------------------- what a release holds


def test_a_release_holds_the_lessons_packages_requirements_binder_and_a_learner_readme(first_release):
    dest = first_release
    lessons = sorted(p.name for p in (dest / "lessons").iterdir())
    assert [int(name[:2]) for name in lessons] == list(FIRST_LESSONS)
    for name in lessons:  # the blank lessons as they are, metadata and all (grading reads metadata.course)
        assert (dest / "lessons" / name).read_bytes() == (ROOT / "lessons" / name).read_bytes()
        assert nbformat.read(dest / "lessons" / name, as_version=4).metadata.course.lesson == f"lesson{name[:2]}"
    assert not (dest / "solutions").exists()
    assert (dest / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()
    for name in ("runtime.txt", "requirements.txt", "postBuild"):
        assert (dest / "binder" / name).read_bytes() == (ROOT / "binder" / name).read_bytes()
    assert os.access(dest / "binder" / "postBuild", os.X_OK)
    pyproject = (dest / "pyproject.toml").read_text()
    assert "[tool.setuptools.packages.find]" in pyproject and "tool.pytest" not in pyproject
    # Instructor-only code stays home; so do the checks of lessons the class has not received.
    assert not (dest / "checks" / "grade").exists() and not (dest / "checks" / "release").exists()
    modules = {p.stem for p in (dest / "checks").glob("lesson*.py")}
    assert modules == {"lesson01", "lesson02", "lesson03", "lesson04", "lesson06", "lesson09"}
    assert json.loads((dest / "checks" / "edition.json").read_text()) == {
        "edition": "class release", "lessons": [f"lesson{n:02d}" for n in FIRST_LESSONS], "solutions": [],
        "github": "OWNER/REPO"}
    readme = (dest / "README.md").read_text()
    badge = "mybinder.org/v2/gh/OWNER/REPO/HEAD?urlpath=lab/tree/lessons/01_chain_rule_one_neuron.ipynb"
    for words in ("## Start", badge,
                  "pip install -r requirements.txt", "## How checks work", 'check.hint("dense_backward")',
                  "has not released the solutions yet", "## Handing in", "lessons/09_autograd.ipynb"):
        assert words in readme, words
    assert "07_gradient_checking" not in readme


def test_a_release_holds_the_check_helpers_of_its_lessons_only(tmp_path):
    """Week 1 (lessons 1-3): the shared helpers of lessons 4, 6, 8 and 9's checks (their messages and hints:
    lesson 6's network hint, lesson 4's named ReLU mistakes) stay out, like those lessons' check modules;
    the checks the class has run, and a grading of lesson 3 in the release, work without them."""
    dest = tmp_path / "class"
    release(dest, "--lessons", "1-3")
    helpers = sorted(p.relative_to(dest / "checks" / "lesson_helpers").as_posix()
                     for p in (dest / "checks" / "lesson_helpers").rglob("*.py"))
    assert helpers == ["__init__.py", "estimate_probes.py", "exact_probes.py", "examples.py", "neuron.py"]
    code = ("import checks, numpy as np\n"
            "from checks import lesson01, lesson02, lesson03\n"
            "print(checks.__file__)\n"
            "def dense_backward(dvalues, inputs, weights):\n"
            "    return dvalues @ weights.T, inputs.T @ dvalues, np.sum(dvalues, axis=0)\n"
            "print(lesson03.dense_backward(dense_backward).outcome)\n")
    run = in_release(sys.executable, dest, code, tmp_path)
    assert run.stdout.startswith(str(dest / "checks")) and run.stdout.split()[-1] == "incorrect", run.stdout
    later = tmp_path / "later"
    release(later, "--lessons", "1-4,6,9")
    kept = {p.name for p in (later / "checks" / "lesson_helpers").rglob("*.py")}
    assert {"relu_mistakes.py", "lesson06_network.py", "lesson06_optimizer.py", "sgd_step.py", "loss_mistakes.py",
            "graphs.py", "backward.py"} <= kept


def test_the_release_binder_configuration_installs_its_packages(first_release):
    """What repo2docker will do with the release (the full check is tests/test_binder.py's, on the course)."""
    command = shutil.which("repo2docker") or str(Path(sys.executable).with_name("repo2docker"))
    if not Path(command).exists():
        pytest.skip("repo2docker is not installed (pinned in requirements-test.txt)")
    run = subprocess.run([command, "--no-build", "--debug", str(first_release)], capture_output=True, text=True,
                         timeout=300, cwd=first_release.parent)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    dockerfile = output[output.index("FROM "):]
    assert '-r "binder/requirements.txt"' in dockerfile and "RUN ./binder/postBuild" in dockerfile
    assert "pip install --no-deps -e ." in (first_release / "binder" / "postBuild").read_text()


def test_blank_lessons_pass_nbval_lax_in_a_fresh_venv_from_the_release_requirements(first_release, release_python,
                                                                                    tmp_path):
    """The kernel is the release venv's python (a kernelspec of its own); nbval runs from the test venv."""
    # Binder's last step, binder/postBuild, with this venv's pip: it installs the release's own packages.
    post_build = subprocess.run([str(first_release / "binder" / "postBuild")], cwd=first_release,
                                env=_clean_env(PATH=f"{release_python.parent}{os.pathsep}{os.environ['PATH']}"),
                                capture_output=True, text=True, timeout=300)
    assert post_build.returncode == 0, post_build.stderr[-3000:]
    assert "Successfully installed backprop-from-scratch" in post_build.stdout, post_build.stdout[-2000:]
    probe = in_release(release_python, tmp_path, "import checks, importlib.util as u; print(checks.__file__); "
                       "print(u.find_spec('checks.grade'), u.find_spec('checks.release'))", tmp_path)
    checks_file, specs = probe.stdout.split("\n", 1)
    assert Path(checks_file).is_relative_to(first_release), "checks does not come from the release"
    assert specs.strip() == "None None", "instructor-only packages are importable in the release"
    jupyter = tmp_path / "jupyter"
    subprocess.run([str(release_python), "-m", "ipykernel", "install", "--prefix", str(jupyter), "--name",
                    "backprop-release"], check=True, capture_output=True, env=_clean_env(), timeout=120)
    spec = json.loads((jupyter / "share" / "jupyter" / "kernels" / "backprop-release" / "kernel.json").read_text())
    assert spec["argv"][0] == str(release_python)
    env = _clean_env(JUPYTER_PATH=str(jupyter / "share" / "jupyter"),
                     BACKPROP_PROGRESS_FILE=str(tmp_path / "progress.json"))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    notebooks = sorted(str(p) for p in (first_release / "lessons").glob("*.ipynb"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir",
                          str(first_release), "--nbval-lax", "--nbval-kernel-name", "backprop-release", "-q",
                          *notebooks], cwd=first_release, env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout[-5000:]
    assert re.search(r"\b\d+ passed\b", run.stdout) and "failed" not in run.stdout.splitlines()[-1]


# ---------------------------------------------------------------- nothing gives a withheld answer away

# A line of a solution is too generic to count as an answer when, trimmed, it is
#   1. empty or a comment;
#   2. shorter than 12 characters without whitespace (`pass`, `return grad`, `db = 1.0`, `visit(self)`);
#   3. a `return` of plain names (`return dinputs, dweights, dbiases`), or a name stored under the same name
#      (`self.inputs = inputs`);
#   4. a def, call or loop over plain names only, with no arithmetic, indexing or attribute argument
#      (`def visit(node):`, `order.append(node)`, `for node in reversed(order):`, `if node not in visited:`):
#      the scaffolding of any walk over a graph, which the checks and the graph drawing use too.
# Every other line of every answer block counts. It is found in a file when, with all whitespace removed,
# it occurs inside one line of the file (for a notebook: of its cells' sources and text outputs), or, for an
# answer line that computes something (an assignment whose value has arithmetic or numpy in it, or whose
# target is indexed), when it occurs with other names: `dweights = inputs.T @ drelu` gives lesson 3's
# `dweights = inputs.T @ dvalues` away as surely. The target, numpy's names and attributes stay as they are,
# and a hint's blank (`____`) is not a name, so a partial line with blanks is not an answer.
_GENERIC = [
    re.compile(r"return(?:\s+\w+(?:\s*,\s*\w+)*)?"),
    re.compile(r"(?:self\.)?(\w+)\s*=\s*\1"),
    re.compile(r"(?:def\s+|for\s+\w+\s+in\s+)?[\w.]+\((?:\w+(?:\s*,\s*\w+)*)?\):?"),
    re.compile(r"if\s+\w+\s+(?:not\s+)?in\s+\w+:"),
]


def _squeeze(line: str) -> str:
    return re.sub(r"\s+", "", line)


def is_generic(line: str) -> bool:
    line = line.strip()
    return (not line or line.startswith("#") or len(_squeeze(line)) < 12
            or any(pattern.fullmatch(line) for pattern in _GENERIC))


_ASSIGNMENT = re.compile(r"^([\w.]+(?:\[[^\]]*\])?)(=|\+=|-=)(.+)$")
_NAME = re.compile(r"[A-Za-z]\w*|_+[A-Za-z0-9]\w*")
_KEPT_NAMES = {"np", "axis", "keepdims", "True", "False", "self"}


def renamed(squeezed: str) -> re.Pattern | None:
    """A pattern finding the squeezed answer line `squeezed` with any other names (None: not an assignment that
    computes). `drelu[z<=0]=0` -> finds `drelu[layer_outputs<=0]=0`; `x_nudged=x.copy()` -> None."""
    match = _ASSIGNMENT.match(squeezed)
    if not match:
        return None
    target, operator, value = match.groups()
    if "[" not in target and not re.search(r"[@*/+\-]|np\.", value):
        return None

    def pattern(text: str, keep_first: bool) -> str:
        parts, end = [], 0
        for name in _NAME.finditer(text):
            parts.append(re.escape(text[end:name.start()]))
            kept = (name.group() in _KEPT_NAMES or text[name.start() - 1:name.start()] == "."
                    or (keep_first and name.start() == 0))
            parts.append(re.escape(name.group()) if kept else r"(?!_+\b)\w+")
            end = name.end()
        return "".join(parts) + re.escape(text[end:])

    return re.compile(r"(?<![\w.])" + pattern(target, True) + re.escape(operator) + pattern(value, False))


def answer_lines(notebook: str) -> dict:
    """{squeezed line: the line} of every answer block of the full course's solution notebook."""
    return {_squeeze(line): line.strip() for block in solutions.blocks_of(notebook) for line in block.lines
            if not is_generic(line)}


def file_lines(path: Path) -> list:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        parts = []
        for cell in json.loads(text)["cells"]:
            parts.append("".join(cell["source"]))
            for output in cell.get("outputs", []):
                parts += ["".join(output.get("text", ""))]
                parts += ["".join(value) if isinstance(value, list) else str(value)
                          for value in output.get("data", {}).values()]
        text = "\n".join(parts)
    return [_squeeze(line) for line in text.splitlines()]


def leaks(dest: Path) -> set:
    """{(file, lesson)}: a file of the release that holds an answer line of a lesson it withholds."""
    edition = json.loads((dest / "checks" / "edition.json").read_text())
    withheld = [lesson for lesson in edition["lessons"] if lesson not in edition["solutions"]]
    notebooks = {f"lesson{p.name[:2]}": p.stem for p in (dest / "lessons").glob("*.ipynb")}
    secrets = {lesson: answer_lines(notebooks[lesson]) for lesson in withheld}
    assert all(secrets.values()), "a withheld lesson with no answer lines: the scan would find nothing"
    patterns = {lesson: [p for p in map(renamed, secret) if p] for lesson, secret in secrets.items()}
    found = set()
    for path in sorted(p for p in dest.rglob("*") if p.is_file() and ".git" not in p.parts):
        if path.suffix in (".png", ".pyc"):
            continue
        lines = file_lines(path)
        for lesson, secret in secrets.items():
            if any(answer in line for answer in secret for line in lines) \
                    or any(pattern.search(line) for pattern in patterns[lesson] for line in lines):
                found.add((path.relative_to(dest).as_posix(), lesson))
    return found


# Known, each with its reason; a release must hold nothing else, and each must still be found (remove it
# when it is fixed).
KNOWN_LEAKS = {
    ("lessons/04_relu_backward.ipynb", "lesson06"):
        "the book's first-attempt Activation_ReLU, whose aliasing bug lesson 4 teaches, shows ReLU's forward "
        "pass; it fails lesson 6's check (test_every_worked_definition_that_passes_another_lessons_check_is_tagged)",
    ("checks/engine/numeric.py", "lesson07"):
        "the checks' own central differences, which every check needs: grading scores 0 an answer that calls "
        "them (README: the numerical-gradient shortcut), not one that copies their text",
    ("checks/engine/estimate.py", "lesson07"):
        "the probes that tell a numerical estimate from a derived gradient compute one to compare with",
    ("checks/lesson_helpers/difference_mistakes.py", "lesson07"):
        "lesson 7's diagnoses compute one-sided and row-wise differences with the same loop",
}


def test_no_answer_line_of_a_withheld_lesson_is_in_any_release_file(first_release, later_release):
    found = leaks(first_release) | leaks(later_release)
    assert found - set(KNOWN_LEAKS) == set(), sorted(found - set(KNOWN_LEAKS))
    assert set(KNOWN_LEAKS) - found == set(), f"fixed, remove from KNOWN_LEAKS: {sorted(set(KNOWN_LEAKS) - found)}"


def test_the_leak_scan_finds_a_planted_answer_line(first_release, tmp_path):
    """The scan is not blind: an answer line of lesson 3 planted in a module, re-spaced, is found."""
    planted = tmp_path / "class"
    shutil.copytree(first_release, planted)
    with open(planted / "backprop_tools" / "spiral.py", "a", encoding="utf-8") as f:
        f.write("\n# dweights   =  inputs.T@dvalues\n")
    assert ("backprop_tools/spiral.py", "lesson03") in leaks(planted) - leaks(first_release)
    assert not is_generic("drelu[z <= 0] = 0") and is_generic("return dinputs, dweights, dbiases")


def test_the_leak_scan_finds_an_answer_line_written_with_other_names(first_release, tmp_path):
    """Lesson 3's and lesson 4's answers with the upstream gradient renamed (as a helper that runs a backward
    pass of its own would write them) are found; a hint's partial line with blanks and a plain copy are not."""
    planted = tmp_path / "class"
    shutil.copytree(first_release, planted)
    with open(planted / "backprop_tools" / "spiral.py", "a", encoding="utf-8") as f:
        f.write("\n    drelu[layer_outputs <= 0] = 0\n")
    with open(planted / "backprop_tools" / "plot_style.py", "a", encoding="utf-8") as f:
        f.write("\ndbiases = np.sum(grad_out, axis=0, keepdims=True)\n")
    assert leaks(planted) - leaks(first_release) == {("backprop_tools/spiral.py", "lesson04"),
                                                     ("backprop_tools/plot_style.py", "lesson03")}
    dweights = renamed(_squeeze("dweights = inputs.T @ dvalues"))
    assert dweights.search(_squeeze("dweights = inputs.T @ drelu  # (4, 3)"))
    assert not dweights.search(_squeeze("dweights = inputs.T @ ____")) and not dweights.search("my_dweights=a.T@b")
    assert renamed(_squeeze("drelu = dvalues.copy()")) is None and renamed("returndinputs/samples") is None


def test_every_worked_definition_that_passes_another_lessons_check_is_tagged():
    """Audit of every lesson: a class or function of course-authored code (a cell without an answer) named
    like another lesson's graded exercise either fails that exercise's check or is tagged
    `provides_answers` (which makes the release refuse the combination); a tag passes its check."""
    graded = {e.answer_name: e for e in all_exercises(graded_only=True)}
    seen = []
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        lesson = f"lesson{path.name[:2]}"
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code" or "### BEGIN SOLUTION" in cell.source:
                continue
            tags = set(cell.metadata.get("provides_answers", []))
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in tree.body:
                info = graded.get(getattr(node, "name", None))
                if not isinstance(node, (ast.ClassDef, ast.FunctionDef)) or not info or info.lesson == lesson:
                    continue
                namespace = {"np": np}
                exec(compile(ast.Module([node], []), str(path), "exec"), namespace)
                passed = info.check(namespace[node.name]).passed
                seen.append((path.stem, node.name, passed, info.id in tags))
                assert passed == (info.id in tags), (path.stem, node.name, passed, sorted(tags))
    assert ("07_gradient_checking", "Layer_Dense", True, True) in seen
    assert ("08_train_a_network", "Optimizer_SGD", True, True) in seen
    assert ("04_relu_backward", "Activation_ReLU", False, False) in seen


# ---------------------------------------------------------------- solutions: withheld, then released


def test_check_solution_in_a_release_says_solutions_are_not_released_and_records_nothing(first_release,
                                                                                         release_python, tmp_path):
    code = ("from checks import lesson03 as check\n"
            "import checks.engine.solutions as solutions\n"
            "print(check.solution('dense_backward'), '---')\n"
            "for _ in range(4): last = check.hint('dense_backward')\n"
            "print(last, '---')\n"
            "print(repr(solutions.answer_code('03_batched_dense', 'dense_backward')))\n")
    run = in_release(release_python, first_release, code, tmp_path)
    solution, last_hint, code_shown = (part.strip() for part in run.stdout.split("---"))
    assert "Your instructor has not released the solutions of this lesson yet" in solution
    assert last_hint.startswith("Hint 4 of 4") and "not released the solutions" in last_hint
    assert "shows the answer" not in last_hint
    assert code_shown == "''"
    progress = json.loads((tmp_path / "progress.json").read_text())
    assert not progress["exercises"]["lesson03.dense_backward"].get("solution_viewed")
    for line in answer_lines("03_batched_dense").values():
        assert line not in run.stdout


def test_with_solutions_rerun_on_the_same_folder_releases_them(first_release, tmp_path):
    dest = tmp_path / "class"
    shutil.copytree(first_release, dest)
    (dest / ".git").mkdir()
    (dest / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    run = release(dest, "--lessons", FIRST, "--with-solutions")
    assert "solutions released: 1, 2, 3, 4, 6, 9" in run.stdout
    assert (dest / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n", "the class repository's .git was touched"
    assert sorted(p.name[:2] for p in (dest / "solutions").iterdir()) == ["01", "02", "03", "04", "06", "09"]
    code = ("from checks import lesson03 as check\n"
            "import checks; print(checks.__file__)\n"
            "print(check.solution('dense_backward'))\n")
    shown = in_release(sys.executable, dest, code, tmp_path).stdout
    assert shown.startswith(str(dest / "checks"))
    assert all(line in shown for line in answer_lines("03_batched_dense").values())
    progress = json.loads((tmp_path / "progress.json").read_text())
    assert progress["exercises"]["lesson03.dense_backward"]["solution_viewed"] is True


def test_solutions_of_some_lessons_only(later_release, tmp_path):
    code = ("from checks import lesson03, lesson07\n"
            "print(lesson03.solution('dense_backward'))\n"
            "print('---')\n"
            "print(lesson07.solution('numerical_gradient'))\n")
    released, withheld = in_release(sys.executable, later_release, code, tmp_path).stdout.split("---")
    assert "dinputs" in released and "has not released" not in released
    assert "has not released" in withheld
    assert sorted(p.name[:2] for p in (later_release / "solutions").iterdir()) == ["01", "02", "03", "04", "05", "06"]


# ---------------------------------------------------------------- refusals and usage errors


@pytest.mark.parametrize("lessons, named", [("6,7", ["lesson 7 cannot go out with lesson 6", "`Layer_Dense`"]),
                                            ("5-8", ["lesson 7 cannot go out with lesson 6",
                                                     "lesson 8 cannot go out with lessons 5 and 6",
                                                     "`Optimizer_SGD`", "--solutions 5,6"])])
def test_lessons_that_provide_lesson_6s_classes_do_not_go_out_with_it_while_its_solutions_are_withheld(
        tmp_path, lessons, named):
    run = release(tmp_path / "class", "--lessons", lessons, check=False)
    assert run.returncode == 2
    assert "error:" in run.stderr and all(words in run.stderr for words in named), run.stderr
    assert not (tmp_path / "class").exists()
    allowed = release(tmp_path / "with-6", "--lessons", lessons, "--solutions", "5,6" if "5" in lessons else "6")
    assert (tmp_path / "with-6" / "lessons").is_dir(), allowed.stdout


def test_lesson_5s_worked_backward_pass_does_not_go_out_while_lessons_3_and_4s_solutions_are_withheld(tmp_path):
    """Lesson 5 runs the book's backward pass as worked code: lesson 3's three gradients and lesson 4's mask,
    with the upstream gradient named drelu. It goes out with lessons 3 and 4 only once their solutions do."""
    run = release(tmp_path / "class", "--lessons", "1-5", "--solutions", "1-2", check=False)
    assert run.returncode == 2
    for words in ("lesson 5 cannot go out with lessons 3 and 4", "`dense_backward`", "`relu_backward`",
                  "--solutions 3,4"):
        assert words in run.stderr, run.stderr
    assert not (tmp_path / "class").exists()
    release(tmp_path / "class", "--lessons", "1-5", "--solutions", "1-4")
    assert leaks(tmp_path / "class") == set()


def test_a_rerun_keeps_the_class_repositorys_github_path_unless_given_another(tmp_path):
    """Week 1 names the repository; the weekly re-runs (README: "Every week") need not repeat it."""
    dest = tmp_path / "class"
    release(dest, "--lessons", "1-2", "--github", "my-school/backprop-2027")
    release(dest, "--lessons", "1-3", "--solutions", "1")
    readme = (dest / "README.md").read_text()
    assert "mybinder.org/v2/gh/my-school/backprop-2027/HEAD" in readme
    assert "git clone https://github.com/my-school/backprop-2027.git" in readme
    assert "OWNER/REPO" not in readme
    release(dest, "--lessons", "1-3", "--github", "my-school/backprop-2028")
    readme = (dest / "README.md").read_text()
    assert "my-school/backprop-2028" in readme and "backprop-2027" not in readme
    fresh = tmp_path / "fresh"
    release(fresh, "--lessons", "1")
    assert "mybinder.org/v2/gh/OWNER/REPO/HEAD" in (fresh / "README.md").read_text()


def test_a_solution_that_answers_a_withheld_lesson_is_refused(tmp_path):
    run = release(tmp_path / "class", "--lessons", "3,6", "--solutions", "6", check=False)
    assert run.returncode == 2
    assert "lesson 6's solutions cannot go out while lesson 3's are withheld" in run.stderr, run.stderr


@pytest.mark.parametrize("lessons, says", [("x", "not a list of lessons"), ("", "not a list of lessons"),
                                           ("1,,2", "not a list of lessons"), ("1-", "not a list of lessons"),
                                           ("3-1", "runs backwards"), ("0", "there is no lesson 0"),
                                           ("1-10", "there is no lesson 10")])
def test_bad_lessons_are_a_usage_error(tmp_path, lessons, says):
    run = release(tmp_path / "class", "--lessons", lessons, check=False)
    assert run.returncode == 2
    assert run.stderr.startswith("usage: python -m checks.release") and says in run.stderr, run.stderr
    assert not (tmp_path / "class").exists()


def test_other_usage_errors(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    run = release(tmp_path / "mine", "--lessons", "1", check=False)
    assert run.returncode == 2 and "holds no earlier release" in run.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "mine"
    run = release(tmp_path / "class", "--lessons", "1-3", "--solutions", "4", check=False)
    assert run.returncode == 2 and "not in --lessons" in run.stderr
    run = release(tmp_path / "class", check=False)
    assert run.returncode == 2 and "--lessons" in run.stderr


# ---------------------------------------------------------------- grading a release's submissions


def _filled(nb_path: Path, mistake: bool) -> nbformat.NotebookNode:
    """Lesson 3 with dense_backward written in: right, or with dbiases averaged instead of summed."""
    nb = nbformat.read(nb_path, as_version=4)
    answer = solutions.answer_code("03_batched_dense", "dense_backward")
    if mistake:
        answer = answer.replace("np.sum(", "np.mean(")
    return subs.replace_cell(nb, "def dense_backward", answer + "\n\n\ncheck.dense_backward(dense_backward)")


def test_grading_a_release_submission_gives_the_full_courses_result(first_release, tmp_path):
    """The same answers, written into the release's lesson 3 and into the course's, graded by the instructor's
    full copy (one run per folder): every column but the path (and a student name taken from it) agrees."""
    tables = {}
    for source, folder in ((first_release / "lessons", "release"), (ROOT / "lessons", "course")):
        for mistake in (False, True):
            nb = _filled(source / "03_batched_dense.ipynb", mistake)
            subs.write(tmp_path / folder, f"{'wrong' if mistake else 'right'}/03_batched_dense.ipynb", nb)
        run = subs.grade(tmp_path, folder, out=f"out-{folder}/grades.csv")
        assert run.returncode == 0, run.stderr[-3000:]
        for name in ("grades.csv", "grades_detail.csv"):
            for row in subs.read_csv(tmp_path / f"out-{folder}" / name):
                key = (name, "/".join(Path(row["notebook"]).parts[-2:]))
                kept = {k: v for k, v in row.items() if k not in ("notebook", "student")}
                tables.setdefault(folder, {}).setdefault(key, []).append(kept)
    assert tables["release"] == tables["course"]
    scores = {key[1]: rows[0]["lesson03.dense_backward"] for key, rows in tables["release"].items()
              if key[0] == "grades.csv"}
    assert scores == {"right/03_batched_dense.ipynb": "3", "wrong/03_batched_dense.ipynb": "2"}
