from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from django_migration_hooks import check_ignored_migrations as hook
from django_migration_hooks.check_ignored_migrations import main
from tests.conftest import git, git_commit, write

MODELS = (
    "from django.db import models\n\n\nclass Post(models.Model):\n    title = models.TextField()\n"
)
MIGRATION = (
    "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = []\n    operations = []\n"
)
PROJECT = {
    "manage.py": "import django\n",
    "blog/__init__.py": "",
    "blog/models.py": MODELS,
    "blog/apps.py": "from django.apps import AppConfig\n\n\nclass BlogConfig(AppConfig):\n"
    "    name = 'blog'\n",
    "blog/migrations/__init__.py": "",
    "blog/migrations/0001_initial.py": MIGRATION,
}
FLYWAY = {"db/migrations/V1__init.sql": "create table t (id int);\n", "db/flyway.conf": ""}
ALEMBIC = {
    "service/models.py": "from sqlalchemy.orm import declarative_base\n",
    "service/migrations/env.py": "from alembic import context\n",
    "service/migrations/script.py.mako": "",
    "service/migrations/versions/abc_init.py": "revision = 'abc'\n",
}
FIX_HINT = (
    "delete this rule or run check-ignored-migrations --fix, then git add the migration files"
)
DEPLOY_HINT = "delete or narrow this rule so every .py file in migrations/ is deployed"
BLOG_ALL = "the migrations of app `blog` (blog/migrations/0001_initial.py and 1 more)"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


# --- DMH201: .gitignore ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "files",
    (
        pytest.param({".gitignore": "__pycache__/\n"}, id="pycache"),
        pytest.param({".gitignore": "*.pyc\n"}, id="pyc"),
        pytest.param({".gitignore": "*.py[cod]\n*$py.class\n"}, id="py-cod"),
        pytest.param({".gitignore": "*.py~\n"}, id="editor-backups"),
        pytest.param(
            {".gitignore": "migrations/*.pyc\n**/migrations/__pycache__/\n"}, id="bytecode"
        ),
        pytest.param({".gitignore": "*/migrations/*\n!*/migrations/*.py\n"}, id="negation"),
        pytest.param({".gitignore": "/docs/migrations/\n"}, id="anchored-other-folder"),
        pytest.param({".gitignore": "db/migrations/\n", **FLYWAY}, id="flyway"),
        pytest.param({".gitignore": "service/migrations/\n", **ALEMBIC}, id="alembic"),
        pytest.param({".gitignore": "# migrations/\n#*/migrations/*.py\n"}, id="comments"),
        pytest.param({".gitignore": "*.py[cod]\r\n__pycache__/\r\n"}, id="crlf"),
        pytest.param({"blog/migrations/.gitignore": "*.pyc\n"}, id="nested-bytecode"),
        pytest.param({"blog/migrations/.gitignore": "migrations/*\n"}, id="nested-anchored"),
        pytest.param({"blog/migrations/.gitignore": "/migrations\n"}, id="nested-root-slash"),
        pytest.param({"blog/migrations/.gitignore": "..\n"}, id="dotdot"),
        pytest.param(
            {"blog/migrations/.gitignore": "0001_initial.cpython-311.pyc\n"}, id="one-pyc"
        ),
        pytest.param({".gitignore": "media/\nstatic/\n.env\n"}, id="unrelated"),
    ),
)
def test_gitignore_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    write(git_repo, {**PROJECT, **files})
    assert run(capsys) == (0, [], "")


@pytest.mark.parametrize(
    ("files", "expected"),
    (
        pytest.param(
            {".gitignore": "*.pyc\nmigrations/\n"},
            f".gitignore:2:1: DMH201 `migrations/` ignores {BLOG_ALL}",
            id="migrations-dir",
        ),
        pytest.param(
            {".gitignore": "migrations\n"},
            f".gitignore:1:1: DMH201 `migrations` ignores {BLOG_ALL}",
            id="bare-name",
        ),
        pytest.param(
            {".gitignore": "**/migrations/\n"},
            f".gitignore:1:1: DMH201 `**/migrations/` ignores {BLOG_ALL}",
            id="doublestar",
        ),
        pytest.param(
            {".gitignore": "*/migrations/*.py\n"},
            f".gitignore:1:1: DMH201 `*/migrations/*.py` ignores {BLOG_ALL}",
            id="py-files",
        ),
        pytest.param(
            {".gitignore": "migrations/   \n"},
            f".gitignore:1:1: DMH201 `migrations/` ignores {BLOG_ALL}",
            id="trailing-spaces",
        ),
        pytest.param(
            {".gitignore": "# local\r\n*.pyc\r\nmigrations/\r\n"},
            f".gitignore:3:1: DMH201 `migrations/` ignores {BLOG_ALL}",
            id="crlf",
        ),
        pytest.param(
            {".gitignore": "*/migrations/\n!*/migrations/*.py\n"},
            f".gitignore:1:1: DMH201 `*/migrations/` ignores {BLOG_ALL}",
            id="negation-cannot-re-include-below-excluded-folder",
        ),
        pytest.param(
            {".gitignore": "blog/migrations/__init__.py\n"},
            ".gitignore:1:1: DMH201 `blog/migrations/__init__.py` ignores the migrations of app "
            "`blog` (blog/migrations/__init__.py)",
            id="only-init",
        ),
        pytest.param(
            {"blog/.gitignore": "migrations/0*.py\n"},
            "blog/.gitignore:1:1: DMH201 `migrations/0*.py` ignores the migrations of app `blog` "
            "(blog/migrations/0001_initial.py)",
            id="nested-in-app",
        ),
        pytest.param(
            {"blog/migrations/.gitignore": "*\n!__init__.py\n"},
            "blog/migrations/.gitignore:1:1: DMH201 `*` ignores the migrations of app `blog` "
            "(blog/migrations/0001_initial.py)",
            id="nested-in-migrations",
        ),
        pytest.param(
            {".gitignore": "blog/migrations/0002_*.py\n"},
            ".gitignore:1:1: DMH201 `blog/migrations/0002_*.py` ignores future migrations of app "
            "`blog` (e.g. blog/migrations/0002_auto.py)",
            id="future-only",
        ),
        pytest.param(
            {".gitignore": "db/migrations/\nmigrations/\n", **FLYWAY},
            f".gitignore:2:1: DMH201 `migrations/` ignores {BLOG_ALL}",
            id="flyway-and-django",
        ),
    ),
)
def test_gitignore_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], expected: str
) -> None:
    write(git_repo, {**PROJECT, **files})
    assert run(capsys) == (1, [f"{expected} (fix: {FIX_HINT})"], "")


def test_rule_for_future_apps_is_found_without_any_app(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {".gitignore": "**/migrations/\n", "README.md": "soon\n"})
    assert run(capsys) == (
        1,
        [
            ".gitignore:1:1: DMH201 `**/migrations/` ignores the migrations of any new app "
            f"(e.g. newapp/migrations/0001_initial.py) (fix: {FIX_HINT})"
        ],
        "",
    )


def test_rule_hiding_two_apps_is_reported_once(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = {
        k.replace("blog", "shop"): v.replace("blog", "shop")
        for k, v in PROJECT.items()
        if k.startswith("blog")
    }
    write(git_repo, {**PROJECT, **other, ".gitignore": "*/migrations/0*\n"})
    assert run(capsys) == (
        1,
        [
            ".gitignore:1:1: DMH201 `*/migrations/0*` ignores the migrations of apps `blog`, "
            "`shop` (blog/migrations/0001_initial.py and 1 more) "
            f"(fix: {FIX_HINT})"
        ],
        "",
    )


def test_info_exclude_points_at_the_app(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(git_repo, {**PROJECT, ".git/info/exclude": "# local\nmigrations/\n"})
    assert run(capsys) == (
        1,
        [
            f"blog/migrations/0001_initial.py:1:1: DMH201 {BLOG_ALL} are ignored by "
            "`migrations/` in .git/info/exclude:2 (local to this clone, not committed) "
            "(fix: remove that line from .git/info/exclude, then git add the migration files)"
        ],
        "",
    )


def test_global_excludes_file_points_at_the_app(
    git_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    excludes = tmp_path / "global gitignore"
    excludes.write_text(".DS_Store\n*/migrations/*.py\n", encoding="utf-8")
    git(git_repo, "config", "core.excludesFile", str(excludes))
    write(git_repo, PROJECT)
    assert run(capsys) == (
        1,
        [
            f"blog/migrations/0001_initial.py:1:1: DMH201 {BLOG_ALL} are ignored by "
            f"`*/migrations/*.py` in {excludes}:2, outside the repository (global "
            f"core.excludesFile) (fix: remove that line from {excludes}, then git add the "
            "migration files)"
        ],
        "",
    )


def test_tracked_but_ignored_migrations_are_still_reported(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, PROJECT)
    git_commit(git_repo, "initial")
    write(git_repo, {".gitignore": "migrations/\n"})
    code, out, _ = run(capsys)
    assert (code, out) == (
        1,
        [f".gitignore:1:1: DMH201 `migrations/` ignores {BLOG_ALL} (fix: {FIX_HINT})"],
    )


# --- DMH202: deploy-side ignore files ---------------------------------------------------------


@pytest.mark.parametrize(
    "files",
    (
        pytest.param({".dockerignore": "migrations\n"}, id="docker-root-only"),
        pytest.param({".dockerignore": "*.pyc\n**/__pycache__\n"}, id="docker-bytecode"),
        pytest.param(
            {".dockerignore": "**/migrations\n!**/migrations/*.py\n"}, id="docker-exception"
        ),
        pytest.param({".dockerignore": "#**/migrations\n"}, id="docker-comment"),
        pytest.param({"blog/.dockerignore": "*/migrations\n"}, id="docker-other-context"),
        pytest.param({".slugignore": "node_modules/\n*.psd\n"}, id="slug-frontend"),
        pytest.param({".ebignore": "local/\n"}, id="eb-local"),
        pytest.param({".cfignore": "*.py[cod]\n"}, id="cf-bytecode"),
        pytest.param(
            {".gcloudignore": "#!include:.gitignore\n", ".gitignore": "*.pyc\n"}, id="gcloud"
        ),
    ),
)
def test_deploy_ignore_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    write(git_repo, {**PROJECT, **files})
    assert run(capsys) == (0, [], "")


@pytest.mark.parametrize(
    ("files", "expected"),
    (
        pytest.param(
            {".dockerignore": "# build\n**/migrations\n"},
            f".dockerignore:2:1: DMH202 `**/migrations` keeps {BLOG_ALL} out of the Docker build "
            "context `.`",
            id="docker-doublestar",
        ),
        pytest.param(
            {".dockerignore": "  */migrations/*.py  \r\n"},
            f".dockerignore:1:3: DMH202 `*/migrations/*.py` keeps {BLOG_ALL} out of the Docker "
            "build context `.`",
            id="docker-trimmed-crlf",
        ),
        pytest.param(
            {
                "deploy/web/Dockerfile": "FROM python\n",
                "deploy/web/Dockerfile.dockerignore": "blog/migrations\n",
            },
            f"deploy/web/Dockerfile.dockerignore:1:1: DMH202 `blog/migrations` keeps {BLOG_ALL} "
            "out of the Docker build context `.`",
            id="dockerfile-specific-ignore",
        ),
        pytest.param(
            {".slugignore": "*/migrations/*\n!*/migrations/*.py\n"},
            f".slugignore:1:1: DMH202 `*/migrations/*` keeps {BLOG_ALL} out of the bundle deployed "
            "by Heroku's slug compiler",
            id="slug-no-negation",
        ),
        pytest.param(
            {".ebignore": "migrations/\n"},
            f".ebignore:1:1: DMH202 `migrations/` keeps {BLOG_ALL} out of the bundle deployed by "
            "the Elastic Beanstalk CLI (eb deploy)",
            id="ebignore",
        ),
        pytest.param(
            {".cfignore": "blog/migrations/0*\n"},
            ".cfignore:1:1: DMH202 `blog/migrations/0*` keeps the migrations of app `blog` "
            "(blog/migrations/0001_initial.py) out of the bundle deployed by Cloud Foundry "
            "(cf push)",
            id="cfignore",
        ),
        pytest.param(
            {".gcloudignore": ".git\n#!include:.gitignore\n", ".gitignore": "migrations/\n"},
            f".gitignore:1:1: DMH202 `migrations/` keeps {BLOG_ALL} out of the bundle deployed by "
            "gcloud (App Engine, Cloud Functions, Cloud Run source deploys)",
            id="gcloud-include",
        ),
    ),
)
def test_deploy_ignore_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], expected: str
) -> None:
    write(git_repo, {**PROJECT, **files})
    code, out, err = run(capsys)
    assert (code, err) == (1, "")
    assert f"{expected} (fix: {DEPLOY_HINT})" in out


def test_dockerignore_in_subfolder_is_relative_to_its_context(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = {f"backend/{k}": v for k, v in PROJECT.items()}
    write(
        git_repo,
        {
            **backend,
            "backend/Dockerfile": "FROM python\n",
            "backend/.dockerignore": "*/migrations\n",
        },
    )
    assert run(capsys) == (
        1,
        [
            "backend/.dockerignore:1:1: DMH202 `*/migrations` keeps the migrations of app `blog` "
            "(backend/blog/migrations/0001_initial.py and 1 more) out of the Docker build context "
            f"`backend` (fix: {DEPLOY_HINT})"
        ],
        "",
    )


def test_unreadable_deploy_ignore_file_is_one_stderr_line(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**PROJECT, ".dockerignore": b"\xff\xfe**/migrations\n"})
    assert run(capsys) == (
        1,
        [],
        "check-ignored-migrations: .dockerignore: skipped, not valid UTF-8\n",
    )


# --- DMH203 / DMH204 ---------------------------------------------------------------------------


def test_migrations_folder_without_init(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {k: v for k, v in PROJECT.items() if k != "blog/migrations/__init__.py"}
    write(git_repo, files)
    assert run(capsys) == (
        1,
        [
            "blog/migrations/0001_initial.py:1:1: DMH203 `blog/migrations` has no `__init__.py`: "
            "Django treats app `blog` as unmigrated and skips these migrations "
            "(fix: create blog/migrations/__init__.py and git add it)"
        ],
        "",
    )


@pytest.mark.parametrize(
    "models",
    (
        pytest.param(
            "from django.db import models\n\nclass Base(models.Model):\n    class Meta:\n"
            "        abstract = True\n",
            id="abstract-only",
        ),
        pytest.param("from django.db import models\n# no models yet\n", id="empty"),
    ),
)
def test_models_without_migrations_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], models: str
) -> None:
    write(git_repo, {"shop/models.py": models, "tests/testapp/models.py": MODELS})
    assert run(capsys) == (0, [], "")


def test_models_without_migrations(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(git_repo, {"my shop/__init__.py": "", "my shop/models.py": MODELS})
    assert run(capsys) == (
        1,
        [
            "my shop/models.py:4:1: DMH204 app `my shop` defines model `Post` but has no "
            "migrations (fix: python manage.py makemigrations 'my shop', then git add "
            "'my shop/migrations')"
        ],
        "",
    )


@pytest.mark.parametrize(
    ("installed", "sandbox"),
    (
        pytest.param("['shop']", [], id="not-installed"),
        pytest.param(
            "['shop', 'apps.user']", ["sandbox/apps/user/models.py:4:1: DMH204"], id="installed"
        ),
    ),
)
def test_models_nobody_installs_are_no_app(
    git_repo: Path, capsys: pytest.CaptureFixture[str], installed: str, sandbox: list[str]
) -> None:
    """django-oscar's sandbox/apps/user: sample models, no AppConfig, no migrations, and not in
    the INSTALLED_APPS of the repository's settings: Django never loads them."""
    write(
        git_repo,
        {
            "sandbox/settings.py": f"INSTALLED_APPS = {installed}\n",
            "sandbox/apps/__init__.py": "",
            "sandbox/apps/user/__init__.py": "",
            "sandbox/apps/user/models.py": MODELS,
            "shop/__init__.py": "",
            "shop/models.py": MODELS,
        },
    )
    code, out, err = run(capsys)
    found = sorted(" ".join(line.split(" ")[:2]) for line in out)
    assert (code, err) == (1, "")
    assert found == sorted(["shop/models.py:4:1: DMH204", *sandbox])


def test_config_ignores_a_code(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        git_repo,
        {
            "shop/models.py": MODELS,
            "pyproject.toml": "[tool.django-migration-hooks.check-ignored-migrations]\n"
            'ignore = ["DMH204"]\n',
        },
    )
    assert run(capsys) == (0, [], "")


# --- --fix -------------------------------------------------------------------------------------


def test_fix_comments_out_the_rule_keeping_every_other_byte(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = b"\xef\xbb\xbf# caf\xc3\xa9\r\n*.pyc\r\nmigrations/\r\nmedia/"
    write(git_repo, {**PROJECT, ".gitignore": original})
    assert run(capsys, "--fix") == (1, [], "Fixing .gitignore\n")
    assert (git_repo / ".gitignore").read_bytes() == (
        b"\xef\xbb\xbf# caf\xc3\xa9\r\n*.pyc\r\n# migrations/" + hook.FIX_NOTE + b"\r\nmedia/"
    )
    assert run(capsys) == (0, [], "")


def test_fix_rule_in_first_line_after_bom(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**PROJECT, ".gitignore": b"\xef\xbb\xbfmigrations/\n"})
    assert run(capsys, "--fix") == (1, [], "Fixing .gitignore\n")
    assert (git_repo / ".gitignore").read_bytes() == (
        b"\xef\xbb\xbf# migrations/" + hook.FIX_NOTE + b"\n"
    )


def test_fix_repeats_until_git_agrees(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        git_repo,
        {
            **PROJECT,
            ".gitignore": "migrations/\n",
            "blog/.gitignore": "migrations/*.py\n",
            ".slugignore": "**/migrations/\n",
        },
    )
    code, out, err = run(capsys, "--fix")
    assert (code, out) == (1, [])
    assert sorted(err.splitlines()) == [
        "Fixing .gitignore",
        "Fixing .slugignore",
        "Fixing blog/.gitignore",
    ]
    assert (
        git_repo / "blog/.gitignore"
    ).read_bytes() == b"# migrations/*.py" + hook.FIX_NOTE + b"\n"
    ignored = subprocess.run(
        ("git", "check-ignore", "--no-index", "blog/migrations/0001_initial.py"), cwd=git_repo
    )
    assert ignored.returncode == 1


def test_fix_leaves_rules_it_cannot_edit(
    git_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        git_repo,
        {**PROJECT, ".dockerignore": "**/migrations\n", ".git/info/exclude": "migrations/\n"},
    )
    before = (git_repo / ".dockerignore").read_bytes()
    code, out, err = run(capsys, "--fix")
    assert (code, err) == (1, "")
    assert [line.split(" DMH")[0] for line in out] == [
        ".dockerignore:1:1:",
        "blog/migrations/0001_initial.py:1:1:",
    ]
    assert (git_repo / ".dockerignore").read_bytes() == before
    assert (git_repo / ".git/info/exclude").read_text() == "migrations/\n"


def test_without_fix_nothing_is_written(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(git_repo, {**PROJECT, ".gitignore": "migrations/\n"})
    run(capsys)
    assert (git_repo / ".gitignore").read_text() == "migrations/\n"


# --- whole-repository entry points -------------------------------------------------------------


def test_check_repository_for_the_umbrella_command(git_repo: Path) -> None:
    write(git_repo, {**PROJECT, ".gitignore": "migrations/\n"})
    assert [f.code for f in hook.check_repository()] == ["DMH201"]


def test_outside_a_repository_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys)
    assert (code, out) == (2, [])
    assert err == f"check-ignored-migrations: error: {tmp_path} is not inside a git repository\n"


def test_json_format(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(git_repo, {**PROJECT, ".gitignore": "migrations/\n"})
    code, out, _ = run(capsys, "--format", "json")
    assert code == 1
    assert '"code": "DMH201"' in "\n".join(out)


def test_rules_are_documented() -> None:
    assert [r.code for r in hook.RULES] == ["DMH201", "DMH202", "DMH203", "DMH204"]
    docs = (Path(__file__).parent.parent / "docs" / "hooks.md").read_text()
    for rule in hook.RULES:
        assert f"#### {rule.code} {rule.name}" in docs


def test_paths_are_relative_to_a_subfolder_cwd(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = {f"site/{k}": v for k, v in PROJECT.items()}
    write(
        git_repo,
        {
            **site,
            ".gitignore": "**/migrations/0*\n",
            ".git/info/exclude": "__init__.py\n",
        },
    )
    monkeypatch.chdir(git_repo / "site")
    assert sorted(run(capsys)[1]) == [
        "../.gitignore:1:1: DMH201 `**/migrations/0*` ignores the migrations of app `blog` "
        f"(blog/migrations/0001_initial.py) (fix: {FIX_HINT})",
        "blog/migrations/__init__.py:1:1: DMH201 the migrations of app `blog` "
        "(blog/migrations/__init__.py) are ignored by `__init__.py` in "
        "../.git/info/exclude:1 (local to this clone, not committed) (fix: remove that line from "
        "../.git/info/exclude, then git add the migration files)",
    ]


def test_app_without_migrations_yet_reports_future_migrations(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {"shop/models.py": MODELS, ".gitignore": "migrations/\n"})
    assert run(capsys) == (
        1,
        [
            ".gitignore:1:1: DMH201 `migrations/` ignores future migrations of app `shop` "
            f"(e.g. shop/migrations/0001_initial.py) (fix: {FIX_HINT})",
            "shop/models.py:4:1: DMH204 app `shop` defines model `Post` but has no migrations "
            "(fix: python manage.py makemigrations shop, then git add shop/migrations)",
        ],
        "",
    )


def test_fix_keeps_a_latin1_file_byte_for_byte(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**PROJECT, ".gitignore": b"# caf\xe9\nmigrations/\n*.pyc"})
    assert run(capsys, "--fix") == (1, [], "Fixing .gitignore\n")
    assert (git_repo / ".gitignore").read_bytes() == (
        b"# caf\xe9\n# migrations/" + hook.FIX_NOTE + b"\n*.pyc"
    )


# --- regressions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "files",
    (
        pytest.param(
            {
                ".gitignore": "/tmp/\n.env\n",
                "tmp/old/shop/models.py": "from django.db import models\n",
                "tmp/old/shop/migrations/__init__.py": "",
            },
            id="scratch-copy-in-ignored-folder",
        ),
        pytest.param(
            {
                ".gitignore": "/lib/\n",
                "lib/django/__init__.py": "",
                "lib/django/contrib/auth/models.py": MODELS,
                "lib/django/contrib/gis/db/backends/postgis/models.py": MODELS,
                "lib/Django-5.2.dist-info/METADATA": "",
            },
            id="pip-install-target-lib",
        ),
        pytest.param(
            {
                ".gitignore": "__pypackages__/\n",
                "__pypackages__/3.11/lib/django/__init__.py": "",
                "__pypackages__/3.11/lib/django/contrib/admin/models.py": MODELS,
            },
            id="pypackages",
        ),
        pytest.param(
            {
                ".gitignore": "cdk.out/\n",
                "cdk.out/asset.abc123/blog/models.py": MODELS,
            },
            id="cdk-asset-copy",
        ),
    ),
)
def test_apps_whole_inside_ignored_folders_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    write(git_repo, {**PROJECT, **files})
    git(git_repo, "add", *PROJECT, ".gitignore")
    assert run(capsys) == (0, [], "")
    before = (git_repo / ".gitignore").read_bytes()
    assert run(capsys, "--fix") == (0, [], "")
    assert (git_repo / ".gitignore").read_bytes() == before


@pytest.mark.parametrize(
    "files",
    (
        pytest.param(
            {".gcloudignore": "# allow-list\n*\n!blog/\n!blog/**\n!manage.py\n"},
            id="gcloud-allow-list",
        ),
        pytest.param({".ebignore": "*\n!blog/\n!blog/**\n!manage.py\n"}, id="eb-allow-list"),
        pytest.param({".dockerignore": "*\n!blog\n!manage.py\n"}, id="docker-allow-list"),
        pytest.param({".gitignore": "/*\n!/blog/\n!/manage.py\n"}, id="gitignore-allow-list"),
    ),
)
def test_allow_list_shipping_every_app_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    write(git_repo, {**PROJECT, **files})
    assert run(capsys) == (0, [], "")
    name = next(iter(files))
    assert run(capsys, "--fix") == (0, [], "")
    assert (git_repo / name).read_text() == files[name]


def test_allow_list_that_drops_migrations_is_still_reported(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**PROJECT, ".gcloudignore": "*\n!blog/\n!blog/*.py\n"})
    code, out, _ = run(capsys)
    assert code == 1
    assert out == [
        f".gcloudignore:1:1: DMH202 `*` keeps {BLOG_ALL} out of the bundle deployed by gcloud "
        f"(App Engine, Cloud Functions, Cloud Run source deploys) (fix: {DEPLOY_HINT})"
    ]


def test_fix_note_on_a_deploy_ignore_file_says_deployed(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**PROJECT, ".slugignore": "migrations/\n"})
    assert run(capsys, "--fix") == (1, [], "Fixing .slugignore\n")
    assert (git_repo / ".slugignore").read_bytes() == (
        b"# migrations/  (disabled by check-ignored-migrations: Django migrations must be "
        b"deployed)\n"
    )


def test_fix_last_line_ending_in_a_lone_cr_keeps_it_last(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo, {**PROJECT, ".gitignore": b"*.pyc\nmigrations/\r"})
    assert run(capsys, "--fix")[0] == 1
    assert (git_repo / ".gitignore").read_bytes() == (
        b"*.pyc\n# migrations/" + hook.FIX_NOTE + b"\r"
    )


def test_symlinked_migrations_folder_is_checked_through_its_target(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = {
        "shared/blog_migrations/__init__.py": "",
        "shared/blog_migrations/0001_initial.py": MIGRATION,
    }
    project = {k: v for k, v in PROJECT.items() if "/migrations/" not in k}
    write(git_repo, {**project, **shared})
    (git_repo / "blog" / "migrations").symlink_to("../shared/blog_migrations")
    git(git_repo, "add", ".")
    assert run(capsys) == (0, [], "")
    write(git_repo, {".gitignore": "shared/blog_migrations/0*\n"})
    code, out, err = run(capsys)
    assert (code, err) == (1, "")
    assert out == [
        ".gitignore:1:1: DMH201 `shared/blog_migrations/0*` ignores the migrations of app `blog` "
        f"(blog/migrations/0001_initial.py) (fix: {FIX_HINT})"
    ]


def test_symlink_to_outside_the_repository_is_not_a_crash(
    git_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere"
    write(outside, {"__init__.py": "", "0001_initial.py": MIGRATION})
    project = {k: v for k, v in PROJECT.items() if "/migrations/" not in k}
    write(git_repo, project)
    (git_repo / "blog" / "migrations").symlink_to(outside)
    git(git_repo, "add", ".")
    code, out, err = run(capsys)
    assert (code, err) == (1, "")
    assert out == [
        "blog/models.py:4:1: DMH204 app `blog` defines model `Post` but has no migrations "
        "(fix: python manage.py makemigrations blog, then git add blog/migrations)"
    ]


def test_tracked_app_named_build_is_checked(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = {
        "build/__init__.py": "",
        "build/models.py": MODELS,
        "build/migrations/__init__.py": "",
        "build/migrations/0001_initial.py": MIGRATION,
    }
    write(git_repo, {**build, ".gitignore": "build/\n"})
    git(git_repo, "add", "-f", *build)
    git(git_repo, "add", ".gitignore")
    code, out, err = run(capsys)
    assert (code, err) == (1, "")
    assert out == [
        ".gitignore:1:1: DMH201 `build/` ignores the migrations of app `build` "
        f"(build/migrations/0001_initial.py and 1 more) (fix: {FIX_HINT})"
    ]


def test_pydantic_models_are_not_django_models(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        git_repo,
        {
            "api/apps.py": "from django.apps import AppConfig\n\n\nclass ApiConfig(AppConfig):\n"
            "    name = 'api'\n",
            "api/models.py": "import pydantic\n\n\nclass ItemIn(pydantic.BaseModel):\n"
            "    name: str\n",
        },
    )
    assert run(capsys) == (0, [], "")


def test_model_on_a_local_abstract_base_without_migrations(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        git_repo,
        {
            "notes/apps.py": "from django.apps import AppConfig\n\n\n"
            "class NotesConfig(AppConfig):\n    name = 'notes'\n",
            "notes/models.py": "from django.db import models\n\n\nclass Stamped(models.Model):\n"
            "    class Meta:\n        abstract = True\n\n\nclass Note(Stamped):\n    pass\n",
        },
    )
    assert run(capsys) == (
        1,
        [
            "notes/models.py:9:1: DMH204 app `notes` defines model `Note` but has no migrations "
            "(fix: python manage.py makemigrations notes, then git add notes/migrations)"
        ],
        "",
    )
