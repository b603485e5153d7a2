"""What a user sees of check-missing-migrations' tier through the real pre-commit.

pre-commit prints a hook's output only when the hook fails, or with `verbose: true`: the notice
that auto mode fell back to the static tier is invisible on a passing run, shown with the
findings on a failing one; `--mode django` makes the fallback itself a failure.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import BIN, git, git_commit, run_pre_commit, write
from tests.e2e.test_missing_static import PROJECT
from tests.test_check_missing_migrations import E2E_PROJECT

pytestmark = pytest.mark.e2e

# no interpreter with Django on PATH: only git's folder (this machine's python3 there has none)
GIT_ONLY = {"PATH": os.path.dirname(shutil.which("git") or "/usr/bin/git")}
NOTICE_START = "check-missing-migrations: notice: no interpreter with Django found (tried "
NOTICE_END = (
    "pass --python PATH, or add Django to additional_dependencies; using the static tier "
    "(--mode static)"
)
FIX = "(fix: python manage.py makemigrations shop)"


def _config(path: Path, rev: str, extra: str = "") -> dict[str, str]:
    return {
        ".pre-commit-config.yaml": "repos:\n"
        f"- repo: {path}\n"
        f"  rev: {rev}\n"
        "  hooks:\n"
        "  - id: check-missing-migrations\n" + extra
    }


def _notices(output: str) -> list[str]:
    return [
        line
        for line in output.splitlines()
        if line.startswith(NOTICE_START) and line.endswith(NOTICE_END)
    ]


def test_static_fallback_visible_only_when_failing_or_verbose(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    path, rev = hooks_repo
    write(consumer, {**PROJECT, **_config(path, rev)})
    git_commit(consumer)
    run = ("run", "--color", "never")

    passed = run_pre_commit(consumer, pre_commit_home, *run, "--all-files", env=GIT_ONLY)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    # pre-commit hides a passing hook's output: its name and Passed
    lines = [line for line in passed.stdout.splitlines() if not line.startswith("[INFO] ")]
    assert lines == [
        "check for model changes without a migration..............................Passed"
    ]

    # verbose: true (the user's choice) shows the tier on every run
    write(consumer, _config(path, rev, "    verbose: true\n"))
    git_commit(consumer, "verbose")
    verbose = run_pre_commit(consumer, pre_commit_home, *run, "--all-files", env=GIT_ONLY)
    assert verbose.returncode == 0, verbose.stdout + verbose.stderr
    assert len(_notices(verbose.stdout)) == 1, verbose.stdout

    # a failing run shows the notice with the findings, without verbose
    write(consumer, _config(path, rev))
    write(consumer, {"shop/models.py": E2E_PROJECT["shop/models.py"]})
    git(consumer, "add", "-A")
    failed = run_pre_commit(consumer, pre_commit_home, *run, env=GIT_ONLY)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert len(_notices(failed.stdout)) == 1, failed.stdout
    assert (
        f"shop/models.py:6:5: DMH102 shop.Product: field price added, no migration {FIX}"
        in failed.stdout.splitlines()
    )


def test_mode_django_makes_the_fallback_a_failure(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    path, rev = hooks_repo
    write(consumer, {**PROJECT, **_config(path, rev, "    args: [--mode, django]\n")})
    git_commit(consumer)
    proc = run_pre_commit(
        consumer, pre_commit_home, "run", "--all-files", "--color", "never", env=GIT_ONLY
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    errors = [
        line
        for line in proc.stdout.splitlines()
        if line.startswith("check-missing-migrations: error: no interpreter with Django found")
    ]
    assert len(errors) == 1, proc.stdout
    assert errors[0].endswith(
        "pass --python PATH, or add Django to additional_dependencies; or use --mode static"
    )


def test_no_settings_error_only_with_the_repositorys_own_django(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    path, rev = hooks_repo
    project = {k: v for k, v in PROJECT.items() if k != "manage.py"}
    write(consumer, {**project, **_config(path, rev), ".gitignore": ".venv\n"})
    git_commit(consumer)
    run = ("run", "--all-files", "--color", "never")
    # Django merely on PATH (another project's virtualenv): the static tier, as before
    on_path = {"PATH": os.pathsep.join((str(BIN), GIT_ONLY["PATH"]))}
    passed = run_pre_commit(consumer, pre_commit_home, *run, env=on_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    # the repository's own virtualenv has Django: the missing settings are an error
    (consumer / ".venv").symlink_to(Path(sys.prefix))
    failed = run_pre_commit(consumer, pre_commit_home, *run, env=GIT_ONLY)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert (
        "check-missing-migrations: error: no Django settings found (no manage.py, wsgi.py, "
        "asgi.py or pytest DJANGO_SETTINGS_MODULE names one), though ./.venv/bin/python has "
        "Django: pass --settings MODULE (or --project DIR:MODULE) for the Django tier, or "
        "--mode static for the static one"
    ) in failed.stdout.splitlines()
