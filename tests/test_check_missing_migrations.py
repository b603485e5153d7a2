"""check-missing-migrations: discovery, relevance filter, result mapping, cache and errors.

These tests start no Django project (see tests/missing/test_django_tier.py for that), except the
end-to-end runs through the real pre-commit at the bottom.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from django_migration_hooks import _django, _git
from django_migration_hooks import check_missing_migrations as hook
from django_migration_hooks._config import Config, load_config
from django_migration_hooks._report import Finding, unsuppressed
from django_migration_hooks.check_missing_migrations import main
from django_migration_hooks.missing.cache import cache_read, cache_write, prune_cache
from django_migration_hooks.missing.discovery import find_projects, probe
from django_migration_hooks.missing.findings import findings_from_result
from django_migration_hooks.missing.once import once_per_run
from django_migration_hooks.missing.options import HOOK_ID, SCHEMA, options_from
from django_migration_hooks.missing.relevance import is_relevant
from django_migration_hooks.missing.runner.dmh_code_cache import file_clock
from django_migration_hooks.missing.storage import cache_dir
from django_migration_hooks.missing.tree import Tree
from tests.conftest import git, git_commit, git_init, run_pre_commit, try_repo, write


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PRE_COMMIT", raising=False)


# --- relevance ---------------------------------------------------------------------------------

APP_TREE = {
    "shop/models.py": "",
    "shop/views.py": "",
    "shop/api/serializers.py": "",
    "blog/apps.py": "",
    "blog/admin.py": "",
    "catalog/models/__init__.py": "",
    "legacy/migrations/__init__.py": "",
    "legacy/utils.py": "",
    "docs/conf.py": "",
    "scripts/deploy.py": "",
    "README.md": "",
}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("docs/conf.py", id="docs"),
        pytest.param("scripts/deploy.py", id="script"),
        pytest.param("README.md", id="markdown"),
        pytest.param("shop/templates/x.html", id="template"),
        pytest.param("shop/models.pyi", id="stub"),
    ],
)
def test_file_outside_apps_not_relevant(git_repo: Path, path: str) -> None:
    write(git_repo, APP_TREE)
    assert is_relevant(path) is False


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("shop/models.py", id="models"),
        pytest.param("shop/views.py", id="app-module"),
        pytest.param("shop/api/serializers.py", id="app-subpackage"),
        pytest.param("blog/admin.py", id="app-with-apps-py"),
        pytest.param("catalog/models/book.py", id="models-package"),
        pytest.param("legacy/utils.py", id="app-with-migrations"),
        pytest.param("proj/settings.py", id="settings"),
        pytest.param("proj/settings/prod.py", id="settings-package"),
        pytest.param("manage.py", id="manage"),
        pytest.param("proj/wsgi.py", id="wsgi"),
        pytest.param("requirements/base.txt", id="requirements-dir"),
        pytest.param("requirements-dev.txt", id="requirements"),
        pytest.param("pyproject.toml", id="pyproject"),
        pytest.param("poetry.lock", id="poetry-lock"),
        pytest.param("uv.lock", id="uv-lock"),
        pytest.param("Pipfile.lock", id="pipfile-lock"),
    ],
)
def test_file_of_app_settings_or_dependencies_relevant(git_repo: Path, path: str) -> None:
    write(git_repo, APP_TREE)
    assert is_relevant(path) is True


def test_no_relevant_file_returns_before_discovery(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # no settings anywhere: a run that got past the filter would fail in django mode
    write(git_repo, APP_TREE)
    assert main(["--mode", "django", "docs/conf.py", "README.md"]) == 0
    assert capsys.readouterr() == ("", "")


def test_relevant_file_without_project_django_mode_error(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, APP_TREE)
    assert main(["--mode", "django", "shop/models.py"]) == 2
    assert capsys.readouterr().err == (
        "check-missing-migrations: error: no Django settings found (no manage.py, wsgi.py, "
        "asgi.py or pytest DJANGO_SETTINGS_MODULE names one); or use --mode static\n"
    )


# --- settings discovery ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
            "proj.settings",
            id="setdefault",
        ),
        pytest.param(
            "import os\ndef main():\n    os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'config.settings.local')\n",
            "config.settings.local",
            id="inside-main",
        ),
        pytest.param(
            'import os\nos.environ["DJANGO_SETTINGS_MODULE"] = "a.settings"\n',
            "a.settings",
            id="assignment",
        ),
        pytest.param(
            'from os import environ\nenviron.setdefault("DJANGO_SETTINGS_MODULE", "b.s")\n',
            "b.s",
            id="from-os-import-environ",
        ),
        pytest.param(
            'import os\nos.environ.update(DJANGO_SETTINGS_MODULE="c.settings")\n',
            "c.settings",
            id="update",
        ),
    ],
)
def test_settings_from_entry_point_found(source: str, expected: str) -> None:
    assert _django.settings_from_python(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('os.environ.setdefault("OTHER", "x.settings")\n', id="other-variable"),
        pytest.param('os.environ.setdefault("DJANGO_SETTINGS_MODULE", NAME)\n', id="not-literal"),
        pytest.param("def broken(:\n", id="syntax-error"),
        pytest.param("", id="empty"),
    ],
)
def test_settings_from_entry_point_none(source: str) -> None:
    assert _django.settings_from_python(source) is None


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param(
            "pyproject.toml",
            '[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "proj.settings"\n',
            id="pyproject",
        ),
        pytest.param("pytest.ini", "[pytest]\nDJANGO_SETTINGS_MODULE = proj.settings\n", id="ini"),
        pytest.param(
            "setup.cfg", "[tool:pytest]\nDJANGO_SETTINGS_MODULE = proj.settings\n", id="setup-cfg"
        ),
        pytest.param("tox.ini", "[pytest]\nDJANGO_SETTINGS_MODULE=proj.settings\n", id="tox"),
    ],
)
def test_settings_from_pytest_config_found(git_repo: Path, name: str, text: str) -> None:
    write(git_repo, {name: text, "proj/__init__.py": "", "proj/settings.py": ""})
    assert _django.settings_from_pytest_config(name) == "proj.settings"
    assert _django.discover_projects() == [_django.Project(".", "proj.settings", name, None)]


def test_monorepo_projects_discovered(git_repo: Path) -> None:
    manage = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "{}")\n'
    write(
        git_repo,
        {
            "backend/manage.py": manage.format("config.settings.dev"),
            "backend/config/__init__.py": "",
            "backend/config/settings/__init__.py": "",
            "backend/config/settings/dev.py": "",
            # the same project's wsgi.py names other settings: manage.py wins
            "backend/config/wsgi.py": manage.format("config.settings.prod"),
            "backend/config/settings/prod.py": "",
            "services/api/src/api/__init__.py": "",
            "services/api/src/api/settings.py": "",
            "services/api/src/api/asgi.py": manage.format("api.settings"),
            # installed packages are not projects
            ".venv/lib/site-packages/x/manage.py": manage.format("x.settings"),
            "node_modules/y/manage.py": manage.format("y.settings"),
            # names a module that does not exist
            "tools/manage.py": manage.format("nowhere.settings"),
        },
    )
    assert _django.discover_projects() == [
        _django.Project("backend", "config.settings.dev", "backend/manage.py", "backend/manage.py"),
        _django.Project("services/api/src", "api.settings", "services/api/src/api/asgi.py", None),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("DJANGO_SETTINGS_MODULE=proj.settings\n", "proj.settings", id="plain"),
        pytest.param(
            "export DJANGO_SETTINGS_MODULE = 'proj.settings'\n", "proj.settings", id="export"
        ),
        pytest.param(
            'SECRET_KEY=x\nDJANGO_SETTINGS_MODULE="proj.dev" # local\n', "proj.dev", id="quoted"
        ),
        pytest.param("DJANGO_SETTINGS_MODULE=proj.dev  # local\n", "proj.dev", id="comment"),
        pytest.param(
            "DJANGO_SETTINGS_MODULE=proj.a\nDJANGO_SETTINGS_MODULE=proj.b\n", "proj.b", id="last"
        ),
        pytest.param("# DJANGO_SETTINGS_MODULE=proj.a\n", None, id="commented-out"),
        pytest.param("MY_DJANGO_SETTINGS_MODULE=proj.a\n", None, id="other-name"),
        pytest.param("DJANGO_SETTINGS_MODULE=\n", None, id="empty"),
    ],
)
def test_settings_from_dotenv(text: str, expected: str | None) -> None:
    assert _django.settings_from_dotenv(text.encode()) == expected


DOTENV_MANAGE = (
    "import os\nfrom dotenv import load_dotenv\n\nload_dotenv()\n"
    'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{}")\n'
)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            # babybuddy: manage.py loads .env and names no settings
            {"manage.py": "from dotenv import load_dotenv\n", ".env": "DMS=proj.dev\n"},
            _django.Project(".", "proj.dev", ".env", "manage.py"),
            id="manage-loads-dotenv",
        ),
        pytest.param(
            {"manage.py": DOTENV_MANAGE.format("proj.base"), ".env": "DMS=proj.dev\n"},
            _django.Project(".", "proj.dev", ".env", "manage.py"),
            id="dotenv-before-setdefault",
        ),
        pytest.param(
            # manage.py that never reads .env: its own default
            {
                "manage.py": DOTENV_MANAGE.format("proj.base").replace("dotenv", "x"),
                ".env": "DMS=proj.dev\n",
            },
            _django.Project(".", "proj.base", "manage.py", "manage.py"),
            id="manage-ignores-dotenv",
        ),
        pytest.param(
            {"src/x.py": "", ".env": "export DMS='proj.dev'\n"},
            _django.Project(".", "proj.dev", ".env", None),
            id="dotenv-alone",
        ),
    ],
)
def test_settings_from_dotenv_discovered(
    git_repo: Path, files: dict[str, str], expected: _django.Project
) -> None:
    files = {k: v.replace("DMS", "DJANGO_SETTINGS_MODULE") for k, v in files.items()}
    write(
        git_repo,
        {
            **files,
            "proj/__init__.py": "",
            "proj/base.py": "",
            "proj/dev.py": "",
            ".gitignore": ".env\n",
        },
    )
    assert _django.discover_projects() == [expected]


def test_explicit_settings_not_found_error(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {"shop/models.py": ""})
    assert main(["--mode", "django", "--settings", "proj.settings"]) == 2
    assert capsys.readouterr().err == (
        "check-missing-migrations: error: --settings: settings module 'proj.settings' not "
        "found in the repository; pass the project directory as --project DIR\n"
    )


def test_settings_from_environment_used(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(git_repo, {"src/proj/__init__.py": "", "src/proj/settings.py": ""})
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "proj.settings")
    opts = options_from(None, load_config(HOOK_ID, SCHEMA))
    assert find_projects(opts) == [
        _django.Project("src", "proj.settings", "DJANGO_SETTINGS_MODULE", None)
    ]


def test_configured_projects_used(git_repo: Path) -> None:
    write(
        git_repo,
        {
            "a/manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "pa.s")\n',
            "a/pa/__init__.py": "",
            "a/pa/s.py": "",
            "b/pb/__init__.py": "",
            "b/pb/settings.py": "",
            "pyproject.toml": "[tool.django-migration-hooks.check-missing-migrations]\n"
            'projects = ["a", "b:pb.settings"]\n',
        },
    )
    opts = options_from(None, load_config(HOOK_ID, SCHEMA))
    assert find_projects(opts) == [
        _django.Project("a", "pa.s", "a/manage.py", "a/manage.py"),
        _django.Project("b", "pb.settings", "projects", None),
    ]


def test_unknown_config_key_error(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        git_repo,
        {
            "shop/models.py": "",
            "pyproject.toml": "[tool.django-migration-hooks.check-missing-migrations]\n"
            'interpreter = "python3"\n',
        },
    )
    assert main(["shop/models.py"]) == 2
    assert capsys.readouterr().err == (
        "check-missing-migrations: error: pyproject.toml: "
        "[tool.django-migration-hooks.check-missing-migrations]: unknown key 'interpreter' "
        "(known: cache, env, exclude, ignore, ignore-apps, include-third-party, mode, projects, "
        "python, settings, timeout)\n"
    )


@pytest.mark.parametrize("value", ["NOEQUALS", "1BAD=x", "=x"])
def test_bad_env_option_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--env", value])
    assert exc.value.code == 2
    assert f"expected NAME=VALUE, got {value!r}" in capsys.readouterr().err


# --- interpreter discovery -------------------------------------------------------------------


def _fake_python(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 1\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_interpreters_in_discovery_order(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = git_repo.parent / "elsewhere" / "bin"
    _fake_python(bin_dir / "python3")
    _fake_python(git_repo / "backend" / "venv" / "bin" / "python")
    _fake_python(git_repo / ".venv" / "bin" / "python")
    _fake_python(git_repo / "env" / "bin" / "python")
    own_bin = os.path.dirname(sys.executable)
    monkeypatch.setenv("PATH", os.pathsep.join([own_bin, str(bin_dir)]))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    found = list(_django.interpreters("backend"))
    assert [(c.path, c.source) for c in found] == [
        ("backend/venv/bin/python", "backend/venv/"),
        ("./.venv/bin/python", "./.venv/"),
        ("./env/bin/python", "./env/"),
        (str(bin_dir / "python3"), "PATH"),
        (sys.executable, "the hook's own environment"),
    ]


def test_poetry_env_name_matches_poetry() -> None:
    # Poetry 2's EnvManager.generate_env_name("Shop API", "/srv/shop api/backend")
    assert _django.poetry_env_name("Shop API", "/srv/shop api/backend") == "shop_api-c3pbJCFq"


def test_poetry_and_pipenv_environments_discovered(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        git_repo,
        {
            # PEP 621 name; Poetry recognised by its lock file next to the project's pyproject
            "backend/pyproject.toml": '[project]\nname = "Shop API"\n',
            "backend/poetry.lock": "",
            "api/Pipfile": "",
        },
    )
    poetry_home = git_repo.parent / "poetry-envs"
    poetry_env = poetry_home / (_django.poetry_env_name("Shop API", "backend") + "-py3.11")
    _fake_python(poetry_env / "bin" / "python")
    _fake_python(poetry_home / "shop_api-zzzzzzzz-py3.11" / "bin" / "python")  # another checkout
    pipenv_home = git_repo.parent / "pipenv-envs"
    pipenv_env = pipenv_home / "api-AbCd1234"
    _fake_python(pipenv_env / "bin" / "python")
    (pipenv_env / ".project").write_text(str(git_repo / "api"))
    other = pipenv_home / "other-EfGh5678"
    _fake_python(other / "bin" / "python")
    (other / ".project").write_text(str(git_repo.parent / "elsewhere"))
    monkeypatch.setenv("POETRY_VIRTUALENVS_PATH", str(poetry_home))
    monkeypatch.setenv("WORKON_HOME", str(pipenv_home))
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    assert [(c.path, c.source) for c in _django.interpreters("backend")][:1] == [
        (str(poetry_env / "bin" / "python"), str(poetry_env))
    ]
    assert [(c.path, c.source) for c in _django.interpreters("api")][:1] == [
        (str(pipenv_env / "bin" / "python"), str(pipenv_env))
    ]


def test_explicit_python_only_candidate(git_repo: Path) -> None:
    assert list(_django.interpreters(".", "/opt/py/bin/python")) == [
        _django.Interpreter("/opt/py/bin/python", "--python", True)
    ]


def test_explicit_python_without_django_error(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    python = _fake_python(git_repo.parent / "nodjango" / "python")
    write(
        git_repo,
        {
            "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "p.s")\n',
            "p/__init__.py": "",
            "p/s.py": "",
        },
    )
    assert main(["--python", str(python)]) == 2
    assert capsys.readouterr().err == (
        f"check-missing-migrations: error: --python {python}: cannot import Django with it; "
        "pass the project's interpreter (the one that runs manage.py)\n"
    )


def test_configured_python_without_django_error(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_python(git_repo / "tools" / "py")
    write(
        git_repo,
        {
            "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "p.s")\n',
            "p/__init__.py": "",
            "p/s.py": "",
            "pyproject.toml": "[tool.django-migration-hooks.check-missing-migrations]\n"
            'python = "tools/py"\n',
        },
    )
    assert main([]) == 2
    assert capsys.readouterr().err == (
        "check-missing-migrations: error: config python tools/py: cannot import Django with "
        "it; pass the project's interpreter (the one that runs manage.py)\n"
    )


# --- mapping the runner's JSON ---------------------------------------------------------------


def _result(root: Path) -> dict[str, Any]:
    return {
        "django": "5.2",
        "command": "django.core",
        "questions": [{"kind": "not-null", "model": "product", "field": "stock"}],
        "apps": [
            {
                "label": "shop",
                "name": "shop",
                "path": str(root / "shop"),
                "first_party": True,
                "models_file": str(root / "shop" / "models.py"),
                "conflicts": [],
                "operations": [
                    {
                        "kind": "AddField",
                        "describe": "Add field stock to product",
                        "model": "Product",
                        "field": "stock",
                        "path": str(root / "shop" / "models.py"),
                        "line": 7,
                        "col": 5,
                    },
                    {
                        "kind": "DeleteModel",
                        "describe": "Delete model Old",
                        "model": "Old",
                        "field": None,
                        "path": None,
                        "line": 1,
                        "col": 1,
                    },
                    {
                        "kind": "AddIndex",
                        "describe": "Create index shop_name_idx on field(s) name of model product",
                        "model": "Product",
                        "field": None,
                        "path": str(root / "shop" / "models.py"),
                        "line": 4,
                        "col": 1,
                    },
                ],
            },
            {
                "label": "taggit",
                "name": "taggit",
                "path": "/venv/lib/site-packages/taggit",
                "first_party": False,
                "models_file": "/venv/lib/site-packages/taggit/models.py",
                "conflicts": [],
                "operations": [
                    {
                        "kind": "AlterField",
                        "describe": "Alter field name on tag",
                        "model": "Tag",
                        "field": "name",
                        "path": "/venv/lib/site-packages/taggit/models.py",
                        "line": 20,
                        "col": 5,
                    }
                ],
            },
        ],
    }


def test_result_mapped_to_findings(git_repo: Path) -> None:
    fix = "python manage.py makemigrations shop"
    found = findings_from_result(_result(git_repo), manage="manage.py", settings="p.s")
    assert [f.text() for f in sorted(found)] == [
        f"shop/models.py:1:1: DMH101 shop.Old: model removed, no migration (fix: {fix})",
        "shop/models.py:4:1: DMH101 shop.Product: create index shop_name_idx on field(s) name "
        f"of model product, no migration (fix: {fix})",
        "shop/models.py:7:5: DMH101 shop.Product: field stock added, no migration; "
        f"non-nullable without a default: makemigrations will ask for one (fix: {fix})",
    ]


def test_third_party_apps_only_when_asked(git_repo: Path) -> None:
    found = findings_from_result(
        _result(git_repo),
        manage=None,
        settings="p.s",
        include_third_party=True,
        ignore_apps=["shop"],
    )
    assert [f.text() for f in found] == [
        "/venv/lib/site-packages/taggit/models.py:20:5: DMH101 taggit.Tag: field name changed, "
        "no migration (fix: django-admin makemigrations taggit --settings=p.s)"
    ]


def test_noqa_on_model_line_suppresses(git_repo: Path) -> None:
    write(git_repo, {"shop/models.py": "\n" * 6 + "    stock = X()  # noqa: DMH101\n"})
    found = findings_from_result(_result(git_repo), manage="manage.py", settings="p.s")
    kept = unsuppressed(found, Config(), hook._work_tree)
    assert [(f.line, f.col) for f in sorted(kept)] == [(1, 1), (4, 1)]


# --- cache and repeated invocations ----------------------------------------------------------


def test_cache_round_trip(git_repo: Path) -> None:
    assert cache_read("ab" * 32) is None
    cache_write("ab" * 32, {"apps": []})
    assert cache_read("ab" * 32) == {"apps": []}
    directory = git_repo.parent / "cache" / "django-migration-hooks" / "results" / "ab"
    assert [p.name for p in directory.iterdir()] == ["ab" * 32 + ".json"]


def test_cache_pruned_of_files_unused_for_a_month(git_repo: Path) -> None:
    cache = git_repo.parent / "cache" / "django-migration-hooks"
    old: list[Path] = []
    recent: list[Path] = []
    for i, part in enumerate(("results/ab", "results/quick/cd", "probes", "code", "pycache/x")):
        for group, age in ((old, 40), (recent, 2)):
            path = cache / part / f"{age}-{i}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("")
            stamp = time.time() - age * 86400
            os.utime(path, (stamp, stamp))
            group.append(path)
    prune_cache()
    assert [p.exists() for p in old] == [False] * 5
    assert [p.exists() for p in recent] == [True] * 5
    (cache / "probes" / "40-2").write_text("")
    os.utime(cache / "probes" / "40-2", (0, 0))
    prune_cache()  # at most once a day
    assert (cache / "probes" / "40-2").exists()


def tree_digests() -> tuple[str, str]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        tree = Tree(pool)
        return tree.quick, tree.digest()


@pytest.mark.parametrize("where", ["myenv", "backend/.venv-3.12"])
def test_virtualenv_outside_gitignore_neither_hashed_nor_listed(git_repo: Path, where: str) -> None:
    write(git_repo, {"shop/models.py": "a = 1\n", "backend/app.py": ""})
    git_commit(git_repo)
    venv_file = f"{where}/lib/python3.12/site-packages/pkg/models.py"
    write(git_repo, {f"{where}/pyvenv.cfg": "home = /usr/bin\n", venv_file: "x = 1\n"})
    first = tree_digests()
    write(git_repo, {venv_file: "x = 2\n"})
    assert tree_digests() == first
    assert _git.virtualenvs() == [where]
    assert venv_file not in _git.ls_files("*.py", others=True)
    assert _git.untracked_files() == []
    write(git_repo, {"backend/new.py": ""})  # anything else untracked still counts
    assert tree_digests()[1] != first[1]
    assert _git.untracked_files() == ["backend/new.py"]


def test_tree_digest_follows_content(git_repo: Path) -> None:
    write(git_repo, {"shop/models.py": "a = 1\n", ".gitignore": ".env\n", ".env": "X=1\n"})
    git_commit(git_repo)
    first = tree_digests()
    assert tree_digests() == first
    seen = {first[1]}
    # quick: the index alone; the whole digest follows every change in the working tree
    write(git_repo, {"shop/models.py": "a = 2\n"})  # modified, not staged
    assert tree_digests()[0] == first[0]
    seen.add(tree_digests()[1])
    write(git_repo, {".env": "X=2\n"})  # ignored env file
    seen.add(tree_digests()[1])
    write(git_repo, {"docs/notes.txt": "x\n"})  # untracked, not Python: irrelevant
    assert tree_digests()[1] in seen
    write(git_repo, {"shop/views.py": "x = 1\n"})  # untracked Python
    seen.add(tree_digests()[1])
    write(git_repo, {"shop/apps.yaml": "apps: [shop]\n"})
    git_commit(git_repo)  # staged and committed: the index changes
    second = tree_digests()
    assert second[0] != first[0]
    seen.add(second[1])
    write(git_repo, {"shop/apps.yaml": "apps: [shop, blog]\n"})  # modified, not Python
    seen.add(tree_digests()[1])
    assert len(seen) == 6


def test_tree_sees_a_change_after_a_moment(git_repo: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    write(git_repo, {"shop/models.py": "a = 1\n", "shop/extra.py": "b = 1\n"})
    git_commit(git_repo)
    write(git_repo, {"shop/untracked.py": "c = 1\n"})
    time.sleep(0.1)  # file times tick coarsely: a write in the clock's own tick counts as after
    moment = file_clock(cache_dir())
    with ThreadPoolExecutor(max_workers=3) as pool:
        tree = Tree(pool)
        tree.digest()
        assert not tree.changed_since(moment)
    for path in ("shop/untracked.py", "shop/extra.py"):  # untracked, then tracked
        moment = file_clock(cache_dir())
        write(git_repo, {path: "changed = True\n"})  # while Django would be running
        with ThreadPoolExecutor(max_workers=3) as pool:
            tree = Tree(pool)
            tree.digest()
            assert tree.changed_since(moment), path


def test_tree_digest_follows_a_submodule_commit(git_repo: Path, tmp_path: Path) -> None:
    library = git_init(tmp_path / "library")
    write(library, {"vendored/models.py": "a = 1\n"})
    first = git_commit(library)
    write(library, {"vendored/models.py": "a = 2\n"})
    git_commit(library)
    git(git_repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "lib")
    git_commit(git_repo)
    before = tree_digests()
    git(git_repo / "lib", "checkout", "-q", first)
    after = tree_digests()
    assert after[0] == before[0] and after[1] != before[1]


def test_chunks_of_one_pre_commit_run_check_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRE_COMMIT", "1")
    with once_per_run("[]") as (earlier, record):
        assert earlier is None
        record(1)
    with once_per_run("[]") as (earlier, record):
        assert earlier == 1
    with once_per_run('["--ignore-app", "x"]') as (earlier, record):
        assert earlier is None


def test_outside_pre_commit_always_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(2):
        with once_per_run("[]") as (earlier, record):
            assert earlier is None
            record(1)


# --- static mode -----------------------------------------------------------------------------


def test_static_mode_delegates(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[list[str], str | None]] = []

    class Static:
        @staticmethod
        def check_static(
            filenames: Sequence[str], base: str | None, problems: list[str]
        ) -> list[Finding]:
            calls.append((list(filenames), base))
            return [Finding("shop/models.py", 3, 5, "DMH102", "shop.Product: x")]

    monkeypatch.setitem(sys.modules, "django_migration_hooks._static_check", Static)
    write(git_repo, {"shop/models.py": ""})
    assert main(["--mode", "static", "--base", "main", "shop/models.py"]) == 1
    assert calls == [(["shop/models.py"], "main")]
    assert capsys.readouterr().out == "shop/models.py:3:5: DMH102 shop.Product: x\n"


def test_auto_mode_without_settings_falls_back_with_notice(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Static:
        @staticmethod
        def check_static(
            filenames: Sequence[str], base: str | None, problems: list[str]
        ) -> list[Finding]:
            problems.append("shop/models.py: skipped, not valid UTF-8")
            return []

    monkeypatch.setitem(sys.modules, "django_migration_hooks._static_check", Static)
    write(git_repo, {"shop/models.py": ""})
    # an interpreter without Django: the static tier is the only one
    venv = git_repo.parent / "bare"
    subprocess.run((sys.executable, "-m", "venv", "--without-pip", venv), check=True)
    assert main(["--python", str(venv / "bin" / "python"), "shop/models.py"]) == 0
    assert capsys.readouterr() == (
        "",
        "check-missing-migrations: notice: no Django settings found (no manage.py, wsgi.py, "
        "asgi.py or pytest DJANGO_SETTINGS_MODULE names one); using the static tier "
        "(--mode static)\nshop/models.py: skipped, not valid UTF-8\n",
    )


def test_auto_mode_without_settings_but_with_django_error(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the hook's own environment has Django here: the user wants the Django tier
    git_dir = os.path.dirname(shutil.which("git") or "git")
    monkeypatch.setenv("PATH", os.pathsep.join((os.path.dirname(sys.executable), git_dir)))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    write(git_repo, {"shop/models.py": ""})
    assert main(["shop/models.py"]) == 2
    assert capsys.readouterr() == (
        "",
        "check-missing-migrations: error: no Django settings found (no manage.py, wsgi.py, "
        "asgi.py or pytest DJANGO_SETTINGS_MODULE names one), though "
        f"{sys.executable} has Django: pass --settings MODULE (or --project DIR:MODULE) for "
        "the Django tier, or --mode static for the static one\n",
    )


def test_rules_cover_both_tiers() -> None:
    codes = [rule.code for rule in hook.RULES]
    assert codes == ["DMH101", "DMH102", "DMH103", "DMH104"]  # Django tier: 101, 104
    assert all(rule.hook == HOOK_ID for rule in hook.RULES)


# --- end to end through the real pre-commit --------------------------------------------------

E2E_PROJECT = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    "proj/__init__.py": "",
    "proj/settings.py": 'SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\n'
    'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}}\n'
    'DEFAULT_AUTO_FIELD = "django.db.models.AutoField"\n',
    "shop/__init__.py": "",
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": "from django.db import migrations, models\n\n\n"
    "class Migration(migrations.Migration):\n"
    "    initial = True\n"
    "    dependencies = []\n"
    "    operations = [\n"
    "        migrations.CreateModel(\n"
    '            name="Product",\n'
    "            fields=[\n"
    '                ("id", models.AutoField(auto_created=True, primary_key=True, '
    'serialize=False, verbose_name="ID")),\n'
    '                ("name", models.CharField(max_length=10)),\n'
    "            ],\n"
    "        ),\n"
    "    ]\n",
    "shop/models.py": "from django.db import models\n\n\nclass Product(models.Model):\n"
    "    name = models.CharField(max_length=10)\n"
    "    price = models.IntegerField(default=0)\n",
    ".gitignore": ".venv\n",
}
E2E_FINDING = (
    "shop/models.py:6:5: DMH101 shop.Product: field price added, no migration "
    "(fix: python manage.py makemigrations shop)"
)


@pytest.fixture(scope="module")
def django52_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import subprocess

    venv = tmp_path_factory.mktemp("e2e-django") / "venv"
    subprocess.run((sys.executable, "-m", "venv", "--without-pip", venv), check=True)
    subprocess.run(
        (
            sys.executable,
            "-m",
            "pip",
            "--python",
            venv / "bin" / "python",
            "install",
            "-q",
            "Django>=5.2,<5.3",
        ),
        check=True,
    )
    return venv


@pytest.mark.e2e
def test_try_repo_discovers_project_venv(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str], django52_venv: Path
) -> None:
    write(consumer, E2E_PROJECT)
    (consumer / ".venv").symlink_to(django52_venv)
    git_commit(consumer)
    proc = try_repo(consumer, pre_commit_home, hooks_repo, HOOK_ID)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert E2E_FINDING in proc.stdout.splitlines()


@pytest.mark.e2e
def test_config_with_additional_dependencies_uses_hook_env(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    path, rev = hooks_repo
    write(consumer, E2E_PROJECT)
    write(
        consumer,
        {
            ".pre-commit-config.yaml": "repos:\n"
            f"- repo: {path}\n"
            f"  rev: {rev}\n"
            "  hooks:\n"
            f"  - id: {HOOK_ID}\n"
            "    args: [--mode, django]\n"
            "    additional_dependencies: [Django==5.2.*]\n",
        },
    )
    git_commit(consumer)
    proc = run_pre_commit(consumer, pre_commit_home, "run", "--all-files", "--color", "never")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert E2E_FINDING in proc.stdout.splitlines()
    # a commit that touches no app file: the hook returns without starting Django
    write(consumer, {"docs/conf.py": "project = 'x'\n"})
    proc = run_pre_commit(consumer, pre_commit_home, "run", "--files", "docs/conf.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- the runner's error analysis (the script itself runs under the project's interpreter) -----


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        pytest.param(KeyError("API_TOKEN"), "API_TOKEN", id="os-environ-subscript"),
        pytest.param(
            Exception("Set the SECRET_KEY environment variable"), "SECRET_KEY", id="django-environ"
        ),
        pytest.param(
            Exception("DATABASE_URL not found. Declare it as envvar or define a default value."),
            "DATABASE_URL",
            id="python-decouple",
        ),
        pytest.param(
            RuntimeError("environment variable 'REDIS_URL' is not set"), "REDIS_URL", id="custom"
        ),
        pytest.param(KeyError("name"), "", id="dict-key"),
        pytest.param(ValueError("invalid literal"), "", id="other-error"),
    ],
)
def test_runner_names_missing_environment_variable(
    monkeypatch: pytest.MonkeyPatch, exc: Exception, expected: str
) -> None:
    from django_migration_hooks.missing.runner import dmh_failures

    for name in ("API_TOKEN", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert dmh_failures._missing_variable(exc) == expected


def test_probe_remembered_until_the_environment_changes(tmp_path: Path) -> None:
    # a real interpreter (a virtualenv) with a stand-in Django that counts its imports
    venv = tmp_path / "env"
    made = subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=False)
    assert made.returncode == 0
    python = str(venv / "bin" / "python")
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    calls = tmp_path / "calls"
    write(
        Path(site),
        {
            "django/__init__.py": f"open({str(calls)!r}, 'a').write('probe\\n')\n"
            "def get_version():\n    return '5.2.1'\n"
        },
    )

    def probes() -> int:
        return len(calls.read_text().splitlines())

    first = probe(python)
    assert first is not None and first.django == "5.2.1"
    assert (probe(python), probes()) == (first, 1)
    (Path(site) / "newpackage").mkdir()  # pip install: site-packages changes
    second = probe(python)
    assert (second.fingerprint != first.fingerprint, probes()) == (True, 2)
    assert (probe(python), probes()) == (second, 2)
    # a shim picks its interpreter anew each time: never remembered
    shim = tmp_path / "shim"
    shim.write_text(f'#!/bin/sh\nexec {python} "$@"\n')
    shim.chmod(0o755)
    assert (probe(str(shim)).django, probes()) == ("5.2.1", 3)
    assert (probe(str(shim)).django, probes()) == ("5.2.1", 4)
