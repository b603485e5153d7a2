from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.deploy import procfile
from tests.deploy import run_hook

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"


@pytest.mark.parametrize(
    "text",
    (
        pytest.param("release: python manage.py migrate --noinput\n", id="migrate"),
        pytest.param("release: python manage.py makemigrations --check --dry-run\n", id="check"),
        pytest.param("# release: python manage.py makemigrations\nweb: gunicorn a\n", id="comment"),
        pytest.param("web: echo makemigrations && gunicorn a.wsgi\n", id="echo"),
        pytest.param("", id="empty"),
    ),
)
def test_procfile_noop(git_repo: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    assert run_hook(git_repo, capsys, {"Procfile": text}) == (0, [], "")


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(
            "release: python manage.py makemigrations --noinput && python manage.py migrate\n"
            "web: python manage.py collectstatic --noinput && gunicorn v.wsgi\n",
            "Procfile:1:27: DMH301 Procfile process `release` runs `makemigrations`, which "
            f"writes migration files on deploy {HINT}",
            id="release-chain",
        ),
        pytest.param(
            "web: gunicorn a.wsgi\n"
            "release: poetry run python manage.py makemigrations && poetry run python manage.py"
            " migrate\n",
            "Procfile:2:38: DMH301 Procfile process `release` runs `makemigrations`, which "
            f"writes migration files on deploy {HINT}",
            id="poetry-run",
        ),
        pytest.param(
            "worker:   sh -c 'python manage.py makemigrations; celery -A a worker'\n",
            "Procfile:1:35: DMH301 Procfile process `worker` runs `makemigrations`, which "
            f"writes migration files on deploy {HINT}",
            id="worker-sh-c",
        ),
        pytest.param(
            "release: python manage.py migrate --fake-initial\n",
            "Procfile:1:35: DMH303 Procfile process `release` runs `migrate --fake-initial`: "
            "migrations are marked applied without running them (fix: deploy with plain "
            "`migrate`; run `--fake-initial` once by hand if really needed)",
            id="fake-initial",
        ),
    ),
)
def test_procfile_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {"Procfile": text}) == (1, [expected], "")


def test_procfile_release_script_becomes_deploy_script(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "Procfile": "release: ./scripts/reset_dev_db.sh\n",
        "scripts/reset_dev_db.sh": "#!/bin/sh\npython manage.py makemigrations\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [
            "scripts/reset_dev_db.sh:2:18: DMH301 script (run by Procfile process `release`) "
            f"runs `makemigrations`, which writes migration files on deploy {HINT}"
        ],
        "",
    )


def test_procfile_variants_claimed() -> None:
    assert procfile.claims("Procfile")
    assert procfile.claims("deploy/Procfile.staging")
    assert not procfile.claims("Procfiles")
