"""Several invocations of one pre-commit run: the check runs once, the others reuse its code."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from typing import Any

from django_migration_hooks.missing.storage import cache_dir, prune


def _run_id(argv_key: str) -> str | None:
    """The pre-commit process that started us (pid + start time), when run by pre-commit."""
    if os.environ.get("PRE_COMMIT") != "1":
        return None
    ppid = os.getppid()
    try:
        with open(f"/proc/{ppid}/stat", encoding="utf-8") as f:
            started = f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None
    return hashlib.sha256(f"{ppid}:{started}:{argv_key}".encode()).hexdigest()[:32]


@contextlib.contextmanager
def _locked(path: str) -> Iterator[Any]:
    import fcntl

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield f
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextlib.contextmanager
def once_per_run(argv_key: str) -> Iterator[tuple[int | None, Any]]:
    """Run the check once per pre-commit run: yields (earlier exit code or None, record).

    pre-commit splits a long file list into several invocations of the hook (one after the
    other with require_serial). The result is the whole project's, the same for each: the first
    invocation runs the check, prints and records its exit code under the id of the pre-commit
    process; the later ones print nothing and return that code. Outside pre-commit (or without
    /proc) every invocation checks: `record` is then a no-op.
    """
    run_id = _run_id(argv_key)
    if run_id is None:
        yield None, lambda code: None
        return
    runs = os.path.join(cache_dir(), "runs")
    with contextlib.ExitStack() as stack:
        try:
            f = stack.enter_context(_locked(os.path.join(runs, run_id)))
        except (OSError, ImportError):
            f = None
        if f is None:
            yield None, lambda code: None
            return
        stack.callback(prune, runs)
        f.seek(0)
        text = f.read().strip()
        if text.isdigit():
            yield int(text), lambda code: None
            return

        def record(code: int) -> None:
            f.seek(0)
            f.truncate()
            f.write(str(code))
            f.flush()

        yield None, record
