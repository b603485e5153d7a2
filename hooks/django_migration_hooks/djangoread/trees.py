"""Repository files at one revision: the working tree, the index or a commit.

`SourceTree.read(path)` returns a file's text, or None when it is absent or unreadable (then
`unreadable[path]` says why, in one line). Python files are decoded as Python's importer does
(a PEP 263 coding cookie, a BOM), other files as UTF-8.
`DiskTree` reads the working tree, `GitTree` a commit or the index through one `BlobReader`
(a `git cat-file --batch` process shared by the trees of a run).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from collections.abc import Iterable

from django_migration_hooks import _git
from django_migration_hooks._files import MAX_BYTES, FileProblem, decode, read_bytes
from django_migration_hooks._git import OBJECT_ID


class SourceTree:
    """Repository files at one revision; `read(path)` returns text or None (absent/unreadable)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = sorted(paths)
        self._cache: dict[str, str | None] = {}
        self.problems: list[str] = []
        self.unreadable: dict[str, str] = {}  # path -> why it could not be read (one line)

    def read(self, path: str) -> str | None:
        if path not in self._cache:
            self._cache[path] = self._read(path)
        return self._cache[path]

    def _read(self, path: str) -> str | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (the git reader process)."""

    def _text(self, path: str, data: bytes) -> str | None:
        """A file's bytes as text, or None (and why, in `unreadable`)."""
        if len(data) > MAX_BYTES:
            self.unreadable[path] = f"{path}: skipped, larger than {MAX_BYTES // (1024 * 1024)} MB"
            return None
        try:
            return decode_source(path, data) if path.endswith(".py") else decode(path, data).text
        except FileProblem as exc:
            self.unreadable[path] = str(exc)
            return None


def decode_source(path: str, data: bytes) -> str:
    """Python source as the importer decodes it: the PEP 263 cookie or BOM, else UTF-8, and
    universal newlines. Python refuses a NUL byte: so does this."""
    try:
        text = importlib.util.decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        raise FileProblem(f"{path}: skipped, not valid Python source (encoding)") from None
    if "\0" in text:
        raise FileProblem(f"{path}: skipped, holds a NUL byte")
    return text


class DiskTree(SourceTree):
    """The working tree, relative to the current directory."""

    def _read(self, path: str) -> str | None:
        try:
            data = read_bytes(path, MAX_BYTES)  # a regular file only: never blocks on a FIFO
        except FileProblem as exc:
            if os.path.lexists(path):
                self.unreadable[path] = str(exc)
            return None
        return self._text(path, data)


class BlobReader:
    """One `git cat-file --batch` process, shared by the trees of one run."""

    def __init__(self, cwd: str = ".") -> None:
        self.cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None

    def read(self, oid: str) -> bytes | None:
        """The blob with this object id (only ids travel through the line protocol)."""
        if not OBJECT_ID.fullmatch(oid):
            raise ValueError(f"not an object id: {oid!r}")
        if self._proc is None:
            self._proc = subprocess.Popen(
                ("git", "cat-file", "--batch"),
                cwd=self.cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(f"{oid}\n".encode("ascii"))
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().split()
        if len(header) != 3:  # "<name> missing" or "<name> ambiguous"
            return None
        data = self._proc.stdout.read(int(header[2]) + 1)[:-1]  # read even a tree's: in step
        return data if header[1] == b"blob" else None

    def close(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.close()
            self._proc.stdout.close()
            self._proc.wait()
            self._proc = None


class GitTree(SourceTree):
    """A commit (`rev`), or the index when `rev` is "", read through a `BlobReader`."""

    def __init__(
        self,
        rev: str,
        cwd: str = ".",
        paths: Iterable[str] | None = None,
        reader: BlobReader | None = None,
    ) -> None:
        """Files of `rev`: all its blobs, or the given `paths` among them."""
        self.rev = rev
        self.cwd = cwd
        self._ids = _git.object_ids(rev, cwd)  # blobs by path, from a `-z` listing
        super().__init__(self._ids if paths is None else (p for p in paths if p in self._ids))
        self._known = set(self.paths)
        self._owns_reader = reader is None
        self._reader = reader or BlobReader(cwd)

    def _read(self, path: str) -> str | None:
        if path not in self._known:
            return None
        data = self._reader.read(self._ids[path])
        return None if data is None else self._text(path, data)

    def read_many(self, paths: Iterable[str]) -> None:
        """Fetch many blobs in one round trip (fills the cache)."""
        todo = [p for p in paths if p not in self._cache and p in self._known]
        if not todo:
            return
        blobs = _git.cat_files([self._ids[p] for p in todo], cwd=self.cwd)
        for path, data in zip(todo, blobs, strict=True):
            self._cache[path] = None if data is None else self._text(path, data)

    def close(self) -> None:
        if self._owns_reader:
            self._reader.close()
