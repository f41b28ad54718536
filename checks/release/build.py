"""Writing a class release into DEST (see plan.py for what goes in).

DEST is a new or empty folder, or an earlier release (it has checks/edition.json), whose files this
replaces while keeping anything else in it (.git, a CI workflow the teacher added).
"""
from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

from .learner_readme import learner_readme
from .plan import ROOT, Plan, PlanError

# Instructor-only parts of the packages, never in a release.
INSTRUCTOR_ONLY = ("checks/grade", "checks/release")
PACKAGES = ("checks", "backprop_tools")
# What a release writes: everything else already in DEST is left alone.
MANAGED = ("README.md", "pyproject.toml", "requirements.txt", ".gitignore", "binder", "lessons", "solutions",
           *PACKAGES)
GITIGNORE = ".ipynb_checkpoints/\n__pycache__/\n*.egg-info/\n.venv/\n"


def check_destination(dest: Path) -> None:
    """PlanError unless DEST may be written: new, empty, or an earlier release."""
    if dest.exists() and not dest.is_dir():
        raise PlanError(f"{dest} is a file: name a folder for the release")
    if dest.is_dir() and any(dest.iterdir()) and not (dest / "checks" / "edition.json").is_file():
        raise PlanError(f"{dest} is not empty and holds no earlier release (no checks/edition.json): "
                        "name a new or empty folder, so that nothing of yours is overwritten")
    if dest.resolve() == ROOT or ROOT in dest.resolve().parents:
        raise PlanError(f"{dest} is inside the course itself: name a folder outside it")


def write_release(plan: Plan, dest: Path, github: str | None = None) -> list:
    """Write the release; returns the paths written, relative to DEST. Without `github`, a re-run keeps the
    earlier release's (the weekly re-runs need not repeat it), else the README says OWNER/REPO."""
    check_destination(dest)
    github = github or earlier_github(dest) or "OWNER/REPO"
    dest.mkdir(parents=True, exist_ok=True)
    for name in MANAGED:
        target = dest / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
    modules = check_modules(plan)
    unreleased = {f"checks/{name}.py" for name in all_lesson_modules() if name not in modules}
    unreleased |= unused_helpers(modules)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, dest / package, ignore=_ignore(unreleased))
    shutil.copytree(ROOT / "binder", dest / "binder")
    shutil.copy2(ROOT / "requirements.txt", dest / "requirements.txt")
    (dest / "pyproject.toml").write_text(learner_pyproject((ROOT / "pyproject.toml").read_text(encoding="utf-8")),
                                         encoding="utf-8")
    (dest / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    (dest / "lessons").mkdir()
    for number, notebook in plan.notebooks.items():
        shutil.copyfile(ROOT / "lessons" / f"{notebook}.ipynb", dest / "lessons" / f"{notebook}.ipynb")
    if plan.solutions:
        (dest / "solutions").mkdir()
        for number in plan.solutions:
            notebook = plan.notebooks[number]
            shutil.copyfile(ROOT / "solutions" / f"{notebook}.ipynb", dest / "solutions" / f"{notebook}.ipynb")
    edition = {"edition": "class release", "lessons": plan.lesson_ids(plan.lessons),
               "solutions": plan.lesson_ids(plan.solutions), "github": github}
    (dest / "checks" / "edition.json").write_text(json.dumps(edition, indent=1) + "\n", encoding="utf-8")
    (dest / "README.md").write_text(learner_readme(plan, _titles(plan), github), encoding="utf-8")
    return sorted(str(p.relative_to(dest)) for p in dest.rglob("*")
                  if p.is_file() and ".git" not in p.relative_to(dest).parts[:1])


def earlier_github(dest: Path) -> str | None:
    """The GitHub path an earlier release in DEST was made with (its checks/edition.json), if any."""
    try:
        github = json.loads((dest / "checks" / "edition.json").read_text(encoding="utf-8")).get("github")
    except (OSError, ValueError, AttributeError):
        return None
    return github if isinstance(github, str) and github != "OWNER/REPO" else None


def _ignore(unreleased=()):
    """copytree's ignore: instructor-only folders, caches, and the `unreleased` paths (relative to the course)."""

    def ignore(folder, names) -> set:
        here = Path(folder).resolve().relative_to(ROOT).as_posix()
        return {name for name in names
                if f"{here}/{name}" in INSTRUCTOR_ONLY or f"{here}/{name}" in unreleased
                or name in ("__pycache__", "edition.json") or name.endswith(".egg-info")}

    return ignore


_LESSON_MODULE = re.compile(r"\blesson(\d\d)\b")


def all_lesson_modules() -> list:
    return sorted(p.stem for p in (ROOT / "checks").glob("lesson[0-9][0-9].py"))


def check_modules(plan: Plan) -> set:
    """The lesson modules of checks/ a release needs: its lessons' own, those their notebooks import, and
    those these import in turn (lesson 6's checks use lesson 4's). The checks of other lessons stay out:
    their hints and messages are about lessons the class has not received."""
    needed = {f"lesson{n:02d}" for n in plan.lessons}
    for notebook in plan.notebooks.values():
        cells = json.loads((ROOT / "lessons" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
        needed |= {f"lesson{m}" for cell in cells if cell["cell_type"] == "code"
                   for line in "".join(cell["source"]).splitlines() if "import" in line
                   for m in _LESSON_MODULE.findall(line)}
    todo = list(needed)
    while todo:
        tree = ast.parse((ROOT / "checks" / f"{todo.pop()}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
                for name in names:
                    for number in _LESSON_MODULE.findall(name):
                        if f"lesson{number}" not in needed:
                            needed.add(f"lesson{number}")
                            todo.append(f"lesson{number}")
    return needed


HELPERS = "checks/lesson_helpers"


def unused_helpers(lesson_modules: set) -> set:
    """The files and folders of checks/lesson_helpers/ (paths relative to the course) that none of the release's
    lesson modules imports, directly or through another helper: the helpers of lessons the class has not
    received, with their messages and hints, stay out like those lessons' check modules."""
    used, todo = set(), [ROOT / "checks" / f"{name}.py" for name in lesson_modules]
    while todo:
        path = todo.pop()
        for imported in _imported_files(path):
            relative = imported.relative_to(ROOT).as_posix()
            if relative.startswith(HELPERS + "/") and relative not in used:
                used.add(relative)
                todo.append(imported)
    for relative in list(used):  # a package's __init__ comes with any of its modules
        parent = Path(relative).parent
        while parent.as_posix().startswith(HELPERS):
            used.add(f"{parent.as_posix()}/__init__.py")
            parent = parent.parent
    files = {p.relative_to(ROOT).as_posix() for p in (ROOT / HELPERS).rglob("*.py") if "__pycache__" not in p.parts}
    folders = {p.relative_to(ROOT).as_posix() for p in (ROOT / HELPERS).rglob("*")
               if p.is_dir() and p.name != "__pycache__"}
    return (files - used) | {folder for folder in folders if not any(u.startswith(folder + "/") for u in used)}


def _imported_files(path: Path) -> set:
    """The course's .py files that `path` imports relatively (`from .x import y`, `from . import y`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = path.parent
        for _ in range(node.level - 1):
            base = base.parent
        target = base.joinpath(*(node.module or "").split(".")) if node.module else base
        candidates = [target.with_suffix(".py"), target / "__init__.py"]
        candidates += [target / f"{alias.name}.py" for alias in node.names]
        candidates += [target / alias.name / "__init__.py" for alias in node.names]
        found |= {c for c in candidates if c.is_file()}
    return found


def learner_pyproject(text: str) -> str:
    """The course's pyproject.toml without its maintainers' test settings ([tool.pytest...] sections)."""
    kept, keep = [], True
    for line in text.splitlines():
        if line.startswith("["):
            keep = not line.strip("[] ").startswith("tool.pytest")
        if keep:
            kept.append(line)
    return "\n".join(kept).rstrip() + "\n"


def _titles(plan: Plan) -> dict:
    """{number: the lesson's title, from its first heading ("# Lesson 4 — ReLU's backward pass" -> "ReLU's ...")}"""
    titles = {}
    for number, notebook in plan.notebooks.items():
        cells = json.loads((ROOT / "lessons" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
        heading = next((line for cell in cells if cell["cell_type"] == "markdown"
                        for line in "".join(cell["source"]).splitlines() if line.startswith("# ")), "")
        title = re.sub(r"^Lesson\s+\d+\s*[:—–-]\s*", "", heading[2:].strip()) or notebook
        titles[number] = title[:1].upper() + title[1:]
    return titles
