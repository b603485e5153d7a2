"""The result cache: its key (interpreter, settings, environment, tree, runner), storage and
pruning."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Mapping
from typing import Any

from django_migration_hooks.missing.runner_control import runner_digest
from django_migration_hooks.missing.storage import atomic_write, cache_dir, prune

CACHE_FORMAT = "1"
CACHE_MAX_AGE = 30 * 86400.0  # seconds a cache file may go unused
VOLATILE_ENV = re.compile(
    r"^(PRE_COMMIT.*|SKIP|PWD|OLDPWD|SHLVL|_|COLUMNS|LINES|TERM.*|SSH_.*|DISPLAY|WINDOWID"
    r"|XDG_SESSION.*|XDG_RUNTIME_DIR|PYTEST_.*|COV_CORE_.*|GIT_.*|DJANGO_MIGRATION_HOOKS_.*)$"
)


def stable_env(env: Mapping[str, str]) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in env.items() if not VOLATILE_ENV.match(k))


def cache_key(
    python: str, fingerprint: str, root: str, settings: str, env: Mapping[str, str], tree: str
) -> str:
    payload = json.dumps(
        [
            CACHE_FORMAT,
            runner_digest(),
            os.path.abspath(python),
            fingerprint,
            os.path.realpath(root),
            settings,
            stable_env(env),
            tree,
        ]
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogateescape")).hexdigest()


def cache_read(key: str) -> dict[str, Any] | None:
    path = os.path.join(cache_dir(), "results", key[:2], key + ".json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # in use: `prune_cache` keeps it
    return data if isinstance(data, dict) else None


def prune_cache(max_age: float = CACHE_MAX_AGE) -> None:
    """Delete cache files unused for `max_age` seconds (results, probes, migration code,
    bytecode), at most once a day: the directory would otherwise grow with every commit."""
    import time

    stamp = os.path.join(cache_dir(), "pruned")
    try:
        if time.time() - os.stat(stamp).st_mtime < 86400.0:
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    try:
        with open(stamp, "a"):
            os.utime(stamp)
    except OSError:
        return
    for part in ("results", "probes", "code", "pycache", "imports"):
        prune(os.path.join(cache_dir(), part), max_age)


def cache_write(key: str, result: Mapping[str, Any]) -> None:
    path = os.path.join(cache_dir(), "results", key[:2], key + ".json")
    with contextlib.suppress(OSError):  # a read-only cache only costs speed
        atomic_write(path, json.dumps(result))


def cache_may_hit(quick_key: str) -> bool:
    """Whether a cached result was computed with this index (else a miss is sure)."""
    return os.path.exists(_quick_path(quick_key))


def cache_mark(quick_key: str) -> None:
    """Remember that a result computed with this index is cached (`cache_may_hit`)."""
    path = _quick_path(quick_key)
    with contextlib.suppress(OSError):
        if os.path.exists(path):
            os.utime(path)  # in use: `prune_cache` keeps it
        else:
            atomic_write(path, "")


def _quick_path(quick_key: str) -> str:
    return os.path.join(cache_dir(), "results", "quick", quick_key[:2], quick_key)
