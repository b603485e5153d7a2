"""A small committed Django project (one app, `shop`) for the hostile cases."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git_commit, git_init, write

APPS_PY = 'from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = "shop"\n'

MODELS = """\
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
"""

# the same model with a field Django would need a migration for
MODELS_WITH_PRICE = MODELS + "    price = models.IntegerField(default=0)\n"

INITIAL = """\
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
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100)),
            ],
        ),
    ]
"""

SETTINGS = """\
SECRET_KEY = "x"
INSTALLED_APPS = ["shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""

MANAGE = """\
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""

FILES = {
    "manage.py": MANAGE,
    "proj/__init__.py": "",
    "proj/settings.py": SETTINGS,
    "shop/__init__.py": "",
    "shop/apps.py": APPS_PY,
    "shop/models.py": MODELS,
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": INITIAL,
}


def shop_project(root: Path) -> Path:
    """A git repository at root holding the committed project (migrations up to date)."""
    git_init(root)
    write(root, FILES)
    git_commit(root, "shop")
    return root
