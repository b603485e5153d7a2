"""SARIF 2.1.0 for GitHub code scanning and other readers: rule metadata and results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django_migration_hooks import rules
from django_migration_hooks._report import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/django-migration-hooks/django-migration-hooks"


def _rule(rule: rules.Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {"text": rule.fix, "markdown": rule.page()},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": rule.severity.value},
        "properties": {"hook": rule.hook},
    }


def _result(finding: Finding, index: int) -> dict[str, Any]:
    message = finding.message + (f" (fix: {finding.hint})" if finding.hint else "")
    return {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": rules.severity(finding.code).value,
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": finding.line, "startColumn": finding.col},
                }
            }
        ],
    }


def sarif(findings: Sequence[Finding]) -> dict[str, Any]:
    from django_migration_hooks._hook import package_version

    known = rules.all_rules()
    index = {rule.code: i for i, rule in enumerate(known)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "django-migration-hooks",
                        "version": package_version(),
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule) for rule in known],
                    }
                },
                "results": [_result(f, index.get(f.code, -1)) for f in findings],
            }
        ],
    }
