"""The whole-tree analysis of the static tier (DMH103): model state vs the migration files.

Each app's model state is rebuilt from its migration files (`djangoread.state`), and model and
field names are compared with the code, both ways.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence

from django_migration_hooks import _git
from django_migration_hooks._report import Finding
from django_migration_hooks.djangoread.apps import App, find_apps
from django_migration_hooks.djangoread.graph import Graph
from django_migration_hooks.djangoread.migrations import (
    MigrationFile,
    app_migrations,
    read_settings,
)
from django_migration_hooks.djangoread.models import ModelIndex
from django_migration_hooks.djangoread.operations import read_operations
from django_migration_hooks.djangoread.records import Model
from django_migration_hooks.djangoread.scan import scan_migration
from django_migration_hooks.djangoread.state import AppState, ModelState, Replay, build_state
from django_migration_hooks.djangoread.trees import DiskTree, SourceTree
from django_migration_hooks.missing.static_common import (
    _suppressed,
    ancestors,
    broken_apps,
    full_model,
    makemigrations_hint,
    models_of,
)
from django_migration_hooks.rules import codes


def check_state(filenames: Sequence[str], problems: list[str]) -> list[Finding]:
    # listing untracked files walks the whole tree: do it while the tracked ones are analysed
    others = subprocess.Popen(
        ("git", "ls-files", "-z", "--others", "--exclude-standard"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        tracked = _git.ls_files()
        attempt: list[str] = []
        findings = _check_state(tracked, filenames, attempt)
    finally:
        output = others.communicate()[0]
    untracked = [
        p for p in output.decode(errors="surrogateescape").split("\0") if p.endswith(".py")
    ]
    if untracked:
        attempt = []
        findings = _check_state(sorted({*tracked, *untracked}), filenames, attempt)
    problems.extend(attempt)
    return findings


def _check_state(paths: list[str], filenames: Sequence[str], problems: list[str]) -> list[Finding]:
    tree = DiskTree(paths)
    apps = find_apps(tree.paths, tree.read)
    scope = _scope(filenames, apps)
    # only the reported apps' migrations are needed (an app's state is its own operations)
    checked = [a for a in apps if scope is None or a.path in scope]
    migration_paths = [p for app in checked for p in app_migrations(app)]
    # migrations and models are independent: on big trees read them in two processes
    if len(migration_paths) >= PARALLEL_MIGRATIONS:
        states_result = _in_child(_migration_states, tree, checked)
    else:
        states = _migration_states(tree, checked)
        states_result = lambda: states  # noqa: E731
    index = ModelIndex(tree, apps, signatures=False)
    models = models_of(index, apps)
    broken = broken_apps(index, apps)
    problems.extend(index.problems)
    states = states_result()
    findings: list[Finding] = []
    for app in checked:
        if app.migrations_dir is None or not app.has_init or app.path in broken:
            continue
        state = states.get(app.label, AppState(app.label))
        if state.uncertain:
            continue
        findings.extend(compare_state(app, state, models, index))
    return _suppressed(findings, tree)


PARALLEL_MIGRATIONS = 1000


def _migration_states(tree: SourceTree, apps: Sequence[App]) -> dict[str, AppState]:
    """Each app's model state, rebuilt from the migration files (graph order)."""
    settings = read_settings(tree.paths, tree.read)
    migrations: list[MigrationFile] = []
    for app in apps:
        for path in app_migrations(app):
            text = tree.read(path)
            if text is None:
                continue
            migration = scan_migration(path, text, app_label=app.label, swappable=settings)
            if migration is not None:
                migrations.append(migration)
    graph = Graph(migrations, unmigrated_apps={a.label for a in apps})
    return build_state(_replays(graph, tree))


def _in_child(
    func: Callable[[SourceTree, Sequence[App]], dict[str, AppState]],
    tree: SourceTree,
    apps: Sequence[App],
) -> Callable[[], dict[str, AppState]]:
    """Start func in a forked process; the returned callable waits for its result.

    Without fork (Windows), with threads running (fork would be unsafe), or when the child
    fails, func runs in this process instead.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1:
        result = func(tree, apps)
        return lambda: result
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
        code = 1
        try:
            os.close(read_end)
            data = pickle.dumps(func(tree, apps), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)

    def wait() -> dict[str, AppState]:
        with os.fdopen(read_end, "rb") as source:
            data = source.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return func(tree, apps)
        loaded: dict[str, AppState] = pickle.loads(data)
        return loaded

    return wait


def _replays(graph: Graph, tree: SourceTree) -> Iterator[Replay]:
    for key in graph.ordered():
        migration = graph.nodes[key]
        operations, problem = read_operations(migration, tree.read(migration.path) or "")
        yield Replay(migration.app_label, migration.path, operations, problem)


def _scope(filenames: Sequence[str], apps: Sequence[App]) -> set[str] | None:
    """App folders holding one of the filenames (None: every app)."""
    if not filenames:
        return None
    dirs = {a.path for a in apps}
    scope = set()
    for name in filenames:
        for directory in ancestors(name):
            if directory in dirs:
                scope.add(directory)
                break
    return scope


def compare_state(
    app: App,
    state: AppState,
    models: Mapping[tuple[str, str], list[Model]],
    index: ModelIndex,
) -> list[Finding]:
    """DMH103 findings for one app: its models vs the state its migrations build."""
    label = app.label
    findings: list[Finding] = []
    mine = {key: ms for key, ms in models.items() if key[0] == label}
    for key, found in sorted(mine.items()):
        concrete = [m for m in found if not m.abstract]
        if len(concrete) != 1 or any(m.unknown for m in found):
            continue
        findings.extend(_compare_model(label, concrete[0], state.models.get(key[1])))
    if _app_fully_known(app, mine, index):
        findings.extend(_models_not_in_code(app, state, mine, index))
    return findings


def _compare_model(label: str, model: Model, recorded: ModelState | None) -> list[Finding]:
    """One model of the code vs what its app's migrations record of it."""
    hint = makemigrations_hint(label)
    name = f"{label}.{model.name}"
    if recorded is None:
        return [
            Finding(
                model.path,
                model.line,
                model.col,
                codes.DMH103,
                f"{name}: model is in no migration",
                hint,
            )
        ]
    if recorded.uncertain or not full_model(model) or recorded.proxy or not recorded.managed:
        return []
    findings: list[Finding] = []
    for field in sorted(model.fields.values(), key=lambda f: (f.path, f.line)):
        if field.name not in recorded.fields:
            findings.append(
                Finding(
                    field.path,
                    field.line,
                    field.col,
                    codes.DMH103,
                    f"{name}: field {field.name} is in no migration",
                    hint,
                )
            )
    if model.incomplete:
        return findings
    has_pk = any(f.primary_key for f in model.fields.values())
    for field_name in sorted(recorded.fields):
        if field_name in model.fields:
            continue
        if field_name == "id" and not has_pk:
            continue
        if field_name.endswith("_ptr") and model.parents:
            continue
        findings.append(
            Finding(
                model.path,
                model.line,
                model.col,
                codes.DMH103,
                f"{name}: field {field_name} is in migrations but not in the model",
                hint,
            )
        )
    return findings


def _models_not_in_code(
    app: App,
    state: AppState,
    mine: Mapping[tuple[str, str], list[Model]],
    index: ModelIndex,
) -> list[Finding]:
    """Models the migrations create that the app's code does not define."""
    label = app.label
    findings: list[Finding] = []
    texts = [index.tree.read(p) or "" for p in index.app_modules(app)]
    for lower, recorded in sorted(state.models.items()):
        if (label, lower) in mine:
            continue
        pattern = re.compile(rf"\bclass\s+{re.escape(recorded.name)}\b")
        if any(pattern.search(text) for text in texts):
            continue  # defined in a way not read here
        findings.append(
            Finding(
                recorded.path,
                recorded.line,
                recorded.col,
                codes.DMH103,
                f"{label}.{recorded.name}: model is in migrations but not in the code",
                makemigrations_hint(label),
            )
        )
    return findings


DYNAMIC_MARKERS = ("add_to_class", "ModelBase", "type(", "create_model", "contribute_to_class")


def _app_fully_known(
    app: App, mine: Mapping[tuple[str, str], list[Model]], index: ModelIndex
) -> bool:
    """Whether every model of the app is known, so that a model missing from the code is certain."""
    if any(m.unknown or m.incomplete for ms in mine.values() for m in ms):
        return False
    for path in index.app_modules(app):
        text = index.tree.read(path) or ""
        if any(marker in text for marker in DYNAMIC_MARKERS):
            return False
    return True
