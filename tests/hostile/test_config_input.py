"""pyproject.toml that is not what a hook expects: one error line naming the key, exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from django_migration_hooks._config import load_config
from django_migration_hooks._report import HookError

SCHEMA = {"env": "env"}
SECTION = "[tool.django-migration-hooks.check-missing-migrations]\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("tool = 5\n", "pyproject.toml: `tool` must be a table", id="tool-not-table"),
        pytest.param(
            SECTION + "env = { 'A=B' = 'x' }\n",
            "pyproject.toml: [tool.django-migration-hooks.check-missing-migrations] env: "
            "'A=B' is not an environment variable name",
            id="env-key-with-equals",
        ),
        pytest.param(
            SECTION + 'env = { A = "x\\u0000y" }\n',
            "pyproject.toml: [tool.django-migration-hooks.check-missing-migrations] env A: "
            "the value holds a NUL character",
            id="env-value-with-nul",
        ),
    ],
)
def test_invalid_configuration_names_the_key(project: Path, text: str, message: str) -> None:
    (project / "pyproject.toml").write_text(text)
    with pytest.raises(HookError) as exc:
        load_config("check-missing-migrations", SCHEMA)
    assert str(exc.value) == message


def test_a_fifo_pyproject_is_refused_without_blocking(project: Path) -> None:
    os.mkfifo(project / "pyproject.toml")
    with pytest.raises(HookError) as exc:
        load_config("check-missing-migrations", SCHEMA)
    assert str(exc.value) == "cannot read pyproject.toml: skipped, not a regular file"


def test_a_pyproject_linked_to_a_device_is_not_read(project: Path) -> None:
    os.symlink("/dev/zero", project / "pyproject.toml")
    with pytest.raises(HookError) as exc:
        load_config("check-missing-migrations", SCHEMA)
    assert str(exc.value) == "cannot read pyproject.toml: skipped, not a regular file"
