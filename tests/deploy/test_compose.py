from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.deploy import compose
from django_migration_hooks.deploy._site import CommandSite
from tests.deploy import run_hook

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"


@pytest.mark.parametrize(
    "path",
    (
        "docker-compose.yml",
        "docker-compose.prod.yaml",
        "compose.yaml",
        "deploy/compose.override.yml",
    ),
)
def test_compose_claims(path: str) -> None:
    assert compose.claims(path)


@pytest.mark.parametrize("path", ("docker-compose.txt", "my-compose.yml", "composer.json"))
def test_compose_does_not_claim(path: str) -> None:
    assert not compose.claims(path)


def test_sites_string_and_list_forms() -> None:
    text = (
        "x-common: &common\n"
        "  restart: always\n"
        "services:\n"
        "  web:\n"
        "    <<: *common\n"
        "    command: python manage.py runserver 0:$$PORT\n"
        "  worker:\n"
        '    command: ["celery", "-A", "proj", "worker"]\n'
        "  db:\n"
        "    image: postgres\n"
        "  broken: just-a-string\n"
    )
    assert compose.sites("docker-compose.yml", text) == [
        CommandSite(
            "python manage.py runserver 0:$PORT", None, 6, 14, 6, "compose service web command"
        ),
        CommandSite(
            None,
            ("celery", "-A", "proj", "worker"),
            8,
            16,
            8,
            "compose service worker command",
        ),
    ]


def test_sites_entrypoint_and_command_join_into_one_argv() -> None:
    text = (
        "services:\n"
        "  app:\n"
        '    entrypoint: ["sh", "-c"]\n'
        "    command:\n"
        "      - |\n"
        "        python manage.py makemigrations\n"
        "        exec gunicorn app.wsgi\n"
    )
    assert compose.sites("compose.yaml", text) == [
        CommandSite(
            None,
            ("sh", "-c", "python manage.py makemigrations\nexec gunicorn app.wsgi\n"),
            3,
            19,
            7,
            "compose service app entrypoint + command",
        )
    ]


def test_sites_string_entrypoint_is_split_when_joined() -> None:
    text = "services:\n  app:\n    entrypoint: /bin/sh -c\n    command: ['echo $$HOME']\n"
    (site,) = compose.sites("compose.yaml", text)
    assert site.argv == ("/bin/sh", "-c", "echo $HOME")
    assert (site.line, site.col, site.end_line) == (3, 17, 4)


@pytest.mark.parametrize(
    "text",
    (
        pytest.param(
            "services:\n  web:\n    command: python manage.py makemigrations --check --dry-run\n",
            id="check-only",
        ),
        pytest.param(
            "services:\n  web:\n    # command: python manage.py makemigrations\n"
            "    command: gunicorn app.wsgi\n",
            id="commented-out",
        ),
        pytest.param(
            "services:\n  makemigrations:\n    image: app\n"
            "    command: python manage.py migrate\n"
            "    labels:\n      purpose: run makemigrations by hand\n",
            id="service-name-and-labels",
        ),
        pytest.param(
            "services:\n  web:\n    command: sh -c 'echo \"run makemigrations locally\"'\n",
            id="echo",
        ),
        pytest.param(
            "x-docs: python manage.py makemigrations\nservices: {}\n", id="extension-field"
        ),
    ),
)
def test_compose_noop(git_repo: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    assert run_hook(git_repo, capsys, {"docker-compose.yml": text}) == (0, [], "")


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(
            "services:\n"
            "  archive:\n"
            "    image: example/archive:latest\n"
            "    restart: always\n"
            '    command: bash -c "python manage.py collectstatic --no-input && '
            'python manage.py makemigrations && gunicorn archive.wsgi"\n',
            "docker-compose.yml:5:85: DMH301 compose service archive command runs "
            f"`makemigrations`, which writes migration files on deploy {HINT}",
            id="bash-c-string",
        ),
        pytest.param(
            "services:\n"
            "  web:\n"
            "    entrypoint:\n"
            "      - /bin/sh\n"
            "      - -c\n"
            "      - >\n"
            "        pipenv run python manage.py makemigrations &&\n"
            "        pipenv run gunicorn forum.wsgi\n",
            "docker-compose.yml:7:37: DMH301 compose service web entrypoint runs "
            f"`makemigrations`, which writes migration files on deploy {HINT}",
            id="folded-list-item",
        ),
        pytest.param(
            "x-app: &app\n"
            "  image: app\n"
            '  command: ["sh", "-c", "python manage.py makemigrations && exec gunicorn a.wsgi"]\n'
            "services:\n"
            "  web:\n"
            "    <<: *app\n"
            "  worker:\n"
            "    <<: *app\n",
            "docker-compose.yml:3:43: DMH301 compose service web command runs "
            f"`makemigrations`, which writes migration files on deploy {HINT}",
            id="anchor-reported-once",
        ),
    ),
)
def test_compose_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {"docker-compose.yml": text}) == (1, [expected], "")


def test_compose_invalid_yaml_is_one_stderr_line(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"compose.yaml": "services:\n  web:\n    command: [python manage.py makemigrations\n"}
    rc, out, err = run_hook(git_repo, capsys, files)
    assert (rc, out) == (0, [])
    assert err == (
        "check-deploy-makemigrations: compose.yaml: skipped, invalid YAML: while parsing a flow "
        "sequence did not find expected ',' or ']' (line 4, column 1)\n"
    )
