"""The migration files of a project, loaded, and the graph Django's loader would build.

- ``load_migrations(paths, ...) -> (list[MigrationFile], list[str])`` reads migration files from
  disk, ``parse_sources([(path, str | bytes | None), ...], ...)`` parses contents read elsewhere
  (e.g. ``_git.cat_files``); the problems are one-line messages for stderr (binary, or not
  UTF-8 without a PEP 263 coding cookie). Files of any size and in any encoding Python accepts
  are read (``read_source(path) -> bytes``); files Python cannot parse still count as nodes
  (``broken_migration``: edges read as text).
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
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Literal, NamedTuple

from django_migration_hooks._files import FileProblem, open_regular
from django_migration_hooks.djangoread import apps as _apps
from django_migration_hooks.djangoread.migrations import (
    SPECIAL_NAMES,
    Dependency,
    Key,
    MigrationFile,
    app_migrations,
    django_apps,
    parse_migration,
    read_settings,
    source_text,
)
from django_migration_hooks.djangoread.scan import broken_migration, scan_migration

# --- loading ------------------------------------------------------------------------------------


def read_source(path: str) -> bytes:
    """A migration file's bytes (one open and read: this runs for thousands of files).

    There is no size limit: Django loads a migration of any size (a big RunSQL), and the graph
    needs every node.
    """
    try:
        with open_regular(path) as f:
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


EdgeField = Literal["dependencies", "run_before"]
MissingReason = Literal["missing", "unmigrated"]  # no such migration / the app has no migrations
# a key no migration has (Django's DummyNode) -> where it was named
Dummies = dict[Key, list[tuple[MigrationFile, Dependency, EdgeField]]]


class Missing(NamedTuple):
    migration: MigrationFile  # the migration that names it
    ref: Dependency  # where it is named
    field: EdgeField
    reason: MissingReason


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
        dummies: Dummies = {}
        ordered = sorted(self.nodes.items())
        # internal dependencies first, so that __first__ finds the right root (as Django does)
        for key, migration in ordered:
            for ref in migration.dependency_refs:
                if ref.app_label == key[0] and ref.name != "__first__":
                    self._add_edge(key, ref.key, (migration, ref, "dependencies"), dummies)
        unmigrated_refs: list[Missing] = []
        for key, migration in ordered:
            self._add_external_edges(key, migration, dummies, unmigrated_refs)
        # squashed migrations replace what they replace (no database: nothing is applied)
        for key, migration in ordered:
            if migration.replaces:
                self._remove_replaced(key, migration.replaces, dummies)
        self._drop_dummies(dummies)
        self.missing.extend(unmigrated_refs)
        self.missing.sort(key=lambda m: (m.migration.path, m.ref.line, m.ref.col))

    def _add_edge(
        self,
        child: Key,
        parent: Key,
        origin: tuple[MigrationFile, Dependency, EdgeField],
        dummies: Dummies,
    ) -> None:
        for key in (child, parent):
            if key not in self.nodes and key not in dummies:
                dummies[key] = []
                self.parents.setdefault(key, set())
                self.children.setdefault(key, set())
        missing = parent if parent not in self.nodes else child
        if missing not in self.nodes:
            dummies[missing].append(origin)
        self.parents[child].add(parent)
        self.children[parent].add(child)

    def _add_external_edges(
        self, key: Key, migration: MigrationFile, dummies: Dummies, unmigrated_refs: list[Missing]
    ) -> None:
        """Edges of one migration to other apps' migrations, and its `run_before` edges."""
        for ref in migration.dependency_refs:
            if ref.app_label == key[0]:
                continue
            parent = self._check_key(ref, key[0], migration, "dependencies", unmigrated_refs)
            if parent is not None:
                self._add_edge(key, parent, (migration, ref, "dependencies"), dummies)
        for ref in migration.run_before_refs:
            child = self._check_key(ref, key[0], migration, "run_before", unmigrated_refs)
            if child is not None:
                self._add_edge(child, key, (migration, ref, "run_before"), dummies)

    def _drop_dummies(self, dummies: Dummies) -> None:
        """Report the keys no migration has as missing, and remove them from the graph."""
        for key in sorted(dummies):
            for origin, ref, field in dummies[key]:
                self.missing.append(Missing(origin, ref, field, "missing"))
            self.parents.pop(key, None)
            self.children.pop(key, None)
        for key in dummies:
            for edges in (self.parents, self.children):
                for other in edges.values():
                    other.discard(key)

    def _check_key(
        self,
        ref: Dependency,
        current_app: str,
        origin: MigrationFile,
        field: EdgeField,
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
        dummies: Dummies,
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
    read: _apps.TextReader | None = None,
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
