"""A command line split into its top-level steps, for `--fix`: where each simple command starts
and ends, the operators around it, and the compound command (`if`, a loop, a subshell...) it sits
in. Conservative by design: anything it does not understand makes a step unremovable."""

from __future__ import annotations

import re
from typing import NamedTuple

from django_migration_hooks.shell.tokenize import _matching_brace, _matching_paren

_OPENERS = {"if": "if", "for": "loop", "while": "loop", "until": "loop", "select": "loop"}
_OPENERS["case"] = "case"
_CLOSERS = frozenset({"fi", "done", "esac"})
_CONTINUERS = frozenset({"then", "else", "elif", "do", "!", "in"})
_OPERATORS = ("&&", "||", ";;", "|&", ";", "|", "&")
_JOINING = frozenset({"&&", "||", "|", "|&"})
_WORD = re.compile(r"[A-Za-z_!][A-Za-z0-9_]*")
_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([^\s;&|<>()]+))")


class Step(NamedTuple):
    start: int  # first character of the command
    end: int  # just past its last character (trailing blanks and comments excluded)
    before: str  # the operator before it: "" at the start, "\n" for a new line
    after: str  # the operator after it: "" at the end
    inside: str  # "" at the top level, else "if", "loop", "case", "subshell", "group"
    heredoc: tuple[int, int] | None  # the span of the heredoc bodies it reads, if any


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.steps: list[Step] = []
        self.stack: list[str] = []
        self.start: int | None = None
        self.end = 0
        self.before = ""
        self.inside = ""
        self.pending: list[tuple[bool, str]] = []
        self.heredoc: tuple[int, int] | None = None
        self.command_word = True  # the next word is in command position

    def finish(self, operator: str) -> None:
        if self.start is not None:
            step = Step(self.start, self.end, self.before, operator, self.inside, self.heredoc)
            self.steps.append(step)
        elif self.steps and self.steps[-1].after == "" and operator:
            self.steps[-1] = self.steps[-1]._replace(after=operator)
        if self.start is not None or operator != "\n" or self.before not in _JOINING:
            self.before = operator  # `A &&` + newline + `B`: B still follows `&&`
        self.start, self.heredoc, self.command_word = None, None, True

    def content(self, end: int) -> None:
        if self.start is None:
            self.start = self.i
            self.inside = self.stack[-1] if self.stack else ""
        self.end = end
        self.i = end

    def keyword(self) -> bool:
        """A reserved word in command position: opens, continues or closes a compound."""
        match = _WORD.match(self.text, self.i)
        if not self.command_word or match is None:
            return False
        end = match.end()
        if end < len(self.text) and self.text[end] not in " \t\r\n;&|)":
            return False
        word = match.group()
        if word in _OPENERS:
            self.stack.append(_OPENERS[word])
        elif word in _CLOSERS and self.stack:
            self.stack.pop()
        elif word not in _CONTINUERS:
            return False
        self.i = end
        if word in _OPENERS and self.start is None:
            self.inside = self.stack[-1]
        return True

    def opens(self, c: str) -> bool:
        """`(` or `{ ` in command position: a subshell or a group."""
        return c == "(" or self.text[self.i + 1 : self.i + 2] in (" ", "\t", "\r", "\n")

    def newline(self) -> None:
        self.finish("\n")
        self.i += 1
        if self.pending:
            first = self.i
            for strip_tabs, delimiter in self.pending:
                while self.i < len(self.text):
                    eol = self.text.find("\n", self.i)
                    eol = len(self.text) if eol < 0 else eol
                    line = self.text[self.i : eol]
                    self.i = min(eol + 1, len(self.text))
                    if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                        break
            if self.steps:
                self.steps[-1] = self.steps[-1]._replace(heredoc=(first, self.i))
            self.pending = []

    def run(self) -> list[Step]:
        text, n = self.text, len(self.text)
        while self.i < n:
            c = text[self.i]
            two = text[self.i : self.i + 2]
            if c in " \t\r":
                self.i += 1
            elif two == "\\\n" or text.startswith("\\\r\n", self.i):
                self.i += 2 if two == "\\\n" else 3
            elif c == "\n":
                self.newline()
            elif c == "#" and (self.i == 0 or text[self.i - 1] in " \t\n;&|("):
                eol = text.find("\n", self.i)
                self.i = n if eol < 0 else eol
            elif self.keyword():
                continue
            elif c in "({" and self.command_word and self.opens(c):
                self.stack.append("subshell" if c == "(" else "group")
                self.i += 1
            elif c in ")}" and self.start is None and self.stack and self.stack[-1] != "case":
                self.stack.pop()
                self.i += 1
            elif c == ")" and self.stack and self.stack[-1] != "case":
                self.finish("")
                self.stack.pop()
                self.i += 1
            elif two == "<<" and text[self.i : self.i + 3] != "<<<":
                match = _HEREDOC.match(text, self.i)
                if match is None:
                    self.content(self.i + 2)
                else:
                    delimiter = next(g for g in match.groups()[1:] if g is not None)
                    self.pending.append((match.group(1) == "-", delimiter))
                    self.content(match.end())
            elif c in "&|;" and not (c in "&|" and self.i and text[self.i - 1] in "<>"):
                if c == "&" and text[self.i + 1 : self.i + 2] == ">":
                    self.content(self.i + 2)
                    continue
                operator = next(op for op in _OPERATORS if text.startswith(op, self.i))
                self.i += len(operator)
                self.finish(operator)
            else:
                self.content(self.word_end())
                self.command_word = False
        self.finish("")
        return self.steps

    def word_end(self) -> int:
        """Just past the word at i (quotes, escapes and substitutions kept whole)."""
        text, i, n = self.text, self.i, len(self.text)
        while i < n and text[i] not in " \t\r\n;&|<>" and not (text[i] in "()" and i > self.i):
            c = text[i]
            if c == "\\":
                i += 2
            elif c == "'":
                j = text.find("'", i + 1)
                i = n if j < 0 else j + 1
            elif c == '"':
                i += 1
                while i < n and text[i] != '"':
                    if text.startswith("$(", i):
                        i = _matching_paren(text, i + 2)
                        continue
                    i += 2 if text[i] == "\\" else 1
                i += 1
            elif text.startswith("$(", i):
                i = _matching_paren(text, i + 2)
            elif text.startswith("${", i):
                i = _matching_brace(text, i + 2)
            elif c == "`":
                j = text.find("`", i + 1)
                i = n if j < 0 else j + 1
            else:
                i += 1
        if i == self.i:  # a lone `<`, `>`, `(`: part of a redirection or a word
            i += 1
        return min(i, n)


def steps(text: str) -> list[Step]:
    """The simple commands of text with the operators around them (heredoc bodies skipped)."""
    return _Scanner(text).run()
