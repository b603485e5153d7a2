"""Shared fixtures: real git repositories, a snapshot of this checkout, PRE_COMMIT_HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_ALLOW_PROTOCOL": "file",
}
for _name in (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "PRE_COMMIT_FROM_REF",
    "PRE_COMMIT_TO_REF",
    "PRE_COMMIT_ORIGIN",
    "PRE_COMMIT_SOURCE",
    "DJANGO_SETTINGS_MODULE",
    "VIRTUAL_ENV",
):
    os.environ.pop(_name, None)
os.environ.update(GIT_ENV)


def git(cwd: Path | str, *args: str) -> str:
    return subprocess.run(
        ("git", *args), cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def git_init(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "-c", "init.defaultBranch=main", "init", "-q")
    git(path, "config", "commit.gpgsign", "false")
    git(path, "config", "core.excludesFile", str(path / ".git" / "no-global-excludes"))
    return path


def git_commit(path: Path | str, message: str = "commit", *, add: bool = True) -> str:
    if add:
        git(path, "add", "-A")
    git(path, "commit", "-q", "--no-verify", "--no-edit", "--allow-empty", "-m", message)
    return git(path, "rev-parse", "HEAD").strip()


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", newline="")


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty git repository (no commits) that is also the working directory."""
    repo = git_init(tmp_path / "repo")
    monkeypatch.chdir(repo)
    return repo


# --- the real pre-commit ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME for the session: hook environments are built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A committed snapshot of this checkout (tracked and new files): one rev for every test."""
    snapshot = tmp_path_factory.mktemp("hooks-repo")
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
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git_init(snapshot)
    return snapshot, git_commit(snapshot, "snapshot")


def run_pre_commit(
    consumer: Path, pre_commit_home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        (str(BIN / "pre-commit"), *args),
        cwd=consumer,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PRE_COMMIT_HOME": str(pre_commit_home),
            "PRE_COMMIT_NO_CONCURRENCY": "1",
            **(env or {}),
        },
    )


def try_repo(
    consumer: Path,
    pre_commit_home: Path,
    hooks_repo: tuple[Path, str],
    hook_id: str,
    *args: str,
) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo <snapshot> <hook_id> --ref <sha> --all-files` in a consumer repo."""
    path, rev = hooks_repo
    return run_pre_commit(
        consumer,
        pre_commit_home,
        "try-repo",
        str(path),
        hook_id,
        "--ref",
        rev,
        "--all-files",
        "--color",
        "never",
        *args,
    )


@pytest.fixture
def consumer(tmp_path: Path) -> Iterator[Path]:
    """An empty consumer repository for end-to-end runs."""
    yield git_init(tmp_path / "consumer")
