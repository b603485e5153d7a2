"""Docker's `.dockerignore` semantics, translated from moby's patternmatcher and ignorefile.

Reading (`ignorefile.ReadAll`): a UTF-8 BOM is dropped; a line is a comment only when `#` is its
very first character; whitespace around a pattern is trimmed; `!` marks an exception (trimmed
again); the pattern is cleaned like Go's `filepath.Clean` and a leading `/` is dropped. Patterns
are relative to the build-context root, with no implicit "match at any depth".

Matching (`PatternMatcher.MatchesOrParentMatches`): patterns run in order and the last one that
applies wins; a pattern applies to a path when it matches the path or one of its parent folders,
so excluding a folder excludes everything below it unless a later `!` pattern re-includes it.
`*` and `?` never cross `/`, `**` spans any number of folders, `[...]` are character classes and
`\\` escapes the next character.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from django_migration_hooks.ignore import IgnoreRule

_ESCAPE = frozenset(".+()|{}$")


def go_clean(path: str) -> str:
    """Go's filepath.Clean for `/`-separated paths."""
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(segment)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


class Pattern(NamedTuple):
    cleaned: str
    exclusion: bool
    kind: str  # "exact" | "prefix" | "suffix" | "regexp" | "invalid"
    regexp: re.Pattern[str] | None
    rule: IgnoreRule

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.cleaned
        if self.kind == "prefix":
            return path.startswith(self.cleaned[:-2])
        if self.kind == "suffix":
            suffix = self.cleaned[2:]
            if path.endswith(suffix):
                return True
            return suffix.startswith("/") and path == suffix[1:]
        if self.kind == "regexp":
            assert self.regexp is not None
            return self.regexp.match(path) is not None
        return False


def _compile(cleaned: str) -> tuple[str, re.Pattern[str] | None]:
    """moby's Pattern.compile: the match type and, for "regexp", the expression."""
    regex = "^"
    kind = "exact"
    i = 0
    n = len(cleaned)
    first = True
    while i < n:
        ch = cleaned[i]
        i += 1
        if ch == "*":
            if i < n and cleaned[i] == "*":
                i += 1
                if i < n and cleaned[i] == "/":
                    i += 1
                if i >= n:
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        regex += ".*"
                        kind = "regexp"
                else:
                    regex += "(.*/)?"
                    kind = "regexp"
                if first:
                    kind = "suffix"
            else:
                regex += "[^/]*"
                kind = "regexp"
        elif ch == "?":
            regex += "[^/]"
            kind = "regexp"
        elif ch in _ESCAPE:
            regex += "\\" + ch
        elif ch == "\\":
            if i < n:
                regex += "\\" + cleaned[i]
                i += 1
                kind = "regexp"
            else:
                regex += "\\"
        elif ch in "[]":
            regex += ch
            kind = "regexp"
        else:
            regex += ch
        first = False
    if kind != "regexp":
        return kind, None
    try:
        return kind, re.compile(regex + "$")
    except re.error:
        return "invalid", None


def read_patterns(source: str, lines: Sequence[str]) -> list[Pattern]:
    """ignorefile.ReadAll followed by patternmatcher.New, keeping where each rule is written."""
    patterns: list[Pattern] = []
    for number, raw in enumerate(lines, start=1):
        if number == 1 and raw.startswith("\ufeff"):
            raw = raw[1:]
        if raw.startswith("#"):
            continue
        text = raw.strip()
        if not text:
            continue
        col = len(raw) - len(raw.lstrip()) + 1
        exclusion = text.startswith("!")
        body = text[1:].strip() if exclusion else text
        if body:
            body = go_clean(body)
            if len(body) > 1 and body.startswith("/"):
                body = body[1:]
        # patternmatcher.New: trim, Clean again, then split off "!"
        combined = go_clean(("!" + body) if exclusion else body)
        if combined.startswith("!"):
            if len(combined) == 1:
                continue  # Docker rejects a lone "!"; nothing to match
            exclusion, combined = True, combined[1:]
        kind, regexp = _compile(combined)
        rule = IgnoreRule(source, number, col, text)
        patterns.append(Pattern(combined, exclusion, kind, regexp, rule))
    return patterns


class DockerIgnore:
    """The patterns of one `.dockerignore`, applied to paths relative to the build context."""

    def __init__(self, source: str, lines: Sequence[str]) -> None:
        self.source = source
        self.patterns = read_patterns(source, lines)
        self._folder_hits: dict[tuple[int, str], bool] = {}

    def _hits_folder(self, index: int, parents: Sequence[str]) -> bool:
        """Whether pattern index matches one of the parent folders (memoised per folder)."""
        if not parents:
            return False
        key = (index, parents[-1])
        hit = self._folder_hits.get(key)
        if hit is None:
            hit = self._hits_folder(index, parents[:-1]) or self.patterns[index].match(parents[-1])
            self._folder_hits[key] = hit
        return hit

    def excluded_by(self, path: str) -> IgnoreRule | None:
        """The rule that keeps path out of the build context, or None when it is sent."""
        path = go_clean(path)
        parent = path.rpartition("/")[0] or "."
        parents: list[str] = []
        if parent != ".":
            parts = parent.split("/")
            parents = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        matched = False
        deciding: IgnoreRule | None = None
        for index, pattern in enumerate(self.patterns):
            if pattern.exclusion != matched:
                continue
            hit = pattern.match(path) or self._hits_folder(index, parents)
            if hit:
                matched = not pattern.exclusion
                deciding = pattern.rule if matched else None
        return deciding if matched else None
