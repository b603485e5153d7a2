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
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pathspec

from hooks import _git
from hooks._apps import app_label, is_skipped
from hooks._config import load_config
from hooks._hook import parser as hook_parser
from hooks._migrations import Key, is_migration_path, parse_migration
from hooks._report import Finding, HookError, Rule, handles_errors, is_suppressed, report

HOOK_ID = "check-migration-rewrites"
SCHEMA = {"allow": "list[str]", "base": "str"}
DEFAULT_BASES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")
NULL_SHA = "0" * 40
MIGRATIONS_PATHSPEC = ":(glob)**/migrations/*.py"

RULES = (
    Rule(
        "DMH411",
        "modified-shipped-migration",
        HOOK_ID,
        "A migration that exists on the base branch was changed in a way that changes what it "
        "does (comments, formatting and docstrings are ignored: the code is compared as a "
        "syntax tree).",
        "Databases that already applied the migration never run it again, so the change "
        "reaches new databases only: production, staging and every developer database drift "
        "apart silently.",
        "Revert the edit and put the change in a new migration (`python manage.py "
        "makemigrations`). If the edit is deliberate and safe (a fix for fresh databases "
        "only), list the file under `allow`.",
    ),
    Rule(
        "DMH412",
        "deleted-shipped-migration",
        HOOK_ID,
        "A migration that exists on the base branch was deleted or renamed, and no squashed "
        "migration in the tree `replaces` it.",
        "Django records applied migrations by name: a renamed migration runs again on "
        "databases that already applied it under the old name, and migrations depending on "
        "a deleted one stop loading. Deleting and regenerating migrations is how deployed "
        "databases break.",
        "Restore the file under its old name. To shrink history, squash "
        "(`python manage.py squashmigrations`) and delete the replaced files only after "
        "every database has applied the squashed migration.",
    ),
)


class Base(NamedTuple):
    ref: str  # as given, for messages
    commit: str  # the merge base with HEAD (or TO_REF)
    head: str | None  # None: the index


# --- pure checks ------------------------------------------------------------------------------


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    """Drop statements that are only a string (docstrings): they do not change behaviour."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body:
                kept = [
                    stmt
                    for stmt in body
                    if not (
                        isinstance(stmt, ast.Expr)
                        and isinstance(stmt.value, ast.Constant)
                        and isinstance(stmt.value.value, str)
                    )
                ]
                setattr(node, field, kept or [ast.Pass()])
    return tree


def _parse(source: bytes) -> ast.AST | None:
    try:
        return _strip_docstrings(ast.parse(source))
    except (SyntaxError, ValueError):
        return None


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


def check_modified(path: str, old: bytes, new: bytes, base: str, app: str = "") -> list[Finding]:
    """DMH411 when new behaves differently from old (a migration file present on base)."""
    if old == new:
        return []
    old_tree, new_tree = _parse(old), _parse(new)
    if old_tree is None or new_tree is None:
        where: tuple[int, int] | None = (1, 1)
    else:
        where = first_difference(old_tree, new_tree)
    if where is None:
        return []
    name = _qualified(app, posixpath.basename(path)[:-3])
    return [
        Finding(
            path,
            *where,
            "DMH411",
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
                "DMH412",
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
            "DMH412",
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


def _squash_replaced(base: Base, labels: dict[str, str]) -> set[Key]:
    """Keys replaced by a squashed migration in the new tree."""
    if base.head is None:
        args = ["grep", "--cached", "-l", "-z", "-e", "replaces"]
    else:
        args = ["grep", "-l", "-z", "-e", "replaces", base.head]
    proc = _git.run(*args, "--", MIGRATIONS_PATHSPEC, ok=(0, 1))
    paths = [p.split(":", 1)[1] if base.head else p for p in _git.zsplit(proc.stdout)]
    paths = [p for p in paths if is_migration_path(p) and "\n" not in p]
    prefix = _new_side(base)
    replaced: set[Key] = set()
    for path, data in zip(paths, _git.cat_files([prefix + p for p in paths]), strict=True):
        if data is None:
            continue
        migration = parse_migration(path, data, app_label=_label(path, labels))
        if migration is not None:
            replaced.update(migration.replaces)
    return replaced


def _new_side(base: Base) -> str:
    """The prefix naming a cwd-relative path on the new side (`TO_REF:./` or the index `:./`)."""
    return f"{base.head}:./" if base.head else ":./"


def _changes(base: Base) -> list[_git.Change]:
    """Migration files changed from base.commit to the new side, relative to the cwd."""
    args = ["diff", "--name-status", "-z", "-M", "--relative"]
    args += [base.commit, base.head] if base.head else ["--cached", base.commit]
    parts = _git.zsplit(_git.run(*args, "--", MIGRATIONS_PATHSPEC).stdout)
    result: list[_git.Change] = []
    i = 0
    while i < len(parts):
        status = parts[i][0]
        if status in "RC":
            result.append(_git.Change(status, parts[i + 2], parts[i + 1]))
            i += 3
        else:
            result.append(_git.Change(status, parts[i + 1], parts[i + 1]))
            i += 2
    return result


def scan(base: Base, allow: pathspec.PathSpec[Any] | None = None) -> list[Finding]:
    """DMH411/DMH412 for migration files changed between base.commit and the new tree.

    Files matching `allow` (old or new path) are left out.
    """
    changed = [
        c
        for c in _changes(base)
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
    replaced: set[Key] | None = None
    findings: list[Finding] = []
    for change, old, new in zip(changed, olds, news, strict=True):
        if old is None or parse_migration(change.old, old) is None:
            continue  # not a Django migration on the base
        if change.status in "MT":
            label = _label(change.path, labels)
            findings.extend(check_modified(change.path, old, new or b"", base.ref, label))
            continue
        if replaced is None:
            replaced = _squash_replaced(base, labels)
        key = (_label(change.old, labels), posixpath.basename(change.old)[:-3])
        if key in replaced:
            continue
        new_path = change.path if change.status == "R" else None
        findings.extend(check_removed(change.old, new_path, base.ref, key[0]))
    return findings


def _without_noqa(findings: list[Finding], base: Base) -> list[Finding]:
    prefix = _new_side(base)
    paths = sorted({f.path for f in findings})  # deleted files have no lines: never suppressed
    lines = {
        path: (data or b"").decode("utf-8", "replace").splitlines()
        for path, data in zip(paths, _git.cat_files([prefix + p for p in paths]), strict=True)
    }
    return [f for f in findings if not is_suppressed(f, lines.get(f.path, []))]


def run_check(explicit_base: str | None, env: Mapping[str, str]) -> list[Finding]:
    config = load_config(HOOK_ID, SCHEMA)
    patterns = config.get("allow", [])
    try:
        allow = pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None
    except Exception as exc:  # pathspec raises several error types for bad patterns
        raise HookError(f"pyproject.toml: allow: invalid pattern: {exc}") from None
    base = resolve_base(explicit_base or config.get("base"), env)
    if base is None:
        return []
    return config.keep(_without_noqa(scan(base, allow), base))


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
    return report(run_check(args.base, os.environ), args.format)


def _nonempty(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


if __name__ == "__main__":
    raise SystemExit(main())
