"""The hook's options: its config schema, and `Options` from the command line and the config."""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from django_migration_hooks._report import HookError

HOOK_ID = "check-missing-migrations"
MODES = ("auto", "django", "static")
SCHEMA: Mapping[str, str] = {
    "mode": "str",
    "python": "str",
    "settings": "str",
    "projects": "list[str]",
    "env": "env",
    "ignore-apps": "list[str]",
    "include-third-party": "bool",
    "cache": "bool",
    "timeout": "int",
}
DEFAULT_TIMEOUT = 120  # seconds one Django run may take; then its process group is ended


class Options(NamedTuple):
    mode: str
    python: str | None
    settings: str | None
    projects: tuple[str, ...]
    env: Mapping[str, str]
    ignore_apps: frozenset[str]
    include_third_party: bool
    cache: bool
    base: str | None
    python_from_config: bool = False
    timeout: int = DEFAULT_TIMEOUT


def options_from(args: argparse.Namespace | None, config: Any) -> Options:
    def pick(name: str, attr: str, default: Any) -> Any:
        value = getattr(args, attr, None) if args is not None else None
        return value if value not in (None, [], False) else config.get(name, default)

    mode = pick("mode", "mode", "auto")
    if mode not in MODES:
        raise HookError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    env = dict(config.get("env", {}))
    env.update(getattr(args, "env", None) or [])
    ignore_apps = {*config.get("ignore-apps", []), *(getattr(args, "ignore_app", None) or [])}
    timeout = pick("timeout", "timeout", DEFAULT_TIMEOUT)
    if timeout <= 0:
        raise HookError(f"timeout must be a positive number of seconds, got {timeout}")
    return Options(
        mode=mode,
        python=pick("python", "python", None),
        settings=pick("settings", "settings", None),
        projects=tuple(getattr(args, "project", None) or config.get("projects", [])),
        env=env,
        ignore_apps=frozenset(ignore_apps),
        include_third_party=bool(pick("include-third-party", "include_third_party", False)),
        cache=not getattr(args, "no_cache", False) and bool(config.get("cache", True)),
        base=getattr(args, "base", None),
        python_from_config=not getattr(args, "python", None) and bool(config.get("python")),
        timeout=timeout,
    )


def env_pair(value: str) -> tuple[str, str]:
    name, sep, text = value.partition("=")
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, text
