"""Jenkinsfile steps: `sh`/`bat`/`powershell` steps with any Groovy string literal, found by a
small scanner that skips comments and strings and keeps every character's position."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from django_migration_hooks.deploy._site import CommandSite
from django_migration_hooks.deploy._yaml import Str, text_site

_JENKINS_STEPS = frozenset({"sh", "bat", "powershell", "pwsh"})
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_LABEL = re.compile(r"([A-Za-z_$][\w$]*)[ \t]*:(?!:)")
_GROOVY_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


class GroovyScanner:
    """Finds `sh '...'`, `sh("...")`, `sh(script: '''...''', ...)` steps outside comments and
    strings; decodes the literal (escapes, GString text kept as written)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.stage = ""  # the last `stage('Name')` seen: the stage the next steps are in

    def where(self, pos: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, pos) - 1
        return row + 1, pos - self.starts[row] + 1

    def sites(self) -> Iterator[CommandSite | None]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                self.pos = len(text) if end < 0 else end + 2
            elif char in "'\"":
                self.literal()
            elif char.isalpha() or char in "_$":
                match = _IDENTIFIER.match(text, self.pos)
                assert match is not None
                self.pos = match.end()
                word = match.group()
                if word in _JENKINS_STEPS and not self.after_dot(match.start()):
                    yield from self.step(word)
                elif word == "stage" and not self.after_dot(match.start()):
                    self.read_stage()
            else:
                self.pos += 1

    def after_dot(self, pos: int) -> bool:
        """`x.sh(...)` is a method call, not the pipeline step."""
        pos -= 1
        while pos >= 0 and self.text[pos] in " \t\r\n":
            pos -= 1
        return pos >= 0 and self.text[pos] == "."

    def read_stage(self) -> None:
        self.blank()
        if self.text.startswith("(", self.pos):
            self.pos += 1
            self.blank()
        if self.pos < len(self.text) and self.text[self.pos] in "'\"":
            value = self.literal()
            if value is not None:
                self.stage = str(value)

    def blank(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def step(self, word: str) -> Iterator[CommandSite | None]:
        self.blank()
        if self.text.startswith("(", self.pos):
            self.pos += 1
        while True:
            self.blank()
            label = None
            match = _LABEL.match(self.text, self.pos)
            if match:
                label = match.group(1)
                self.pos = match.end()
                self.blank()
            if self.pos >= len(self.text) or self.text[self.pos] not in "'\"":
                return
            value = self.literal()
            if label in (None, "script") and value is not None:
                stage = f"stage `{self.stage}` " if self.stage else ""
                yield text_site(value, f"Jenkinsfile {stage}{word} step")
            self.blank()
            if not self.text.startswith(",", self.pos):
                return
            self.pos += 1

    def literal(self) -> Str | None:
        """Consume a string literal at pos and return its decoded value with positions."""
        text = self.text
        quote = text[self.pos : self.pos + 3]
        if quote not in ('"""', "'''"):
            quote = text[self.pos]
        self.pos += len(quote)
        interpolated = quote[0] == '"'
        parts: list[str] = []
        first = self.pos
        found = False
        while self.pos < len(text):
            pos = self.pos
            char = text[pos]
            if text.startswith(quote, pos):
                self.pos = pos + len(quote)
                line, col = self.where(first)
                return Str("".join(parts), line, col, self.where(pos)[0])
            if char == "\n" and len(quote) == 1:
                break  # unterminated: not a literal we understand
            if char == "\\" and pos + 1 < len(text):
                escape = text[pos + 1]
                decoded = "" if escape == "\n" else _GROOVY_ESCAPES.get(escape, escape)
                self.pos = pos + 2
            elif interpolated and text.startswith("${", pos):
                end = self.closing_brace(pos + 2)
                decoded = text[pos:end]
                self.pos = end
            else:
                decoded = char
                self.pos = pos + 1
            if not found and decoded.strip():
                first, found = pos, True
            parts.append(decoded)
        return None

    def closing_brace(self, pos: int) -> int:
        depth = 1
        while pos < len(self.text) and depth:
            depth += {"{": 1, "}": -1}.get(self.text[pos], 0)
            pos += 1
        return pos
