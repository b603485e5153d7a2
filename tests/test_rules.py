"""The rule registry is the one source of rule documentation: pages, README table, severities."""

from __future__ import annotations

import ast
import re

import pytest

from django_migration_hooks import rules
from django_migration_hooks.rules import Severity
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_readme_codes_table_is_the_registry_table() -> None:
    start = README.index("<!-- rules-table -->\n") + len("<!-- rules-table -->\n")
    end = README.index("<!-- /rules-table -->")
    assert README[start:end] == rules.codes_table()


def test_docs_hold_exactly_one_page_per_rule() -> None:
    pages = sorted(path.stem for path in (ROOT / "docs" / "rules").glob("*.md"))
    assert pages == [rule.code for rule in rules.all_rules()]


@pytest.mark.parametrize("rule", rules.all_rules(), ids=lambda rule: rule.code)
def test_page_has_every_section(rule: rules.Rule) -> None:
    headings = [line for line in rule.page().splitlines() if line.startswith("## ")]
    expected = ["## What it does", "## Why is this bad?", "## Example", "## How to fix"]
    assert headings[:4] == expected
    assert rule.url.endswith(f"/docs/rules/{rule.code}.md")


def test_only_fake_migrate_is_a_warning() -> None:
    warnings = [r.code for r in rules.all_rules() if r.severity is Severity.WARNING]
    assert warnings == ["DMH303"]
    assert rules.severity("DMH999") is Severity.ERROR


def test_codes_are_spelled_in_one_module() -> None:
    """Everything else names a code through rules.codes, so a typo is an import error."""
    package = ROOT / "hooks" / "django_migration_hooks"
    spelled = sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_bytes()))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"DMH[0-9]{3}", node.value)
    )
    assert set(spelled) == {"rules/codes.py"}
