"""Words, simple commands and invocations, each word carrying the source offset of every
character, plus the helpers that move words between texts (nested scripts, joined argv)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

MAX_DEPTH = 12


class Word(NamedTuple):
    """One shell word after quote removal; offsets[i] is where value[i] sits in the source text."""

    value: str
    offsets: tuple[int, ...]
    start: int  # where the word starts in the source text (its first quote, if quoted)

    @property
    def pos(self) -> int:
        return self.offsets[0] if self.offsets else self.start


class Command(NamedTuple):
    words: tuple[Word, ...]
    heredoc: Word | None = None  # the body fed to the command's stdin, if any


class Invocation(NamedTuple):
    """A real command after wrappers are removed. `remote` = it runs on another host or dyno."""

    argv: tuple[Word, ...]
    remote: bool
    wrappers: tuple[str, ...]
    heredoc: Word | None = None  # what the command reads on stdin (`python - <<PY`)


def shift(cmd: Command, by: int) -> Command:
    """A command parsed from text[by:], with its offsets made relative to text."""

    def move(w: Word) -> Word:
        return Word(w.value, tuple(o + by for o in w.offsets), w.start + by)

    return Command(
        tuple(move(w) for w in cmd.words), None if cmd.heredoc is None else move(cmd.heredoc)
    )


def through(word: Word, inner: Command) -> Command:
    """Map a command parsed from word.value back to the offsets word came from."""

    def move(w: Word) -> Word:
        src = word.offsets
        last = src[-1] if src else word.start
        mapped = tuple(src[o] if o < len(src) else last for o in w.offsets)
        start = src[w.start] if w.start < len(src) else last
        return Word(w.value, mapped, start)

    return Command(
        tuple(move(w) for w in inner.words),
        None if inner.heredoc is None else move(inner.heredoc),
    )


def joined(words: Sequence[Word]) -> Word:
    """Several words as one script text, separated by spaces (how ssh and heroku run join them)."""
    chars: list[str] = []
    offs: list[int] = []
    for k, w in enumerate(words):
        if k:
            chars.append(" ")
            offs.append(w.start)
        chars.extend(w.value)
        offs.extend(w.offsets)
    return Word("".join(chars), tuple(offs), words[0].start if words else 0)


def skip_options(words: Sequence[Word], i: int, values: frozenset[str]) -> int:
    """Index of the first non-option word from i (handles `--`, `-x VALUE`, `--x=VALUE`)."""
    while i < len(words):
        v = words[i].value
        if v == "--":
            return i + 1
        if not v.startswith("-") or v == "-":
            return i
        i += 2 if v in values else 1
    return i
