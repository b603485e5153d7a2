"""`django-migration-hooks check [PATH] | rules | explain CODE`."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from django_migration_hooks import _git, rules
from django_migration_hooks._hook import ArgumentParser, VersionAction, add_output_arguments
from django_migration_hooks._report import (
    EXIT_FINDINGS,
    Finding,
    HookError,
    handles_errors,
    report,
)
from django_migration_hooks.rules import Rule, codes

PROG = "django-migration-hooks"
HOOK_MODULES = (
    "django_migration_hooks.check_missing_migrations",
    "django_migration_hooks.check_ignored_migrations",
    "django_migration_hooks.check_untracked_migrations",
    "django_migration_hooks.check_deploy_makemigrations",
    "django_migration_hooks.check_migration_conflicts",
    "django_migration_hooks.check_migration_rewrites",
)


def hook_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in HOOK_MODULES]


def all_rules() -> tuple[Rule, ...]:
    return rules.all_rules()


# One problem, one finding: where two hooks see the same problem, the owner's finding stays.
# (code, its owner, whether the line must match too): an app with models and no migrations at
# all is DMH204's; a conflict in the migration graph is DMH401's.
SAME_PROBLEM = (
    (codes.DMH101, codes.DMH204, True),
    (codes.DMH103, codes.DMH204, True),
    (codes.DMH104, codes.DMH401, False),
)


def one_finding_per_problem(findings: list[Finding]) -> list[Finding]:
    owned = {(f.code, f.path, f.line) for f in findings} | {(f.code, f.path) for f in findings}
    return [
        f
        for f in findings
        if not any(
            f.code == code and ((owner, f.path, f.line) if by_line else (owner, f.path)) in owned
            for code, owner, by_line in SAME_PROBLEM
        )
    ]


def check(path: str) -> tuple[list[Finding], bool]:
    """Every hook's findings, and whether a hook could not read a file it had to read."""
    if not os.path.isdir(path):
        raise HookError(f"{path}: not a directory")
    _git.require_work_tree(path)
    os.chdir(path)
    findings: list[Finding] = []
    unreadable = False
    said = io.StringIO()  # the hooks' notices: printed after a complete run, not before an error
    with contextlib.redirect_stderr(said):
        for module in hook_modules():
            findings.extend(module.check_repository())
            unreadable |= bool(getattr(module, "UNREADABLE", ()))
    sys.stderr.write(said.getvalue())
    return one_finding_per_problem(findings), unreadable


def explain(code: str) -> str:
    rule = rules.get(code)
    if rule is None:
        raise HookError(f"unknown code {code!r}; `{PROG} rules` lists them")
    return rule.page()


@handles_errors(PROG)
def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", required=True)
    check_parser = sub.add_parser("check", help="run every repository-wide check, as CI would")
    check_parser.add_argument("path", nargs="?", default=".")
    add_output_arguments(check_parser)
    sub.add_parser("rules", help="list every rule code")
    explain_parser = sub.add_parser("explain", help="explain one rule")
    explain_parser.add_argument("code")
    args = parser.parse_args(argv)

    if args.command == "rules":
        for rule in all_rules():
            print(f"{rule.code}  {rule.name:<32} {rule.hook}")
        return 0
    if args.command == "explain":
        print(explain(args.code), end="")
        return 0
    findings, unreadable = check(args.path)
    rc = report(findings, args)
    # like the hooks: a file that could not be read may hide a finding
    return max(rc, EXIT_FINDINGS) if unreadable and not args.exit_zero else rc


if __name__ == "__main__":
    raise SystemExit(main())
