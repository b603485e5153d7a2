"""Tests of the deploy-file readers; `run_hook` runs check-deploy-makemigrations in a repo."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from django_migration_hooks.check_deploy_makemigrations import main
from tests.conftest import git, write


def run_hook(
    repo: Path, capsys: pytest.CaptureFixture[str], files: Mapping[str, str | bytes], *argv: str
) -> tuple[int, list[str], str]:
    """Write files into repo, `git add` them, run the hook; (rc, stdout lines, stderr)."""
    write(repo, files)
    git(repo, "add", "-A")
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out.splitlines(), err
