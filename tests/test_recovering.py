"""docs/recovering.md, verbatim, on a project whose production deploy-time makemigrations built.

The test first recreates the history the guide is for (migrations gitignored, two deploys from a
clean checkout each generating their own 0001_initial, a model change in between, production
left without the new column), then runs every marked shell block of the guide in order, doing the
edits the guide asks for where it marks them, and ends with a new migration committed and
applied by a deploy that only migrates. Real Django on SQLite, real git, this venv's Python.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import BIN, ROOT, git, git_commit, git_init, write

pytestmark = pytest.mark.django

GUIDE = ROOT / "docs" / "recovering.md"

SETTINGS = """\
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "not-a-secret"
INSTALLED_APPS = ["shop"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True


def _database(url):  # what dj-database-url does, for SQLite URLs only
    assert url.startswith("sqlite:///"), url
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": url[len("sqlite:///") :]}


DATABASES = {"default": _database(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR}/db.sqlite3"))}
"""

MANAGE = """\
#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""

MODELS = """\
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
"""
SKU = "    sku = models.CharField(max_length=32, blank=True, null=True)\n"
PRICE = "    price = models.IntegerField(default=0)\n"

PROJECT: dict[str, str | bytes] = {
    # the original mistake: migration files never reach git, so never reach a build
    ".gitignore": "__pycache__/\n*.sqlite3\n*/migrations/0*.py\n",
    "Procfile": (
        "release: python manage.py makemigrations && python manage.py migrate\n"
        "web: gunicorn config.wsgi\n"
    ),
    "manage.py": MANAGE,
    "config/__init__.py": "",
    "config/settings.py": SETTINGS,
    "shop/__init__.py": "",
    "shop/migrations/__init__.py": "",
    "shop/models.py": MODELS,
}

QUERY = "from shop.models import Product; print(list(Product.objects.values_list({})))"


@dataclass
class Step:
    script: str
    exit: int
    edit: str | None


def guide_steps() -> list[Step]:
    """Every ```sh block right after a `<!-- recovering-step -->` marker, in order."""
    marker = re.compile(
        r"^(?:<!-- recovering-edit (?P<edit>[\w-]+) -->\n)?"
        r"<!-- recovering-step(?: exit=(?P<exit>\d+))? -->\n```sh\n(?P<script>.*?)^```$",
        re.MULTILINE | re.DOTALL,
    )
    text = GUIDE.read_text(encoding="utf-8")
    steps = [Step(m["script"], int(m["exit"] or 0), m["edit"]) for m in marker.finditer(text)]
    assert len(steps) == text.count("<!-- recovering-step"), "a marker not before a sh block"
    assert len([s for s in steps if s.edit]) == text.count("<!-- recovering-edit")
    return steps


class Project:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.repo = git_init(tmp_path / "app")
        self.production = tmp_path / "production.sqlite3"
        self.deploys = 0
        self.env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "PYTHONDONTWRITEBYTECODE": "1",
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
        }
        self.env.pop("PYTHONPATH", None)

    def run(
        self, script: str, *, cwd: Path | None = None, database: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ("bash", "-e", "-o", "pipefail", "-c", script),
            cwd=cwd or self.repo,
            capture_output=True,
            text=True,
            env={**self.env, "DATABASE_URL": f"sqlite:///{database or self.production}"},
        )

    def deploy(self) -> tuple[Path, str]:
        """A build from a clean checkout of the last commit, running the Procfile's release."""
        self.deploys += 1
        build = self.tmp / f"build-{self.deploys}"
        git(self.tmp, "clone", "-q", str(self.repo), str(build))
        (release,) = re.findall(r"^release: (.*)$", (build / "Procfile").read_text(), re.M)
        result = self.run(release, cwd=build)
        assert result.returncode == 0, result.stdout + result.stderr
        return build, result.stdout

    def query(self, build: Path, *fields: str) -> subprocess.CompletedProcess[str]:
        names = ", ".join(repr(f) for f in fields)
        return self.run(f'python manage.py shell -c "{QUERY.format(names)}"', cwd=build)

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.repo / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS: dict[str, Callable[[Project], None]] = {
    # the reader's hand edits the guide asks for, at the places it marks
    "models-as-production": lambda p: p.edit("shop/models.py", SKU, ""),
    "deploy-only-migrates": lambda p: p.edit(
        "Procfile",
        "python manage.py makemigrations && python manage.py migrate",
        "python manage.py migrate",
    ),
    "new-field": lambda p: p.edit("shop/models.py", SKU, SKU + PRICE),
}


def local_makemigrations(project: Project) -> None:
    """A developer's own run: it leaves ignored files in the checkout that production never saw."""
    local = project.run("python manage.py makemigrations", database=project.tmp / "dev.sqlite3")
    assert local.returncode == 0, local.stderr


def recreate_history(project: Project) -> None:
    """Two deploys generating their own 0001_initial, a model change in between."""
    write(project.repo, PROJECT)
    git_commit(project.repo, "shop: Product")
    local_makemigrations(project)

    _, output = project.deploy()
    assert "Applying shop.0001_initial... OK" in output

    project.edit("shop/models.py", MODELS, MODELS + SKU)
    git_commit(project.repo, "shop: Product.sku")
    local_makemigrations(project)

    second, output = project.deploy()
    assert "Migrations for 'shop':" in output and "No migrations to apply." in output
    assert "sku" in (second / "shop" / "migrations" / "0001_initial.py").read_text()
    broken = project.query(second, "name", "sku")
    assert broken.returncode == 1 and "no such column: shop_product.sku" in broken.stderr
    assert git(project.repo, "ls-files", "shop/migrations") == "shop/migrations/__init__.py\n"
    assert sorted(p.name for p in (project.repo / "shop" / "migrations").glob("0*.py")) == [
        "0001_initial.py",
        "0002_product_sku.py",
    ]


def test_the_guide_gets_back_to_committed_migrations(tmp_path: Path) -> None:
    project = Project(tmp_path)
    recreate_history(project)
    copy = tmp_path / "production-copy.sqlite3"
    shutil.copyfile(project.production, copy)
    project.env["SCRATCH_DATABASE_URL"] = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"

    edits = []
    for step in guide_steps():
        if step.edit:
            EDITS[step.edit](project)
            edits.append(step.edit)
        # the guide reads a restored copy of production until it applies the baseline once
        applies = "migrate --fake-initial" in step.script
        result = project.run(step.script, database=None if applies else copy)
        assert result.returncode == step.exit, (step.script, result.stdout, result.stderr)
        if applies:
            assert "Applying shop.0002_product_sku... OK" in result.stdout
            build, output = project.deploy()  # "Now deploy."
            assert "No migrations to apply." in output
            assert project.query(build, "name", "sku").returncode == 0
    assert edits == list(EDITS)

    # the new migration is committed, and a deploy that only migrates applies it
    assert git(project.repo, "status", "--porcelain") == ""
    assert git(project.repo, "ls-files", "shop/migrations").split() == [
        "shop/migrations/0001_initial.py",
        "shop/migrations/0002_product_sku.py",
        "shop/migrations/0003_product_price.py",
        "shop/migrations/__init__.py",
    ]
    build, output = project.deploy()
    assert "makemigrations" not in (build / "Procfile").read_text()
    assert "Applying shop.0003_product_price... OK" in output
    works = project.query(build, "name", "sku", "price")
    assert works.returncode == 0 and works.stdout.endswith("\n[]\n"), works.stderr
    for check in ("python manage.py migrate --check", "python manage.py makemigrations --check"):
        result = project.run(check, cwd=build)
        assert result.returncode == 0, (check, result.stdout, result.stderr)
