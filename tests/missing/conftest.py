"""Fixtures of the Django-tier tests: one virtualenv per Django version for the session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import write
from tests.missing.test_django_tier import TEMPLATE_FILES, VERSIONS, _run


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cache" / "django-migration-hooks").mkdir(parents=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)


@pytest.fixture(scope="session", params=sorted(VERSIONS))
def django_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path, Path]:
    """(version, python, template project with migrations made by that version)."""
    version = request.param
    base = tmp_path_factory.mktemp(f"django{version.replace('.', '')}")
    venv = base / "venv"
    created = _run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    installed = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", VERSIONS[version]
    )
    assert installed.returncode == 0, installed.stderr
    template = base / "template"
    write(template, TEMPLATE_FILES)
    made = _run(
        python, "manage.py", "makemigrations", "--settings=proj.settings_sqlite", cwd=template
    )
    assert made.returncode == 0, made.stderr
    return version, python, template
