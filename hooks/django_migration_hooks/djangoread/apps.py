"""Static discovery of Django apps from a list of repository files: nothing is imported.

Stable API (other hooks import it; keep it backward compatible):

- ``App(path, label, models, migrations_dir, has_init, migrations, apps_py)``, a NamedTuple:
  ``path`` is the repo-relative app folder (``""`` when the repository root is itself the app),
  ``label`` the label Django would use, ``models`` the repo-relative model modules (``models.py`` or
  every ``.py`` under ``models/``), ``migrations_dir`` the repo-relative Django migrations folder or
  ``None``, ``has_init`` whether ``migrations/__init__.py`` is present, ``migrations`` the migration
  modules directly in that folder (``__init__.py`` excluded, sorted), ``apps_py`` the repo-relative
  ``apps.py`` or ``None``, ``migrations_off`` whether ``MIGRATION_MODULES`` maps the label to
  ``None``, ``not_installed`` whether it has models but no AppConfig, no migrations package and
  no mention in the ``INSTALLED_APPS`` of the repository's settings. ``App.join(name)`` joins a
  name under the app folder;
  ``App.future_migration()`` is the path of the next migration ``makemigrations`` would write.
- ``find_apps(paths, read=read_disk) -> list[App]``: apps among repo-relative ``/`` file
  paths, sorted by path. A folder is an app when it has an ``apps.py`` defining an ``AppConfig``,
  a models module that uses Django, or a Django migrations folder; a folder named ``models``
  is an app when it has its own ``apps.py`` or ``migrations/``. The models of a sub-package
  with no AppConfig and no migrations belong to the nearest app above it (unless a settings
  module names it as a dotted string). ``MIGRATION_MODULES`` dict literals of settings modules
  move an app's migrations folder (``None``: ``migrations_off``). Virtualenvs,
  ``site-packages``, ``node_modules``, ``__pypackages__`` and caches are skipped (build output
  only where git tracks nothing: see ``list_repository``). ``read(path)``
  returns file contents or ``None`` (default: the working tree, relative to the cwd); pass
  another reader to analyse a git revision.
- ``app_label(app_dir, read=read_disk) -> str``: ``label = "..."`` from ``apps.py``, else the last
  component of ``name = "..."``, else the folder name.
- ``is_django_migrations_dir(migrations_dir, paths, read=read_disk) -> bool``: ``False`` for
  Alembic/Flask-Migrate (``env.py`` + ``script.py.mako``, ``alembic.ini``, ``versions/``), Flyway
  and plain SQL folders.
- ``concrete_models(text) -> list[tuple[str, int]]``: (class name, line) of each concrete
  (non-abstract, non-proxy) model class in model source; ``defines_models(text) -> bool``.
- ``read_disk(path) -> str | None``: the default reader (UTF-8 text, ``None`` when unreadable).
- ``project_apps(apps, listing)``: the apps minus those with no tracked file whose folder git
  ignores (scratch copies, vendored packages).
- ``concrete_models`` knows models by their bases (``djangoread.modelclasses``): bases that lead
  to Django's ``Model`` through imports from ``django``, model classes of the same module, or
  names imported from elsewhere ending in ``Model``; never pydantic, SQLAlchemy, dataclasses
  and similar libraries, nor module-level variables.

Repository listings (``is_skipped``, ``list_repository``, ``Listing``, ``tracked_files``,
``real_path``, ``repo_files``) live in ``djangoread.listing`` and are part of this API too: the
hooks read apps and listings through one module.
"""

from __future__ import annotations

import bisect
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django_migration_hooks import _git
from django_migration_hooks._files import FileProblem, read_text
from django_migration_hooks.djangoread import settings as _settings
from django_migration_hooks.djangoread.listing import Listing as Listing
from django_migration_hooks.djangoread.listing import is_skipped as is_skipped
from django_migration_hooks.djangoread.listing import list_repository as list_repository
from django_migration_hooks.djangoread.listing import parent_dir
from django_migration_hooks.djangoread.listing import real_path as real_path
from django_migration_hooks.djangoread.listing import repo_files as repo_files
from django_migration_hooks.djangoread.listing import tracked_files as tracked_files
from django_migration_hooks.djangoread.modelclasses import USER_BASES as USER_BASES
from django_migration_hooks.djangoread.modelclasses import concrete_models as concrete_models
from django_migration_hooks.djangoread.modelclasses import defines_models as defines_models
from django_migration_hooks.djangoread.modelclasses import meta_true as meta_true

TextReader = Callable[[str], "str | None"]  # a file's text, None when absent or unreadable

MIGRATION_RE = re.compile(r"^(\d+)_")
LABEL_RE = re.compile(r"""^[ \t]+label[ \t]*(?::[^=]*)?=[ \t]*(['"])([^'"\n]+)\1""", re.MULTILINE)
NAME_RE = re.compile(r"""^[ \t]+name[ \t]*(?::[^=]*)?=[ \t]*(['"])([^'"\n]+)\1""", re.MULTILINE)
DJANGO_MIGRATION_RE = re.compile(
    r"^\s*class\s+Migration\s*\(\s*(?:migrations\.|django\.db\.migrations\.)?Migration\s*\)"
    r"|^\s*from\s+django\.db\s+import\s+.*\bmigrations\b",
    re.MULTILINE,
)


class App(NamedTuple):
    path: str
    label: str
    models: list[str]
    migrations_dir: str | None
    has_init: bool
    migrations: list[str]
    apps_py: str | None
    migrations_off: bool = False  # MIGRATION_MODULES maps the label to None
    # models with no AppConfig and no migrations package that no INSTALLED_APPS of the
    # repository's settings names: Django never loads them (sample code)
    not_installed: bool = False

    def join(self, *names: str) -> str:
        return posixpath.join(self.path, *names) if self.path else posixpath.join(*names)

    def future_migration(self) -> str:
        """The next migration file `makemigrations` would write for this app."""
        numbers = [
            int(m.group(1))
            for m in (MIGRATION_RE.match(posixpath.basename(p)) for p in self.migrations)
            if m
        ]
        directory = self.migrations_dir or self.join("migrations")
        if not numbers:
            return posixpath.join(directory, "0001_initial.py")
        return posixpath.join(directory, f"{max(numbers) + 1:04d}_auto.py")


def read_disk(path: str) -> str | None:
    try:
        return read_text(path).text
    except FileProblem:
        return None


def _venv_roots(paths: Iterable[str]) -> set[str]:
    return {parent_dir(p) for p in paths if p == "pyvenv.cfg" or p.endswith("/pyvenv.cfg")}


def _in_any(path: str, roots: set[str]) -> bool:
    if not roots:
        return False
    if "" in roots:
        return True
    directory = path
    while "/" in directory:
        directory = parent_dir(directory)
        if directory in roots:
            return True
    return False


def app_label(app_dir: str, read: TextReader = read_disk) -> str:
    """The label Django would give the app in app_dir (repo-relative, "" for the root)."""
    text = read(posixpath.join(app_dir, "apps.py") if app_dir else "apps.py")
    if text:
        match = LABEL_RE.search(text)
        if match:
            return match.group(2)
        match = NAME_RE.search(text)
        if match:
            return match.group(2).rpartition(".")[2]
    if app_dir:
        return posixpath.basename(app_dir)
    return os.path.basename(os.path.abspath(".")) or "app"


def _uses_django(text: str | None) -> bool:
    return bool(text) and "django" in (text or "")


def is_django_migrations_dir(
    migrations_dir: str, paths: Iterable[str], read: TextReader = read_disk
) -> bool:
    """Whether a folder named migrations holds Django migrations (not Alembic/Flyway/SQL)."""
    prefix = migrations_dir + "/" if migrations_dir else ""
    names = [p[len(prefix) :] for p in paths if p.startswith(prefix)]
    return _django_migrations(migrations_dir, names, read, next_to_app=False)


def _django_migrations(
    directory: str, names: list[str], read: TextReader, *, next_to_app: bool
) -> bool:
    top = {n for n in names if "/" not in n}
    if {"env.py", "script.py.mako"} <= top or "alembic.ini" in top:
        return False
    if any(n.startswith("versions/") for n in names) and "env.py" in top:
        return False
    modules = sorted(n for n in top if n.endswith(".py") and n != "__init__.py")
    if not modules and "__init__.py" not in top:
        return next_to_app and not top  # e.g. db/migrations/V1__init.sql is not Django's
    if next_to_app:
        return True  # next to a Django app and not Alembic's
    for name in modules:
        text = read(posixpath.join(directory, name) if directory else name)
        if text and DJANGO_MIGRATION_RE.search(text):
            return True
    return False


def find_apps(paths: Iterable[str], read: TextReader = read_disk) -> list[App]:
    """Django apps among repo-relative file paths (no imports), sorted by path."""
    cache: dict[str, str | None] = {}

    def cached(path: str) -> str | None:
        if path not in cache:
            cache[path] = read(path)
        return cache[path]

    return _find_apps(paths, cached)


def _find_apps(paths: Iterable[str], read: TextReader) -> list[App]:
    every = list(paths)
    files = [
        p
        for p in every
        if ("models" in p or "migrations/" in p or p.endswith("apps.py") or "pyvenv.cfg" in p)
        and not is_skipped(p)
    ]
    venvs = _venv_roots(files)
    if venvs:
        files = [p for p in files if not _in_any(p, venvs)]

    by_dir: dict[str, list[str]] = {}
    for path in files:
        by_dir.setdefault(parent_dir(path), []).append(path.rpartition("/")[2])
    # a folder named models with its own apps.py or migrations/ is an app (label `models`),
    # not the models package of the folder above
    models_apps = {
        d
        for d in by_dir
        if posixpath.basename(d) == "models"
        and ("apps.py" in by_dir[d] or f"{d}/migrations" in by_dir)
    }

    models_pkg: dict[str, list[str]] = {}  # app dir -> .py files under models/
    migration_dirs: dict[str, list[str]] = {}  # app dir -> names under migrations/
    for path in files:
        parts = path.split("/")
        for i, part in enumerate(parts[:-1]):
            if part == "migrations":
                migration_dirs.setdefault("/".join(parts[:i]), []).append("/".join(parts[i + 1 :]))
            elif (
                part == "models"
                and parts[-1].endswith(".py")
                and "/".join(parts[: i + 1]) not in models_apps
            ):
                models_pkg.setdefault("/".join(parts[:i]), []).append(path)

    candidates: set[str] = set(migration_dirs) | set(models_pkg)
    for directory, names in by_dir.items():
        if "models.py" in names or "apps.py" in names:
            candidates.add(directory)

    configs: set[str] = set()  # app folders with an AppConfig
    apps: list[App] = []
    for directory in sorted(candidates):
        base = posixpath.basename(directory)
        if base == "migrations" or (base == "models" and directory not in models_apps):
            continue
        app = _app(directory, by_dir.get(directory, []), models_pkg, migration_dirs, read)
        if app is not None:
            apps.append(app)
            if app.apps_py is not None and "AppConfig" in (read(app.apps_py) or ""):
                configs.add(directory)
    installed = _settings.installed_apps(every, read)
    apps = _merge_subpackages(apps, configs, {name for name in installed or () if "." in name})
    apps = _apply_migration_modules(apps, every, _settings.migration_modules(every, read))
    if installed is None:
        return apps
    return [
        app._replace(not_installed=True)
        if app.migrations_dir is None
        and app.path not in configs
        and not _settings.names_app(installed, app.path)
        else app
        for app in apps
    ]


def _app(
    directory: str,
    names: list[str],
    models_pkg: dict[str, list[str]],
    migration_dirs: dict[str, list[str]],
    read: TextReader,
) -> App | None:
    def join(name: str, d: str = directory) -> str:
        return f"{d}/{name}" if d else name

    apps_py = join("apps.py") if "apps.py" in names else None
    model_files = sorted(
        [join("models.py")] if "models.py" in names else models_pkg.get(directory, [])
    )
    is_app_config = apps_py is not None and "AppConfig" in (read(apps_py) or "")
    uses_django = is_app_config or any(_uses_django(read(m)) for m in model_files[:20])

    migrations_dir: str | None = None
    has_init = False
    migrations: list[str] = []
    names_below = migration_dirs.get(directory)
    if names_below is not None and _django_migrations(
        join("migrations"), names_below, read, next_to_app=uses_django
    ):
        migrations_dir = join("migrations")
        top = sorted(n for n in names_below if "/" not in n)
        has_init = "__init__.py" in top
        migrations = [
            f"{migrations_dir}/{n}" for n in top if n.endswith(".py") and n != "__init__.py"
        ]
    if not uses_django and migrations_dir is None:
        return None
    return App(
        path=directory,
        label=app_label(directory, read),
        models=model_files,
        migrations_dir=migrations_dir,
        has_init=has_init,
        migrations=migrations,
        apps_py=apps_py,
    )


def _merge_subpackages(apps: list[App], configs: set[str], installed: set[str]) -> list[App]:
    """Model modules of an app's sub-packages belong to that app (Django loads `<app>.models`
    only: `dojo/finding/models.py` holds models of app `dojo`). A folder with its own
    AppConfig, migrations or a dotted name in the settings stays an app."""
    owners = {app.path for app in apps if app.path in configs or app.migrations_dir is not None}
    merged: dict[str, list[str]] = {}
    kept: list[App] = []
    for app in apps:
        owner = _owner(app.path, owners)
        if (
            owner is None
            or app.path in owners
            or any(f"/{app.path}".endswith("/" + name.replace(".", "/")) for name in installed)
        ):
            kept.append(app)
        else:
            merged.setdefault(owner, []).extend(app.models)
    return [
        app._replace(models=sorted({*app.models, *merged[app.path]})) if app.path in merged else app
        for app in kept
    ]


def _owner(path: str, owners: set[str]) -> str | None:
    """The nearest folder above path that is an app."""
    directory = path
    while directory:
        directory = parent_dir(directory)
        if directory in owners:
            return directory
    return None


def _apply_migration_modules(
    apps: list[App], paths: list[str], modules: dict[str, str | None]
) -> list[App]:
    """Migrations where `MIGRATION_MODULES` puts them; `None` switches them off on purpose."""
    if not modules:
        return apps
    result: list[App] = []
    for app in apps:
        if app.label not in modules:
            result.append(app)
            continue
        module = modules[app.label]
        if module is None:
            result.append(app._replace(migrations_off=True))
            continue
        directory = _module_dir(app.path, module)
        prefix = directory + "/" if directory else ""
        top = sorted(p[len(prefix) :] for p in paths if p.startswith(prefix))
        top = [n for n in top if "/" not in n]
        result.append(
            app._replace(
                migrations_dir=directory,
                has_init="__init__.py" in top,
                migrations=[prefix + n for n in top if n.endswith(".py") and n != "__init__.py"],
            )
        )
    return result


def _module_dir(app_path: str, module: str) -> str:
    """The folder of a dotted module, rooted where the app's own package name starts it."""
    parts = app_path.split("/") if app_path else []
    dotted = module.split(".")
    for start in range(len(parts)):
        tail = parts[start:]
        if dotted[: len(tail)] == tail:
            return "/".join([*parts[:start], *dotted])
    return "/".join([*parts[:-1], *dotted]) if parts else "/".join(dotted)


def project_apps(apps: Iterable[App], listing: Listing, cwd: str = ".") -> list[App]:
    """Apps that belong to the project: not those with no tracked file whose folder git
    ignores (scratch copies, build output, vendored packages: an app sitting whole inside an
    ignored folder). One batched `git check-ignore`, for untracked apps only."""
    tracked = sorted(listing.tracked)
    kept: list[App] = []
    untracked: list[App] = []
    for app in apps:
        prefix = app.path + "/"
        start = bisect.bisect_left(tracked, prefix)
        if not app.path or (start < len(tracked) and tracked[start].startswith(prefix)):
            kept.append(app)
        else:
            untracked.append(app)
    if untracked:
        ignored = _git.check_ignore((app.path + "/" for app in untracked), cwd=cwd)
        kept += [app for app in untracked if app.path + "/" not in ignored]
    return sorted(kept)
