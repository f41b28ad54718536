"""What of an exercise's answer a text must not show: for the nothing-to-copy tests of hints and messages.

An answer is what the solution notebook has between `### BEGIN SOLUTION` and `### END SOLUTION`.
Three ways a text can hand it over:
- a whole answer line, or an assignment's right-hand side (`fragments`), compared without whitespace;
- a piece of an answer line, written with other names: `[np.arange(N), y_true]` for
  `dinputs[np.arange(samples), y_true] -= 1` (`renamed_pieces`): code in the text whose shape (the
  syntax tree with every plain name made the same) is a sub-expression of an answer line, big enough
  to mean something (SMALLEST_PIECE nodes);
- a line with blanks that leaves little to do (`nearly_answers`): `return dvalues @ ____` for
  `return dvalues @ weights.T`. A template with blanks `____` that lines up with an answer line must
  hide more than half of that line's operands (names, attributes, numbers; a called function's name is
  the operation, not an operand).
"""
from __future__ import annotations

import ast
import functools
import re

from tests.voice_util import squeeze

TRIVIAL = re.compile(r"^(#.*|return(\s+[\w.]+(\s*,\s*[\w.]+)*)?|pass|else:|try:|\w+|\w+\s*=\s*[\w.]+)?$")
# One method of one array, without arguments (`dvalues.copy()`): an idiom the lessons teach by name,
# not an answer. The whole line that uses it (`drelu = dvalues.copy()`) is still checked.
IDIOM = re.compile(r"^\w+\.\w+\(\)$")
SHORTEST = 8  # characters without whitespace: shorter fragments (`dx = w`) are too common to mean anything
SMALLEST_PIECE = 6  # syntax-tree nodes: `np.arange(N), y_true` has 6; `x @ w.T` 5
BLANK = "_BLANK_"


@functools.lru_cache(maxsize=None)
def _fragments(line: str) -> tuple:
    return tuple(fragments(line))


def fragments(line: str) -> list:
    """What of one answer line must not be shown: the line, and an assignment's right-hand side."""
    code = line.split("  #")[0].strip()
    if TRIVIAL.match(code):
        return []
    found = [code]
    try:
        node = ast.parse(code).body[0]
    except (SyntaxError, IndexError):
        return found
    if isinstance(node, (ast.Assign, ast.AugAssign)) and not isinstance(node.value, (ast.Name, ast.Constant)):
        value = ast.get_source_segment(code, node.value)
        if not IDIOM.match(value):
            found.append(value)
    return [f for f in found if len(squeeze(f)) >= SHORTEST]


@functools.lru_cache(maxsize=None)
def parse_line(line: str):
    """An answer line as a statement (a `for`/`if`/`def` header gets a body), or None."""
    code = line.split("  #")[0].strip()
    for text in (code, code + "\n    pass"):
        try:
            body = ast.parse(text).body
        except SyntaxError:
            continue
        if len(body) == 1:
            return body[0]
    return None


def _fields(node):
    return [(name, value) for name, value in ast.iter_fields(node) if name not in {"ctx", "type_comment", "kind"}]


def shape(node) -> str:
    """The syntax tree with every plain name made the same, and a list read as a tuple."""
    if isinstance(node, ast.Name):
        return "NAME"
    if isinstance(node, ast.List):
        node = ast.Tuple(elts=node.elts)
    if not isinstance(node, ast.AST):
        return repr(node)
    parts = []
    for name, value in _fields(node):
        if isinstance(value, list):
            parts.append(f"{name}=[{','.join(shape(v) for v in value)}]")
        else:
            parts.append(f"{name}={shape(value)}")
    return f"{type(node).__name__}({','.join(parts)})"


def size(node) -> int:
    return sum(1 for n in ast.walk(node) if not isinstance(n, (ast.expr_context,)))


KEYWORDS = {"in", "for", "not", "and", "or", "if", "else", "is", "lambda"}


def _prose(chunk: str) -> bool:
    """Two words side by side with only a space between, neither a keyword: English, not code."""
    return any(not {a, b} & (KEYWORDS | {BLANK}) for a, b in re.findall(r"([A-Za-z_]\w*)\s+(?=([A-Za-z_]\w*))", chunk))


@functools.lru_cache(maxsize=None)
def code_in(text: str) -> tuple:
    """Every piece of `text` that parses as Python: backtick spans, and stretches between word boundaries."""
    text = text.replace("____", BLANK)
    pieces = re.findall(r"`([^`]+)`", text)
    cuts = [0] + [m.end() for m in re.finditer(r"[\s;:`(]+", text)]
    ends = [m.start() for m in re.finditer(r"[\s;`,.:]|$", text)]
    for start in cuts:
        for end in ends:
            chunk = text[start:end].strip()
            if start < end <= start + 120 and len(chunk) >= 5 and re.search(r"[=@\[*+/-]|\w\(", chunk) \
                    and not _prose(chunk):
                pieces.append(chunk)
    trees = []
    for piece in dict.fromkeys(pieces):
        for variant in _operator_filled(piece):
            tree = parse_line(variant)
            if tree is not None:
                trees.append((piece, tree))
    return tuple(trees)


OPERATORS = ("-=", "+=", "=", "+", "-", "*", "/", "@", ">", ">=", "<", "<=", "==", "!=", "**")
# A blank between two operands stands for an operator: `(z ____ 0)`, `weights ____ rate * ____`.
_OPERATOR_BLANK = re.compile(r"(?<=[\w)\]])\s+" + BLANK + r"\s+(?=[\w(\[-])")


def _operator_filled(piece: str) -> list:
    """The piece itself, or, where a blank stands for an operator, the piece with each operator there."""
    match = _OPERATOR_BLANK.search(piece)
    if not match:
        return [piece]
    return [filled for op in OPERATORS
            for filled in _operator_filled(piece[:match.start()] + f" {op} " + piece[match.end():])]


@functools.lru_cache(maxsize=None)
def _pieces_of(answer_lines: tuple) -> dict:
    """{shape: answer line} for every sub-expression of the answer lines with SMALLEST_PIECE nodes or more."""
    wanted = {}
    for line in answer_lines:
        tree = parse_line(line)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.expr) and size(node) >= SMALLEST_PIECE:
                wanted.setdefault(shape(node), line)
    return wanted


def renamed_pieces(text: str, answer_lines) -> list:
    """Code in `text` shaped like a sub-expression of an answer line (SMALLEST_PIECE nodes or more)."""
    wanted = _pieces_of(tuple(answer_lines))
    found = []
    for piece, tree in code_in(text):
        if BLANK in piece:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.expr) and shape(node) in wanted:
                found.append(f"{piece!r} is shaped like part of {wanted[shape(node)]!r}")
                break
    return found


def _operands(node) -> list:
    """A statement's operands: plain names, attribute chains and numbers; neither a called function (the
    operation) nor the name an assignment stores into (the exercise gives it) is one."""
    found = []
    if isinstance(node, ast.For):  # the loop's own name is given too; what it walks is the question
        return _operands(node.iter)
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        stored = [t.slice for t in targets if isinstance(t, ast.Subscript)]
        return [o for part in (*stored, node.value) for o in _operands(part)]

    def walk(n, is_callee=False):
        if isinstance(n, (ast.Name, ast.Constant)) or (isinstance(n, ast.Attribute) and _chain(n)):
            if not is_callee:
                found.append(n)
            return
        if isinstance(n, ast.Call):
            walk(n.func, True)
            for arg in [*n.args, *(k.value for k in n.keywords)]:
                walk(arg)
            return
        for child in ast.iter_child_nodes(n):
            walk(child)

    walk(node)
    return found


def _chain(node) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _align(template, answer, hidden: list) -> bool:
    """template (with BLANK names) lines up with answer; the answer's subtrees under blanks go to `hidden`."""
    if isinstance(template, ast.Name) and template.id == BLANK:
        hidden.append(answer)
        return True
    if isinstance(template, ast.AST) != isinstance(answer, ast.AST):
        return False
    if not isinstance(template, ast.AST):
        return template == answer
    if type(template) is not type(answer):
        return False
    for (name, mine), (_, theirs) in zip(_fields(template), _fields(answer)):
        if isinstance(mine, list):
            if not isinstance(theirs, list) or len(mine) != len(theirs):
                return False
            if not all(_align(m, t, hidden) for m, t in zip(mine, theirs)):
                return False
        elif not _align(mine, theirs, hidden):
            return False
    return True


def nearly_answers(text: str, answer_lines: list) -> list:
    """Templates in `text` that line up with an answer line but hide no more than half of its operands."""
    found = []
    for piece, tree in code_in(text):
        if BLANK not in piece:
            continue
        for line in answer_lines:
            answer = parse_line(line)
            if answer is None:
                continue
            candidates = [answer] + ([answer.value] if isinstance(answer, (ast.Assign, ast.AugAssign, ast.Return,
                                                                           ast.Expr)) and answer.value else [])
            for whole in candidates:
                hidden: list = []
                mine = tree.value if isinstance(tree, ast.Expr) and whole is not answer else tree
                if _align(mine, whole, hidden):
                    total = len(_operands(whole))
                    covered = sum(len(_operands(h)) or 1 for h in hidden)
                    if total and covered * 2 <= total:
                        found.append(f"{piece.replace(BLANK, '____')!r} leaves {total - covered} of the {total} "
                                     f"operands of {line!r}")
                    break
    return found


def shown(text: str, answer_lines: list) -> list:
    """Everything of the answer that `text` gives away (empty when it gives nothing)."""
    squeezed = squeeze(text)
    found = [f"the line {f!r}" for line in answer_lines for f in _fragments(line) if squeeze(f) in squeezed]
    return found + renamed_pieces(text, answer_lines) + nearly_answers(text, answer_lines)
