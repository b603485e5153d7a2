from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks._config import load_config
from django_migration_hooks._report import Finding, HookError

SCHEMA = {"python": "str", "strict": "bool", "apps": "list[str]", "env": "dict[str, str]"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_no_pyproject_defaults(project: Path) -> None:
    config = load_config("check-missing-migrations", SCHEMA)
    assert config.exclude == ()
    assert config.ignore == frozenset()
    assert config.options == {}


def test_global_and_hook_options_merge(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.django-migration-hooks]\n"
        'exclude = ["legacy/**"]\n'
        'ignore = ["dmh204"]\n'
        "[tool.django-migration-hooks.check-missing-migrations]\n"
        'python = ".venv/bin/python"\n'
        "strict = true\n"
        'exclude = ["vendor/"]\n'
        'ignore = ["DMH103"]\n'
        "env = { SECRET_KEY = 'x' }\n"
    )
    config = load_config("check-missing-migrations", SCHEMA)
    assert config.exclude == ("legacy/**", "vendor/")
    assert config.ignore == frozenset({"DMH204", "DMH103"})
    assert config.options == {
        "python": ".venv/bin/python",
        "strict": True,
        "env": {"SECRET_KEY": "x"},
    }
    assert config.get("apps", []) == []


def test_keep_drops_ignored_codes_and_excluded_paths(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.django-migration-hooks]\nexclude = ["legacy/"]\nignore = ["DMH204"]\n'
    )
    config = load_config(None, {})
    kept = Finding("Procfile", 1, 1, "DMH301", "m")
    findings = [
        kept,
        Finding("legacy/Procfile", 1, 1, "DMH301", "m"),
        Finding("app/models.py", 1, 1, "DMH204", "m"),
    ]
    assert config.keep(findings) == [kept]


def test_other_hook_tables_are_not_validated_here(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.django-migration-hooks.check-migration-rewrites]\nallow = ['x']\n"
    )
    assert load_config("check-missing-migrations", SCHEMA).options == {}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        pytest.param(
            "[tool.django-migration-hooks]\nexcludes = []\n",
            "pyproject.toml: [tool.django-migration-hooks]: unknown key 'excludes' "
            "(known: exclude, ignore, check-deploy-makemigrations, check-ignored-migrations, "
            "check-untracked-migrations, check-missing-migrations, check-migration-conflicts, "
            "check-migration-rewrites)",
            id="unknown-top-level-key",
        ),
        pytest.param(
            "[tool.django-migration-hooks.check-missing-migrations]\npyhton = 'x'\n",
            "pyproject.toml: [tool.django-migration-hooks.check-missing-migrations]: unknown key "
            "'pyhton' (known: apps, env, exclude, ignore, python, strict)",
            id="unknown-hook-key",
        ),
        pytest.param(
            "[tool.django-migration-hooks.check-missing-migrations]\nstrict = 'yes'\n",
            "pyproject.toml: [tool.django-migration-hooks.check-missing-migrations] strict must be "
            "bool, got 'yes'",
            id="wrong-type",
        ),
        pytest.param(
            "[tool.django-migration-hooks]\nignore = 'DMH204'\n",
            "pyproject.toml: [tool.django-migration-hooks] ignore must be list[str], got 'DMH204'",
            id="ignore-not-a-list",
        ),
        pytest.param(
            "[tool.django-migration-hooks]\ncheck-missing-migrations = 1\n",
            "pyproject.toml: [tool.django-migration-hooks] check-missing-migrations "
            "must be a table",
            id="hook-not-a-table",
        ),
        pytest.param(
            "[tool\n",
            "pyproject.toml: invalid TOML: Expected ']' at the end of a table declaration "
            "(at line 1, column 6)",
            id="invalid-toml",
        ),
    ],
)
def test_bad_config_clear_error(project: Path, toml: str, message: str) -> None:
    (project / "pyproject.toml").write_text(toml)
    with pytest.raises(HookError) as excinfo:
        load_config("check-missing-migrations", SCHEMA)
    assert str(excinfo.value) == message


def test_non_utf8_pyproject_clear_error(project: Path) -> None:
    (project / "pyproject.toml").write_bytes(b"x = '\xff'\n")
    with pytest.raises(HookError, match=r"^pyproject.toml: invalid TOML: "):
        load_config(None, {})
