"""check-migration-rewrites: migrations that already shipped were modified, deleted or renamed.

"Shipped" means present on the base: `--base REF` (or `base` in the configuration), else
`PRE_COMMIT_FROM_REF` (pre-push, `pre-commit run --from-ref`), else the remote default branch
(`origin/HEAD`, `origin/main`, `origin/master`), else a local `main`/`master`. The migrations as
they were where the current work forked from the base (`git merge-base BASE HEAD`) are compared
with what is being committed or pushed: `PRE_COMMIT_TO_REF` when set, else the git index (the
last commit plus staged changes: exactly what `git commit` records).
"""

from __future__ import annotations

import argparse
import ast
import os
import posixpath
import sys
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

import pathspec

from django_migration_hooks import _git, rules
from django_migration_hooks._config import load_config
from django_migration_hooks._hook import parser as hook_parser
from django_migration_hooks._report import (
    Contents,
    Finding,
    HookError,
    handles_errors,
    report,
    unsuppressed,
)
from django_migration_hooks.djangoread.apps import app_label, is_skipped
from django_migration_hooks.djangoread.migrations import Key, is_migration_path, parse_migration
from django_migration_hooks.rules import codes

HOOK_ID = "check-migration-rewrites"
SCHEMA = {"allow": "list[str]", "base": "str"}
DEFAULT_BASES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")
NULL_SHA = "0" * 40
MIGRATIONS_PATHSPEC = ":(glob)**/migrations/*.py"

RULES = rules.for_hook(HOOK_ID)


class Base(NamedTuple):
    ref: str  # as given, for messages
    commit: str  # the merge base with HEAD (or TO_REF)
    head: str | None  # None: the index


# --- pure checks ------------------------------------------------------------------------------


def _no_effect(stmt: ast.stmt) -> bool:
    """A docstring (a statement that is only a string) or a `from __future__` import."""
    if isinstance(stmt, ast.ImportFrom):
        return stmt.module == "__future__"
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    """Drop docstrings and `from __future__` imports: they do not change what a migration does
    (on Python 3, `unicode_literals` and the rest are no-ops)."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body:
                kept = [stmt for stmt in body if not _no_effect(stmt)]
                setattr(node, field, kept or [ast.Pass()])
    return tree


def _parse(source: bytes) -> ast.Module | None:
    try:
        return _normalized(ast.parse(source))
    except (SyntaxError, ValueError):
        return None


def _parse_problem(source: bytes) -> str:
    """Why the running Python cannot parse a source ("" when it can)."""
    try:
        ast.parse(source)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except ValueError as exc:
        return str(exc)
    return ""


def _type_checking(stmt: ast.stmt) -> bool:
    """`if TYPE_CHECKING:` / `if typing.TYPE_CHECKING:` without an else: never runs."""
    return (
        isinstance(stmt, ast.If)
        and not stmt.orelse
        and (
            (isinstance(stmt.test, ast.Name) and stmt.test.id == "TYPE_CHECKING")
            or (isinstance(stmt.test, ast.Attribute) and stmt.test.attr == "TYPE_CHECKING")
        )
    )


class _Unannotated(ast.NodeTransformer):
    """Annotations change nothing a database sees: drop them (`x: T = v` becomes `x = v`)."""

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.returns = None
        self.generic_visit(node)
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AsyncFunctionDef:
        node.returns = None
        self.generic_visit(node)
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.stmt | None:
        if node.value is None:
            return None
        return ast.copy_location(ast.Assign([node.target], node.value), node)


def _imports(tree: ast.Module) -> ast.stmt:
    """The module-level imports as one statement: bound name -> what it names, for the names
    the rest of the module uses (order, grouping and unused imports change nothing)."""
    bound: dict[str, str] = {}
    rest: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                name = alias.asname or alias.name.split(".")[0]
                bound[name] = alias.name if alias.asname else name
        elif isinstance(stmt, ast.ImportFrom):
            module = "." * stmt.level + (stmt.module or "")
            for alias in stmt.names:
                bound[alias.asname or alias.name] = f"{module}:{alias.name}"
        else:
            rest.append(stmt)
    used = {n.id for stmt in rest for n in ast.walk(stmt) if isinstance(n, ast.Name)}
    used.add("*")  # a star import is always kept
    meaning = sorted((name, target) for name, target in bound.items() if name in used)
    tree.body = rest
    return ast.Expr(ast.Constant(repr(meaning)))


def _normalized(tree: ast.Module) -> ast.Module:
    """The tree without docstrings, `from __future__` imports, annotations, `TYPE_CHECKING`
    blocks and import formatting: what the migration does."""
    tree.body = [stmt for stmt in tree.body if not _type_checking(stmt)]
    _strip_docstrings(tree)
    tree = _Unannotated().visit(tree)
    imports = _imports(tree)
    tree.body = [*tree.body, imports]  # last: a change of behaviour is located first
    return tree


def _position(node: ast.AST) -> tuple[int, int] | None:
    line = getattr(node, "lineno", None)
    col = getattr(node, "col_offset", None)
    if isinstance(line, int) and isinstance(col, int):
        return line, col + 1
    return None


def _difference(old: ast.AST, new: ast.AST) -> tuple[bool, tuple[int, int] | None]:
    """(whether new differs from old, where: the deepest differing node with a position)."""
    if type(old) is not type(new):
        return True, _position(new)
    for field in new._fields:
        if field == "kind" and isinstance(new, ast.Constant):
            continue  # the `u` prefix of u"..." strings: formatting only
        a, b = getattr(old, field, None), getattr(new, field, None)
        if isinstance(a, list) and isinstance(b, list):
            for x, y in zip(a, b, strict=False):
                if isinstance(x, ast.AST) and isinstance(y, ast.AST):
                    differs, where = _difference(x, y)
                    if differs:
                        return True, where or _position(new)
                elif x != y:
                    return True, _position(new)
            if len(a) != len(b):
                extra = b[len(a)] if len(b) > len(a) else None
                where = _position(extra) if isinstance(extra, ast.AST) else None
                return True, where or _position(new)
        elif isinstance(a, ast.AST) and isinstance(b, ast.AST):
            differs, where = _difference(a, b)
            if differs:
                return True, where or _position(new)
        elif type(a) is not type(b) or a != b:
            return True, _position(new)
    return False, None


def first_difference(old: ast.AST, new: ast.AST) -> tuple[int, int] | None:
    """Where new first differs from old (1-based), (1, 1) if nowhere better; None when equal."""
    differs, where = _difference(old, new)
    return (where or (1, 1)) if differs else None


def _qualified(app: str, name: str) -> str:
    return f"{app}.{name}" if app else name


def _pair_key(node: ast.expr) -> Key | None:
    if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == 2:
        app, name = node.elts
        if (
            isinstance(app, ast.Constant)
            and isinstance(app.value, str)
            and isinstance(name, ast.Constant)
            and isinstance(name.value, str)
        ):
            return (app.value, name.value)
    return None


def _edge_keys(tree: ast.AST) -> set[Key]:
    """The ("app", "name") entries of `dependencies`/`run_before` in a migration module."""
    found: set[Key] = set()
    for cls in getattr(tree, "body", []):
        if isinstance(cls, ast.ClassDef) and cls.name == "Migration":
            for stmt in cls.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id in ("dependencies", "run_before")
                    and isinstance(stmt.value, (ast.List, ast.Tuple))
                ):
                    found.update(k for k in map(_pair_key, stmt.value.elts) if k is not None)
    return found


def squash_transition(
    tree: ast.AST,
    squashes: Mapping[Key, Key],
    gone: Collection[Key],
    repointed: Collection[Key] = (),
) -> ast.AST:
    """Apply the steps of Django's squash transition to a migration's (old) syntax tree.

    In `dependencies`/`run_before`, a migration replaced by a squashed one that is among
    `repointed` (the entries of the new version) is renamed to the squashed one (duplicates
    dropped); a `replaces` list whose migrations are all `gone` is dropped. Applied to the old
    version (and the `replaces` step to both), the documented edits (repoint dependants at the
    squash, remove `replaces` once the replaced files are deleted) compare equal.
    """
    if not isinstance(tree, ast.Module):
        return tree
    for cls in tree.body:
        if not (isinstance(cls, ast.ClassDef) and cls.name == "Migration"):
            continue
        body: list[ast.stmt] = []
        for stmt in cls.body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else None
            if target is None or not isinstance(target, ast.Name):
                body.append(stmt)
                continue
            value = stmt.value if isinstance(stmt, ast.Assign) else None
            if not isinstance(value, (ast.List, ast.Tuple)):
                body.append(stmt)
                continue
            keys = [_pair_key(e) for e in value.elts]
            if target.id == "replaces" and keys and all(k is not None and k in gone for k in keys):
                continue
            if target.id in ("dependencies", "run_before"):
                elts: list[ast.expr] = []
                seen: set[Key] = set()
                for element, key in zip(value.elts, keys, strict=True):
                    if key is not None and key in squashes and squashes[key] in repointed:
                        key = squashes[key]
                        element = ast.Tuple(
                            [ast.Constant(key[0]), ast.Constant(key[1])], ast.Load()
                        )
                    if key is not None:
                        if key in seen:
                            continue
                        seen.add(key)
                    elts.append(element)
                value.elts = elts
            body.append(stmt)
        cls.body = body or [ast.Pass()]
    return tree


def check_modified(
    path: str,
    old: bytes,
    new: bytes,
    base: str,
    app: str = "",
    *,
    squashes: Mapping[Key, Key] | None = None,
    gone: Collection[Key] = (),
) -> list[Finding]:
    """DMH411 when new behaves differently from old (a migration file present on base).

    `squashes` (replaced key -> squashed key) and `gone` (migrations deleted) allow the edits of
    Django's squash transition (see squash_transition).
    """
    if old == new:
        return []
    old_module, new_module = _parse(old), _parse(new)
    if old_module is None or new_module is None:
        # never a finding because the running Python cannot parse a side: say so, once
        side, source = ("the base", old) if old_module is None else ("the new", new)
        _notice(
            f"{path}: not compared: Python {sys.version_info[0]}.{sys.version_info[1]} cannot "
            f"parse {side} version ({_parse_problem(source)})"
        )
        return []
    old_tree: ast.AST = old_module
    new_tree: ast.AST = new_module
    if squashes:
        old_tree = squash_transition(old_tree, squashes, gone, _edge_keys(new_tree))
        new_tree = squash_transition(new_tree, squashes, gone)
    where = first_difference(old_tree, new_tree)
    if where is None:
        return []
    name = _qualified(app, posixpath.basename(path)[:-3])
    return [
        Finding(
            path,
            *where,
            codes.DMH411,
            f"migration `{name}` exists on `{base}` and was modified; databases that already "
            "applied it will not run the change",
            "revert the edit and make a new migration (`python manage.py makemigrations`)",
        )
    ]


def check_removed(old_path: str, new_path: str | None, base: str, app: str = "") -> list[Finding]:
    """DMH412 for a migration present on base that was deleted (new_path None) or renamed."""
    name = _qualified(app, posixpath.basename(old_path)[:-3])
    if new_path is None:
        return [
            Finding(
                old_path,
                1,
                1,
                codes.DMH412,
                f"migration `{name}` exists on `{base}` and was deleted",
                f"restore it (`git checkout {base} -- {old_path}`); delete migrations only "
                "after a squashed migration that replaces them has been applied everywhere",
            )
        ]
    return [
        Finding(
            new_path,
            1,
            1,
            codes.DMH412,
            f"migration `{name}` exists on `{base}` and was renamed to "
            f"`{posixpath.basename(new_path)[:-3]}`; databases that applied it will run it again",
            f"keep the name `{posixpath.basename(old_path)}`",
        )
    ]


# --- git --------------------------------------------------------------------------------------


def _label(path: str, labels: dict[str, str]) -> str:
    app_dir = path.rpartition("/")[0].rpartition("/")[0]
    if app_dir not in labels:
        labels[app_dir] = app_label(app_dir)
    return labels[app_dir]


def _notice(message: str) -> None:
    print(f"{HOOK_ID}: {message}", file=sys.stderr)


def resolve_base(explicit: str | None, env: Mapping[str, str]) -> Base | None:
    """The base to compare with, or None (after one notice on stderr) when there is none."""
    head = env.get("PRE_COMMIT_TO_REF") or None
    if head is not None and not _git.ref_exists(head):
        raise HookError(f"PRE_COMMIT_TO_REF {head!r} is not a commit in this repository")
    if explicit:
        if not _git.ref_exists(explicit):
            _notice(
                f"base {explicit!r} not found (shallow clone or not fetched?); "
                "nothing to compare, skipped"
            )
            return None
        ref = explicit
    else:
        from_ref = env.get("PRE_COMMIT_FROM_REF", "")
        candidates = [from_ref] if from_ref and from_ref != NULL_SHA else []
        found = [c for c in (*candidates, *DEFAULT_BASES) if _git.ref_exists(c)]
        if not found:
            _notice(
                "no base branch found (tried PRE_COMMIT_FROM_REF, "
                + ", ".join(DEFAULT_BASES)
                + "); nothing to compare, skipped (use --base REF)"
            )
            return None
        ref = found[0]
    if len(ref) == 40 and all(c in "0123456789abcdef" for c in ref):
        ref = ref[:12]  # PRE_COMMIT_FROM_REF: a full sha is long in messages
    tip = head or "HEAD"
    if not _git.has_commits() and head is None:
        _notice(f"no commit yet, so nothing shipped since `{ref}`; skipped")
        return None
    proc = _git.run("merge-base", ref, tip, ok=(0, 1))
    commit = proc.stdout.strip()
    if proc.returncode != 0 or not commit:
        _notice(
            f"`{ref}` and {tip} have no common history here (shallow clone?); "
            "nothing to compare, skipped (fetch more history: `git fetch --unshallow`)"
        )
        return None
    return Base(ref, commit, head)


def _squashes_at(tree: str | None, labels: dict[str, str]) -> dict[Key, Key]:
    """Replaced key -> squashed key, for squashed migrations in a tree (None: the index)."""
    if tree is None:
        args = ["grep", "--cached", "-l", "-z", "-e", "replaces"]
    else:
        args = ["grep", "-l", "-z", "-e", "replaces", tree]
    proc = _git.run(*args, "--", MIGRATIONS_PATHSPEC, ok=(0, 1))
    paths = [p.split(":", 1)[1] if tree else p for p in _git.zsplit(proc.stdout)]
    paths = [p for p in paths if is_migration_path(p) and "\n" not in p]
    prefix = f"{tree}:./" if tree else ":./"
    squashes: dict[Key, Key] = {}
    for path, data in zip(paths, _git.cat_files([prefix + p for p in paths]), strict=True):
        if data is None:
            continue
        migration = parse_migration(path, data, app_label=_label(path, labels))
        if migration is not None:
            for key in migration.replaces:
                squashes.setdefault(key, migration.key)
    return squashes


def _squash_replaced(base: Base, labels: dict[str, str]) -> dict[Key, Key]:
    """Replaced key -> squashed key, for squashed migrations on the new side or on the base
    (the last step of the transition drops `replaces` from the squashed migration)."""
    return {**_squashes_at(base.commit, labels), **_squashes_at(base.head, labels)}


def _new_side(base: Base) -> str:
    """The prefix naming a cwd-relative path on the new side (`TO_REF:./` or the index `:./`)."""
    return f"{base.head}:./" if base.head else ":./"


def _changes(base: Base) -> list[_git.Change]:
    """Migration files changed from base.commit to the new side, relative to the cwd."""
    args = ["diff", "--name-status", "-z", "-M", "--relative"]
    args += [base.commit, base.head] if base.head else ["--cached", base.commit]
    return _git.parse_name_status(_git.run(*args, "--", MIGRATIONS_PATHSPEC).stdout)


def scan(base: Base, allow: pathspec.PathSpec[Any] | None = None) -> list[Finding]:
    """DMH411/DMH412 for migration files changed between base.commit and the new tree.

    Files matching `allow` (old or new path) are left out.
    """
    all_changes = _changes(base)
    changed = [
        c
        for c in all_changes
        if c.status in "DMRT"
        and is_migration_path(c.old)
        and not is_skipped(c.old)
        and "\n" not in c.old + c.path
        and not (allow is not None and (allow.match_file(c.old) or allow.match_file(c.path)))
    ]
    if not changed:
        return []
    prefix = _new_side(base)
    olds = _git.cat_files([f"{base.commit}:./{c.old}" for c in changed])
    kept = [c for c in changed if c.status != "D"]
    new_blobs = dict(zip(kept, _git.cat_files([prefix + c.path for c in kept]), strict=True))
    news = [new_blobs.get(c) for c in changed]
    labels: dict[str, str] = {}
    replaced: dict[Key, Key] | None = None
    gone = {
        (_label(c.old, labels), posixpath.basename(c.old)[:-3])
        for c in all_changes
        if c.status in "DR" and is_migration_path(c.old) and "\n" not in c.old
    }
    findings: list[Finding] = []
    for change, old, new in zip(changed, olds, news, strict=True):
        if old is None or parse_migration(change.old, old) is None:
            continue  # not a Django migration on the base
        if replaced is None:
            replaced = _squash_replaced(base, labels)
        if change.status in "MT":
            label = _label(change.path, labels)
            findings.extend(
                check_modified(
                    change.path, old, new or b"", base.ref, label, squashes=replaced, gone=gone
                )
            )
            continue
        key = (_label(change.old, labels), posixpath.basename(change.old)[:-3])
        if key in replaced:
            continue
        new_path = change.path if change.status == "R" else None
        findings.extend(check_removed(change.old, new_path, base.ref, key[0]))
    return findings


def _new_contents(base: Base) -> Contents:
    """Texts on the new side of the comparison (a deleted file has none: never suppressed)."""
    prefix = _new_side(base)
    return lambda paths: _git.cat_files([prefix + p for p in paths])


def run_check(explicit_base: str | None, env: Mapping[str, str]) -> list[Finding]:
    _git.root()  # outside a repository: an error (exit 2), not "no base branch found"
    config = load_config(HOOK_ID, SCHEMA)
    patterns = config.get("allow", [])
    try:
        allow = pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None
    except Exception as exc:  # pathspec raises several error types for bad patterns
        raise HookError(f"pyproject.toml: allow: invalid pattern: {exc}") from None
    base = resolve_base(explicit_base or config.get("base"), env)
    if base is None:
        return []
    return unsuppressed(scan(base, allow), config, _new_contents(base))


def check_repository() -> list[Finding]:
    return run_check(None, os.environ)


@handles_errors(HOOK_ID)
def main(argv: Sequence[str] | None = None) -> int:
    parser = hook_parser(
        HOOK_ID, "Report migrations that exist on the base branch and were modified or removed."
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        type=_nonempty,
        help="the branch or commit whose migrations count as shipped (default: "
        "PRE_COMMIT_FROM_REF, origin/HEAD, origin/main, origin/master, main, master)",
    )
    args = parser.parse_args(argv)
    _git.require_work_tree()
    return report(run_check(args.base, os.environ), args)


def _nonempty(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


if __name__ == "__main__":
    raise SystemExit(main())
