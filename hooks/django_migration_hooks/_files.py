"""Safe file reading (size cap, binary, UTF-8, CRLF) and file classification."""

from __future__ import annotations

import os
from typing import NamedTuple

from identify import identify

MAX_BYTES = 5 * 1024 * 1024  # deploy scripts and ignore files are small; anything larger is data


class FileProblem(Exception):
    """A file that cannot be analysed; the message is one line for stderr."""


class Text(NamedTuple):
    text: str
    lines: list[str]  # without line endings


def read_bytes(path: str, max_bytes: int = MAX_BYTES) -> bytes:
    try:
        if os.path.isdir(path):
            raise FileProblem(f"{path}: is a directory")
        size = os.path.getsize(path)
        if size > max_bytes:
            raise FileProblem(f"{path}: skipped, larger than {max_bytes // (1024 * 1024)} MB")
        with open(path, "rb") as f:
            return f.read(max_bytes + 1)
    except FileNotFoundError:
        raise FileProblem(f"{path}: no such file (broken symlink?)") from None
    except OSError as exc:
        raise FileProblem(f"{path}: cannot read: {exc.strerror}") from None


def decode(path: str, data: bytes) -> Text:
    if b"\0" in data[:8192]:
        raise FileProblem(f"{path}: skipped, binary file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileProblem(f"{path}: skipped, not valid UTF-8") from None
    return Text(text, text.splitlines())


def read_text(path: str, max_bytes: int = MAX_BYTES) -> Text:
    return decode(path, read_bytes(path, max_bytes))


def tags(path: str) -> frozenset[str]:
    """identify's tags for a path (as pre-commit computes them), empty when unreadable."""
    try:
        return frozenset(identify.tags_from_path(path))
    except (ValueError, OSError):
        return frozenset()
