"""The rule registry: one `Rule` per code, with its documentation.

`rules`, `explain`, the docs pages (`docs/rules/DMHnnn.md`), severities in every output format and
SARIF rule metadata all come from here. The data lives in one module per hook; it is imported on
first use, so a hook that reports nothing never loads it.
"""

from __future__ import annotations

import functools

from django_migration_hooks.rules._rule import Rule, Severity

__all__ = ["Rule", "Severity", "all_rules", "codes_table", "for_hook", "get", "severity"]


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    from django_migration_hooks.rules import (
        conflicts,
        deploy,
        ignored,
        missing,
        rewrites,
        untracked,
    )

    families = (missing, ignored, untracked, deploy, conflicts, rewrites)
    return tuple(sorted((r for f in families for r in f.RULES), key=lambda r: r.code))


@functools.cache
def _by_code() -> dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


def get(code: str) -> Rule | None:
    return _by_code().get(code.upper())


def for_hook(hook_id: str) -> tuple[Rule, ...]:
    return tuple(rule for rule in all_rules() if rule.hook == hook_id)


def severity(code: str) -> Severity:
    rule = get(code)
    return rule.severity if rule is not None else Severity.ERROR


def codes_table() -> str:
    """The README's table of codes (Markdown), each code linking to its page in docs/rules/."""
    rows = ["| Code | Name | Hook | Severity |", "| --- | --- | --- | --- |"]
    rows += [
        f"| [{r.code}](docs/rules/{r.code}.md) | `{r.name}` | `{r.hook}` | {r.severity.value} |"
        for r in all_rules()
    ]
    return "\n".join(rows) + "\n"
