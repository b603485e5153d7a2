"""check-deploy-makemigrations on whole small repositories: variables as programs, files a
config runs, developer helpers, deletions and remote wrappers (one param per case)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git_commit, write
from tests.deploy import run_hook


@pytest.fixture(autouse=True)
def _outside_pre_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests run the hook as a person does; the pre_commit tests set the variables."""
    for name in ("PRE_COMMIT", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF"):
        monkeypatch.delenv(name, raising=False)


HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"


def dmh301(path: str, line: int, col: int, where: str) -> str:
    return (
        f"{path}:{line}:{col}: DMH301 {where} runs `makemigrations`, which writes migration "
        f"files on deploy {HINT}"
    )


def dmh302(path: str, line: int, col: int, where: str, detail: str) -> str:
    return (
        f"{path}:{line}:{col}: DMH302 {where} deletes migration files (`{detail}`) "
        "(fix: keep migrations in git; delete only *.pyc / __pycache__)"
    )


REMOTE = (
    "{path}:{line}:{col}: DMH301 {where} runs `makemigrations` on a remote host, which writes "
    f"migration files on deploy {HINT}"
)

FINDINGS = (
    # 9. deleting migrations: pipelines, negations, mixed alternatives
    pytest.param(
        {"deploy.sh": 'find . -path "*/migrations/0*.py" | xargs rm -f\n'},
        (),
        [dmh302("deploy.sh", 1, 43, "script", "find . -path */migrations/0*.py ... | xargs rm")],
        id="find-xargs-rm",
    ),
    pytest.param(
        {
            "deploy.sh": 'find . -path "*/migrations/*.py" -not -name "__init__.py" -print0'
            " | xargs -0 rm\n"
        },
        (),
        [dmh302("deploy.sh", 1, 78, "script", "find . -path */migrations/*.py ... | xargs rm")],
        id="find-print0-xargs-0-rm",
    ),
    pytest.param(
        {
            "deploy.sh": 'find . -path "*/migrations/*.py" -not -path "*/__init__.py" -delete'
            ' -o -name "*.pyc" -delete\n'
        },
        (),
        [dmh302("deploy.sh", 1, 1, "script", "find . -path */migrations/*.py")],
        id="find-delete-or-pyc",
    ),
    # 1. a program given by a variable
    pytest.param(
        {"Makefile": "PY ?= python\ndeploy:\n\t$(PY) manage.py makemigrations\n"},
        (),
        [dmh301("Makefile", 3, 18, "Makefile target `deploy`")],
        id="make-py-variable",
    ),
    pytest.param(
        {"Makefile": "MANAGE = python manage.py\nrelease:\n\t$(MANAGE) makemigrations\n"},
        (),
        [dmh301("Makefile", 3, 12, "Makefile target `release`")],
        id="make-manage-variable",
    ),
    pytest.param(
        {"Makefile": "deploy: migrations\n\nmigrations:\n\t${PY} manage.py makemigrations\n"},
        (),
        [dmh301("Makefile", 4, 18, "Makefile target `migrations` (run by target `deploy`)")],
        id="make-deploy-reaches-variable-target",
    ),
    pytest.param(
        {
            "deploy.sh": "$PY manage.py makemigrations\n"
            '"${PYTHON:-python}" manage.py makemigrations\n'
        },
        (),
        [dmh301("deploy.sh", 1, 15, "script"), dmh301("deploy.sh", 2, 31, "script")],
        id="shell-python-variables",
    ),
    pytest.param(
        {"deploy.sh": "$(RUN) ./manage.py makemigrations\n"},
        (),
        [dmh301("deploy.sh", 1, 20, "script")],
        id="shell-unknown-variable-before-manage-py",
    ),
    pytest.param(
        {
            "justfile": "deploy: migrations\n\nmigrations:\n"
            "    {{ python }} manage.py makemigrations\n"
        },
        (),
        [dmh301("justfile", 4, 28, "justfile target `migrations` (run by target `deploy`)")],
        id="just-python-variable",
    ),
    pytest.param(
        {
            "tasks.py": "from invoke import task\n\n@task\ndef deploy(c):\n"
            '    c.run(f"{MANAGE} makemigrations")\n'
            '    c.run(f"{PY} manage.py makemigrations --noinput")\n'
        },
        (),
        [
            dmh301("tasks.py", 5, 22, "tasks.py `deploy` c.run()"),
            dmh301("tasks.py", 6, 28, "tasks.py `deploy` c.run()"),
        ],
        id="invoke-fstring-variables",
    ),
    pytest.param(
        {
            "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
            "chart/templates/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n"
            "  name: migrate\nspec:\n  template:\n    spec:\n      containers:\n"
            "        - name: migrate\n"
            '          command: ["sh", "-c", "{{ .Values.python }} manage.py makemigrations"]\n',
        },
        (),
        [dmh301("chart/templates/job.yaml", 10, 65, "Kubernetes Job migrate container migrate")],
        id="helm-template-python",
    ),
    # 2. scripts a config runs are deploy scripts whatever their mode bits and shebang
    pytest.param(
        {
            "Dockerfile": 'CMD ["docker/start"]\n',
            "docker/start": "#!/bin/sh\npython manage.py makemigrations\n",
        },
        (),
        [dmh301("docker/start", 2, 18, "script")],
        id="dockerfile-cmd-script-not-executable",
    ),
    pytest.param(
        {"Procfile": "web: sh docker/boot\n", "docker/boot": "python manage.py makemigrations\n"},
        (),
        [dmh301("docker/boot", 1, 18, "script")],
        id="procfile-sh-script-without-shebang",
    ),
    pytest.param(
        {"Procfile": "release: ./release-tasks\n", "release-tasks": "./manage.py makemigrations\n"},
        (),
        [dmh301("release-tasks", 1, 13, "script")],
        id="procfile-script-without-shebang",
    ),
    # 3. commit-time wiring: only the config is passed
    pytest.param(
        {
            "Procfile": "release: make migrations\n",
            "Makefile": "migrations:\n\tpython manage.py makemigrations\n\n"
            "other:\n\tpython manage.py makemigrations\n",
        },
        ("Procfile",),
        [
            dmh301(
                "Makefile",
                2,
                19,
                "Makefile target `migrations` (run by Procfile process `release`)",
            )
        ],
        id="procfile-runs-dev-make-target",
    ),
    pytest.param(
        {
            "Dockerfile": 'CMD ["scripts/reset_dev_db.sh"]\n',
            "scripts/reset_dev_db.sh": "python manage.py makemigrations\n",
        },
        ("Dockerfile",),
        [dmh301("scripts/reset_dev_db.sh", 1, 18, "script (run by Dockerfile CMD)")],
        id="dockerfile-runs-dev-script",
    ),
    pytest.param(
        {
            "Dockerfile": 'CMD ["scripts/reset_dev_db.sh"]\n',
            "scripts/reset_dev_db.sh": "python manage.py makemigrations\n",
        },
        ("Dockerfile", "scripts/reset_dev_db.sh"),
        [dmh301("scripts/reset_dev_db.sh", 1, 18, "script (run by Dockerfile CMD)")],
        id="dockerfile-and-script-passed-deduped",
    ),
    pytest.param(
        {
            "Procfile": "release: bash ops/release.sh\n",
            "ops/release.sh": "exec ./step2.sh\n",
            "ops/step2.sh": "python manage.py makemigrations\n",
        },
        ("Procfile",),
        [dmh301("ops/step2.sh", 1, 18, "script")],
        id="script-runs-script",
    ),
    pytest.param(
        {
            "Procfile": "release: ./loop.sh\n",
            "loop.sh": "./loop.sh\npython manage.py makemigrations\n",
        },
        ("Procfile",),
        [dmh301("loop.sh", 2, 18, "script")],
        id="script-runs-itself-bounded",
    ),
    pytest.param(
        {
            "Procfile": "release: invoke make-migrations\n",
            "tasks.py": "from invoke import task\n\n@task\ndef make_migrations(c):\n"
            "    c.run('python manage.py makemigrations')\n",
        },
        ("Procfile",),
        [
            dmh301(
                "tasks.py",
                5,
                29,
                "tasks.py `make_migrations` c.run() (run by Procfile process `release`)",
            )
        ],
        id="procfile-runs-invoke-task",
    ),
    # 4. Python-shebang platform hooks and `.py` hooks are read as Python
    pytest.param(
        {
            "bin/release": "#!/usr/bin/env python\n"
            "from django.core.management import call_command\n"
            'call_command("makemigrations")\n'
        },
        (),
        [dmh301("bin/release", 3, 15, "Python script call_command()")],
        id="bin-release-python-shebang",
    ),
    pytest.param(
        {
            ".platform/hooks/predeploy/02_mig": "#!/usr/bin/env python3\nimport subprocess\n"
            'subprocess.run(["python3", "manage.py", "makemigrations"])\n'
        },
        (),
        [dmh301(".platform/hooks/predeploy/02_mig", 3, 42, "Python script subprocess.run()")],
        id="platform-hook-python-shebang",
    ),
    pytest.param(
        {
            ".platform/hooks/predeploy/01_mig.py": "import subprocess\n"
            'subprocess.run(["python3", "manage.py", "makemigrations"])\n'
        },
        (),
        [dmh301(".platform/hooks/predeploy/01_mig.py", 2, 42, "Python script subprocess.run()")],
        id="platform-hook-py",
    ),
    # 5. a developer helper counts when a deploy config runs it
    pytest.param(
        {
            "Procfile": "release: python start_dev.py\n",
            "start_dev.py": "import subprocess\n"
            'subprocess.run(["python", "manage.py", "makemigrations"])\n',
        },
        (),
        [
            dmh301(
                "start_dev.py",
                2,
                41,
                "Python script subprocess.run() (run by Procfile process `release`)",
            )
        ],
        id="python-dev-helper-run-by-procfile",
    ),
    pytest.param(
        {"Procfile.dev2": "web: python manage.py makemigrations && gunicorn app.wsgi\n"},
        (),
        [dmh301("Procfile.dev2", 1, 23, "Procfile process `web`")],
        id="procfile-not-dev-named",
    ),
    pytest.param(
        {"Dockerfile.dev": "CMD python manage.py makemigrations && gunicorn app.wsgi\n"},
        (),
        [dmh301("Dockerfile.dev", 1, 22, "Dockerfile CMD")],
        id="dev-dockerfile-without-runserver",
    ),
    # 6. a path-resolved script wins over a file with the same name elsewhere
    pytest.param(
        {
            "Procfile": "web: ops/start.sh\n",
            "ops/start.sh": "python manage.py makemigrations\n",
            "scripts/dev/start.sh": "python manage.py makemigrations\n",
        },
        (),
        [dmh301("ops/start.sh", 1, 18, "script")],
        id="script-path-resolved",
    ),
    pytest.param(
        {
            "Dockerfile": "COPY docker/boot /boot\nCMD /boot\n",
            "docker/boot": "python manage.py makemigrations\n",
        },
        (),
        [dmh301("docker/boot", 1, 18, "script")],
        id="script-unique-basename",
    ),
    # 11. more ways to run it
    pytest.param(
        {"deploy.sh": 'bash -eo pipefail -c "python manage.py makemigrations"\n'},
        (),
        [dmh301("deploy.sh", 1, 40, "script")],
        id="bash-eo-pipefail-c",
    ),
    pytest.param(
        {
            "Dockerfile": "FROM python\nRUN python3 <<PY\n"
            "from django.core.management import call_command\n"
            'call_command("makemigrations")\nPY\n'
        },
        (),
        [dmh301("Dockerfile", 4, 15, "Dockerfile RUN")],
        id="dockerfile-python-heredoc",
    ),
    pytest.param(
        {
            "deploy.sh": "python - <<PY\nfrom django.core.management import call_command\n"
            "call_command('makemigrations')\nPY\n"
        },
        (),
        [dmh301("deploy.sh", 3, 15, "script")],
        id="python-dash-heredoc",
    ),
    pytest.param(
        {
            "deploy.sh": "python manage.py shell <<PY\n"
            "from django.core.management import call_command\n"
            "call_command('makemigrations')\nPY\n"
        },
        (),
        [dmh301("deploy.sh", 3, 15, "script")],
        id="manage-shell-heredoc",
    ),
    pytest.param(
        {
            "deploy.sh": 'python manage.py shell -c "from django.core.management import '
            "call_command; call_command('makemigrations')\"\n"
        },
        (),
        [dmh301("deploy.sh", 1, 91, "script")],
        id="manage-shell-c",
    ),
    pytest.param(
        {
            "start.py": "import subprocess\n\n\ndef main():\n"
            '    cmd = ["python", "manage.py", "makemigrations"]\n'
            "    subprocess.run(cmd, check=True)\n"
        },
        (),
        [dmh301("start.py", 5, 36, "start.py `main` subprocess.run()")],
        id="python-argv-variable",
    ),
    pytest.param(
        {
            "tasks.py": "from invoke import task\n\n@task\ndef deploy(c):\n"
            '    c.run(" ".join(["python", "manage.py", "makemigrations"]))\n'
        },
        (),
        [dmh301("tasks.py", 5, 45, "tasks.py `deploy` c.run()")],
        id="invoke-join",
    ),
    pytest.param(
        {"start.py": 'import os\nos.execvp("python", ["python", "manage.py", "makemigrations"])\n'},
        (),
        [dmh301("start.py", 2, 46, "Python script os.execvp()")],
        id="os-execvp",
    ),
    pytest.param(
        {
            "Dockerfile": 'CMD ["python", "-m", "myproj.setup_db"]\n',
            "myproj/setup_db.py": "from django.core.management import call_command\n"
            'call_command("makemigrations")\n',
        },
        ("Dockerfile",),
        [dmh301("myproj/setup_db.py", 2, 15, "Python script call_command()")],
        id="python-m-module-followed",
    ),
    pytest.param(
        {"Dockerfile-prod": "CMD python manage.py makemigrations && gunicorn app.wsgi\n"},
        (),
        [dmh301("Dockerfile-prod", 1, 22, "Dockerfile CMD")],
        id="dockerfile-dash-name",
    ),
    pytest.param(
        {"Dockerfile_web": "CMD python manage.py makemigrations && gunicorn app.wsgi\n"},
        (),
        [dmh301("Dockerfile_web", 1, 22, "Dockerfile CMD")],
        id="dockerfile-underscore-name",
    ),
    pytest.param(
        {
            "deploy.sh": "dokku run app python manage.py makemigrations\n"
            "aws ecs execute-command --cluster c --task t --interactive"
            ' --command "python manage.py makemigrations"\n'
            'gcloud compute ssh vm --zone z --command "python manage.py makemigrations"\n'
        },
        (),
        [
            REMOTE.format(path="deploy.sh", line=1, col=32, where="script"),
            REMOTE.format(path="deploy.sh", line=2, col=88, where="script"),
            REMOTE.format(path="deploy.sh", line=3, col=60, where="script"),
        ],
        id="remote-wrappers",
    ),
    pytest.param(
        {
            "app-spec.yaml": "name: app\nservices:\n- name: web\n"
            "  run_command: python manage.py makemigrations && gunicorn app.wsgi\n"
        },
        (),
        [dmh301("app-spec.yaml", 4, 33, "DigitalOcean App Platform service web run_command")],
        id="do-app-spec-at-root",
    ),
    # 12. messages
    pytest.param(
        {
            "chart/templates/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n"
            '  name: {{ include "app.fullname" . }}-migrate\nspec:\n  template:\n    spec:\n'
            "      containers:\n        - name: migrate\n"
            '          command: ["python", "manage.py", "makemigrations"]\n'
        },
        (),
        [
            dmh301(
                "chart/templates/job.yaml",
                10,
                45,
                'Kubernetes Job {{ include "app.fullname" . }}-migrate container migrate',
            )
        ],
        id="helm-name-as-written",
    ),
    pytest.param(
        {
            "Jenkinsfile": "pipeline {\n  stages {\n    stage('Deploy') {\n      steps {\n"
            "        sh 'ssh app python manage.py makemigrations'\n"
            "        sh 'python manage.py makemigrations'\n"
            "      }\n    }\n  }\n}\n"
        },
        (),
        [
            REMOTE.format(
                path="Jenkinsfile", line=5, col=38, where="Jenkinsfile stage `Deploy` sh step"
            ),
            dmh301("Jenkinsfile", 6, 30, "Jenkinsfile stage `Deploy` sh step"),
        ],
        id="jenkins-deploy-stage",
    ),
    pytest.param(
        {"Makefile": "deploy: migrations\n\nmigrations:\n\tpython manage.py makemigrations\n"},
        (),
        [dmh301("Makefile", 4, 19, "Makefile target `migrations` (run by target `deploy`)")],
        id="make-dev-target-reached-in-file",
    ),
)

NOOPS = (
    # 12. abbreviated read-only flags (argparse prefix matching)
    pytest.param(
        {
            "deploy.sh": "python manage.py makemigrations --dry\n"
            "python manage.py makemigrations --che\n"
            "python manage.py makemigrations --dry-r\n"
        },
        (),
        id="abbreviated-check-flags",
    ),
    # 11. Python fed to a program that is not Python
    pytest.param(
        {"deploy.sh": "cat <<EOF\npython manage.py makemigrations\nEOF\n"},
        (),
        id="heredoc-to-cat",
    ),
    pytest.param(
        {
            "start.py": "import subprocess\n\n\ndef main():\n"
            '    cmd = ["python", "manage.py", "makemigrations", "--check"]\n'
            "    subprocess.run(cmd)\n"
        },
        (),
        id="python-argv-variable-check",
    ),
    pytest.param(
        {
            "Dockerfile": "RUN python -m pip install -r requirements.txt\n"
            'CMD ["python", "-m", "app"]\n',
            "myproj/setup_db.py": "from django.core.management import call_command\n"
            'call_command("makemigrations")\n',
        },
        ("Dockerfile",),
        id="python-m-other-module-not-followed",
    ),
    # 9. scratch space and bytecode
    pytest.param(
        {"deploy.sh": "rm -rf /tmp/migrations\nfind /tmp/migrations -delete\n"},
        (),
        id="rm-scratch-space",
    ),
    pytest.param(
        {
            "deploy.sh": 'find . -path "*/migrations/*" -name "*.pyc" -delete\n'
            'find . -path "*/migrations/*.pyc" | xargs rm\n'
        },
        (),
        id="find-bytecode-only",
    ),
    # 2. an unreferenced extension-less file is not a script
    pytest.param({"notes": "python manage.py makemigrations\n"}, (), id="unreferenced-file"),
    # 5. developer helpers and developer-only configs
    pytest.param(
        {
            "start-dev.sh": "python manage.py makemigrations\npython manage.py runserver\n",
            "start_dev.py": "import subprocess\n"
            'subprocess.run(["python", "manage.py", "makemigrations"])\n',
            "scripts/start_local.py": "from django.core.management import call_command\n"
            'call_command("makemigrations")\n',
            "dev/startup.py": "from django.core.management import call_command\n"
            'call_command("makemigrations")\n',
            "bootstrap_dev.py": "from django.core.management import call_command\n"
            'call_command("makemigrations")\n',
        },
        (),
        id="dev-helpers",
    ),
    pytest.param(
        {
            "Procfile.dev": "web: python manage.py makemigrations && python manage.py runserver\n",
            "Dockerfile.dev": "CMD python manage.py makemigrations && python manage.py runserver\n",
            "docker-compose.override.yml": "services:\n  web:\n    command: sh -c "
            '"python manage.py makemigrations && python manage.py runserver"\n',
            "compose.dev.yaml": "services:\n  web:\n    command: >-\n"
            "      sh -c 'python manage.py makemigrations && python manage.py runserver 0:8000'\n",
        },
        (),
        id="dev-configs-with-runserver",
    ),
    pytest.param(
        {
            "Procfile.dev": "web: ./scripts/dev_setup.sh && python manage.py runserver\n",
            "scripts/dev_setup.sh": "python manage.py makemigrations\n",
        },
        (),
        id="dev-config-runs-dev-script",
    ),
    # 6. the same name elsewhere is not the script a config runs
    pytest.param(
        {
            "Procfile": "web: ops/start.sh\n",
            "ops/start.sh": "gunicorn app.wsgi\n",
            "scripts/dev/start.sh": "python manage.py makemigrations\n",
        },
        (),
        id="script-same-basename-elsewhere",
    ),
    pytest.param(
        {
            "Dockerfile": "CMD /start\n",
            "a/start": "python manage.py makemigrations\n",
            "b/start": "python manage.py makemigrations\n",
        },
        (),
        id="script-ambiguous-basename",
    ),
    pytest.param({"Makefile": "deploy:\n\t$(ECHO) makemigrations\n"}, (), id="make-echo-variable"),
    pytest.param({"deploy.sh": '$LOG "makemigrations"\n'}, (), id="shell-log-variable"),
    pytest.param(
        {"deploy.sh": "$(PY) manage.py makemigrations --check --dry-run\n"},
        (),
        id="shell-variable-check-only",
    ),
    pytest.param(
        {
            "tasks.py": "from invoke import task\n\n@task\ndef deploy(c):\n"
            '    c.run(f"{ECHO} makemigrations")\n'
        },
        (),
        id="invoke-fstring-echo",
    ),
)


@pytest.mark.parametrize(("files", "argv", "expected"), FINDINGS)
def test_case_is_found(
    git_repo: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    argv: tuple[str, ...],
    expected: list[str],
) -> None:
    assert run_hook(git_repo, capsys, files, *argv) == (1, expected, "")


@pytest.mark.parametrize(("files", "argv"), NOOPS)
def test_case_is_clean(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], argv: tuple[str, ...]
) -> None:
    assert run_hook(git_repo, capsys, files, *argv) == (0, [], "")


WIRED = {
    "Procfile": "release: make migrations\n",
    "Makefile": "migrations:\n\tpython manage.py makemigrations\n",
}
WIRED_FINDING = dmh301(
    "Makefile", 2, 19, "Makefile target `migrations` (run by Procfile process `release`)"
)


def test_under_pre_commit_a_staged_config_is_followed(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(git_repo, {"Makefile": WIRED["Makefile"]})
    git_commit(git_repo, "dev helper")
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert run_hook(git_repo, capsys, WIRED, "Procfile") == (1, [WIRED_FINDING], "")


def test_under_pre_commit_an_unchanged_config_is_not_followed(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `pre-commit run --all-files` passes the Makefile too, maybe to a parallel run: no
    # finding is printed twice
    write(git_repo, WIRED)
    git_commit(git_repo, "wired")
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert run_hook(git_repo, capsys, {}, "Procfile") == (0, [], "")
    assert run_hook(git_repo, capsys, {}, "Procfile", "Makefile") == (1, [WIRED_FINDING], "")


def test_under_pre_commit_push_range_config_is_followed(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(git_repo, {"Makefile": WIRED["Makefile"]})
    base = git_commit(git_repo, "dev helper")
    write(git_repo, {"Procfile": WIRED["Procfile"]})
    head = git_commit(git_repo, "wire it")
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    assert run_hook(git_repo, capsys, {}, "Procfile") == (1, [WIRED_FINDING], "")
