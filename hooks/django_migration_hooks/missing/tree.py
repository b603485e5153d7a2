"""The working tree's digest, for the cache key: git's index, stats and changed files' content."""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django_migration_hooks.missing.relevance import DEPENDENCY_RE

if TYPE_CHECKING:
    from concurrent.futures import Executor


def _hash_file(path: str, digest: Any) -> int:
    """Add a file's content to `digest` (a submodule's: its HEAD); its ctime in ns, or 0.

    Only a regular file is read (never blocking: a FIFO or a device is hashed by its kind).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except IsADirectoryError:
        return _hash_submodule(path, digest)
    except OSError:
        digest.update(b"<unreadable>")
        return 0
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            return _hash_submodule(path, digest)
        digest.update(f"<special {stat.S_IFMT(info.st_mode)}>".encode())
        return info.st_ctime_ns
    with os.fdopen(fd, "rb") as f:
        try:
            digest.update(hashlib.sha256(f.read(8 * 1024 * 1024)).digest())
        except OSError:
            digest.update(b"<unreadable>")
            return 0
        return info.st_ctime_ns


def _hash_submodule(path: str, digest: Any) -> int:
    from django_migration_hooks import _git

    head = _git.run("rev-parse", "HEAD", cwd=path, ok=(0, 128)).stdout.strip()
    digest.update(f"<submodule {head}>".encode())
    return 0


def file_stamp(path: str) -> list[int] | None:
    """[mtime ns, ctime ns, size, inode] of a file (any rewrite changes it); None if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino]


def _wanted_untracked(path: str) -> bool:
    from django_migration_hooks._django import SKIP_DIRS

    if not (
        path.endswith(".py")
        or DEPENDENCY_RE.search(path)
        or path.rpartition("/")[2].startswith(".env")
    ):
        return False
    return SKIP_DIRS.isdisjoint(path.split("/")[:-1])


class Tree:
    """git's view of the working tree (cwd = repository root), listed in parallel.

    The cache key covers every file the project could read: the index (object ids of every
    tracked file), the stat of every tracked Python, env and dependency file, and the content
    of modified, untracked and ignored ones. Its `quick` part, the index alone, is ready long
    before git has walked the tree for the rest, so the Django check can start meanwhile.
    """

    WORKERS = 3  # the index, the status walk, the stats

    def __init__(self, pool: Executor, *, keyed: bool = True) -> None:
        from django_migration_hooks import _git

        self._git = _git
        self._index = pool.submit(_git.run, "ls-files", "-s", "-z")
        self._status = pool.submit(
            _git.run,
            "--no-optional-locks",
            "status",
            "--porcelain=v2",
            "-z",
            "--untracked-files=all",
            "--ignored=matching" if keyed else "--ignored=no",
            "--ignore-submodules=dirty",  # a submodule whose commit moved is listed
            "--no-renames",
            "--",
            # a virtualenv not in .gitignore: thousands of files no project edits
            *_git.outside_virtualenvs([]),
        )
        self._newest = 0  # the newest ctime (ns) of the files the digest covers
        self._stats = pool.submit(self._stat_digest) if keyed else None

    @functools.cached_property
    def tracked(self) -> list[str]:
        return [entry.partition("\t")[2] for entry in self._git.zsplit(self._index.result().stdout)]

    @functools.cached_property
    def _status_entries(self) -> list[str]:
        return self._git.zsplit(self._status.result().stdout)

    def _other(self, mark: str) -> list[str]:
        """Untracked ("?") or ignored ("!") paths from the status listing."""
        prefix = mark + " "
        return [entry[2:] for entry in self._status_entries if entry.startswith(prefix)]

    def _modified(self) -> list[str]:
        """Tracked paths whose file differs from the index (any kind of file)."""
        paths = []
        for entry in self._status_entries:
            kind = entry[:2]
            if kind in ("1 ", "u ") and entry[3] != ".":
                paths.append(entry.split(" ", 8 if kind == "1 " else 10)[-1])
        return paths

    @functools.cached_property
    def untracked(self) -> list[str]:
        return self._other("?")

    @functools.cached_property
    def quick(self) -> str:
        """The digest of the index."""
        text = self._index.result().stdout
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    def _stat_digest(self) -> str:
        # Any rewrite of a tracked file changes its stat, so a modified file is a cache miss
        # even within the second git's own "modified" test (size + mtime in seconds) trusts.
        digest = hashlib.sha256()
        for path in self.tracked:
            if _wanted_untracked(path):
                stamp = file_stamp(path)
                if stamp is None:
                    digest.update(f"\0gone\0{path}".encode("utf-8", "surrogateescape"))
                    continue
                digest.update(("\0" + " ".join(map(str, stamp))).encode())
                self._newest = max(self._newest, stamp[1])
        return digest.hexdigest()

    def digest(self) -> str:
        """`quick` plus the stats, and the content of modified, untracked and ignored files."""
        if self._stats is None:
            raise ValueError("a Tree made with keyed=False has no digest")
        digest = hashlib.sha256(f"{self.quick} {self._stats.result()}".encode())
        # a modified file the project reads that is not Python (YAML, JSON) has no stat above
        self._hash_files(digest, "m", self._modified(), every=True)
        self._hash_files(digest, "u", self.untracked)
        self._hash_files(digest, "i", self._other("!"))
        return digest.hexdigest()

    def _hash_files(
        self, digest: Any, group: str, paths: Iterable[str], every: bool = False
    ) -> None:
        for path in sorted(set(paths)):
            if path.endswith("/") or not (every or _wanted_untracked(path)):
                continue
            digest.update(f"\0{group}\0{path}\0".encode("utf-8", "surrogateescape"))
            self._newest = max(self._newest, _hash_file(path, digest))

    def changed_since(self, moment_ns: int) -> bool:
        """Whether a file the digest covers changed at or after `moment_ns` (`file_clock`):
        Django, started then, may have read other content than the digest saw."""
        return self._newest >= moment_ns
