"""Migration files read as text: the fast header scan and files Python cannot parse.

- ``scan_migration(...)``: like ``parse_migration``, but reads only ``dependencies``/``replaces``/
  ``run_before``/``initial``/``atomic`` when they are plain literals (``operations == ()``,
  ``tree is None``); it falls back to ``parse_migration`` whenever the file is not in the usual
  generated shape.
- ``broken_migration(path, text)``: a file Python cannot parse still counts as a node of the
  graph; its edges are read as text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from django_migration_hooks.djangoread.migrations import (
    Dependency,
    MigrationFile,
    literal_entries,
    migration_file,
    parse_migration,
    source_text,
)

# after the class header: the fields read by scan_migration (groups 1-3), or something unusual
# that makes it fall back to the full parse: a nested definition, a statement back at the top
# level, a docstring (the pattern starts with a literal newline: the regex engine skips ahead)
BODY_RE = re.compile(
    r"\n(?:([ \t]+)(dependencies|replaces|run_before|initial|atomic)\b[ \t]*(=?)"
    r"|[ \t]+(?:def|class|async)\b|[^\s#])|\'\'\'|\"\"\""
)
BOOL_RE = re.compile(r"[ \t]*(True|False)[ \t]*(?:#.*)?$", re.MULTILINE)


_STR = r"""(?:"([^"\\\n]*)"|'([^'\\\n]*)')"""
PAIR_RE = re.compile(rf"\(\s*{_STR}\s*,\s*{_STR}\s*,?\s*\)")
_ANY_STR = r"""(?:"[^"\\\n]*"|'[^'\\\n]*')"""
_ANY_PAIR = rf"\(\s*{_ANY_STR}\s*,\s*{_ANY_STR}\s*,?\s*\)"
# a list or tuple of ("app", "name") pairs and nothing else (no comments, no calls)
PAIRS_RE = re.compile(
    rf"\[\s*(?:{_ANY_PAIR}\s*,\s*)*(?:{_ANY_PAIR}\s*,?\s*)?\]"
    rf"|\(\s*(?:{_ANY_PAIR}\s*,\s*)*(?:{_ANY_PAIR}\s*,?\s*)?\)"
)


LINE_END_RE = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\n|$)")


def _pair(text: str, match: re.Match[str], line0: int, start: int) -> Dependency:
    """A ("app", "name") pair found by PAIR_RE, with its 1-based position in text."""
    line = text.count("\n", start, match.start())
    col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    app = match.group(1) if match.group(1) is not None else match.group(2)
    name = match.group(3) if match.group(3) is not None else match.group(4)
    return Dependency(app, name, line0 + line + 1, col)


def _bracketed(text: str, start: int) -> int:
    """End index (exclusive) of the bracketed expression at text[start], or -1 if unsure."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        elif ch == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        elif ch in "'\"":
            if text.startswith(ch * 3, i):
                return -1
            i += 1
            while i < n and text[i] != ch:
                if text[i] == "\\" or text[i] == "\n":
                    return -1
                i += 1
        i += 1
    return -1


def scan_migration(
    path: str,
    source: str | bytes,
    *,
    app_label: str | None = None,
    swappable: Mapping[str, str] | None = None,
) -> MigrationFile | None:
    """Like parse_migration but reads only the graph fields when they are plain literals.

    Generated migrations have one top-level class and literal `dependencies`/`replaces`/
    `run_before` lists; for them the full parse is skipped (operations are not read). Anything
    else falls back to parse_migration, so the result is the same apart from `operations`/`tree`
    and syntax errors elsewhere in the file, which the scan does not see (the migration still
    counts as a node of the graph, which is what Django would fail on, not a missing one).
    """
    text = source_text(source) if isinstance(source, bytes) else source
    header = _class_header(text) if text is not None else None
    scanned = _scan_fields(text, header[1], swappable or {}) if text and header else None
    if text is None or header is None or scanned is None:
        return parse_migration(path, source, app_label=app_label, swappable=swappable)
    found, flags = scanned
    return migration_file(
        path,
        app_label,
        found,
        initial=flags.get("initial"),
        atomic=flags.get("atomic"),
        line=text.count("\n", 0, header[0]) + 1,
        col=1,
    )


def _class_header(text: str) -> tuple[int, int] | None:
    """(start of `class Migration` at the top level, end of its line), or None when unusual."""
    header = 0 if text.startswith("class Migration") else text.find("\nclass Migration") + 1
    after = header + len("class Migration")
    if header == 0 and not text.startswith("class Migration"):
        return None
    if text[after : after + 1] not in ("(", ":"):
        return None
    body = text.find("\n", after)
    if body < 0:
        return None
    return header, body


def _scan_fields(
    text: str, body: int, settings: Mapping[str, str]
) -> tuple[dict[str, list[Dependency]], dict[str, bool | None]] | None:
    """The graph fields of the class body at `body`, or None when the full parse is needed."""
    found: dict[str, list[Dependency]] = {}
    flags: dict[str, bool | None] = {}
    indent = ""
    for match in BODY_RE.finditer(text, body):
        name = match.group(2)
        if name is None or not match.group(3) or name in found or name in flags:
            return None  # unusual, `+=`, an annotation, or assigned twice
        if indent and match.group(1) != indent:
            return None
        indent = match.group(1)
        if name in ("initial", "atomic"):
            value = BOOL_RE.match(text, match.end())
            if value is None:
                return None
            flags[name] = value.group(1) == "True"
            continue
        entries = _scan_edges(text, match.end(), settings)
        if entries is None:
            return None
        found[name] = entries
    return found, flags


def _scan_edges(text: str, start: int, settings: Mapping[str, str]) -> list[Dependency] | None:
    """The entries of the list or tuple literal at `start`, or None when not all are readable."""
    while start < len(text) and text[start] in " \t":
        start += 1
    line0 = text.count("\n", 0, start)
    simple = PAIRS_RE.match(text, start)
    if simple and LINE_END_RE.match(text, simple.end()):
        return [
            _pair(text, pair, line0, start) for pair in PAIR_RE.finditer(text, start, simple.end())
        ]
    end = _bracketed(text, start)
    if end < 0 or not LINE_END_RE.match(text, end):
        return None
    col0 = start - (text.rfind("\n", 0, start) + 1)
    try:
        node = ast.parse(text[start:end], mode="eval").body
    except SyntaxError:
        return None
    entries, complete = literal_entries(node, settings, line0, col0)
    return entries if complete else None


EDGE_FIELD_RE = re.compile(
    r"^[ \t]*(dependencies|replaces|run_before)\b[^=\n]*=[ \t]*", re.MULTILINE
)


def broken_migration(
    path: str,
    text: str,
    *,
    app_label: str | None = None,
    swappable: Mapping[str, str] | None = None,
) -> MigrationFile:
    """A migration module Python cannot parse (merge-conflict markers, binary data...).

    Django would fail to import it, but it is still a node of the graph: its edges are read as
    text from every `dependencies`/`replaces`/`run_before` list found (both sides of a merge
    conflict), so that migrations depending on it are not reported as broken too.
    """
    found: dict[str, list[Dependency]] = {"dependencies": [], "replaces": [], "run_before": []}
    for match in EDGE_FIELD_RE.finditer(text):
        start = match.end()
        end = _bracketed(text, start)
        if end < 0:
            continue
        line0 = text.count("\n", 0, start)
        for pair in PAIR_RE.finditer(text, start, end):
            found[match.group(1)].append(_pair(text, pair, line0, start))
    return migration_file(path, app_label, found, broken=True)
