"""djangoread.migrations, .scan, .graph: migration files read with ast, and their graph."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from django_migration_hooks.djangoread.graph import Graph, load_graph
from django_migration_hooks.djangoread.migrations import (
    Dependency,
    MigrationFile,
    find_migration_files,
    is_migration_path,
    parse_migration,
    read_settings,
)
from django_migration_hooks.djangoread.scan import scan_migration
from tests.conftest import write

HEADER = "from django.conf import settings\nfrom django.db import migrations, models\n\n\n"


def source(body: str) -> str:
    return HEADER + textwrap.dedent(body).lstrip("\n")


def migration(
    app: str,
    name: str,
    deps: tuple[tuple[str, str], ...] = (),
    *,
    replaces: tuple[tuple[str, str], ...] = (),
    run_before: tuple[tuple[str, str], ...] = (),
) -> MigrationFile:
    parsed = parse_migration(
        f"{app}/migrations/{name}.py",
        "class Migration(migrations.Migration):\n"
        f"    dependencies = {list(deps)!r}\n"
        f"    replaces = {list(replaces)!r}\n"
        f"    run_before = {list(run_before)!r}\n",
    )
    assert parsed is not None
    return parsed


# --- parsing ------------------------------------------------------------------------------------


def test_generated_migration_fields_are_read() -> None:
    parsed = parse_migration(
        "shop/migrations/0002_order.py",
        source(
            """
            class Migration(migrations.Migration):
                initial = True
                atomic = False

                dependencies = [
                    ("shop", "0001_initial"),
                    migrations.swappable_dependency(settings.AUTH_USER_MODEL),
                ]
                replaces = [("shop", "0002_a"), ("shop", "0003_b")]
                run_before = [("billing", "0001_initial")]

                operations = [
                    migrations.CreateModel(name="Order", fields=[]),
                    migrations.RunPython(migrations.RunPython.noop),
                ]
            """
        ),
    )
    assert parsed is not None
    assert parsed.key == ("shop", "0002_order")
    assert parsed.dependencies == (("shop", "0001_initial"), ("auth", "__first__"))
    assert parsed.dependency_refs == (
        Dependency("shop", "0001_initial", 10, 9),
        Dependency("auth", "__first__", 11, 9, "AUTH_USER_MODEL"),
    )
    assert parsed.replaces == (("shop", "0002_a"), ("shop", "0003_b"))
    assert parsed.run_before == (("billing", "0001_initial"),)
    assert (parsed.initial, parsed.atomic) == (True, False)
    assert [ast.unparse(call.func) for call in parsed.operations] == [
        "migrations.CreateModel",
        "migrations.RunPython",
    ]
    assert (parsed.operations[0].lineno, parsed.operations[0].col_offset) == (17, 8)
    assert (parsed.line, parsed.col) == (5, 1)
    assert isinstance(parsed.tree, ast.Module)


@pytest.mark.parametrize(
    ("setting_value", "expected"),
    (
        pytest.param(None, ("auth", "__first__"), id="django-default-auth-user"),
        pytest.param("accounts.User", ("accounts", "__first__"), id="custom-user-model"),
    ),
)
def test_swappable_dependency_resolves_the_setting(
    setting_value: str | None, expected: tuple[str, str]
) -> None:
    swappable = {"AUTH_USER_MODEL": setting_value} if setting_value else {}
    parsed = parse_migration(
        "shop/migrations/0001_initial.py",
        source(
            """
            class Migration(migrations.Migration):
                dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
            """
        ),
        swappable=swappable,
    )
    assert parsed is not None
    assert parsed.dependencies == (expected,)


def test_unknown_swappable_setting_has_no_app() -> None:
    parsed = parse_migration(
        "shop/migrations/0001_initial.py",
        source(
            """
            class Migration(migrations.Migration):
                dependencies = [
                    migrations.swappable_dependency(settings.OAUTH2_PROVIDER_APPLICATION_MODEL),
                    migrations.swappable_dependency("billing.Invoice"),
                ]
            """
        ),
    )
    assert parsed is not None
    assert parsed.dependency_refs == (
        Dependency("", "__first__", 7, 9, "OAUTH2_PROVIDER_APPLICATION_MODEL"),
        Dependency("billing", "__first__", 8, 9),
    )


@pytest.mark.parametrize(
    "text",
    (
        pytest.param("from django.db import migrations\n", id="no-migration-class"),
        pytest.param("def Migration():\n    pass\n", id="function-not-class"),
        pytest.param("if True:\n    class Migration:\n        pass\n", id="not-top-level"),
        pytest.param(b"\0\0", id="null-bytes"),
    ),
)
def test_not_a_migration_is_none(text: str | bytes) -> None:
    assert parse_migration("shop/migrations/0001_x.py", text) is None
    assert (
        scan_migration("shop/migrations/0001_x.py", text if isinstance(text, str) else "") is None
    )


def test_syntax_error_elsewhere_is_only_seen_by_the_full_parse() -> None:
    text = (
        'class Migration(migrations.Migration):\n    dependencies = [("a", "0001_x")]\n    x = (\n'
    )
    assert parse_migration("shop/migrations/0002_x.py", text) is None
    scanned = scan_migration("shop/migrations/0002_x.py", text)
    assert scanned is not None
    assert scanned.dependencies == (("a", "0001_x"),)


def test_custom_base_class_and_last_definition_win() -> None:
    parsed = parse_migration(
        "shop/migrations/0002_x.py",
        source(
            """
            class Migration(migrations.Migration):
                dependencies = [("shop", "0000_old")]


            class Migration(BaseMigration):
                dependencies: list = [("shop", "0001_initial")]
                operations = [*EXTRA, migrations.DeleteModel("A")]
            """
        ),
    )
    assert parsed is not None
    assert parsed.dependencies == (("shop", "0001_initial"),)
    assert len(parsed.operations) == 1
    assert (parsed.initial, parsed.atomic) == (None, None)


def test_app_label_comes_from_the_folder_unless_given() -> None:
    text = "class Migration:\n    pass\n"
    assert parse_migration("src/shop/migrations/0001_a.py", text).app_label == "shop"  # type: ignore[union-attr]
    assert parse_migration("migrations/0001_a.py", text).app_label == "app"  # type: ignore[union-attr]
    parsed = parse_migration("src/shop/migrations/0001_a.py", text, app_label="store")
    assert parsed is not None
    assert parsed.key == ("store", "0001_a")


SCAN_CASES = (
    pytest.param(
        """
        class Migration(migrations.Migration):
            initial = True

            dependencies = [
            ]

            operations = [migrations.CreateModel(name="A", fields=[])]
        """,
        id="generated-initial",
    ),
    pytest.param(
        """
        class Migration(migrations.Migration):
            dependencies = [("shop", "0001_initial"), ('billing', '0003_x',)]
        """,
        id="one-line-pairs",
    ),
    pytest.param(
        """
        class Migration(migrations.Migration):
            dependencies = (("shop", "0001_initial"),)
            replaces = [
                ("shop", "0001_initial"),
                ("shop", "0002_b"),
            ]
            run_before = [("other", "0001_initial")]
            atomic = False  # slow
        """,
        id="tuple-replaces-run-before",
    ),
    pytest.param(
        """
        class Migration(migrations.Migration):
            dependencies = [
                ("shop", "0001_initial"),  # a comment with ] and ) in it
                migrations.swappable_dependency(settings.AUTH_USER_MODEL),
            ]
        """,
        id="comment-and-swappable",
    ),
    pytest.param(
        """
        class Migration(migrations.Migration):
            dependencies = [("shop", "0001_initial")] + EXTRA
        """,
        id="concatenation",
    ),
    pytest.param(
        """
        class Migration(migrations.Migration):
            dependencies = [("shop", "0001_initial")]
            dependencies += [("shop", "0002_b")]
        """,
        id="augmented-assignment",
    ),
    pytest.param(
        """
        def forwards(apps, schema_editor):
            dependencies = [("nope", "0001_x")]


        class Migration(migrations.Migration):
            dependencies = [("shop", "0001_initial")]
            operations = [migrations.RunPython(forwards)]
        """,
        id="function-before-class",
    ),
    pytest.param(
        """
        class Migration(migrations.Migration):
            '''Docstring.

            dependencies = [("nope", "0001_x")]
            '''
            dependencies = [("shop", "0001_initial")]
        """,
        id="docstring",
    ),
    pytest.param(
        """
        class Migration(migrations.Migration):
            dependencies = [("shop", "0001_initial")]

            class Nested:
                dependencies = [("nope", "0001_x")]
        """,
        id="nested-class",
    ),
    pytest.param(
        """
        class Migration(migrations.Migration):
            dependencies = [("shop", "0001_initial")]


        Migration.dependencies = [("shop", "0002_b")]
        """,
        id="statement-after-class",
    ),
    pytest.param(
        """
        class Migration(migrations.Migration):
            dependencies = [(APP, "0001_initial"), ("shop", "0002_b")]
            initial = INITIAL
        """,
        id="names-not-literals",
    ),
    pytest.param(
        """
        class Migration(migrations.Migration):
            dependencies = [("shop", "0001_\\u00e9"), ("shop", "0002_b")]
        """,
        id="escape-in-string",
    ),
    pytest.param(
        """
        class MigrationBase(migrations.Migration):
            atomic = False


        class Migration(MigrationBase):
            dependencies = [("shop", "0001_initial")]
        """,
        id="class-named-like-migration-first",
    ),
    pytest.param(
        '''
        """Module docstring, about class Migration(x) and its dependencies = [("a", "b")]."""


        class Migration(migrations.Migration):
            dependencies = [("shop", "0001_initial")]
        ''',
        id="module-docstring",
    ),
    pytest.param(
        """
        class Migration(
            migrations.Migration
        ):
            dependencies = [("shop", "0001_initial")]
        """,
        id="multi-line-class-header",
    ),
)


@pytest.mark.parametrize("body", SCAN_CASES)
def test_scan_reads_the_same_graph_fields_as_parse(body: str) -> None:
    text = source(body)
    path = "shop/migrations/0005_x.py"
    settings = {"AUTH_USER_MODEL": "accounts.User"}
    parsed = parse_migration(path, text, swappable=settings)
    scanned = scan_migration(path, text, swappable=settings)
    assert parsed is not None
    assert scanned is not None
    assert scanned._replace(operations=(), tree=None) == parsed._replace(operations=(), tree=None)


def test_scan_skips_the_full_parse_for_generated_files() -> None:
    text = source(
        """
        class Migration(migrations.Migration):
            dependencies = [("shop", "0001_initial")]
            operations = [migrations.DeleteModel("A")]
        """
    )
    scanned = scan_migration("shop/migrations/0002_x.py", text)
    assert scanned is not None
    assert (scanned.tree, scanned.operations) == (None, ())
    assert scanned.dependency_refs == (Dependency("shop", "0001_initial", 6, 21),)


@pytest.mark.parametrize(
    ("path", "expected"),
    (
        pytest.param("shop/migrations/0001_initial.py", True, id="migration"),
        pytest.param("migrations/0001_initial.py", True, id="app-at-root"),
        pytest.param("shop/migrations/__init__.py", False, id="init"),
        pytest.param("shop/migrations/_helpers.py", False, id="underscore"),
        pytest.param("shop/migrations/~0001_x.py", False, id="tilde"),
        pytest.param("shop/migrations/0001_initial.pyc", False, id="bytecode"),
        pytest.param("shop/migrations/versions/0001_x.py", False, id="nested-folder"),
        pytest.param("shop/migration/0001_x.py", False, id="other-folder"),
        pytest.param("shop/migrations/0001.x.py", False, id="dotted-name"),
    ),
)
def test_is_migration_path(path: str, expected: bool) -> None:
    assert is_migration_path(path) is expected


def test_find_migration_files_keeps_django_apps_only(git_repo: Path) -> None:
    files = {
        "shop/__init__.py": "",
        "shop/apps.py": "from django.apps import AppConfig\n\nclass ShopConfig(AppConfig):\n"
        '    name = "shop"\n',
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": source("class Migration(migrations.Migration):\n"),
        "shop/migrations/_old.py": "",
        "nsapp/models.py": "from django.db import models\n\nclass A(models.Model):\n    pass\n",
        "nsapp/migrations/0001_initial.py": source("class Migration(migrations.Migration):\n"),
        "alembic/migrations/env.py": "from alembic import context\n",
        "alembic/migrations/script.py.mako": "",
        "alembic/migrations/versions/abc_x.py": "revision = 'abc'\n",
    }
    write(git_repo, files)
    assert find_migration_files(files) == ["shop/migrations/0001_initial.py"]


def test_read_settings_finds_swappable_values(git_repo: Path) -> None:
    files = {
        "project/settings/base.py": 'AUTH_USER_MODEL = "accounts.User"\nDEBUG = False\n',
        "project/settings/prod.py": 'from .base import *\nOTHER_MODEL = "a.B"\n',
        "project/test_settings.py": 'OTHER_MODEL = "c.D"  # for tests\n',
        "project/models.py": 'AUTH_USER_MODEL = "ignored.Model"\n',
    }
    write(git_repo, files)
    assert read_settings(files) == {"AUTH_USER_MODEL": "accounts.User"}


# --- the graph ----------------------------------------------------------------------------------


def test_linear_history_has_one_leaf() -> None:
    graph = Graph(
        [
            migration("shop", "0001_initial"),
            migration("shop", "0002_b", (("shop", "0001_initial"),)),
            migration("shop", "0003_c", (("shop", "0002_b"),)),
        ]
    )
    assert graph.leaf_nodes() == [("shop", "0003_c")]
    assert graph.root_nodes() == [("shop", "0001_initial")]
    assert graph.conflicts() == {}
    assert graph.missing == []
    assert graph.cycles() == []
    assert graph.ordered() == [("shop", "0001_initial"), ("shop", "0002_b"), ("shop", "0003_c")]


def test_two_children_of_one_parent_conflict() -> None:
    graph = Graph(
        [
            migration("shop", "0001_initial"),
            migration("shop", "0002_b", (("shop", "0001_initial"),)),
            migration("shop", "0003_a", (("shop", "0002_b"),)),
            migration("shop", "0003_b", (("shop", "0002_b"),)),
            migration("shop", "0004_c", (("shop", "0003_b"),)),
        ]
    )
    assert graph.conflicts() == {"shop": [("shop", "0003_a"), ("shop", "0004_c")]}
    assert graph.common_parent([("shop", "0003_a"), ("shop", "0004_c")]) == ("shop", "0002_b")


def test_merge_migration_resolves_the_conflict() -> None:
    graph = Graph(
        [
            migration("shop", "0001_initial"),
            migration("shop", "0002_a", (("shop", "0001_initial"),)),
            migration("shop", "0002_b", (("shop", "0001_initial"),)),
            migration("shop", "0003_merge", (("shop", "0002_a"), ("shop", "0002_b"))),
        ]
    )
    assert graph.conflicts() == {}


def test_cross_app_child_does_not_make_a_leaf() -> None:
    graph = Graph(
        [
            migration("shop", "0001_initial"),
            migration("shop", "0002_b", (("shop", "0001_initial"),)),
            migration("billing", "0001_initial", (("shop", "0001_initial"),)),
        ]
    )
    assert graph.leaf_nodes("shop") == [("shop", "0002_b")]
    assert graph.conflicts() == {}


def test_squashed_migration_replaces_existing_files() -> None:
    graph = Graph(
        [
            migration("shop", "0001_initial"),
            migration("shop", "0002_b", (("shop", "0001_initial"),)),
            migration(
                "shop",
                "0001_squashed_0002_b",
                replaces=(("shop", "0001_initial"), ("shop", "0002_b")),
            ),
            migration("shop", "0003_c", (("shop", "0002_b"),)),
            migration("billing", "0001_initial", (("shop", "0001_initial"),)),
        ]
    )
    assert sorted(graph.nodes) == [
        ("billing", "0001_initial"),
        ("shop", "0001_squashed_0002_b"),
        ("shop", "0003_c"),
    ]
    assert graph.parents[("shop", "0003_c")] == {("shop", "0001_squashed_0002_b")}
    assert graph.parents[("billing", "0001_initial")] == {("shop", "0001_squashed_0002_b")}
    assert graph.replaced == {
        ("shop", "0001_initial"): ("shop", "0001_squashed_0002_b"),
        ("shop", "0002_b"): ("shop", "0001_squashed_0002_b"),
    }
    assert graph.conflicts() == {}
    assert graph.missing == []


def test_squashed_migration_satisfies_dependencies_on_deleted_files() -> None:
    graph = Graph(
        [
            migration(
                "shop",
                "0001_squashed_0002_b",
                replaces=(("shop", "0001_initial"), ("shop", "0002_b")),
            ),
            migration("shop", "0003_c", (("shop", "0002_b"),)),
        ]
    )
    assert graph.missing == []
    assert graph.leaf_nodes() == [("shop", "0003_c")]


def test_first_and_latest_resolve_to_the_other_apps_nodes() -> None:
    graph = Graph(
        [
            migration("shop", "0001_initial"),
            migration("shop", "0002_b", (("shop", "0001_initial"),)),
            migration("billing", "0001_initial", (("shop", "__first__"),)),
            migration("billing", "0002_c", (("billing", "0001_initial"), ("shop", "__latest__"))),
            migration("notes", "0001_initial", (("notes", "__first__"), ("auth", "__first__"))),
        ]
    )
    assert graph.parents[("billing", "0001_initial")] == {("shop", "0001_initial")}
    assert graph.parents[("billing", "0002_c")] == {("billing", "0001_initial"), ("shop", "0002_b")}
    assert graph.parents[("notes", "0001_initial")] == set()
    assert graph.missing == []


def test_run_before_makes_the_other_migration_depend_on_this_one() -> None:
    graph = Graph(
        [
            migration("shop", "0001_initial"),
            migration("billing", "0001_initial", run_before=(("shop", "0001_initial"),)),
        ]
    )
    assert graph.parents[("shop", "0001_initial")] == {("billing", "0001_initial")}


def test_missing_dependencies_are_reported_and_external_apps_ignored() -> None:
    graph = Graph(
        [
            migration("shop", "0001_initial", (("contenttypes", "0002_remove_content_type_name"),)),
            migration("shop", "0002_b", (("shop", "0001_inital"), ("billing", "0001_initial"))),
            migration("shop", "0003_c", (("shop", "0002_b"),), run_before=(("shop", "0009_x"),)),
        ],
        unmigrated_apps={"billing", "blog"},
    )
    assert [(m.migration.name, m.ref.key, m.field, m.reason) for m in graph.missing] == [
        ("0002_b", ("shop", "0001_inital"), "dependencies", "missing"),
        ("0002_b", ("billing", "0001_initial"), "dependencies", "unmigrated"),
        ("0003_c", ("shop", "0009_x"), "run_before", "missing"),
    ]
    # 0001_initial lost its only child to the typo: Django never gets this far
    assert graph.conflicts() == {"shop": [("shop", "0001_initial"), ("shop", "0003_c")]}


def test_cycles_across_apps_are_found() -> None:
    graph = Graph(
        [
            migration("shop", "0001_initial", (("billing", "0001_initial"),)),
            migration("billing", "0001_initial", (("shop", "0001_initial"),)),
            migration("notes", "0001_initial", (("notes", "0001_initial"),)),
            migration("ok", "0001_initial"),
        ]
    )
    assert graph.cycles() == [
        [("billing", "0001_initial"), ("shop", "0001_initial")],
        [("notes", "0001_initial")],
    ]
    assert graph.ordered()[0] == ("ok", "0001_initial")


def test_load_graph_reads_the_working_tree(git_repo: Path) -> None:
    files: dict[str, str | bytes] = {
        "project/settings.py": 'AUTH_USER_MODEL = "accounts.User"\n',
        "accounts/__init__.py": "",
        "accounts/models.py": "from django.db import models\n",
        "accounts/migrations/__init__.py": "",
        "accounts/migrations/0001_initial.py": source("class Migration(migrations.Migration):\n"),
        "shop/__init__.py": "",
        "shop/models.py": "from django.db import models\n",
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": source(
            """
            class Migration(migrations.Migration):
                dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
            """
        ),
        "shop/migrations/0002_bad.py": b"\xff\xfe",
    }
    write(git_repo, files)
    graph, problems = load_graph(files)
    assert problems == [
        "shop/migrations/0002_bad.py: not valid UTF-8 and no coding cookie, Python cannot read it"
    ]
    assert graph.nodes[("shop", "0002_bad")].broken
    assert graph.parents[("shop", "0001_initial")] == {("accounts", "0001_initial")}
