"""Shapes of real projects in the Django tier: a `makemigrations` that insists on `--check`
(NetBox), multi-line errors, settings in `.env` (babybuddy), fields inherited from an installed
base, contrib apps that import a driver, missing third-party apps, virtualenvs in the tree.

The virtualenvs and template project are `test_django_tier`'s.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from django_migration_hooks.check_missing_migrations import main
from tests.conftest import git_commit, write
from tests.missing.test_django_tier import (
    FIX_SHOP,
    django_verdict,
    edit,
    make_repo,
)

pytestmark = pytest.mark.django

DjangoEnv = tuple[str, Path, Path]

# NetBox's override: development only, unless run with --check
CHECK_ONLY_COMMAND = """\
from django.core.management.base import CommandError
from django.core.management.commands.makemigrations import Command as BaseCommand


class Command(BaseCommand):
    def handle(self, *args, **options):
        if not options["check_changes"]:
            raise CommandError(
                "This command is available for development purposes only. It will\\n"
                "  NOT resolve any issues with missing or unapplied migrations. For assistance,\\n"
                "  please post to the discussion forum:\\n"
                "  https://example.invalid/discussions"
            )
        return super().handle(*args, **options)
"""


def _with_tools_command(repo: Path, command: str, where: str = "") -> None:
    prefix = f"{where}/" if where else ""
    write(
        repo,
        {
            f"{prefix}tools/__init__.py": "",
            f"{prefix}tools/management/__init__.py": "",
            f"{prefix}tools/management/commands/__init__.py": "",
            f"{prefix}tools/management/commands/makemigrations.py": command,
        },
    )
    edit(repo, f"{prefix}proj/settings.py", '    "accounts",\n', '    "tools",\n    "accounts",\n')


@pytest.mark.parametrize("verdict", [0, 1], ids=["clean", "changed"])
def test_makemigrations_insisting_on_check_runs(
    django_env: DjangoEnv,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    verdict: int,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    _with_tools_command(repo, CHECK_ONLY_COMMAND)
    git_commit(repo, "tools")
    if verdict:
        edit(repo, "shop/models.py", "max_length=100,", "max_length=120,")
    assert django_verdict(python, repo) == verdict
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == verdict
    expected = (
        f"shop/models.py:20:5: DMH101 shop.Product: field name changed, no migration {FIX_SHOP}\n"
    )
    assert capsys.readouterr() == (expected if verdict else "", "")
    # the check wrote nothing
    assert not list(repo.glob("shop/migrations/0002_*"))


def test_multi_line_error_keeps_the_reason_and_repository_paths(
    django_env: DjangoEnv,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template, "backend")
    refusing = CHECK_ONLY_COMMAND.replace('if not options["check_changes"]:', "if True:")
    _with_tools_command(repo, refusing, "backend")
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 2
    assert capsys.readouterr() == (
        "",
        "check-missing-migrations: error: tools makemigrations failed at "
        "backend/tools/management/commands/makemigrations.py:8: "
        "django.core.management.base.CommandError: This command is available for development "
        "purposes only. It will NOT resolve any issues with missing or unapplied migrations. "
        "For assistance, please post to the discussion forum: "
        "https://example.invalid/discussions (project backend)\n",
    )


def test_field_inherited_from_an_installed_base_located_at_the_model(
    django_env: DjangoEnv,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    source = tmp_path / "source"
    shutil.copytree(template, source)
    edit(
        source,
        "accounts/models.py",
        "    bio = models.TextField(blank=True)\n",
        "    bio = models.TextField(blank=True)\n    first_name = None\n",
    )
    # migrations without first_name, as the project made them
    made = django_verdict(python, source)  # first_name removed: a pending change
    assert made == 1
    proc = subprocess.run(
        [str(python), "manage.py", "makemigrations", "--settings=proj.settings_sqlite"],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    repo = make_repo(tmp_path, source)
    # the line deleted: AbstractUser's first_name (in site-packages) comes back
    edit(repo, "accounts/models.py", "    first_name = None\n", "")
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 1
    assert capsys.readouterr() == (
        "accounts/models.py:5:1: DMH101 accounts.User: field first_name added, no migration "
        "(fix: python manage.py makemigrations accounts)\n",
        "",
    )


def test_settings_in_dotenv_used(
    django_env: DjangoEnv,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # babybuddy: manage.py loads .env (ignored by git), which names the settings
    _, python, template = django_env
    source = tmp_path / "source"
    shutil.copytree(template, source)
    edit(
        source,
        "manage.py",
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
        "    from dotenv import find_dotenv, load_dotenv\n\n    load_dotenv(find_dotenv())\n",
    )
    edit(source, ".gitignore", ".venv/\n", ".venv/\n.env\n")
    repo = make_repo(tmp_path, source)
    write(repo, {".env": 'SECRET_KEY=x\nexport DJANGO_SETTINGS_MODULE="proj.settings"\n'})
    edit(repo, "shop/models.py", "max_length=100,", "max_length=120,")
    monkeypatch.chdir(repo)
    assert main(["--python", str(python)]) == 1
    assert capsys.readouterr() == (
        f"shop/models.py:20:5: DMH101 shop.Product: field name changed, no migration {FIX_SHOP}\n",
        "",
    )


SHELF = """\
from django.contrib.postgres.fields import ArrayField, IntegerRangeField
from django.db import models


class Shelf(models.Model):
    tags = ArrayField(models.CharField(max_length=10), default=list)
    years = IntegerRangeField(null=True)
"""

# what makemigrations writes for it (with a driver installed), plus an extension
SHELF_MIGRATION = """\
import django.contrib.postgres.fields
import django.contrib.postgres.fields.ranges
from django.contrib.postgres.operations import HStoreExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        HStoreExtension(),
        migrations.CreateModel(
            name="Shelf",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "tags",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=10), default=list, size=None
                    ),
                ),
                ("years", django.contrib.postgres.fields.ranges.IntegerRangeField(null=True)),
            ],
        ),
    ]
"""


def test_contrib_postgres_without_a_driver(
    django_env: DjangoEnv,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    probe = subprocess.run([str(python), "-c", "import psycopg"], capture_output=True, check=False)
    assert probe.returncode == 1  # no driver in the project's environment
    repo = make_repo(tmp_path, template)
    edit(
        repo,
        "proj/settings.py",
        '    "catalog",\n',
        '    "catalog",\n    "django.contrib.postgres",\n',
    )
    edit(
        repo,
        "catalog/models/__init__.py",
        "from .book import Book\n",
        "from .book import Book\nfrom .shelf import Shelf\n",
    )
    write(
        repo,
        {"catalog/models/shelf.py": SHELF, "catalog/migrations/0002_shelf.py": SHELF_MIGRATION},
    )
    monkeypatch.chdir(repo)
    args = ["--python", str(python), "--mode", "django"]
    assert main(args) == 0
    assert capsys.readouterr() == ("", "")
    edit(repo, "catalog/models/shelf.py", "max_length=10", "max_length=20")
    assert main(args) == 1
    assert capsys.readouterr() == (
        "catalog/models/shelf.py:6:5: DMH101 catalog.Shelf: field tags changed, no migration "
        "(fix: python manage.py makemigrations catalog)\n",
        "",
    )


@pytest.mark.parametrize(
    ("app", "files", "hint"),
    [
        pytest.param(
            "rest_framework",
            {"requirements.txt": "Django>=4.2\ndjangorestframework==3.15.2  # API\n"},
            "; add djangorestframework to additional_dependencies (requirements.txt names it)",
            id="requirements-txt",
        ),
        pytest.param(
            "taggit",
            {
                "pyproject.toml": '[project]\nname = "x"\n'
                'dependencies = [\n  "django-taggit>=5",\n]\n'
            },
            "; add django-taggit to additional_dependencies (pyproject.toml names it)",
            id="pyproject",
        ),
        pytest.param(
            "celery_tools",
            {"requirements/base.txt": "celery-tools\n"},
            "; add celery-tools to additional_dependencies (requirements/base.txt names it)",
            id="same-name",
        ),
        pytest.param("rest_framework", {"requirements.txt": "Django\n"}, "", id="not-named"),
    ],
)
def test_missing_app_module_names_the_distribution(
    django_env: DjangoEnv,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app: str,
    files: dict[str, str],
    hint: str,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    edit(repo, "proj/settings.py", '    "catalog",\n', f'    "catalog",\n    "{app}",\n')
    write(repo, files)
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 2
    assert capsys.readouterr() == (
        "",
        "check-missing-migrations: error: django.setup() failed: ModuleNotFoundError: "
        f"No module named '{app}'{hint}\n",
    )


def test_databases_that_is_not_a_dict_is_one_line_naming_the_setting(
    django_env: DjangoEnv,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    settings = repo / "proj" / "settings.py"
    settings.write_text(settings.read_text() + "\nDATABASES = 5\n")
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 2
    assert capsys.readouterr() == (
        "",
        "check-missing-migrations: error: settings 'proj.settings': settings.DATABASES must be "
        "a dict of database aliases, not int\n",
    )
