"""Our own French strings follow French typography: a no-break space before « : ; ? ! » and inside « ».

The scan reads every string literal of ``app/``, ``ui/``, ``sync/``, ``localdb/``, ``server/`` (its answers,
pages and command-line messages) and ``packaging/`` (f-strings included; docstrings and comments not: they
are for developers, in English; nor ``bench/``, whose console columns are aligned with spaces). A plain
space there would let a line break leave a lone « : » or « ? » at the start of a line, in the window and
in the printed dossier.
User text and the questionnaire's transcribed text are data (JSON files, the store), never scanned.

``python tests/test_typography.py --fix FILE…`` puts the no-break spaces in (string tokens only,
outside the ``{…}`` of f-strings, docstrings left alone), for a branch that adds strings.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

# A colon followed by a name is an SQL bind parameter (« = :id »), not French punctuation.
PLAIN_SPACE_BEFORE = re.compile(r" (?=[;?!»]|:(?![A-Za-z_]))|(?<=«) ")
NBSP = "\u00a0"


def docstring_nodes(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def string_literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = docstring_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def test_no_plain_space_before_french_double_signs() -> None:
    faults = []
    for folder in ("app", "ui", "sync", "localdb", "server", "packaging"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, text in string_literals(path):
                for m in PLAIN_SPACE_BEFORE.finditer(text):
                    around = text[max(0, m.start() - 25) : m.end() + 15]
                    faults.append(f"{path.relative_to(ROOT)}:{line}: {around!r}")
    assert not faults, f"{len(faults)} plain spaces where French wants a no-break one:\n" + "\n".join(faults)


def test_the_scan_sees_f_strings_and_skips_docstrings(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text(
        '"""Doc : here."""\nx = 1\nA = f"Nom : {x}"\nB = "ok\u00a0: «\u00a0oui\u00a0»"\nC = "WHERE id = :id"\n', "utf-8"
    )
    hits = [t for _l, t in string_literals(sample) if PLAIN_SPACE_BEFORE.search(t)]
    assert hits == ["Nom : "]


def test_the_fixer_leaves_docstrings_expressions_and_regexes_alone() -> None:
    source = 'def f(x):\n    """Doc : here."""\n    return f"Nom : {x or {1 : 2}} « {x} » ?", r" ?"\n'
    fixed = fix_source(source)
    assert '"""Doc : here."""' in fixed
    assert 'f"Nom\u00a0: {x or {1 : 2}} «\u00a0{x}\u00a0»\u00a0?", r" ?"' in fixed
    assert fix_source(fixed) == fixed


def _fix_literal(token: str) -> str:
    """The same string token with no-break spaces, the ``{…}`` of an f-string left as they are."""
    prefix = token[: len(token) - len(token.lstrip("rRbBfFuU"))].lower()
    if "b" in prefix or "r" in prefix:
        return token  # bytes and raw strings (regular expressions) are not French text
    if "f" not in prefix:
        return PLAIN_SPACE_BEFORE.sub(NBSP, token)
    out, text, i, depth, start = [], token, 0, 0, 0
    while i < len(text):
        ch = text[i]
        if depth == 0 and text.startswith(("{{", "}}"), i):
            i += 2
            continue
        if ch == "{":
            if depth == 0:
                out.append(PLAIN_SPACE_BEFORE.sub(NBSP, text[start:i]))
                start = i
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                out.append(text[start : i + 1])
                start = i + 1
        i += 1
    out.append(PLAIN_SPACE_BEFORE.sub(NBSP, text[start:]))
    return "".join(out)


def fix_source(source: str) -> str:
    """Every string token of ``source`` except docstrings, with the no-break spaces French wants."""
    tree = ast.parse(source)
    docstrings = {
        (node.lineno, node.col_offset)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and id(node) in docstring_nodes(tree)
    }
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING and (tok.start[0], tok.start[1]) not in docstrings:
            fixed = _fix_literal(tok.string)
            if fixed != tok.string:
                begin = offsets[tok.start[0] - 1] + tok.start[1]
                edits.append((begin, begin + len(tok.string), fixed))
    for begin, end, fixed in reversed(edits):
        source = source[:begin] + fixed + source[end:]
    return source


if __name__ == "__main__" and sys.argv[1:2] == ["--fix"]:
    for name in sys.argv[2:]:
        file = Path(name)
        text = file.read_text(encoding="utf-8")
        fixed_text = fix_source(text)
        if fixed_text != text:
            file.write_text(fixed_text, encoding="utf-8")
            print(f"corrigé\u00a0: {file}")


def test_the_printed_dossier_never_breaks_a_line_at_a_no_break_space() -> None:
    from app.pdf.lines import Measure

    measure = Measure()
    text = "Problèmes\u00a0: aucun « point\u00a0» à régler\u00a0?"
    width = measure.width("Problèmes\u00a0:", "Helvetica", 10) + 1
    lines = measure.wrap(text, "Helvetica", 10, width)
    assert lines[0] == "Problèmes\u00a0:"
    assert not any(line.startswith((":", "?", "»")) for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost


PLURAL_HACK = re.compile(r"\w\(s\)")


def test_no_plural_in_parentheses() -> None:
    """ "3 action(s)" is not French: app.formats.plural writes "3 actions", "1 action", "0 action"."""
    faults = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for folder in ("app", "ui", "sync", "localdb")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, text in string_literals(path)
        if PLURAL_HACK.search(text)
    ]
    assert not faults, "\n".join(faults)
