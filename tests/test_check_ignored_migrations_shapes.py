"""check-ignored-migrations on shapes of real projects that must not raise false alarms."""

from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.check_ignored_migrations import main
from tests.conftest import write

MODELS = (
    "from django.db import models\n\n\nclass Post(models.Model):\n    title = models.TextField()\n"
)
MIGRATION = (
    "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = []\n    operations = []\n"
)


def config(name: str) -> str:
    return f"from django.apps import AppConfig\n\n\nclass C(AppConfig):\n    name = '{name}'\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


# DefectDojo: dojo/announcement/models.py (no apps.py, no AppConfig) holds models of app `dojo`
DOJO = {
    "dojo/__init__.py": "",
    "dojo/apps.py": config("dojo"),
    "dojo/models.py": MODELS,
    "dojo/migrations/__init__.py": "",
    "dojo/migrations/0001_initial.py": MIGRATION,
    "dojo/announcement/__init__.py": "",
    "dojo/announcement/models.py": MODELS.replace("Post", "Announcement"),
}


def test_models_of_a_subpackage_belong_to_the_app(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, DOJO)
    assert run(capsys) == (0, [], "")


def test_subpackage_named_in_the_settings_is_an_app(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = "INSTALLED_APPS = ['dojo', 'dojo.announcement']\n"
    write(git_repo, {**DOJO, "conf/settings.py": settings})
    assert run(capsys) == (
        1,
        [
            "dojo/announcement/models.py:4:1: DMH204 app `announcement` defines model "
            "`Announcement` but has no migrations (fix: python manage.py makemigrations "
            "announcement, then git add dojo/announcement/migrations)"
        ],
        "",
    )


def test_a_dotted_name_must_match_whole_folders(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = "INSTALLED_APPS = ['dojo', 'jo.announcement']\n"
    write(git_repo, {**DOJO, "conf/settings.py": settings})
    assert run(capsys) == (0, [], "")


def test_subpackage_with_its_own_app_config_is_an_app(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**DOJO, "dojo/announcement/apps.py": config("dojo.announcement")})
    code, out, _ = run(capsys)
    assert (code, [line.split(" defines")[0] for line in out]) == (
        1,
        ["dojo/announcement/models.py:4:1: DMH204 app `announcement`"],
    )


# arches: arches/app/models/ is the app (label `models`) with its own migrations/
ARCHES = {
    "arches/__init__.py": "",
    "arches/app/__init__.py": "",
    "arches/app/models/__init__.py": "",
    "arches/app/models/models.py": MODELS,
    "arches/app/models/resource.py": "from arches.app.models.models import Post\n",
    "arches/app/models/migrations/__init__.py": "",
    "arches/app/models/migrations/0001_initial.py": MIGRATION,
}


def test_app_whose_package_is_named_models(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, ARCHES)
    assert run(capsys) == (0, [], "")


def test_app_named_models_has_label_models(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**ARCHES, ".gitignore": "arches/app/models/migrations/0*.py\n"})
    assert run(capsys)[1] == [
        ".gitignore:1:1: DMH201 `arches/app/models/migrations/0*.py` ignores the migrations of "
        "app `models` (arches/app/models/migrations/0001_initial.py) (fix: delete "
        "this rule or run check-ignored-migrations --fix, then git add the migration files)"
    ]


# saleor: pydantic classes through a same-module base; SQLAlchemy; dataclasses
@pytest.mark.parametrize(
    "models",
    (
        pytest.param(
            "from pydantic import BaseModel as UnsafeBaseModel\n\n\n"
            "class StrictBaseModel(UnsafeBaseModel):\n    pass\n\n\n"
            "class SizeDataModel(StrictBaseModel):\n    width: int\n",
            id="pydantic-alias-through-local-base",
        ),
        pytest.param(
            "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
            "class UserModel(db.Model):\n    pass\n",
            id="flask-sqlalchemy",
        ),
        pytest.param(
            "from sqlalchemy.orm import declarative_base\n\nModel = declarative_base()\n\n\n"
            "class Thing(Model):\n    pass\n",
            id="sqlalchemy-declarative-base",
        ),
        pytest.param(
            "import dataclasses\n\n\n@dataclasses.dataclass\nclass PriceModel:\n"
            "    amount: int\n\n\n"
            "class TaxModel(PriceModel):\n    rate: int\n",
            id="dataclass-through-local-base",
        ),
    ),
)
def test_classes_that_are_not_django_models(
    git_repo: Path, capsys: pytest.CaptureFixture[str], models: str
) -> None:
    source = "from django.utils.html import strip_tags\n" + models
    write(git_repo, {"shop/editorjs/__init__.py": "", "shop/editorjs/models.py": source})
    assert run(capsys) == (0, [], "")


# DefectDojo: MIGRATION_MODULES = {"dojo": "dojo.db_migrations"}, .gitignore `dojo/migrations`
MOVED = {
    "dojo/__init__.py": "",
    "dojo/apps.py": config("dojo"),
    "dojo/models.py": MODELS,
    "dojo/db_migrations/__init__.py": "",
    "dojo/db_migrations/0001_initial.py": MIGRATION,
    "dojo/settings/settings.dist.py": "import os\n\nif os.environ.get('TRACK'):\n"
    "    MIGRATION_MODULES = {'dojo': 'dojo.db_migrations'}\n",
}


def test_rule_on_the_old_location_of_moved_migrations(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**MOVED, ".gitignore": "dojo/migrations\n"})
    assert run(capsys) == (0, [], "")


def test_rule_on_the_new_location_of_moved_migrations(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**MOVED, ".gitignore": "dojo/db_migrations/0*\n"})
    assert run(capsys)[1] == [
        ".gitignore:1:1: DMH201 `dojo/db_migrations/0*` ignores the migrations of app `dojo` "
        "(dojo/db_migrations/0001_initial.py) (fix: delete this rule or run "
        "check-ignored-migrations --fix, then git add the migration files)"
    ]


def test_app_mapped_to_none_has_no_migrations_on_purpose(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        git_repo,
        {
            "shop/__init__.py": "",
            "shop/models.py": MODELS,
            "site/settings.py": "MIGRATION_MODULES = {'shop': None}\n",
        },
    )
    assert run(capsys) == (0, [], "")


# readthedocs: `.dockerignore` `*` then `!requirements/`: the image holds no app code at all
BLOG = {
    "blog/__init__.py": "",
    "blog/models.py": MODELS,
    "blog/migrations/__init__.py": "",
    "blog/migrations/0001_initial.py": MIGRATION,
    "requirements/pip.txt": "django\n",
}


def test_build_that_never_holds_the_app(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(git_repo, {**BLOG, ".dockerignore": "*\n!requirements/\n"})
    assert run(capsys) == (0, [], "")


def test_build_that_holds_the_app_but_not_its_migrations(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**BLOG, ".dockerignore": "*\n!requirements/\n!blog/\nblog/migrations\n"})
    assert run(capsys)[1] == [
        ".dockerignore:4:1: DMH202 `blog/migrations` keeps the migrations of app `blog` "
        "(blog/migrations/0001_initial.py and 1 more) out of the Docker build context `.` "
        "(fix: delete or narrow this rule so every .py file in migrations/ is deployed)"
    ]


# Flask-Migrate / Alembic: env.py, script.py.mako, versions/, alembic.ini are not Django's
FLASK = {
    "app.py": "from flask import Flask\n",
    "alembic.ini": "[alembic]\n",
    "migrations/env.py": "from alembic import context\n",
    "migrations/script.py.mako": "",
    "migrations/versions/abc_init.py": "revision = 'abc'\n",
}


@pytest.mark.parametrize(
    "ignore",
    (
        pytest.param({".gitignore": "migrations/\n"}, id="gitignore"),
        pytest.param({".gitignore": "**/versions/*.py\n"}, id="gitignore-versions"),
        pytest.param({".dockerignore": "migrations\n"}, id="dockerignore"),
        pytest.param({".dockerignore": "**/migrations\n"}, id="dockerignore-anywhere"),
    ),
)
def test_alembic_migrations_of_a_repository_without_django(
    git_repo: Path, capsys: pytest.CaptureFixture[str], ignore: dict[str, str]
) -> None:
    write(git_repo, {**FLASK, **ignore})
    assert run(capsys) == (0, [], "")


def test_alembic_migrations_beside_a_django_app(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alembic = {f"service/{k}": v for k, v in FLASK.items()}
    write(git_repo, {**BLOG, **alembic, ".gitignore": "service/migrations/\n"})
    assert run(capsys) == (0, [], "")
