"""The course's own voice: learner-facing text never calls its source material "the seed" or "the
transcripts" (the learner never sees either). "seed" may only mean a random seed.

Scanned: each listed lesson's blank and solution notebooks (markdown, code, outputs), its check module's
strings (hints, titles, messages), its exercises' titles and hints as registered, and the non-lesson
sources below (README, the engine's messages, the widgets' labels).
"""
from __future__ import annotations

import re
import sys

import pytest

from checks.engine.exercise import REGISTRY
from tests.voice_util import ROOT, module_strings, notebook_path, notebook_texts

# Lessons whose text has been brought into the course's voice. Extend with "05".."08" as they are.
LESSONS = ["01", "02", "03", "04", "05", "06", "07", "08", "09"]

# Learner-facing sources that belong to no single lesson (Python files: string constants, docstrings
# excepted; anything else: the whole text): the README, the engine's messages, grading feedback, the widgets.
NOT_YET = []  # widget modules whose labels are not yet in the course's voice (lesson 5's sgd_explorer now is)
NON_LESSON_SOURCES = [
    "README.md",
    "checks/grade/feedback.py",
    # Every module of the checks but the lesson modules (their own tests) and grade/'s (feedback.py above).
    *(p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "checks").rglob("*.py"))
      if p.relative_to(ROOT / "checks").parts[0] not in ("grade", "release") and not re.fullmatch(r"lesson\d+\.py", p.name)),
    *(p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "backprop_tools").glob("*.py"))
      if p.relative_to(ROOT).as_posix() not in NOT_YET),
]


# "seed" as a random seed: np.random.seed(...), default_rng(seed), seed=0, "random seed", seeded data.
RANDOM_SEED = re.compile(
    r"random[ _-]seeds?|\.seed\(|\(\s*seed\b|\bseed\s*[=)]|\bseed\s*:\s*int|\bseeded\b|^seed$", re.IGNORECASE)
SOURCE_WORDS = re.compile(r"\bseed's|\bseeds'|\bseeds?\b|\btranscripts?\b", re.IGNORECASE)


def source_words(text: str) -> list:
    """The words in `text` that speak of source material: "seed" outside a random seed, "transcript"."""
    return SOURCE_WORDS.findall(RANDOM_SEED.sub(" ", text))


def test_the_rule_itself():
    assert source_words("as the seed notebook writes it") == ["seed"]
    assert source_words("the seed's example") == ["seed's"]
    assert source_words("in the transcripts") == ["transcripts"]
    assert source_words("rng = np.random.default_rng(seed)") == []
    assert source_words("np.random.seed(0); spiral_data(seed=0); a random seed; seeded data") == []


def _offences(texts) -> list:
    return [f"{where}: {words} in {text[:120]!r}" for where, text in texts if (words := source_words(text))]


def _not_progress_table(where_text) -> bool:
    """The progress table lists every lesson's titles; those are scanned with their own lesson's checks."""
    return "Your progress" not in where_text[1][:200]


@pytest.mark.parametrize("number", LESSONS)
def test_lesson_notebooks_speak_in_the_course_voice(number):
    texts = [t for folder in ("lessons", "solutions") for t in notebook_texts(notebook_path(folder, number))
             if _not_progress_table(t)]
    assert not _offences(texts), "\n".join(_offences(texts))


@pytest.mark.parametrize("number", LESSONS)
def test_lesson_checks_speak_in_the_course_voice(number):
    module = f"checks/lesson{number}.py"
    texts = list(module_strings(ROOT / module))
    __import__(f"checks.lesson{number}")
    for info in REGISTRY.values():
        if info.lesson == f"lesson{number}":
            texts += [(f"{info.id} title", info.title)] + [(f"{info.id} hint", h) for h in info.hints]
            texts.append((f"{info.id} solution", str(sys.modules[f"checks.lesson{number}"].solution(info.name))))
    assert not _offences(texts), "\n".join(_offences(texts))


@pytest.mark.parametrize("source", NON_LESSON_SOURCES)
def test_shared_sources_speak_in_the_course_voice(source):
    path = ROOT / source
    texts = list(module_strings(path)) if path.suffix == ".py" else [(source, path.read_text(encoding="utf-8"))]
    assert not _offences(texts), "\n".join(_offences(texts))


@pytest.mark.parametrize("number", LESSONS)
def test_each_lesson_names_the_book_once(number):
    """The book, with its authors, year and chapter, once in the blank lesson's markdown; "the book" after that."""
    cells = [re.sub(r"\s+", " ", t) for where, t in notebook_texts(notebook_path("lessons", number))
             if "(markdown)" in where]
    naming = [cell for cell in cells if "Neural Networks from Scratch in Python" in cell]
    assert sum(cell.count("Neural Networks from Scratch in Python") for cell in cells) == 1, "name the book once"
    assert all(word in naming[0] for word in ("Kinsley", "Kukieła", "2020", "chapter 9")), \
        "name it with its authors, year and chapter"
    assert any("the book" in cell for cell in cells)
