from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.deploy import make
from tests.deploy import run_hook

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"


def dmh301(path: str, line: int, col: int, where: str, remote: bool = False) -> str:
    on = " on a remote host" if remote else ""
    return (
        f"{path}:{line}:{col}: DMH301 {where} runs `makemigrations`{on}, which writes migration "
        f"files on deploy {HINT}"
    )


@pytest.mark.parametrize(
    ("path", "text"),
    (
        pytest.param(
            "Makefile",
            "setup:\n\tpip install -r requirements.txt\n\n"
            "migrate:\n\tcd app/ && \\\n\t../venv/bin/python manage.py makemigrations core && \\\n"
            "\t../venv/bin/python manage.py migrate\n",
            id="dev-target-continued",
        ),
        pytest.param(
            "Makefile",
            "make_and_migrate:\n\tpython manage.py makemigrations\n\n"
            "build_frontend:\n\tcd frontend && npm ci\n\n"
            "release:\n\t$(MAKE) build_frontend\n\tpython manage.py migrate --noinput\n",
            id="release-calls-other-target",
        ),
        pytest.param(
            "Makefile",
            'DEV := compose.dev.yml\nmigrate:\n\t@echo "Running makemigrations + migrate"\n'
            "\tdocker compose -f $(DEV) exec django bash -lc 'python manage.py makemigrations'\n",
            id="docker-compose-dev-helper",
        ),
        pytest.param(
            "justfile",
            "default:\n    @just --list\n\nmigrations:\n    python manage.py makemigrations\n\n"
            "deploy: build\n    ./ship.sh\n\nbuild:\n    docker build .\n",
            id="just-dev-recipe",
        ),
        pytest.param(
            "Makefile",
            "deploy:\n\tpython manage.py makemigrations --check --dry-run\n",
            id="deploy-check-only",
        ),
    ),
)
def test_make_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (0, [], "")


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    (
        pytest.param(
            "Makefile",
            "build:\n\tdocker-compose build api\n\ndeploy: build run\n\n"
            "heroku:\n\theroku run python app/manage.py makemigrations\n"
            "\theroku run python app/manage.py migrate\n",
            dmh301("Makefile", 7, 34, "Makefile target `heroku`", remote=True),
            id="heroku-run-target",
        ),
        pytest.param(
            "Makefile",
            ".PHONY: release migrations\nmigrations:\n\t@python manage.py makemigrations\n\n"
            "release: migrations\n\tpython manage.py migrate\n",
            dmh301("Makefile", 3, 20, "Makefile target `migrations` (run by target `release`)"),
            id="prerequisite-of-release",
        ),
        pytest.param(
            "deploy.mk",
            "migrations:\n\tpython manage.py makemigrations\n\n"
            "prod-deploy:\n\t$(MAKE) migrations\n",
            dmh301(
                "deploy.mk", 2, 19, "Makefile target `migrations` (run by target `prod-deploy`)"
            ),
            id="make-call-from-deploy",
        ),
        pytest.param(
            "justfile",
            "set dotenv-load\n\n# ship it\ndeploy: migrate\n"
            "    ssh prod 'cd /srv/app && git pull'\n\nmigrate:\n"
            "    ssh prod 'cd /srv/app && .venv/bin/python manage.py makemigrations'\n",
            dmh301(
                "justfile", 8, 57, "justfile target `migrate` (run by target `deploy`)", remote=True
            ),
            id="just-dependency-ssh",
        ),
        pytest.param(
            "justfile",
            "release:\n    just makemigrations\n\nmakemigrations:\n"
            "    @uv run python manage.py makemigrations\n",
            dmh301("justfile", 5, 30, "justfile target `makemigrations` (run by target `release`)"),
            id="just-call",
        ),
    ),
)
def test_make_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (1, [expected], "")


def test_make_target_run_by_ci_config(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "Procfile": "release: make db\n",
        "Makefile": "db:\n\tpython manage.py makemigrations\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [dmh301("Makefile", 2, 19, "Makefile target `db` (run by Procfile process `release`)")],
        "",
    )


@pytest.mark.parametrize(
    ("path", "claimed"),
    (("Makefile", True), ("GNUmakefile", True), ("x/rules.mk", True), ("justfile", True)),
)
def test_make_claims(path: str, claimed: bool) -> None:
    assert make.claims(path) is claimed


def test_make_inline_recipe_and_noqa(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "Makefile": "deploy: ; python manage.py makemigrations\n"
        "release:\n\tpython manage.py makemigrations  # noqa: DMH301\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [dmh301("Makefile", 1, 28, "Makefile target `deploy`")],
        "",
    )


def test_make_conditionals_inside_recipe(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "Makefile": "deploy:\nifeq ($(ENV),prod)\n\tpython manage.py makemigrations\nelse\n"
        "\techo skip\nendif\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [dmh301("Makefile", 3, 19, "Makefile target `deploy`")],
        "",
    )


def test_just_recipe_with_parameters(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "justfile": 'release env="prod" url="http://x:8000": (migrations env)\n'
        "    ./ship.sh {{env}}\n\n"
        "migrations env:\n    DJANGO_ENV={{env}} python manage.py makemigrations\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [dmh301("justfile", 5, 41, "justfile target `migrations` (run by target `release`)")],
        "",
    )
