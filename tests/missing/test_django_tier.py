"""The Django tier of check-missing-migrations on real Django projects, Django 4.2 and 5.2.

Each Django version gets a session-scoped virtualenv and a template project whose migrations
that version's `makemigrations` wrote. Every edit in the tables is also checked with Django's own
`manage.py makemigrations --check --dry-run` (on SQLite), so the expected verdict is Django's.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from django_migration_hooks.check_missing_migrations import main
from tests.conftest import git_commit, git_init, write

pytestmark = pytest.mark.django

VERSIONS = {"4.2": "Django>=4.2,<4.3", "5.2": "Django>=5.2,<5.3"}

MANAGE = """\
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""

SETTINGS = """\
import os

SECRET_KEY = os.environ.get("SECRET_KEY", "not-secret")
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "accounts",
    "shop",
    "catalog",
]
AUTH_USER_MODEL = "accounts.User"
# PostgreSQL with neither a server nor a driver installed: the hook must not care.
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "app", "HOST": "db.invalid"}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
"""

# Django's own makemigrations, for the reference verdict, needs a database driver: SQLite.
SETTINGS_SQLITE = """\
from proj.settings import *  # noqa: F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
"""

ACCOUNTS = """\
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    bio = models.TextField(blank=True)
"""

SHOP = """\
from django.conf import settings
from django.db import models


class Timestamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ProductManager(models.Manager):
    def cheap(self):
        return self.filter(price__lt=10)


class Product(Timestamped):
    \"\"\"Something we sell.\"\"\"

    name = models.CharField(max_length=100, verbose_name="name")
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    status = models.CharField(max_length=1, choices=[("a", "Active")], default="a")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="products"
    )

    objects = ProductManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CheapProduct(Product):
    class Meta:
        proxy = True
"""

BOOK = """\
from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=50)
"""

TEMPLATE_FILES = {
    "manage.py": MANAGE,
    "proj/__init__.py": "",
    "proj/settings.py": SETTINGS,
    "proj/settings_sqlite.py": SETTINGS_SQLITE,
    "accounts/__init__.py": "",
    "accounts/models.py": ACCOUNTS,
    "accounts/migrations/__init__.py": "",
    "shop/__init__.py": "",
    "shop/models.py": SHOP,
    "shop/migrations/__init__.py": "",
    "catalog/__init__.py": "",
    "catalog/models/__init__.py": "from .book import Book\n\n__all__ = ['Book']\n",
    "catalog/models/book.py": BOOK,
    "catalog/migrations/__init__.py": "",
    ".gitignore": ".venv/\n__pycache__/\n",
}


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )


def make_repo(tmp_path: Path, template: Path, where: str = "") -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(template, repo / where if where else repo, dirs_exist_ok=True)
    git_init(repo)
    git_commit(repo, "initial")
    return repo


def django_verdict(python: Path, project: Path) -> int:
    """Django's own `makemigrations --check --dry-run` exit code (0 clean, 1 changes)."""
    proc = _run(
        python,
        "manage.py",
        "makemigrations",
        "--check",
        "--dry-run",
        "--no-input",
        "--settings=proj.settings_sqlite",
        cwd=project,
    )
    # 3: non-interactive makemigrations cannot invent a default for a non-null field
    assert proc.returncode in (0, 1, 3), proc.stderr
    return min(proc.returncode, 1)


def edit(repo: Path, path: str, old: str, new: str) -> None:
    target = repo / path
    text = target.read_text()
    assert old in text, (path, old)
    target.write_text(text.replace(old, new, 1))


def settle(path: Path) -> None:
    """Wait until a file written now gets a later ctime than `path`: a result is cached only
    when no file it covers changed in the clock tick the runner started in."""
    changed = path.stat().st_ctime_ns
    while True:
        with tempfile.TemporaryFile(dir=path.parent) as probe:
            if os.fstat(probe.fileno()).st_ctime_ns > changed:
                return
        time.sleep(0.001)


FIX_SHOP = "(fix: python manage.py makemigrations shop)"

NOOP_EDITS = [
    pytest.param(
        "shop/models.py",
        "    def __str__(self):\n        return self.name\n",
        "    def __str__(self):\n        return f'{self.name} ({self.price})'\n",
        id="method-body",
    ),
    pytest.param(
        "shop/models.py",
        '    """Something we sell."""\n',
        '    """Something we sell, with a longer docstring."""\n',
        id="docstring",
    ),
    pytest.param(
        "shop/models.py",
        "    objects = ProductManager()\n",
        "    # the default manager\n    objects = ProductManager()\n",
        id="comment",
    ),
    pytest.param(
        "shop/models.py",
        "max_digits=8, decimal_places=2, default=0)",
        "\n        max_digits=8,\n        decimal_places=2,\n        default=0,\n    )",
        id="formatting",
    ),
    pytest.param(
        "shop/models.py",
        "class CheapProduct(Product):",
        "class Described(models.Model):\n    text = models.TextField()\n\n"
        "    class Meta:\n        abstract = True\n\n\nclass CheapProduct(Product):",
        id="new-abstract-model",
    ),
    pytest.param(
        "shop/models.py",
        "    objects = ProductManager()\n",
        "    objects = ProductManager()\n    cheap_ones = ProductManager()\n",
        id="manager-without-use-in-migrations",
    ),
    pytest.param(
        "catalog/models/book.py",
        "    title = models.CharField(max_length=50)\n",
        "    title = models.CharField(max_length=50)\n\n    @property\n"
        "    def slug(self):\n        return self.title.lower()\n",
        id="property-in-models-package",
    ),
]

FINDING_EDITS = [
    pytest.param(
        "shop/models.py",
        "    status = models",
        '    sku = models.CharField(max_length=20, default="")\n    status = models',
        [f"shop/models.py:22:5: DMH101 shop.Product: field sku added, no migration {FIX_SHOP}"],
        id="field-added",
    ),
    pytest.param(
        "shop/models.py",
        "    price = models.DecimalField(max_digits=8, decimal_places=2, default=0)\n",
        "",
        [f"shop/models.py:17:1: DMH101 shop.Product: field price removed, no migration {FIX_SHOP}"],
        id="field-removed",
    ),
    pytest.param(
        "shop/models.py",
        '    name = models.CharField(max_length=100, verbose_name="name")',
        '    title = models.CharField(max_length=100, verbose_name="name")',
        [
            "shop/models.py:17:1: DMH101 shop.Product: field name removed, no migration "
            f"{FIX_SHOP}",
            "shop/models.py:20:5: DMH101 shop.Product: field title added, no migration; "
            f"makemigrations will ask whether name was renamed to title {FIX_SHOP}",
        ],
        id="field-renamed",
    ),
    pytest.param(
        "shop/models.py",
        "max_length=100,",
        "max_length=120,",
        [f"shop/models.py:20:5: DMH101 shop.Product: field name changed, no migration {FIX_SHOP}"],
        id="max-length",
    ),
    pytest.param(
        "shop/models.py",
        'verbose_name="name"',
        'verbose_name="product name"',
        [f"shop/models.py:20:5: DMH101 shop.Product: field name changed, no migration {FIX_SHOP}"],
        id="verbose-name",
    ),
    pytest.param(
        "shop/models.py",
        'choices=[("a", "Active")]',
        'choices=[("a", "Active"), ("r", "Retired")]',
        [
            f"shop/models.py:22:5: DMH101 shop.Product: field status changed, no migration "
            f"{FIX_SHOP}"
        ],
        id="choices",
    ),
    pytest.param(
        "shop/models.py",
        'related_name="products"',
        'related_name="owned_products"',
        [f"shop/models.py:23:5: DMH101 shop.Product: field owner changed, no migration {FIX_SHOP}"],
        id="related-name",
    ),
    pytest.param(
        "shop/models.py",
        'ordering = ["name"]',
        'ordering = ["-price"]',
        [
            "shop/models.py:17:1: DMH101 shop.Product: Meta options changed (ordering), "
            f"no migration {FIX_SHOP}"
        ],
        id="meta-ordering",
    ),
    pytest.param(
        "shop/models.py",
        "class CheapProduct(Product):",
        "class Tag(models.Model):\n    label = models.CharField(max_length=20)\n\n\n"
        "class CheapProduct(Product):",
        [f"shop/models.py:36:1: DMH101 shop.Tag: model added, no migration {FIX_SHOP}"],
        id="new-model",
    ),
    pytest.param(
        "shop/models.py",
        "class CheapProduct(Product):",
        "class SaleProduct(Product):\n    class Meta:\n        proxy = True\n\n\n"
        "class CheapProduct(Product):",
        [f"shop/models.py:36:1: DMH101 shop.SaleProduct: model added, no migration {FIX_SHOP}"],
        id="new-proxy-model",
    ),
    pytest.param(
        "shop/models.py",
        "created = models.DateTimeField(auto_now_add=True)",
        "created = models.DateTimeField(auto_now_add=True, db_index=True)",
        [
            f"shop/models.py:6:5: DMH101 shop.Product: field created changed, no migration "
            f"{FIX_SHOP}"
        ],
        id="abstract-base-field",
    ),
    pytest.param(
        "shop/models.py",
        "    status = models",
        "    stock = models.IntegerField()\n    status = models",
        [
            "shop/models.py:22:5: DMH101 shop.Product: field stock added, no migration; "
            f"non-nullable without a default: makemigrations will ask for one {FIX_SHOP}"
        ],
        id="non-null-field-without-default",
    ),
    pytest.param(
        "catalog/models/book.py",
        "max_length=50",
        "max_length=80",
        [
            "catalog/models/book.py:5:5: DMH101 catalog.Book: field title changed, no migration "
            "(fix: python manage.py makemigrations catalog)"
        ],
        id="models-package",
    ),
    pytest.param(
        "accounts/models.py",
        "    bio = models.TextField(blank=True)\n",
        "    bio = models.TextField(blank=True)\n    nickname = models.CharField("
        'max_length=30, blank=True, default="")\n',
        [
            "accounts/models.py:7:5: DMH101 accounts.User: field nickname added, no migration "
            "(fix: python manage.py makemigrations accounts)"
        ],
        id="custom-user-model",
    ),
]


def test_clean_project_noop(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(("path", "old", "new"), NOOP_EDITS)
def test_edit_needing_no_migration_noop(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    old: str,
    new: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    edit(repo, path, old, new)
    assert django_verdict(python, repo) == 0
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django", path]) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(("path", "old", "new", "expected"), FINDING_EDITS)
def test_edit_needing_migration_finding(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    old: str,
    new: str,
    expected: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    edit(repo, path, old, new)
    assert django_verdict(python, repo) == 1
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django", path]) == 1
    out, err = capsys.readouterr()
    assert (out.splitlines(), err) == (expected, "")


def test_merge_needed_finding(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    migration = textwrap.dedent(
        """\
        from django.db import migrations


        class Migration(migrations.Migration):
            dependencies = [("catalog", "0001_initial")]
            operations = []
        """
    )
    write(
        repo, {"catalog/migrations/0002_a.py": migration, "catalog/migrations/0002_b.py": migration}
    )
    # a pending change in another app is still reported
    edit(repo, "shop/models.py", "max_length=100,", "max_length=120,")
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 1
    fix = "(fix: python manage.py makemigrations --merge catalog)"
    message = (
        "DMH104 catalog: conflicting migrations 0002_a, 0002_b (several leaf nodes); merge needed"
    )
    assert capsys.readouterr().out.splitlines() == [
        f"catalog/migrations/0002_a.py:1:1: {message} {fix}",
        f"catalog/migrations/0002_b.py:1:1: {message} {fix}",
        f"shop/models.py:20:5: DMH101 shop.Product: field name changed, no migration {FIX_SHOP}",
    ]


COMMAND = """\
from django.core.management.commands.makemigrations import Command as BaseCommand
from django.db import models

IGNORED = ("verbose_name", "help_text")
_deconstruct = models.Field.deconstruct


def deconstruct(self):
    name, path, args, kwargs = _deconstruct(self)
    for key in IGNORED:
        kwargs.pop(key, None)
    return name, path, args, kwargs


class Command(BaseCommand):
    def handle(self, *app_labels, **options):
        models.Field.deconstruct = deconstruct
        return super().handle(*app_labels, **options)
"""


@pytest.mark.parametrize(
    ("old", "new", "verdict"),
    [
        pytest.param('verbose_name="name"', 'verbose_name="product name"', 0, id="ignored"),
        pytest.param("max_length=100,", "max_length=120,", 1, id="not-ignored"),
    ],
)
def test_project_makemigrations_command_decides(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    verdict: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    write(
        repo,
        {
            "tools/__init__.py": "",
            "tools/management/__init__.py": "",
            "tools/management/commands/__init__.py": "",
            "tools/management/commands/makemigrations.py": COMMAND,
        },
    )
    edit(repo, "proj/settings.py", '    "accounts",\n', '    "tools",\n    "accounts",\n')
    # the baseline migrations keep verbose_name; the custom command ignores it either way
    edit(repo, "shop/models.py", old, new)
    assert django_verdict(python, repo) == verdict
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == verdict
    out = capsys.readouterr().out
    assert out == (
        f"shop/models.py:20:5: DMH101 shop.Product: field name changed, no migration {FIX_SHOP}\n"
        if verdict
        else ""
    )


MIGRATE_COMMAND = """\
from django.core.management.commands.migrate import Command as BaseCommand

from .makemigrations import Autodetector


class Command(BaseCommand):
    autodetector = Autodetector
"""


def test_django_52_autodetector_attribute_honoured(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    version, python, template = django_env
    if version != "5.2":
        pytest.skip("Command.autodetector exists from Django 5.2")
    repo = make_repo(tmp_path, template)
    command = textwrap.dedent(
        """\
        from django.core.management.commands.makemigrations import Command as BaseCommand
        from django.db.migrations.autodetector import MigrationAutodetector


        class Autodetector(MigrationAutodetector):
            def generate_altered_options(self):
                pass  # this project never records Meta option changes


        class Command(BaseCommand):
            autodetector = Autodetector
        """
    )
    write(
        repo,
        {
            "tools/__init__.py": "",
            "tools/management/__init__.py": "",
            "tools/management/commands/__init__.py": "",
            "tools/management/commands/makemigrations.py": command,
            # Django 5.2's system check wants migrate to use the same autodetector
            "tools/management/commands/migrate.py": MIGRATE_COMMAND,
        },
    )
    edit(repo, "proj/settings.py", '    "accounts",\n', '    "tools",\n    "accounts",\n')
    edit(repo, "shop/models.py", 'ordering = ["name"]', 'ordering = ["-price"]')
    assert django_verdict(python, repo) == 0
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 0
    assert capsys.readouterr() == ("", "")


def test_settings_needing_env_var_error_then_placeholder(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    edit(
        repo,
        "proj/settings.py",
        "import os\n",
        'import os\n\nAPI_TOKEN = os.environ["API_TOKEN"]\n',
    )
    monkeypatch.delenv("API_TOKEN", raising=False)
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 2
    assert capsys.readouterr().err == (
        "check-missing-migrations: error: importing settings 'proj.settings' failed at "
        "proj/settings.py:3: KeyError: 'API_TOKEN'; the settings need the environment variable "
        "API_TOKEN: set it, pass --env API_TOKEN=placeholder, or add "
        'env = { API_TOKEN = "placeholder" } to '
        "[tool.django-migration-hooks.check-missing-migrations] in pyproject.toml\n"
    )
    assert main(["--python", str(python), "--mode", "django", "--env", "API_TOKEN=x"]) == 0
    write(
        repo,
        {
            "pyproject.toml": "[tool.django-migration-hooks.check-missing-migrations]\n"
            'env = { API_TOKEN = "placeholder" }\n'
        },
    )
    assert main(["--python", str(python), "--mode", "django"]) == 0
    assert capsys.readouterr() == ("", "")


def test_syntax_error_in_models_error(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    edit(
        repo,
        "shop/models.py",
        "class ProductManager",
        "class ProductManager((:\n    pass\n\n\nclass X",
    )
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "check-missing-migrations: error: django.setup() failed at shop/models.py:12: SyntaxError: "
    )
    assert err.count("\n") == 1


@pytest.mark.parametrize("api_tracked", [True, False], ids=["tracked", "untracked"])
def test_monorepo_two_projects_findings(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    api_tracked: bool,
) -> None:
    # Django starts for tracked projects before git lists untracked files; an untracked
    # project's manage.py then adds a run.
    _, python, template = django_env
    repo = tmp_path / "repo"
    shutil.copytree(template, repo / "backend")
    if api_tracked:
        shutil.copytree(template, repo / "services" / "api")
    git_init(repo)
    git_commit(repo)
    if not api_tracked:
        shutil.copytree(template, repo / "services" / "api")
    edit(repo, "backend/shop/models.py", "max_length=100,", "max_length=120,")
    edit(repo, "services/api/catalog/models/book.py", "max_length=50", "max_length=80")
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "backend/shop/models.py:20:5: DMH101 shop.Product: field name changed, no migration "
        "(fix: python backend/manage.py makemigrations shop)",
        "services/api/catalog/models/book.py:5:5: DMH101 catalog.Book: field title changed, "
        "no migration (fix: python services/api/manage.py makemigrations catalog)",
    ]


def test_repeat_run_uses_cache(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    edit(repo, "shop/models.py", "max_length=100,", "max_length=120,")
    settle(repo / "shop/models.py")
    monkeypatch.chdir(repo)
    args = ["--python", str(python), "--mode", "django"]
    assert main(args) == 1
    first = capsys.readouterr()
    results = list((tmp_path / "cache" / "django-migration-hooks" / "results").rglob("*.json"))
    assert len(results) == 1
    assert main(args) == 1
    assert capsys.readouterr() == first
    # without the index marker Django starts before the cache is read, and is stopped
    quick = tmp_path / "cache" / "django-migration-hooks" / "results" / "quick"
    shutil.rmtree(quick)
    assert main(args) == 1
    assert capsys.readouterr() == first
    assert list(quick.rglob("*"))
    # an edit changes the key: a second entry, and Django's new verdict
    edit(repo, "shop/models.py", "max_length=120,", "max_length=100,")
    settle(repo / "shop/models.py")
    assert main(args) == 0
    assert len(list((tmp_path / "cache").rglob("results/*/*.json"))) == 2


def test_helper_modules_the_check_imported_are_relevant(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # choices kept in a plain package (no app): a commit touching only it can need a migration
    _, python, template = django_env
    source = tmp_path / "source"
    shutil.copytree(template, source)
    write(
        source,
        {
            "common/__init__.py": "",
            "common/choices.py": 'STATUS = [("a", "Active")]\n',
            "scripts/tool.py": "print('hello')\n",
        },
    )
    edit(source, "shop/models.py", 'choices=[("a", "Active")]', "choices=STATUS")
    edit(
        source,
        "shop/models.py",
        "from django.db import models\n",
        "from django.db import models\n\nfrom common.choices import STATUS\n",
    )
    repo = make_repo(tmp_path, source)
    monkeypatch.chdir(repo)
    args = ["--python", str(python), "--mode", "django"]
    edit(repo, "common/choices.py", '("a", "Active")', '("a", "Active"), ("r", "Retired")')
    assert django_verdict(python, repo) == 1
    # nothing known yet: by its path alone the helper cannot change the verdict
    assert main([*args, "common/choices.py"]) == 0
    assert main(args) == 1  # every file: Django runs and tells what it imported
    out = capsys.readouterr().out
    assert "DMH101 shop.Product: field status changed" in out
    assert main([*args, "common/choices.py"]) == 1
    assert capsys.readouterr().out == out
    assert main([*args, "scripts/tool.py"]) == 0  # never imported by the check
    (imports,) = (tmp_path / "cache" / "django-migration-hooks" / "imports").iterdir()
    assert imports.read_text().splitlines() == [
        "common/__init__.py",
        "common/choices.py",
        "proj/__init__.py",
    ]


def test_discovers_project_venv(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    (repo / ".venv").symlink_to(python.parent.parent)
    edit(repo, "shop/models.py", "max_length=100,", "max_length=120,")
    monkeypatch.chdir(repo)
    assert main(["--mode", "django", "--ignore-app", "catalog"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"shop/models.py:20:5: DMH101 shop.Product: field name changed, no migration {FIX_SHOP}"
    ]
    assert main(["--mode", "django", "--ignore-app", "shop"]) == 0


def code_cache_entries(path: Path) -> dict[str, object]:
    """The runner's migration code cache: a sha256 hex digest, then the marshalled entries."""
    data = path.read_bytes()
    assert hashlib.sha256(data[64:]).hexdigest().encode() == data[:64]
    entries = marshal.loads(data[64:])
    assert isinstance(entries, dict)
    return entries


IMPORT_ASSERTIONS = """\
import sys

from django.db import migrations

from ._helpers import MARK
from . import _helpers

assert MARK == "helpers" and _helpers.MARK == MARK
assert __name__ == "catalog.migrations.0002_checks", __name__
assert __package__ == "catalog.migrations", __package__
assert __spec__.name == __name__ and __spec__.origin == __file__, __spec__
assert __file__.endswith("catalog/migrations/0002_checks.py"), __file__
assert __loader__.get_source(__name__).startswith("import sys"), __loader__
assert sys.modules[__name__].__dict__ is globals()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = []
"""


def test_migration_modules_get_the_import_systems_attributes(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    write(
        repo,
        {
            "catalog/migrations/_helpers.py": 'MARK = "helpers"\n',
            "catalog/migrations/0002_checks.py": IMPORT_ASSERTIONS,
        },
    )
    settle(repo / "catalog/migrations/0002_checks.py")
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 0
    assert capsys.readouterr() == ("", "")
    assert django_verdict(python, repo) == 0
    # every migration module ran from the hook's code cache
    (cache_file,) = (tmp_path / "cache" / "django-migration-hooks" / "code").iterdir()
    project = repo.resolve()
    entries = {Path(path) for path in code_cache_entries(cache_file)}
    cached = {path.relative_to(project).as_posix() for path in entries if project in path.parents}
    assert cached == {
        "accounts/migrations/0001_initial.py",
        "shop/migrations/0001_initial.py",
        "catalog/migrations/0001_initial.py",
        "catalog/migrations/0002_checks.py",
    }


def test_migration_code_cache_leaves_out_sources_changed_during_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_migration_hooks.missing.runner.dmh_code_cache import _MigrationImporter

    write(tmp_path, {"racy_app/__init__.py": "", "racy_app/migrations/__init__.py": ""})
    write(tmp_path, {"racy_app/migrations/m_before.py": "X = 1\n"})
    settle(tmp_path / "racy_app/migrations/m_before.py")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("racy_app", "racy_app.migrations", "racy_app.migrations.m_before"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.delitem(sys.modules, "racy_app.migrations.m_during", raising=False)
    __import__("racy_app.migrations")
    importer = _MigrationImporter(str(tmp_path / "code"), str(tmp_path), "settings")
    # written after the run started: it may change again, same size, in the same clock tick
    write(tmp_path, {"racy_app/migrations/m_during.py": "X = 2\n"})
    assert importer.import_module("racy_app.migrations.m_before").X == 1
    assert importer.import_module("racy_app.migrations.m_during").X == 2
    importer.save()
    (cache_file,) = (tmp_path / "code").iterdir()
    assert [Path(p).name for p in code_cache_entries(cache_file)] == ["m_before.py"]


def test_migration_import_error_names_the_migration(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    write(
        repo,
        {
            "catalog/migrations/0002_broken.py": "from django.db import migrations\n"
            "import not_installed_anywhere\n"
        },
    )
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 2
    assert capsys.readouterr().err == (
        "check-missing-migrations: error: django.core makemigrations failed at "
        "catalog/migrations/0002_broken.py:2: ModuleNotFoundError: "
        "No module named 'not_installed_anywhere'\n"
    )


def test_migration_code_cache_follows_same_size_edits(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    monkeypatch.chdir(repo)
    args = ["--python", str(python), "--mode", "django"]
    assert main(args) == 0
    code = list((tmp_path / "cache" / "django-migration-hooks" / "code").iterdir())
    assert [p.suffix for p in code] == [".marshal"]
    # a damaged code cache is ignored and rewritten, never run (the result cache is told to
    # forget, or it would answer)
    good = code[0].read_bytes()
    odd = marshal.dumps({str(repo.resolve() / "catalog/migrations/0001_initial.py"): 1})
    for damaged in (
        good[:64] + marshal.dumps({"x": 1}),  # checksum of other content
        good[:-9] + b"\x00garbage",
        b"",
        hashlib.sha256(odd).hexdigest().encode() + odd,  # well formed, entry of the wrong kind
    ):
        code[0].write_bytes(damaged)
        shutil.rmtree(tmp_path / "cache" / "django-migration-hooks" / "results")
        assert main(args) == 0
        assert code_cache_entries(code[0])
    # the same size, within the same second: the migration now disagrees with the model
    edit(repo, "catalog/migrations/0001_initial.py", "max_length=50", "max_length=60")
    assert main(args) == 1
    assert capsys.readouterr().out.splitlines() == [
        "catalog/models/book.py:5:5: DMH101 catalog.Book: field title changed, no migration "
        "(fix: python manage.py makemigrations catalog)"
    ]
    assert django_verdict(python, repo) == 1


@pytest.mark.parametrize("how", ["--project", "--settings"])
def test_explicit_untracked_project(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    _, python, template = django_env
    repo = git_init(tmp_path / "repo")
    write(repo, {"README.md": "x\n"})
    git_commit(repo)
    shutil.copytree(template, repo / "sub")
    edit(repo, "sub/catalog/models/book.py", "max_length=50", "max_length=80")
    monkeypatch.chdir(repo)
    chosen = ["--project", "sub"] if how == "--project" else ["--settings", "proj.settings"]
    assert main(["--python", str(python), "--mode", "django", *chosen]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "sub/catalog/models/book.py:5:5: DMH101 catalog.Book: field title changed, no migration "
        "(fix: python sub/manage.py makemigrations catalog)"
    ]


WIDENING_LOADER = """

import sys
from importlib import machinery


class Widening(machinery.SourceFileLoader):
    # an import hook that rewrites code as it loads it (as beartype.claw or typeguard do)
    def source_to_code(self, data, path, *, _optimize=-1):
        if path.endswith("0001_initial.py") and "catalog" in path:
            data = data.replace(b"max_length=50", b"max_length=80")
        return super().source_to_code(data, path, _optimize=_optimize)


sys.path_hooks.insert(
    0,
    machinery.FileFinder.path_hook(
        (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES),
        (Widening, machinery.SOURCE_SUFFIXES),
        (machinery.SourcelessFileLoader, machinery.BYTECODE_SUFFIXES),
    ),
)
sys.path_importer_cache.clear()
"""


def test_import_hook_rewriting_migrations_honoured(
    django_env: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    settings = repo / "proj" / "settings.py"
    settings.write_text(settings.read_text() + WIDENING_LOADER)
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "catalog/models/book.py:5:5: DMH101 catalog.Book: field title changed, no migration "
        "(fix: python manage.py makemigrations catalog)"
    ]
    assert django_verdict(python, repo) == 1


def test_the_runner_writes_no_bytecode_and_reads_what_pip_compiled(
    django_env: tuple[str, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bytecode prefix would make Python ignore the .pyc files pip compiled for Django and
    compile them all again on every first run (every CI run): the runner reads those and writes
    no bytecode, into the repository or anywhere else."""
    _, python, template = django_env
    repo = make_repo(tmp_path, template)
    for stale in repo.rglob("__pycache__"):
        shutil.rmtree(stale)
    site = python.parent.parent / "lib"
    before = sorted(site.rglob("*.pyc"))
    monkeypatch.chdir(repo)
    assert main(["--python", str(python), "--mode", "django"]) == 0
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*.pyc")) == []
    assert not (tmp_path / "cache" / "django-migration-hooks" / "pycache").exists()
    assert sorted(site.rglob("*.pyc")) == before
