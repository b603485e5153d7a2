from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.djangoread.apps import (
    App,
    app_label,
    concrete_models,
    defines_models,
    find_apps,
    is_django_migrations_dir,
    project_apps,
)
from django_migration_hooks.djangoread.listing import (
    is_skipped,
    list_repository,
    real_path,
    repo_files,
    tracked_files,
)
from tests.conftest import git, write

MODELS = (
    "from django.db import models\n\n\nclass Post(models.Model):\n    title = models.TextField()\n"
)
MIGRATION = (
    "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = []\n    operations = []\n"
)
APPS = "from django.apps import AppConfig\n\n\nclass BlogConfig(AppConfig):\n    name = 'blog'\n"
ALEMBIC_ENV = "from alembic import context\n"
SQLA_MODELS = "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n"


def apps_in(root: Path, files: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[App]:
    write(root, files)
    monkeypatch.chdir(root)
    return find_apps(sorted(files))


def test_app_with_models_and_migrations_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps = apps_in(
        tmp_path,
        {
            "blog/__init__.py": "",
            "blog/models.py": MODELS,
            "blog/apps.py": APPS,
            "blog/migrations/__init__.py": "",
            "blog/migrations/0001_initial.py": MIGRATION,
            "blog/migrations/0002_post_title.py": MIGRATION,
            "blog/migrations/__pycache__/0001_initial.cpython-311.pyc": "",
        },
        monkeypatch,
    )
    assert apps == [
        App(
            path="blog",
            label="blog",
            models=["blog/models.py"],
            migrations_dir="blog/migrations",
            has_init=True,
            migrations=["blog/migrations/0001_initial.py", "blog/migrations/0002_post_title.py"],
            apps_py="blog/apps.py",
        )
    ]
    assert apps[0].future_migration() == "blog/migrations/0003_auto.py"


def test_models_package_without_migrations_is_an_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps = apps_in(
        tmp_path,
        {
            "src/shop/models/__init__.py": "from .order import *\n",
            "src/shop/models/order.py": MODELS,
        },
        monkeypatch,
    )
    assert apps == [
        App(
            path="src/shop",
            label="shop",
            models=["src/shop/models/__init__.py", "src/shop/models/order.py"],
            migrations_dir=None,
            has_init=False,
            migrations=[],
            apps_py=None,
        )
    ]
    assert apps[0].future_migration() == "src/shop/migrations/0001_initial.py"


def test_repository_root_can_be_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "django-reusable"
    apps = apps_in(
        root,
        {
            "models.py": MODELS,
            "apps.py": APPS.replace("'blog'", "'reusable.core'"),
            "migrations/__init__.py": "",
            "migrations/0001_initial.py": MIGRATION,
        },
        monkeypatch,
    )
    assert [(a.path, a.label, a.migrations_dir, a.join("migrations")) for a in apps] == [
        ("", "core", "migrations", "migrations")
    ]


def test_migrations_folder_without_init_is_reported_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps = apps_in(
        tmp_path,
        {"blog/models.py": MODELS, "blog/migrations/0001_initial.py": MIGRATION},
        monkeypatch,
    )
    assert [(a.migrations_dir, a.has_init, a.migrations) for a in apps] == [
        ("blog/migrations", False, ["blog/migrations/0001_initial.py"])
    ]


def test_migrations_folder_alone_is_an_app_when_it_holds_django_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps = apps_in(tmp_path, {"legacy/migrations/0001_initial.py": MIGRATION}, monkeypatch)
    assert [(a.path, a.label) for a in apps] == [("legacy", "legacy")]


@pytest.mark.parametrize(
    "files",
    (
        pytest.param(
            {"db/migrations/V1__init.sql": "create table x();\n", "db/flyway.conf": ""},
            id="flyway",
        ),
        pytest.param(
            {
                "models.py": SQLA_MODELS,
                "migrations/env.py": ALEMBIC_ENV,
                "migrations/script.py.mako": "",
                "migrations/alembic.ini": "",
                "migrations/versions/abc_init.py": "revision = 'abc'\n",
            },
            id="flask-migrate-next-to-sqlalchemy-models",
        ),
        pytest.param(
            {"alembic/env.py": ALEMBIC_ENV, "alembic/versions/abc.py": "revision = 'a'\n"},
            id="alembic",
        ),
        pytest.param({"api/models.py": "from pydantic import BaseModel\n"}, id="pydantic-models"),
        pytest.param({".venv/lib/django/contrib/auth/models.py": MODELS}, id="venv"),
        pytest.param(
            {"env/pyvenv.cfg": "", "env/lib/python3.11/x/models.py": MODELS}, id="env-with-cfg"
        ),
        pytest.param({"lib/site-packages/blog/models.py": MODELS}, id="site-packages"),
        pytest.param({"node_modules/x/models.py": MODELS}, id="node-modules"),
        pytest.param({".tox/py311/blog/models.py": MODELS}, id="tox"),
        pytest.param({"scripts/migrations/run.sh": "#!/bin/sh\n"}, id="shell-migrations"),
    ),
)
def test_not_a_django_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]
) -> None:
    assert apps_in(tmp_path, files, monkeypatch) == []


def test_monorepo_with_two_projects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apps = apps_in(
        tmp_path,
        {
            "services/a/core/models.py": MODELS,
            "services/a/core/migrations/__init__.py": "",
            "services/b/core/models.py": MODELS,
            "services/b/core/apps.py": APPS.replace("name = 'blog'", "label = 'b_core'"),
            "services/b/core/migrations/__init__.py": "",
            "env/models.py": MODELS,  # a folder named env without pyvenv.cfg is not a virtualenv
        },
        monkeypatch,
    )
    assert [(a.path, a.label) for a in apps] == [
        ("env", "env"),
        ("services/a/core", "core"),
        ("services/b/core", "b_core"),
    ]


@pytest.mark.parametrize(
    ("apps_py", "label"),
    (
        pytest.param(None, "blog", id="no-apps-py"),
        pytest.param("class C(AppConfig):\n    name = 'project.blog'\n", "blog", id="dotted-name"),
        pytest.param(
            "class C(AppConfig):\n    name = 'project.blog'\n    label = \"news\"\n",
            "news",
            id="label-wins",
        ),
        pytest.param("class C(AppConfig):\n    label: str = 'typed'\n", "typed", id="annotated"),
    ),
)
def test_app_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps_py: str | None, label: str
) -> None:
    write(tmp_path, {"blog/models.py": MODELS, **({"blog/apps.py": apps_py} if apps_py else {})})
    monkeypatch.chdir(tmp_path)
    assert app_label("blog") == label


def test_is_django_migrations_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path,
        {
            "a/migrations/0001_initial.py": MIGRATION,
            "b/migrations/env.py": ALEMBIC_ENV,
            "b/migrations/script.py.mako": "",
            "c/migrations/V1.sql": "",
        },
    )
    monkeypatch.chdir(tmp_path)
    paths = ["a/migrations/0001_initial.py", "b/migrations/env.py", "b/migrations/script.py.mako"]
    assert is_django_migrations_dir("a/migrations", paths)
    assert not is_django_migrations_dir("b/migrations", paths)
    assert not is_django_migrations_dir("c/migrations", ["c/migrations/V1.sql"])


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(MODELS, [("Post", 4)], id="concrete"),
        pytest.param(
            "class Base(models.Model):\n    class Meta:\n        abstract = True\n",
            [],
            id="abstract",
        ),
        pytest.param(
            "class P(Post):\n    pass\nclass Q(models.Model):\n    class Meta:\n"
            "        proxy = True\n",
            [],
            id="proxy-and-unknown-base",
        ),
        pytest.param("class U(AbstractUser):\n    pass\n", [("U", 1)], id="custom-user"),
        pytest.param("class U(TimeStampedModel):\n    pass\n", [("U", 1)], id="model-suffix"),
        pytest.param("def broken(:\n", [], id="syntax-error"),
        pytest.param(
            "import pydantic\nclass ItemIn(pydantic.BaseModel):\n    name: str\n",
            [],
            id="pydantic-attribute-base",
        ),
        pytest.param(
            "from pydantic import BaseModel\nclass ItemIn(BaseModel):\n    pass\n"
            "class ItemOut(ItemIn):\n    pass\n",
            [],
            id="pydantic-name-base-and-subclass",
        ),
        pytest.param(
            "from sqlmodel import SQLModel\nclass Hero(SQLModel):\n    pass\n",
            [],
            id="sqlmodel",
        ),
        pytest.param(
            "from django.db import models\nclass Stamped(models.Model):\n    class Meta:\n"
            "        abstract = True\nclass Note(Stamped):\n    pass\n",
            [("Note", 5)],
            id="local-abstract-base",
        ),
        pytest.param(
            "from django.db import models\nclass Note(Stamped):\n    pass\n"
            "class Stamped(models.Model):\n    class Meta:\n        abstract = True\n",
            [("Note", 2)],
            id="local-abstract-base-defined-later",
        ),
    ),
)
def test_concrete_models(source: str, expected: list[tuple[str, int]]) -> None:
    assert concrete_models(source) == expected
    assert defines_models(source) is bool(expected)


@pytest.mark.parametrize(
    ("path", "skipped"),
    (
        ("blog/models.py", False),
        ("blog/migrations/0001_initial.py", False),
        ("venv/lib/blog/models.py", True),
        ("x/node_modules/y/models.py", True),
        ("pkg.egg-info/models.py", True),
        ("blog/__pycache__/models.py", True),
        ("build", False),
    ),
)
def test_is_skipped(path: str, skipped: bool) -> None:
    assert is_skipped(path) is skipped


def test_repo_files_lists_ignored_migrations_but_not_ignored_virtualenvs(git_repo: Path) -> None:
    write(
        git_repo,
        {
            ".gitignore": "migrations/\n.venv/\nlocal/\n",
            "blog/models.py": MODELS,
            "blog/migrations/__init__.py": "",
            "blog/migrations/0001_initial.py": MIGRATION,
            ".venv/pyvenv.cfg": "",
            ".venv/lib/django/contrib/auth/migrations/0001_initial.py": MIGRATION,
            "local/venv2/pyvenv.cfg": "",
            "local/venv2/lib/x/models.py": MODELS,
            "local/notes.txt": "",
            "tracked.txt": "",
        },
    )
    git(git_repo, "add", "tracked.txt", ".gitignore")
    assert repo_files() == [
        ".gitignore",
        "blog/migrations/0001_initial.py",
        "blog/migrations/__init__.py",
        "blog/models.py",
        "local/notes.txt",
        "tracked.txt",
    ]
    assert "blog/migrations/__init__.py" not in repo_files(ignored=False)


def test_untracked_build_output_is_not_listed_but_a_tracked_build_app_is(git_repo: Path) -> None:
    write(
        git_repo,
        {
            "build/models.py": MODELS,
            "build/migrations/__init__.py": "",
            "dist/blog/models.py": MODELS,
            "out/build/lib/shop/models.py": MODELS,
            "out/dist/shop/models.py": MODELS,
        },
    )
    git(git_repo, "add", "build")
    files = repo_files()
    assert files == ["build/migrations/__init__.py", "build/models.py"]
    assert [app.path for app in find_apps(files)] == ["build"]


def test_apps_whole_inside_an_ignored_folder_are_not_project_apps(git_repo: Path) -> None:
    write(
        git_repo,
        {
            ".gitignore": "/tmp/\n/vendor/\n",
            "blog/models.py": MODELS,
            "tmp/old/shop/models.py": MODELS,
            "tmp/old/shop/migrations/__init__.py": "",
            "vendor/kept/models.py": MODELS,
            "vendor/kept/migrations/__init__.py": "",
            "vendor/other/models.py": MODELS,
        },
    )
    git(git_repo, "add", ".gitignore", "blog")
    git(git_repo, "add", "-f", "vendor/kept/models.py")
    listing = list_repository()
    assert "tmp/old/shop/models.py" in listing.files
    apps = project_apps(find_apps(listing.files), listing)
    assert [app.path for app in apps] == ["blog", "vendor/kept"]


@pytest.mark.parametrize(
    "packages",
    (
        pytest.param("lib", id="pip-install-target"),
        pytest.param("__pypackages__/3.11/lib", id="pep582"),
    ),
)
def test_ignored_installed_packages_are_not_walked(git_repo: Path, packages: str) -> None:
    write(
        git_repo,
        {
            ".gitignore": "/lib/\n__pypackages__/\n",
            f"{packages}/django/__init__.py": "",
            f"{packages}/django/contrib/auth/models.py": MODELS,
            f"{packages}/django/contrib/auth/migrations/0001_initial.py": MIGRATION,
            f"{packages}/Django-5.2.dist-info/METADATA": "",
            f"{packages}/other/models.py": MODELS,
        },
    )
    git(git_repo, "add", ".gitignore")
    assert repo_files() == [".gitignore"]


def test_tracked_symlink_to_a_migrations_folder_lists_the_target_files(git_repo: Path) -> None:
    write(
        git_repo,
        {
            "blog/models.py": MODELS,
            "shared/blog_migrations/__init__.py": "",
            "shared/blog_migrations/0001_initial.py": MIGRATION,
        },
    )
    (git_repo / "blog" / "migrations").symlink_to("../shared/blog_migrations")
    git(git_repo, "add", ".")
    files, links = tracked_files()
    assert links == {"blog/migrations": "shared/blog_migrations"}
    assert files == [
        "blog/migrations",
        "blog/migrations/0001_initial.py",
        "blog/migrations/__init__.py",
        "blog/models.py",
        "shared/blog_migrations/0001_initial.py",
        "shared/blog_migrations/__init__.py",
    ]
    assert real_path("blog/migrations/0002_x.py", links) == "shared/blog_migrations/0002_x.py"
    assert real_path("blog/models.py", links) == "blog/models.py"
    [app] = find_apps(files)
    assert (app.path, app.migrations) == ("blog", ["blog/migrations/0001_initial.py"])
