from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks import check_untracked_migrations as hook
from django_migration_hooks.check_untracked_migrations import main
from tests.conftest import git, git_commit, write

MODELS = (
    "from django.db import models\n\n\nclass Post(models.Model):\n    title = models.TextField()\n"
)
MIGRATION = (
    "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = []\n    operations = []\n"
)
TRACKED = {
    "blog/__init__.py": "",
    "blog/models.py": MODELS,
    "blog/migrations/__init__.py": "",
    "blog/migrations/0001_initial.py": MIGRATION,
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


@pytest.fixture
def project(git_repo: Path) -> Path:
    write(git_repo, TRACKED)
    git_commit(git_repo, "initial")
    return git_repo


@pytest.mark.parametrize(
    "files",
    (
        pytest.param({}, id="clean"),
        pytest.param({"blog/migrations/__pycache__/0001_initial.cpython-311.pyc": b"\0"}, id="pyc"),
        pytest.param({"blog/migrations/notes.txt": "x\n"}, id="not-python"),
        pytest.param({"blog/migrations/sub/0002_x.py": MIGRATION}, id="subfolder"),
        pytest.param(
            {
                "db/migrations/env.py": "from alembic import context\n",
                "db/migrations/script.py.mako": "",
                "db/migrations/0002_x.py": "revision = 'x'\n",
            },
            id="alembic",
        ),
        pytest.param({"tools/migrations/V2.py": "print('flyway helper')\n"}, id="non-django"),
        pytest.param(
            {
                ".venv/pyvenv.cfg": "",
                ".venv/lib/django/contrib/auth/migrations/0001_initial.py": MIGRATION,
            },
            id="venv",
        ),
        pytest.param(
            {"env/pyvenv.cfg": "", "env/lib/x/migrations/0001_initial.py": MIGRATION},
            id="env-with-pyvenv-cfg",
        ),
        pytest.param({"node_modules/x/migrations/0001_initial.py": MIGRATION}, id="node-modules"),
    ),
)
def test_untracked_noop(
    project: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    write(project, {".gitignore": ".venv/\nenv/\n", **files})
    assert run(capsys) == (0, [], "")


def test_staged_migration_is_tracked(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"blog/migrations/0002_post_body.py": MIGRATION})
    git(project, "add", "blog/migrations/0002_post_body.py")
    assert run(capsys) == (0, [], "")


def test_untracked_migration(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"blog/migrations/0002_post_body.py": MIGRATION})
    assert run(capsys) == (
        1,
        [
            "blog/migrations/0002_post_body.py:1:1: DMH205 migration of app `blog` is not tracked "
            "by git (fix: git add blog/migrations/0002_post_body.py)"
        ],
        "",
    )


def test_ignored_migration_names_the_rule(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project,
        {
            ".gitignore": "*.pyc\nblog/migrations/0002_*\n",
            "blog/migrations/0002_post_body.py": MIGRATION,
        },
    )
    assert run(capsys) == (
        1,
        [
            "blog/migrations/0002_post_body.py:1:1: DMH205 migration of app `blog` is not tracked "
            "by git and is ignored by `blog/migrations/0002_*` (.gitignore:2) "
            "(fix: git add -f blog/migrations/0002_post_body.py, and remove that ignore rule)"
        ],
        "",
    )


def test_whole_app_untracked_in_repo_without_commits(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        git_repo,
        {
            "café app/models.py": MODELS,
            "café app/migrations/__init__.py": "",
            "café app/migrations/0001_initial.py": MIGRATION,
        },
    )
    git(git_repo, "add", "café app/models.py")
    assert run(capsys) == (
        1,
        [
            "café app/migrations/0001_initial.py:1:1: DMH205 migration of app `café app` is not "
            "tracked by git (fix: git add 'café app/migrations/0001_initial.py')",
            "café app/migrations/__init__.py:1:1: DMH205 migration of app `café app` is not "
            "tracked by git (fix: git add 'café app/migrations/__init__.py')",
        ],
        "",
    )


def test_migration_without_models_next_to_it_counts_when_it_is_django(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, {"legacy/migrations/0001_initial.py": MIGRATION})
    assert run(capsys) == (
        1,
        [
            "legacy/migrations/0001_initial.py:1:1: DMH205 migration of app `legacy` is not "
            "tracked by git (fix: git add legacy/migrations/0001_initial.py)"
        ],
        "",
    )


def test_root_app(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(git_repo, {"models.py": MODELS, "migrations/0001_initial.py": MIGRATION})
    git(git_repo, "add", "models.py")
    code, out, _ = run(capsys)
    assert (code, [line.split(" DMH")[0] for line in out]) == (
        1,
        ["migrations/0001_initial.py:1:1:"],
    )


def test_config_excludes_a_path(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project,
        {
            "blog/migrations/0002_post_body.py": MIGRATION,
            "pyproject.toml": "[tool.django-migration-hooks]\nexclude = ['blog/**']\n",
        },
    )
    assert run(capsys) == (0, [], "")


def test_check_repository_for_the_umbrella_command(project: Path) -> None:
    write(project, {"blog/migrations/0002_post_body.py": MIGRATION})
    assert [f.path for f in hook.check_repository()] == ["blog/migrations/0002_post_body.py"]


def test_outside_a_repository_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys)
    assert (code, out) == (2, [])
    assert err == f"check-untracked-migrations: error: {tmp_path} is not inside a git repository\n"


def test_rules_are_documented() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "hooks.md").read_text()
    assert [r.code for r in hook.RULES] == ["DMH205"]
    assert "#### DMH205 untracked-migration" in docs


# --- regressions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "files",
    (
        pytest.param(
            {
                ".gitignore": "/tmp/\n",
                "tmp/old/shop/models.py": MODELS,
                "tmp/old/shop/migrations/__init__.py": "",
                "tmp/old/shop/migrations/0001_initial.py": MIGRATION,
            },
            id="scratch-copy-in-ignored-folder",
        ),
        pytest.param(
            {
                ".gitignore": "/lib/\n",
                "lib/django/__init__.py": "",
                "lib/django/contrib/auth/models.py": MODELS,
                "lib/django/contrib/auth/migrations/__init__.py": "",
                "lib/django/contrib/auth/migrations/0001_initial.py": MIGRATION,
            },
            id="pip-install-target-lib",
        ),
        pytest.param(
            {
                ".gitignore": "node_modules/\n",
                "node_modules/pkg/shop/models.py": MODELS,
                "node_modules/pkg/shop/migrations/0001_initial.py": MIGRATION,
            },
            id="ignored-node-modules",
        ),
        pytest.param(
            {"build/lib/blog/migrations/0002_x.py": MIGRATION, "build/lib/blog/models.py": MODELS},
            id="untracked-build-output",
        ),
    ),
)
def test_not_project_migrations_noop(
    project: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    write(project, files)
    if ".gitignore" in files:
        git(project, "add", ".gitignore")
    assert run(capsys) == (0, [], "")


def test_editor_lock_symlink_is_not_a_migration(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "blog" / "migrations" / ".#0002_x.py").symlink_to("user@host.1234:1700000000")
    write(project, {"blog/migrations/~0002_x.py": MIGRATION})
    assert run(capsys) == (0, [], "")


def test_tracked_app_named_build_is_checked(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = {
        "build/__init__.py": "",
        "build/models.py": MODELS,
        "build/migrations/__init__.py": "",
        "build/migrations/0001_initial.py": MIGRATION,
    }
    write(git_repo, {**build, ".gitignore": "build/\n"})
    git(git_repo, "add", "-f", *build)
    git(git_repo, "add", ".gitignore")
    write(git_repo, {"build/migrations/0002_new.py": MIGRATION})
    assert run(capsys) == (
        1,
        [
            "build/migrations/0002_new.py:1:1: DMH205 migration of app `build` is not tracked "
            "by git and is ignored by `build/` (.gitignore:1) "
            "(fix: git add -f build/migrations/0002_new.py, and remove that ignore rule)"
        ],
        "",
    )
