"""pre-commit appends file names after `args` with no `--`: a staged file whose name looks like an
option is still a file name, and cannot switch a hook off (through the real pre-commit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git, run_pre_commit, write

pytestmark = pytest.mark.e2e

PROCFILE = "release: python manage.py makemigrations && python manage.py migrate\n"


def config(hooks_repo: tuple[Path, str]) -> str:
    path, rev = hooks_repo
    return (
        f"repos:\n- repo: {path}\n  rev: {rev}\n  hooks:\n"
        "  - id: check-deploy-makemigrations\n    types: [file]\n"
    )


@pytest.mark.parametrize("name", ["--help", "-h", "--he", "--version", "--format=json"])
def test_an_option_like_file_name_does_not_pass_the_hook(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str], name: str
) -> None:
    write(consumer, {".pre-commit-config.yaml": config(hooks_repo), "Procfile": PROCFILE})
    write(consumer, {name: "echo\n"})
    git(consumer, "add", "-A")
    proc = run_pre_commit(consumer, pre_commit_home, "run", "--all-files", "--color", "never")
    assert proc.returncode == 1, proc.stdout
    findings = [line for line in proc.stdout.splitlines() if " DMH" in line]
    assert [line.split(" ")[0:2] for line in findings] == [["Procfile:1:27:", "DMH301"]]
    assert "usage:" not in proc.stdout
