"""Generate a large synthetic Django monorepo as a git repository, for benchmarks.

    python bench/make_monorepo.py DEST [--apps 200] [--migrations 25] [--files 18000]

The tree is consistent: `python manage.py makemigrations --check --dry-run` finds no changes, every
migration graph is linear, nothing is ignored. Deploy configs, CI workflows and ignore files are
included so every hook has something to read.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ID_FIELD = (
    '("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, '
    'verbose_name="ID"))'
)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def app_files(root: Path, index: int, migrations: int, extra: int) -> int:
    name = f"app{index:03d}"
    app = root / "apps" / name
    models = ["Item", "Order"]
    added: dict[str, list[str]] = {m: [] for m in models}
    written = 0

    # migrations: 0001 creates both models, then one AddField per migration
    initial = [
        "from django.db import migrations, models",
        "import django.db.models.deletion",
        "",
        "",
        "class Migration(migrations.Migration):",
        "    initial = True",
        "",
        "    dependencies = []"
        if index == 0
        else f'    dependencies = [("app{index - 1:03d}", "0001_initial")]',
        "",
        "    operations = [",
        "        migrations.CreateModel(",
        '            name="Item",',
        "            fields=[",
        f"                {ID_FIELD},",
        '                ("name", models.CharField(max_length=100)),',
        "            ],",
        "        ),",
        "        migrations.CreateModel(",
        '            name="Order",',
        "            fields=[",
        f"                {ID_FIELD},",
        '                ("quantity", models.IntegerField(default=0)),',
        '                ("item", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, '
        f'to="{name}.item")),',
        "            ],",
        "        ),",
        "    ]",
        "",
    ]
    write(app / "migrations" / "0001_initial.py", "\n".join(initial))
    write(app / "migrations" / "__init__.py", "")
    written += 2
    previous = "0001_initial"
    for number in range(2, migrations + 1):
        model = models[number % 2]
        field = f"field_{number:03d}"
        added[model].append(field)
        migration = f"{number:04d}_{model.lower()}_{field}"
        write(
            app / "migrations" / f"{migration}.py",
            "from django.db import migrations, models\n\n\n"
            "class Migration(migrations.Migration):\n"
            f'    dependencies = [("{name}", "{previous}")]\n\n'
            "    operations = [\n"
            "        migrations.AddField(\n"
            f'            model_name="{model.lower()}",\n'
            f'            name="{field}",\n'
            '            field=models.CharField(blank=True, default="", max_length=50),\n'
            "        ),\n"
            "    ]\n",
        )
        previous = migration
        written += 1

    lines = ["from django.db import models", "", ""]
    lines += ["class Item(models.Model):", "    name = models.CharField(max_length=100)"]
    lines += [
        f'    {f} = models.CharField(blank=True, default="", max_length=50)' for f in added["Item"]
    ]
    lines += ["", "    def __str__(self):", "        return self.name", "", ""]
    lines += ["class Order(models.Model):", "    quantity = models.IntegerField(default=0)"]
    lines += ["    item = models.ForeignKey(Item, on_delete=models.CASCADE)"]
    lines += [
        f'    {f} = models.CharField(blank=True, default="", max_length=50)' for f in added["Order"]
    ]
    write(app / "models.py", "\n".join(lines) + "\n")
    write(app / "__init__.py", "")
    write(
        app / "apps.py",
        "from django.apps import AppConfig\n\n\n"
        f"class App{index:03d}Config(AppConfig):\n"
        f'    name = "{name}"\n'
        '    default_auto_field = "django.db.models.BigAutoField"\n',
    )
    for module in ("admin", "views", "urls", "forms", "tests", "serializers"):
        write(app / f"{module}.py", f'"""{name} {module}."""\n')
    written += 9
    for n in range(extra):
        kind = n % 3
        if kind == 0:
            write(app / "templates" / name / f"page_{n}.html", f"<p>{name} {n}</p>\n")
        elif kind == 1:
            write(app / "static" / name / f"style_{n}.css", f".c{n} {{ color: red; }}\n")
        else:
            write(app / "locale" / f"l{n}" / "LC_MESSAGES" / "django.po", f'msgid "{n}"\n')
        written += 1
    return written


def project_files(root: Path, apps: int) -> None:
    installed = "\n".join(f'    "app{i:03d}",' for i in range(apps))
    write(
        root / "project" / "settings.py",
        "import os\nimport sys\nfrom pathlib import Path\n\n"
        "BASE_DIR = Path(__file__).resolve().parent.parent\n"
        'sys.path.insert(0, str(BASE_DIR / "apps"))\n'
        'SECRET_KEY = "bench"\n'
        "INSTALLED_APPS = [\n"
        '    "django.contrib.contenttypes",\n'
        '    "django.contrib.auth",\n'
        f"{installed}\n]\n"
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", '
        '"NAME": BASE_DIR / "db.sqlite3"}}\n'
        'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n'
        "USE_TZ = True\n",
    )
    write(root / "project" / "__init__.py", "")
    write(root / "project" / "urls.py", "urlpatterns = []\n")
    write(
        root / "project" / "wsgi.py",
        "import os\n\nfrom django.core.wsgi import get_wsgi_application\n\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")\n'
        "application = get_wsgi_application()\n",
    )
    write(
        root / "manage.py",
        "#!/usr/bin/env python\nimport os\nimport sys\n\n"
        'if __name__ == "__main__":\n'
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")\n'
        "    from django.core.management import execute_from_command_line\n\n"
        "    execute_from_command_line(sys.argv)\n",
    )
    write(
        root / "Procfile",
        "release: python manage.py migrate --noinput\nweb: gunicorn project.wsgi\n",
    )
    write(
        root / "Dockerfile",
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
        "RUN pip install -r requirements.txt\n"
        'CMD ["./entrypoint.sh"]\n',
    )
    write(
        root / "entrypoint.sh",
        "#!/bin/sh\nset -e\npython manage.py migrate\nexec gunicorn project.wsgi\n",
    )
    write(root / "requirements.txt", "Django>=4.2\ngunicorn\n")
    write(
        root / "docker-compose.yml",
        "services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n",
    )
    write(
        root / ".github" / "workflows" / "ci.yml",
        "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: python manage.py makemigrations --check --dry-run\n"
        "      - run: python manage.py test\n",
    )
    write(root / ".gitignore", "__pycache__/\n*.py[cod]\n.venv/\ndb.sqlite3\n")
    write(root / ".dockerignore", ".git\n**/__pycache__\n.venv\n")
    write(root / "README.md", "# bench monorepo\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest")
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--migrations", type=int, default=25, help="per app")
    parser.add_argument("--files", type=int, default=18000, help="approximate total")
    args = parser.parse_args(argv)
    root = Path(args.dest)
    if root.exists() and any(root.iterdir()):
        print(f"{root}: exists and is not empty", file=sys.stderr)
        return 2
    per_app = args.files // args.apps
    extra = max(0, per_app - (args.migrations + 1 + 9))
    total = 0
    for index in range(args.apps):
        total += app_files(root, index, args.migrations, extra)
    project_files(root, args.apps)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }
    for cmd in (
        ("git", "-c", "init.defaultBranch=main", "init", "-q"),
        ("git", "add", "-A"),
        ("git", "-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", "bench"),
    ):
        subprocess.run(cmd, cwd=root, check=True, env=env)
    files = subprocess.run(
        ("git", "ls-files"), cwd=root, check=True, capture_output=True, text=True
    ).stdout.count("\n")
    print(f"{root}: {args.apps} apps, {args.apps * args.migrations} migrations, {files} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
