"""check-untracked-migrations: Django migration files on disk that git does not track.

DMH205 covers untracked files and ignored ones alike (a peer that asks
`git ls-files --others --exclude-standard` never sees the ignored ones, the dangerous case). Only
Django migrations folders count (not Alembic/Flyway ones, not `__pycache__`, not virtualenvs, not
apps with no tracked file inside an ignored folder), and only names Django loads (not editor lock
files such as `.#0002_x.py`).
"""

from __future__ import annotations

import os
import posixpath
import shlex
from collections.abc import Iterable, Sequence

from django_migration_hooks import _git, rules
from django_migration_hooks._config import load_config
from django_migration_hooks._hook import parser
from django_migration_hooks._report import Finding, handles_errors, report, unsuppressed
from django_migration_hooks.djangoread import apps as _apps
from django_migration_hooks.djangoread.migrations import is_migration_path
from django_migration_hooks.rules import codes

HOOK_ID = "check-untracked-migrations"
SCHEMA: dict[str, str] = {}

RULES = rules.for_hook(HOOK_ID)


def candidates(untracked: Iterable[str]) -> list[str]:
    """Untracked migration modules (and `__init__.py`) directly in a migrations folder.

    Names Django would not load (editor lock files such as `.#0002_x.py`, `~` backups) and files
    in virtualenvs or dependency folders are left out.
    """
    found = []
    venv_cache: dict[str, bool] = {}
    for path in untracked:
        parts = path.split("/")
        if len(parts) < 2 or parts[-2] != "migrations":
            continue
        if parts[-1] != "__init__.py" and not is_migration_path(path):
            continue
        if _apps.is_skipped(path) or _in_venv(parts, venv_cache):
            continue
        found.append(path)
    return sorted(found)


def _in_venv(parts: Sequence[str], cache: dict[str, bool]) -> bool:
    for i in range(1, len(parts) - 2):
        directory = "/".join(parts[:i])
        if directory not in cache:
            cache[directory] = os.path.exists(os.path.join(directory, "pyvenv.cfg"))
        if cache[directory]:
            return True
    return False


def django_apps_for(paths: Iterable[str]) -> dict[str, _apps.App]:
    """The Django app owning each migrations folder in paths (read from disk), by folder."""
    folders = sorted({posixpath.dirname(p) for p in paths})
    listing: list[str] = []
    for folder in folders:
        app_dir = posixpath.dirname(folder)
        listing += _list(app_dir)
        listing += _list(folder)
        models_dir = posixpath.join(app_dir, "models") if app_dir else "models"
        listing += _list(models_dir)
    apps = _apps.find_apps(sorted(set(listing)))
    return {app.migrations_dir: app for app in apps if app.migrations_dir in folders}


def _list(folder: str) -> list[str]:
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return []
    prefix = f"{folder}/" if folder else ""
    return [prefix + name for name in names if os.path.isfile(os.path.join(folder or ".", name))]


def check_untracked(
    paths: Sequence[str],
    apps: dict[str, _apps.App],
    ignored: dict[str, _git.IgnoreMatch],
) -> list[Finding]:
    """DMH205 for untracked migration files of Django apps."""
    findings = []
    for path in paths:
        app = apps.get(posixpath.dirname(path))
        if app is None:
            continue
        quoted = shlex.quote(path)
        match = ignored.get(path)
        if match is None:
            message = f"migration of app `{app.label}` is not tracked by git"
            hint = f"git add {quoted}"
        else:
            message = (
                f"migration of app `{app.label}` is not tracked by git and is ignored by "
                f"`{match.pattern}` ({match.source}:{match.line})"
            )
            hint = f"git add -f {quoted}, and remove that ignore rule"
        findings.append(Finding(path, 1, 1, codes.DMH205, message, hint))
    return findings


def untracked_migrations() -> tuple[list[str], dict[str, _apps.App]]:
    """Untracked migration files of the project's apps, and the app of each migrations folder.

    Apps sitting whole inside an ignored folder without any tracked file (scratch copies,
    vendored packages) are not the project's.
    """
    listing = _apps.list_repository()
    untracked = candidates(p for p in listing.files if p not in listing.tracked)
    apps = django_apps_for(untracked)
    kept = {app.path for app in _apps.project_apps(apps.values(), listing)}
    return untracked, {folder: app for folder, app in apps.items() if app.path in kept}


def check_repository() -> list[Finding]:
    untracked, apps = untracked_migrations()
    untracked = [p for p in untracked if posixpath.dirname(p) in apps]
    findings = check_untracked(untracked, apps, _git.check_ignore(untracked))
    return unsuppressed(findings, load_config(HOOK_ID, SCHEMA))


@handles_errors(HOOK_ID)
def main(argv: Sequence[str] | None = None) -> int:
    p = parser(HOOK_ID, __doc__.splitlines()[0] if __doc__ else HOOK_ID)
    args = p.parse_args(argv)
    _git.require_work_tree()
    return report(check_repository(), args)


if __name__ == "__main__":
    raise SystemExit(main())
