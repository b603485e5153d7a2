"""Safe file reading (size cap, binary, UTF-8, CRLF) and file classification."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from typing import BinaryIO, NamedTuple

from identify import identify

MAX_BYTES = 5 * 1024 * 1024  # deploy scripts and ignore files are small; anything larger is data


class FileProblem(Exception):
    """A file that cannot be analysed; the message is one line for stderr."""


class Text(NamedTuple):
    text: str
    lines: list[str]  # without line endings


def read_bytes(path: str, max_bytes: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, at most max_bytes: never blocks on a FIFO or reads a device."""
    try:
        f = open_regular(path)
    except FileNotFoundError:
        raise FileProblem(f"{path}: no such file (broken symlink?)") from None
    except IsADirectoryError:
        raise FileProblem(f"{path}: is a directory") from None
    except OSError as exc:
        raise FileProblem(f"{path}: cannot read: {exc.strerror}") from None
    with f:
        if os.fstat(f.fileno()).st_size > max_bytes:
            raise FileProblem(f"{path}: skipped, larger than {max_bytes // (1024 * 1024)} MB")
        try:
            return f.read(max_bytes + 1)
        except OSError as exc:
            raise FileProblem(f"{path}: cannot read: {exc.strerror}") from None


def open_regular(path: str) -> BinaryIO:
    """A regular file opened for reading without ever blocking (a FIFO, a device, a socket is
    refused with FileProblem); OSError as open() raises it."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory", path)
        raise FileProblem(f"{path}: skipped, not a regular file")
    return os.fdopen(fd, "rb")


def read_head(path: str, size: int) -> bytes | None:
    """The first bytes of a regular file, None when it is anything else or unreadable."""
    try:
        with open_regular(path) as f:
            return f.read(size)
    except (OSError, FileProblem):
        return None


def replace_file(path: str, data: bytes, root: str) -> None:
    """Give a file new content by replacing it, never writing through a link: only a regular,
    singly linked file whose real path is inside root (the work tree)."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise FileProblem(f"{path}: not fixed: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"{path}: not fixed: not a regular file (a link?); edit it by hand")
    if info.st_nlink > 1:
        raise FileProblem(f"{path}: not fixed: the file has other hard links; edit it by hand")
    real, top = os.path.realpath(path), os.path.realpath(root)
    if os.path.commonpath([real, top]) != top:
        raise FileProblem(f"{path}: not fixed: outside the work tree")
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(real), prefix=".dmh-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
