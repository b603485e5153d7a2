from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from django_migration_hooks import check_deploy_makemigrations as hook
from django_migration_hooks.check_deploy_makemigrations import main
from tests.conftest import git, git_commit, write
from tests.deploy import run_hook

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"
RELEASE = "release: python manage.py makemigrations\n"
RELEASE_FINDING = (
    "Procfile:1:27: DMH301 Procfile process `release` runs `makemigrations`, which writes "
    f"migration files on deploy {HINT}"
)


def test_clean_repository_prints_nothing(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"Procfile": "release: python manage.py migrate\n", "README.md": "makemigrations\n"}
    assert run_hook(git_repo, capsys, files) == (0, [], "")


def test_filenames_limit_the_check(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"Procfile": RELEASE, "README.md": "x\n"}
    assert run_hook(git_repo, capsys, files, "README.md") == (0, [], "")
    assert run_hook(git_repo, capsys, files, "Procfile", "README.md") == (
        1,
        [RELEASE_FINDING],
        "",
    )


def test_without_filenames_every_tracked_file_is_checked(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {"Procfile": RELEASE})  # untracked: not part of the repository
    assert main([]) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    "line",
    (
        pytest.param("release: python manage.py makemigrations  # noqa: DMH301\n", id="code"),
        pytest.param("release: python manage.py makemigrations # noqa: DMH3\n", id="prefix"),
        pytest.param("release: python manage.py makemigrations # NOQA:DMH301,DMH302\n", id="list"),
    ),
)
def test_noqa_suppresses(git_repo: Path, capsys: pytest.CaptureFixture[str], line: str) -> None:
    assert run_hook(git_repo, capsys, {"Procfile": line}) == (0, [], "")


@pytest.mark.parametrize(
    "comment",
    (
        pytest.param("# noqa: DMH302", id="another-code"),
        pytest.param("# noqa", id="bare"),
        pytest.param("# noqa: E501", id="flake8-code"),
    ),
)
def test_noqa_not_naming_the_code_does_not_suppress(
    git_repo: Path, capsys: pytest.CaptureFixture[str], comment: str
) -> None:
    line = f"release: python manage.py makemigrations {comment}\n"
    rc, out, _ = run_hook(git_repo, capsys, {"Procfile": line})
    assert (rc, [o.split(" ")[1] for o in out]) == (1, ["DMH301"])


@pytest.mark.parametrize(
    "pyproject",
    (
        pytest.param('[tool.django-migration-hooks]\nignore = ["DMH301"]\n', id="global-ignore"),
        pytest.param(
            '[tool.django-migration-hooks.check-deploy-makemigrations]\nignore = ["dmh301"]\n',
            id="hook-ignore",
        ),
        pytest.param(
            '[tool.django-migration-hooks.check-deploy-makemigrations]\nexclude = ["Procfile"]\n',
            id="hook-exclude",
        ),
        pytest.param('[tool.django-migration-hooks]\nexclude = ["Proc*"]\n', id="global-exclude"),
    ),
)
def test_config_suppresses(
    git_repo: Path, capsys: pytest.CaptureFixture[str], pyproject: str
) -> None:
    files = {"Procfile": RELEASE, "pyproject.toml": pyproject}
    assert run_hook(git_repo, capsys, files) == (0, [], "")


def test_config_unknown_key_is_an_error(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "Procfile": RELEASE,
        "pyproject.toml": "[tool.django-migration-hooks.check-deploy-makemigrations]\nfoo = 1\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        2,
        [],
        "check-deploy-makemigrations: error: pyproject.toml: "
        "[tool.django-migration-hooks.check-deploy-makemigrations]: unknown key 'foo' "
        "(known: exclude, ignore)\n",
    )


def test_format_json(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run_hook(git_repo, capsys, {"Procfile": RELEASE}, "--format", "json")
    assert (rc, err) == (1, "")
    assert json.loads("\n".join(out)) == [
        {
            "path": "Procfile",
            "line": 1,
            "col": 27,
            "code": "DMH301",
            "message": "Procfile process `release` runs `makemigrations`, which writes "
            "migration files on deploy",
            "hint": "run makemigrations locally, commit the files, and only `migrate` here",
            "severity": "error",
            "url": "https://github.com/django-migration-hooks/django-migration-hooks/blob/main/docs/rules/DMH301.md",
        }
    ]


def test_format_json_clean_is_empty_list(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_hook(git_repo, capsys, {"a.sh": "x\n"}, "--format", "json") == (0, ["[]"], "")


def test_format_github(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_hook(git_repo, capsys, {"Procfile": RELEASE}, "--format", "github") == (
        1,
        [
            "::error file=Procfile,line=1,col=27,title=DMH301::Procfile process `release` runs "
            "`makemigrations`, which writes migration files on deploy (fix: run makemigrations "
            "locally, commit the files, and only `migrate` here)"
        ],
        "",
    )


def test_findings_are_sorted_across_files(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "b.sh": "python manage.py makemigrations\nrm -rf */migrations\n",
        "a/Procfile": "web: gunicorn x\nrelease: python manage.py migrate --fake\n",
    }
    rc, out, _ = run_hook(git_repo, capsys, files)
    assert rc == 1
    assert [line.split(" ")[0:2] for line in out] == [
        ["a/Procfile:2:35:", "DMH303"],
        ["b.sh:1:18:", "DMH301"],
        ["b.sh:2:1:", "DMH302"],
    ]
    assert out[2] == (
        "b.sh:2:1: DMH302 script deletes migration files (`rm -rf */migrations`) "
        "(fix: keep migrations in git; delete only *.pyc / __pycache__)"
    )


@pytest.mark.parametrize(
    ("files", "expected"),
    (
        pytest.param(
            {"Procfile": b"release: \xff\xfe makemigrations\n"},
            "Procfile: skipped, not valid UTF-8",
            id="non-utf8",
        ),
        pytest.param(
            {"Dockerfile": b"\x00\x01RUN makemigrations"},
            "Dockerfile: skipped, binary file",
            id="binary",
        ),
    ),
)
def test_unreadable_deploy_file_one_line(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, bytes], expected: str
) -> None:
    assert run_hook(git_repo, capsys, files) == (
        1,
        [],
        f"check-deploy-makemigrations: {expected}\n",
    )


def test_huge_file_one_line(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(git_repo / "Dockerfile", "wb") as f:
        f.write(b"RUN python manage.py makemigrations\n")
        f.truncate(50 * 1024 * 1024)  # sparse: instant
    assert main(["Dockerfile", "Procfile"]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        "check-deploy-makemigrations: Dockerfile: skipped, larger than 5 MB\n"
        "check-deploy-makemigrations: Procfile: no such file (broken symlink?)\n",
    )


def test_huge_file_without_migrations_is_skipped_silently(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {"k8s/crds.yaml": "apiVersion: v1\nkind: List\n" + "# x\n" * 2_000_000})
    assert main(["k8s/crds.yaml"]) == 0
    assert capsys.readouterr() == ("", "")


def test_symlinks_are_skipped(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(git_repo, {"real/Procfile": RELEASE})
    os.symlink("real/Procfile", git_repo / "Procfile")
    os.symlink("missing.sh", git_repo / "gone.sh")
    git(git_repo, "add", "-A")
    assert main(["Procfile", "gone.sh"]) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    "files",
    (
        pytest.param({"Procfile": "", "Dockerfile": "", "a.sh": "", "Makefile": ""}, id="empty"),
        pytest.param({"start.py": "def broken(:\n  'makemigrations'\n"}, id="python-syntax"),
        pytest.param(
            {
                ".pre-commit-config.yaml": "repos:\n- repo: local\n  hooks:\n  - id: m\n"
                "    entry: python manage.py makemigrations\n    language: system\n"
            },
            id="pre-commit-config",
        ),
        pytest.param({"docs/deploy.md": "python manage.py makemigrations\n"}, id="docs"),
        pytest.param(
            {
                "app/migrations/0001_initial.py": "import subprocess\n"
                "subprocess.run(['python', 'manage.py', 'makemigrations'])\n"
            },
            id="migration-file",
        ),
    ),
)
def test_irrelevant_or_empty_files_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    assert run_hook(git_repo, capsys, files) == (0, [], "")


def test_crlf_line_endings(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "Procfile": "web: gunicorn x\r\nrelease: python manage.py makemigrations\r\n",
        "start.sh": "#!/bin/sh\r\nset -e\r\npython manage.py makemigrations\r\n",
    }
    rc, out, err = run_hook(git_repo, capsys, files)
    assert (rc, err) == (1, "")
    assert [line.split(" ")[0] for line in out] == ["Procfile:2:27:", "start.sh:3:18:"]


def test_extensionless_shebang_script(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"scripts/boot": "#!/usr/bin/env bash\npython3 manage.py makemigrations\n"}
    write(git_repo, files)
    os.chmod(git_repo / "scripts/boot", 0o755)
    assert run_hook(git_repo, capsys, files) == (
        1,
        [
            "scripts/boot:2:19: DMH301 script runs `makemigrations`, which writes migration "
            f"files on deploy {HINT}"
        ],
        "",
    )


def test_dev_helper_script_unless_a_config_runs_it(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"scripts/reset_dev_db.sh": "#!/bin/sh\npython manage.py makemigrations\n"}
    assert run_hook(git_repo, capsys, files) == (0, [], "")
    compose = {"Dockerfile": 'FROM python\nENTRYPOINT ["sh", "/code/scripts/reset_dev_db.sh"]\n'}
    rc, out, _ = run_hook(git_repo, capsys, compose)
    assert (rc, [line.split(" ")[0] for line in out]) == (1, ["scripts/reset_dev_db.sh:2:18:"])


def test_nothing_is_written(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"Procfile": RELEASE, "Dockerfile": "FROM python\nRUN rm -rf */migrations\n"}
    write(git_repo, files)
    git_commit(git_repo)
    before = sorted(p.name for p in git_repo.rglob("*") if ".git" not in p.parts)
    assert main([]) == 1
    after = sorted(p.name for p in git_repo.rglob("*") if ".git" not in p.parts)
    assert (before, git(git_repo, "status", "--porcelain")) == (after, "")


def test_outside_a_repository_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        f"check-deploy-makemigrations: error: {tmp_path} is not inside a git repository\n",
    )


def test_check_repository_applies_config(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {"Procfile": RELEASE, "pyproject.toml": "[tool.django-migration-hooks]\n"})
    git(git_repo, "add", "-A")
    [finding] = hook.check_repository()
    assert finding.text() == RELEASE_FINDING


def test_rules_are_documented() -> None:
    assert [r.code for r in hook.RULES] == ["DMH301", "DMH302", "DMH303"]
    assert all(r.hook == hook.HOOK_ID and r.summary and r.why and r.fix for r in hook.RULES)


def alias_bomb() -> str:
    lines = ['a0: &a0 ["makemigrations", "makemigrations", "makemigrations"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\nservices:\n  web:\n    command: python manage.py makemigrations\n"


@pytest.mark.parametrize(
    ("files", "skipped"),
    (
        pytest.param(
            {
                "docker-compose.yml": "services:\n  web:\n"
                "    command: [python manage.py makemigrations\n"
            },
            "docker-compose.yml",
            id="invalid-yaml",
        ),
        pytest.param(
            {"fly.toml": "[deploy\nrelease_command = 'python manage.py makemigrations'\n"},
            "fly.toml",
            id="invalid-toml",
        ),
        pytest.param(
            {"app.json": '{"scripts": {"postdeploy": "python manage.py makemigrations"'},
            "app.json",
            id="invalid-json",
        ),
        pytest.param({"compose.yaml": alias_bomb()}, "compose.yaml", id="alias-bomb"),
    ),
)
def test_unparsable_config_is_one_line_and_skipped(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], skipped: str
) -> None:
    rc, out, err = run_hook(git_repo, capsys, {**files, "Procfile": RELEASE})
    assert (rc, out) == (1, [RELEASE_FINDING])
    [line] = err.splitlines()
    assert line.startswith(f"check-deploy-makemigrations: {skipped}: ")
    assert "Traceback" not in err


def test_unparsable_config_alone_passes(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"app.json": '{"scripts": {"postdeploy": "python manage.py makemigrations"'}
    rc, out, err = run_hook(git_repo, capsys, files)
    assert (rc, out, err.count("\n")) == (0, [], 1)


def test_ordinary_non_utf8_python_file_is_not_our_business(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"app/legacy.py": b"# -*- coding: latin-1 -*-\nname = '\xe9'\n"}
    assert run_hook(git_repo, capsys, files) == (0, [], "")


def test_tracked_file_deleted_from_worktree_is_skipped(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {"Procfile": RELEASE})
    git(git_repo, "add", "-A")
    os.remove(git_repo / "Procfile")
    assert main([]) == 0
    assert capsys.readouterr() == ("", "")


def test_check_repository_exposes_unreadable_files(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {"Procfile": b"release: python manage.py makemigrations \xff\n"})
    git(git_repo, "add", "-A")
    assert hook.check_repository() == []
    assert hook.UNREADABLE == ["Procfile: skipped, not valid UTF-8"]
    assert capsys.readouterr() == (
        "",
        "check-deploy-makemigrations: Procfile: skipped, not valid UTF-8\n",
    )
    write(git_repo, {"Procfile": "web: gunicorn app.wsgi\n"})
    assert (hook.check_repository(), hook.UNREADABLE) == ([], [])
