from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.deploy import dockerfile
from tests.deploy import run_hook

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"


def dmh301(path: str, line: int, col: int, where: str) -> str:
    return (
        f"{path}:{line}:{col}: DMH301 Dockerfile {where} runs `makemigrations`, which writes "
        f"migration files on deploy {HINT}"
    )


@pytest.mark.parametrize(
    "text",
    (
        pytest.param(
            "FROM python:3.12\nRUN python manage.py makemigrations --check --dry-run\n", id="check"
        ),
        pytest.param("FROM python\n# RUN python manage.py makemigrations\n", id="comment"),
        pytest.param(
            'FROM python\nLABEL note="never run makemigrations here"\nCMD ["gunicorn", "a.wsgi"]\n',
            id="label",
        ),
        pytest.param(
            "FROM python\nCOPY <<EOF /app/notes.txt\npython manage.py makemigrations\nEOF\n",
            id="copy-heredoc",
        ),
        pytest.param(
            "FROM python\nRUN python3 <<EOF\nprint('makemigrations')\nEOF\n", id="python-heredoc"
        ),
        pytest.param(
            "FROM python\nRUN echo 'python manage.py makemigrations' > /notes\n", id="echo"
        ),
        pytest.param(
            'FROM python\nENTRYPOINT ["python", "manage.py", "makemigrations", "--check"]\n',
            id="json-check",
        ),
    ),
)
def test_dockerfile_noop(git_repo: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    assert run_hook(git_repo, capsys, {"Dockerfile": text}) == (0, [], "")


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    (
        pytest.param(
            "Dockerfile",
            "FROM python:3.10\n"
            "# RUN apt-get update\n"
            'CMD bash -c "python manage.py makemigrations && python manage.py migrate && '
            'gunicorn a.wsgi"\n'
            "WORKDIR /local\n",
            dmh301("Dockerfile", 3, 31, "CMD"),
            id="cmd-bash-c",
        ),
        pytest.param(
            "Dockerfile",
            "# syntax=docker/dockerfile:1.7\nFROM python\nRUN <<EOF\nset -eux\n"
            "pip install -r requirements.txt\npython manage.py makemigrations\nEOF\n"
            'CMD ["gunicorn", "a.wsgi"]\n',
            dmh301("Dockerfile", 6, 18, "RUN"),
            id="heredoc",
        ),
        pytest.param(
            "Containerfile",
            "FROM python\nRUN pip install -r r.txt && \\\n"
            "    # generate the schema\n"
            "    python manage.py \\\n"
            "      makemigrations\n",
            dmh301("Containerfile", 5, 7, "RUN"),
            id="continuation-comment",
        ),
        pytest.param(
            "docker/web.Dockerfile",
            "FROM python\n"
            'ENTRYPOINT ["sh", "-c", "python manage.py makemigrations && exec gunicorn"]\n',
            dmh301("docker/web.Dockerfile", 2, 43, "ENTRYPOINT"),
            id="json-sh-c",
        ),
        pytest.param(
            "Dockerfile.prod",
            "# escape=`\nFROM python\nRUN pip install x `\n"
            "    && python manage.py makemigrations\n",
            dmh301("Dockerfile.prod", 4, 25, "RUN"),
            id="escape-backtick",
        ),
        pytest.param(
            "Dockerfile",
            "FROM python\nRUN --mount=type=cache,target=/root/.cache python manage.py"
            " makemigrations\n",
            dmh301("Dockerfile", 2, 61, "RUN"),
            id="run-flags",
        ),
        pytest.param(
            "Dockerfile",
            "FROM python\nONBUILD RUN python manage.py makemigrations\n",
            dmh301("Dockerfile", 2, 30, "RUN"),
            id="onbuild",
        ),
    ),
)
def test_dockerfile_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (1, [expected], "")


def test_dockerfile_cmd_script_becomes_deploy_script(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "backend/Dockerfile": 'FROM python\nCMD ["./make_migrations.sh"]\n',
        "backend/make_migrations.sh": "#!/bin/sh\npython manage.py makemigrations\n"
        "exec gunicorn a\n",
        "tools/make_migrations_local.sh": "#!/bin/sh\npython manage.py makemigrations\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [
            "backend/make_migrations.sh:2:18: DMH301 script (run by Dockerfile CMD) runs "
            f"`makemigrations`, which writes migration files on deploy {HINT}"
        ],
        "",
    )


@pytest.mark.parametrize(
    ("path", "claimed"),
    (
        ("Dockerfile", True),
        ("a/Containerfile", True),
        ("Dockerfile.dev", True),
        ("api.Dockerfile", True),
        ("Dockerfiles/readme.md", False),
        ("dockerfile.py", False),
    ),
)
def test_dockerfile_claims(path: str, claimed: bool) -> None:
    assert dockerfile.claims(path) is claimed


def test_dockerfile_noqa_on_the_reported_line(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "Dockerfile": "FROM python\nRUN pip install x && \\\n"
        "    python manage.py makemigrations  # noqa: DMH301\n"
        "RUN python manage.py migrate --fake  # noqa: DMH303\n",
    }
    assert run_hook(git_repo, capsys, files) == (0, [], "")


def test_dockerfile_python_c_call_command(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "Dockerfile": "FROM python\n"
        'CMD python -c "import django; django.setup(); '
        "from django.core.management import call_command; call_command('makemigrations')\"\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [dmh301("Dockerfile", 2, 110, "CMD")],
        "",
    )
