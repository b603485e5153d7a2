"""No hook hangs: FIFOs in the work tree or among the file names are never opened for a
blocking read, and the Django run has a time limit after which its process group is ended."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BIN, write
from tests.hostile.project import SETTINGS, shop_project

HOOKS = (
    "check-missing-migrations",
    "check-ignored-migrations",
    "check-untracked-migrations",
    "check-deploy-makemigrations",
    "check-migration-conflicts",
    "check-migration-rewrites",
)
LIMIT = 30  # seconds: far above any run here, far below a hang


def run(root: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[int, str, float]:
    started = time.monotonic()
    proc = subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=LIMIT,
        env={**os.environ, "XDG_CACHE_HOME": str(root.parent / "cache"), **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stderr
    return proc.returncode, proc.stderr, time.monotonic() - started


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie nobody reaped has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return shop_project(tmp_path / "repo")


@pytest.mark.parametrize("hook", HOOKS)
def test_a_fifo_passed_as_a_file_name_does_not_block(repo: Path, hook: str) -> None:
    os.mkfifo(repo / "shop" / "migrations" / "0002_pipe.py")
    args = ["--mode", "static"] if hook == "check-missing-migrations" else []
    code, err, _ = run(repo, hook, *args, "shop/migrations/0002_pipe.py")
    assert code in (0, 1, 2), err


def test_an_untracked_fifo_model_module_does_not_block_check_ignored(repo: Path) -> None:
    os.mkfifo(repo / "shop" / "pipe_models.py")
    (repo / "blog").mkdir()
    os.mkfifo(repo / "blog" / "models.py")
    code, err, _ = run(repo, "check-ignored-migrations")
    assert code in (0, 1), err


@pytest.mark.django
def test_an_untracked_fifo_migration_does_not_block_the_cache_key(repo: Path) -> None:
    os.mkfifo(repo / "shop" / "migrations" / "0002_x.py")
    python = ["--python", sys.executable, "--settings", "proj.settings", "--timeout", "8"]
    code, err, _ = run(repo, "check-missing-migrations", "--mode", "django", *python)
    # Django itself blocks importing the FIFO: the time limit ends it
    assert (code, err.count("\n")) in ((0, 0), (2, 1)), err


DJANGO = ("check-missing-migrations", "--mode", "django", "--python", sys.executable)


@pytest.mark.django
def test_settings_that_never_finish_end_at_the_time_limit(repo: Path) -> None:
    write(repo, {"proj/settings.py": SETTINGS + "while True:\n    pass\n"})
    code, err, took = run(repo, *DJANGO, "--settings", "proj.settings", "--timeout", "2")
    assert (code, err) == (
        2,
        "check-missing-migrations: error: proj.settings: the Django check did not finish within 2 s"
        " (the time limit: raise it with --timeout SECONDS or timeout = SECONDS in the config)\n",
    )
    assert took < 15


@pytest.mark.django
def test_the_time_limit_ends_the_whole_process_group(repo: Path, tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    spin = (
        "import subprocess\n"
        f"_p = subprocess.Popen(['sleep', '300'])\nopen({str(pidfile)!r}, 'w').write(str(_p.pid))\n"
        "while True:\n    pass\n"
    )
    write(repo, {"proj/settings.py": SETTINGS + spin})
    code, _, _ = run(repo, *DJANGO, "--settings", "proj.settings", "--timeout", "3")
    assert code == 2
    time.sleep(0.2)
    assert not alive(int(pidfile.read_text()))


@pytest.mark.django
def test_a_background_process_started_by_the_settings_does_not_hold_the_hook(
    repo: Path,
) -> None:
    background = "import subprocess\n_p = subprocess.Popen(['sleep', '300'])\n"
    write(repo, {"proj/settings.py": SETTINGS + background})
    code, err, took = run(repo, *DJANGO, "--settings", "proj.settings")
    assert (code, err) == (0, "")
    assert took < 20
