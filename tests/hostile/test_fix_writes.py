"""check-ignored-migrations --fix writes only regular files inside the work tree, by replacing
them: never through a symlink, a hard link or an include that leaves the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from django_migration_hooks.check_ignored_migrations import main
from tests.conftest import git, git_init, write

MODELS = (
    "from django.db import models\n\n\nclass Post(models.Model):\n    title = models.TextField()\n"
)
PROJECT = {
    "blog/__init__.py": "",
    "blog/models.py": MODELS,
    "blog/apps.py": "from django.apps import AppConfig\n\n\n"
    "class C(AppConfig):\n    name = 'blog'\n",
    "blog/migrations/__init__.py": "",
    "blog/migrations/0001_initial.py": "from django.db import migrations\n\n\n"
    "class Migration(migrations.Migration):\n    operations = []\n",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = git_init(tmp_path / "repo")
    write(root, PROJECT)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim" / ".gitignore"
    write(path.parent, {".gitignore": "migrations/\n"})
    return path


def fix(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--fix"])
    return code, capsys.readouterr().err


def test_an_include_leaving_the_repository_is_not_followed_for_writing(
    repo: Path, victim: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {".gcloudignore": "#!include:../victim/.gitignore\n"})
    code, err = fix(capsys)
    assert code == 1
    assert "Fixing" not in err
    assert err == (
        "check-ignored-migrations: ../victim/.gitignore: not fixed: outside the work tree\n"
    )
    assert victim.read_text() == "migrations/\n"


def test_a_symlinked_ignore_file_is_not_written_through(
    repo: Path, victim: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.symlink(victim, repo / ".slugignore")
    git(repo, "add", ".slugignore")
    code, err = fix(capsys)
    assert (code, "Fixing" in err) == (1, False)
    assert err.endswith("not fixed: not a regular file (a link?); edit it by hand\n")
    assert victim.read_text() == "migrations/\n"
    assert (repo / ".slugignore").is_symlink()


def test_a_hard_linked_ignore_file_is_not_changed(
    repo: Path, victim: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.link(victim, repo / ".gitignore")
    code, err = fix(capsys)
    assert code == 1
    assert err == (
        "check-ignored-migrations: .gitignore: not fixed: the file has other hard links; "
        "edit it by hand\n"
    )
    assert victim.read_text() == "migrations/\n"


def test_the_fixed_file_is_replaced_not_written_into(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {".gitignore": "migrations/\n"})
    os.chmod(repo / ".gitignore", 0o640)
    before = os.stat(repo / ".gitignore")
    code, err = fix(capsys)
    after = os.stat(repo / ".gitignore")
    assert (code, err) == (1, "Fixing .gitignore\n")
    assert after.st_ino != before.st_ino
    assert after.st_mode & 0o777 == 0o640
    assert sorted(p.name for p in repo.iterdir()) == [".git", ".gitignore", "blog"]
