"""One import name of our own: a project's `hooks` package on the path does not shadow it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import BIN, write


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
