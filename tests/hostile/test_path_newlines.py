"""A newline in a path never desynchronises the blob reader: blobs are addressed by object id
from `-z` listings, no path travels through a line protocol."""

from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks import _git
from django_migration_hooks.check_missing_migrations import main
from tests.conftest import git, write
from tests.hostile.project import MODELS, MODELS_WITH_PRICE, shop_project

HIDER = "shop/z\nHEAD:shop/models.py"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = shop_project(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


def test_a_staged_file_named_with_a_newline_does_not_hide_a_field_addition(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"shop/models.py": MODELS_WITH_PRICE, HIDER: "x = 1\n"})
    git(repo, "add", "shop/models.py", HIDER)
    code = main(["--mode", "static", "shop/models.py", HIDER])
    out = capsys.readouterr().out
    assert code == 1
    assert out == (
        "shop/models.py:6:5: DMH102 shop.Product: field price added, no migration"
        " (fix: python manage.py makemigrations shop)\n"
    )


def test_the_staged_model_is_clean_with_the_newline_file_around(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {HIDER: "x = 1\n", "shop/models.py": MODELS})
    git(repo, "add", HIDER)
    assert main(["--mode", "static", HIDER]) == 0
    assert capsys.readouterr().out == ""


def test_cat_files_reads_paths_holding_newlines_and_spaces(repo: Path) -> None:
    write(repo, {HIDER: "hidden\n", "a b\nc.py": "spaced\n"})
    git(repo, "add", HIDER, "a b\nc.py")
    names = [f":{HIDER}", ":./a b\nc.py", "HEAD:shop/models.py", ":absent.py", "HEAD:shop"]
    assert _git.cat_files(names) == [b"hidden\n", b"spaced\n", MODELS.encode(), None, None]


def test_a_carriage_return_in_a_staged_name_keeps_the_commit_shape(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"shop/models.py": MODELS_WITH_PRICE, "a\rb.py": "\n"})
    git(repo, "add", "shop/models.py", "a\rb.py")
    assert _git.staged_files() == ["a\rb.py", "shop/models.py"]
    assert main(["--mode", "static", "shop/models.py", "a\rb.py"]) == 1
    assert capsys.readouterr().out.split(" ")[1] == "DMH102"
