"""One rule for exit codes: outside a work tree (a bare repository, the .git folder) every hook
exits 2 with one line; `django-migration-hooks check` fails when a hook could not read a file."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from django_migration_hooks import (
    check_deploy_makemigrations,
    check_ignored_migrations,
    check_migration_conflicts,
    check_migration_rewrites,
    check_missing_migrations,
    check_untracked_migrations,
    cli,
)
from tests.conftest import git, write
from tests.hostile.project import shop_project

Main = Callable[[Sequence[str]], int]
HOOKS: dict[str, tuple[Main, list[str]]] = {
    "check-missing-migrations": (check_missing_migrations.main, ["--mode", "static"]),
    "check-ignored-migrations": (check_ignored_migrations.main, []),
    "check-untracked-migrations": (check_untracked_migrations.main, []),
    "check-deploy-makemigrations": (check_deploy_makemigrations.main, []),
    "check-migration-conflicts": (check_migration_conflicts.main, []),
    "check-migration-rewrites": (check_migration_rewrites.main, []),
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = shop_project(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("where", ["bare", "git-dir"])
@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_outside_a_work_tree_every_hook_exits_2_with_one_line(
    repo: Path, tmp_path: Path, hook: str, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if where == "bare":
        git(tmp_path, "clone", "-q", "--bare", str(repo), "bare.git")
        os.chdir(tmp_path / "bare.git")
    else:
        os.chdir(repo / ".git")
    main, args = HOOKS[hook]
    code = main([*args, "shop/models.py"])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (
        2,
        "",
        f"{hook}: error: not inside a git work tree\n",
    )


def test_check_outside_a_work_tree_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", ".git"]) == 2
    assert capsys.readouterr().err == "django-migration-hooks: error: not inside a git work tree\n"


STATIC = '[tool.django-migration-hooks.check-missing-migrations]\nmode = "static"\n'


def test_check_fails_when_check_ignored_could_not_read_an_ignore_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {".dockerignore": b"\xff\xfe bad\n", "pyproject.toml": STATIC})
    git(repo, "add", ".dockerignore")
    assert check_ignored_migrations.main([]) == 1
    capsys.readouterr()
    assert cli.main(["check"]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_check_fails_when_check_conflicts_could_not_read_a_migration(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"shop/migrations/0002_bad.py": b"\xff\xfe\0bad\n", "pyproject.toml": STATIC})
    git(repo, "add", "shop/migrations/0002_bad.py")
    assert check_migration_conflicts.main([]) == 1
    err = capsys.readouterr().err
    assert cli.main(["check"]) == 1
    assert err in capsys.readouterr().err
