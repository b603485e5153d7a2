"""Every hook id has a console script, a module with rules, tests and docs."""

from __future__ import annotations

import importlib
import re
import sys
from typing import Any

import pytest
import yaml

from django_migration_hooks.cli import HOOK_MODULES, all_rules
from django_migration_hooks.rules import Rule
from tests.conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MANIFEST = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
README = (ROOT / "README.md").read_text()
HOOKS_DOC = (ROOT / "docs" / "hooks.md").read_text()
IDS = [hook["id"] for hook in MANIFEST]


def test_every_hook_module_is_in_the_manifest() -> None:
    modules = {f"django_migration_hooks.{hook_id.replace('-', '_')}" for hook_id in IDS}
    assert modules == set(HOOK_MODULES)


@pytest.mark.parametrize("hook", MANIFEST, ids=IDS)
def test_hook_entry_is_a_console_script(hook: dict[str, Any]) -> None:
    module = hook["id"].replace("-", "_")
    assert hook["entry"] == hook["id"]
    assert PYPROJECT["project"]["scripts"][hook["id"]] == f"django_migration_hooks.{module}:main"
    assert hook["language"] == "python"
    assert hook["minimum_pre_commit_version"] == "3.2.0"
    assert hook["id"] == importlib.import_module(f"django_migration_hooks.{module}").HOOK_ID


@pytest.mark.parametrize("hook_id", IDS)
def test_hook_has_tests_and_readme_section(hook_id: str) -> None:
    module = hook_id.replace("-", "_")
    assert list((ROOT / "tests").rglob(f"test_{module}*.py")), f"no tests for {hook_id}"
    assert f"### `{hook_id}`" in HOOKS_DOC
    assert f"[`{hook_id}`](docs/hooks.md#{hook_id})" in README


def test_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in all_rules()]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"DMH[1-4][0-9]{2}", code) for code in codes)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_documented_in_docs(rule: Rule) -> None:
    assert re.search(rf"^#### {rule.code} {rule.name}$", HOOKS_DOC, re.MULTILINE), rule.code
    assert (ROOT / "docs" / "rules" / f"{rule.code}.md").read_text() == rule.page()
    assert rule.hook in IDS
    assert rule.summary and rule.why and rule.fix
