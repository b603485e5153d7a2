"""check-migration-conflicts on real git repositories (and Django's own loader as the referee)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from django_migration_hooks import check_migration_conflicts
from django_migration_hooks.check_migration_conflicts import main
from tests.conftest import git, git_commit, write

APP_FILES = {"__init__.py": "", "models.py": "from django.db import models\n"}


def mig(*deps: str, extra: str = "") -> str:
    """A generated-looking migration; deps are "app.name" or raw Python expressions."""
    lines = []
    for dep in deps:
        if dep.startswith(("migrations.", "(")):
            lines.append(f"        {dep},\n")
        else:
            app, name = dep.split(".", 1)
            lines.append(f'        ("{app}", "{name}"),\n')
    body = "".join(lines)
    deps_text = f"[\n{body}    ]" if body else "[]"
    return (
        "from django.conf import settings\n"
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = {deps_text}\n"
        f"{textwrap.indent(textwrap.dedent(extra), '    ')}"
        "\n    operations = []\n"
    )


def app(name: str, migrations: dict[str, str], *, root: str = "") -> dict[str, str]:
    base = f"{root}{name}"
    files = {f"{base}/{k}": v for k, v in APP_FILES.items()}
    if migrations:
        files[f"{base}/migrations/__init__.py"] = ""
    files.update({f"{base}/migrations/{k}.py": v for k, v in migrations.items()})
    return files


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def commit_tree(repo: Path, files: Mapping[str, str | bytes], message: str = "tree") -> str:
    write(repo, files)
    return git_commit(repo, message)


LINEAR = app("shop", {"0001_initial": mig(), "0002_b": mig("shop.0001_initial")})

NOOP_CASES = (
    pytest.param({}, id="no-apps"),
    pytest.param(LINEAR, id="linear"),
    pytest.param(
        {
            **app(
                "shop",
                {
                    "0001_initial": mig(),
                    "0002_a": mig("shop.0001_initial"),
                    "0002_b": mig("shop.0001_initial"),
                    "0003_merge": mig("shop.0002_a", "shop.0002_b"),
                },
            )
        },
        id="merge-migration",
    ),
    pytest.param(
        app(
            "shop",
            {
                "0001_initial": mig(),
                "0002_b": mig("shop.0001_initial"),
                "0001_squashed_0002_b": mig(
                    extra='replaces = [("shop", "0001_initial"), ("shop", "0002_b")]\n'
                ),
                "0003_c": mig("shop.0002_b"),
            },
        ),
        id="squashed-with-replaced-files",
    ),
    pytest.param(
        {
            **app(
                "shop",
                {
                    "0001_squashed_0002_b": mig(
                        extra='replaces = [("shop", "0001_initial"), ("shop", "0002_b")]\n'
                    ),
                    "0003_c": mig("shop.0002_b"),
                },
            ),
            **app("billing", {"0001_initial": mig("shop.0001_initial")}),
        },
        id="squashed-without-replaced-files",
    ),
    pytest.param(
        {
            **LINEAR,
            **app("billing", {"0001_initial": mig("shop.__first__", "shop.0002_b")}),
            **app("notes", {"0001_initial": mig("shop.__latest__", "blog.__first__")}),
            **app("blog", {}),
        },
        id="cross-app-first-latest-and-unmigrated-first",
    ),
    pytest.param(
        {
            "project/settings.py": 'AUTH_USER_MODEL = "accounts.User"\n',
            **app("accounts", {"0001_initial": mig("auth.0012_alter_user_first_name_max_length")}),
            **app(
                "shop",
                {"0001_initial": mig("migrations.swappable_dependency(settings.AUTH_USER_MODEL)")},
            ),
        },
        id="swappable-custom-user",
    ),
    pytest.param(
        app(
            "shop",
            {
                "0001_initial": mig(
                    "migrations.swappable_dependency(settings.AUTH_USER_MODEL)",
                    "contenttypes.0002_remove_content_type_name",
                    "taggit.0006_rename_taggeditem_content_type_object_id_taggit_tagg_idx",
                )
            },
        ),
        id="swappable-default-and-third-party",
    ),
    pytest.param(
        {
            **LINEAR,
            **app("billing", {"0001_initial": mig(extra='run_before = [("shop", "0002_b")]\n')}),
        },
        id="run-before",
    ),
    pytest.param(
        {
            "one/manage.py": "",
            **app("shop", {"0001_initial": mig(), "0002_a": mig("shop.0001_initial")}, root="one/"),
            "two/manage.py": "",
            **app("shop", {"0001_initial": mig(), "0002_z": mig("shop.0001_initial")}, root="two/"),
        },
        id="two-projects-same-label",
    ),
    pytest.param(
        {
            **app("shop", {"0001_initial": mig(), "0002_a": mig("shop.0001_initial")}, root="one/"),
            **app("shop", {"0001_initial": mig(), "0002_z": mig("shop.0001_initial")}, root="two/"),
            **app("billing", {"0001_initial": mig("shop.0001_initial")}),
        },
        id="same-label-in-two-folders-without-manage-py",
    ),
    pytest.param(
        {
            "alembic/models.py": "from django.db import models\n",
            "alembic/migrations/env.py": "from alembic import context\n",
            "alembic/migrations/script.py.mako": "",
            "alembic/migrations/versions/a1_x.py": "down_revision = None\n",
            "alembic/migrations/versions/b2_y.py": "down_revision = None\n",
        },
        id="alembic-folder",
    ),
    pytest.param(
        app("shop", {"0001_initial": mig(), "0002_a": mig("shop.0001_initial"), "_0002_b": ""}),
        id="underscore-module-not-a-migration",
    ),
)


@pytest.mark.parametrize("files", NOOP_CASES)
def test_consistent_graph_passes(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    commit_tree(git_repo, files)
    assert run(capsys) == (0, [], "")


FINDING_CASES = (
    pytest.param(
        app(
            "shop",
            {
                "0001_initial": mig(),
                "0002_b": mig("shop.0001_inital"),
            },
        ),
        [
            "shop/migrations/0002_b.py:7:9: DMH402 `0002_b` depends on `shop.0001_inital`, which "
            "does not exist (fix: name an existing migration or restore the missing one; did you "
            "mean `0001_initial`?)"
        ],
        id="typo",
    ),
    pytest.param(
        {**LINEAR, **app("billing", {"0001_initial": mig("shop.0003_gone")})},
        [
            "billing/migrations/0001_initial.py:7:9: DMH402 `0001_initial` depends on "
            "`shop.0003_gone`, which does not exist (fix: name an existing migration or restore "
            "the missing one)"
        ],
        id="deleted-file-in-other-app",
    ),
    pytest.param(
        {**LINEAR, **app("blog", {}), **app("billing", {"0001_initial": mig("blog.0001_initial")})},
        [
            "billing/migrations/0001_initial.py:7:9: DMH402 `0001_initial` depends on "
            "`blog.0001_initial`, but app `blog` has no migrations (fix: create the migrations of "
            "`blog` or remove the dependency)"
        ],
        id="app-without-migrations",
    ),
    pytest.param(
        {
            **LINEAR,
            **app("billing", {"0001_initial": mig(extra='run_before = [("shop", "0009_x")]')}),
        },
        [
            "billing/migrations/0001_initial.py:7:19: DMH402 `0001_initial` must run before "
            "`shop.0009_x`, which does not exist (fix: name an existing migration or restore the "
            "missing one)"
        ],
        id="run-before-missing",
    ),
    pytest.param(
        {
            **app("shop", {"0001_initial": mig("billing.0001_initial")}),
            **app("billing", {"0001_initial": mig("shop.0001_initial")}),
        },
        [
            "billing/migrations/0001_initial.py:7:9: DMH403 dependency cycle: "
            "`billing.0001_initial` -> `shop.0001_initial` -> `billing.0001_initial` (each depends "
            "on the next) (fix: remove one of these dependencies, or split a migration in two)",
            "shop/migrations/0001_initial.py:7:9: DMH403 dependency cycle: "
            "`billing.0001_initial` -> `shop.0001_initial` -> `billing.0001_initial` (each depends "
            "on the next) (fix: remove one of these dependencies, or split a migration in two)",
        ],
        id="cycle-across-apps",
    ),
    pytest.param(
        app(
            "shop",
            {
                "0001_initial": mig(),
                "0002_a": mig("shop.0001_initial"),
                "0002_b": mig("shop.0001_initial"),
            },
        ),
        [
            "shop/migrations/0002_a.py:7:9: DMH401 app `shop` has 2 leaf migrations: `0002_a` "
            "conflicts with `0002_b` (common parent `0001_initial`) (fix: `python manage.py "
            "makemigrations --merge shop`, or renumber `0002_a` and make it depend on `0002_b`)",
            "shop/migrations/0002_b.py:7:9: DMH401 app `shop` has 2 leaf migrations: `0002_b` "
            "conflicts with `0002_a` (common parent `0001_initial`) (fix: `python manage.py "
            "makemigrations --merge shop`, or renumber `0002_b` and make it depend on `0002_a`)",
        ],
        id="two-leaves",
    ),
    pytest.param(
        app("shop", {"0001_initial": mig(), "0001_other": mig()}),
        [
            "shop/migrations/0001_initial.py:5:1: DMH401 app `shop` has 2 leaf migrations: "
            "`0001_initial` conflicts with `0001_other` (no common parent) (fix: `python manage.py "
            "makemigrations --merge shop`, or renumber `0001_initial` and make it depend on "
            "`0001_other`)",
            "shop/migrations/0001_other.py:5:1: DMH401 app `shop` has 2 leaf migrations: "
            "`0001_other` conflicts with `0001_initial` (no common parent) (fix: `python manage.py "
            "makemigrations --merge shop`, or renumber `0001_other` and make it depend on "
            "`0001_initial`)",
        ],
        id="two-roots",
    ),
)


@pytest.mark.parametrize(("files", "expected"), FINDING_CASES)
def test_broken_graph_is_reported(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], expected: list[str]
) -> None:
    commit_tree(git_repo, files)
    assert run(capsys) == (1, expected, "")


def test_two_branches_adding_0003_then_merged_conflict(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_tree(git_repo, LINEAR, "base")
    git(git_repo, "checkout", "-q", "-b", "alice")
    commit_tree(git_repo, {"shop/migrations/0003_alice.py": mig("shop.0002_b")}, "alice")
    assert run(capsys) == (0, [], "")
    git(git_repo, "checkout", "-q", "main")
    git(git_repo, "checkout", "-q", "-b", "bob")
    commit_tree(git_repo, {"shop/migrations/0003_bob.py": mig("shop.0002_b")}, "bob")
    assert run(capsys) == (0, [], "")
    git(git_repo, "checkout", "-q", "main")
    git(git_repo, "merge", "-q", "--no-edit", "alice")
    git(git_repo, "merge", "-q", "--no-edit", "bob")
    assert run(capsys) == (
        1,
        [
            "shop/migrations/0003_alice.py:7:9: DMH401 app `shop` has 2 leaf migrations: "
            "`0003_alice` conflicts with `0003_bob` (common parent `0002_b`) (fix: `python "
            "manage.py makemigrations --merge shop`, or renumber `0003_alice` and make it depend "
            "on `0003_bob`)",
            "shop/migrations/0003_bob.py:7:9: DMH401 app `shop` has 2 leaf migrations: "
            "`0003_bob` conflicts with `0003_alice` (common parent `0002_b`) (fix: `python "
            "manage.py makemigrations --merge shop`, or renumber `0003_bob` and make it depend "
            "on `0003_alice`)",
        ],
        "",
    )
    # the fix: a merge migration
    commit_tree(
        git_repo, {"shop/migrations/0004_merge.py": mig("shop.0003_alice", "shop.0003_bob")}
    )
    assert run(capsys) == (0, [], "")


def test_the_index_is_read_not_the_working_tree(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_tree(git_repo, LINEAR)
    write(git_repo, {"shop/migrations/0002_b.py": mig("shop.0001_missing")})
    assert run(capsys) == (0, [], "")  # unstaged: not part of the commit
    git(git_repo, "add", "shop/migrations/0002_b.py")
    code, out, _ = run(capsys)
    assert (code, [line.split(": DMH")[0] for line in out]) == (
        1,
        ["shop/migrations/0002_b.py:7:9"],
    )
    write(git_repo, {"shop/migrations/0003_new.py": mig("shop.0002_b")})
    git(git_repo, "checkout", "--", "shop/migrations/0002_b.py")
    git(git_repo, "reset", "-q", "shop/migrations/0002_b.py")
    assert run(capsys) == (0, [], "")  # untracked 0003_new is not part of the commit


def test_noqa_and_config_ignore_suppress(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = app(
        "shop",
        {
            "0001_initial": mig(),
            "0002_b": mig().replace("[]", '[("shop", "0001_x")]  # noqa: DMH402'),
            "0003_c": mig("shop.0009_y"),
        },
    )
    commit_tree(git_repo, files)
    code, out, _ = run(capsys)
    assert (code, [line.split(" DMH402")[0] for line in out]) == (
        1,
        ["shop/migrations/0003_c.py:7:9:"],
    )
    commit_tree(
        git_repo, {"pyproject.toml": '[tool.django-migration-hooks]\nignore = ["DMH402"]\n'}
    )
    assert run(capsys) == (0, [], "")


def test_json_and_github_formats(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit_tree(git_repo, app("shop", {"0001_initial": mig("shop.0000_x")}))
    code, out, _ = run(capsys, "--format", "json")
    assert code == 1
    assert json.loads("\n".join(out)) == [
        {
            "path": "shop/migrations/0001_initial.py",
            "line": 7,
            "col": 9,
            "code": "DMH402",
            "message": "`0001_initial` depends on `shop.0000_x`, which does not exist",
            "hint": "name an existing migration or restore the missing one",
            "severity": "error",
            "url": "https://github.com/django-migration-hooks/django-migration-hooks/blob/main/docs/rules/DMH402.md",
        }
    ]
    assert run(capsys, "--format", "github") == (
        1,
        [
            "::error file=shop/migrations/0001_initial.py,line=7,col=9,title=DMH402::"
            "`0001_initial` depends on `shop.0000_x`, which does not exist (fix: name an "
            "existing migration or restore the missing one)"
        ],
        "",
    )


def test_unreadable_migration_is_one_stderr_line(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_tree(git_repo, {**LINEAR, "shop/migrations/0003_bin.py": b"\xff\xfeclass Migration"})
    assert run(capsys) == (
        1,
        [],
        "check-migration-conflicts: shop/migrations/0003_bin.py: not valid UTF-8 and no coding "
        "cookie, Python cannot read it\n",
    )


def test_outside_a_git_repository_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys)
    assert (code, out) == (2, [])
    assert err == f"check-migration-conflicts: error: {tmp_path} is not inside a git repository\n"


def test_check_repository_applies_config(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_tree(
        git_repo,
        {
            **app("shop", {"0001_initial": mig("shop.0000_x")}),
            "pyproject.toml": '[tool.django-migration-hooks]\nexclude = ["shop/**"]\n',
        },
    )
    assert check_migration_conflicts.check_repository() == []


LATIN1_MIGRATION = (
    "# -*- coding: latin-1 -*-\n" + mig("shop.0002_b", extra='verbose = "caf\u00e9"\n')
).encode("latin-1")
BIG_MIGRATION = mig(
    "shop.0002_b", extra='sql = """\n' + "INSERT INTO t VALUES (1);\n" * 280_000 + '"""\n'
)
CONFLICTED_MIGRATION = (
    "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
    "<<<<<<< HEAD\n"
    '    dependencies = [("shop", "0002_b")]\n'
    "=======\n"
    '    dependencies = [("shop", "0002_b"), ("billing", "0001_initial")]\n'
    ">>>>>>> feature\n"
    "    operations = []\n"
)


@pytest.mark.parametrize(
    "extra",
    (
        pytest.param({"shop/migrations/0003_c.py": LATIN1_MIGRATION}, id="latin1-cookie"),
        pytest.param({"shop/migrations/0003_c.py": BIG_MIGRATION}, id="larger-than-5-mb"),
        pytest.param({"shop/migrations/0003_c.py": CONFLICTED_MIGRATION}, id="conflict-markers"),
    ),
)
def test_migration_python_reads_or_cannot_parse_is_still_a_node(
    git_repo: Path, capsys: pytest.CaptureFixture[str], extra: dict[str, str | bytes]
) -> None:
    commit_tree(
        git_repo,
        {
            **LINEAR,
            **app("billing", {"0001_initial": mig()}),
            **extra,
            "shop/migrations/0004_d.py": mig("shop.0003_c"),
        },
    )
    assert len(BIG_MIGRATION) > 5 * 1024 * 1024
    assert run(capsys) == (0, [], "")


def test_conflict_markers_do_not_hide_a_typo_elsewhere(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_tree(
        git_repo,
        {
            **LINEAR,
            "shop/migrations/0003_c.py": CONFLICTED_MIGRATION,
            **app(
                "billing",
                {"0001_initial": mig(), "0002_x": mig("billing.0001_initial", "shop.0009_typo")},
            ),
        },
    )
    assert run(capsys) == (
        1,
        [
            "billing/migrations/0002_x.py:8:9: DMH402 `0002_x` depends on `shop.0009_typo`, which "
            "does not exist (fix: name an existing migration or restore the missing one)"
        ],
        "",
    )


# --- Django's MigrationLoader as the referee ----------------------------------------------------

LOADER = """
import json, sys
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", *sys.argv[1:]],
    DATABASES={},
    AUTH_USER_MODEL=%(user_model)r,
)
django.setup()
from django.db.migrations.loader import MigrationLoader
try:
    loader = MigrationLoader(None, ignore_no_migrations=True)
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__}))
else:
    print(json.dumps({"conflicts": loader.detect_conflicts()}))
"""

USER_MODEL = (
    "from django.contrib.auth.models import AbstractUser\n\n\nclass User(AbstractUser):\n    pass\n"
)

REFEREE_CASES = (
    pytest.param(LINEAR, {"conflicts": {}}, id="linear"),
    pytest.param(
        app(
            "shop",
            {
                "0001_initial": mig(),
                "0002_a": mig("shop.0001_initial"),
                "0002_b": mig("shop.0001_initial"),
                "0003_c": mig("shop.0002_b"),
            },
        ),
        {"conflicts": {"shop": ["0002_a", "0003_c"]}},
        id="conflict",
    ),
    pytest.param(
        {
            **app(
                "shop",
                {
                    "0001_initial": mig(),
                    "0002_b": mig("shop.0001_initial"),
                    "0001_squashed_0002_b": mig(
                        extra='replaces = [("shop", "0001_initial"), ("shop", "0002_b")]\n'
                    ),
                    "0003_c": mig("shop.0002_b"),
                },
            ),
            **app("billing", {"0001_initial": mig("shop.__first__", "shop.0001_initial")}),
        },
        {"conflicts": {}},
        id="squash-with-files",
    ),
    pytest.param(
        {
            **app(
                "shop",
                {
                    "0001_squashed_0002_b": mig(
                        extra='replaces = [("shop", "0001_initial"), ("shop", "0002_b")]\n'
                    ),
                    "0003_c": mig("shop.0002_b"),
                    "0003_d": mig("shop.0001_initial"),
                },
            ),
        },
        {"conflicts": {"shop": ["0003_c", "0003_d"]}},
        id="squash-without-files-conflict",
    ),
    pytest.param(
        {
            **LINEAR,
            **app(
                "billing",
                {
                    "0001_initial": mig(
                        "shop.__first__", extra='run_before = [("shop", "0002_b")]\n'
                    ),
                    "0002_c": mig("billing.0001_initial", "shop.__latest__"),
                },
            ),
            **app("accounts", {"0001_initial": mig("auth.__first__")}),
            "accounts/models.py": USER_MODEL,
            **app(
                "notes",
                {"0001_initial": mig("migrations.swappable_dependency(settings.AUTH_USER_MODEL)")},
            ),
            "project/settings.py": 'AUTH_USER_MODEL = "accounts.User"\n',
        },
        {"conflicts": {}},
        id="cross-app-swappable-run-before",
    ),
    pytest.param(
        {**LINEAR, **app("billing", {"0001_initial": mig("shop.0003_gone")})},
        {"error": "NodeNotFoundError"},
        id="missing",
    ),
    pytest.param(
        {
            **app("shop", {"0001_initial": mig("billing.0001_initial")}),
            **app(
                "billing",
                {"0001_initial": mig(), "0002_b": mig("billing.0001_initial", "shop.0001_initial")},
            ),
            **app(
                "notes", {"0001_initial": mig(extra='run_before = [("shop", "0001_initial")]\n')}
            ),
        },
        {"conflicts": {}},
        id="no-cycle",
    ),
    pytest.param(
        {
            **app("shop", {"0001_initial": mig(), "0002_b": mig("shop.0001_initial")}),
            **app(
                "billing",
                {"0001_initial": mig("shop.0002_b", extra='run_before = [("shop", "0002_b")]\n')},
            ),
        },
        {"error": "CircularDependencyError"},
        id="cycle-via-run-before",
    ),
    pytest.param(
        {
            **LINEAR,
            "shop/migrations/0003_latin1.py": LATIN1_MIGRATION,
            "shop/migrations/0004_d.py": mig("shop.0003_latin1"),
        },
        {"conflicts": {}},
        id="latin1-with-coding-cookie",
    ),
    pytest.param(
        {
            **LINEAR,
            "shop/migrations/0003_big.py": BIG_MIGRATION,
            "shop/migrations/0004_d.py": mig("shop.0003_big"),
        },
        {"conflicts": {}},
        id="larger-than-5-mb",
    ),
)


def _our_verdict(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, out, _ = run(capsys, "--format", "json")
    findings = json.loads("\n".join(out))
    codes = {f["code"] for f in findings}
    if "DMH402" in codes:
        return {"error": "NodeNotFoundError"}
    if "DMH403" in codes:
        return {"error": "CircularDependencyError"}
    conflicts: dict[str, list[str]] = {}
    for finding in findings:
        app_label = finding["path"].split("/")[-3]
        conflicts.setdefault(app_label, []).append(finding["path"].split("/")[-1][:-3])
    return {"conflicts": {k: sorted(v) for k, v in conflicts.items()}}


@pytest.mark.django
@pytest.mark.parametrize(("files", "verdict"), REFEREE_CASES)
def test_verdict_matches_djangos_migration_loader(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], verdict: object
) -> None:
    commit_tree(git_repo, files)
    apps = sorted(
        {p.split("/")[0] for p in files if "/migrations/" in p or p.endswith("models.py")}
    )
    apps = [a for a in apps if a != "project"]
    user_model = (
        "accounts.User"
        if "accounts/models.py" in files and "User" in files["accounts/models.py"]
        else "auth.User"
    )
    script = LOADER % {"user_model": user_model}
    proc = subprocess.run(
        (sys.executable, "-c", script, *apps),
        cwd=git_repo,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(git_repo), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    django_verdict = json.loads(proc.stdout)
    assert django_verdict == verdict
    assert _our_verdict(capsys) == verdict


def test_cat_files_reads_many_objects_in_one_call(git_repo: Path) -> None:
    from django_migration_hooks import _git

    write(git_repo, {"a.py": "x\n\ny\n", "b.bin": b"\0\n\xff 1 2\n", "empty.py": ""})
    sha = git_commit(git_repo)
    write(git_repo, {"a.py": "staged\n"})
    git(git_repo, "add", "a.py")
    assert _git.cat_files([":a.py", f"{sha}:a.py", "HEAD:b.bin", ":empty.py", ":nope", "HEAD"]) == [
        b"staged\n",
        b"x\n\ny\n",
        b"\0\n\xff 1 2\n",
        b"",
        None,
        None,  # a commit, not a blob
    ]
    assert _git.cat_files([]) == []
    assert _git.cat_files(["a\nb", ":a.py\nHEAD:b.bin"]) == [None, None]  # never sent as lines


def test_run_from_a_subdirectory_reports_paths_relative_to_it(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = app(
        "shop",
        {"0001_initial": mig(), "0002_a": mig("shop.0001_initial"), "0002_b": mig("shop.0001_x")},
        root="backend/",
    )
    commit_tree(git_repo, files)
    monkeypatch.chdir(git_repo / "backend")
    code, out, _ = run(capsys)
    assert (code, [line.split(" DMH")[0] for line in out]) == (
        1,
        ["shop/migrations/0002_b.py:7:9:"],
    )


# --- regressions ---------------------------------------------------------------------------------


def test_symlinked_migrations_folder_is_read_at_its_target(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        git_repo,
        {
            "blog/__init__.py": "",
            "blog/models.py": "from django.db import models\n",
            "shared/blog_migrations/__init__.py": "",
            "shared/blog_migrations/0001_initial.py": mig(),
            "shared/blog_migrations/0002_x.py": mig("blog.0001_initial"),
            **app("shop", {"0001_initial": mig("blog.0002_x")}),
        },
    )
    (git_repo / "blog" / "migrations").symlink_to("../shared/blog_migrations")
    git_commit(git_repo, "symlinked migrations")
    assert run(capsys) == (0, [], "")
    write(git_repo, {"shared/blog_migrations/0002_y.py": mig("blog.0001_initial")})
    git(git_repo, "add", "-A")
    code, out, err = run(capsys)
    assert (code, err) == (1, "")
    assert [line.split(" (fix:")[0] for line in out] == [
        "blog/migrations/0002_x.py:7:9: DMH401 app `blog` has 2 leaf migrations: `0002_x` "
        "conflicts with `0002_y` (common parent `0001_initial`)",
        "blog/migrations/0002_y.py:7:9: DMH401 app `blog` has 2 leaf migrations: `0002_y` "
        "conflicts with `0002_x` (common parent `0001_initial`)",
    ]


def test_tracked_app_named_build_is_checked(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_tree(
        git_repo,
        {
            ".gitignore": "build/\n",
            **app(
                "build",
                {
                    "0001_initial": mig(),
                    "0002_a": mig("build.0001_initial"),
                    "0002_b": mig("build.0001_initial"),
                    "0003_merge": mig("build.0002_a", "build.0002_b"),
                },
            ),
            **app("blog", {"0001_initial": mig("build.0009_typo")}),
        },
    )
    git(git_repo, "add", "-f", "build")
    git_commit(git_repo, "build app")
    assert run(capsys) == (
        1,
        [
            "blog/migrations/0001_initial.py:7:9: DMH402 `0001_initial` depends on "
            "`build.0009_typo`, which does not exist (fix: name an existing migration or restore "
            "the missing one)"
        ],
        "",
    )


# openwisp-controller: a dependency Django computes (a label from a variable, swapper.dependency)
COMPUTED_LABEL = (
    "from django.db import migrations\n\n\n"
    "class Migration(migrations.Migration):\n"
    "    model_app_label = 'users'\n"
    "    dependencies = [(model_app_label, '0002_more')]\n"
    "    operations = []\n"
)


@pytest.mark.parametrize(
    ("third", "why"),
    (
        pytest.param(
            COMPUTED_LABEL, "`(model_app_label, '0002_more')` (line 6)", id="label-from-variable"
        ),
        pytest.param(
            mig("users.0002_more", "(swapper.dependency('users', 'organization'))"),
            "`swapper.dependency('users', 'organization')` (line 8)",
            id="computed-by-a-call",
        ),
    ),
)
def test_app_with_a_dependency_the_hook_cannot_evaluate_is_uncertain(
    git_repo: Path, capsys: pytest.CaptureFixture[str], third: str, why: str
) -> None:
    users = {
        "0001_initial": mig(),
        "0002_more": mig("users.0001_initial"),
        "0003_groups": third,
        "0004_expiry": mig("users.0003_groups"),
        "0005_other": mig("users.0002_more"),  # a second leaf: uncertain, so not reported
    }
    blog = {"0001_initial": mig(), "0002_a": mig("blog.0001_initial")}
    blog["0002_b"] = blog["0002_a"]
    commit_tree(git_repo, {**app("users", users), **app("blog", blog)})
    code, out, err = run(capsys)
    assert code == 1
    assert [line.split(": DMH401")[0] for line in out] == [
        "blog/migrations/0002_a.py:7:9",
        "blog/migrations/0002_b.py:7:9",
    ]
    assert err == (
        "check-migration-conflicts: app `users` not checked: users/migrations/0003_groups.py: "
        f"`dependencies` holds {why}, not a literal, the hook cannot tell what it depends on\n"
    )


def test_graph_is_checked_where_migration_modules_puts_migrations(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    moved = {"0001_initial": mig(), "0002_a": mig("dojo.0001_initial")}
    moved["0002_b"] = moved["0002_a"]
    files = {k.replace("/migrations/", "/db_migrations/"): v for k, v in app("dojo", moved).items()}
    settings = "MIGRATION_MODULES = {'dojo': 'dojo.db_migrations'}\n"
    commit_tree(git_repo, {**files, "site/settings.py": settings})
    code, out, err = run(capsys)
    assert (code, [line.split(" has ")[0] for line in out], err) == (
        1,
        [
            "dojo/db_migrations/0002_a.py:7:9: DMH401 app `dojo`",
            "dojo/db_migrations/0002_b.py:7:9: DMH401 app `dojo`",
        ],
        "",
    )


def test_a_migration_name_with_commas_colons_and_percent_is_a_migration(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Django loads any module name not starting with `_` or `~`: `0002_b,c:d%0A` is a leaf."""
    odd = "0002_b,c:d%0A"
    commit_tree(
        git_repo,
        app(
            "shop",
            {
                "0001_initial": mig(),
                "0002_a": mig("shop.0001_initial"),
                odd: mig("shop.0001_initial"),
            },
        ),
    )
    code, out, err = run(capsys)
    assert (code, err) == (1, "")
    assert sorted(line.split(": DMH401 ")[0] for line in out) == [
        "shop/migrations/0002_a.py:7:9",
        f"shop/migrations/{odd}.py:7:9",
    ]
