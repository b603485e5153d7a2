"""check-missing-migrations: model changes that have no migration, as Django itself sees them.

The Django tier runs the runner (`missing/runner/`) under the *project's* interpreter: the
project's own `makemigrations` command in dry-run, non-interactive mode, every database on the
dummy backend, no system checks, nothing written. Its JSON (pending operations and conflicting
leaf nodes per app) becomes findings at the model's source line. Results are cached on the
content of the repository's Python and dependency files, the interpreter and the settings.
The machinery (relevance, cache, discovery, runner control) lives in `missing/`.

The static tier (no project environment) lives in `django_migration_hooks._static_check`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from django_migration_hooks import _git, rules
from django_migration_hooks._hook import parser as hook_parser
from django_migration_hooks._report import Finding, handles_errors, report, unsuppressed
from django_migration_hooks.missing.once import once_per_run
from django_migration_hooks.missing.options import (
    DEFAULT_TIMEOUT,
    HOOK_ID,
    MODES,
    SCHEMA,
    env_pair,
    options_from,
)
from django_migration_hooks.missing.relevance import any_relevant
from django_migration_hooks.missing.runner_control import RUNNER as RUNNER
from django_migration_hooks.missing.tiers import check

RULES = rules.for_hook(HOOK_ID)


def _work_tree(paths: Sequence[str]) -> list[str | None]:
    """The files' texts in the work tree (None where unreadable), for `# noqa`; read only when
    there are findings."""
    from django_migration_hooks.djangoread.apps import read_disk

    return [read_disk(path) for path in paths]


def check_repository() -> list[Finding]:
    from django_migration_hooks._config import load_config

    config = load_config(HOOK_ID, SCHEMA)
    notices: list[str] = []
    findings = check([], options_from(None, config), notices).findings
    for notice in notices:
        print(notice, file=sys.stderr)
    return unsuppressed(findings, config, _work_tree)


def _seconds(value: str) -> int:
    if not value.isdigit() or int(value) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {value!r}")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    p = hook_parser(HOOK_ID, "Report model changes that have no migration.")
    p.add_argument("--mode", choices=MODES, help="auto (default), django or static")
    p.add_argument("--python", metavar="PATH", help="the project's interpreter")
    p.add_argument("--settings", metavar="MODULE", help="the Django settings module")
    p.add_argument(
        "--project",
        action="append",
        metavar="DIR[:MODULE]",
        help="a project directory (and settings); repeat for monorepos",
    )
    p.add_argument(
        "--env",
        action="append",
        type=env_pair,
        metavar="NAME=VALUE",
        help="a placeholder for an environment variable the settings need (when unset)",
    )
    p.add_argument("--ignore-app", action="append", metavar="LABEL", help="skip an app")
    p.add_argument(
        "--include-third-party",
        action="store_true",
        help="also report apps whose code lives outside the repository",
    )
    p.add_argument("--base", metavar="REF", help="static tier: compare with this commit")
    p.add_argument("--no-cache", action="store_true", help="always run Django")
    p.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help=f"end a Django run after this long (default {DEFAULT_TIMEOUT})",
    )
    return p


@handles_errors(HOOK_ID)
def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _git.require_work_tree()
    if args.filenames and not any_relevant(args.filenames):
        return 0  # nothing that can change the verdict: do not start Django

    from django_migration_hooks._config import load_config

    config = load_config(HOOK_ID, SCHEMA)
    opts = options_from(args, config)
    filenames = set(args.filenames)
    argv_key = json.dumps([a for a in (argv or sys.argv[1:]) if a not in filenames])
    with once_per_run(argv_key) as (earlier, record):
        if earlier is not None:
            return earlier
        notices: list[str] = []
        verdict = check(args.filenames, opts, notices)
        findings = unsuppressed(verdict.findings, config, _work_tree)
        for notice in notices:
            print(notice, file=sys.stderr)
        code = report(findings, args)
        # The Django tier checks the whole project, whatever files pre-commit passed: the later
        # invocations of a split run reuse its code. The static tier checks the apps of the
        # files it was given: each invocation reports its own.
        if not verdict.static:
            record(code)
        return code


if __name__ == "__main__":
    raise SystemExit(main())
