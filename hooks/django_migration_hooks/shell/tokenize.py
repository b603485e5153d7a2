"""Shell text -> simple commands of words, each character keeping its offset in the text.

One small reader per character that means something to the shell (quotes, `$(`, backticks,
redirections, operators, newlines and heredocs); every other character is part of a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django_migration_hooks.shell.words import MAX_DEPTH, Command, Word, shift, through

_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac"}
)


def _matching_paren(text: str, i: int) -> int:
    """Index just past the `)` closing the `(` at text[i-1] (quote- and nesting-aware)."""
    depth = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _matching_brace(text: str, i: int) -> int:
    depth = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


class _Tokenizer:
    def __init__(self, text: str, depth: int) -> None:
        self.text = text
        self.depth = depth
        self.commands: list[Command] = []
        self.extra: list[Command] = []  # from $(...) and backticks
        self.words: list[Word] = []
        self.heredoc: Word | None = None
        self.pending_heredocs: list[tuple[str, bool, int]] = []  # (delimiter, strip tabs, cmd idx)
        self.skip_next_word = False
        # the word being read: its characters, their offsets, where it starts (-1: none)
        self.i = 0
        self.chars: list[str] = []
        self.offs: list[int] = []
        self.start = -1

    def run(self) -> list[Command]:
        text = self.text
        n = len(text)
        while self.i < n:
            _READERS.get(text[self.i], _Tokenizer.plain)(self)
        self.flush()
        self.end_command()
        return self.commands + self.extra

    # --- words and commands

    def begin(self) -> None:
        if self.start < 0:
            self.start = self.i

    def take(self, stop: int) -> None:
        """text[i:stop] into the current word, as written; continue at stop."""
        self.begin()
        self.chars.extend(self.text[self.i : stop])
        self.offs.extend(range(self.i, min(stop, len(self.text))))
        self.i = stop

    def flush(self) -> None:
        if self.start >= 0:
            word = Word("".join(self.chars), tuple(self.offs), self.start)
            if self.skip_next_word:
                self.skip_next_word = False
            else:
                self.words.append(word)
        self.chars, self.offs, self.start = [], [], -1

    def end_command(self) -> None:
        if self.words or self.heredoc is not None:
            self.commands.append(Command(tuple(self.words), self.heredoc))
        self.words = []
        self.heredoc = None

    # --- command substitution: `$(...)` and backticks, inside double quotes or not

    def substitution(self, i: int) -> int:
        """At `$(` or a backtick at text[i]: read the commands inside; return the index after."""
        text = self.text
        if text[i] == "`":
            end = text.find("`", i + 1)
            inner_start, inner_end = i + 1, len(text) if end < 0 else end
            stop = inner_end + 1
        else:
            stop = _matching_paren(text, i + 2)
            inner_start, inner_end = i + 2, stop - 1
        if self.depth < MAX_DEPTH:
            inner = text[inner_start:inner_end]
            for cmd in _commands(inner, self.depth + 1):
                self.extra.append(shift(cmd, inner_start))
        return stop

    def take_substitution(self) -> None:
        """The substitution at i stays in the word as written (`x=$(a b)`)."""
        start = self.i
        stop = self.substitution(start)
        self.i = start
        self.take(stop)

    # --- one reader per character that means something to the shell

    def plain(self) -> None:
        match = _SPECIAL.search(self.text, self.i + 1)
        self.take(len(self.text) if match is None else match.start())

    def backslash(self) -> None:
        text, i = self.text, self.i
        if text.startswith("\\\n", i):
            self.i = i + 2  # line continuation
        elif text.startswith("\\\r\n", i):
            self.i = i + 3
        else:
            self.begin()
            if i + 1 < len(text):
                self.chars.append(text[i + 1])
                self.offs.append(i + 1)
            self.i = i + 2

    def newline(self) -> None:
        self.flush()
        if self.text[self.i] == "\n":
            self.end_command()
            if self.pending_heredocs:
                self.i = self.read_heredoc_bodies(self.i + 1)
                return
        self.i += 1

    def blank(self) -> None:
        self.flush()
        self.i += 1

    def comment(self) -> None:
        if self.start >= 0:
            self.take(self.i + 1)  # `a#b`: part of the word
            return
        end = self.text.find("\n", self.i)
        self.i = len(self.text) if end < 0 else end

    def single_quoted(self) -> None:
        text, i = self.text, self.i
        self.begin()
        j = text.find("'", i + 1)
        j = len(text) if j < 0 else j
        self.chars.extend(text[i + 1 : j])
        self.offs.extend(range(i + 1, j))
        self.i = j + 1

    def double_quoted(self) -> None:
        text = self.text
        n = len(text)
        self.begin()
        self.i += 1
        while self.i < n and text[self.i] != '"':
            i = self.i
            if text[i] == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
                if text[i + 1] != "\n":
                    self.chars.append(text[i + 1])
                    self.offs.append(i + 1)
                self.i = i + 2
            elif text[i] == "`" or text.startswith("$(", i):
                self.take_substitution()
            else:
                self.chars.append(text[i])
                self.offs.append(i)
                self.i = i + 1
        self.i += 1

    def dollar(self) -> None:
        if self.text.startswith("$(", self.i):
            self.take_substitution()
        elif self.text.startswith("${", self.i):
            self.take(_matching_brace(self.text, self.i + 2))
        else:
            self.take(self.i + 1)

    def redirection(self) -> None:
        """Drop a pending fd number, the operator and its target word; note heredocs."""
        if self.start >= 0 and self.chars and "".join(self.chars).isdigit():
            self.chars, self.offs, self.start = [], [], -1
        self.flush()
        text, i = self.text, self.i
        n = len(text)
        if text.startswith("<<<", i):
            self.i = i + 3
            self.skip_next_word = True
            return
        if text.startswith("<<", i) and not text.startswith("<<(", i):
            self.heredoc_operator()
            return
        j = i + 1
        while j < n and text[j] in "<>&|":
            j += 1
        if text[j - 1] == "&" and j < n and (text[j].isdigit() or text[j] == "-"):
            j += 1  # 2>&1, >&-
        else:
            self.skip_next_word = True
        self.i = j

    def heredoc_operator(self) -> None:
        """`<<DELIM` / `<<-DELIM`: the body follows the end of the line."""
        text = self.text
        n = len(text)
        i = self.i + 2
        strip = i < n and text[i] == "-"
        if strip:
            i += 1
        while i < n and text[i] in " \t":
            i += 1
        delim_chars: list[str] = []
        while i < n and text[i] not in " \t\n;&|<>()":
            if text[i] not in "'\"\\":
                delim_chars.append(text[i])
            i += 1
        self.pending_heredocs.append(("".join(delim_chars), strip, len(self.commands)))
        self.i = i

    def operator(self) -> None:
        text, i = self.text, self.i
        c = text[i]
        if c == "&" and text.startswith("&>", i):
            self.flush()
            self.i = i + 1
        elif (c == "(" and self.start >= 0) or (c == ")" and self.chars[-1:] == ["("]):
            self.take(i + 1)  # `name()` function definitions and globs like @(a|b)
        else:
            self.flush()
            self.end_command()
            self.i = i + 1

    def read_heredoc_bodies(self, i: int) -> int:
        """At the start of a line after a `<<DELIM` command: consume each body; return new index."""
        text = self.text
        n = len(text)
        for delimiter, strip, index in self.pending_heredocs:
            body_chars: list[str] = []
            body_offs: list[int] = []
            body_start = i
            while i < n:
                end = text.find("\n", i)
                end = n if end < 0 else end
                line = text[i:end]
                check = line.lstrip("\t") if strip else line
                if check.rstrip("\r") == delimiter:
                    i = min(end + 1, n)
                    break
                body_chars.extend(text[i : end + 1])
                body_offs.extend(range(i, min(end + 1, n)))
                i = end + 1
            body = Word("".join(body_chars), tuple(body_offs), body_start)
            if index < len(self.commands):
                cmd = self.commands[index]
                self.commands[index] = Command(cmd.words, body)
        self.pending_heredocs = []
        return i


_READERS: dict[str, Callable[[_Tokenizer], None]] = {
    "\\": _Tokenizer.backslash,
    "\n": _Tokenizer.newline,
    "\r": _Tokenizer.newline,
    " ": _Tokenizer.blank,
    "\t": _Tokenizer.blank,
    "#": _Tokenizer.comment,
    "'": _Tokenizer.single_quoted,
    '"': _Tokenizer.double_quoted,
    "$": _Tokenizer.dollar,
    "`": _Tokenizer.take_substitution,
    "<": _Tokenizer.redirection,
    ">": _Tokenizer.redirection,
    **dict.fromkeys(";&|()", _Tokenizer.operator),
}
_SPECIAL = re.compile("[" + re.escape("".join(_READERS)) + "]")


def _commands(text: str, depth: int) -> list[Command]:
    return _Tokenizer(text, depth).run()


def commands(text: str) -> list[Command]:
    """Split shell text into simple commands (control keywords and comments dropped)."""
    return [c for c in (_strip_keywords(c) for c in _commands(text, 0)) if c is not None]


def commands_of(word: Word, depth: int = 0) -> list[Command]:
    """The simple commands in a word that is itself a script (`sh -c WORD`, ssh's command...)."""
    if depth >= MAX_DEPTH:
        return []
    result = []
    for cmd in _commands(word.value, depth + 1):
        stripped = _strip_keywords(cmd)
        if stripped is not None:
            result.append(through(word, stripped))
    return result


def _strip_keywords(cmd: Command) -> Command | None:
    words = list(cmd.words)
    while words and (words[0].value in _KEYWORDS or words[0].value.endswith("()")):
        words.pop(0)
    if words and words[0].value in ("for", "case", "select", "function"):
        return Command((), cmd.heredoc) if cmd.heredoc is not None else None
    while words and words[-1].value in ("{", "}"):
        words.pop()
    if not words and cmd.heredoc is None:
        return None
    return Command(tuple(words), cmd.heredoc)
