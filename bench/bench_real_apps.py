"""check-missing-migrations (Django tier) against each app's own `makemigrations --check`, on real
apps from PyPI, side by side in one run.

    python bench/bench_real_apps.py WORKDIR [--repeat 3] [--apps taggit,celery-beat,...]

For each app: a virtualenv with the app installed from PyPI (and its dependencies), the app's
package copied from site-packages into a fresh git repository beside a minimal settings project
(as a consumer of the hook has its own code), committed. Then, per repetition, interleaved:

- stock: `python manage.py makemigrations --check --dry-run --no-input` (bytecode warm)
- first run: the hook with an empty cache directory (every CI job, every pre-commit.ci run)
- model edit: a field added to one model after a cached run (both report the change)
- nothing changed: the hook again, cache warm

Printed: medians in seconds and the ratio to the stock command of the same state.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DJANGO = "Django>=5.2,<6"

# app: (PyPI requirement, packages to copy into the repository, INSTALLED_APPS, models file to edit)
APPS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], str]] = {
    "taggit": ("django-taggit==6.1.0", ("taggit",), ("taggit",), "taggit/models.py"),
    "celery-beat": (
        "django-celery-beat==2.9.0",
        ("django_celery_beat",),
        ("django_celery_beat",),
        "django_celery_beat/models.py",
    ),
    "allauth": (
        "django-allauth==65.22.1",
        ("allauth",),
        ("django.contrib.sites", "allauth", "allauth.account", "allauth.socialaccount"),
        "allauth/socialaccount/models.py",
    ),
    "wagtail": (
        "wagtail==7.4.4",
        ("wagtail",),
        (
            "wagtail.contrib.forms",
            "wagtail.contrib.redirects",
            "wagtail.embeds",
            "wagtail.sites",
            "wagtail.users",
            "wagtail.snippets",
            "wagtail.documents",
            "wagtail.images",
            "wagtail.search",
            "wagtail.admin",
            "wagtail",
            "modelcluster",
            "taggit",
        ),
        "wagtail/documents/models.py",
    ),
}

MIDDLEWARE = {"allauth": ["allauth.account.middleware.AccountMiddleware"]}
SETTINGS = """\
SECRET_KEY = "bench"
USE_TZ = True
SITE_ID = 1
STATIC_URL = "/static/"
WAGTAIL_SITE_NAME = "bench"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    {apps}
]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
MIDDLEWARE = {middleware}
"""
MANAGE = """\
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc.returncode


def git(repo: Path, *args: str) -> None:
    subprocess.run(("git", *args), cwd=repo, check=True, capture_output=True)


def prepare(work: Path, name: str) -> tuple[Path, Path, str]:
    requirement, packages, apps, models = APPS[name]
    venv = work / f"venv-{name}"
    if not venv.exists():
        subprocess.run((sys.executable, "-m", "venv", venv), check=True)
        subprocess.run(
            (venv / "bin" / "python", "-m", "pip", "install", "-q", DJANGO, requirement),
            check=True,
        )
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            (python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"),
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    repo = work / f"repo-{name}"
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir()
    for package in packages:
        shutil.copytree(site / package, repo / package, ignore=shutil.ignore_patterns("*.pyc"))
    (repo / "benchsite").mkdir()
    (repo / "benchsite" / "__init__.py").write_text("")
    listed = "\n    ".join(f'"{app}",' for app in apps)
    middleware = MIDDLEWARE.get(name, [])
    (repo / "benchsite" / "settings.py").write_text(
        SETTINGS.format(apps=listed, middleware=middleware)
    )
    (repo / "manage.py").write_text(MANAGE)
    (repo / ".gitignore").write_text("__pycache__/\n*.sqlite3\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "app")
    return python, repo, models


def add_field(repo: Path, models: str) -> None:
    """Append a field to the first concrete model class of the file (a real model edit)."""
    path = repo / models
    text = path.read_text()
    found = re.search(r"^class \w+\([^)]*models\.Model\):\n", text, re.MULTILINE)
    assert found, f"{models}: no model class"
    at = found.end()
    path.write_text(text[:at] + "    bench_note = models.TextField(blank=True)\n" + text[at:])


def bench(work: Path, name: str, repeat: int) -> dict[str, tuple[float, float]]:
    python, repo, models = prepare(work, name)
    hook = [str(Path(sys.executable).parent / "check-missing-migrations"), "--python", str(python)]
    stock = [str(python), "manage.py", "makemigrations", "--check", "--dry-run", "--no-input"]
    assert run(stock, repo)[1] == 0, f"{name}: makemigrations --check fails on the clean app"
    times: dict[str, list[float]] = {
        k: [] for k in ("stock", "first", "stock-edit", "edit", "same")
    }
    for i in range(repeat):
        cache = work / f"cache-{name}-{i}"
        env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
        env.pop("PRE_COMMIT", None)
        times["stock"].append(run(stock, repo)[0])
        times["first"].append(run(hook, repo, env)[0])
        add_field(repo, models)
        times["stock-edit"].append(run(stock, repo)[0])
        elapsed, code = run(hook, repo, env)
        assert code == 1, f"{name}: the hook missed the model edit"
        times["edit"].append(elapsed)
        times["same"].append(run(hook, repo, env)[0])
        git(repo, "checkout", "-q", "--", models)
        shutil.rmtree(cache, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "first run": (med["first"], med["first"] / med["stock"]),
        "model edit": (med["edit"], med["edit"] / med["stock-edit"]),
        "nothing changed": (med["same"], med["same"] / med["stock"]),
        "stock": (med["stock"], 1.0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--apps", default=",".join(APPS))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print("| app | stock (s) | first run | model edit | nothing changed |")
    print("|---|---|---|---|---|")
    for name in args.apps.split(","):
        r = bench(args.workdir.resolve(), name, args.repeat)
        cells = [
            f"{r[k][0]:.2f} s, {r[k][1]:.2f}x"
            for k in ("first run", "model edit", "nothing changed")
        ]
        print(f"| {name} | {r['stock'][0]:.2f} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
