from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from django_migration_hooks.ignore import IgnoreRule
from django_migration_hooks.ignore.gitstyle import GitStyleIgnore

MIGRATION = "app/migrations/0001_initial.py"
INIT = "app/migrations/__init__.py"


def reader(files: dict[str, str]) -> Callable[[str], Sequence[str] | None]:
    def read(path: str) -> Sequence[str] | None:
        text = files.get(path)
        return None if text is None else text.splitlines()

    return read


def decide(
    text: str,
    path: str = MIGRATION,
    *,
    name: str = ".ebignore",
    dialect: str = "eb",
    files: dict[str, str] | None = None,
) -> tuple[str, int, str] | None:
    ignore = GitStyleIgnore(name, text.splitlines(), dialect=dialect, read=reader(files or {}))
    rule = ignore.excluded_by(path)
    return None if rule is None else (rule.source, rule.line, rule.pattern)


@pytest.mark.parametrize(
    ("text", "dialect", "path"),
    (
        pytest.param("*.py[cod]\n__pycache__/\n", "eb", MIGRATION, id="bytecode"),
        pytest.param("*.py~\n", "cf", MIGRATION, id="editor-backups"),
        pytest.param("/migrations/\n", "eb", MIGRATION, id="anchored-root"),
        pytest.param("/docs/migrations/\n", "gcloud", MIGRATION, id="anchored-other-folder"),
        pytest.param("migrations/*\n!migrations/*.py\n", "eb", "migrations/0001_x.py", id="re-inc"),
        pytest.param("*/migrations/*\n!*/migrations/*.py\n", "cf", MIGRATION, id="re-include-py"),
        pytest.param("# migrations/\n", "eb", MIGRATION, id="comment"),
        pytest.param("node_modules/\r\n.env\r\n", "slug", MIGRATION, id="crlf"),
        pytest.param("app/migrations/0001_initial.pyc\n", "eb", MIGRATION, id="one-pyc"),
        pytest.param("*\n!app/\n!app/**\n", "gcloud", MIGRATION, id="allow-list-folder-and-below"),
    ),
)
def test_gitstyle_rule_keeps_migration(text: str, dialect: str, path: str) -> None:
    assert decide(text, path, dialect=dialect) is None


@pytest.mark.parametrize(
    ("text", "dialect", "path", "expected"),
    (
        pytest.param("migrations/\n", "eb", MIGRATION, (".ebignore", 1, "migrations/"), id="dir"),
        pytest.param(
            "migrations/   \n", "eb", MIGRATION, (".ebignore", 1, "migrations/"), id="trailing"
        ),
        pytest.param("migrations\n", "cf", INIT, (".ebignore", 1, "migrations"), id="any-depth"),
        pytest.param(
            "*/migrations/*.py\n", "eb", MIGRATION, (".ebignore", 1, "*/migrations/*.py"), id="py"
        ),
        pytest.param(
            "x\r\n*_*.py\r\n", "eb", INIT, (".ebignore", 2, "*_*.py"), id="crlf-underscore"
        ),
        pytest.param(
            "*/migrations/\n!*/migrations/*.py\n",
            "eb",
            MIGRATION,
            (".ebignore", 1, "*/migrations/"),
            id="excluded-parent-cannot-be-re-included",
        ),
        pytest.param(
            "!app/migrations/*.py\napp/migrations/*\n",
            "cf",
            MIGRATION,
            (".ebignore", 2, "app/migrations/*"),
            id="last-match-wins",
        ),
        pytest.param(
            "*/migrations/*\n!*/migrations/*.py\n",
            "slug",
            MIGRATION,
            (".ebignore", 1, "*/migrations/*"),
            id="slugignore-has-no-negation",
        ),
        pytest.param(
            "*\n!app/\n!app/*.py\n",
            "gcloud",
            MIGRATION,
            (".ebignore", 1, "*"),
            id="negated-folder-does-not-re-include-its-subfolders",
        ),
    ),
)
def test_gitstyle_rule_excludes_migration(
    text: str, dialect: str, path: str, expected: tuple[str, int, str]
) -> None:
    assert decide(text, path, dialect=dialect) == expected


def test_gcloudignore_include_is_expanded_in_place() -> None:
    files = {"deploy/.gitignore": "*.pyc\nmigrations/\n"}
    text = "#!include:.gitignore\n!app/migrations/0001_initial.py\n"
    ignore = GitStyleIgnore(
        "deploy/.gcloudignore", text.splitlines(), dialect="gcloud", read=reader(files)
    )
    assert ignore.excluded_by(MIGRATION) == IgnoreRule("deploy/.gitignore", 2, 1, "migrations/")
    assert ignore.problems == []


def test_gcloudignore_include_later_rule_wins() -> None:
    files = {".gitignore": "migrations/*\n"}
    text = "#!include:.gitignore\n!migrations/*.py\n"
    assert decide(text, "migrations/0001_x.py", dialect="gcloud", files=files) is None


def test_gcloudignore_missing_include_is_a_problem() -> None:
    ignore = GitStyleIgnore(
        ".gcloudignore", ["#!include:missing"], dialect="gcloud", read=reader({})
    )
    assert ignore.problems == [".gcloudignore:1: included file missing not found"]
    assert ignore.excluded_by(MIGRATION) is None


def test_include_line_is_a_comment_outside_gcloud() -> None:
    files = {".gitignore": "migrations/\n"}
    assert decide("#!include:.gitignore\n", dialect="eb", files=files) is None


def test_gcloudignore_include_cycle_stops() -> None:
    files = {".gitignore": "#!include:.gitignore\n"}
    ignore = GitStyleIgnore(
        ".gcloudignore", ["#!include:.gitignore"], dialect="gcloud", read=reader(files)
    )
    assert ignore.problems == [".gitignore:1: includes nested too deeply"]
