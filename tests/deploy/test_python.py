from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.deploy import python
from tests.deploy import run_hook

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"


def dmh301(path: str, line: int, col: int, where: str) -> str:
    return (
        f"{path}:{line}:{col}: DMH301 {where} runs `makemigrations`, which writes migration "
        f"files on deploy {HINT}"
    )


@pytest.mark.parametrize(
    ("path", "text"),
    (
        pytest.param(
            "start.py",
            "from django.core.management import call_command\n"
            "call_command('makemigrations', check=True, dry_run=True)\n"
            "call_command('migrate', interactive=False)\n",
            id="check-kwargs",
        ),
        pytest.param(
            "start.py",
            "# call_command('makemigrations')\nprint('run makemigrations locally')\n",
            id="comment-and-print",
        ),
        pytest.param(
            "makemigrations.py",
            "from django.core.management import execute_from_command_line\n"
            "execute_from_command_line(['makemigrations.py', 'makemigrations'])\n",
            id="maintainer-script",
        ),
        pytest.param(
            "tasks.py",
            "from invoke import task\n\n\n"
            "@task\ndef make_migrations(c):\n    c.run('python manage.py makemigrations')\n\n\n"
            "@task\ndef clean(c):\n    c.run('rm -rf build')\n\n\n"
            "@task(clean)\ndef build(c):\n    c.run('python manage.py migrate')\n",
            id="invoke-dev-task",
        ),
        pytest.param(
            "app/views.py",
            "import subprocess\nsubprocess.run(['python', 'manage.py', 'makemigrations'])\n",
            id="not-a-deploy-script",
        ),
        pytest.param(
            "deploy.py",
            "def broken(:\n    call_command('makemigrations')\n",
            id="syntax-error",
        ),
        pytest.param(
            "deploy.py",
            "import subprocess\nsubprocess.run(['python', 'manage.py', 'makemigrations',"
            " '--check'])\n",
            id="subprocess-check",
        ),
    ),
)
def test_python_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (0, [], "")


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    (
        pytest.param(
            "start.py",
            "import django\nfrom django.core.management import call_command\n"
            "django.setup()\n"
            "call_command('makemigrations', interactive=False)\n",
            dmh301("start.py", 4, 15, "Python script call_command()"),
            id="call-command",
        ),
        pytest.param(
            "bin/deploy.py",
            "from django.core import management\n"
            "def main():\n"
            "    management.call_command(\n        'makemigrations',\n        merge=True,\n    )\n",
            dmh301("bin/deploy.py", 4, 10, "deploy.py `main` call_command()"),
            id="management-call-command",
        ),
        pytest.param(
            "deploy.py",
            "import subprocess, sys\n"
            "subprocess.run(\n    [sys.executable, 'manage.py',\n     'makemigrations'],\n"
            "    check=True,\n)\n",
            dmh301("deploy.py", 4, 7, "Python script subprocess.run()"),
            id="subprocess-list",
        ),
        pytest.param(
            "release.py",
            "import os\nAPP = 'shop'\n"
            "os.system(f'python manage.py makemigrations {APP} && python manage.py migrate')\n",
            dmh301("release.py", 3, 30, "Python script os.system()"),
            id="os-system-fstring",
        ),
        pytest.param(
            "fabfile.py",
            "from fabric import task\n\n\n"
            "@task\ndef migrations(c):\n"
            "    c.run(\n        'cd /srv/app && '\n        'python manage.py makemigrations'\n"
            "    )\n",
            dmh301("fabfile.py", 8, 27, "fabfile.py `migrations` c.run()"),
            id="fabric-remote",
        ),
        pytest.param(
            "tasks.py",
            "from invoke import task\n\n\n"
            "@task\ndef make_migrations(c):\n    c.run('python manage.py makemigrations')\n\n\n"
            "@task(pre=[make_migrations])\ndef deploy(c):\n    c.run('git push heroku main')\n",
            dmh301("tasks.py", 6, 29, "tasks.py `make_migrations` c.run() (run by task `deploy`)"),
            id="invoke-pre-task-of-deploy",
        ),
        pytest.param(
            "tasks.py",
            "from invoke import task\n\n\n"
            "@task\ndef migrate(ctx):\n    ctx.run('heroku run python manage.py makemigrations')\n",
            dmh301("tasks.py", 6, 42, "tasks.py `migrate` ctx.run()").replace(
                "`makemigrations`", "`makemigrations` on a remote host"
            ),
            id="invoke-heroku-run",
        ),
    ),
)
def test_python_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (1, [expected], "")


def test_procfile_runs_neutral_python_script(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "Procfile": "release: python boot_db.py\nweb: gunicorn a.wsgi\n",
        "boot_db.py": "from django.core.management import call_command\n"
        "call_command('makemigrations')\ncall_command('migrate', fake_initial=True)\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [
            dmh301("boot_db.py", 2, 15, "Python script call_command()"),
            "boot_db.py:3:14: DMH303 Python script call_command() runs `migrate --fake-initial`: "
            "migrations are marked applied without running them (fix: deploy with plain "
            "`migrate`; run `--fake-initial` once by hand if really needed)",
        ],
        "",
    )


def test_ci_runs_invoke_dev_task(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "Procfile": "release: invoke make-migrations\n",
        "tasks.py": "from invoke import task\n\n\n"
        "@task\ndef make_migrations(c):\n    c.run('python manage.py makemigrations')\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [
            dmh301(
                "tasks.py",
                6,
                29,
                "tasks.py `make_migrations` c.run() (run by Procfile process `release`)",
            )
        ],
        "",
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    (
        ("start.py", True),
        ("docker-entrypoint.py", True),
        ("core/management/commands/deploy_tasks.py", True),
        ("fabfile.py", True),
        ("tasks.py", True),
        ("bin/release", True),
        ("app/migrations/0001_initial.py", False),
        ("tests/deploy.py", False),
        ("makemigrations.py", False),
        ("app/models.py", False),
    ),
)
def test_python_deploy_script_names(path: str, expected: bool) -> None:
    assert python.is_deploy_script(path) is expected


@pytest.mark.parametrize(
    ("text", "col"),
    (
        pytest.param(
            "import subprocess\n"
            "subprocess.check_call(['python', 'manage.py'] + ['makemigrations'])\n",
            51,
            id="list-concatenation",
        ),
        pytest.param(
            "import shlex, subprocess\n"
            "subprocess.run(shlex.split('python manage.py makemigrations --noinput'))\n",
            46,
            id="shlex-split",
        ),
        pytest.param(
            "import subprocess\n"
            "subprocess.run('python manage.py makemigrations'.split(), check=True)\n",
            34,
            id="str-split",
        ),
        pytest.param(
            "import subprocess\nsubprocess.run('python manage.py makemigrations', shell=True)\n",
            34,
            id="shell-string",
        ),
    ),
)
def test_python_argv_shapes(
    git_repo: Path, capsys: pytest.CaptureFixture[str], text: str, col: int
) -> None:
    rc, out, err = run_hook(git_repo, capsys, {"entrypoint.py": text})
    assert (rc, err) == (1, "")
    assert [line.split(" ")[0:2] for line in out] == [[f"entrypoint.py:2:{col}:", "DMH301"]]


def test_wsgi_module_runs_on_every_start(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "mysite/wsgi.py": "from django.core.management import call_command\n"
        "from django.core.wsgi import get_wsgi_application\n\n"
        "application = get_wsgi_application()\ncall_command('makemigrations')\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [dmh301("mysite/wsgi.py", 5, 15, "Python script call_command()")],
        "",
    )


def test_rmtree_of_migrations_in_release_script(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "release.py": "import shutil\nshutil.rmtree('shop/migrations', ignore_errors=True)\n",
    }
    assert run_hook(git_repo, capsys, files) == (
        1,
        [
            "release.py:2:15: DMH302 Python script shutil.rmtree() deletes migration files "
            "(`rm -rf shop/migrations`) (fix: keep migrations in git; delete only *.pyc / "
            "__pycache__)"
        ],
        "",
    )
