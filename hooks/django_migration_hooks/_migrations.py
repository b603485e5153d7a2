"""Django migration files read with `ast` (nothing is imported) and their dependency graph.

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
  (``AUTH_USER_MODEL`` defaults to Django's ``"auth.User"``).
- ``scan_migration(...)``: the same, but reads only ``dependencies``/``replaces``/``run_before``/
  ``initial``/``atomic`` when they are plain literals (``operations == ()``, ``tree is None``);
  it falls back to ``parse_migration`` whenever the file is not in the usual generated shape.
- ``is_migration_path(path) -> bool`` and ``find_migration_files(paths) -> list[str]``:
  ``<app>/migrations/<name>.py`` files of Django apps (``__init__.py``, names starting with ``_``
  or ``~``, folders without ``__init__.py`` and Alembic/Flyway folders are left out).
- ``read_settings(paths, read) -> dict[str, str]``: ``NAME = "app.Model"`` assignments found in
  settings modules (``*settings*.py``, ``settings/*.py``), for ``swappable``; a name with several
  different values is left out.
- ``load_migrations(paths, ...) -> (list[MigrationFile], list[str])`` reads migration files from
  disk, ``parse_sources([(path, str | bytes | None), ...], ...)`` parses contents read elsewhere
  (e.g. ``_git.cat_files``); the problems are one-line messages for stderr (binary, or not
  UTF-8 without a PEP 263 coding cookie). Files of any size and in any encoding Python accepts
  are read (``source_text(bytes) -> str | None``, ``read_source(path) -> bytes``); files Python
  cannot parse still count as nodes (``broken_migration(path, text)``: edges read as text).
  ``Graph(migrations, unmigrated_apps=...)`` builds the graph as Django's
  ``MigrationLoader`` does without a database (squashed migrations replace what they
  ``replaces``), and ``load_graph(paths, contents=None)`` does all of it for the Django apps
  among ``paths`` (``contents(paths) -> [bytes | None]`` reads the migration files, default disk).
- ``Graph``: ``nodes`` (``Key -> MigrationFile``), ``parents``/``children`` (``Key -> set[Key]``),
  ``missing`` (``list[Missing]``: dependencies on migrations that are not there), ``replaced``
  (replaced key -> squashed key), ``leaf_nodes(app=None)``, ``root_nodes(app=None)``,
  ``conflicts() -> dict[str, list[Key]]`` (as ``MigrationLoader.detect_conflicts``),
  ``common_parent(keys)``, ``cycles() -> list[list[Key]]``, ``ordered(app=None) -> list[Key]``
  (parents before children, ties by key: the order to replay ``operations`` in).
"""

from __future__ import annotations

import ast
import heapq
import io
import posixpath
import re
import tokenize
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import NamedTuple

from django_migration_hooks import _apps, _ast
from django_migration_hooks._files import FileProblem

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

    @property
    def key(self) -> Key:
        return (self.app_label, self.name)


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


def find_migration_files(paths: Iterable[str], read: _apps.Reader | None = None) -> list[str]:
    """Migration modules of Django apps among repo-relative paths, sorted."""
    return sorted(path for app in django_apps(paths, read) for path in app_migrations(app))


def django_apps(paths: Iterable[str], read: _apps.Reader | None = None) -> list[_apps.App]:
    return _apps.find_apps(paths, read or _apps.read_disk)


def app_migrations(app: _apps.App) -> list[str]:
    """The migration modules Django loads for an app (none when migrations/ has no __init__.py)."""
    if app.migrations_dir is None or not app.has_init:
        return []
    return [p for p in app.migrations if is_migration_path(p)]


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


def read_settings(paths: Iterable[str], read: _apps.Reader | None = None) -> dict[str, str]:
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


def _entries(
    node: ast.expr, swappable: Mapping[str, str], line0: int = 0, col0: int = 0
) -> tuple[list[Dependency], bool]:
    """The readable entries of a list/tuple literal, and whether every element was readable."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # [...] + [...]
        left, left_complete = _entries(node.left, swappable, line0, col0)
        right, right_complete = _entries(node.right, swappable, line0, col0)
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
    for name in ("dependencies", "replaces", "run_before"):
        node = fields.get(name)
        refs[name] = _entries(node, settings)[0] if node is not None else []
    operations: tuple[ast.Call, ...] = ()
    ops = fields.get("operations")
    if isinstance(ops, (ast.List, ast.Tuple)):
        operations = tuple(e for e in ops.elts if isinstance(e, ast.Call))
    initial = fields.get("initial")
    atomic = fields.get("atomic")
    return MigrationFile(
        path=path,
        app_label=app_label if app_label is not None else default_app_label(path),
        name=posixpath.basename(path)[:-3],
        dependencies=tuple(d.key for d in refs["dependencies"]),
        replaces=tuple(d.key for d in refs["replaces"]),
        run_before=tuple(d.key for d in refs["run_before"]),
        initial=_bool(initial) if initial is not None else None,
        atomic=_bool(atomic) if atomic is not None else None,
        operations=operations,
        tree=tree,
        line=cls.lineno,
        col=cls.col_offset + 1,
        dependency_refs=tuple(refs["dependencies"]),
        replaces_refs=tuple(refs["replaces"]),
        run_before_refs=tuple(refs["run_before"]),
    )


# after the class header: the fields read by scan_migration (groups 1-3), or something unusual
# that makes it fall back to the full parse: a nested definition, a statement back at the top
# level, a docstring (the pattern starts with a literal newline: the regex engine skips ahead)
BODY_RE = re.compile(
    r"\n(?:([ \t]+)(dependencies|replaces|run_before|initial|atomic)\b[ \t]*(=?)"
    r"|[ \t]+(?:def|class|async)\b|[^\s#])|\'\'\'|\"\"\""
)
BOOL_RE = re.compile(r"[ \t]*(True|False)[ \t]*(?:#.*)?$", re.MULTILINE)


_STR = r"""(?:"([^"\\\n]*)"|'([^'\\\n]*)')"""
PAIR_RE = re.compile(rf"\(\s*{_STR}\s*,\s*{_STR}\s*,?\s*\)")
_ANY_STR = r"""(?:"[^"\\\n]*"|'[^'\\\n]*')"""
_ANY_PAIR = rf"\(\s*{_ANY_STR}\s*,\s*{_ANY_STR}\s*,?\s*\)"
# a list or tuple of ("app", "name") pairs and nothing else (no comments, no calls)
PAIRS_RE = re.compile(
    rf"\[\s*(?:{_ANY_PAIR}\s*,\s*)*(?:{_ANY_PAIR}\s*,?\s*)?\]"
    rf"|\(\s*(?:{_ANY_PAIR}\s*,\s*)*(?:{_ANY_PAIR}\s*,?\s*)?\)"
)


LINE_END_RE = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\n|$)")


def _pair(text: str, match: re.Match[str], line0: int, start: int) -> Dependency:
    """A ("app", "name") pair found by PAIR_RE, with its 1-based position in text."""
    line = text.count("\n", start, match.start())
    col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    app = match.group(1) if match.group(1) is not None else match.group(2)
    name = match.group(3) if match.group(3) is not None else match.group(4)
    return Dependency(app, name, line0 + line + 1, col)


def _bracketed(text: str, start: int) -> int:
    """End index (exclusive) of the bracketed expression at text[start], or -1 if unsure."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        elif ch == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        elif ch in "'\"":
            if text.startswith(ch * 3, i):
                return -1
            i += 1
            while i < n and text[i] != ch:
                if text[i] == "\\" or text[i] == "\n":
                    return -1
                i += 1
        i += 1
    return -1


def scan_migration(
    path: str,
    source: str | bytes,
    *,
    app_label: str | None = None,
    swappable: Mapping[str, str] | None = None,
) -> MigrationFile | None:
    """Like parse_migration but reads only the graph fields when they are plain literals.

    Generated migrations have one top-level class and literal `dependencies`/`replaces`/
    `run_before` lists; for them the full parse is skipped (operations are not read). Anything
    else falls back to parse_migration, so the result is the same apart from `operations`/`tree`
    and syntax errors elsewhere in the file, which the scan does not see (the migration still
    counts as a node of the graph, which is what Django would fail on, not a missing one).
    """
    if isinstance(source, bytes):
        decoded = source_text(source)
        if decoded is None:
            return parse_migration(path, source, app_label=app_label, swappable=swappable)
        text = decoded
    else:
        text = source

    def full() -> MigrationFile | None:
        return parse_migration(path, source, app_label=app_label, swappable=swappable)

    header = 0 if text.startswith("class Migration") else text.find("\nclass Migration") + 1
    after = header + len("class Migration")
    if header == 0 and not text.startswith("class Migration"):
        return full()
    if text[after : after + 1] not in ("(", ":"):
        return full()
    body = text.find("\n", after)
    if body < 0:
        return full()
    settings = swappable or {}
    found: dict[str, list[Dependency]] = {}
    flags: dict[str, bool | None] = {}
    indent = ""
    for match in BODY_RE.finditer(text, body):
        name = match.group(2)
        if name is None or not match.group(3) or name in found or name in flags:
            return full()  # unusual, `+=`, an annotation, or assigned twice
        if indent and match.group(1) != indent:
            return full()
        indent = match.group(1)
        if name in ("initial", "atomic"):
            value = BOOL_RE.match(text, match.end())
            if value is None:
                return full()
            flags[name] = value.group(1) == "True"
            continue
        start = match.end()
        while start < len(text) and text[start] in " \t":
            start += 1
        line0 = text.count("\n", 0, start)
        simple = PAIRS_RE.match(text, start)
        if simple and LINE_END_RE.match(text, simple.end()):
            found[name] = [
                _pair(text, pair, line0, start)
                for pair in PAIR_RE.finditer(text, start, simple.end())
            ]
            continue
        end = _bracketed(text, start)
        if end < 0 or not LINE_END_RE.match(text, end):
            return full()
        col0 = start - (text.rfind("\n", 0, start) + 1)
        try:
            node = ast.parse(text[start:end], mode="eval").body
        except SyntaxError:
            return full()
        entries, complete = _entries(node, settings, line0, col0)
        if not complete:
            return full()
        found[name] = entries
    deps, replaces, run_before = (
        found.get(n, []) for n in ("dependencies", "replaces", "run_before")
    )
    return MigrationFile(
        path=path,
        app_label=app_label if app_label is not None else default_app_label(path),
        name=posixpath.basename(path)[:-3],
        dependencies=tuple(d.key for d in deps),
        replaces=tuple(d.key for d in replaces),
        run_before=tuple(d.key for d in run_before),
        initial=flags.get("initial"),
        atomic=flags.get("atomic"),
        operations=(),
        tree=None,
        line=text.count("\n", 0, header) + 1,
        col=1,
        dependency_refs=tuple(deps),
        replaces_refs=tuple(replaces),
        run_before_refs=tuple(run_before),
    )


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


def read_source(path: str) -> bytes:
    """A migration file's bytes (one open and read: this runs for thousands of files).

    There is no size limit: Django loads a migration of any size (a big RunSQL), and the graph
    needs every node.
    """
    try:
        with open(path, "rb") as f:
            return f.read()
    except (FileNotFoundError, NotADirectoryError):
        raise FileNotFoundError(path) from None
    except IsADirectoryError:
        raise FileProblem(f"{path}: is a directory") from None
    except OSError as exc:
        raise FileProblem(f"{path}: cannot read: {exc.strerror}") from None


def load_migrations(
    paths: Iterable[str],
    *,
    labels: Mapping[str, str] | None = None,
    swappable: Mapping[str, str] | None = None,
    full: bool = True,
) -> tuple[list[MigrationFile], list[str]]:
    """Read migration files from disk: (migrations, one-line problems for stderr).

    Files deleted from the working tree are skipped. See parse_sources for the rest.
    """

    def sources() -> Iterator[tuple[str, str | bytes | None]]:
        for path in paths:
            try:
                yield path, read_source(path)
            except FileNotFoundError:
                continue  # deleted in the working tree: not part of the project any more
            except FileProblem as exc:
                problems.append(str(exc))

    problems: list[str] = []
    migrations, more = parse_sources(sources(), labels=labels, swappable=swappable, full=full)
    return migrations, problems + more


EDGE_FIELD_RE = re.compile(
    r"^[ \t]*(dependencies|replaces|run_before)\b[^=\n]*=[ \t]*", re.MULTILINE
)


def broken_migration(
    path: str,
    text: str,
    *,
    app_label: str | None = None,
    swappable: Mapping[str, str] | None = None,
) -> MigrationFile:
    """A migration module Python cannot parse (merge-conflict markers, binary data...).

    Django would fail to import it, but it is still a node of the graph: its edges are read as
    text from every `dependencies`/`replaces`/`run_before` list found (both sides of a merge
    conflict), so that migrations depending on it are not reported as broken too.
    """
    found: dict[str, list[Dependency]] = {"dependencies": [], "replaces": [], "run_before": []}
    for match in EDGE_FIELD_RE.finditer(text):
        start = match.end()
        end = _bracketed(text, start)
        if end < 0:
            continue
        line0 = text.count("\n", 0, start)
        for pair in PAIR_RE.finditer(text, start, end):
            found[match.group(1)].append(_pair(text, pair, line0, start))
    deps, replaces, run_before = (found[n] for n in ("dependencies", "replaces", "run_before"))
    return MigrationFile(
        path=path,
        app_label=app_label if app_label is not None else default_app_label(path),
        name=posixpath.basename(path)[:-3],
        dependencies=tuple(d.key for d in deps),
        replaces=tuple(d.key for d in replaces),
        run_before=tuple(d.key for d in run_before),
        initial=None,
        atomic=None,
        operations=(),
        tree=None,
        dependency_refs=tuple(deps),
        replaces_refs=tuple(replaces),
        run_before_refs=tuple(run_before),
        broken=True,
    )


def _parses(source: str | bytes) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def parse_sources(
    sources: Iterable[tuple[str, str | bytes | None]],
    *,
    labels: Mapping[str, str] | None = None,
    swappable: Mapping[str, str] | None = None,
    full: bool = True,
) -> tuple[list[MigrationFile], list[str]]:
    """Parse (path, contents) pairs: (migrations, one-line problems for stderr).

    `labels` maps a migrations folder (`app/migrations`) to its app label. Contents that are
    None (absent) or valid Python without `class Migration` are skipped silently. Contents in
    any encoding Python accepts (PEP 263 cookie) and of any size are read. Contents Python
    cannot parse still count as a migration (see broken_migration); binary ones are also a
    problem. `full=False` uses scan_migration.
    """
    read = parse_migration if full else scan_migration
    migrations: list[MigrationFile] = []
    problems: list[str] = []
    for path, source in sources:
        if source is None:
            continue
        label = (labels or {}).get(path.rpartition("/")[0])
        if isinstance(source, bytes) and b"\0" in source[:8192]:
            problems.append(f"{path}: binary file, counted as a migration without dependencies")
            migrations.append(broken_migration(path, "", app_label=label))
            continue
        if isinstance(source, bytes) and source_text(source) is None:
            problems.append(f"{path}: not valid UTF-8 and no coding cookie, Python cannot read it")
            text = source.decode("utf-8", "replace")
            migrations.append(broken_migration(path, text, app_label=label, swappable=swappable))
            continue
        migration = read(path, source, app_label=label, swappable=swappable)
        if migration is None and not _parses(source):
            text = source_text(source) or "" if isinstance(source, bytes) else source
            migration = broken_migration(path, text, app_label=label, swappable=swappable)
        if migration is not None:
            migrations.append(migration)
    return migrations, problems


# --- the graph ----------------------------------------------------------------------------------


class Missing(NamedTuple):
    migration: MigrationFile  # the migration that names it
    ref: Dependency  # where it is named
    field: str  # "dependencies" or "run_before"
    reason: str  # "missing" (no such migration) or "unmigrated" (the app has no migrations)


class Graph:
    """A migration graph built the way Django's MigrationLoader builds it without a database.

    `migrations` are every migration module of the project. Dependencies on apps with no
    migration in `migrations` and not in `unmigrated_apps` are external (third-party or Django's
    own) and ignored.
    """

    def __init__(
        self, migrations: Iterable[MigrationFile], *, unmigrated_apps: Iterable[str] = ()
    ) -> None:
        self.nodes: dict[Key, MigrationFile] = {}
        for migration in migrations:
            self.nodes.setdefault(migration.key, migration)
        self.migrated_apps = frozenset(app for app, _ in self.nodes)
        self.unmigrated_apps = frozenset(unmigrated_apps) - self.migrated_apps
        self.parents: dict[Key, set[Key]] = {key: set() for key in self.nodes}
        self.children: dict[Key, set[Key]] = {key: set() for key in self.nodes}
        self.replaced: dict[Key, Key] = {}
        self.missing: list[Missing] = []
        # dummy key -> where it was named (Django's DummyNode)
        dummies: dict[Key, list[tuple[MigrationFile, Dependency, str]]] = {}

        def add(
            child: Key, parent: Key, origin: MigrationFile, ref: Dependency, field: str
        ) -> None:
            for key in (child, parent):
                if key not in self.nodes and key not in dummies:
                    dummies[key] = []
                    self.parents.setdefault(key, set())
                    self.children.setdefault(key, set())
            missing = parent if parent not in self.nodes else child
            if missing not in self.nodes:
                dummies[missing].append((origin, ref, field))
            self.parents[child].add(parent)
            self.children[parent].add(child)

        ordered = sorted(self.nodes.items())
        # internal dependencies first, so that __first__ finds the right root (as Django does)
        for key, migration in ordered:
            for ref in migration.dependency_refs:
                if ref.app_label == key[0] and ref.name != "__first__":
                    add(key, ref.key, migration, ref, "dependencies")
        unmigrated_refs: list[Missing] = []
        for key, migration in ordered:
            for ref in migration.dependency_refs:
                if ref.app_label == key[0]:
                    continue
                parent = self._check_key(ref, key[0], migration, "dependencies", unmigrated_refs)
                if parent is not None:
                    add(key, parent, migration, ref, "dependencies")
            for ref in migration.run_before_refs:
                child = self._check_key(ref, key[0], migration, "run_before", unmigrated_refs)
                if child is not None:
                    add(child, key, migration, ref, "run_before")
        # squashed migrations replace what they replace (no database: nothing is applied)
        for key, migration in ordered:
            if migration.replaces:
                self._remove_replaced(key, migration.replaces, dummies)
        for key in sorted(dummies):
            for origin, ref, field in dummies[key]:
                self.missing.append(Missing(origin, ref, field, "missing"))
            self.parents.pop(key, None)
            self.children.pop(key, None)
        for key in dummies:
            for edges in (self.parents, self.children):
                for other in edges.values():
                    other.discard(key)
        self.missing.extend(unmigrated_refs)
        self.missing.sort(key=lambda m: (m.migration.path, m.ref.line, m.ref.col))

    def _check_key(
        self,
        ref: Dependency,
        current_app: str,
        origin: MigrationFile,
        field: str,
        unmigrated_refs: list[Missing],
    ) -> Key | None:
        """Django's MigrationLoader.check_key, with apps outside the repository ignored."""
        app, name = ref.key
        if app not in self.migrated_apps:
            if app in self.unmigrated_apps and name not in SPECIAL_NAMES:
                unmigrated_refs.append(Missing(origin, ref, field, "unmigrated"))
            return None  # third-party or Django's own app, or __first__ of an unmigrated app
        if name not in SPECIAL_NAMES or ref.key in self.nodes:
            return ref.key
        if app == current_app:
            return None
        nodes = self.leaf_nodes(app) if name == "__latest__" else self.root_nodes(app)
        return nodes[0] if nodes else None

    def _remove_replaced(
        self,
        replacement: Key,
        replaced: Iterable[Key],
        dummies: dict[Key, list[tuple[MigrationFile, Dependency, str]]],
    ) -> None:
        """Django's MigrationGraph.remove_replaced_nodes."""
        if replacement not in self.nodes:
            return  # replaced itself by another squash
        targets = set(replaced)
        for key in sorted(targets):
            if key not in self.parents:
                continue
            self.replaced[key] = replacement
            self.nodes.pop(key, None)
            dummies.pop(key, None)
            for child in self.children.pop(key):
                self.parents[child].discard(key)
                if child not in targets:
                    self.children[replacement].add(child)
                    self.parents[child].add(replacement)
            for parent in self.parents.pop(key):
                self.children[parent].discard(key)
                if parent not in targets:
                    self.parents[replacement].add(parent)
                    self.children[parent].add(replacement)

    def leaf_nodes(self, app: str | None = None) -> list[Key]:
        """Migrations with no child in their own app (Django's MigrationGraph.leaf_nodes)."""
        return sorted(
            key
            for key in self.nodes
            if (app is None or key[0] == app)
            and all(child[0] != key[0] for child in self.children[key])
        )

    def root_nodes(self, app: str | None = None) -> list[Key]:
        return sorted(
            key
            for key in self.nodes
            if (app is None or key[0] == app)
            and all(parent[0] != key[0] for parent in self.parents[key])
        )

    def conflicts(self) -> dict[str, list[Key]]:
        """Apps with more than one leaf node (Django's MigrationLoader.detect_conflicts)."""
        leaves: dict[str, list[Key]] = {}
        for key in self.leaf_nodes():
            leaves.setdefault(key[0], []).append(key)
        return {app: keys for app, keys in sorted(leaves.items()) if len(keys) > 1}

    def ancestors(self, key: Key, *, same_app: bool = True) -> set[Key]:
        """Every migration key depends on, directly or not (within its app by default)."""
        seen: set[Key] = set()
        todo = [key]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in seen and (not same_app or parent[0] == key[0]):
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def common_parent(self, keys: Iterable[Key]) -> Key | None:
        """The latest migration every one of keys depends on (same app), if any."""
        common: set[Key] | None = None
        for key in keys:
            found = self.ancestors(key)
            common = found if common is None else common & found
        if not common:
            return None
        latest = [k for k in common if not any(k in self.ancestors(o) for o in common if o != k)]
        return sorted(latest)[0]

    def cycles(self) -> list[list[Key]]:
        """Strongly connected groups of more than one migration (or a self-dependency)."""
        index: dict[Key, int] = {}
        low: dict[Key, int] = {}
        stack: list[Key] = []
        on_stack: set[Key] = set()
        found: list[list[Key]] = []
        counter = 0
        for start in sorted(self.nodes):
            if start in index:
                continue
            work: list[tuple[Key, list[Key]]] = [(start, sorted(self.parents[start]))]
            index[start] = low[start] = counter
            counter += 1
            stack.append(start)
            on_stack.add(start)
            while work:
                node, todo = work[-1]
                if todo:
                    nxt = todo.pop()
                    if nxt not in index:
                        index[nxt] = low[nxt] = counter
                        counter += 1
                        stack.append(nxt)
                        on_stack.add(nxt)
                        work.append((nxt, sorted(self.parents[nxt])))
                    elif nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group: list[Key] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in self.parents[node]:
                        found.append(sorted(group))
        return sorted(found)

    def ordered(self, app: str | None = None) -> list[Key]:
        """Migrations with parents first (ties by key); members of cycles come last."""
        remaining = {key: len(self.parents[key]) for key in self.nodes}
        ready = sorted(key for key, count in remaining.items() if count == 0)
        result: list[Key] = []
        heapq.heapify(ready)
        while ready:
            key = heapq.heappop(ready)
            result.append(key)
            for child in self.children[key]:
                remaining[child] -= 1
                if remaining[child] == 0:
                    heapq.heappush(ready, child)
        done = set(result)
        result.extend(sorted(key for key in self.nodes if key not in done))
        return [key for key in result if app is None or key[0] == app]


def load_graph(
    paths: Iterable[str],
    read: _apps.Reader | None = None,
    *,
    full: bool = False,
    contents: Callable[[list[str]], list[bytes | None]] | None = None,
) -> tuple[Graph, list[str]]:
    """The migration graph of the Django apps among repo-relative paths.

    Apps and settings are found with `read` (default: the working tree). Migration files are
    read from disk, or with `contents(paths) -> [bytes | None]` when given (e.g. from the git
    index). Returns the graph and one-line problems (unreadable files) for stderr.
    """
    files = list(paths)
    apps = django_apps(files, read)
    labels = {app.migrations_dir: app.label for app in apps if app.migrations_dir is not None}
    migration_paths = sorted(p for app in apps for p in app_migrations(app))
    swappable = read_settings(files, read)
    if contents is None:
        migrations, problems = load_migrations(
            migration_paths, labels=labels, swappable=swappable, full=full
        )
    else:
        migrations, problems = parse_sources(
            zip(migration_paths, contents(migration_paths), strict=True),
            labels=labels,
            swappable=swappable,
            full=full,
        )
    graph = Graph(migrations, unmigrated_apps={app.label for app in apps})
    return graph, problems
