"""Hostile files and repositories as data, each run against every hook.

Every run: exit code 0, 1 or 2; no traceback; on exit 2 exactly one stderr line; no file of the
work tree written, added or removed; and no repository code run (the project's modules leave a
marker when imported). Cases that could block (FIFOs) run the hooks as processes with a timeout.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

from django_migration_hooks import (
    check_deploy_makemigrations,
    check_ignored_migrations,
    check_migration_conflicts,
    check_migration_rewrites,
    check_missing_migrations,
    check_untracked_migrations,
)
from tests.conftest import BIN, git, git_commit, git_init, write
from tests.hostile.project import FILES, MODELS, MODELS_WITH_PRICE

Main = Callable[[Sequence[str]], int]
HOOKS: dict[str, tuple[Main, tuple[str, ...]]] = {
    "check-missing-migrations": (check_missing_migrations.main, ("--mode", "static")),
    "check-ignored-migrations": (check_ignored_migrations.main, ()),
    "check-untracked-migrations": (check_untracked_migrations.main, ()),
    "check-deploy-makemigrations": (check_deploy_makemigrations.main, ()),
    "check-migration-conflicts": (check_migration_conflicts.main, ()),
    "check-migration-rewrites": (check_migration_rewrites.main, ("--base", "HEAD")),
}
MARKER = "marker-ran"  # beside the repository: written if a module of the project is imported


class Case(NamedTuple):
    files: dict[str, str | bytes]  # written (and staged) after the initial commit
    setup: Callable[[Path], Path] | None = None  # more hostility; returns the cwd to run in
    blocking: bool = False  # could block a reader: run as processes with a timeout
    forbid: str = "\0"  # no output line may hold this (a finding the case must not cause)
    expect: tuple[str, str] | None = None  # (hook, a line it must print with the file names)
    code: int | None = None  # the exit code every hook must give


NOT_CHECKED = "DMH10"  # an unreadable model module is "not checked", never a finding
# the staged field addition must be seen (DMH102 for a commit, DMH103 from the whole tree)
ADDED = ("check-missing-migrations", "shop/models.py:6:5: DMH10")


def _marked(root: Path) -> dict[str, str | bytes]:
    mark = f"open({str(root.parent / MARKER)!r}, 'a').write(__name__ + '\\n')\n"
    return {**FILES, "shop/__init__.py": mark, "proj/settings.py": mark + FILES["proj/settings.py"]}


def _fifo(path: str) -> Callable[[Path], Path]:
    def setup(root: Path) -> Path:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / path)
        return root

    return setup


def _symlink(path: str, target: str) -> Callable[[Path], Path]:
    def setup(root: Path) -> Path:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / path)
        return root

    return setup


def _loop(root: Path) -> Path:
    os.symlink("0002_b.py", root / "shop/migrations/0002_a.py")
    os.symlink("0002_a.py", root / "shop/migrations/0002_b.py")
    return root


def _outside(root: Path) -> Path:
    secret = root.parent / "outside.py"
    secret.write_text("SECRET = 1\n")
    os.symlink(secret, root / "shop/migrations/0002_out.py")
    os.symlink(root.parent, root / "shop/up")
    return root


def _no_permission(root: Path) -> Path:
    (root / "shop/models.py").chmod(0)
    (root / ".gitignore").write_text("")
    (root / ".gitignore").chmod(0)
    return root


def _detached(root: Path) -> Path:
    git(root, "checkout", "-q", "--detach")
    return root


def _bare(root: Path) -> Path:
    git(root.parent, "clone", "-q", "--bare", str(root), "bare.git")
    return root.parent / "bare.git"


def _git_dir(root: Path) -> Path:
    return root / ".git"


def _shallow(root: Path) -> Path:
    git_commit(root, "second")
    git(root.parent, "clone", "-q", "--depth", "1", f"file://{root}", "shallow")
    return root.parent / "shallow"


def _no_commits(root: Path) -> Path:
    fresh = git_init(root.parent / "fresh")
    write(fresh, _marked(root))
    return fresh


def _deep(depth: int) -> str:
    return "x = " + "(" * depth + "1" + ")" * depth + "\n"


YAML_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)
CASES: dict[str, Case] = {
    "binary-migration": Case({"shop/migrations/0002_bin.py": bytes(range(256)) * 8}),
    "nul-models": Case(
        {"shop/models.py": MODELS.replace("\n", "\n\0", 1).encode()}, forbid=NOT_CHECKED
    ),
    "invalid-utf8": Case(
        {"shop/models.py": b"# \xff\xfe\n" + MODELS.encode(), ".gitignore": b"\xff\n"},
        forbid=NOT_CHECKED,
    ),
    "utf16": Case(
        {"shop/models.py": MODELS.encode("utf-16"), "Procfile": "web: x\n".encode("utf-16")},
        forbid=NOT_CHECKED,
    ),
    "bom": Case(
        {
            "shop/models.py": b"\xef\xbb\xbf" + MODELS_WITH_PRICE.encode(),
            ".gitignore": b"\xef\xbb\xbf*.pyc\n",
        },
        expect=ADDED,
    ),
    "crlf-cr": Case(
        {
            "shop/models.py": MODELS_WITH_PRICE.replace("\n", "\r\n"),
            "Procfile": "web: a\rrelease: b\r",
        },
        expect=ADDED,
    ),
    "huge-file": Case({"shop/migrations/0002_huge.py": "# x\n" * (1_500_000)}),
    "huge-line": Case(
        {
            "Procfile": "release: " + "a " * 600_000 + "\n",
            "shop/models.py": MODELS + "#" + "y" * 2_000_000 + "\n",
        }
    ),
    "deep-nesting": Case(
        {
            "shop/models.py": MODELS + _deep(5000),
            "shop/migrations/0002_deep.py": _deep(300),
            "Procfile": "release: " + "$(" * 200 + "x" + ")" * 200 + "\n",
        }
    ),
    "invalid-toml": Case({"pyproject.toml": "[tool.django-migration-hooks\nx = \n"}),
    "invalid-yaml": Case({".gitlab-ci.yml": "job: [unclosed\n  - :\n\t bad\n"}),
    "yaml-bomb-and-tags": Case(
        {".gitlab-ci.yml": YAML_BOMB + "c: !!python/object/apply:os.system ['touch x']\n"}
    ),
    "invalid-json": Case({"app.json": '{"scripts": {"postdeploy": '}),
    "fifo": Case({}, _fifo("shop/migrations/0002_fifo.py"), blocking=True),
    "fifo-config": Case({}, _fifo("blog/models.py"), blocking=True),
    "symlink-loop": Case({}, _loop),
    "link-out-of-repo": Case({}, _outside),
    "dev-zero-link": Case({}, _symlink("Procfile", "/dev/zero"), blocking=True),
    "permission-denied": Case({}, _no_permission),
    "option-like-names": Case({"--help": "x\n", "-h": "x\n", "--base=x.py": "x\n"}),
    "newline-names": Case(
        {
            "shop/models.py": MODELS_WITH_PRICE,
            "shop/z\nHEAD:shop/models.py": "x = 1\n",
            "a\rb.py": "\n",
        },
        expect=ADDED,
    ),
    "no-commits": Case({}, _no_commits),
    "detached-head": Case({"shop/models.py": MODELS}, _detached),
    "shallow-clone": Case({}, _shallow),
    "bare-repository": Case({}, _bare, code=2),
    "inside-git-dir": Case({}, _git_dir, code=2),
}


def snapshot(root: Path) -> dict[str, str]:
    """Every entry of the tree but .git: its kind, mode and content digest."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git" and not d.endswith(".git")]
        for name in filenames + dirnames:
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            digest = ""
            if stat.S_ISREG(info.st_mode) and info.st_mode & 0o400:
                digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest = os.readlink(path)
            result[os.path.relpath(path, root)] = f"{info.st_mode:o} {digest}"
    return result


def build(tmp_path: Path, case: Case) -> tuple[Path, list[str]]:
    root = git_init(tmp_path / "repo")
    write(root, _marked(root))
    git_commit(root, "shop")
    write(root, case.files)
    cwd = case.setup(root) if case.setup else root
    names = [*case.files, "shop/models.py"]
    if (cwd / ".git").is_dir():
        for name in case.files:
            subprocess.run(["git", "add", "--", name], cwd=cwd, capture_output=True, check=False)
    return cwd, names


def check_run(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), err
    assert "Traceback" not in out + err
    if code == 2:
        assert err.count("\n") == 1, err


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    cwd, names = build(tmp_path, case)
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    before = snapshot(tmp_path / "repo")
    for hook, (main, args) in HOOKS.items():
        for argv in ([*args], [*args, *names]):
            if case.blocking:
                proc = subprocess.run(
                    [str(BIN / hook), *argv],
                    capture_output=True,
                    text=True,
                    timeout=30,
                    env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
                    stdin=subprocess.DEVNULL,
                )
                code, out, err = proc.returncode, proc.stdout, proc.stderr
            else:
                code = main(argv)
                captured = capsys.readouterr()
                out, err = captured.out, captured.err
            check_run(code, out, err)
            assert case.forbid not in out, out
            if case.code is not None:
                assert (code, err) == (case.code, f"{hook}: error: not inside a git work tree\n")
            if case.expect and case.expect[0] == hook and len(argv) > len(args):
                assert out.startswith(case.expect[1]) and "price" in out.splitlines()[0], out
    assert snapshot(tmp_path / "repo") == before
    assert not (tmp_path / MARKER).exists()
