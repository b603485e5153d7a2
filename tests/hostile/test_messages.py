"""Error lines name what failed: the git command (not its first option), the hook."""

from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks import _git
from django_migration_hooks._report import HookError


def test_a_git_failure_names_the_command_not_its_options(git_repo: Path) -> None:
    with pytest.raises(HookError) as exc:
        _git.run("--no-optional-locks", "-c", "core.quotepath=off", "cat-file", "-t", "nope")
    assert str(exc.value).startswith("git cat-file failed: ")
