from __future__ import annotations

import pytest

from django_migration_hooks.ignore import IgnoreRule
from django_migration_hooks.ignore.docker import DockerIgnore, go_clean

MIGRATION = "app/migrations/0001_initial.py"


def decide(text: str, path: str = MIGRATION) -> tuple[int, int, str] | None:
    rule = DockerIgnore(".dockerignore", text.splitlines()).excluded_by(path)
    return None if rule is None else (rule.line, rule.col, rule.pattern)


@pytest.mark.parametrize(
    ("text", "path"),
    (
        pytest.param("migrations\n", MIGRATION, id="bare-name-is-root-only"),
        pytest.param("migrations/\n", MIGRATION, id="bare-dir-is-root-only"),
        pytest.param("*.py\n", MIGRATION, id="star-does-not-cross-slash"),
        pytest.param("*/*.py\n", "a/b/migrations/0001_x.py", id="star-one-level-only"),
        pytest.param("**/*.pyc\n**/__pycache__\n", MIGRATION, id="bytecode-only"),
        pytest.param("**/migrations/*.pyc\n", MIGRATION, id="migration-bytecode-only"),
        pytest.param("# **/migrations\n", MIGRATION, id="comment"),
        pytest.param("**/migrations\n!**/migrations/*.py\n", MIGRATION, id="exception-re-includes"),
        pytest.param("app/migrations\n!app/migrations\n", MIGRATION, id="exception-for-folder"),
        pytest.param("app/*\n!app/migrations\n", MIGRATION, id="whitelist-folder"),
        pytest.param("*\n!app\n", MIGRATION, id="whitelist-parent"),
        pytest.param("other/migrations\n", MIGRATION, id="another-folder"),
        pytest.param("!\n", MIGRATION, id="lone-exclamation-mark"),
        pytest.param("app/migrations/[^0-9]*.py\n", MIGRATION, id="negated-class"),
        pytest.param("app/migrations/*.py~\n", MIGRATION, id="editor-backups"),
        pytest.param("app/migrations/0001_initial.py.\n", MIGRATION, id="dot-is-literal"),
        pytest.param("app/migrations/[0-9\n", MIGRATION, id="invalid-class-never-matches"),
        pytest.param("app\\\n", MIGRATION, id="trailing-backslash"),
    ),
)
def test_docker_pattern_keeps_migration(text: str, path: str) -> None:
    assert decide(text, path) is None


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    (
        pytest.param("migrations\n", "migrations/0001_x.py", (1, 1, "migrations"), id="root"),
        pytest.param("**/migrations\n", MIGRATION, (1, 1, "**/migrations"), id="doublestar"),
        pytest.param(
            "**/migrations\n", "migrations/0001_x.py", (1, 1, "**/migrations"), id="ds-at-root"
        ),
        pytest.param("*/migrations\n", MIGRATION, (1, 1, "*/migrations"), id="one-level"),
        pytest.param(
            "**/migrations/*.py\n", MIGRATION, (1, 1, "**/migrations/*.py"), id="ds-files"
        ),
        pytest.param("app/**\n", MIGRATION, (1, 1, "app/**"), id="trailing-doublestar"),
        pytest.param("a*/**\n", MIGRATION, (1, 1, "a*/**"), id="wildcard-then-doublestar"),
        pytest.param("**\n", MIGRATION, (1, 1, "**"), id="everything"),
        pytest.param("**migrations\n", "app_migrations/x.py", (1, 1, "**migrations"), id="suffix"),
        pytest.param(
            "/app/migrations/\n", MIGRATION, (1, 1, "/app/migrations/"), id="leading-slash"
        ),
        pytest.param("./app//migrations/.\n", MIGRATION, (1, 1, "./app//migrations/."), id="clean"),
        pytest.param(
            "x/../app/migrations\n", MIGRATION, (1, 1, "x/../app/migrations"), id="dotdot"
        ),
        pytest.param("  app/migrations  \n", MIGRATION, (1, 3, "app/migrations"), id="trimmed"),
        pytest.param(
            " #app/migrations\n#x\n",
            "#app/migrations/a.py",
            (1, 2, "#app/migrations"),
            id="hash-not-at-column-1-is-a-pattern",
        ),
        pytest.param("\ufeffapp/migrations\n", MIGRATION, (1, 1, "app/migrations"), id="bom"),
        pytest.param(
            "# comment\r\n\r\n*/migrations/0*\r\n", MIGRATION, (3, 1, "*/migrations/0*"), id="crlf"
        ),
        pytest.param("?pp/migrations\n", MIGRATION, (1, 1, "?pp/migrations"), id="question-mark"),
        pytest.param(
            "app/migrations/[0-9]*.py\n", MIGRATION, (1, 1, "app/migrations/[0-9]*.py"), id="class"
        ),
        pytest.param(
            "app/migrations\n!app/migrations/*.py\napp/migrations/0*\n",
            MIGRATION,
            (3, 1, "app/migrations/0*"),
            id="last-match-wins",
        ),
        pytest.param(
            "**/migrations\napp/migrations/0001_initial.py\n",
            MIGRATION,
            (1, 1, "**/migrations"),
            id="first-exclusion-decides-until-re-included",
        ),
        pytest.param(
            "!app/migrations\napp\n", MIGRATION, (2, 1, "app"), id="exception-before-exclusion"
        ),
        pytest.param(
            "app/migrations/*\n!app/migrations/__init__.py\n",
            MIGRATION,
            (1, 1, "app/migrations/*"),
            id="exception-for-another-file",
        ),
        pytest.param(
            "app/migrations/\\*\n", "app/migrations/*", (1, 1, "app/migrations/\\*"), id="escape"
        ),
        pytest.param(
            "app/migrations/[!0]*.py\n",
            MIGRATION,
            (1, 1, "app/migrations/[!0]*.py"),
            id="bang-in-class-is-literal-as-in-go",
        ),
    ),
)
def test_docker_pattern_excludes_migration(
    text: str, path: str, expected: tuple[int, int, str]
) -> None:
    assert decide(text, path) == expected


def test_docker_rule_names_its_file() -> None:
    ignore = DockerIgnore("backend/.dockerignore", ["", "*/migrations"])
    assert ignore.excluded_by("blog/migrations/__init__.py") == IgnoreRule(
        "backend/.dockerignore", 2, 1, "*/migrations"
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    (
        ("", "."),
        (".", "."),
        ("a//b/./c/..", "a/b"),
        ("a/b/", "a/b"),
        ("/../a", "/a"),
        ("../a", "../a"),
        ("a/../..", ".."),
        ("/", "/"),
        ("//a", "/a"),
    ),
)
def test_go_clean_matches_go(path: str, expected: str) -> None:
    assert go_clean(path) == expected
