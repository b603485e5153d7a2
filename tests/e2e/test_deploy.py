"""check-deploy-makemigrations through the real pre-commit (try-repo and a real config) and prek.

Every file kind must really reach the hook: Procfile, justfile and extension-less scripts have no
identify tag of their own, so the manifest's `types: [text]` plus internal classification decide.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BIN, git, git_commit, run_pre_commit, try_repo, write

pytestmark = pytest.mark.e2e

HOOK = "check-deploy-makemigrations"
FINDING = re.compile(r"^\S+:\d+:\d+: DMH\d{3} ")
HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"

# one realistic positive per file kind, and negatives that must stay silent
CONSUMER: dict[str, str] = {
    "Procfile": "release: python manage.py makemigrations && python manage.py migrate\n",
    "justfile": "deploy: migrate\n    ./ship.sh\n\nmigrate:\n    python manage.py makemigrations\n",
    "bin/post_compile": "#!/usr/bin/env bash\nset -e\npython manage.py makemigrations\n",
    "Dockerfile": "FROM python\nRUN python manage.py makemigrations\n",
    "docker-compose.yml": "services:\n  web:\n    command: python manage.py makemigrations\n",
    ".do/app.yaml": "jobs:\n- name: m\n  kind: PRE_DEPLOY\n"
    "  run_command: python manage.py makemigrations\n",
    "fly.toml": '[deploy]\n  release_command = "python manage.py makemigrations"\n',
    ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - run: python manage.py makemigrations\n",
    ".gitlab-ci.yml": "test:\n  script:\n    - python manage.py makemigrations\n",
    "k8s/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: m\nspec:\n  template:\n"
    "    spec:\n      containers:\n        - name: m\n          image: x\n"
    '          command: ["python", "manage.py", "makemigrations"]\n',
    "uwsgi.ini": "[uwsgi]\nhook-pre-app = exec:python manage.py makemigrations\n",
    ".ebextensions/django.config": "container_commands:\n  01_m:\n"
    '    command: "python manage.py makemigrations"\n',
    ".platform/hooks/predeploy/01_m.sh": "#!/bin/bash\npython manage.py makemigrations\n",
    "fabfile.py": "from fabric import task\n\n\n@task\ndef deploy(c):\n"
    '    c.run("python manage.py makemigrations")\n',
    "deploy/shop.service": "[Service]\n"
    "ExecStartPre=/srv/shop/.venv/bin/python manage.py makemigrations --noinput\n",
    "roles/web/tasks/main.yml": "{% raw %}\n- name: m\n"
    "  shell: . {{ venv }}/bin/activate && python manage.py makemigrations --noinput\n"
    "{% endraw %}\n",
    # negatives
    "deploy/worker.service": "[Service]\nExecStart=/srv/shop/.venv/bin/celery -A shop worker\n"
    "# ExecStartPre=python manage.py makemigrations\n",
    "Makefile": "migrations:\n\tpython manage.py makemigrations\n",
    "scripts/reset_dev_db.sh": "#!/bin/sh\npython manage.py makemigrations\n",
    "docs/deploy.md": "Never run `python manage.py makemigrations` on deploy.\n",
    "start.sh": "#!/bin/sh\n# python manage.py makemigrations\npython manage.py migrate\n",
}

MINE = [
    f".platform/hooks/predeploy/01_m.sh:2:18: DMH301 Elastic Beanstalk platform hook runs "
    f"`makemigrations`, which writes migration files on deploy {HINT}",
    f"Dockerfile:2:22: DMH301 Dockerfile RUN runs `makemigrations`, which writes migration "
    f"files on deploy {HINT}",
    f"Procfile:1:27: DMH301 Procfile process `release` runs `makemigrations`, which writes "
    f"migration files on deploy {HINT}",
    f"bin/post_compile:3:18: DMH301 script runs `makemigrations`, which writes migration files "
    f"on deploy {HINT}",
    f"fabfile.py:6:29: DMH301 fabfile.py `deploy` c.run() runs `makemigrations`, which writes "
    f"migration files on deploy {HINT}",
    f"deploy/shop.service:2:51: DMH301 systemd unit shop.service ExecStartPre runs "
    f"`makemigrations`, which writes migration files on deploy {HINT}",
    f"justfile:5:22: DMH301 justfile target `migrate` (run by target `deploy`) runs "
    f"`makemigrations`, which writes migration files on deploy {HINT}",
]
# config families read by the sibling readers: position and code are what this hook owns
THEIRS = [
    ".do/app.yaml:4:33: DMH301 ",
    ".ebextensions/django.config:3:32: DMH301 ",
    ".github/workflows/ci.yml:6:31: DMH301 ",
    ".gitlab-ci.yml:3:24: DMH301 ",
    "docker-compose.yml:3:31: DMH301 ",
    "fly.toml:2:39: DMH301 ",
    "k8s/job.yaml:11:45: DMH301 ",
    "roles/web/tasks/main.yml:3:56: DMH301 ",
    "uwsgi.ini:2:38: DMH301 ",
]


def make_consumer(consumer: Path) -> None:
    write(consumer, CONSUMER)
    os.chmod(consumer / "bin/post_compile", 0o755)
    git(consumer, "add", "-A")


def findings(output: str) -> list[str]:
    """Finding lines of a run (prek indents hook output by two spaces; pre-commit does not)."""
    lines = (line.strip() for line in output.splitlines())
    return sorted(line for line in lines if FINDING.match(line))


def assert_every_kind_reported(output: str) -> None:
    found = findings(output)
    assert [f for f in found if f in MINE] == sorted(MINE)
    others = [f for f in found if f not in MINE]
    assert [f[: len(p)] for f, p in zip(others, THEIRS, strict=False)] == THEIRS
    assert len(found) == len(MINE) + len(THEIRS)


def test_try_repo_every_file_kind_reaches_the_hook(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    make_consumer(consumer)
    proc = try_repo(consumer, pre_commit_home, hooks_repo, HOOK)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "- exit code: 1" in proc.stdout
    assert_every_kind_reported(proc.stdout)
    assert git(consumer, "status", "--porcelain", "--untracked-files=all") == "".join(
        f"A  {name}\n" for name in sorted(CONSUMER)
    )


def test_try_repo_clean_consumer_passes(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    write(
        consumer,
        {
            "Procfile": "release: python manage.py migrate\n",
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: python manage.py makemigrations --check --dry-run\n",
        },
    )
    git(consumer, "add", "-A")
    proc = try_repo(consumer, pre_commit_home, hooks_repo, HOOK)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"check for makemigrations in deploy scripts\.+Passed", proc.stdout)


def config(hooks_repo: tuple[Path, str], args: str) -> str:
    path, rev = hooks_repo
    return (
        "repos:\n"
        f"- repo: {path}\n"
        f"  rev: {rev}\n"
        "  hooks:\n"
        f"  - id: {HOOK}\n"
        f"    args: {args}\n"
        "- repo: local\n"
        "  hooks:\n"
        "  - id: missing-migrations\n"
        "    name: missing migrations\n"
        "    entry: python manage.py makemigrations --check --dry-run\n"
        "    language: system\n"
        "    files: '^$'\n"
    )


def test_real_config_with_args(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    make_consumer(consumer)
    write(consumer, {".pre-commit-config.yaml": config(hooks_repo, "[--format=github]")})
    git(consumer, "add", "-A")
    proc = run_pre_commit(consumer, pre_commit_home, "run", HOOK, "--all-files", "--color", "never")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    annotations = sorted(line for line in proc.stdout.splitlines() if line.startswith("::error"))
    assert len(annotations) == len(MINE) + len(THEIRS)
    assert (
        "::error file=Procfile,line=1,col=27,title=DMH301::Procfile process `release` runs "
        f"`makemigrations`, which writes migration files on deploy {HINT}"
    ) in annotations
    assert not any(".pre-commit-config.yaml" in line for line in annotations)


def test_prek_runs_the_same_config(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str], tmp_path: Path
) -> None:
    prek = BIN / "prek"
    if not prek.exists():
        pytest.skip("prek is not installed in this environment")
    make_consumer(consumer)
    write(consumer, {".pre-commit-config.yaml": config(hooks_repo, "[]")})
    git(consumer, "add", "-A")
    proc = subprocess.run(
        (str(prek), "run", HOOK, "--all-files", "--color", "never"),
        cwd=consumer,
        capture_output=True,
        text=True,
        env={**os.environ, "PREK_HOME": str(tmp_path / "prek-home"), "PREK_NO_CONCURRENCY": "1"},
    )
    if proc.returncode not in (0, 1) and "error" in proc.stderr.lower():
        pytest.skip(f"prek cannot install the hook here: {proc.stderr.strip().splitlines()[-1]}")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert_every_kind_reported(proc.stdout)
    shutil.rmtree(tmp_path / "prek-home", ignore_errors=True)


def test_commit_wiring_a_dev_target_into_release_is_caught(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    write(
        consumer,
        {
            "Makefile": "migrations:\n\tpython manage.py makemigrations\n",
            ".pre-commit-config.yaml": config(hooks_repo, "[]"),
        },
    )
    git(consumer, "add", "-A")
    git_commit(consumer, "dev helper")
    write(consumer, {"Procfile": "release: make migrations\n"})
    git(consumer, "add", "Procfile")
    expected = [
        "Makefile:2:19: DMH301 Makefile target `migrations` (run by Procfile process `release`) "
        f"runs `makemigrations`, which writes migration files on deploy {HINT}"
    ]
    proc = run_pre_commit(consumer, pre_commit_home, "run", HOOK, "--color", "never")
    assert (proc.returncode, findings(proc.stdout)) == (1, expected), proc.stdout + proc.stderr
    proc = run_pre_commit(consumer, pre_commit_home, "run", HOOK, "--all-files", "--color", "never")
    assert (proc.returncode, findings(proc.stdout)) == (1, expected), proc.stdout + proc.stderr


def test_real_config_with_fix(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    files = {
        "Procfile": "release: python manage.py makemigrations && python manage.py migrate\r\n",
        "deploy.sh": "#!/bin/sh\nif true; then python manage.py makemigrations; fi\n",
        ".pre-commit-config.yaml": config(hooks_repo, "[--fix]"),
    }
    write(consumer, files)
    git(consumer, "add", "-A")
    proc = run_pre_commit(consumer, pre_commit_home, "run", HOOK, "--all-files", "--color", "never")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Fixing Procfile" in proc.stdout.splitlines()
    assert (
        f"{HOOK}: deploy.sh:2:32: DMH301 not fixed: it runs inside `if`" in proc.stdout.splitlines()
    )
    assert (consumer / "Procfile").read_bytes() == b"release: python manage.py migrate\r\n"
    assert (consumer / "deploy.sh").read_text() == files["deploy.sh"]
