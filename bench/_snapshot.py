"""A committed copy of this checkout, for benchmarks that install the hooks through pre-commit."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def snapshot(dest: Path) -> str:
    """Commit the tracked and new files of this checkout into dest (as the tests do); the sha."""
    listed = subprocess.run(
        ("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    env = {**os.environ, **GIT_ENV}
    for args in (
        ("-c", "init.defaultBranch=main", "init", "-q"),
        ("add", "-A"),
        ("-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", "snapshot"),
    ):
        subprocess.run(("git", *args), cwd=dest, check=True, env=env)
    return subprocess.run(
        ("git", "rev-parse", "HEAD"), cwd=dest, check=True, capture_output=True, text=True
    ).stdout.strip()
