"""Query syntax errors in words, at their line and column.

Oxigraph's parser reports what its grammar expected at the furthest point it
reached, character classes and all: an undeclared ``wd:`` comes back as
``error at 1:29: expected one of Prefix not found, ['%'], ['-' | '0' ..= '9'
| '\\u{00B7}' ...]``. :func:`oxigraph_message` turns such a message into
``unknown prefix wd: at line 1, column 24`` (the prefixed name's own
position, not the point past it where the parser gave up) or ``query syntax
error at line 1, column 28: expected '.', ';' or '}'``, each followed by the
line and a caret, the same shape as the messages of rdflib's parser.
:func:`error_position` reads the position back out of any of them, for the
editor that marks the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .params import code_only

_OXIGRAPH = re.compile(r"error at (\d+):(\d+): expected (?:one of )?(.*)\Z", re.S)
_ITEM = re.compile(r"\"(?:[^\"\\]|\\.)*\"|\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]|[^,\[\"]+")
_POSITION = re.compile(r"\bline (\d+), column (\d+)\b")
# A prefixed name: not part of a variable, a longer name or an IRI (IRIs and strings are blanked first).
_PNAME = re.compile(r"(?<![\w$?.:-])([A-Za-z][\w.-]*)?:(?=[\w%\\]|[\s,;.)}\]]|\Z)")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.I)
#: Oxigraph's own words for some failures, said the way a reader would.
_SENTENCES = {
    "IRI parsing failed": "an IRI that is not valid here (a relative IRI needs a BASE)",
}
_MAX_EXPECTED = 10


def error_position(message: str) -> tuple[int, int] | None:
    """``(line, column)`` named by an error message of this module or of rdflib's parser, or None."""
    m = _POSITION.search(message)
    return (int(m.group(1)), int(m.group(2))) if m else None


def excerpt(text: str, line: int, column: int) -> str:
    """The source line and a caret under ``column`` (both 1-based), indented, for the end of a message."""
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"\n  {source}\n  {' ' * max(0, column - 1)}^"


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl < 0:
            return len(text)
        start = nl + 1
    return min(len(text), start + max(0, column - 1))


def undeclared_prefixes(text: str, predeclared: Iterable[str] = ()) -> list[tuple[str, int]]:
    """``(prefix, offset)`` of every prefixed name whose prefix neither the text nor ``predeclared`` declares."""
    code = code_only(text)
    declared = set(_DECLARED.findall(code)) | set(predeclared)
    found = []
    for m in _PNAME.finditer(code):
        prefix = m.group(1) or ""
        if prefix not in declared and not code.startswith("/", m.end()):
            found.append((prefix, m.start()))
    return found


def unknown_prefix_message(text: str, prefix: str, offset: int, skip: int = 0) -> str:
    """``unknown prefix wd: at line 1, column 24`` and the line with a caret; lines counted after ``skip``."""
    line, column = _line_column(text, offset)
    shown = "\n".join(text.split("\n")[skip:])
    return (f"unknown prefix {prefix}: at line {line - skip}, column {column} "
            f"(declare it with PREFIX {prefix}: <...>)" + excerpt(shown, line - skip, column))


def _expected(items: list[str]) -> tuple[list[str], list[str]]:
    """What the parser expected, as tokens a reader knows, and any sentences of its own."""
    tokens, sentences = [], []
    for raw in items:
        item = raw.strip()
        if not item:
            continue
        if item.startswith('"'):
            tokens.append("'" + re.sub(r"\\(.)", r"\1", item[1:-1]) + "'")
        elif item.startswith("["):
            if "'A'" in item or "'a'" in item:
                tokens.append("a name")
            elif "'0'" in item:
                tokens.append("a number")
        elif " " in item:
            sentences.append(_SENTENCES.get(item, item[0].lower() + item[1:]))
        elif item in _SENTENCES:
            sentences.append(_SENTENCES[item])
        else:
            tokens.append(item)
    return list(dict.fromkeys(tokens)), list(dict.fromkeys(sentences))


def _join(words: list[str]) -> str:
    if len(words) > _MAX_EXPECTED:
        return ", ".join(words[:_MAX_EXPECTED]) + " or others"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def oxigraph_message(message: str, text: str, *, skip: int = 0, predeclared: Iterable[str] = ()) -> str:
    """Oxigraph's syntax error ``message`` about ``text`` in words, at its line and column.

    ``skip`` is the number of preamble lines at the head of ``text`` (PREFIX
    lines the user did not write): positions count from the line after them.
    ``predeclared`` names the prefixes given to the engine besides the text.
    A message of another shape is returned as ``query syntax error: ...``.
    """
    m = _OXIGRAPH.match(message.strip())
    if not m:
        return f"query syntax error: {message}"
    line, column, rest = int(m.group(1)), int(m.group(2)), m.group(3)
    items = _ITEM.findall(rest)
    if any(i.strip() == "Prefix not found" for i in items):
        at = _offset(text, line, column)
        unknown = undeclared_prefixes(text, predeclared)
        if unknown:
            # The parser stops past the name; the name is the last undeclared one that starts before that.
            before = [u for u in unknown if u[1] < at]
            prefix, offset = before[-1] if before else unknown[0]
            return unknown_prefix_message(text, prefix, offset, skip)
    tokens, sentences = _expected([i for i in items if i.strip() != "Prefix not found"])
    line -= skip
    shown = "\n".join(text.split("\n")[skip:])
    where = f"at line {line}, column {column}"
    if sentences:
        what = f"query syntax error {where}: {'; '.join(sentences)}"
    elif not shown[_offset(shown, line, column):].strip():
        what = f"query syntax error {where}: the query ends too early" + (
            f"; expected {_join(tokens)}" if tokens else "")
    elif tokens:
        what = f"query syntax error {where}: expected {_join(tokens)}"
    else:
        what = f"query syntax error {where}"
    return what + excerpt(shown, line, column)


_RDFLIB_FORM = re.compile(r"Expected \{?(SelectQuery|ConstructQuery|DescribeQuery|AskQuery)\b(.*)")


def rdflib_words(msg: str) -> str:
    """rdflib's grammar message (``Expected SelectQuery``) said as what to look for.

    rdflib's parser reports the start of the part it could not parse (the
    group, or the query), not the point inside it where it failed, and names
    grammar rules; the position is kept, the words changed.
    """
    msg = str(msg)
    if msg == "Expected end of text":
        return "unexpected text here: the query is complete before it (a misspelt keyword, or a bracket too many?)"
    m = _RDFLIB_FORM.match(msg)
    if m and m.group(2).strip():
        return "expected SELECT, CONSTRUCT, DESCRIBE or ASK (after any PREFIX and BASE lines)"
    if m:
        return ("the query does not parse from here on: look for a misspelt keyword, a missing term, "
                "or a bracket or string left open")
    return msg
