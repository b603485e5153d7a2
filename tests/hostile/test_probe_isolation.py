"""The interpreter probe runs no repository code and its verdict does not depend on the
repository: isolated (`-I`), no bytecode written, in a neutral working directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from django_migration_hooks import _django
from django_migration_hooks.missing import discovery
from tests.conftest import write


@pytest.fixture
def bare_python(tmp_path: Path) -> str:
    """An interpreter without Django (a virtualenv without packages)."""
    venv = tmp_path / "env"
    subprocess.run(
        [sys.executable, "-I", "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path, check=True
    )
    return str(venv / "bin" / "python")


@pytest.fixture
def hostile_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose root holds a json.py that leaves a marker, and a vendored Django."""
    root = tmp_path / "repo"
    marker = tmp_path / "ran"
    write(
        root,
        {
            "json.py": f"open({str(marker)!r}, 'a').write('json.py\\n')\n",
            "sysconfig.py": f"open({str(marker)!r}, 'a').write('sysconfig.py\\n')\n",
            "django/__init__.py": "def get_version():\n    return '9.9'\n",
        },
    )
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return root


def test_the_probe_runs_no_module_of_the_repository(hostile_repo: Path) -> None:
    assert _django.probe(sys.executable) is not None  # this environment has Django
    assert not (hostile_repo.parent / "ran").exists()
    assert sorted(p.name for p in hostile_repo.iterdir()) == ["django", "json.py", "sysconfig.py"]


def test_a_vendored_django_does_not_give_an_interpreter_django(
    hostile_repo: Path, bare_python: str
) -> None:
    assert _django.probe(bare_python) is None
    assert discovery.probe(bare_python) is None
    assert not (hostile_repo.parent / "ran").exists()


def test_the_remembered_probe_does_not_follow_the_repository(
    hostile_repo: Path, bare_python: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = discovery.probe(sys.executable)
    assert first is not None
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(other)
    assert discovery.probe(sys.executable) == first
    assert discovery.probe(bare_python) is None
