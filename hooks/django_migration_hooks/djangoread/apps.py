"""Static discovery of Django apps from a list of repository files: nothing is imported.

Stable API (other hooks import it; keep it backward compatible):

- ``App(path, label, models, migrations_dir, has_init, migrations, apps_py)``, a NamedTuple:
  ``path`` is the repo-relative app folder (``""`` when the repository root is itself the app),
  ``label`` the label Django would use, ``models`` the repo-relative model modules (``models.py`` or
  every ``.py`` under ``models/``), ``migrations_dir`` the repo-relative Django migrations folder or
  ``None``, ``has_init`` whether ``migrations/__init__.py`` is present, ``migrations`` the migration
  modules directly in that folder (``__init__.py`` excluded, sorted), ``apps_py`` the repo-relative
  ``apps.py`` or ``None``. ``App.join(name)`` joins a name under the app folder;
  ``App.future_migration()`` is the path of the next migration ``makemigrations`` would write.
- ``find_apps(paths, read=read_disk) -> list[App]``: apps among repo-relative ``/`` file
  paths, sorted by path. A folder is an app when it has an ``apps.py`` defining an ``AppConfig``,
  a models module that uses Django, or a Django migrations folder. Virtualenvs,
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
- ``concrete_models`` knows models by their bases: ``models.Model``, ``Model``, Django's user
  bases, model classes of the same module, names ending in ``Model`` not imported from pydantic
  and similar libraries (``BaseModel`` never counts).

Repository listings (``is_skipped``, ``list_repository``, ``Listing``, ``tracked_files``,
``real_path``, ``repo_files``) live in ``djangoread.listing`` and are part of this API too: the
hooks read apps and listings through one module.
"""

from __future__ import annotations

import ast
import bisect
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django_migration_hooks import _git
from django_migration_hooks._files import FileProblem, read_text
from django_migration_hooks.djangoread.listing import Listing as Listing
from django_migration_hooks.djangoread.listing import is_skipped as is_skipped
from django_migration_hooks.djangoread.listing import list_repository as list_repository
from django_migration_hooks.djangoread.listing import parent_dir
from django_migration_hooks.djangoread.listing import real_path as real_path
from django_migration_hooks.djangoread.listing import repo_files as repo_files
from django_migration_hooks.djangoread.listing import tracked_files as tracked_files

TextReader = Callable[[str], "str | None"]  # a file's text, None when absent or unreadable

USER_BASES = frozenset({"AbstractUser", "AbstractBaseUser"})
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


def concrete_models(text: str) -> list[tuple[str, int]]:
    """(class name, line) of each concrete Django model (not abstract, not a proxy) in source.

    A class is a model when a base is `models.Model`, `Model`, Django's user bases, a name
    ending in `Model` that is not imported from a non-Django library (`pydantic.BaseModel` is
    not a model), or another model class of the same module (abstract ones included).
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    foreign = _foreign_names(tree)
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.bases]
    local: set[str] = set()
    changed = True
    while changed:  # models deriving from models of the same module, in any order
        changed = False
        for node in classes:
            if node.name not in local and any(
                _looks_like_model_base(base, local, foreign) for base in node.bases
            ):
                local.add(node.name)
                changed = True
    found = [(node.name, node.lineno) for node in classes if node.name in local and _concrete(node)]
    return sorted(found, key=lambda item: item[1])


def defines_models(text: str) -> bool:
    """Whether model source defines a concrete Django model (not abstract, not a proxy)."""
    return bool(concrete_models(text))


NON_DJANGO_MODULES = frozenset(
    {"pydantic", "pydantic_settings", "ninja", "msgspec", "attrs", "sqlalchemy", "sqlmodel"}
)


def _foreign_names(tree: ast.Module) -> set[str]:
    """Names bound to non-Django libraries: `from pydantic import BaseModel`, `import pydantic`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in NON_DJANGO_MODULES:
                names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in NON_DJANGO_MODULES:
                    names.add(alias.asname or alias.name.split(".")[0])
    return names


def _looks_like_model_base(
    node: ast.expr, local: Iterable[str] = (), foreign: Iterable[str] = ()
) -> bool:
    if isinstance(node, ast.Subscript):  # Generic[...] style bases
        node = node.value
    if isinstance(node, ast.Attribute):
        root = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and (root.id in foreign or root.id in NON_DJANGO_MODULES):
            return False
        name = node.attr
    elif isinstance(node, ast.Name):
        name = node.id
        if name in local:
            return True
        if name in foreign:
            return False
    else:
        return False
    if name == "BaseModel":  # pydantic's, django-ninja's Schema base, ...: not Django's
        return False
    return name.endswith("Model") or name in USER_BASES


def meta_true(meta: ast.ClassDef, name: str) -> bool:
    """Whether a Meta class sets `name = True` (the first constant assigned to it counts)."""
    for stmt in meta.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
            and isinstance(stmt.value, ast.Constant)
        ):
            return stmt.value.value is True
    return False


def _concrete(cls: ast.ClassDef) -> bool:
    """Whether no Meta class of a model class makes it abstract or a proxy."""
    return not any(
        meta_true(item, flag)
        for item in cls.body
        if isinstance(item, ast.ClassDef) and item.name == "Meta"
        for flag in ("abstract", "proxy")
    )


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
    files = [
        p
        for p in paths
        if ("models" in p or "migrations/" in p or p.endswith("apps.py") or "pyvenv.cfg" in p)
        and not is_skipped(p)
    ]
    venvs = _venv_roots(files)
    if venvs:
        files = [p for p in files if not _in_any(p, venvs)]

    by_dir: dict[str, list[str]] = {}
    for path in files:
        by_dir.setdefault(parent_dir(path), []).append(path.rpartition("/")[2])

    models_pkg: dict[str, list[str]] = {}  # app dir -> .py files under models/
    migration_dirs: dict[str, list[str]] = {}  # app dir -> names under migrations/
    for path in files:
        parts = path.split("/")
        for i, part in enumerate(parts[:-1]):
            if part == "models" and parts[-1].endswith(".py"):
                models_pkg.setdefault("/".join(parts[:i]), []).append(path)
            elif part == "migrations":
                migration_dirs.setdefault("/".join(parts[:i]), []).append("/".join(parts[i + 1 :]))

    candidates: set[str] = set(migration_dirs) | set(models_pkg)
    for directory, names in by_dir.items():
        if "models.py" in names or "apps.py" in names:
            candidates.add(directory)

    apps: list[App] = []
    for directory in sorted(candidates):
        if posixpath.basename(directory) in ("migrations", "models"):
            continue
        names = by_dir.get(directory, [])

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
            continue
        apps.append(
            App(
                path=directory,
                label=app_label(directory, read),
                models=model_files,
                migrations_dir=migrations_dir,
                has_init=has_init,
                migrations=migrations,
                apps_py=apps_py,
            )
        )
    return apps


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
