from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.deploy import readers, systemd
from django_migration_hooks.deploy._site import CommandSite
from tests.deploy import run_hook

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"

UNIT = (
    "[Unit]\n"
    "Description=shop\n"
    "\n"
    "[Service]\n"
    "ExecStartPre=/srv/shop/.venv/bin/python manage.py makemigrations --noinput\n"
    "ExecStart=-/srv/shop/.venv/bin/gunicorn shop.wsgi\n"
)


def test_systemd_claims_units_and_templates() -> None:
    assert [systemd.claims(p) for p in ("deploy/shop.service", "roles/a/templates/g.service.j2")]
    assert readers.classify("deploy/shop.service") is systemd
    assert not systemd.claims("deploy/shop.timer")


def test_sites_prefixes_continuations_and_sections() -> None:
    text = (
        "[Service]\n"
        "# ExecStart=python manage.py makemigrations\n"
        "ExecStartPre=-+/srv/venv/bin/python manage.py migrate \\\r\n"
        "    --noinput\r\n"
        "ExecStart=@/srv/venv/bin/python python3 manage.py check\n"
        "ExecReload=:/bin/kill -HUP $MAINPID\n"
        "Environment=DJANGO_SETTINGS_MODULE=shop.settings\n"
        "[Install]\n"
        "ExecStart=ignored outside [Service]\n"
    )
    assert systemd.sites("shop.service", text) == [
        CommandSite(
            "/srv/venv/bin/python manage.py migrate \\\n    --noinput",
            None,
            3,
            16,
            4,
            "systemd unit shop.service ExecStartPre",
        ),
        CommandSite(
            "/srv/venv/bin/python manage.py check",
            None,
            5,
            12,
            5,
            "systemd unit shop.service ExecStart",
        ),
        CommandSite(
            "/bin/kill -HUP $MAINPID", None, 6, 13, 6, "systemd unit shop.service ExecReload"
        ),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(
            UNIT,
            "deploy/shop.service:5:51: DMH301 systemd unit shop.service ExecStartPre runs "
            f"`makemigrations`, which writes migration files on deploy {HINT}",
            id="exec-start-pre",
        ),
        pytest.param(
            "[Service]\nExecStart=!/bin/sh -c 'cd /srv/shop && \\\n"
            "  ./manage.py makemigrations && exec gunicorn shop.wsgi'\n",
            "deploy/shop.service:3:15: DMH301 systemd unit shop.service ExecStart runs "
            f"`makemigrations`, which writes migration files on deploy {HINT}",
            id="continued-sh-c",
        ),
    ),
)
def test_systemd_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {"deploy/shop.service": text}) == (1, [expected], "")


@pytest.mark.parametrize(
    "text",
    (
        pytest.param(
            "[Service]\nExecStartPre=/srv/venv/bin/python manage.py makemigrations --check \\\n"
            "  --dry-run\nExecStart=/srv/venv/bin/python manage.py migrate\n",
            id="check-continued",
        ),
        pytest.param(
            "[Unit]\nDescription=runs makemigrations? no: migrate\n[Service]\n"
            ";ExecStartPre=python manage.py makemigrations\n"
            "ExecStart=/usr/bin/echo makemigrations\n",
            id="comment-and-echo",
        ),
    ),
)
def test_systemd_noop(git_repo: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    assert run_hook(git_repo, capsys, {"deploy/shop.service": text}) == (0, [], "")
