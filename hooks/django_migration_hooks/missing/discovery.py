"""The projects to check and the interpreter (with Django) of each."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from typing import Any

from django_migration_hooks._files import read_head
from django_migration_hooks._report import HookError
from django_migration_hooks.missing.cache import CACHE_FORMAT, stable_env
from django_migration_hooks.missing.options import Options
from django_migration_hooks.missing.runner_control import Project
from django_migration_hooks.missing.storage import atomic_write, cache_dir
from django_migration_hooks.missing.tree import file_stamp


class Unavailable(Exception):
    """The Django tier cannot run here; the message says why (for the auto-mode notice)."""


def find_projects(opts: Options, files: Sequence[str] | None = None) -> list[Any]:
    """The projects to check; `files`: the repository's `_django.candidate_files()`, if known."""
    from django_migration_hooks import _django

    if opts.projects:
        found: list[Any] = []
        for spec in opts.projects:
            directory, settings = _django.parse_project_spec(spec)
            found.extend(
                _django.projects_in(directory, settings or opts.settings, "projects", files)
            )
        return found
    settings, source = opts.settings, "--settings"
    if not settings and os.environ.get(_django.SETTINGS_VARIABLE):
        settings, source = os.environ[_django.SETTINGS_VARIABLE], _django.SETTINGS_VARIABLE
    discovered = _django.discover_projects(files)
    if settings:
        search = [p.root for p in discovered]
        return [_django.project_for(settings, source, search)]
    if not discovered:
        raise Unavailable(
            "no Django settings found (no manage.py, wsgi.py, asgi.py or pytest "
            "DJANGO_SETTINGS_MODULE names one)"
        )
    return discovered


def probe(python: str) -> Any:
    """`_django.probe`, remembered while the interpreter resolves to the same file and it, its
    `pyvenv.cfg` and its environment's folders keep their stat (installing or removing a
    package changes site-packages). A script (a pyenv or asdf shim) picks its interpreter
    anew each time: it is probed every time."""
    from django_migration_hooks import _django

    # what the answer depends on: the interpreter, the probe itself (code and flags) and the
    # environment; never the repository or the working directory (the probe is isolated)
    payload = json.dumps(
        [
            CACHE_FORMAT,
            os.path.abspath(python),
            _django.PROBE,
            _django.PROBE_FLAGS,
            stable_env(os.environ),
        ]
    )
    key = hashlib.sha256(payload.encode("utf-8", "surrogateescape")).hexdigest()
    path = os.path.join(cache_dir(), "probes", key + ".json")
    real = os.path.realpath(python)
    try:
        with open(path, encoding="utf-8") as f:
            entry = json.load(f)
        if entry["real"] == real and entry["stamps"] == [file_stamp(p) for p in entry["watch"]]:
            with contextlib.suppress(OSError):
                os.utime(path)  # in use: `prune_cache` keeps it
            return _django.Probe(*entry["probe"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found = _django.probe(python)
    if found is not None and not _is_script(real):
        venv = os.path.dirname(os.path.dirname(os.path.abspath(python)))
        watch = [*_django.probe_watches(python, found), os.path.join(venv, "pyvenv.cfg")]
        stamps = [file_stamp(p) for p in watch]
        entry = {"probe": list(found), "real": real, "watch": watch, "stamps": stamps}
        with contextlib.suppress(OSError):
            atomic_write(path, json.dumps(entry))
    return found


def _is_script(path: str) -> bool:
    head = read_head(path, 2)
    return head is None or head == b"#!"


def resolve_interpreter(root: str, opts: Options) -> tuple[str, str]:
    """(python, probe fingerprint) of the first candidate interpreter that has Django."""
    from django_migration_hooks import _django

    tried: list[str] = []
    explicit, configured = (None, opts.python) if opts.python_from_config else (opts.python, None)
    for candidate in _django.interpreters(root, explicit, configured):
        found = probe(candidate.path) if opts.cache else _django.probe(candidate.path)
        if found is not None:
            return candidate.path, found.fingerprint
        if candidate.explicit:
            raise HookError(
                f"{candidate.source} {candidate.path}: cannot import Django with it; "
                "pass the project's interpreter (the one that runs manage.py)"
            )
        tried.append(candidate.path if candidate.source == "PATH" else candidate.source)
    raise Unavailable(
        f"no interpreter with Django found (tried {', '.join(tried) or 'nothing'}); pass "
        "--python PATH, or add Django to additional_dependencies"
    )


def prepare(opts: Options, files: Sequence[str] | None = None) -> list[Project]:
    projects: list[Project] = []
    for found in find_projects(opts, files):
        python, fingerprint = resolve_interpreter(found.root, opts)
        projects.append(
            Project(found.root, found.settings, found.source, found.manage, python, fingerprint)
        )
    return projects
