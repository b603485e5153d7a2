"""djangoread.operations, .state: operations read fast or with ast, and the state they build."""

from __future__ import annotations

import ast

import pytest

from django_migration_hooks.djangoread.migrations import parse_migration
from django_migration_hooks.djangoread.operations import (
    Op,
    op_from_call,
    read_operations,
    scan_operations,
)
from django_migration_hooks.djangoread.state import AppState, Replay, build_state

WRITER = """\
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Item',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ('name', models.CharField(choices=[('a', 'A'), ('b', 'B')], max_length=10)),
            ],
            options={
                'ordering': ['name'],
                'managed': False,
            },
        ),
        migrations.AddField(
            model_name='item',
            name='parent',
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                to='shop.item',
            ),
        ),
        migrations.RunPython(
            code=migrations.RunPython.noop,
        ),
    ]
"""

BLACK = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Proxy",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": []},
            bases=("shop.item",),
        ),
        migrations.RenameField(
            model_name="item",
            old_name="name",
            new_name="title",
        ),
        migrations.AlterModelOptions(
            name="item",
            options={"managed": True},
        ),
    ]
"""


def ast_ops(text: str) -> list[Op]:
    migration = parse_migration("shop/migrations/0001_x.py", text)
    assert migration is not None
    return [op_from_call(call) for call in migration.operations]


@pytest.mark.parametrize(
    "text", [pytest.param(WRITER, id="writer"), pytest.param(BLACK, id="black")]
)
def test_scan_matches_ast(text: str) -> None:
    scanned = scan_operations(text)
    assert scanned is not None
    assert scanned == ast_ops(text)


def test_scan_reads_fields_and_flags() -> None:
    scanned = scan_operations(WRITER)
    assert scanned is not None
    create = scanned[0]
    assert (create.kind, create.line, create.col, dict(create.args)) == (
        "CreateModel",
        13,
        9,
        {"name": "Item"},
    )
    assert create.fields == (("id", 16, 17), ("name", 17, 17))
    assert (create.proxy, create.managed) == (None, False)
    assert [op.kind for op in scanned] == ["CreateModel", "AddField", "RunPython"]


UNUSUAL = [
    pytest.param(
        WRITER.replace(
            "        migrations.AddField(", "        # note\n        migrations.AddField("
        ),
        id="comment",
    ),
    pytest.param(WRITER.replace("model_name='item',", "'item',"), id="positional"),
    pytest.param(WRITER.replace("    operations = [", "    operations = OPS + ["), id="computed"),
    pytest.param(WRITER.replace("name='parent',", "name=NAME,"), id="name_not_literal"),
    pytest.param(
        BLACK.replace("migrations.RenameField(", "migrations.SeparateDatabaseAndState(", 1),
        id="separate_database_and_state",
    ),
]


@pytest.mark.parametrize("text", UNUSUAL)
def test_scan_unusual_shape_falls_back(text: str) -> None:
    assert scan_operations(text) is None


def replay(*migrations: str) -> dict[str, AppState]:
    items = []
    for number, text in enumerate(migrations):
        path = f"shop/migrations/{number:04d}_x.py"
        parsed = parse_migration(path, text, app_label="shop")
        assert parsed is not None
        operations, problem = read_operations(parsed, text)
        items.append(Replay("shop", path, operations, problem))
    return build_state(items)


def migration(*operations: str) -> str:
    body = "".join(f"        {op},\n" for op in operations)
    return (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    operations = [\n{body}    ]\n"
    )


def test_state_replays_model_and_field_operations() -> None:
    states = replay(
        WRITER,
        BLACK,
        migration(
            'migrations.RenameModel("Item", "Thing")',
            'migrations.AddField("thing", "size", models.IntegerField())',
            'migrations.RemoveField(model_name="thing", name="parent")',
            'migrations.DeleteModel("Proxy")',
        ),
    )
    shop = states["shop"]
    assert shop.uncertain == ""
    assert sorted(shop.models) == ["thing"]
    thing = shop.models["thing"]
    assert (thing.name, thing.managed, thing.proxy) == ("Thing", True, False)
    assert thing.fields == {
        "id": ("shop/migrations/0000_x.py", 16, 17),
        "title": ("shop/migrations/0000_x.py", 17, 17),
        "size": ("shop/migrations/0002_x.py", 7, 9),
    }
    assert (thing.path, thing.line) == ("shop/migrations/0002_x.py", 6)


UNCERTAIN = [
    pytest.param(
        migration("CustomOperation()"),
        "shop/migrations/0001_x.py:6: operation CustomOperation is not understood",
        id="custom_operation",
    ),
    pytest.param(
        migration('migrations.AddField("ghost", "x", models.IntegerField())'),
        "shop/migrations/0001_x.py:6: AddField on a model no migration creates",
        id="unknown_model",
    ),
    pytest.param(
        migration('migrations.CreateModel("A", FIELDS)'),
        "shop/migrations/0001_x.py:6: CreateModel: fields are not a literal list",
        id="fields_not_literal",
    ),
    pytest.param(
        migration("migrations.DeleteModel(name=NAME)"),
        "shop/migrations/0001_x.py:6: DeleteModel names are not literals",
        id="name_not_literal",
    ),
    pytest.param(
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        "    operations = []\n    operations += EXTRA\n",
        "shop/migrations/0001_x.py: operations are changed dynamically",
        id="augmented",
    ),
]


@pytest.mark.parametrize(("text", "why"), UNCERTAIN)
def test_state_not_understood_is_uncertain(text: str, why: str) -> None:
    assert replay(WRITER, text)["shop"].uncertain == why


def test_separate_database_and_state_uses_state_operations() -> None:
    text = migration(
        "migrations.SeparateDatabaseAndState(database_operations=[migrations.RunSQL('x')], "
        "state_operations=[migrations.AddField('item', 'extra', models.IntegerField())])"
    )
    ops = ast_ops(text)
    assert ops[0].inner is not None
    assert [op.kind for op in ops[0].inner] == ["AddField"]
    assert "extra" in replay(WRITER, text)["shop"].models["item"].fields


def test_op_from_call_positional_arguments() -> None:
    call = ast.parse('migrations.RenameField("item", "a", "b")', mode="eval").body
    assert isinstance(call, ast.Call)
    assert dict(op_from_call(call).args) == {"model_name": "item", "old_name": "a", "new_name": "b"}
