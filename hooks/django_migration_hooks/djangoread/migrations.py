"""Django migration files read with `ast`, nothing imported: what one migration declares.

Stable API (other modules import it; keep it backward compatible, only append fields):

- ``Key = tuple[str, str]``: ``(app_label, migration_name)``, as Django's graph keys.
- ``Dependency(app_label, name, line, col, setting)``: one entry of ``dependencies``,
  ``replaces`` or ``run_before`` with its 1-based position. ``setting`` is the setting name for
  ``migrations.swappable_dependency(settings.AUTH_USER_MODEL)`` (then ``name`` is ``"__first__"``
  and ``app_label`` the app of the setting's value, ``""`` when it could not be resolved). A
  ``Dependency`` is a tuple; ``dep.key`` is ``(app_label, name)``.
- ``MigrationFile(path, app_label, name, dependencies, replaces, run_before, initial, atomic,
  operations, tree, line, col, dependency_refs, replaces_refs, run_before_refs)``:
  ``dependencies``/``replaces``/``run_before`` are ``tuple[Key, ...]``; ``initial``/``atomic`` are
  ``bool | None`` (``None``: not set); ``operations`` the ``ast.Call`` elements of the
  ``operations`` list, in order, with their positions; ``tree`` the parsed module (``None`` only for
  files read by the fast header scan, see ``scan_migration``); ``line``/``col`` the 1-based
  position of ``class Migration``; ``*_refs`` the same entries as ``Dependency`` with positions.
  ``.key`` is ``(app_label, name)``. ``broken`` is ``True`` for a file Python cannot parse (see
  ``broken_migration``).
- ``parse_migration(path, source, *, app_label=None, swappable=None) -> MigrationFile | None``:
  ``None`` when the file has no top-level ``class Migration`` or is not valid Python (syntax
  belongs to other tools). ``source`` is ``str`` or ``bytes``. ``app_label`` defaults to the
  folder above ``migrations/``. ``swappable`` maps setting names to ``"app.Model"`` values
- ``is_migration_path(path) -> bool`` and ``find_migration_files(paths) -> list[str]``:
  ``<app>/migrations/<name>.py`` files of Django apps (``__init__.py``, names starting with ``_``
  or ``~``, folders without ``__init__.py`` and Alembic/Flyway folders are left out).
- ``read_settings(paths, read) -> dict[str, str]``: ``NAME = "app.Model"`` assignments found in
  settings modules (``*settings*.py``, ``settings/*.py``), for ``swappable``; a name with several
  different values is left out.
- ``source_text(bytes) -> str | None``: a file's text in any encoding Python accepts.

The fast header scan (``scan_migration``) and files Python cannot parse (``broken_migration``)
are in ``djangoread.scan``; loading files and the graph (``load_migrations``, ``parse_sources``,
``Graph``, ``load_graph``) in ``djangoread.graph``.
"""

from __future__ import annotations

import ast
import io
import posixpath
import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from django_migration_hooks import _ast
from django_migration_hooks.djangoread import apps as _apps

Key = tuple[str, str]

DEFAULT_SETTINGS: Mapping[str, str] = {"AUTH_USER_MODEL": "auth.User"}
SPECIAL_NAMES = ("__first__", "__latest__")


class Dependency(NamedTuple):
    app_label: str
    name: str
    line: int
    col: int
    setting: str = ""

    @property
    def key(self) -> Key:
        return (self.app_label, self.name)


class MigrationFile(NamedTuple):
    path: str
    app_label: str
    name: str
    dependencies: tuple[Key, ...]
    replaces: tuple[Key, ...]
    run_before: tuple[Key, ...]
    initial: bool | None
    atomic: bool | None
    operations: tuple[ast.Call, ...]
    tree: ast.Module | None
    line: int = 1
    col: int = 1
    dependency_refs: tuple[Dependency, ...] = ()
    replaces_refs: tuple[Dependency, ...] = ()
    run_before_refs: tuple[Dependency, ...] = ()
    broken: bool = False  # not valid Python (or not text): a node whose edges were read as text
    uncertain: str = ""  # why its edges are not all known (an entry the hook cannot evaluate)

    @property
    def key(self) -> Key:
        return (self.app_label, self.name)


def migration_file(
    path: str,
    app_label: str | None,
    edges: Mapping[str, Sequence[Dependency]],
    *,
    initial: bool | None = None,
    atomic: bool | None = None,
    operations: tuple[ast.Call, ...] = (),
    tree: ast.Module | None = None,
    line: int = 1,
    col: int = 1,
    broken: bool = False,
    uncertain: str = "",
) -> MigrationFile:
    """A MigrationFile of `path`; `edges` maps dependencies/replaces/run_before to entries."""
    dependencies = tuple(edges.get("dependencies", ()))
    replaces = tuple(edges.get("replaces", ()))
    run_before = tuple(edges.get("run_before", ()))
    return MigrationFile(
        path=path,
        app_label=app_label if app_label is not None else default_app_label(path),
        name=posixpath.basename(path)[:-3],
        dependencies=tuple(d.key for d in dependencies),
        replaces=tuple(d.key for d in replaces),
        run_before=tuple(d.key for d in run_before),
        initial=initial,
        atomic=atomic,
        operations=operations,
        tree=tree,
        line=line,
        col=col,
        dependency_refs=dependencies,
        replaces_refs=replaces,
        run_before_refs=run_before,
        broken=broken,
        uncertain=uncertain,
    )


# --- paths --------------------------------------------------------------------------------------


def is_migration_path(path: str) -> bool:
    """`<anything>/migrations/<name>.py` with a name Django would load."""
    directory, _, filename = path.rpartition("/")
    if posixpath.basename(directory) != "migrations" or not filename.endswith(".py"):
        return False
    return filename[0] not in "_~" and filename.count(".") == 1


def default_app_label(path: str) -> str:
    """The folder above `migrations/` (the label of an app without a custom AppConfig label)."""
    migrations_dir = path.rpartition("/")[0]
    app_dir = migrations_dir.rpartition("/")[0]
    return posixpath.basename(app_dir) if app_dir else "app"


def find_migration_files(paths: Iterable[str], read: _apps.TextReader | None = None) -> list[str]:
    """Migration modules of Django apps among repo-relative paths, sorted."""
    return sorted(path for app in django_apps(paths, read) for path in app_migrations(app))


def django_apps(paths: Iterable[str], read: _apps.TextReader | None = None) -> list[_apps.App]:
    return _apps.find_apps(paths, read or _apps.read_disk)


def app_migrations(app: _apps.App) -> list[str]:
    """The migration modules Django loads for an app (none when migrations/ has no __init__.py)."""
    if app.migrations_dir is None or not app.has_init:
        return []
    # the folder may have any name (MIGRATION_MODULES): only the module names count here
    return [p for p in app.migrations if is_migration_path(f"migrations/{posixpath.basename(p)}")]


# --- settings -----------------------------------------------------------------------------------

SETTING_RE = re.compile(
    r"^([A-Z][A-Z0-9_]*)[ \t]*(?::[^=\n]*)?=[ \t]*"
    r"""(['"])([A-Za-z_]\w*\.[A-Za-z_]\w*)\2[ \t]*(?:#.*)?$""",
    re.MULTILINE,
)


def is_settings_path(path: str) -> bool:
    directory, _, filename = path.rpartition("/")
    if not filename.endswith(".py"):
        return False
    return "settings" in filename or posixpath.basename(directory) == "settings"


def read_settings(paths: Iterable[str], read: _apps.TextReader | None = None) -> dict[str, str]:
    """Top-level `NAME = "app.Model"` assignments in settings modules; ambiguous names dropped."""
    reader = read or _apps.read_disk
    values: dict[str, set[str]] = {}
    for path in paths:
        if not is_settings_path(path) or _apps.is_skipped(path):
            continue
        text = reader(path)
        if not text:
            continue
        for match in SETTING_RE.finditer(text):
            values.setdefault(match.group(1), set()).add(match.group(3))
    return {name: next(iter(found)) for name, found in values.items() if len(found) == 1}


# --- parsing ------------------------------------------------------------------------------------


def _entry(
    node: ast.expr, swappable: Mapping[str, str], line0: int, col0: int
) -> Dependency | None:
    """One dependency-like element, positions shifted by (line0, col0) for snippets."""
    line = node.lineno + line0
    col = node.col_offset + 1 + (col0 if node.lineno == 1 else 0)
    if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == 2:
        app, name = _ast.string(node.elts[0]), _ast.string(node.elts[1])
        if app is not None and name is not None:
            return Dependency(app, name, line, col)
        return None
    if (
        isinstance(node, ast.Call)
        and _ast.last_name(node.func) == "swappable_dependency"
        and len(node.args) == 1
        and not node.keywords
    ):
        arg = node.args[0]
        if isinstance(arg, ast.Attribute) and _ast.last_name(arg.value) == "settings":
            value = swappable.get(arg.attr, DEFAULT_SETTINGS.get(arg.attr, ""))
            return Dependency(
                value.split(".", 1)[0] if value else "", "__first__", line, col, arg.attr
            )
        literal = _ast.string(arg)
        if literal is not None:
            return Dependency(literal.split(".", 1)[0], "__first__", line, col)
    return None


def literal_entries(
    node: ast.expr, swappable: Mapping[str, str], line0: int = 0, col0: int = 0
) -> tuple[list[Dependency], bool]:
    """The readable entries of a list/tuple literal, and whether every element was readable."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # [...] + [...]
        left, left_complete = literal_entries(node.left, swappable, line0, col0)
        right, right_complete = literal_entries(node.right, swappable, line0, col0)
        return left + right, left_complete and right_complete
    if not isinstance(node, (ast.List, ast.Tuple)):
        return [], False
    found: list[Dependency] = []
    complete = True
    for element in node.elts:
        entry = _entry(element, swappable, line0, col0)
        if entry is None:
            complete = False
        else:
            found.append(entry)
    return found, complete


def _bool(node: ast.expr) -> bool | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    return None


def _migration_class(tree: ast.Module) -> ast.ClassDef | None:
    found: ast.ClassDef | None = None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Migration":
            found = node  # the last definition wins, as at import time
    return found


def parse_migration(
    path: str,
    source: str | bytes,
    *,
    app_label: str | None = None,
    swappable: Mapping[str, str] | None = None,
) -> MigrationFile | None:
    """A migration module read with ast; None without a top-level `class Migration`."""
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError):
        return None
    cls = _migration_class(tree)
    if cls is None:
        return None
    settings = swappable or {}
    fields: dict[str, ast.expr] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    fields[target.id] = stmt.value
        elif (
            isinstance(stmt, ast.AnnAssign)
            and stmt.value is not None
            and isinstance(stmt.target, ast.Name)
        ):
            fields[stmt.target.id] = stmt.value
    refs: dict[str, list[Dependency]] = {}
    uncertain = _changed_elsewhere(cls)
    for name in EDGE_FIELDS:
        node = fields.get(name)
        refs[name], complete = literal_entries(node, settings) if node is not None else ([], True)
        if not complete and not uncertain:
            uncertain = f"`{name}` holds {_first_unreadable(node, settings)}"
    operations: tuple[ast.Call, ...] = ()
    ops = fields.get("operations")
    if isinstance(ops, (ast.List, ast.Tuple)):
        operations = tuple(e for e in ops.elts if isinstance(e, ast.Call))
    initial = fields.get("initial")
    atomic = fields.get("atomic")
    return migration_file(
        path,
        app_label,
        refs,
        initial=_bool(initial) if initial is not None else None,
        atomic=_bool(atomic) if atomic is not None else None,
        operations=operations,
        tree=tree,
        line=cls.lineno,
        col=cls.col_offset + 1,
        uncertain=uncertain,
    )


EDGE_FIELDS = ("dependencies", "replaces", "run_before")


def _first_unreadable(node: ast.expr | None, swappable: Mapping[str, str]) -> str:
    """The first entry the hook cannot evaluate and its line, for a notice."""
    for element in _elements(node) if node is not None else []:
        if _entry(element, swappable, 0, 0) is None:
            return f"`{ast.unparse(element)}` (line {element.lineno}), not a literal"
    return "an entry that is not a literal"  # pragma: no cover - incomplete fields have one


def _elements(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp):
        return [*_elements(node.left), *_elements(node.right)]
    return list(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else [node]


def _changed_elsewhere(cls: ast.ClassDef) -> str:
    """A reason when the class body changes an edge field other than by a plain assignment."""
    for stmt in cls.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.FunctionDef, ast.ClassDef)):
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id in EDGE_FIELDS:
                return f"`{node.id}` is changed at line {node.lineno}, not a literal"
    return ""


def source_text(data: bytes) -> str | None:
    """A Python file's text as Python reads it: UTF-8 (BOM allowed) or its PEP 263 cookie."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None
