"""Which changed files can change the verdict (so that a commit of others does not start Django)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django_migration_hooks.missing.storage import atomic_write, cache_dir, read_or_none

DEPENDENCY_RE = re.compile(
    r"(^|/)(requirements[^/]*\.(txt|in)|requirements/[^/]+\.(txt|in)|constraints[^/]*\.txt"
    r"|pyproject\.toml|setup\.(cfg|py)|poetry\.lock|uv\.lock|pdm\.lock|Pipfile(\.lock)?)$"
)
ENTRY_POINTS = frozenset({"manage.py", "wsgi.py", "asgi.py"})
APP_MARKERS = ("models.py", "models", "apps.py", "migrations")


def _is_app_dir(directory: str, memo: dict[str, bool]) -> bool:
    if directory not in memo:
        memo[directory] = any(
            os.path.exists(os.path.join(directory or ".", marker)) for marker in APP_MARKERS
        )
    return memo[directory]


def is_relevant(path: str, memo: dict[str, bool] | None = None) -> bool:
    """Whether a changed file can change the verdict: app Python, settings, dependencies."""
    memo = {} if memo is None else memo
    path = path.replace(os.sep, "/")
    if DEPENDENCY_RE.search(path):
        return True
    if not path.endswith(".py"):
        return False
    parts = path.split("/")
    name = parts[-1]
    if name in ENTRY_POINTS or name.startswith("settings") or "settings" in parts[:-1]:
        return True
    directory = "/".join(parts[:-1])
    while True:
        if _is_app_dir(directory, memo):
            return True
        if not directory:
            return False
        directory = directory.rpartition("/")[0]


def any_relevant(filenames: Sequence[str]) -> bool:
    """Whether a file can change the verdict: by `is_relevant`, or because the last Django
    run imported it (a helper module outside any app: custom fields, choices)."""
    memo: dict[str, bool] = {}
    if any(is_relevant(name, memo) for name in filenames):
        return True
    imported = _remembered_imports()
    return any(name.replace(os.sep, "/") in imported for name in filenames)


def _imports_path() -> str:
    """Where the repository's (cwd's) helper modules that the last Django run imported are
    remembered."""
    here = os.path.realpath(".").encode("utf-8", "surrogateescape")
    return os.path.join(cache_dir(), "imports", hashlib.sha256(here).hexdigest()[:32])


def _remembered_imports() -> set[str]:
    return set((read_or_none(_imports_path()) or "").splitlines())


def remember_imports(results: Iterable[Mapping[str, Any]]) -> None:
    """Keep the repository files the runners imported that `is_relevant` does not cover."""
    here = os.path.realpath(".")
    memo: dict[str, bool] = {}
    paths = set()
    for result in results:
        for path in result.get("modules", ()):
            relative = os.path.relpath(path, here).replace(os.sep, "/")
            if not relative.startswith("../") and not is_relevant(relative, memo):
                paths.add(relative)
    text = "".join(f"{path}\n" for path in sorted(paths))
    target = _imports_path()
    with contextlib.suppress(OSError):  # a read-only cache only costs precision
        if read_or_none(target) == text:
            os.utime(target)  # in use: `prune_cache` keeps it
        else:
            atomic_write(target, text)
