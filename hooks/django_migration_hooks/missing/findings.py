"""DMH101/DMH104 findings from the runner's JSON."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django_migration_hooks._report import Finding
from django_migration_hooks.rules import codes


def _relpath(path: str | None, fallback: str) -> str:
    if not path:
        return fallback
    try:
        rel = os.path.relpath(path, os.path.realpath("."))
    except ValueError:  # pragma: no cover - another drive on Windows
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def describe(op: Mapping[str, Any]) -> str:
    kind = op.get("kind")
    field = op.get("field")
    if kind == "AddField":
        return f"field {field} added"
    if kind == "RemoveField":
        return f"field {field} removed"
    if kind == "AlterField":
        return f"field {field} changed"
    if kind == "RenameField":
        return f"field {op.get('old')} renamed to {field}"
    if kind == "CreateModel":
        return "model added"
    if kind == "DeleteModel":
        return "model removed"
    if kind == "RenameModel":
        return f"model renamed from {op.get('old')}"
    if kind == "AlterModelOptions":
        options = op.get("options") or []
        return f"Meta options changed ({', '.join(options)})" if options else "Meta options changed"
    text = str(op.get("describe") or kind)
    return text[:1].lower() + text[1:]


def _question_note(op: Mapping[str, Any], questions: Sequence[Mapping[str, str]]) -> str:
    model = str(op.get("model") or "").lower()
    field = op.get("field")
    for q in questions:
        if str(q.get("model", "")).lower() != model:
            continue
        if op.get("kind") == "AddField" and q["kind"] == "not-null" and q.get("field") == field:
            return "; non-nullable without a default: makemigrations will ask for one"
        if op.get("kind") == "AddField" and q["kind"] == "rename" and q.get("new") == field:
            return f"; makemigrations will ask whether {q.get('old')} was renamed to {field}"
    return ""


def makemigrations_command(manage: str | None, settings: str, *args: str) -> str:
    if manage:
        return " ".join(("python", manage, "makemigrations", *args))
    return " ".join(("django-admin", "makemigrations", *args, f"--settings={settings}"))


def findings_from_result(
    result: Mapping[str, Any],
    *,
    manage: str | None,
    settings: str,
    include_third_party: bool = False,
    ignore_apps: Iterable[str] = (),
) -> list[Finding]:
    """DMH101/DMH104 findings from the runner's result (paths made relative to the cwd)."""
    ignored = set(ignore_apps)
    questions = result.get("questions") or []
    findings: list[Finding] = []
    for app in result.get("apps", []):
        label = app["label"]
        if label in ignored or app.get("name") in ignored:
            continue
        if not (include_third_party or app.get("first_party")):
            continue
        fallback = _relpath(app.get("models_file"), _relpath(app.get("path"), label))
        conflicts = app.get("conflicts") or []
        if conflicts:
            names = ", ".join(c["name"] for c in conflicts)
            for conflict in conflicts:
                findings.append(
                    Finding(
                        _relpath(conflict.get("path"), fallback),
                        1,
                        1,
                        codes.DMH104,
                        f"{label}: conflicting migrations {names} (several leaf nodes); "
                        "merge needed",
                        makemigrations_command(manage, settings, "--merge", label),
                    )
                )
            continue
        for op in app.get("operations", []):
            model = op.get("model")
            subject = f"{label}.{model}" if model else label
            findings.append(
                Finding(
                    _relpath(op.get("path"), fallback),
                    int(op.get("line") or 1),
                    int(op.get("col") or 1),
                    codes.DMH101,
                    f"{subject}: {describe(op)}, no migration{_question_note(op, questions)}",
                    makemigrations_command(manage, settings, label),
                )
            )
    return findings
