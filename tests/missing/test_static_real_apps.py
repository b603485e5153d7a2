"""Acceptance: the static tier finds nothing on the clean trees of real Django apps from PyPI.

The wheels, pinned to exact versions, are downloaded once per session (`pip download --no-deps`);
the test is skipped only when pip cannot reach the package index.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from django_migration_hooks._static_check import check_static
from tests.conftest import git_commit, git_init

# exact versions: a new release on the index cannot change what these tests read
PINS = {"django-taggit": "6.1.0", "django-simple-history": "3.13.0"}
PACKAGES = tuple(PINS)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    target = tmp_path_factory.mktemp("wheels")
    proc = subprocess.run(
        (
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-q",
            "-d",
            str(target),
            *(f"{name}=={version}" for name, version in PINS.items()),
        ),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"pip cannot download {', '.join(PACKAGES)}: {proc.stderr.strip()[-200:]}")
    found: dict[str, Path] = {}
    versions: dict[str, str] = {}
    for wheel in target.glob("*.whl"):
        name, version = wheel.name.split("-")[:2]
        found[name.replace("_", "-").lower()] = wheel
        versions[name.replace("_", "-").lower()] = version
    assert versions == PINS
    return found


def unpack(wheel: Path, root: Path) -> Path:
    git_init(root)
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if ".dist-info/" not in name:
                archive.extract(name, root)
    git_commit(root, "import")
    return root


@pytest.mark.parametrize("package", PACKAGES)
def test_real_app_clean_tree_no_finding(
    wheels: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: str
) -> None:
    root = unpack(wheels[package], tmp_path / package)
    monkeypatch.chdir(root)
    problems: list[str] = []
    assert check_static([], None, problems) == []
    assert problems == []


def test_real_app_taggit_model_edit_is_seen(
    wheels: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the clean result above is not vacuous: taggit's models are read and compared
    root = unpack(wheels["django-taggit"], tmp_path / "taggit")
    monkeypatch.chdir(root)
    models = root / "taggit" / "models.py"
    text = models.read_text(encoding="utf-8")
    anchor = "class Tag(TagBase):\n"
    assert anchor in text
    models.write_text(
        text.replace(anchor, anchor + "    color = models.CharField(max_length=7)\n"),
        encoding="utf-8",
    )
    line = text[: text.index(anchor)].count("\n") + 2
    assert [f.text() for f in check_static([], None)] == [
        f"taggit/models.py:{line}:5: DMH103 taggit.Tag: field color is in no migration "
        "(fix: python manage.py makemigrations taggit)"
    ]
