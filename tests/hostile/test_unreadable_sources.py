"""The static tier never reads an unreadable model module as "no models": what Python's
importer reads (PEP 263 cookies, BOM) is read the same, anything else makes its app "not
checked", said in one line on stderr, never a finding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from django_migration_hooks.check_missing_migrations import main
from tests.conftest import git, write
from tests.hostile.project import MODELS, MODELS_WITH_PRICE, shop_project

UNREADABLE = {
    "nul": (MODELS.replace("models.Model", "models.Model\0")).encode(),
    "utf16": MODELS.encode("utf-16"),
    "invalid-utf8": b"# caf\xe9\n" + MODELS.encode(),
    "huge": MODELS.encode() + b"#" * (5 * 1024 * 1024) + b"\n",
    "bad-cookie": b"# -*- coding: klingon -*-\n" + MODELS.encode(),
}
NOTICE = {
    "nul": "shop/models.py: skipped, holds a NUL byte; its app is not checked",
    "utf16": "shop/models.py: skipped, not valid Python source (encoding); its app is not checked",
    "invalid-utf8": "shop/models.py: skipped, not valid Python source (encoding);"
    " its app is not checked",
    "huge": "shop/models.py: skipped, larger than 5 MB; its app is not checked",
    "bad-cookie": "shop/models.py: skipped, not valid Python source (encoding);"
    " its app is not checked",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = shop_project(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--mode", "static", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_an_unreadable_model_module_is_not_checked_in_the_work_tree(
    repo: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"shop/models.py": UNREADABLE[case]})
    code, out, err = run([], capsys)
    assert (code, out, err) == (0, "", NOTICE[case] + "\n")


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_an_unreadable_staged_model_module_is_not_checked(
    repo: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"shop/models.py": UNREADABLE[case]})
    git(repo, "add", "shop/models.py")
    code, out, err = run(["shop/models.py"], capsys)
    assert (code, out, err) == (0, "", NOTICE[case] + "\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_model_module_without_read_permission_is_not_checked(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "shop" / "models.py").chmod(0)
    code, out, err = run([], capsys)
    assert (code, out) == (0, "")
    assert err.endswith("; its app is not checked\n") and err.count("\n") == 1


LATIN1 = b"# -*- coding: latin-1 -*-\n# caf\xe9\n"
BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("head", [LATIN1, BOM], ids=["latin-1", "bom"])
def test_what_python_reads_the_static_tier_reads(
    repo: Path, head: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"shop/models.py": head + MODELS.encode()})
    assert run([], capsys) == (0, "", "")
    write(repo, {"shop/models.py": head + MODELS_WITH_PRICE.encode()})
    line = 6 + head.count(b"\n")
    finding = (
        f"shop/models.py:{line}:5: DMH103 shop.Product: field price is in no migration"
        " (fix: python manage.py makemigrations shop)\n"
    )
    assert run([], capsys) == (1, finding, "")
    git(repo, "add", "shop/models.py")
    code, out, _ = run(["shop/models.py"], capsys)
    assert (code, out.split(" DMH")[0]) == (1, f"shop/models.py:{line}:5:")
