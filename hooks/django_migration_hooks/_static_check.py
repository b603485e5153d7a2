"""The static tier of `check-missing-migrations`: models vs migrations with ast, importing nothing.

`check_static(filenames, base)` picks one of two analyses:

- **change-based (DMH102)** when the change is known: `base` given (`--base REF`: the merge
  base of REF and HEAD against the working tree), or `PRE_COMMIT_FROM_REF` and `PRE_COMMIT_TO_REF`
  set (their merge base against TO), or a commit-time run: something is staged and every filename
  received is a staged file (HEAD against the index). The models of each app touched by the change
  are read before and after; a change Django records in a migration, in an app whose migrations
  did not change, is reported at the changed line.
- **state-based (DMH103)** otherwise: each app's model state is rebuilt from its migration files and
  model and field names are compared with the code, both ways.

Only what is certain is reported: a model whose bases, fields or `Meta` cannot be resolved in the
repository is "unknown" and never produces a finding.
"""

from __future__ import annotations

import os
import pickle
import posixpath
import re
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from django_migration_hooks import _git, rules
from django_migration_hooks._apps import App, find_apps
from django_migration_hooks._migration_state import AppState, Replay, build_state, read_operations
from django_migration_hooks._migrations import (
    Graph,
    MigrationFile,
    app_migrations,
    read_settings,
    scan_migration,
)
from django_migration_hooks._models import (
    ALTER_OPTIONS,
    DEFAULT_MANAGER,
    RECORDED_OPTIONS,
    BlobReader,
    DiskTree,
    FieldDef,
    GitTree,
    Model,
    ModelIndex,
    Tree,
)
from django_migration_hooks._report import Finding, HookError, is_suppressed
from django_migration_hooks.rules.codes import DMH102, DMH103

HOOK_ID = "check-missing-migrations"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

RULES_STATIC = tuple(r for r in rules.for_hook(HOOK_ID) if r.code in {DMH102, DMH103})


class ChangeSpec(NamedTuple):
    before: str  # a commit
    after: str | None  # a commit, "" for the index, None for the working tree
    why: str
    changes: tuple[_git.Change, ...] | None = None  # when already known


def known_change(filenames: Sequence[str], base: str | None) -> ChangeSpec | None:
    """The change to analyse, or None for a state-based run (see the module docstring)."""
    if base:
        if not _git.ref_exists(base):
            raise HookError(f"--base {base}: no such commit")
        head = "HEAD" if _git.has_commits() else None
        before = _merge_base(base, head) if head else base
        return ChangeSpec(before, None, f"--base {base}")
    # (pre-commit also sets the legacy names: ORIGIN is the from-ref, SOURCE the to-ref)
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF") or os.environ.get("PRE_COMMIT_ORIGIN")
    to_ref = os.environ.get("PRE_COMMIT_TO_REF") or os.environ.get("PRE_COMMIT_SOURCE")
    if from_ref and to_ref:
        for ref in (from_ref, to_ref):
            if not _git.ref_exists(ref):
                raise HookError(f"PRE_COMMIT_FROM_REF/TO_REF: no such commit {ref}")
        return ChangeSpec(_merge_base(from_ref, to_ref), to_ref, f"{from_ref}...{to_ref}")
    if filenames:
        before = "HEAD" if _git.has_commits() else EMPTY_TREE
        staged_changes = _git.changes(before)
        staged = {c.path for c in staged_changes if c.status in "ACMRT"}
        if staged and set(filenames) <= staged:
            return ChangeSpec(before, "", "staged changes", tuple(staged_changes))
    return None


def _merge_base(a: str, b: str) -> str:
    proc = _git.run("merge-base", a, b, ok=(0, 1))
    return proc.stdout.strip() or a


def check_static(
    filenames: Sequence[str], base: str | None, problems: list[str] | None = None
) -> list[Finding]:
    """DMH102 findings for a known change, else DMH103 findings for the whole tree.

    `problems` collects one-line messages for stderr (files that could not be analysed).
    """
    change = known_change(filenames, base)
    sink: list[str] = [] if problems is None else problems
    if change is not None:
        return check_change(change, sink)
    return check_state(filenames, sink)


# ---------------------------------------------------------------------------------------------
# helpers


def _hint(label: str) -> str:
    return f"python manage.py makemigrations {label}"


def _suppressed(findings: Iterable[Finding], tree: Tree) -> list[Finding]:
    kept = []
    for finding in findings:
        text = tree.read(finding.path)
        if text is not None and is_suppressed(finding, text.splitlines()):
            continue
        kept.append(finding)
    return kept


def _app_dir_of(path: str) -> str:
    """The folder that would be the app of a file (the part before migrations/ or models/)."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part in ("migrations", "models"):
            return "/".join(parts[:i])
    return "/".join(parts[:-1])


def _models_of(index: ModelIndex, apps: Iterable[App]) -> dict[tuple[str, str], list[Model]]:
    found: dict[tuple[str, str], list[Model]] = {}
    seen: set[tuple[str, str]] = set()
    for app in apps:
        for model in index.app_models(app):
            if (model.path, model.name) in seen:
                continue
            seen.add((model.path, model.name))
            found.setdefault(model.key, []).append(model)
    return found


def _broken_apps(index: ModelIndex, apps: Iterable[App]) -> set[str]:
    """Apps with a model module (or one they import) that does not parse: models unknown."""
    broken = set()
    for app in apps:
        if any(path in index.unparsable for path in index.app_modules(app)):
            broken.add(app.path)
    return broken


# ---------------------------------------------------------------------------------------------
# change-based (DMH102)


def _changes(change: ChangeSpec) -> list[_git.Change]:
    if change.changes is not None:
        return list(change.changes)
    if change.after is None:
        proc = _git.run("diff", "--name-status", "-z", "-M", change.before, "--")
        result = _git.parse_name_status(proc.stdout)
        for path in _git.untracked_files():
            result.append(_git.Change("A", path, path))
        return result
    if change.after == "":
        return _git.changes(change.before)
    return _git.changes(change.before, change.after, merge_base=False)


def _py_paths(rev: str | None) -> list[str]:
    """Python files at rev (None: the working tree, tracked and untracked; "": the index)."""
    if rev is None:
        return _git.ls_files("*.py", others=True)
    if rev == "":
        return _git.ls_files("*.py")
    listed = _git.run("ls-tree", "-r", "-z", "--name-only", rev).stdout
    return [p for p in _git.zsplit(listed) if p.endswith(".py")]


def _trees(
    change: ChangeSpec, changes: Sequence[_git.Change], reader: BlobReader
) -> tuple[Tree, Tree]:
    """The Python files before and after: listed once, the other side derived from `changes`."""
    after_paths = _py_paths(change.after)
    before_paths = set(after_paths)
    for item in changes:
        if item.status in "ARC":
            before_paths.discard(item.path)
        if item.status in "DRC":
            before_paths.add(item.old)
    before = GitTree(
        change.before, paths=sorted(p for p in before_paths if p.endswith(".py")), reader=reader
    )
    if change.after is None:
        return before, DiskTree(after_paths)
    return before, GitTree(change.after, paths=after_paths, reader=reader)


_APP_FILE = re.compile(r"(?:^|/)(?:models\.py|apps\.py)$|(?:^|/)(?:migrations|models)/")


def _candidate_dirs(paths: Iterable[str]) -> set[str]:
    search = _APP_FILE.search
    folders = {path.rpartition("/")[0] for path in paths if search(path)}
    return {_app_dir_of(f"{folder}/_" if folder else "_") for folder in folders}


def _ancestors(path: str) -> list[str]:
    result = []
    directory = posixpath.dirname(path)
    while True:
        result.append(directory)
        if not directory:
            return result
        directory = posixpath.dirname(directory)


def _is_migration(path: str) -> bool:
    return posixpath.basename(posixpath.dirname(path)) == "migrations"


def _affected_dirs(changed: list[str], candidates: set[str], rev: str | None) -> set[str]:
    """App folders whose models may be affected by the changed Python files.

    The apps holding a changed file, and the apps with a module that names the changed module's
    package or module (`git grep` after the change): an import of an abstract base or mixin.
    (An app that stopped importing it changed itself, so it is affected anyway.)
    """
    affected: set[str] = set()
    words: set[str] = set()
    for path in changed:
        for directory in _ancestors(path):
            if directory in candidates:
                affected.add(directory)
                break
        stem = posixpath.basename(path)[:-3]
        parent = posixpath.basename(posixpath.dirname(path))
        words.add(parent or stem if stem in ("__init__", "models") else stem)
    for path in _grep(sorted(words), rev):
        for directory in _ancestors(path):
            if directory in candidates:
                affected.add(directory)
                break
    return affected


def _grep(words: Sequence[str], rev: str | None) -> list[str]:
    """Python files that contain one of the words, at rev (None: working tree, "": index)."""
    patterns = [arg for word in words for arg in ("-e", word)]
    where = ["--cached"] if rev == "" else [rev] if rev else []
    proc = _git.run("grep", "-l", "-z", "-F", *patterns, *where, "--", "*.py", ok=(0, 1))
    found = _git.zsplit(proc.stdout)
    if rev:
        found = [p[len(rev) + 1 :] if p.startswith(f"{rev}:") else p for p in found]
    return found


def check_change(change: ChangeSpec, problems: list[str]) -> list[Finding]:
    changes = _changes(change)
    py_changed = sorted(
        {p for c in changes for p in (c.path, c.old) if p.endswith(".py") and not _is_migration(p)}
    )
    if not py_changed:
        return []
    reader = BlobReader()
    try:
        before, after = _trees(change, changes, reader)
        return _check_change(change, changes, py_changed, before, after, problems)
    finally:
        reader.close()


def _check_change(
    change: ChangeSpec,
    changes: list[_git.Change],
    py_changed: list[str],
    before: Tree,
    after: Tree,
    problems: list[str],
) -> list[Finding]:
    candidates = _candidate_dirs(before.paths) | _candidate_dirs(after.paths)
    affected = _affected_dirs(py_changed, candidates, change.after)
    if not affected:
        return []

    prefixes = tuple(d + "/" for d in affected if d)

    def scoped(tree: Tree) -> list[str]:
        return [
            p
            for p in tree.paths
            if ("" in affected or p.startswith(prefixes))
            and (_app_dir_of(p) in affected or posixpath.dirname(p) in affected)
        ]

    before_apps = [a for a in find_apps(scoped(before), before.read) if a.path in affected]
    after_apps = [a for a in find_apps(scoped(after), after.read) if a.path in affected]
    old_index = ModelIndex(before, before_apps)
    new_index = ModelIndex(after, after_apps)
    old_models = _models_of(old_index, before_apps)
    new_models = _models_of(new_index, after_apps)
    broken = _broken_apps(old_index, before_apps) | _broken_apps(new_index, after_apps)
    problems.extend(new_index.problems)

    migrated = {a.label for a in after_apps if a.migrations_dir and a.has_init}
    label_dirs = {a.label: a.path for a in after_apps}
    with_migration: set[str] = set()
    migration_dirs = {a.migrations_dir: a.label for a in after_apps if a.migrations_dir}
    for item in changes:
        if item.status in "AMRC" and _is_migration(item.path) and item.path.endswith(".py"):
            label = migration_dirs.get(posixpath.dirname(item.path))
            if label and posixpath.basename(item.path) != "__init__.py":
                with_migration.add(label)

    findings: list[Finding] = []
    added: list[Model] = []
    removed: list[Model] = []
    for key in sorted(set(old_models) | set(new_models)):
        label = key[0]
        if label not in migrated or label in with_migration:
            continue
        if label_dirs.get(label) in broken:
            continue
        olds = [m for m in old_models.get(key, []) if not m.abstract]
        news = [m for m in new_models.get(key, []) if not m.abstract]
        if len(olds) > 1 or len(news) > 1:
            continue  # defined twice: the last import wins, not knowable statically
        old = olds[0] if olds else None
        new = news[0] if news else None
        if (old and old.unknown) or (new and new.unknown):
            continue
        if any(m.unknown for m in old_models.get(key, []) + new_models.get(key, [])):
            continue
        if old is None and new is not None:
            added.append(new)
        elif new is None and old is not None:
            removed.append(old)
        elif old is not None and new is not None:
            findings.extend(compare_models(old, new))
    findings.extend(_added_removed(added, removed, after, new_models))
    return _suppressed(findings, after)


def _added_removed(
    added: list[Model],
    removed: list[Model],
    after: Tree,
    new_models: Mapping[tuple[str, str], list[Model]],
) -> list[Finding]:
    findings = []
    renamed: set[int] = set()
    for new in added:
        match = next(
            (
                i
                for i, old in enumerate(removed)
                if i not in renamed
                and old.label == new.label
                and _field_sigs(old) == _field_sigs(new)
                and _field_sigs(new)
            ),
            None,
        )
        if match is not None:
            renamed.add(match)
            what = f"model renamed from {removed[match].name}"
        else:
            what = "model added"
        findings.append(
            Finding(
                new.path,
                new.line,
                new.col,
                "DMH102",
                f"{new.label}.{new.name}: {what}, no migration",
                _hint(new.label),
            )
        )
    known = set(after.paths)
    for i, old in enumerate(removed):
        if i in renamed:
            continue
        if any(m.name == old.name and m.unknown for ms in new_models.values() for m in ms):
            continue
        pattern = re.compile(rf"^[ \t]+class[ \t]+{re.escape(old.name)}\b", re.MULTILINE)
        prefix = f"{old.app}/" if old.app else ""
        if any(
            pattern.search(after.read(p) or "")
            for p in after.paths
            if p.startswith(prefix) and p.endswith(".py") and not _is_migration(p)
        ):
            continue  # still defined, nested in a block this reader does not follow
        # at the module that held it, else the app's models module, else where it was
        fallback = [p for p in (f"{old.app}/models.py" if old.app else "models.py",) if p in known]
        path = old.path if old.path in known else (fallback or [old.path])[0]
        findings.append(
            Finding(
                path,
                1,
                1,
                "DMH102",
                f"{old.label}.{old.name}: model removed, no migration",
                _hint(old.label),
            )
        )
    return findings


def _field_sigs(model: Model) -> list[tuple[str, str]]:
    return sorted((f.name, f.signature) for f in model.fields.values())


def _full(model: Model) -> bool:
    """A managed, non-proxy model: Django records field changes for it."""
    return model.managed and not model.proxy


def compare_models(old: Model, new: Model) -> list[Finding]:
    """DMH102 findings for one model present before and after the change."""
    name = f"{new.label}.{new.name}"
    hint = _hint(new.label)
    findings: list[Finding] = []

    def report(path: str, line: int, col: int, what: str) -> None:
        findings.append(Finding(path, line, col, "DMH102", f"{name}: {what}, no migration", hint))

    if _full(old) and _full(new):
        if old.parents != new.parents:
            report(new.path, new.line, new.col, "parent models changed")
        _compare_fields(old, new, report)
        keys = RECORDED_OPTIONS
        for manager in sorted(set(old.managers) | set(new.managers)):
            before, after = old.managers.get(manager), new.managers.get(manager)
            if "?" in (before and before.signature, after and after.signature):
                continue  # the default manager is not certain on one side
            if (before and before.signature) != (after and after.signature):
                where = after or before
                assert where is not None
                path, line, col = (
                    (where.path, where.line, where.col) if after else (new.path, new.line, new.col)
                )
                what = (
                    "default manager changed"
                    if manager == DEFAULT_MANAGER
                    else f"manager {manager} changed"
                )
                report(path, line, col, what)
    else:
        keys = ALTER_OPTIONS | {"proxy", "managed"}
    for option in sorted(keys):
        before, after = old.options.get(option), new.options.get(option)
        if (before and before.signature) == (after and after.signature):
            continue
        if after is not None:
            verb = "added" if before is None else "changed"
            report(after.path, after.line, after.col, f"Meta.{option} {verb}")
        else:
            report(new.path, new.line, new.col, f"Meta.{option} removed")
    return findings


def _compare_fields(old: Model, new: Model, report: Callable[[str, int, int, str], None]) -> None:
    gone = {n: f for n, f in old.fields.items() if n not in new.fields}
    fresh = {n: f for n, f in new.fields.items() if n not in old.fields}
    for name, field in sorted(fresh.items(), key=lambda item: item[1].line):
        match = next((o for o, f in sorted(gone.items()) if f.signature == field.signature), None)
        if match is not None:
            del gone[match]
            report(field.path, field.line, field.col, f"field {match} renamed to {name}")
        else:
            report(field.path, field.line, field.col, f"field {name} added")
    for name in sorted(gone):
        report(new.path, new.line, new.col, f"field {name} removed")
    for name in sorted(set(old.fields) & set(new.fields)):
        before, after = old.fields[name], new.fields[name]
        if before.signature != after.signature:
            report(
                after.path, after.line, after.col, f"field {name} changed ({_what(before, after)})"
            )


def _what(before: FieldDef, after: FieldDef) -> str:
    old, new = dict(before.params), dict(after.params)
    if old.get("<class>") != new.get("<class>"):
        return f"{before.type_name} -> {after.type_name}"
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return ", ".join(k for k in keys if not k.startswith("*")) or "arguments"


# ---------------------------------------------------------------------------------------------
# state-based (DMH103)


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
    models = _models_of(index, apps)
    broken = _broken_apps(index, apps)
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


def _migration_states(tree: Tree, apps: Sequence[App]) -> dict[str, AppState]:
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
    func: Callable[[Tree, Sequence[App]], dict[str, AppState]], tree: Tree, apps: Sequence[App]
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


def _replays(graph: Graph, tree: Tree) -> Iterator[Replay]:
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
        for directory in _ancestors(name):
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
    hint = _hint(label)
    findings: list[Finding] = []
    mine = {key: ms for key, ms in models.items() if key[0] == label}
    for key, found in sorted(mine.items()):
        concrete = [m for m in found if not m.abstract]
        if len(concrete) != 1 or any(m.unknown for m in found):
            continue
        model = concrete[0]
        name = f"{label}.{model.name}"
        recorded = state.models.get(key[1])
        if recorded is None:
            findings.append(
                Finding(
                    model.path,
                    model.line,
                    model.col,
                    "DMH103",
                    f"{name}: model is in no migration",
                    hint,
                )
            )
            continue
        if recorded.uncertain or not _full(model) or recorded.proxy or not recorded.managed:
            continue
        for field in sorted(model.fields.values(), key=lambda f: (f.path, f.line)):
            if field.name not in recorded.fields:
                findings.append(
                    Finding(
                        field.path,
                        field.line,
                        field.col,
                        "DMH103",
                        f"{name}: field {field.name} is in no migration",
                        hint,
                    )
                )
        if model.incomplete:
            continue
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
                    "DMH103",
                    f"{name}: field {field_name} is in migrations but not in the model",
                    hint,
                )
            )
    if _app_fully_known(app, mine, index):
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
                    "DMH103",
                    f"{label}.{recorded.name}: model is in migrations but not in the code",
                    hint,
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
