"""Positioned data trees from YAML and JSON: every string knows where it is written.

Readers of config files (compose, platform specs, CI pipelines, Kubernetes) need the values a file
holds *and* the line/column of each value as written. PyYAML's composer gives nodes with marks;
they are turned into `Str` / `Map` / `Seq` (plain `str` / `dict` / `list` subclasses carrying
positions), so a reader can use ordinary `.get()` and `isinstance` checks.

Safety: only the composer runs (no constructor, so no Python objects and no error on custom tags
such as GitLab `!reference` or CloudFormation `!Ref`/`!Sub`); alias expansion is budgeted
(billion-laughs files fail fast with one line); recursive aliases and absurd nesting are refused.
JSON gets its own small parser (exact columns after escapes; `json` validates first).
"""

from __future__ import annotations

import bisect
import functools
import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from django_migration_hooks._files import FileProblem
from django_migration_hooks.deploy._site import CommandSite

if TYPE_CHECKING:  # imported on first use: most runs never parse YAML (import costs ~20 ms)
    import yaml

ALIAS_BUDGET = 25_000  # nodes that may be produced by expanding aliases, per file
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL_TAG = "tag:yaml.org,2002:null"


class Str(str):
    """A scalar value with the position of its first non-blank content character (1-based)."""

    line: int
    col: int
    end_line: int
    tag: str

    def __new__(cls, value: str, line: int, col: int, end_line: int, tag: str = "") -> Str:
        self = super().__new__(cls, value)
        self.line = line
        self.col = col
        self.end_line = end_line if end_line > line else line
        self.tag = tag
        return self


class Map(dict[str, "Node"]):
    """A mapping (keys are `Str`) with the position of its first character."""

    line: int = 1
    col: int = 1


class Seq(list["Node"]):
    """A sequence with the position of its first character and its tag (e.g. `!reference`)."""

    line: int = 1
    col: int = 1
    tag: str = ""


Node: TypeAlias = "Str | Map | Seq | None"


@functools.cache
def _yaml() -> tuple[Any, type[Any]]:
    """PyYAML and a SafeLoader subclass used only up to composition: nodes with marks, custom
    tags left as tags. The C composer is ~10x faster; its marks (line/column in characters)
    are the same."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        pass

    return yaml, Loader


# --- YAML -----------------------------------------------------------------------------------------


def load_yaml(path: str, text: str) -> list[Node]:
    """Every document of a YAML stream as positioned trees; FileProblem for invalid input."""
    return list(iter_yaml(path, text))


def iter_yaml(path: str, text: str, keep: Callable[[str], bool] | None = None) -> Iterator[Node]:
    """Documents one at a time (a big multi-document stream never sits in memory as a whole);
    FileProblem, raised while iterating, for invalid input. With `keep`, a document whose
    source text it rejects is skipped (yielded as None) without building its tree."""
    lines = text.splitlines()
    yaml, loader = _yaml()
    stream = yaml.compose_all(text, Loader=loader)
    budget = [ALIAS_BUDGET]  # shared by every document of the file
    while True:
        collecting = gc.isenabled()
        gc.disable()  # node graphs are acyclic and short-lived: the cyclic GC only costs time
        try:
            node = next(stream, None)
            if node is None:
                return
            if keep is not None and not keep(text[node.start_mark.index : node.end_mark.index]):
                document: Node = None
            else:
                document = _Converter(path, lines, yaml, budget).convert(node, via_alias=False)
        except yaml.MarkedYAMLError as exc:
            raise FileProblem(f"{path}: skipped, invalid YAML: {_yaml_error(exc)}") from None
        except yaml.YAMLError as exc:
            raise FileProblem(f"{path}: skipped, invalid YAML: {exc}") from None
        except RecursionError:
            raise FileProblem(f"{path}: skipped, YAML nested too deeply") from None
        finally:
            if collecting:
                gc.enable()
        yield document


def _yaml_error(exc: yaml.MarkedYAMLError) -> str:
    what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return what
    return f"{what} (line {mark.line + 1}, column {mark.column + 1})"


class _Converter:
    def __init__(self, path: str, lines: list[str], module: Any, budget: list[int]) -> None:
        self.yaml = module
        self.path = path
        self.lines = lines
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.budget = budget

    def convert(self, node: yaml.Node, *, via_alias: bool) -> Node:
        key = id(node)
        if key in self.active:
            raise FileProblem(f"{self.path}: skipped, recursive YAML alias")
        if key in self.seen:
            via_alias = True
        else:
            self.seen.add(key)
        if via_alias:
            self.budget[0] -= 1
            if self.budget[0] < 0:
                raise FileProblem(
                    f"{self.path}: skipped, YAML aliases expand to more than "
                    f"{ALIAS_BUDGET} nodes (alias bomb?)"
                )
        if isinstance(node, self.yaml.ScalarNode):
            return self.scalar(node)
        self.active.add(key)
        try:
            if isinstance(node, self.yaml.SequenceNode):
                seq = Seq(self.convert(item, via_alias=via_alias) for item in node.value)
                seq.line, seq.col = node.start_mark.line + 1, node.start_mark.column + 1
                seq.tag = node.tag or ""
                return seq
            assert isinstance(node, self.yaml.MappingNode)
            return self.mapping(node, via_alias=via_alias)
        finally:
            self.active.discard(key)

    def mapping(self, node: yaml.MappingNode, *, via_alias: bool) -> Map:
        result = Map()
        result.line, result.col = node.start_mark.line + 1, node.start_mark.column + 1
        merged: list[Map] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                value = self.convert(value_node, via_alias=via_alias)
                sources = value if isinstance(value, Seq) else [value]
                merged.extend(source for source in sources if isinstance(source, Map))
                continue
            key = self.convert(key_node, via_alias=via_alias)
            if isinstance(key, Str):  # complex keys (mappings as keys) are not commands
                result[key] = self.convert(value_node, via_alias=via_alias)
        # like SafeConstructor.flatten_mapping: explicit keys win, then earlier merge sources
        for source in merged:
            for merged_key, merged_value in source.items():
                result.setdefault(merged_key, merged_value)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Str | None:
        if node.tag == _NULL_TAG:
            return None
        start, end = node.start_mark, node.end_mark
        row, column = start.line, start.column
        if row < len(self.lines) and self.lines[row][column : column + 1] in ("&", "!"):
            line, col = self.after_properties(row, column)
        else:
            line, col = row + 1, column + 1
        end_line = end.line + 1 if end.column > 0 or end.line == row else end.line
        style = node.style
        if not style:
            pass
        elif style in "|>":
            # the mark is the indicator; the command starts on the first non-blank line below
            for number in range(start.line + 1, min(end.line + 1, len(self.lines))):
                content = self.lines[number]
                if content.strip():
                    line, col = number + 1, len(content) - len(content.lstrip()) + 1
                    break
            while end_line > line and not self.lines[end_line - 1].strip():
                end_line -= 1
        else:  # quoted: the content starts after the quote
            col += 1 + _leading_blank(node.value)
        return Str(node.value, line, col, end_line, node.tag or "")

    def after_properties(self, row: int, column: int) -> tuple[int, int]:
        """1-based position of a node's content: its mark is on an anchor (`&a`) or tag (`!Sub`)
        when it has one, and the content may even start on a later line."""
        lines = self.lines
        while row < len(lines) and lines[row][column : column + 1] in ("&", "!"):
            text = lines[row]
            while column < len(text) and text[column] not in " \t":
                column += 1
            while column < len(text) and text[column] in " \t":
                column += 1
            if column >= len(text) or text[column] == "#":
                row += 1
                while row < len(lines) and not lines[row].strip():
                    row += 1
                if row >= len(lines):
                    break
                column = len(lines[row]) - len(lines[row].lstrip())
        return row + 1, column + 1


def _leading_blank(value: str) -> int:
    first_line = value.split("\n", 1)[0]
    return len(first_line) - len(first_line.lstrip(" \t"))


# --- JSON -----------------------------------------------------------------------------------------

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WHITESPACE = " \t\n\r"


def load_json(path: str, text: str) -> Node:
    """A JSON document as a positioned tree (numbers and booleans become `Str` of their text)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(
            f"{path}: skipped, invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise FileProblem(f"{path}: skipped, JSON nested too deeply") from None
    try:
        return _JsonParser(text).document()
    except RecursionError:
        raise FileProblem(f"{path}: skipped, JSON nested too deeply") from None
    except (IndexError, KeyError, ValueError):  # pragma: no cover - valid JSON we misread
        raise FileProblem(f"{path}: skipped, JSON construct not understood") from None


class _JsonParser:
    """Recursive descent over text that `json.loads` has already accepted."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self.starts.append(index + 1)

    def where(self, pos: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, pos) - 1
        return row + 1, pos - self.starts[row] + 1

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
            self.pos += 1

    def document(self) -> Node:
        self.skip()
        return self.value()

    def value(self) -> Node:
        char = self.text[self.pos]
        line, col = self.where(self.pos)
        if char == "{":
            result = Map()
            result.line, result.col = line, col
            self.pos += 1
            self.skip()
            while self.text[self.pos] != "}":
                key = self.string()
                self.skip()
                self.pos += 1  # ':'
                self.skip()
                result[key] = self.value()
                self.skip()
                if self.text[self.pos] == ",":
                    self.pos += 1
                    self.skip()
            self.pos += 1
            return result
        if char == "[":
            seq = Seq()
            seq.line, seq.col = line, col
            self.pos += 1
            self.skip()
            while self.text[self.pos] != "]":
                seq.append(self.value())
                self.skip()
                if self.text[self.pos] == ",":
                    self.pos += 1
                    self.skip()
            self.pos += 1
            return seq
        if char == '"':
            return self.string()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _WHITESPACE + ",]}":
            self.pos += 1
        token = self.text[start : self.pos]
        return None if token == "null" else Str(token, line, col, line)

    def string(self) -> Str:
        self.pos += 1  # opening quote
        text, pos = self.text, self.pos
        parts: list[str] = []
        first = None  # offset of the first non-blank content character as written
        while text[pos] != '"':
            char = text[pos]
            if char == "\\":
                escape = text[pos + 1]
                if escape == "u":
                    code = int(text[pos + 2 : pos + 6], 16)
                    size = 6
                    if 0xD800 <= code < 0xDC00 and text[pos + 6 : pos + 8] == "\\u":
                        low = int(text[pos + 8 : pos + 12], 16)
                        if 0xDC00 <= low < 0xE000:
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            size = 12
                    decoded = chr(code)
                else:
                    decoded, size = _ESCAPES[escape], 2
            else:
                decoded, size = char, 1
            if first is None and not decoded.isspace():
                first = pos
            parts.append(decoded)
            pos += size
        line, col = self.where(self.pos if first is None else first)
        self.pos = pos + 1
        return Str("".join(parts), line, col, line)


# --- helpers for readers --------------------------------------------------------------------------


def mapping(node: object) -> Map:
    """The node if it is a mapping, else an empty one (missing sections are common)."""
    return node if isinstance(node, Map) else Map()


def sequence(node: object) -> Seq:
    return node if isinstance(node, Seq) else Seq()


def string(node: object) -> Str | None:
    return node if isinstance(node, Str) else None


def strings(node: object) -> list[Str]:
    """A scalar or a list of scalars (nested lists flattened, as GitLab does) as a flat list."""
    if isinstance(node, Str):
        return [node]
    if isinstance(node, Seq) and node.tag != "!reference":
        return [item for child in node for item in strings(child)]
    return []


def walk(node: Node) -> Iterator[Map]:
    """Every mapping in a tree, depth first (aliases are visited at each place they are used)."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Map):
            yield current
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, Seq):
            stack.extend(reversed(current))


def text_site(value: Str, context: str) -> CommandSite | None:
    """A shell-form command; None for an empty value."""
    if not value.strip():
        return None
    return CommandSite(str(value), None, value.line, value.col, value.end_line, context)


def argv_site(items: Sequence[Str], context: str) -> CommandSite | None:
    """An exec-form command (argv list); positions span from the first to the last element."""
    if not items:
        return None
    first = min(items, key=lambda item: (item.line, item.col))
    end_line = max(item.end_line for item in items)
    return CommandSite(
        None, tuple(str(item) for item in items), first.line, first.col, end_line, context
    )


def unique(sites: Iterable[CommandSite | None]) -> list[CommandSite]:
    """Drop empty and repeated sites (an alias or merge key repeats the anchored value)."""
    result: dict[tuple[object, ...], CommandSite] = {}
    for site in sites:
        if site is not None:
            result.setdefault((site.text, site.argv, site.line, site.col), site)
    return list(result.values())
