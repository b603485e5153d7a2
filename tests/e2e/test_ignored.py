"""check-ignored-migrations and check-untracked-migrations through the real pre-commit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git, git_commit, git_init, run_pre_commit, try_repo, write

pytestmark = pytest.mark.e2e

MODELS = (
    "from django.db import models\n\n\nclass Post(models.Model):\n    title = models.TextField()\n"
)
MIGRATION = (
    "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = []\n    operations = []\n"
)


def project(prefix: str = "blog") -> dict[str, str]:
    return {
        f"{prefix}/__init__.py": "",
        f"{prefix}/models.py": MODELS,
        f"{prefix}/migrations/__init__.py": "",
        f"{prefix}/migrations/0001_initial.py": MIGRATION,
    }


def config(hooks_repo: tuple[Path, str]) -> str:
    path, rev = hooks_repo
    return (
        "repos:\n"
        f"- repo: {path}\n"
        f"  rev: {rev}\n"
        "  hooks:\n"
        "  - id: check-ignored-migrations\n"
        "  - id: check-untracked-migrations\n"
    )


def lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return proc.stdout.splitlines()


def test_try_repo_ignored_migrations_in_repo_without_commits(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    write(consumer, {**project(), ".gitignore": "*.pyc\nmigrations/\n"})
    git(consumer, "add", "-A")
    proc = try_repo(consumer, pre_commit_home, hooks_repo, "check-ignored-migrations")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = lines(proc)
    assert "- hook id: check-ignored-migrations" in out
    assert (
        ".gitignore:2:1: DMH201 `migrations/` ignores the migrations of app `blog` "
        "(blog/migrations/0001_initial.py and 1 more) (fix: delete this rule or add "
        "`args: [--fix]` to the check-ignored-migrations hook in .pre-commit-config.yaml, then "
        "git add the migration files)"
    ) in out


def test_try_repo_untracked_ignored_migration(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    write(consumer, {**project(), ".git/info/exclude": "0002_*.py\n"})
    git(consumer, "add", "-A")
    write(consumer, {"blog/migrations/0002_post_body.py": MIGRATION})
    proc = try_repo(consumer, pre_commit_home, hooks_repo, "check-untracked-migrations")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "blog/migrations/0002_post_body.py:1:1: DMH205 migration of app `blog` is not tracked by "
        "git and is ignored by `0002_*.py` (.git/info/exclude:1) (fix: git add -f "
        "blog/migrations/0002_post_body.py, and remove that ignore rule)"
    ) in lines(proc)


def test_commit_time_with_staged_models_and_untracked_migration(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    write(consumer, {**project(), ".pre-commit-config.yaml": config(hooks_repo)})
    git_commit(consumer, "initial")
    write(
        consumer,
        {
            "blog/models.py": MODELS + "    body = models.TextField()\n",
            "blog/migrations/0002_post_body.py": MIGRATION,
        },
    )
    git(consumer, "add", "blog/models.py")
    finding = (
        "blog/migrations/0002_post_body.py:1:1: DMH205 migration of app `blog` is not tracked by "
        "git (fix: git add blog/migrations/0002_post_body.py)"
    )

    proc = run_pre_commit(consumer, pre_commit_home, "run", "--color", "never")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = lines(proc)
    assert any(
        line.startswith("check for ignored migrations") and line.endswith("Passed") for line in out
    )
    assert finding in out

    run_pre_commit(consumer, pre_commit_home, "install")
    commit = subprocess.run(
        ("git", "commit", "-m", "add body"),
        cwd=consumer,
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home)},
    )
    assert commit.returncode == 1
    assert finding in commit.stdout.splitlines() + commit.stderr.splitlines()

    git(consumer, "add", "blog/migrations/0002_post_body.py")
    proc = run_pre_commit(consumer, pre_commit_home, "run", "--color", "never")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_detached_head_dockerignore(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    write(
        consumer,
        {
            **project(),
            ".dockerignore": ".git\n**/migrations\n",
            ".pre-commit-config.yaml": config(hooks_repo),
        },
    )
    git_commit(consumer, "initial")
    git(consumer, "checkout", "-q", "--detach")
    proc = run_pre_commit(consumer, pre_commit_home, "run", "--all-files", "--color", "never")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        ".dockerignore:2:1: DMH202 `**/migrations` keeps the migrations of app `blog` "
        "(blog/migrations/0001_initial.py and 1 more) out of the Docker build context `.` "
        "(fix: delete or narrow this rule so every .py file in migrations/ is deployed)"
    ) in lines(proc)


def test_worktree_with_spaces_and_non_ascii(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str], tmp_path: Path
) -> None:
    write(consumer, {**project("web app/café"), ".pre-commit-config.yaml": config(hooks_repo)})
    git_commit(consumer, "initial")
    worktree = tmp_path / "wörk tree"
    git(consumer, "worktree", "add", "-q", "-b", "feature", str(worktree))
    write(
        worktree,
        {
            "web app/.gitignore": "café/migrations/0*\n",
            "web app/café/migrations/0002_post_body.py": MIGRATION,
        },
    )
    git(worktree, "add", "web app/.gitignore")
    proc = run_pre_commit(worktree, pre_commit_home, "run", "--all-files", "--color", "never")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = lines(proc)
    assert (
        "web app/.gitignore:1:1: DMH201 `café/migrations/0*` ignores the migrations of app "
        "`café` (web app/café/migrations/0001_initial.py and 1 more) (fix: delete this rule or "
        "add `args: [--fix]` to the check-ignored-migrations hook in .pre-commit-config.yaml, "
        "then git add the migration files)"
    ) in out
    assert (
        "web app/café/migrations/0002_post_body.py:1:1: DMH205 migration of app `café` is not "
        "tracked by git and is ignored by `café/migrations/0*` (web app/.gitignore:1) (fix: git "
        "add -f 'web app/café/migrations/0002_post_body.py', and remove that ignore rule)"
    ) in out


def test_submodule(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str], tmp_path: Path
) -> None:
    library = git_init(tmp_path / "library")
    write(library, {**project("shop"), ".gitignore": "*/migrations/*.py\n"})
    git(library, "add", "-f", "-A")
    git_commit(library, "library")
    write(consumer, {**project(), ".pre-commit-config.yaml": config(hooks_repo)})
    git(consumer, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "lib")
    git_commit(consumer, "with submodule")

    proc = run_pre_commit(consumer, pre_commit_home, "run", "--all-files", "--color", "never")
    assert proc.returncode == 0, proc.stdout + proc.stderr

    submodule = consumer / "lib"
    write(submodule, {".pre-commit-config.yaml": config(hooks_repo)})
    git(submodule, "add", ".pre-commit-config.yaml")
    proc = run_pre_commit(submodule, pre_commit_home, "run", "--all-files", "--color", "never")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        ".gitignore:1:1: DMH201 `*/migrations/*.py` ignores the migrations of app `shop` "
        "(shop/migrations/0001_initial.py and 1 more) (fix: delete this rule or add "
        "`args: [--fix]` to the check-ignored-migrations hook in .pre-commit-config.yaml, "
        "then git add the migration files)"
    ) in lines(proc)
