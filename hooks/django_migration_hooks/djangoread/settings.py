"""Settings modules read with ast (nothing is imported): `MIGRATION_MODULES` and installed apps.

- ``is_settings_path(path)``: ``settings*.py`` (``settings.dist.py`` included) or any ``.py``
  file in a ``settings/`` folder.
- ``migration_modules(paths, read) -> dict[str, str | None]``: app label -> dotted migrations
  module (``None``: migrations off on purpose) from every ``MIGRATION_MODULES = {...}`` dict
  literal of the settings modules, wherever it is assigned (under an ``if`` too). A label the
  settings map to different values is dropped: the hook cannot tell which one runs.
- ``installed_apps(paths, read) -> set[str] | None``: the string constants of the settings
  modules that hold ``INSTALLED_APPS`` (``"shop"``, ``"dojo.announcement"``): what it may name;
  ``None`` when no settings module has one. ``names_app(names, app_path)`` matches one.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Callable, Iterable

from django_migration_hooks.djangoread.listing import is_skipped

TextReader = Callable[[str], "str | None"]


def is_settings_path(path: str) -> bool:
    directory, _, filename = path.rpartition("/")
    if not filename.endswith(".py"):
        return False
    return "settings" in filename or posixpath.basename(directory) == "settings"


def _trees(paths: Iterable[str], read: TextReader, needle: str) -> Iterable[ast.Module]:
    for path in paths:
        if not is_settings_path(path) or is_skipped(path):
            continue
        text = read(path)
        if not text or needle not in text:
            continue
        try:
            yield ast.parse(text)
        except (SyntaxError, ValueError):
            continue


def _literal_map(node: ast.expr) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    if not isinstance(node, ast.Dict):
        return found
    for key, value in zip(node.keys, node.values, strict=True):
        if (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and isinstance(value, ast.Constant)
            and (value.value is None or isinstance(value.value, str))
        ):
            found[key.value] = value.value
    return found


def migration_modules(paths: Iterable[str], read: TextReader) -> dict[str, str | None]:
    """App label -> migrations module (None: off) from `MIGRATION_MODULES` dict literals."""
    seen: dict[str, set[str | None]] = {}
    for tree in _trees(paths, read, "MIGRATION_MODULES"):
        for node in ast.walk(tree):
            value: ast.expr | None = None
            if (
                isinstance(node, ast.Assign)
                and any(
                    isinstance(t, ast.Name) and t.id == "MIGRATION_MODULES" for t in node.targets
                )
                or (
                    isinstance(node, ast.AnnAssign)
                    and isinstance(node.target, ast.Name)
                    and node.target.id == "MIGRATION_MODULES"
                )
            ):
                value = node.value
            if value is not None:
                for label, module in _literal_map(value).items():
                    seen.setdefault(label, set()).add(module)
    return {label: next(iter(found)) for label, found in seen.items() if len(found) == 1}


def installed_apps(paths: Iterable[str], read: TextReader) -> set[str] | None:
    """Every string in the INSTALLED_APPS-holding settings modules that could name an app
    (`shop`, `apps.shop`, `apps.shop.apps.ShopConfig`); None when no settings module has one."""
    names: set[str] | None = None
    for tree in _trees(paths, read, "INSTALLED_APPS"):
        names = set() if names is None else names
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and all(part.isidentifier() for part in node.value.split("."))
            ):
                names.add(node.value)
    return names


def names_app(names: Iterable[str], app_path: str) -> bool:
    """Whether a settings string names the app folder (`apps.shop` names `src/apps/shop`; an
    AppConfig path names its app's folder; a plain label names a folder of that name)."""
    for name in names:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            if f"/{app_path}".endswith("/" + "/".join(parts[:end])):
                return True
    return False
