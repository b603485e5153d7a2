"""DMH102 for one model present before and after a change: what Django would record."""

from __future__ import annotations

from collections.abc import Callable

from django_migration_hooks._report import Finding
from django_migration_hooks.djangoread.fields import (
    ALTER_OPTIONS,
    DEFAULT_MANAGER,
    RECORDED_OPTIONS,
)
from django_migration_hooks.djangoread.records import FieldDef, Model
from django_migration_hooks.missing.static_common import full_model, makemigrations_hint
from django_migration_hooks.rules import codes


def compare_models(old: Model, new: Model) -> list[Finding]:
    """DMH102 findings for one model present before and after the change."""
    name = f"{new.label}.{new.name}"
    hint = makemigrations_hint(new.label)
    findings: list[Finding] = []

    def report(path: str, line: int, col: int, what: str) -> None:
        findings.append(
            Finding(path, line, col, codes.DMH102, f"{name}: {what}, no migration", hint)
        )

    if full_model(old) and full_model(new):
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
