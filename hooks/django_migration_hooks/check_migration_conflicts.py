"""check-migration-conflicts: several leaf migrations in an app, missing dependencies, cycles.

The migration graph of every Django app in the repository is rebuilt statically from the
migration files as staged in the git index (what the commit will contain), the way Django's
`MigrationLoader` builds it without a database: `dependencies`, `run_before`, squashed migrations
(`replaces`), `__first__`/`__latest__` and `swappable_dependency(settings.AUTH_USER_MODEL)`.
Nothing is imported; the project's Django is not needed.
"""

from __future__ import annotations

import difflib
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from django_migration_hooks import _git, rules
from django_migration_hooks._config import load_config
from django_migration_hooks._hook import parser as hook_parser
from django_migration_hooks._report import (
    EXIT_FINDINGS,
    Finding,
    handles_errors,
    report,
    unsuppressed,
)
from django_migration_hooks.djangoread.apps import App, is_skipped, real_path, tracked_files
from django_migration_hooks.djangoread.graph import Graph, parse_sources
from django_migration_hooks.djangoread.migrations import (
    Dependency,
    Key,
    MigrationFile,
    app_migrations,
    django_apps,
    read_settings,
)
from django_migration_hooks.rules import codes

HOOK_ID = "check-migration-conflicts"
SCHEMA: dict[str, str] = {}

RULES = rules.for_hook(HOOK_ID)


# --- pure checks ------------------------------------------------------------------------------


def _ref_to(migration: MigrationFile, targets: Iterable[Key]) -> Dependency | None:
    wanted = set(targets)
    for ref in (*migration.dependency_refs, *migration.run_before_refs):
        if ref.key in wanted:
            return ref
    return None


def _at(migration: MigrationFile, ref: Dependency | None) -> tuple[int, int]:
    return (ref.line, ref.col) if ref is not None else (migration.line, migration.col)


def _names(keys: Iterable[Key]) -> str:
    return ", ".join(f"`{name}`" for _, name in keys)


def check_conflicts(graph: Graph) -> list[Finding]:
    """DMH401: one finding per leaf migration of every app with several leaves."""
    findings: list[Finding] = []
    # an app with a broken internal dependency has extra leaves: DMH402 says what to fix first
    broken = {
        m.migration.app_label for m in graph.missing if m.ref.app_label == m.migration.app_label
    }
    # an app with a migration Python cannot parse: its edges are a guess, Django fails on import
    broken.update(key[0] for key, migration in graph.nodes.items() if migration.broken)
    for app, leaves in graph.conflicts().items():
        if app in broken:
            continue
        parent = graph.common_parent(leaves)
        after = f"common parent `{parent[1]}`" if parent else "no common parent"
        for leaf in leaves:
            migration = graph.nodes[leaf]
            others = [key for key in leaves if key != leaf]
            same_app = [p for p in graph.parents[leaf] if p[0] == app]
            line, col = _at(migration, _ref_to(migration, same_app))
            findings.append(
                Finding(
                    migration.path,
                    line,
                    col,
                    codes.DMH401,
                    f"app `{app}` has {len(leaves)} leaf migrations: `{leaf[1]}` conflicts "
                    f"with {_names(others)} ({after})",
                    f"`python manage.py makemigrations --merge {app}`, or renumber "
                    f"`{leaf[1]}` and make it depend on `{others[-1][1]}`",
                )
            )
    return findings


def _suggestion(graph: Graph, key: Key) -> str:
    names = sorted(name for app, name in graph.nodes if app == key[0])
    prefix = key[1].split("_", 1)[0]
    close = (
        difflib.get_close_matches(key[1], names, n=1, cutoff=0.8)
        or [name for name in names if name.split("_", 1)[0] == prefix][:1]
    )
    return f"did you mean `{close[0]}`?" if close else ""


def check_missing(graph: Graph) -> list[Finding]:
    """DMH402: dependencies and run_before entries naming migrations that do not exist."""
    findings: list[Finding] = []
    for missing in graph.missing:
        ref, origin = missing.ref, missing.migration
        if origin.broken:
            continue  # edges read as text from a file Python cannot parse: not trustworthy
        target = f"`{ref.app_label}.{ref.name}`"
        verb = "depends on" if missing.field == "dependencies" else "must run before"
        if missing.reason == "unmigrated":
            message = (
                f"`{origin.name}` {verb} {target}, but app `{ref.app_label}` has no migrations"
            )
            hint = f"create the migrations of `{ref.app_label}` or remove the dependency"
        else:
            message = f"`{origin.name}` {verb} {target}, which does not exist"
            suggestion = _suggestion(graph, ref.key)
            hint = "name an existing migration or restore the missing one"
            if suggestion:
                hint = f"{hint}; {suggestion}"
        findings.append(Finding(origin.path, ref.line, ref.col, codes.DMH402, message, hint))
    return findings


def _cycle_path(graph: Graph, members: Sequence[Key]) -> list[Key]:
    """One circular path through a strongly connected group, starting at its first member."""
    group = set(members)
    start = members[0]
    path = [start]
    seen = {start}
    stack = [iter(sorted(p for p in graph.parents[start] if p in group))]
    while stack:
        for parent in stack[-1]:
            if parent == start:
                return path
            if parent not in seen:
                seen.add(parent)
                path.append(parent)
                stack.append(iter(sorted(p for p in graph.parents[parent] if p in group)))
                break
        else:
            stack.pop()
            path.pop()
    return list(members)  # pragma: no cover - a strongly connected group always has a cycle


def check_cycles(graph: Graph) -> list[Finding]:
    """DMH403: one finding per migration in a dependency cycle."""
    findings: list[Finding] = []
    for members in graph.cycles():
        path = _cycle_path(graph, members)
        shown = " -> ".join(f"`{app}.{name}`" for app, name in [*path, path[0]])
        for index, key in enumerate(path):
            migration = graph.nodes[key]
            nxt = path[(index + 1) % len(path)]
            ref = _ref_to(migration, [nxt]) or _ref_to(migration, members)
            if ref is None:  # the edge comes from the other side's run_before
                ref = _ref_to(graph.nodes[nxt], [key])
                if ref is not None:
                    migration, ref = graph.nodes[nxt], ref
            line, col = _at(migration, ref)
            findings.append(
                Finding(
                    migration.path,
                    line,
                    col,
                    codes.DMH403,
                    f"dependency cycle: {shown} (each depends on the next)",
                    "remove one of these dependencies, or split a migration in two",
                )
            )
    return findings


def check_graph(graph: Graph) -> list[Finding]:
    return [*check_conflicts(graph), *check_missing(graph), *check_cycles(graph)]


# --- the repository -----------------------------------------------------------------------------


def _project_roots(files: Iterable[str]) -> list[str]:
    """Folders holding a manage.py: each is a separate Django project."""
    return sorted({p.rpartition("/")[0] for p in files if p.rpartition("/")[2] == "manage.py"})


def project_groups(apps: Sequence[App], files: Iterable[str]) -> list[list[App]]:
    """Apps grouped by Django project (the nearest folder above with a manage.py).

    Apps under no project folder belong to every project. With one project or none, all apps
    form one group.
    """
    roots = [r for r in _project_roots(files) if not is_skipped(f"{r}/manage.py")]
    by_root: dict[str | None, list[App]] = {}
    for app in apps:
        owner: str | None = None
        for root in roots:
            inside = root == "" or app.path == root or app.path.startswith(root + "/")
            if inside and (owner is None or len(root) > len(owner)):
                owner = root
        by_root.setdefault(owner, []).append(app)
    shared = by_root.pop(None, [])
    if len(by_root) <= 1:
        groups = [list(apps)] if apps else []
    else:
        groups = [[*members, *shared] for _, members in sorted(by_root.items())]
    return [part for group in groups for part in _split_duplicate_labels(group)]


def _split_duplicate_labels(group: list[App]) -> list[list[App]]:
    """Apps sharing a label (separate projects without a manage.py) go to separate graphs.

    Each graph gets the apps of one parent folder among those with a shared label, plus every
    app whose label is unique.
    """
    counts = Counter(app.label for app in group if app.migrations_dir is not None)
    shared_labels = {label for label, count in counts.items() if count > 1}
    if not shared_labels:
        return [group]
    unique = [app for app in group if app.label not in shared_labels]
    by_parent: dict[str, list[App]] = {}
    for app in group:
        if app.label in shared_labels:
            by_parent.setdefault(app.path.rpartition("/")[0], []).append(app)
    return [[*members, *unique] for _, members in sorted(by_parent.items())]


def _index_contents(paths: list[str], links: Mapping[str, str] | None = None) -> list[bytes | None]:
    """Staged contents; a path below a tracked symlink to a folder is read at its target."""
    # ./: relative to the cwd
    return _git.cat_files([f":./{real_path(p, links or {})}" for p in paths])


def scan_repository() -> tuple[list[Finding], list[str]]:
    """Findings (before config and noqa) and per-file problems, from the git index.

    Apps whose edges the hook cannot evaluate get a notice on stderr here, not a finding."""
    tracked, links = tracked_files()
    files = [p for p in tracked if "\n" not in p]
    apps = django_apps(files)
    labels = {app.migrations_dir: app.label for app in apps if app.migrations_dir is not None}
    paths = sorted(p for app in apps for p in app_migrations(app))
    migrations, problems = parse_sources(
        zip(paths, _index_contents(paths, links), strict=True),
        labels=labels,
        swappable=read_settings(files),
        full=False,
    )
    by_dir: dict[str, list[MigrationFile]] = {}
    for migration in migrations:
        by_dir.setdefault(migration.path.rpartition("/")[0], []).append(migration)
    findings: set[Finding] = set()
    for group in project_groups(apps, files):
        members = [
            m for app in group if app.migrations_dir for m in by_dir.get(app.migrations_dir, [])
        ]
        graph = Graph(members, unmigrated_apps={app.label for app in group})
        findings.update(certain(check_graph(graph), members))
    for line in notices(migrations):
        print(line, file=sys.stderr)
    return sorted(findings), problems


def uncertain_apps(migrations: Iterable[MigrationFile]) -> dict[str, MigrationFile]:
    """Apps with a migration whose edges the hook cannot evaluate -> the first such migration."""
    found: dict[str, MigrationFile] = {}
    for migration in sorted(migrations, key=lambda m: m.path):
        if migration.uncertain:
            found.setdefault(migration.app_label, migration)
    return found


def certain(findings: Iterable[Finding], migrations: Sequence[MigrationFile]) -> list[Finding]:
    """The findings outside uncertain apps (their graph is a guess): no DMH401/402/403 there."""
    unsure = uncertain_apps(migrations)
    if not unsure:
        return list(findings)
    app_of = {m.path: m.app_label for m in migrations}
    return [f for f in findings if app_of.get(f.path) not in unsure]


def notices(migrations: Iterable[MigrationFile]) -> list[str]:
    """One line per uncertain app, for stderr (never a failure)."""
    return [
        f"{HOOK_ID}: app `{label}` not checked: {m.path}: {m.uncertain}, the hook cannot "
        "tell what it depends on"
        for label, m in sorted(uncertain_apps(migrations).items())
    ]


def _staged(paths: Sequence[str]) -> list[bytes | None]:
    return _index_contents(list(paths), tracked_files()[1])


UNREADABLE: list[str] = []  # what `check_repository` could not read (the `check` exit code)


def check_repository() -> list[Finding]:
    findings, problems = scan_repository()
    UNREADABLE[:] = problems
    for problem in problems:
        print(f"{HOOK_ID}: {problem}", file=sys.stderr)
    return unsuppressed(findings, load_config(HOOK_ID, SCHEMA), _staged)


@handles_errors(HOOK_ID)
def main(argv: Sequence[str] | None = None) -> int:
    parser = hook_parser(HOOK_ID, "Report conflicting, broken or circular migration graphs.")
    args = parser.parse_args(argv)
    _git.require_work_tree()
    config = load_config(HOOK_ID, SCHEMA)
    findings, problems = scan_repository()
    for problem in problems:
        print(f"{HOOK_ID}: {problem}", file=sys.stderr)
    code = report(unsuppressed(findings, config, _staged), args)
    return max(code, EXIT_FINDINGS if problems else code)


if __name__ == "__main__":
    raise SystemExit(main())
