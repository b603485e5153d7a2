from __future__ import annotations

import json
from pathlib import Path

import pytest

from django_migration_hooks.cli import all_rules, main
from tests.conftest import git, git_commit, write


def test_rules_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [rule.code for rule in all_rules()]
    assert any(line.startswith("DMH301  ") for line in lines)


def test_explain_known_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "dmh301"]) == 0
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    assert out.splitlines()[:3] == [
        "# DMH301 makemigrations-on-deploy",
        "",
        "Hook: `check-deploy-makemigrations` · severity: error",
    ]
    assert headings == [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## How to fix",
        "## Known limitations",
    ]
    # the whole output, byte for byte, is the rule's page as published in docs/rules
    page = Path(__file__).parent.parent / "docs" / "rules" / "DMH301.md"
    assert out == page.read_text(encoding="utf-8")


def test_explain_unknown_code_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "DMH999"]) == 2
    assert capsys.readouterr().err == (
        "django-migration-hooks: error: unknown code 'DMH999'; `django-migration-hooks rules` "
        "lists them\n"
    )


def test_check_outside_git_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"django-migration-hooks: error: {tmp_path} is not inside a git repository\n"
    )


def test_check_missing_dir_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err == (
        f"django-migration-hooks: error: {tmp_path / 'nope'}: not a directory\n"
    )


def test_no_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main([])
    assert excinfo.value.code == 2


def test_check_unreadable_deploy_file_fails(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {"Procfile": b"release: python manage.py makemigrations \xff\n"})
    git(git_repo, "add", "-A")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "check-deploy-makemigrations: Procfile: skipped, not valid UTF-8\n" in err


def test_check_example_project_reports_every_mistake(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        git_repo,
        {
            ".gitignore": "*/migrations/*\n!*/migrations/__init__.py\n",
            "Procfile": "release: python manage.py makemigrations && python manage.py migrate\n",
            "manage.py": "import os\n"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
            "mysite/__init__.py": "",
            "mysite/settings.py": "INSTALLED_APPS = ['shop']\n",
            "shop/__init__.py": "",
            "shop/migrations/__init__.py": "",
            "shop/models.py": "from django.db import models\n\n\n"
            "class Product(models.Model):\n"
            "    name = models.CharField(max_length=10)\n",
        },
    )
    git(git_repo, "add", "-A")
    assert main(["check", "--format", "json"]) == 1
    codes = {finding["code"] for finding in json.loads(capsys.readouterr().out)}
    assert {"DMH201", "DMH204", "DMH301"} <= codes
    assert not codes & {"DMH101", "DMH103"}  # the unmigrated app is DMH204's problem


def test_check_reports_one_finding_per_problem(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An app with models and no migrations at all is DMH204's (not also DMH101's or DMH103's,
    whichever tier check-missing-migrations ran)."""
    write(
        git_repo,
        {
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'p.s')\n",
            "p/__init__.py": "",
            "p/s.py": "INSTALLED_APPS = ['shop']\n",
            "shop/__init__.py": "",
            "shop/models.py": "from django.db import models\n\n\n"
            "class Product(models.Model):\n    name = models.TextField()\n",
            "shop/migrations/__init__.py": "",
        },
    )
    git_commit(git_repo)
    assert main(["check", "--select", "DMH1,DMH2", "."]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" ")[:2] for line in out] == [["shop/models.py:4:1:", "DMH204"]]


def test_check_exit_2_is_one_line_without_the_notices_before_it(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        git_repo,
        {
            # check-deploy-makemigrations says it skipped this file, then
            # check-migration-rewrites finds its configuration invalid
            ".gitlab-ci.yml": "test: [python manage.py makemigrations\n",
            "pyproject.toml": "[tool.django-migration-hooks.check-migration-rewrites]\nallow = 5\n",
        },
    )
    git_commit(git_repo)
    assert main(["check", "."]) == 2
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert err.startswith("django-migration-hooks: error: ")
