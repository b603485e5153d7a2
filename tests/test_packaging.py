"""The distribution: one import name of its own, every module of hooks/ inside it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import BIN, ROOT, write


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        (sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)),
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.e2e
def test_wheel_installs_no_top_level_hooks_package(wheel_names: set[str]) -> None:
    top_level = {name.split("/", 1)[0] for name in wheel_names if "/" in name}
    assert {t for t in top_level if not t.endswith(".dist-info")} == {"django_migration_hooks"}


@pytest.mark.e2e
def test_wheel_holds_every_module_of_the_code_folder(wheel_names: set[str]) -> None:
    expected = {
        "django_migration_hooks/"
        + path.relative_to(ROOT / "hooks" / "django_migration_hooks").as_posix()
        for path in (ROOT / "hooks" / "django_migration_hooks").rglob("*")
        if path.suffix in {".py", ".typed"} and "__pycache__" not in path.parts
    }
    assert expected - wheel_names == set()


def test_a_project_hooks_package_on_the_path_does_not_shadow_ours(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "hooks/__init__.py": "raise SystemExit('the project hooks package was imported')\n",
            "hooks/cli.py": "",
        },
    )
    result = subprocess.run(
        (str(BIN / "django-migration-hooks"), "explain", "DMH301"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("# DMH301 makemigrations-on-deploy\n")
