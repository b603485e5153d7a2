from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.deploy import ini
from django_migration_hooks.deploy._site import CommandSite
from tests.deploy import run_hook

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"
ON_DEPLOY = f"runs `makemigrations`, which writes migration files on deploy {HINT}"


@pytest.mark.parametrize(
    "path",
    (
        "uwsgi.ini",
        "deploy/app.ini",
        "supervisord.conf",
        "etc/supervisor/conf.d/web.conf",
        "supervisor/app.conf",
        "docker/supervisor-app.conf",
    ),
)
def test_ini_claims(path: str) -> None:
    assert ini.claims(path)


@pytest.mark.parametrize("path", ("nginx/site.conf", "setup.cfg", "uwsgi.yaml", "app.ini.bak"))
def test_ini_does_not_claim(path: str) -> None:
    assert not ini.claims(path)


def test_sites_supervisord_programs_with_continuation_and_inline_comment() -> None:
    text = (
        "[supervisord]\n"
        "nodaemon=true\n"
        "\n"
        "[program:web]\n"
        "command=gunicorn app.wsgi ; the web server\n"
        "autostart=true\n"
        "[program:setup]\n"
        "command = sh -c 'python manage.py migrate &&\n"
        "    python manage.py collectstatic --noinput'\n"
        "; command=python manage.py makemigrations\n"
        "[eventlistener:x]\n"
        "command: ./listener.sh\n"
        "[unix_http_server]\n"
        "command=not-a-program\n"
    )
    assert ini.sites("supervisord.conf", text) == [
        CommandSite("gunicorn app.wsgi", None, 5, 9, 5, "supervisord [program:web] command"),
        CommandSite(
            "sh -c 'python manage.py migrate &&\npython manage.py collectstatic --noinput'",
            None,
            8,
            11,
            9,
            "supervisord [program:setup] command",
        ),
        CommandSite("./listener.sh", None, 12, 10, 12, "supervisord [eventlistener:x] command"),
    ]


def test_sites_uwsgi_hooks_daemons_and_cron() -> None:
    text = (
        "[uwsgi]\n"
        "module = site.wsgi:application\n"
        "hook-pre-app = exec:python manage.py migrate --noinput\n"
        "hook-pre-app = exec:python manage.py collectstatic --noinput ; echo done\n"
        "hook-asap = chdir:/srv/app\n"
        "exec-asap = ./prepare.sh\n"
        "  exec-as-root = chown -R app /srv/app\n"
        "smart-attach-daemon = /tmp/celery.pid celery -A app worker\n"
        "attach-daemon = python manage.py qcluster\n"
        "cron = 0 3 -1 -1 -1 python manage.py clearsessions\n"
        "[other]\n"
        "exec-asap = not-uwsgi\n"
    )
    assert ini.sites("uwsgi.ini", text) == [
        CommandSite("python manage.py migrate --noinput", None, 3, 21, 3, "uWSGI hook-pre-app"),
        CommandSite(
            "python manage.py collectstatic --noinput ; echo done",
            None,
            4,
            21,
            4,
            "uWSGI hook-pre-app",
        ),
        CommandSite("./prepare.sh", None, 6, 13, 6, "uWSGI exec-asap"),
        CommandSite("chown -R app /srv/app", None, 7, 18, 7, "uWSGI exec-as-root"),
        CommandSite("celery -A app worker", None, 8, 39, 8, "uWSGI smart-attach-daemon"),
        CommandSite("python manage.py qcluster", None, 9, 17, 9, "uWSGI attach-daemon"),
        CommandSite("python manage.py clearsessions", None, 10, 21, 10, "uWSGI cron"),
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    (
        pytest.param(
            "uwsgi.ini",
            "[uwsgi]\n"
            "; hook-pre-app = exec:python manage.py makemigrations\n"
            "# exec-asap = python manage.py makemigrations\n"
            "hook-pre-app = exec:python manage.py migrate --noinput\n",
            id="uwsgi-comments",
        ),
        pytest.param(
            "uwsgi.ini",
            "[uwsgi]\nexec-pre-app = python manage.py makemigrations --check --dry-run\n",
            id="uwsgi-check-only",
        ),
        pytest.param(
            "tox.ini",
            "[testenv]\ncommands = python manage.py makemigrations\n",
            id="tox-is-not-uwsgi",
        ),
        pytest.param(
            "supervisord.conf",
            "[program:web]\ncommand=gunicorn app.wsgi ; makemigrations runs on laptops\n",
            id="supervisord-inline-comment",
        ),
    ),
)
def test_ini_noop(git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (0, [], "")


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    (
        pytest.param(
            "uwsgi.ini",
            "[uwsgi]\n"
            "chdir = /srv/app\n"
            "; prepare the schema before workers load the app\n"
            "hook-pre-app = exec:python manage.py makemigrations --noinput\n"
            "hook-pre-app = exec:python manage.py migrate --noinput\n",
            f"uwsgi.ini:4:38: DMH301 uWSGI hook-pre-app {ON_DEPLOY}",
            id="uwsgi-hook-pre-app",
        ),
        pytest.param(
            "etc/supervisor/conf.d/app.conf",
            "[program:app]\n"
            'command=/bin/bash -c "python manage.py makemigrations && python manage.py migrate '
            '&& exec gunicorn app.wsgi"\n',
            "etc/supervisor/conf.d/app.conf:2:40: DMH301 supervisord [program:app] command "
            f"{ON_DEPLOY}",
            id="supervisord-bash-c",
        ),
    ),
)
def test_ini_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (1, [expected], "")
