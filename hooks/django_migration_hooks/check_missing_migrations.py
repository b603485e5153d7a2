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
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from django_migration_hooks._hook import parser as hook_parser
from django_migration_hooks._report import Finding, Rule, handles_errors
from django_migration_hooks.missing.once import once_per_run
from django_migration_hooks.missing.options import HOOK_ID, MODES, SCHEMA, env_pair, options_from
from django_migration_hooks.missing.relevance import any_relevant
from django_migration_hooks.missing.runner_control import RUNNER as RUNNER
from django_migration_hooks.missing.tiers import check, static_tier

DJANGO_RULES = (
    Rule(
        "DMH101",
        "missing-migration",
        HOOK_ID,
        "A model differs from the state its app's migrations build: Django's autodetector "
        "(through the project's own makemigrations command) would write a migration.",
        "The database schema is built from migrations, not from models. A model change "
        "committed without its migration works locally (where makemigrations was run) and "
        "breaks elsewhere: tests, colleagues' checkouts and the deploy run a schema without "
        "the change, or generate the migration on the server where it is never committed.",
        "Run `python manage.py makemigrations <app>`, review the new migration and commit it "
        "with the model change.",
    ),
    Rule(
        "DMH104",
        "merge-needed",
        HOOK_ID,
        "An app's migration graph has several leaf nodes (two migrations depend on the same "
        "parent), so makemigrations and migrate refuse to run until they are merged.",
        "Two branches each added a migration to the same app. Django cannot order them: "
        "`migrate` fails with 'Conflicting migrations detected' and no missing-migration check "
        "can run for that app.",
        "Run `python manage.py makemigrations --merge <app>` (or rebase one migration onto "
        "the other, e.g. with django-linear-migrations) and commit the result.",
    ),
)


class _BothTiers(Sequence[Rule]):
    """`RULES`, both tiers', built on each use: importing the static tier is slower than a
    whole no-op run of the hook, so `main` must not pay for it."""

    def _rules(self) -> tuple[Rule, ...]:
        static = static_tier()
        return DJANGO_RULES + tuple(getattr(static, "RULES_STATIC", ()))

    @overload
    def __getitem__(self, index: int) -> Rule: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Rule, ...]: ...
    def __getitem__(self, index: int | slice) -> Rule | tuple[Rule, ...]:
        return self._rules()[index]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules())

    def __len__(self) -> int:
        return len(self._rules())


RULES: Sequence[Rule] = _BothTiers()


def suppress_noqa(findings: Iterable[Finding]) -> list[Finding]:
    from django_migration_hooks._files import FileProblem, read_text
    from django_migration_hooks._report import is_suppressed

    lines: dict[str, list[str]] = {}
    kept: list[Finding] = []
    for finding in findings:
        if finding.path not in lines:
            try:
                lines[finding.path] = read_text(finding.path).lines
            except FileProblem:
                lines[finding.path] = []
        if not is_suppressed(finding, lines[finding.path]):
            kept.append(finding)
    return kept


def check_repository() -> list[Finding]:
    from django_migration_hooks._config import load_config

    config = load_config(HOOK_ID, SCHEMA)
    notices: list[str] = []
    findings = check([], options_from(None, config), notices)
    for notice in notices:
        print(notice, file=sys.stderr)
    return suppress_noqa(config.keep(findings))


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
    return p


@handles_errors(HOOK_ID)
def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.filenames and not any_relevant(args.filenames):
        return 0  # nothing that can change the verdict: do not start Django

    from django_migration_hooks._config import load_config
    from django_migration_hooks._report import format_findings

    config = load_config(HOOK_ID, SCHEMA)
    opts = options_from(args, config)
    filenames = set(args.filenames)
    argv_key = json.dumps([a for a in (argv or sys.argv[1:]) if a not in filenames])
    with once_per_run(argv_key) as (earlier, record):
        if earlier is not None:
            return earlier
        notices: list[str] = []
        findings = suppress_noqa(config.keep(check(args.filenames, opts, notices)))
        for notice in notices:
            print(notice, file=sys.stderr)
        if findings or args.format == "json":
            print(format_findings(findings, args.format))
        code = 1 if findings else 0
        record(code)
        return code


if __name__ == "__main__":
    raise SystemExit(main())
