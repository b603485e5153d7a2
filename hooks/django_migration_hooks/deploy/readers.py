"""Which reader reads a file: by name, by extension, else by its `#!` line; and the sites of
a file as its reader finds them (developer-only copies of configs marked `dev`)."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from types import ModuleType

from django_migration_hooks import shell
from django_migration_hooks._files import read_head
from django_migration_hooks.deploy import (
    _analyse,
    dockerfile,
    make,
    procfile,
    python,
    scripts,
    systemd,
)
from django_migration_hooks.deploy._site import CommandSite

# Files that name our hook ids or a `makemigrations --check` hook: never deploy commands.
NEVER = frozenset({".pre-commit-config.yaml", ".pre-commit-hooks.yaml", ".pre-commit-config.yml"})


# Extensions no reader claims (markup, styles, front-end code, translations, data): skipped
# before any reader is asked, so an `--all-files` run over a large repository stays fast.
SKIP_EXTENSIONS = frozenset(
    {"html", "htm", "css", "scss", "sass", "less", "js", "mjs", "cjs", "jsx", "ts", "tsx"}
    | {"vue", "svelte", "map", "po", "mo", "pot", "md", "rst", "txt", "svg", "xml", "csv"}
    | {"tsv", "lock", "pyi", "pyc", "sql", "graphql", "jinja", "j2x", "map", "snap", "log"}
)


@functools.cache
def readers() -> tuple[ModuleType, ...]:
    """Every reader, in claim order (the YAML and INI readers are imported on first use)."""
    from django_migration_hooks.deploy import ci, compose, ini, kubernetes, platforms

    return (
        procfile,
        dockerfile,
        make,
        compose,
        platforms,
        ci,
        kubernetes,
        ini,
        systemd,
        scripts,
        python,
    )


_SHEBANG_PYTHON = re.compile(rb"^#!.*\bpython[0-9.]*\b")
_SHEBANG_SHELL = re.compile(rb"^#!.*\b(sh|bash|dash|zsh|ksh|ash)\b")


def shebang_language(path: str) -> str | None:
    """ "python" or "shell" from a file's `#!` line (whatever its mode bits), else None."""
    first = (read_head(path, 256) or b"").split(b"\n", 1)[0]
    if _SHEBANG_PYTHON.match(first):
        return "python"
    if _SHEBANG_SHELL.match(first):
        return "shell"
    return None


@functools.cache
def classify(path: str, *, sniff: bool = True) -> ModuleType | None:
    """The reader for a file, or None; sniff=False never opens the file (no shebang check)."""
    name = path[path.rfind("/") + 1 :]
    dot = name.rfind(".")
    extension = name[dot + 1 :] if dot > 0 else ""
    if extension == "py":
        return python
    if extension in SKIP_EXTENSIONS or name in NEVER:
        return None
    for reader in readers():
        if reader.claims(path):
            if reader is scripts and not extension and sniff and shebang_language(path) == "python":
                return python  # `bin/release`, `.platform/hooks/...` with a python shebang
            return reader
    if sniff and dot < 0:
        language = shebang_language(path)
        if language == "shell":
            return scripts
        if language == "python":
            return python
    return None


def script_reader(path: str) -> ModuleType:
    """The reader for a script a deploy config runs: by extension or shebang, else shell."""
    reader = classify(path)
    return reader if reader is python else scripts


def python_candidate(path: str) -> bool:
    """A Python file that may be deploy code (migration files and tests never are)."""
    parts = path.split("/")
    return "migrations" not in parts[:-1]


# Config files named for development (`Procfile.dev`, `Dockerfile.dev`, `compose.dev.yaml`,
# `docker-compose.override.yml`) that start the development server are developer-only, for
# the readers that declare `DEV_CONFIG = True` (Procfile, Dockerfile, Compose).
_DEV_CONFIG = re.compile(r"(^|[-_.])(dev|develop|development|local|override)([-_.]|$)", re.I)


def _runs_dev_server(sites: Iterable[CommandSite]) -> bool:
    for site in sites:
        for inv in _analyse.invocations(site):
            mgmt = shell.management(inv)
            if mgmt is not None and mgmt.sub.value in ("runserver", "runserver_plus"):
                return True
    return False


def file_sites(path: str, text: str, reader: ModuleType) -> list[CommandSite]:
    """reader.sites(), with every site of a developer-only config marked `dev`."""
    sites: list[CommandSite] = reader.sites(path, text)
    name = os.path.basename(path)
    dev_config = getattr(reader, "DEV_CONFIG", False) and _DEV_CONFIG.search(name) is not None
    if dev_config and _runs_dev_server(sites):
        sites = [site._replace(dev=True, unit=name) for site in sites]
    return sites
