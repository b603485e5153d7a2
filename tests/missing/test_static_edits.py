"""The change-based static check (DMH102) against Django's own verdict on a table of model edits.

Each case copies a small committed Django project, applies one edit, stages it, and compares
`check_static` (exact output) with `makemigrations --check --dry-run` run in a subprocess.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from django_migration_hooks._static_check import check_static
from tests.conftest import git, git_commit, git_init, write

pytestmark = pytest.mark.django

HINT = "(fix: python manage.py makemigrations shop)"

BASE_MODELS = '''\
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.base import TimeStamped


class PublishedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(published=True)


class Status(models.TextChoices):
    DRAFT = "d", "Draft"
    LIVE = "l", "Live"


class Category(models.Model):
    KINDS = [("a", "Any"), ("b", "Book")]

    name = models.CharField(max_length=50)
    kind = models.CharField(max_length=1, choices=KINDS, default="a")

    def __str__(self):
        return self.name


class Product(TimeStamped):
    """A product."""

    name = models.CharField(_("name"), max_length=100)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    status = models.CharField(max_length=1, choices=Status.choices, default=Status.DRAFT)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="products")
    published = models.BooleanField(default=False)

    objects = models.Manager()
    live = PublishedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = "product"

    def __str__(self):
        return self.name

    @property
    def label(self):
        return self.name.upper()


class SpecialProduct(Product):
    class Meta:
        proxy = True
'''

BASE_ABSTRACT = """\
from django.db import models


class TimeStamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Unused(models.Model):
    note = models.TextField()

    class Meta:
        abstract = True
"""

PROJECT = {
    "manage.py": (
        "import os\nimport sys\n\n"
        'if __name__ == "__main__":\n'
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
        "    from django.core.management import execute_from_command_line\n\n"
        "    execute_from_command_line(sys.argv)\n"
    ),
    "mysite/__init__.py": "",
    "mysite/settings.py": (
        'SECRET_KEY = "test"\n'
        'INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop"]\n'
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}\n'
        'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n'
    ),
    "shop/__init__.py": "",
    "shop/apps.py": (
        'from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = "shop"\n'
    ),
    "shop/migrations/__init__.py": "",
    "shop/base.py": BASE_ABSTRACT,
    "shop/models.py": BASE_MODELS,
}


def makemigrations(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        (sys.executable, "manage.py", "makemigrations", *args),
        cwd=root,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = git_init(tmp_path_factory.mktemp("edits") / "baseline")
    write(root, PROJECT)
    proc = makemigrations(root, "shop", "-v0")
    assert proc.returncode == 0, proc.stderr
    git_commit(root, "initial")
    return root


# (file, old text, new text): old=None creates or appends
Edit = tuple[str, "str | None", str]


def edited(name: str, old: str, new: str) -> Edit:
    return (name, old, new)


M = "shop/models.py"
B = "shop/base.py"

# situation id -> (edits, expected static output lines, Django needs a migration)
CASES: list[tuple[str, list[Edit], list[str], bool]] = [
    # --- no migration needed ------------------------------------------------------------------
    (
        "method_body",
        [edited(M, "return self.name\n\n    @", "return f'{self.name}'\n\n    @")],
        [],
        False,
    ),
    ("docstring", [edited(M, '"""A product."""', '"""A product we sell."""')], [], False),
    ("comment", [edited(M, "    price =", "    # the gross price\n    price =")], [], False),
    (
        "formatting",
        [
            edited(
                M,
                "price = models.DecimalField(max_digits=8, decimal_places=2)",
                "price = models.DecimalField(\n"
                "        decimal_places=2,\n        max_digits=8,\n    )",
            )
        ],
        [],
        False,
    ),
    ("property", [edited(M, "return self.name.upper()", "return self.name.lower()")], [], False),
    (
        "new_method",
        [edited(M, "    @property", "    def total(self):\n        return 1\n\n    @property")],
        [],
        False,
    ),
    (
        "class_constant",
        [edited(M, '    """A product."""', '    """A product."""\n\n    MAX = 5')],
        [],
        False,
    ),
    (
        "import_style",
        [
            edited(
                M,
                "from django.db import models\n",
                "from django.db import models\nfrom django.db.models import CASCADE\n",
            ),
            edited(M, "on_delete=models.CASCADE", "on_delete=CASCADE"),
        ],
        [],
        False,
    ),
    (
        "unused_import",
        [
            edited(
                M,
                "from django.db import models\n",
                "import os  # noqa: F401\n\nfrom django.db import models\n",
            )
        ],
        [],
        False,
    ),
    (
        "explicit_default_value",
        [
            edited(
                M,
                "models.BooleanField(default=False)",
                "models.BooleanField(default=False, blank=False, null=False)",
            )
        ],
        [],
        False,
    ),
    (
        "field_order",
        [
            edited(M, "    price = models.DecimalField(max_digits=8, decimal_places=2)\n", ""),
            edited(
                M,
                "    published = models",
                "    price = models.DecimalField(max_digits=8, decimal_places=2)\n"
                "    published = models",
            ),
        ],
        [],
        False,
    ),
    (
        "manager_without_use_in_migrations",
        [
            edited(
                M,
                "    live = PublishedManager()",
                "    live = PublishedManager()\n    also = PublishedManager()",
            )
        ],
        [],
        False,
    ),
    (
        "unused_abstract_model",
        [
            edited(
                B,
                "    note = models.TextField()",
                "    note = models.TextField()\n    extra = models.IntegerField(default=0)",
            )
        ],
        [],
        False,
    ),
    (
        "abstract_model_added",
        [
            edited(
                M,
                "class Category(",
                "class Base(models.Model):\n"
                "    x = models.IntegerField()\n\n"
                "    class Meta:\n        abstract = True\n\n\nclass Category(",
            )
        ],
        [],
        False,
    ),
    (
        "str_vs_lazy_verbose_name",
        [edited(M, 'verbose_name = "product"', 'verbose_name = _("product")')],
        [],
        False,
    ),
    (
        "plain_mixin",
        [
            edited(
                M,
                "class PublishedManager(",
                "class Printable:\n    def show(self):\n"
                "        return str(self)\n\n\nclass PublishedManager(",
            ),
            edited(M, "class Category(models.Model):", "class Category(Printable, models.Model):"),
        ],
        [],
        False,
    ),
    (
        "foreign_key_string_reference",
        [edited(M, "ForeignKey(Category,", 'ForeignKey("shop.Category",')],
        [],
        False,
    ),
    (
        "translation_function_spelled_out",
        [
            edited(M, "import gettext_lazy as _\n", "import gettext_lazy, gettext_lazy as _\n"),
            edited(M, '_("name")', 'gettext_lazy("name")'),
        ],
        [],
        False,
    ),
    (
        "abstract_base_meta_not_inherited",
        [
            edited(
                B,
                "        abstract = True\n",
                '        abstract = True\n        ordering = ["-created"]\n',
            )
        ],
        [],
        False,
    ),
    # --- a migration is needed ----------------------------------------------------------------
    (
        "field_added",
        [
            edited(
                M,
                "    published = models.BooleanField(default=False)",
                "    published = models.BooleanField(default=False)\n"
                "    stock = models.IntegerField(default=0)",
            )
        ],
        [f"shop/models.py:35:5: DMH102 shop.Product: field stock added, no migration {HINT}"],
        True,
    ),
    (
        "field_removed",
        [edited(M, "    published = models.BooleanField(default=False)\n", "")],
        [f"shop/models.py:27:1: DMH102 shop.Product: field published removed, no migration {HINT}"],
        True,
    ),
    (
        "field_renamed",
        [edited(M, "    price = models", "    amount = models")],
        [
            "shop/models.py:31:5: DMH102 shop.Product: field price renamed to amount"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "max_length",
        [edited(M, "max_length=100", "max_length=120")],
        [
            "shop/models.py:30:5: DMH102 shop.Product: field name changed (max_length)"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "verbose_name",
        [edited(M, '_("name")', '_("title")')],
        [
            "shop/models.py:30:5: DMH102 shop.Product: field name changed (verbose_name)"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "choices_member_added",
        [edited(M, '    LIVE = "l", "Live"', '    LIVE = "l", "Live"\n    GONE = "g", "Gone"')],
        [
            "shop/models.py:33:5: DMH102 shop.Product: field status changed (choices)"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "choices_label",
        [edited(M, '"d", "Draft"', '"d", "Draft text"')],
        [
            "shop/models.py:32:5: DMH102 shop.Product: field status changed (choices)"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "class_level_choices",
        [edited(M, '("b", "Book")]', '("b", "Book"), ("c", "CD")]')],
        [
            "shop/models.py:21:5: DMH102 shop.Category: field kind changed (choices)"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "class_level_constant_unrelated",
        [
            edited(
                M,
                '    KINDS = [("a", "Any"), ("b", "Book")]',
                '    KINDS = [("a", "Any"), ("b", "Book")]\n    LIMIT = 3',
            )
        ],
        [],
        False,
    ),
    (
        "related_name",
        [edited(M, 'related_name="products"', 'related_name="items"')],
        [
            "shop/models.py:33:5: DMH102 shop.Product: field category changed (related_name)"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "default_changed",
        [edited(M, "BooleanField(default=False)", "BooleanField(default=True)")],
        [
            "shop/models.py:34:5: DMH102 shop.Product: field published changed (default)"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "help_text_added",
        [
            edited(
                M,
                "DecimalField(max_digits=8, decimal_places=2)",
                'DecimalField(max_digits=8, decimal_places=2, help_text="gross")',
            )
        ],
        [
            "shop/models.py:31:5: DMH102 shop.Product: field price changed (help_text)"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "field_type",
        [
            edited(
                M,
                'name = models.CharField(_("name"), max_length=100)',
                'name = models.TextField(_("name"), max_length=100)',
            )
        ],
        [
            "shop/models.py:30:5: DMH102 shop.Product: field name changed (CharField -> TextField)"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "meta_ordering",
        [edited(M, 'ordering = ["name"]', 'ordering = ["-name"]')],
        [f"shop/models.py:40:9: DMH102 shop.Product: Meta.ordering changed, no migration {HINT}"],
        True,
    ),
    (
        "meta_option_added",
        [
            edited(
                M,
                '        verbose_name = "product"',
                '        verbose_name = "product"\n        verbose_name_plural = "goods"',
            )
        ],
        [
            "shop/models.py:42:9: DMH102 shop.Product: Meta.verbose_name_plural added"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "meta_db_table",
        [
            edited(
                M,
                '        verbose_name = "product"',
                '        verbose_name = "product"\n        db_table = "products"',
            )
        ],
        [f"shop/models.py:42:9: DMH102 shop.Product: Meta.db_table added, no migration {HINT}"],
        True,
    ),
    (
        "model_added",
        [(M, None, "\n\nclass Tag(models.Model):\n    name = models.SlugField()\n")],
        [f"shop/models.py:56:1: DMH102 shop.Tag: model added, no migration {HINT}"],
        True,
    ),
    (
        "proxy_model_added",
        [(M, None, "\n\nclass CheapProduct(Product):\n    class Meta:\n        proxy = True\n")],
        [f"shop/models.py:56:1: DMH102 shop.CheapProduct: model added, no migration {HINT}"],
        True,
    ),
    (
        "unmanaged_model_added",
        [
            (
                M,
                None,
                "\n\nclass Legacy(models.Model):\n"
                "    code = models.IntegerField()\n\n    class Meta:\n        managed = False\n",
            )
        ],
        [f"shop/models.py:56:1: DMH102 shop.Legacy: model added, no migration {HINT}"],
        True,
    ),
    (
        "proxy_model_removed",
        [
            edited(
                M,
                "\n\nclass SpecialProduct(Product):\n    class Meta:\n        proxy = True\n",
                "\n",
            )
        ],
        [f"shop/models.py:1:1: DMH102 shop.SpecialProduct: model removed, no migration {HINT}"],
        True,
    ),
    (
        "model_renamed",
        [
            edited(M, "class Category(models.Model):", "class Section(models.Model):"),
            edited(M, "ForeignKey(Category,", "ForeignKey(Section,"),
        ],
        [
            "shop/models.py:17:1: DMH102 shop.Section: model renamed from Category"
            f", no migration {HINT}",
            "shop/models.py:33:5: DMH102 shop.Product: field category changed (to)"
            f", no migration {HINT}",
        ],
        True,
    ),
    (
        "abstract_base_field_added",
        [
            edited(
                B,
                "    created = models.DateTimeField(auto_now_add=True)",
                "    created = models.DateTimeField(auto_now_add=True)\n"
                "    updated = models.DateTimeField(auto_now=True)",
            )
        ],
        [f"shop/base.py:6:5: DMH102 shop.Product: field updated added, no migration {HINT}"],
        True,
    ),
    (
        "manager_use_in_migrations",
        [
            edited(
                M,
                "class Status(",
                "class KeptManager(models.Manager):\n"
                "    use_in_migrations = True\n\n\nclass Status(",
            ),
            edited(
                M,
                "    live = PublishedManager()",
                "    live = PublishedManager()\n    kept = KeptManager()",
            ),
        ],
        [f"shop/models.py:42:5: DMH102 shop.Product: manager kept changed, no migration {HINT}"],
        True,
    ),
    (
        "default_manager_changed",
        [
            edited(M, "    objects = models.Manager()\n", ""),
            edited(
                M,
                "    live = PublishedManager()\n",
                "    live = PublishedManager()\n    objects = models.Manager()\n",
            ),
        ],
        [f"shop/models.py:36:5: DMH102 shop.Product: default manager changed, no migration {HINT}"],
        True,
    ),
    (
        "null_changed",
        [edited(M, "BooleanField(default=False)", "BooleanField(default=False, null=True)")],
        [
            "shop/models.py:34:5: DMH102 shop.Product: field published changed (null)"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "meta_indexes_added",
        [
            edited(
                M,
                '        verbose_name = "product"',
                '        verbose_name = "product"\n'
                '        indexes = [models.Index(fields=["name"], name="name_idx")]',
            )
        ],
        [f"shop/models.py:42:9: DMH102 shop.Product: Meta.indexes added, no migration {HINT}"],
        True,
    ),
    (
        "meta_unique_together_added",
        [
            edited(
                M,
                '        verbose_name = "product"',
                '        verbose_name = "product"\n'
                '        unique_together = [("name", "category")]',
            )
        ],
        [
            "shop/models.py:42:9: DMH102 shop.Product: Meta.unique_together added"
            f", no migration {HINT}"
        ],
        True,
    ),
    (
        "noqa",
        [edited(M, "max_length=100)", "max_length=120)  # noqa: DMH102")],
        [],
        True,
    ),
]


def apply(root: Path, edits: list[Edit]) -> None:
    for name, old, new in edits:
        path = root / name
        text = path.read_text(encoding="utf-8")
        if old is None:
            text += new
        else:
            assert old in text, (name, old)
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")


def run_case(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edits: list[Edit]
) -> tuple[list[str], bool]:
    root = tmp_path / "repo"
    shutil.copytree(baseline, root, symlinks=True)
    apply(root, edits)
    git(root, "add", "-A")
    monkeypatch.chdir(root)
    staged = git(root, "diff", "--cached", "--name-only").split()
    found = [f.text() for f in sorted(check_static(staged, None))]
    django = makemigrations(root, "--check", "--dry-run")
    assert django.returncode in (0, 1), django.stderr
    return found, django.returncode == 1


@pytest.fixture(scope="module")
def outcomes(
    baseline: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], tuple[list[str], bool]]:
    """Each case run once per process: (static output lines, Django needs a migration)."""
    edits_of = {i: e for i, e, _, _ in CASES}
    cache: dict[str, tuple[list[str], bool]] = {}

    def outcome(case: str) -> tuple[list[str], bool]:
        if case not in cache:
            with pytest.MonkeyPatch.context() as monkeypatch:
                tmp_path = tmp_path_factory.mktemp(case)
                cache[case] = run_case(baseline, tmp_path, monkeypatch, edits_of[case])
        return cache[case]

    return outcome


@pytest.mark.parametrize(
    ("case", "expected", "needs"),
    [pytest.param(i, x, n, id=i) for i, _, x, n in CASES],
)
def test_edit_table_static_verdict_matches_django(
    outcomes: Callable[[str], tuple[list[str], bool]], case: str, expected: list[str], needs: bool
) -> None:
    found, django_needs = outcomes(case)
    assert django_needs is needs
    assert found == expected
    assert not found or django_needs  # never a finding where Django needs no migration


def test_edit_table_agreement_at_least_95_percent(
    outcomes: Callable[[str], tuple[list[str], bool]],
) -> None:
    # a case agrees when the static tier reports something exactly when Django needs a
    # migration (noqa-suppressed cases excluded); both verdicts come from real runs
    cases = [outcomes(i) for i, _, _, _ in CASES if i != "noqa"]
    agree = sum(bool(found) == needs for found, needs in cases)
    assert agree / len(cases) >= 0.95, f"{agree}/{len(cases)}"
