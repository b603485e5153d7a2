"""What the two analyses of the static tier share: app folders, model lookups, findings."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from django_migration_hooks._config import Config
from django_migration_hooks._report import Finding, unsuppressed
from django_migration_hooks.djangoread.apps import App
from django_migration_hooks.djangoread.models import ModelIndex
from django_migration_hooks.djangoread.records import Model
from django_migration_hooks.djangoread.trees import SourceTree


def makemigrations_hint(label: str) -> str:
    return f"python manage.py makemigrations {label}"


def _suppressed(findings: Iterable[Finding], tree: SourceTree) -> list[Finding]:
    """The one suppression path, reading `# noqa` from the tree the findings were made from."""
    return unsuppressed(findings, Config(), lambda paths: [tree.read(p) for p in paths])


def app_dir_of(path: str) -> str:
    """The folder that would be the app of a file (the part before migrations/ or models/)."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part in ("migrations", "models"):
            return "/".join(parts[:i])
    return "/".join(parts[:-1])


def models_of(index: ModelIndex, apps: Iterable[App]) -> dict[tuple[str, str], list[Model]]:
    found: dict[tuple[str, str], list[Model]] = {}
    seen: set[tuple[str, str]] = set()
    for app in apps:
        for model in index.app_models(app):
            if (model.path, model.name) in seen:
                continue
            seen.add((model.path, model.name))
            found.setdefault(model.key, []).append(model)
    return found


def broken_apps(index: ModelIndex, apps: Iterable[App]) -> set[str]:
    """Apps with a model module (or one they import) that does not parse: models unknown."""
    broken = set()
    for app in apps:
        if any(path in index.unparsable for path in index.app_modules(app)):
            broken.add(app.path)
    return broken


def ancestors(path: str) -> list[str]:
    result = []
    directory = posixpath.dirname(path)
    while True:
        result.append(directory)
        if not directory:
            return result
        directory = posixpath.dirname(directory)


def is_migration(path: str) -> bool:
    return posixpath.basename(posixpath.dirname(path)) == "migrations"


def full_model(model: Model) -> bool:
    """A managed, non-proxy model: Django records field changes for it."""
    return model.managed and not model.proxy


def field_signatures(model: Model) -> list[tuple[str, str]]:
    return sorted((f.name, f.signature) for f in model.fields.values())
