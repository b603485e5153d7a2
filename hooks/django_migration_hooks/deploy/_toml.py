"""TOML with positions, for the platform readers (`fly.toml`, `railway.toml`, ...).

TOML has no positions in `tomllib` (which still validates the file first), so a small scanner
walks the raw text and yields the same positioned trees as the YAML/JSON loaders: each string
value knows the line and column of its first non-blank character as written, escapes included.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Iterator

from django_migration_hooks._files import FileProblem
from django_migration_hooks.deploy._yaml import Map, Node, Seq, Str


def load_toml(path: str, text: str) -> Map:
    """A TOML document as a positioned tree (non-string values become `Str` of their text)."""
    if sys.version_info >= (3, 11):  # pragma: no cover - imported on first use (~20 ms)
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileProblem(f"{path}: skipped, invalid TOML: {exc}") from None
    except RecursionError:  # pragma: no cover - tomllib nests arrays iteratively on 3.11+
        raise FileProblem(f"{path}: skipped, TOML nested too deeply") from None
    try:
        return _TomlScanner(text).document()
    except RecursionError:
        raise FileProblem(f"{path}: skipped, TOML nested too deeply") from None
    except (AssertionError, IndexError, ValueError):  # pragma: no cover - valid TOML we misread
        raise FileProblem(f"{path}: skipped, TOML construct not understood") from None


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BARE_VALUE = re.compile(r"[^,\]}#\r\n]*")
_TOML_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    '"': '"',
    "\\": "\\",
}


class _TomlScanner:
    """Walks text that `tomllib` has accepted, building Map/Seq/Str with positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def where(self, pos: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, pos) - 1
        return row + 1, pos - self.starts[row] + 1

    def peek(self, size: int = 1) -> str:
        return self.text[self.pos : self.pos + size]

    def blank(self, *, newlines: bool) -> None:
        """Skip spaces/tabs (and newlines and comments when `newlines`)."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif char == "#" and newlines:
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def document(self) -> Map:
        root = self.table_at(1, 1)
        current = root
        while True:
            self.blank(newlines=True)
            if self.pos >= len(self.text):
                return root
            if self.peek(2) == "[[":
                self.pos += 2
                keys = self.keys()
                self.pos += 2  # ']]'
                parent = self.descend(root, keys[:-1])
                array = parent.get(keys[-1])
                if not isinstance(array, Seq):
                    array = parent[keys[-1]] = Seq()
                current = self.table_at(keys[-1].line, keys[-1].col)
                array.append(current)
            elif self.peek() == "[":
                self.pos += 1
                keys = self.keys()
                self.pos += 1  # ']'
                current = self.descend(root, keys)
            else:
                self.pair(current)

    @staticmethod
    def table_at(line: int, col: int) -> Map:
        table = Map()
        table.line, table.col = line, col
        return table

    def descend(self, table: Map, keys: list[Str]) -> Map:
        for key in keys:
            child = table.get(key)
            if isinstance(child, Seq) and child and isinstance(child[-1], Map):
                child = child[-1]
            if not isinstance(child, Map):
                child = table[key] = self.table_at(key.line, key.col)
            table = child
        return table

    def pair(self, table: Map) -> None:
        keys = self.keys()
        self.blank(newlines=False)
        self.pos += 1  # '='
        self.blank(newlines=False)
        self.descend(table, keys[:-1])[keys[-1]] = self.value()

    def keys(self) -> list[Str]:
        keys: list[Str] = []
        while True:
            self.blank(newlines=False)
            if self.peek() in ('"', "'"):
                keys.append(self.string())
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                assert match is not None
                line, col = self.where(self.pos)
                keys.append(Str(match.group(), line, col, line))
                self.pos = match.end()
            self.blank(newlines=False)
            if self.peek() != ".":
                return keys
            self.pos += 1

    def value(self) -> Node:
        char = self.peek()
        if char in ('"', "'"):
            return self.string()
        line, col = self.where(self.pos)
        if char == "[":
            seq = Seq()
            seq.line, seq.col = line, col
            self.pos += 1
            while True:
                self.blank(newlines=True)
                if self.peek() == "]":
                    self.pos += 1
                    return seq
                seq.append(self.value())
                self.blank(newlines=True)
                if self.peek() == ",":
                    self.pos += 1
        if char == "{":
            table = self.table_at(line, col)
            self.pos += 1
            while True:
                self.blank(newlines=True)
                if self.peek() == "}":
                    self.pos += 1
                    return table
                self.pair(table)
                self.blank(newlines=True)
                if self.peek() == ",":
                    self.pos += 1
        match = _BARE_VALUE.match(self.text, self.pos)
        assert match is not None
        self.pos = max(match.end(), self.pos + 1)  # always progress
        return Str(match.group().rstrip(" \t"), line, col, line)

    def string(self) -> Str:
        text = self.text
        for quote in ('"""', "'''", '"', "'"):
            if text.startswith(quote, self.pos):
                break
        self.pos += len(quote)
        multiline = len(quote) == 3
        if multiline and text.startswith("\r\n", self.pos):
            self.pos += 2
        elif multiline and text.startswith("\n", self.pos):
            self.pos += 1
        literal = quote[0] == "'"
        parts: list[str] = []
        first = self.pos
        found = False
        for raw_pos, decoded in self.characters(quote, literal=literal):
            if not found and not decoded.isspace():
                first, found = raw_pos, True
            parts.append(decoded)
        line, col = self.where(first)
        return Str("".join(parts), line, col, self.where(self.pos - 1)[0])

    def characters(self, quote: str, *, literal: bool) -> Iterator[tuple[int, str]]:
        """(raw position, decoded text) pieces up to the closing quote, which is consumed."""
        text = self.text
        while True:
            pos = self.pos
            if text.startswith(quote, pos):
                run = len(quote)
                if len(quote) == 3:  # up to two quotes may end the content: """a"""""
                    while run < 5 and text.startswith(quote[0], pos + run):
                        run += 1
                    for extra in range(run - 3):
                        yield pos + extra, quote[0]
                self.pos = pos + run
                return
            char = text[pos]
            if char != "\\" or literal:
                self.pos = pos + 1
                yield pos, char
                continue
            escape = text[pos + 1]
            if escape in _TOML_ESCAPES:
                self.pos = pos + 2
                yield pos, _TOML_ESCAPES[escape]
            elif escape in "uUx":
                size = {"u": 4, "U": 8, "x": 2}[escape]
                self.pos = pos + 2 + size
                yield pos, chr(int(text[pos + 2 : pos + 2 + size], 16))
            else:  # line-ending backslash in a multi-line basic string: trim up to the content
                end = pos + 1
                while end < len(text) and text[end] in " \t\r\n":
                    end += 1
                self.pos = end
