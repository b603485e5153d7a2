"""`[tool.django-migration-hooks]` in the consumer's pyproject.toml, validated.

```toml
[tool.django-migration-hooks]
exclude = ["legacy/**"]          # gitignore-style globs, repo-relative
ignore = ["DMH204"]              # codes never reported

[tool.django-migration-hooks.check-deploy-makemigrations]
ignore = ["DMH303"]              # per-hook exclude/ignore add to the global ones
```
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from django_migration_hooks._report import Finding, HookError

if TYPE_CHECKING:
    import pathspec

if sys.version_info >= (3, 11):  # pragma: no cover
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SECTION = "django-migration-hooks"
MAX_PYPROJECT_BYTES = 1024 * 1024
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
HOOK_IDS = (
    "check-deploy-makemigrations",
    "check-ignored-migrations",
    "check-untracked-migrations",
    "check-missing-migrations",
    "check-migration-conflicts",
    "check-migration-rewrites",
)
COMMON_OPTIONS: Mapping[str, str] = {"exclude": "list[str]", "ignore": "list[str]"}

# option name -> "str" | "bool" | "int" | "list[str]" | "dict[str, str]" | "env"
# ("env": a table of environment variables, NAME = "value")
Schema = Mapping[str, str]


class Config(NamedTuple):
    exclude: tuple[str, ...] = ()
    ignore: frozenset[str] = frozenset()
    options: Mapping[str, Any] = {}

    def is_excluded(self, path: str) -> bool:
        if not self.exclude:
            return False
        return _spec(self.exclude).match_file(path)

    def keep(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if f.code not in self.ignore and not self.is_excluded(f.path)]

    def get(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)


@functools.cache
def _spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    import pathspec  # imported only when a configuration excludes something

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _check_type(where: str, value: object, kind: str) -> None:
    ok: bool
    if kind == "str":
        ok = isinstance(value, str)
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "list[str]":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif kind == "dict[str, str]":
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    elif kind == "env":
        _check_type(where, value, "dict[str, str]")
        assert isinstance(value, dict)
        for name, text in value.items():
            if not ENV_NAME.fullmatch(name):
                raise HookError(f"{where}: {name!r} is not an environment variable name")
            if "\0" in text:
                raise HookError(f"{where} {name}: the value holds a NUL character")
        return
    else:  # pragma: no cover - programming error
        raise AssertionError(kind)
    if not ok:
        raise HookError(f"{where} must be {kind}, got {value!r}")


def read_section(root: str = ".") -> dict[str, Any]:
    from django_migration_hooks._files import FileProblem, read_bytes

    path = "pyproject.toml" if root == "." else os.path.join(root, "pyproject.toml")
    if not os.path.lexists(path):
        return {}
    try:
        data = tomllib.loads(read_bytes(path, MAX_PYPROJECT_BYTES).decode("utf-8"))
    except FileProblem as exc:
        raise HookError(f"cannot read {exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise HookError(f"pyproject.toml: invalid TOML: {exc}") from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise HookError("pyproject.toml: `tool` must be a table")
    section = tool.get(SECTION, {})
    if not isinstance(section, dict):
        raise HookError(f"pyproject.toml: [tool.{SECTION}] must be a table")
    return section


def load_config(hook_id: str | None, schema: Schema, root: str = ".") -> Config:
    """The configuration of one hook (or of the umbrella command when hook_id is None)."""
    section = read_section(root)
    prefix = f"pyproject.toml: [tool.{SECTION}]"
    for key, value in section.items():
        if key in COMMON_OPTIONS:
            _check_type(f"{prefix} {key}", value, COMMON_OPTIONS[key])
        elif key in HOOK_IDS:
            if not isinstance(value, dict):
                raise HookError(f"{prefix} {key} must be a table")
        else:
            known = ", ".join((*COMMON_OPTIONS, *HOOK_IDS))
            raise HookError(f"{prefix}: unknown key {key!r} (known: {known})")
    exclude = list(section.get("exclude", []))
    ignore = {c.upper() for c in section.get("ignore", [])}
    options: dict[str, Any] = {}
    if hook_id is not None:
        table = section.get(hook_id, {})
        where = f"pyproject.toml: [tool.{SECTION}.{hook_id}]"
        for key, value in table.items():
            kind = COMMON_OPTIONS.get(key) or schema.get(key)
            if kind is None:
                known = ", ".join(sorted({*COMMON_OPTIONS, *schema}))
                raise HookError(f"{where}: unknown key {key!r} (known: {known})")
            _check_type(f"{where} {key}", value, kind)
            if key == "exclude":
                exclude.extend(value)
            elif key == "ignore":
                ignore.update(c.upper() for c in value)
            else:
                options[key] = value
    if exclude:
        try:
            _spec(tuple(exclude))
        except Exception as exc:  # pathspec raises several error types for bad patterns
            raise HookError(f"{prefix} exclude: invalid pattern: {exc}") from None
    return Config(tuple(exclude), frozenset(ignore), options)
