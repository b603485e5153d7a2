"""check-migration-conflicts and check-migration-rewrites through the real pre-commit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BIN, git, git_commit, git_init, run_pre_commit, try_repo, write

pytestmark = pytest.mark.e2e


def mig(*deps: str) -> str:
    body = "".join(f'        ("{d.split(".")[0]}", "{d.split(".")[1]}"),\n' for d in deps)
    return (
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [\n{body}    ]\n\n"
        "    operations = []\n"
    )


SHOP = {
    "shop/__init__.py": "",
    "shop/models.py": "from django.db import models\n",
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": mig(),
    "shop/migrations/0002_b.py": mig("shop.0001_initial"),
}


def test_try_repo_conflicts_clean(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    write(consumer, SHOP)
    git(consumer, "add", "-A")
    proc = try_repo(consumer, pre_commit_home, hooks_repo, "check-migration-conflicts")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "check for conflicting migrations" in proc.stdout
    assert "Passed" in proc.stdout


def test_try_repo_conflicts_reports_two_leaves(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    write(consumer, {**SHOP, "shop/migrations/0002_c.py": mig("shop.0001_initial")})
    git(consumer, "add", "-A")
    proc = try_repo(consumer, pre_commit_home, hooks_repo, "check-migration-conflicts")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert "- hook id: check-migration-conflicts" in lines
    assert "- exit code: 1" in lines
    assert (
        "shop/migrations/0002_b.py:6:9: DMH401 app `shop` has 2 leaf migrations: `0002_b` "
        "conflicts with `0002_c` (common parent `0001_initial`) (fix: `python manage.py "
        "makemigrations --merge shop`, or renumber `0002_b` and make it depend on `0002_c`)"
    ) in lines
    assert sum(" DMH401 " in line for line in lines) == 2


def test_pre_push_rejects_a_rewritten_migration(
    tmp_path: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    path, rev = hooks_repo
    origin = tmp_path / "origin.git"
    git(tmp_path, "-c", "init.defaultBranch=main", "init", "-q", "--bare", str(origin))
    work = git_init(tmp_path / "work")
    write(
        work,
        {
            **SHOP,
            ".pre-commit-config.yaml": (
                "default_install_hook_types: [pre-push]\n"
                "repos:\n"
                f"  - repo: {path}\n"
                f"    rev: {rev}\n"
                "    hooks:\n"
                "      - id: check-migration-rewrites\n"
                "        stages: [pre-push]\n"
            ),
        },
    )
    git_commit(work, "base")
    git(work, "remote", "add", "origin", f"file://{origin}")
    git(work, "push", "-q", "origin", "main")
    installed = run_pre_commit(work, pre_commit_home, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    git(work, "checkout", "-q", "-b", "feature")
    write(work, {"shop/migrations/0003_new.py": mig("shop.0002_b")})
    git_commit(work, "a new migration")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "PATH": f"{BIN}:{os.environ['PATH']}",
    }
    ok = subprocess.run(
        ("git", "push", "origin", "feature"), cwd=work, capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr

    (work / "shop/migrations/0001_initial.py").write_text(
        mig().replace("operations = []", 'operations = [migrations.RunSQL("SELECT 1")]')
    )
    git_commit(work, "rewrite 0001")
    rejected = subprocess.run(
        ("git", "push", "origin", "feature"), cwd=work, capture_output=True, text=True, env=env
    )
    assert rejected.returncode != 0
    output = rejected.stdout + rejected.stderr
    assert "check for rewritten migrations" in output, output
    assert (
        "shop/migrations/0001_initial.py:8:19: DMH411 migration `shop.0001_initial` exists on `"
        in output
    )
    assert git(work, "rev-parse", "origin/feature") != git(work, "rev-parse", "feature")


def test_run_with_from_and_to_refs(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    path, rev = hooks_repo
    write(
        consumer,
        {
            **SHOP,
            ".pre-commit-config.yaml": (
                "repos:\n"
                f"  - repo: {path}\n"
                f"    rev: {rev}\n"
                "    hooks:\n"
                "      - id: check-migration-rewrites\n"
                # a deletion alone matches no file: without always_run the hook is skipped
                "        always_run: true\n"
            ),
        },
    )
    base = git_commit(consumer, "base")
    git(consumer, "rm", "-q", "shop/migrations/0002_b.py")
    head = git_commit(consumer, "delete 0002")
    proc = run_pre_commit(
        consumer, pre_commit_home, "run", "--from-ref", base, "--to-ref", head, "--color", "never"
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "shop/migrations/0002_b.py:1:1: DMH412 migration `shop.0002_b` exists on "
        f"`{base[:12]}` and "
        f"was deleted (fix: restore it (`git checkout {base[:12]} -- shop/migrations/0002_b.py`); "
        "delete "
        "migrations only after a squashed migration that replaces them has been applied "
        "everywhere)"
    ) in proc.stdout.splitlines()
