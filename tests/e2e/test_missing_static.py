"""check-missing-migrations through the real pre-commit, in a hook environment without Django."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git, git_commit, run_pre_commit, write
from tests.test_check_missing_migrations import E2E_PROJECT

pytestmark = pytest.mark.e2e

# the Django-tier end-to-end project, before and after its model edit
PROJECT = {
    **E2E_PROJECT,
    "shop/models.py": E2E_PROJECT["shop/models.py"].replace(
        "    price = models.IntegerField(default=0)\n", ""
    ),
}
FIX = "(fix: python manage.py makemigrations shop)"


def test_static_tier_without_django_in_the_hook_env(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    path, rev = hooks_repo
    write(consumer, PROJECT)
    write(
        consumer,
        {
            ".pre-commit-config.yaml": "repos:\n"
            f"- repo: {path}\n"
            f"  rev: {rev}\n"
            "  hooks:\n"
            "  - id: check-missing-migrations\n"
            "    args: [--mode, static]\n",
        },
    )
    git_commit(consumer)

    clean = run_pre_commit(consumer, pre_commit_home, "run", "--all-files", "--color", "never")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    # commit time: the staged edit is compared with HEAD
    write(consumer, {"shop/models.py": E2E_PROJECT["shop/models.py"]})
    git(consumer, "add", "shop/models.py")
    staged = run_pre_commit(consumer, pre_commit_home, "run", "--color", "never")
    assert staged.returncode == 1, staged.stdout + staged.stderr
    assert (
        f"shop/models.py:6:5: DMH102 shop.Product: field price added, no migration {FIX}"
        in staged.stdout.splitlines()
    )

    # CI: no known change, the models are compared with the state the migrations build
    git_commit(consumer, "models without migration")
    ci = run_pre_commit(consumer, pre_commit_home, "run", "--all-files", "--color", "never")
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert (
        f"shop/models.py:6:5: DMH103 shop.Product: field price is in no migration {FIX}"
        in ci.stdout.splitlines()
    )
    # the hook environment really has no Django
    assert "No module named" not in ci.stdout + ci.stderr


def test_a_split_all_files_run_reports_what_a_later_invocation_finds(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    """pre-commit splits a long file list into several invocations (argv over 128 KiB): the
    static tier's verdict depends on the files each one gets, so none may reuse another's."""
    path, rev = hooks_repo
    filler = {
        f"aaa/module_with_a_long_name_so_that_the_file_list_is_split_{i:04}.py": ""
        for i in range(2500)
    }
    write(consumer, {**E2E_PROJECT, **filler, "aaa/__init__.py": "", "aaa/models.py": ""})
    write(
        consumer,
        {
            ".pre-commit-config.yaml": f"repos:\n- repo: {path}\n  rev: {rev}\n  hooks:\n"
            "  - id: check-missing-migrations\n    args: [--mode, static]\n",
            "shop/models.py": PROJECT["shop/models.py"].replace(
                "class Product(models.Model):\n",
                "class Product(models.Model):\n    note = models.TextField(default='')\n",
            ),
        },
    )
    git_commit(consumer)
    ci = run_pre_commit(consumer, pre_commit_home, "run", "--all-files", "--color", "never")
    assert ci.returncode == 1, ci.stdout + ci.stderr
    findings = [line for line in ci.stdout.splitlines() if " DMH103 " in line]
    assert findings and all(line.startswith("shop/models.py:") for line in findings), ci.stdout
