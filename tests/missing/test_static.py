"""check_static: state-based (DMH103) tables and change-based (DMH102) runs on real git repos."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from django_migration_hooks._report import HookError
from django_migration_hooks._static_check import RULES_STATIC, check_static, known_change
from django_migration_hooks.djangoread.state import AppState
from django_migration_hooks.djangoread.trees import DiskTree
from django_migration_hooks.missing import static_state
from tests.conftest import git, git_commit, write

HINT = "(fix: python manage.py makemigrations shop)"

APPS_PY = 'from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = "shop"\n'

MODELS = """\
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
    price = models.IntegerField(default=0)
"""

INITIAL = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("price", models.IntegerField(default=0)),
            ],
        ),
    ]
"""

BLACK_INITIAL = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                (
                    "price",
                    models.IntegerField(default=0),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
    ]
"""


def migration(number: str, operations: str, *, extra: str = "", replaces: str = "") -> str:
    previous = f'[("shop", "{number}")]' if number else "[]"
    return (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = {previous}\n"
        f"{replaces}"
        f"{extra}"
        "    operations = [\n"
        f"{operations}"
        "    ]\n"
    )


def app(
    models: str = MODELS, *migrations: tuple[str, str], initial: str = INITIAL
) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "shop/__init__.py": "",
        "shop/apps.py": APPS_PY,
        "shop/models.py": models,
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": initial,
    }
    for name, text in migrations:
        files[f"shop/migrations/{name}.py"] = text
    return files


ADD_STOCK = migration(
    "0001_initial",
    '        migrations.AddField(\n            model_name="product",\n'
    '            name="stock",\n            field=models.IntegerField(default=0),\n        ),\n',
)
MODELS_STOCK = MODELS + "    stock = models.IntegerField(default=0)\n"


def run_state(filenames: Sequence[str] = ()) -> list[str]:
    return [f.text() for f in sorted(check_static(list(filenames), None))]


NOOP_STATE = [
    pytest.param(app(), id="clean"),
    pytest.param(app(initial=BLACK_INITIAL), id="black_formatted_migration"),
    pytest.param(app(MODELS_STOCK, ("0002_stock", ADD_STOCK)), id="added_field_migrated"),
    pytest.param(
        {
            "shop/__init__.py": "",
            "shop/apps.py": APPS_PY,
            "shop/models.py": MODELS,
        },
        id="app_without_migrations_package",
    ),
    pytest.param(
        app(
            MODELS.replace("    price = models.IntegerField(default=0)\n", "")
            + "    cost = models.IntegerField(default=0)\n",
            (
                "0002_rename",
                migration(
                    "0001_initial",
                    '        migrations.RenameField(\n            model_name="product",\n'
                    '            old_name="price",\n            new_name="cost",\n        ),\n',
                ),
            ),
        ),
        id="renamed_field",
    ),
    pytest.param(
        app(
            MODELS.replace("class Product(", "class Item("),
            (
                "0002_rename",
                migration(
                    "0001_initial",
                    '        migrations.RenameModel(\n            old_name="Product",\n'
                    '            new_name="Item",\n        ),\n',
                ),
            ),
        ),
        id="renamed_model",
    ),
    pytest.param(
        app(
            MODELS.replace("    price = models.IntegerField(default=0)\n", ""),
            (
                "0002_remove",
                migration(
                    "0001_initial",
                    '        migrations.RemoveField(model_name="product", name="price"),\n',
                ),
            ),
        ),
        id="removed_field",
    ),
    pytest.param(
        app(
            "from django.db import models\n",
            (
                "0002_delete",
                migration("0001_initial", '        migrations.DeleteModel(name="Product"),\n'),
            ),
        ),
        id="deleted_model",
    ),
    pytest.param(
        app(
            MODELS_STOCK,
            (
                "0002_state",
                migration(
                    "0001_initial",
                    "        migrations.SeparateDatabaseAndState(\n"
                    "            database_operations=[],\n"
                    "            state_operations=[\n"
                    '                migrations.AddField("product", "stock", '
                    "models.IntegerField(default=0)),\n"
                    "            ],\n"
                    "        ),\n",
                ),
            ),
        ),
        id="separate_database_and_state",
    ),
    pytest.param(
        app(
            MODELS_STOCK,
            ("0002_stock", ADD_STOCK),
            (
                "0001_squashed_0002_stock",
                migration(
                    "",
                    "        migrations.CreateModel(\n"
                    '            name="Product",\n'
                    "            fields=[\n"
                    '                ("id", models.BigAutoField(primary_key=True)),\n'
                    '                ("name", models.CharField(max_length=100)),\n'
                    '                ("price", models.IntegerField(default=0)),\n'
                    '                ("stock", models.IntegerField(default=0)),\n'
                    "            ],\n"
                    "        ),\n",
                    replaces='    replaces = [("shop", "0001_initial"), ("shop", "0002_stock")]\n',
                ),
            ),
        ),
        id="squashed_migration",
    ),
    pytest.param(
        app(
            MODELS_STOCK,
            (
                "0002_custom",
                "from django.db import migrations\n\nfrom shop.ops import AddStock\n\n\n"
                "class Migration(migrations.Migration):\n"
                '    dependencies = [("shop", "0001_initial")]\n'
                "    operations = [AddStock()]\n",
            ),
        ),
        id="custom_operation_uncertain",
    ),
    pytest.param(
        app(
            MODELS,
            (
                "0002_data",
                migration(
                    "0001_initial",
                    "        migrations.RunPython(migrations.RunPython.noop),\n"
                    '        migrations.RunSQL("SELECT 1"),\n'
                    '        migrations.AlterField("product", "name", '
                    "models.CharField(max_length=100)),\n",
                ),
            ),
        ),
        id="runpython_runsql_alterfield",
    ),
    pytest.param(
        app(
            MODELS.replace("models.Model", "TimeStampedModel").replace(
                "from django.db import models\n",
                "from django.db import models\n"
                "from django_extensions.db.models import TimeStampedModel\n",
            )
            + "    extra = models.IntegerField()\n"
        ),
        id="third_party_base_unknown",
    ),
    pytest.param(
        app(
            "from taggit.managers import TaggableManager\n"
            + MODELS
            + "    tags = TaggableManager()\n",
            (
                "0002_history",
                migration(
                    "0001_initial",
                    '        migrations.CreateModel(name="HistoricalProduct", '
                    'fields=[("id", models.IntegerField())]),\n',
                ),
            ),
        ),
        id="third_party_attribute_may_create_models",
    ),
    pytest.param(
        app(
            "from django.contrib.contenttypes.fields import GenericForeignKey\n"
            + MODELS
            + "    content_type = models.ForeignKey('contenttypes.ContentType', "
            "on_delete=models.CASCADE)\n"
            "    object_id = models.PositiveIntegerField()\n"
            "    target = GenericForeignKey('content_type', 'object_id')\n",
            (
                "0002_generic",
                migration(
                    "0001_initial",
                    '        migrations.AddField("product", "content_type", '
                    "models.ForeignKey(on_delete=models.CASCADE, to='contenttypes.contenttype')),\n"
                    '        migrations.AddField("product", "object_id", '
                    "models.PositiveIntegerField()),\n",
                ),
            ),
        ),
        id="generic_foreign_key_has_no_column",
    ),
    pytest.param(
        app(
            "from django.db import models\n\nfrom shop.base import Stamped\n\n\n"
            "class Product(Stamped):\n"
            "    name = models.CharField(max_length=100)\n"
            "    price = models.IntegerField(default=0)\n\n\n"
            "class Special(Product):\n"
            "    level = models.IntegerField()\n\n\n"
            "class Cheap(Product):\n"
            "    class Meta:\n"
            "        proxy = True\n\n\n"
            "class Legacy(models.Model):\n"
            "    code = models.IntegerField()\n"
            "    ignored = models.IntegerField()\n\n"
            "    class Meta:\n"
            "        managed = False\n",
            (
                "0002_more",
                migration(
                    "0001_initial",
                    '        migrations.AddField("product", "created", '
                    "models.DateTimeField(auto_now_add=True)),\n"
                    '        migrations.CreateModel(name="Special", fields=[\n'
                    '            ("product_ptr", models.OneToOneField(on_delete=models.CASCADE, '
                    'parent_link=True, primary_key=True, serialize=False, to="shop.product")),\n'
                    '            ("level", models.IntegerField()),\n'
                    '        ], bases=("shop.product",)),\n'
                    '        migrations.CreateModel(name="Cheap", fields=[], '
                    'options={"proxy": True}, bases=("shop.product",)),\n'
                    '        migrations.CreateModel(name="Legacy", fields=[\n'
                    '            ("id", models.BigAutoField(primary_key=True)),\n'
                    '            ("code", models.IntegerField()),\n'
                    '        ], options={"managed": False}),\n',
                ),
            ),
        )
        | {
            "shop/base.py": "from django.db import models\n\n\n"
            "class Stamped(models.Model):\n"
            "    created = models.DateTimeField(auto_now_add=True)\n\n"
            "    class Meta:\n        abstract = True\n"
        },
        id="abstract_base_multi_table_proxy_unmanaged",
    ),
    pytest.param(
        {
            "shop/__init__.py": "",
            "shop/apps.py": APPS_PY,
            "shop/models/__init__.py": "from .product import Product\n",
            "shop/models/product.py": MODELS,
            "shop/migrations/__init__.py": "",
            "shop/migrations/0001_initial.py": INITIAL,
        },
        id="models_package",
    ),
    pytest.param(
        app(MODELS + "    stock = models.IntegerField(default=0)  # noqa: DMH103\n"),
        id="noqa",
    ),
    pytest.param(
        app(
            "from django.db import models\n\nfrom shop.loading import is_registered\n\n"
            'if not is_registered("shop", "Product"):\n\n'
            "    class Product(models.Model):\n"
            "        name = models.CharField(max_length=100)\n"
        ),
        id="model_defined_conditionally",
    ),
]


@pytest.mark.parametrize("files", NOOP_STATE)
def test_state_consistent_tree_no_finding(git_repo: Path, files: dict[str, str | bytes]) -> None:
    write(git_repo, files)
    git_commit(git_repo)
    assert run_state() == []


FINDING_STATE = [
    pytest.param(
        app(MODELS_STOCK),
        [f"shop/models.py:7:5: DMH103 shop.Product: field stock is in no migration {HINT}"],
        id="field_not_migrated",
    ),
    pytest.param(
        app(MODELS + "\n\nclass Tag(models.Model):\n    name = models.SlugField()\n"),
        [f"shop/models.py:9:1: DMH103 shop.Tag: model is in no migration {HINT}"],
        id="model_not_migrated",
    ),
    pytest.param(
        app(MODELS.replace("    price = models.IntegerField(default=0)\n", "")),
        [
            "shop/models.py:4:1: DMH103 shop.Product: field price is in migrations but not in "
            f"the model {HINT}"
        ],
        id="field_only_in_migrations",
    ),
    pytest.param(
        app(
            MODELS,
            (
                "0002_tag",
                migration(
                    "0001_initial",
                    '        migrations.CreateModel(name="Tag", fields=[("id", '
                    "models.BigAutoField(primary_key=True))]),\n",
                ),
            ),
        ),
        [
            "shop/migrations/0002_tag.py:7:9: DMH103 shop.Tag: model is in migrations but not in "
            f"the code {HINT}"
        ],
        id="model_only_in_migrations",
    ),
    pytest.param(
        {
            "shop/__init__.py": "",
            "shop/apps.py": APPS_PY,
            "shop/models.py": MODELS,
            "shop/migrations/__init__.py": "",
        },
        [f"shop/models.py:4:1: DMH103 shop.Product: model is in no migration {HINT}"],
        id="migrations_package_without_migrations",
    ),
    pytest.param(
        app(
            "from django.db import models\n\nfrom shop.fields import MoneyField\n"
            + MODELS.partition("\n")[2]
            + "    total = MoneyField()\n"
        )
        | {
            "shop/fields.py": "from django.db import models\n\n\n"
            "class MoneyField(models.DecimalField):\n    pass\n"
        },
        [f"shop/models.py:9:5: DMH103 shop.Product: field total is in no migration {HINT}"],
        id="custom_field_class",
    ),
    pytest.param(
        app(
            MODELS.replace("models.Model", "Stamped").replace(
                "from django.db import models\n",
                "from django.db import models\n\nfrom .base import Stamped\n",
            )
        )
        | {
            "shop/base.py": "from django.db import models\n\n\n"
            "class Stamped(models.Model):\n"
            "    created = models.DateTimeField(auto_now_add=True)\n\n"
            "    class Meta:\n        abstract = True\n"
        },
        [f"shop/base.py:5:5: DMH103 shop.Product: field created is in no migration {HINT}"],
        id="field_inherited_from_abstract_base",
    ),
    pytest.param(
        app(initial=BLACK_INITIAL.replace('"price"', '"cost"')),
        [
            "shop/models.py:4:1: DMH103 shop.Product: field cost is in migrations but not in "
            f"the model {HINT}",
            f"shop/models.py:6:5: DMH103 shop.Product: field price is in no migration {HINT}",
        ],
        id="black_formatted_migration_differs",
    ),
]


@pytest.mark.parametrize(("files", "expected"), FINDING_STATE)
def test_state_differs_from_migrations_finding(
    git_repo: Path, files: dict[str, str | bytes], expected: list[str]
) -> None:
    write(git_repo, files)
    git_commit(git_repo)
    assert run_state() == expected


def test_state_filenames_limit_the_apps_reported(git_repo: Path) -> None:
    write(git_repo, app(MODELS_STOCK))
    write(git_repo, {"other/__init__.py": "", "other/models.py": "from django.db import models\n"})
    git_commit(git_repo)
    assert run_state(["other/models.py"]) == []
    assert run_state(["shop/models.py"]) == [
        f"shop/models.py:7:5: DMH103 shop.Product: field stock is in no migration {HINT}"
    ]


def test_state_untracked_migration_counts(git_repo: Path) -> None:
    write(git_repo, app(MODELS_STOCK))
    git_commit(git_repo)
    write(git_repo, {"shop/migrations/0002_stock.py": ADD_STOCK})
    assert run_state() == []


def test_state_syntax_error_in_models_skips_the_app(git_repo: Path) -> None:
    write(git_repo, app(MODELS_STOCK + "    def broken(:\n"))
    git_commit(git_repo)
    problems: list[str] = []
    assert check_static([], None, problems) == []
    assert problems == ["shop/models.py:8: skipped, syntax error"]


# --- change-based ------------------------------------------------------------------------------


def test_change_staged_model_edit_with_migration_no_finding(git_repo: Path) -> None:
    write(git_repo, app())
    git_commit(git_repo)
    write(git_repo, {"shop/models.py": MODELS_STOCK, "shop/migrations/0002_stock.py": ADD_STOCK})
    git(git_repo, "add", "-A")
    assert check_static(["shop/models.py", "shop/migrations/0002_stock.py"], None) == []


def test_change_staged_model_edit_without_migration_finding(git_repo: Path) -> None:
    write(git_repo, app())
    git_commit(git_repo)
    write(git_repo, {"shop/models.py": MODELS_STOCK})
    git(git_repo, "add", "-A")
    assert [f.text() for f in check_static(["shop/models.py"], None)] == [
        f"shop/models.py:7:5: DMH102 shop.Product: field stock added, no migration {HINT}"
    ]


def test_change_unstaged_edit_is_not_part_of_the_commit(git_repo: Path) -> None:
    write(git_repo, app())
    git_commit(git_repo)
    write(git_repo, {"shop/admin.py": "# admin\n"})
    git(git_repo, "add", "-A")
    write(git_repo, {"shop/models.py": MODELS_STOCK})  # not staged
    assert check_static(["shop/admin.py"], None) == []


def test_change_first_commit_models_without_migrations_finding(git_repo: Path) -> None:
    files = app()
    del files["shop/migrations/0001_initial.py"]
    write(git_repo, files)
    git(git_repo, "add", "-A")
    assert [f.text() for f in check_static(sorted(files), None)] == [
        f"shop/models.py:4:1: DMH102 shop.Product: model added, no migration {HINT}"
    ]


def test_change_first_commit_with_migrations_no_finding(git_repo: Path) -> None:
    files = app()
    write(git_repo, files)
    git(git_repo, "add", "-A")
    assert check_static(sorted(files), None) == []


def test_change_pushed_range_finding(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(git_repo, app())
    base = git_commit(git_repo)
    write(git_repo, {"shop/models.py": MODELS_STOCK})
    git_commit(git_repo, "model")
    write(git_repo, {"README.md": "docs\n"})
    head = git_commit(git_repo, "docs")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    assert [f.text() for f in check_static(["README.md"], None)] == [
        f"shop/models.py:7:5: DMH102 shop.Product: field stock added, no migration {HINT}"
    ]


def test_change_pushed_range_with_migration_no_finding(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(git_repo, app())
    base = git_commit(git_repo)
    write(git_repo, {"shop/models.py": MODELS_STOCK})
    git_commit(git_repo, "model")
    write(git_repo, {"shop/migrations/0002_stock.py": ADD_STOCK})
    head = git_commit(git_repo, "migration")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    assert check_static([], None) == []


def test_change_base_compares_the_working_tree(git_repo: Path) -> None:
    write(git_repo, app())
    git_commit(git_repo)
    git(git_repo, "checkout", "-q", "-b", "feature")
    write(git_repo, {"shop/models.py": MODELS.replace("max_length=100", "max_length=80")})
    assert [f.text() for f in check_static([], "main")] == [
        "shop/models.py:5:5: DMH102 shop.Product: field name changed (max_length), no migration "
        f"{HINT}"
    ]


def test_change_unknown_base_error(git_repo: Path) -> None:
    write(git_repo, app())
    git_commit(git_repo)
    with pytest.raises(HookError, match="--base nope: no such commit"):
        check_static([], "nope")


def test_change_syntax_error_after_no_finding(git_repo: Path) -> None:
    write(git_repo, app())
    git_commit(git_repo)
    write(git_repo, {"shop/models.py": MODELS_STOCK + "    def broken(:\n"})
    git(git_repo, "add", "-A")
    problems: list[str] = []
    assert check_static(["shop/models.py"], None, problems) == []
    assert problems == ["shop/models.py:8: skipped, syntax error"]


def test_change_abstract_base_in_other_app_finding(git_repo: Path) -> None:
    base = (
        "from django.db import models\n\n\n"
        "class Stamped(models.Model):\n"
        "    created = models.DateTimeField(auto_now_add=True)\n\n"
        "    class Meta:\n        abstract = True\n"
    )
    files = app(
        MODELS.replace("models.Model", "Stamped").replace(
            "from django.db import models\n",
            "from django.db import models\n\nfrom common.mixins import Stamped\n",
        ),
        initial=INITIAL.replace(
            '                ("name"',
            '                ("created", models.DateTimeField(auto_now_add=True)),\n'
            '                ("name"',
        ),
    ) | {"common/__init__.py": "", "common/mixins.py": base}
    write(git_repo, files)
    git_commit(git_repo)
    assert check_static([], None) == []  # state-based: consistent
    write(git_repo, {"common/mixins.py": base.replace("auto_now_add=True", "auto_now=True")})
    git(git_repo, "add", "-A")
    assert [f.text() for f in check_static(["common/mixins.py"], None)] == [
        "common/mixins.py:5:5: DMH102 shop.Product: field created changed (auto_now, "
        f"auto_now_add), no migration {HINT}"
    ]


@pytest.mark.parametrize(
    ("env", "filenames", "staged", "expected"),
    [
        pytest.param({}, ["shop/models.py"], True, "staged changes", id="commit_time"),
        pytest.param({}, ["shop/models.py", "shop/apps.py"], True, None, id="not_all_staged"),
        pytest.param({}, [], True, None, id="no_filenames"),
        pytest.param({}, ["shop/models.py"], False, None, id="nothing_staged"),
    ],
)
def test_known_change_selection(
    git_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    filenames: list[str],
    staged: bool,
    expected: str | None,
) -> None:
    write(git_repo, app())
    git_commit(git_repo)
    if staged:
        write(git_repo, {"shop/models.py": MODELS_STOCK})
        git(git_repo, "add", "-A")
    change = known_change(filenames, None)
    assert (change.why if change else None) == expected


def test_rules_static_codes() -> None:
    assert [r.code for r in RULES_STATIC] == ["DMH102", "DMH103"]
    assert all(r.hook == "check-missing-migrations" and r.why and r.fix for r in RULES_STATIC)


def test_change_model_moved_into_a_block_no_finding(git_repo: Path) -> None:
    write(git_repo, app())
    git_commit(git_repo)
    conditional = "if True:\n\n" + "".join(
        f"    {line}\n" if line else "\n" for line in MODELS.partition("\n\n\n")[2].splitlines()
    )
    write(git_repo, {"shop/models.py": "from django.db import models\n\n\n" + conditional})
    git(git_repo, "add", "-A")
    assert check_static(["shop/models.py"], None) == []


def test_state_parallel_reading_same_findings(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(git_repo, app(MODELS_STOCK, ("0002_other", ADD_STOCK.replace('"stock"', '"other"'))))
    git_commit(git_repo)
    expected = [
        f"shop/models.py:4:1: DMH103 shop.Product: field other is in migrations but not in "
        f"the model {HINT}",
        f"shop/models.py:7:5: DMH103 shop.Product: field stock is in no migration {HINT}",
    ]
    assert run_state() == expected
    monkeypatch.setattr(static_state, "PARALLEL_MIGRATIONS", 1)
    assert run_state() == expected


def test_in_child_runs_in_another_process_when_safe(git_repo: Path) -> None:
    import os
    import threading

    def label(tree: object, apps: object) -> dict[str, AppState]:
        return {"pid": AppState(str(os.getpid()))}

    result = static_state._in_child(label, DiskTree([]), [])()
    single = threading.active_count() == 1 and hasattr(os, "fork")
    assert (result["pid"].label != str(os.getpid())) is single
