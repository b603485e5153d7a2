"""The change-based analysis of the static tier (DMH102): models before and after a change.

The change is known (see `known_change`): the models of each app the change touches are read
before and after it; a change Django records in a migration, in an app whose migrations did not
change, is reported at the changed line (`static_compare.compare_models`).
"""

from __future__ import annotations

import enum
import os
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from django_migration_hooks import _git
from django_migration_hooks._report import Finding, HookError
from django_migration_hooks.djangoread.apps import find_apps
from django_migration_hooks.djangoread.models import ModelIndex
from django_migration_hooks.djangoread.records import Model
from django_migration_hooks.djangoread.trees import BlobReader, DiskTree, GitTree, SourceTree
from django_migration_hooks.missing.static_common import (
    _suppressed,
    ancestors,
    app_dir_of,
    broken_apps,
    field_signatures,
    is_migration,
    makemigrations_hint,
    models_of,
)
from django_migration_hooks.missing.static_compare import compare_models
from django_migration_hooks.rules import codes

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


class Snapshot(enum.Enum):
    """A side of a change that is not a commit."""

    INDEX = "the index"
    WORK_TREE = "the work tree"


Revision = str | Snapshot  # a commit, the index or the work tree


class ChangeSpec(NamedTuple):
    before: str  # a commit
    after: Revision
    why: str
    changes: tuple[_git.Change, ...] | None = None  # when already known


def known_change(filenames: Sequence[str], base: str | None) -> ChangeSpec | None:
    """The change to analyse, or None for a state-based run (see the module docstring)."""
    if base:
        if not _git.ref_exists(base):
            raise HookError(f"--base {base}: no such commit")
        head = "HEAD" if _git.has_commits() else None
        before = _merge_base(base, head) if head else base
        return ChangeSpec(before, Snapshot.WORK_TREE, f"--base {base}")
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
            return ChangeSpec(before, Snapshot.INDEX, "staged changes", tuple(staged_changes))
    return None


def _merge_base(a: str, b: str) -> str:
    proc = _git.run("merge-base", a, b, ok=(0, 1))
    return proc.stdout.strip() or a


def _changes(change: ChangeSpec) -> list[_git.Change]:
    if change.changes is not None:
        return list(change.changes)
    if change.after is Snapshot.WORK_TREE:
        proc = _git.run("diff", "--name-status", "-z", "-M", change.before, "--")
        result = _git.parse_name_status(proc.stdout)
        for path in _git.untracked_files():
            result.append(_git.Change("A", path, path))
        return result
    if change.after is Snapshot.INDEX:
        return _git.changes(change.before)
    return _git.changes(change.before, change.after, merge_base=False)


def _py_paths(rev: Revision) -> list[str]:
    """Python files at rev (the work tree: tracked and untracked)."""
    if rev is Snapshot.WORK_TREE:
        return _git.ls_files("*.py", others=True)
    if rev is Snapshot.INDEX:
        return _git.ls_files("*.py")
    listed = _git.run("ls-tree", "-r", "-z", "--name-only", rev).stdout
    return [p for p in _git.zsplit(listed) if p.endswith(".py")]


def _trees(
    change: ChangeSpec, changes: Sequence[_git.Change], reader: BlobReader
) -> tuple[SourceTree, SourceTree]:
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
    if change.after is Snapshot.WORK_TREE:
        return before, DiskTree(after_paths)
    rev = "" if change.after is Snapshot.INDEX else change.after  # GitTree's "" is the index
    return before, GitTree(rev, paths=after_paths, reader=reader)


_APP_FILE = re.compile(r"(?:^|/)(?:models\.py|apps\.py)$|(?:^|/)(?:migrations|models)/")


def _candidate_dirs(paths: Iterable[str]) -> set[str]:
    search = _APP_FILE.search
    folders = {path.rpartition("/")[0] for path in paths if search(path)}
    return {app_dir_of(f"{folder}/_" if folder else "_") for folder in folders}


def _affected_dirs(changed: list[str], candidates: set[str], rev: Revision) -> set[str]:
    """App folders whose models may be affected by the changed Python files.

    The apps holding a changed file, and the apps with a module that names the changed module's
    package or module (`git grep` after the change): an import of an abstract base or mixin.
    (An app that stopped importing it changed itself, so it is affected anyway.)
    """
    affected: set[str] = set()
    words: set[str] = set()
    for path in changed:
        for directory in ancestors(path):
            if directory in candidates:
                affected.add(directory)
                break
        stem = posixpath.basename(path)[:-3]
        parent = posixpath.basename(posixpath.dirname(path))
        words.add(parent or stem if stem in ("__init__", "models") else stem)
    for path in _grep(sorted(words), rev):
        for directory in ancestors(path):
            if directory in candidates:
                affected.add(directory)
                break
    return affected


def _grep(words: Sequence[str], rev: Revision) -> list[str]:
    """Python files that contain one of the words, at rev."""
    patterns = [arg for word in words for arg in ("-e", word)]
    where = ["--cached"] if rev is Snapshot.INDEX else [] if rev is Snapshot.WORK_TREE else [rev]
    proc = _git.run("grep", "-l", "-z", "-F", *patterns, *where, "--", "*.py", ok=(0, 1))
    found = _git.zsplit(proc.stdout)
    if isinstance(rev, str):
        found = [p[len(rev) + 1 :] if p.startswith(f"{rev}:") else p for p in found]
    return found


def check_change(change: ChangeSpec, problems: list[str]) -> list[Finding]:
    changes = _changes(change)
    py_changed = sorted(
        {p for c in changes for p in (c.path, c.old) if p.endswith(".py") and not is_migration(p)}
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
    before: SourceTree,
    after: SourceTree,
    problems: list[str],
) -> list[Finding]:
    candidates = _candidate_dirs(before.paths) | _candidate_dirs(after.paths)
    affected = _affected_dirs(py_changed, candidates, change.after)
    if not affected:
        return []

    prefixes = tuple(d + "/" for d in affected if d)

    def scoped(tree: SourceTree) -> list[str]:
        return [
            p
            for p in tree.paths
            if ("" in affected or p.startswith(prefixes))
            and (app_dir_of(p) in affected or posixpath.dirname(p) in affected)
        ]

    before_apps = [a for a in find_apps(scoped(before), before.read) if a.path in affected]
    after_apps = [a for a in find_apps(scoped(after), after.read) if a.path in affected]
    old_index = ModelIndex(before, before_apps)
    new_index = ModelIndex(after, after_apps)
    old_models = models_of(old_index, before_apps)
    new_models = models_of(new_index, after_apps)
    broken = broken_apps(old_index, before_apps) | broken_apps(new_index, after_apps)
    problems.extend(new_index.problems)

    migrated = {a.label for a in after_apps if a.migrations_dir and a.has_init}
    label_dirs = {a.label: a.path for a in after_apps}
    with_migration: set[str] = set()
    migration_dirs = {a.migrations_dir: a.label for a in after_apps if a.migrations_dir}
    for item in changes:
        if item.status in "AMRC" and is_migration(item.path) and item.path.endswith(".py"):
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
    after: SourceTree,
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
                and field_signatures(old) == field_signatures(new)
                and field_signatures(new)
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
                codes.DMH102,
                f"{new.label}.{new.name}: {what}, no migration",
                makemigrations_hint(new.label),
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
            if p.startswith(prefix) and p.endswith(".py") and not is_migration(p)
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
                codes.DMH102,
                f"{old.label}.{old.name}: model removed, no migration",
                makemigrations_hint(old.label),
            )
        )
    return findings
