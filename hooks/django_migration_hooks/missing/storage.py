"""The hook's cache directory and the file primitives every cache part shares."""

from __future__ import annotations

import contextlib
import os


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "django-migration-hooks")


def read_or_none(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return f.read()
    except OSError:
        return None


def atomic_write(path: str, text: str) -> None:
    import tempfile

    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def prune(directory: str, max_age: float = 86400.0) -> None:
    """Delete the files below `directory` not modified for `max_age` seconds."""
    import time

    now = time.time()
    for folder, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                if now - os.stat(path).st_mtime > max_age:
                    os.unlink(path)
