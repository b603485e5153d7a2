from __future__ import annotations

import sys
from pathlib import Path

import pytest

from django_migration_hooks._files import FileProblem
from django_migration_hooks.deploy import platforms
from django_migration_hooks.deploy._site import CommandSite
from django_migration_hooks.deploy._toml import load_toml
from django_migration_hooks.deploy._yaml import Map, Node, Seq, Str
from tests.conftest import git, try_repo, write
from tests.deploy import run_hook

if sys.version_info >= (3, 11):  # pragma: no cover
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"
ON_DEPLOY = f"runs `makemigrations`, which writes migration files on deploy {HINT}"
IN_CI = (
    "runs `makemigrations`, which hides missing migrations instead of failing "
    "(fix: run `python manage.py makemigrations --check --dry-run` to fail on them)"
)


@pytest.mark.parametrize(
    "path",
    (
        ".do/app.yaml",
        ".do/deploy.template.yaml",
        "render.yaml",
        "fly.toml",
        "fly.staging.toml",
        "railway.json",
        "railway.toml",
        "nixpacks.toml",
        "heroku.yml",
        "app.json",
        ".ebextensions/01_django.config",
        "app.yaml",
        "services/api/app.yaml",
        ".replit",
        "ansible/deploy.yml",
        "deploy/roles/web/tasks/main.yml",
        "playbook.yml",
        "site.yml",
        "vercel.json",
        ".platform.app.yaml",
        "backend/.platform.app.yaml",
        ".platform/applications.yaml",
        ".upsun/config.yaml",
        "ecs/task-definition.json",
        "deploy/web.taskdef.json",
        "Dockerrun.aws.json",
    ),
)
def test_platforms_claims(path: str) -> None:
    assert platforms.claims(path)


@pytest.mark.parametrize(
    "path",
    (".do/other.yaml", "ebextensions/x.config", "fly.yaml", "config/app.json5", "heroku.yaml.bak"),
)
def test_platforms_does_not_claim(path: str) -> None:
    assert not platforms.claims(path)


# --- TOML with positions --------------------------------------------------------------------------

TRICKY_TOML = """\
# comment "with quotes" and 'singles' [not a table]
title = "a \\"quoted\\" \\u00e9 # not a comment" # a comment
"quoted.key" = 'lit \\n'
a.b . c = \"\"\"
  multi \\
     line ""quotes\"\"\"\"\"
d = '''
raw \\ 'x' '''
arr = [ "x", # c
  ['y', 1979-05-27 07:32:00Z], {k = "v", n.m = 1} ,
]
[[fruits]]
name = "apple"
[fruits.physical]
color = "red"
[[fruits]]
name = "banana"
[ deploy ]
release_command = "sh -c 'python manage.py makemigrations'"
"""


def _plain(node: Node) -> object:
    if isinstance(node, Map):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, Seq):
        return [_plain(v) for v in node]
    return node


def _agree(mine: object, reference: object) -> None:
    """Same shape; every string equal (other scalars are kept as their TOML text)."""
    if isinstance(reference, dict):
        assert isinstance(mine, dict)
        assert sorted(mine) == sorted(reference)
        for key, value in reference.items():
            _agree(mine[key], value)
    elif isinstance(reference, list):
        assert isinstance(mine, list)
        assert len(mine) == len(reference)
        for mine_item, reference_item in zip(mine, reference, strict=True):
            _agree(mine_item, reference_item)
    elif isinstance(reference, str):
        assert mine == reference
    else:
        assert isinstance(mine, Str)


def test_toml_scanner_agrees_with_tomllib() -> None:
    _agree(_plain(load_toml("t.toml", TRICKY_TOML)), tomllib.loads(TRICKY_TOML))


@pytest.mark.parametrize(
    ("keys", "expected"),
    (
        pytest.param(("title",), ('a "quoted" é # not a comment', 2, 10, 2), id="escapes"),
        pytest.param(("quoted.key",), ("lit \\n", 3, 17, 3), id="literal"),
        pytest.param(("a", "b", "c"), ('  multi line ""quotes""', 5, 3, 6), id="multi-line-basic"),
        pytest.param(("d",), ("raw \\ 'x' ", 8, 1, 8), id="multi-line-literal"),
        pytest.param(
            ("deploy", "release_command"),
            ("sh -c 'python manage.py makemigrations'", 19, 20, 19),
            id="spaced-table-header",
        ),
    ),
)
def test_toml_string_positions(keys: tuple[str, ...], expected: tuple[str, int, int, int]) -> None:
    node: Node = load_toml("t.toml", TRICKY_TOML)
    for key in keys:
        assert isinstance(node, Map)
        node = node[key]
    assert isinstance(node, Str)
    assert (str(node), node.line, node.col, node.end_line) == expected


def test_toml_array_of_tables_and_inline_tables() -> None:
    document = load_toml("t.toml", TRICKY_TOML)
    fruits = document["fruits"]
    assert _plain(fruits) == [
        {"name": "apple", "physical": {"color": "red"}},
        {"name": "banana"},
    ]
    assert _plain(document["arr"]) == [
        "x",
        ["y", "1979-05-27 07:32:00Z"],
        {"k": "v", "n": {"m": "1"}},
    ]


def test_invalid_toml_and_json_are_one_line_problems() -> None:
    with pytest.raises(FileProblem) as excinfo:
        platforms.sites("fly.toml", '[deploy]\nrelease_command = "x\n')
    assert str(excinfo.value) == (
        "fly.toml: skipped, invalid TOML: Illegal character '\\n' (at line 2, column 21)"
    )
    with pytest.raises(FileProblem) as excinfo:
        platforms.sites("railway.json", '{"deploy": }')
    assert str(excinfo.value) == (
        "railway.json: skipped, invalid JSON: Expecting value (line 1, column 12)"
    )


# --- sites per platform ---------------------------------------------------------------------------


def test_sites_digitalocean_spec_under_spec_key() -> None:
    text = (
        "spec:\n"
        "  name: shop\n"
        "  services:\n"
        "  - name: web\n"
        "    build_command: pip install -r requirements.txt\n"
        "    run_command: gunicorn shop.wsgi\n"
        "  jobs:\n"
        "  - name: migrate\n"
        "    kind: PRE_DEPLOY\n"
        "    run_command: |-\n"
        "      python manage.py migrate\n"
        "  workers:\n"
        "  - run_command: celery -A shop worker\n"
    )
    assert platforms.sites(".do/deploy.template.yaml", text) == [
        CommandSite(
            "pip install -r requirements.txt",
            None,
            5,
            20,
            5,
            "DigitalOcean App Platform service web build_command",
        ),
        CommandSite(
            "gunicorn shop.wsgi",
            None,
            6,
            18,
            6,
            "DigitalOcean App Platform service web run_command",
        ),
        CommandSite(
            "celery -A shop worker",
            None,
            13,
            18,
            13,
            "DigitalOcean App Platform worker run_command",
        ),
        CommandSite(
            "python manage.py migrate",
            None,
            11,
            7,
            11,
            "DigitalOcean App Platform job migrate PRE_DEPLOY run_command",
        ),
    ]


def test_sites_fly_processes_and_experimental_cmd() -> None:
    text = (
        'app = "x"\n'
        "[deploy]\n"
        '  release_command = "python manage.py migrate"\n'
        "[processes]\n"
        '  app = "gunicorn x.wsgi"\n'
        "  worker = 'celery -A x worker'\n"
        "[experimental]\n"
        '  cmd = ["./start.sh", "--fast"]\n'
    )
    assert platforms.sites("fly.toml", text) == [
        CommandSite("python manage.py migrate", None, 3, 22, 3, "Fly.io deploy release_command"),
        CommandSite("gunicorn x.wsgi", None, 5, 10, 5, "Fly.io process app"),
        CommandSite("celery -A x worker", None, 6, 13, 6, "Fly.io process worker"),
        CommandSite(None, ("./start.sh", "--fast"), 8, 11, 8, "Fly.io experimental cmd"),
    ]


def test_sites_railway_json_with_list_and_environment_override() -> None:
    text = (
        "{\n"
        '  "build": {"buildCommand": "pip install ."},\n'
        '  "deploy": {\n'
        '    "preDeployCommand": ["python manage.py migrate", "python manage.py check"],\n'
        '    "startCommand": "gunicorn \\"app.wsgi\\""\n'
        "  },\n"
        '  "environments": {"staging": {"deploy": {"startCommand": "./staging.sh"}}}\n'
        "}\n"
    )
    assert platforms.sites("railway.json", text) == [
        CommandSite("pip install .", None, 2, 30, 2, "Railway build.buildCommand"),
        CommandSite("python manage.py migrate", None, 4, 27, 4, "Railway deploy.preDeployCommand"),
        CommandSite("python manage.py check", None, 4, 55, 4, "Railway deploy.preDeployCommand"),
        CommandSite('gunicorn "app.wsgi"', None, 5, 22, 5, "Railway deploy.startCommand"),
        CommandSite(
            "./staging.sh", None, 7, 60, 7, "Railway environment staging deploy.startCommand"
        ),
    ]


def test_sites_nixpacks_phases_and_start() -> None:
    text = (
        "[phases.setup]\n"
        "nixPkgs = ['python311']\n"
        "[phases.build]\n"
        'cmds = [\'python manage.py collectstatic --noinput\', """\n'
        '  python manage.py migrate"""]\n'
        "[start]\n"
        "cmd = 'gunicorn app.wsgi'\n"
    )
    assert platforms.sites("nixpacks.toml", text) == [
        CommandSite(
            "python manage.py collectstatic --noinput", None, 4, 10, 4, "Nixpacks phase build cmds"
        ),
        CommandSite("  python manage.py migrate", None, 5, 3, 5, "Nixpacks phase build cmds"),
        CommandSite("gunicorn app.wsgi", None, 7, 8, 7, "Nixpacks start cmd"),
    ]


def test_sites_heroku_yml_release_and_run_forms() -> None:
    text = (
        "build:\n"
        "  docker:\n"
        "    web: Dockerfile\n"
        "release:\n"
        "  image: web\n"
        "  command:\n"
        "    - ./release.sh\n"
        "run:\n"
        "  web: gunicorn app.wsgi\n"
        "  worker:\n"
        "    command:\n"
        "      - python\n"
        "      - worker.py\n"
    )
    assert platforms.sites("heroku.yml", text) == [
        CommandSite("./release.sh", None, 7, 7, 7, "heroku.yml release"),
        CommandSite("gunicorn app.wsgi", None, 9, 8, 9, "heroku.yml run web"),
        CommandSite(None, ("python", "worker.py"), 12, 9, 13, "heroku.yml run worker"),
    ]


def test_sites_app_json_scripts() -> None:
    text = (
        '{"name": "x", "scripts": {"postdeploy": "python manage.py loaddata seed"},\n'
        ' "environments": {"test": {"scripts": {"test": "python manage.py test"}}}}\n'
    )
    assert platforms.sites("app.json", text) == [
        CommandSite(
            "python manage.py loaddata seed", None, 1, 42, 1, "app.json scripts.postdeploy"
        ),
        CommandSite(
            "python manage.py test", None, 2, 49, 2, "app.json environments.test.scripts.test"
        ),
    ]


def test_sites_ebextensions_yaml_with_hook_file_and_list_command() -> None:
    text = (
        "commands:\n"
        "  01_list:\n"
        '    command: ["python", "manage.py", "check"]\n'
        "files:\n"
        '  "/opt/elasticbeanstalk/hooks/appdeploy/post/99_migrate.sh":\n'
        '    mode: "000755"\n'
        "    content: |\n"
        "      #!/bin/bash\n"
        "      python manage.py migrate\n"
        '  "/etc/motd":\n'
        "    content: python manage.py makemigrations is not run\n"
    )
    assert platforms.sites(".ebextensions/django.config", text) == [
        CommandSite(
            None, ("python", "manage.py", "check"), 3, 16, 3, "Elastic Beanstalk commands 01_list"
        ),
        CommandSite(
            "#!/bin/bash\npython manage.py migrate\n",
            None,
            8,
            7,
            9,
            "Elastic Beanstalk file /opt/elasticbeanstalk/hooks/appdeploy/post/99_migrate.sh",
        ),
    ]


def test_sites_app_engine_needs_runtime_key() -> None:
    assert platforms.sites(
        "app.yaml", "runtime: python312\nentrypoint: gunicorn -b :$PORT a.wsgi\n"
    ) == [CommandSite("gunicorn -b :$PORT a.wsgi", None, 2, 13, 2, "App Engine entrypoint")]
    assert platforms.sites("app.yaml", "entrypoint: python manage.py makemigrations\n") == []


def test_sites_replit_deployment_only() -> None:
    text = (
        'run = "python manage.py runserver"\n'
        "[deployment]\n"
        'build = ["sh", "-c", "python manage.py collectstatic"]\n'
        'run = "gunicorn a.wsgi"\n'
    )
    assert platforms.sites(".replit", text) == [
        CommandSite(
            None,
            ("sh", "-c", "python manage.py collectstatic"),
            3,
            11,
            3,
            "Replit deployment build",
        ),
        CommandSite("gunicorn a.wsgi", None, 4, 8, 4, "Replit deployment run"),
    ]


def test_sites_ansible_tasks_blocks_and_django_manage() -> None:
    text = (
        "- hosts: web\n"
        "  tasks:\n"
        "    - name: Make migrations\n"
        "      community.general.django_manage:\n"
        "        command: makemigrations\n"
        "        app_path: /srv/app\n"
        '    - django_manage: command="migrate --noinput" app_path=/srv/app\n'
        "    - block:\n"
        "        - ansible.builtin.shell: cd /srv/app && ./release.sh\n"
        "      rescue:\n"
        "        - command:\n"
        "            argv: [python, manage.py, check]\n"
        "  handlers:\n"
        "    - name: restart\n"
        "      shell:\n"
        "        cmd: systemctl restart app\n"
    )
    assert platforms.sites("ansible/deploy.yml", text) == [
        CommandSite(
            None,
            ("django-admin", "makemigrations"),
            5,
            18,
            5,
            "Ansible task 'Make migrations' community.general.django_manage",
        ),
        CommandSite(
            None, ("django-admin", "migrate", "--noinput"), 7, 22, 7, "Ansible task django_manage"
        ),
        CommandSite(
            "cd /srv/app && ./release.sh", None, 9, 34, 9, "Ansible task ansible.builtin.shell"
        ),
        CommandSite(None, ("python", "manage.py", "check"), 12, 20, 12, "Ansible task command"),
        CommandSite("systemctl restart app", None, 16, 14, 16, "Ansible task 'restart' shell"),
    ]


def test_sites_vercel_commands_and_build_script() -> None:
    text = (
        '{"buildCommand": "pip install -r requirements.txt",\n'
        ' "builds": [{"src": "build_files.sh", "use": "@vercel/static-build"},\n'
        '            {"src": "app/wsgi.py", "use": "@vercel/python"}]}\n'
    )
    assert platforms.sites("vercel.json", text) == [
        CommandSite("pip install -r requirements.txt", None, 1, 19, 1, "Vercel buildCommand"),
        CommandSite("build_files.sh", None, 2, 22, 2, "Vercel build script"),
    ]


def test_sites_platformsh_and_upsun() -> None:
    app = (
        "name: app\n"
        "hooks:\n"
        "  build: |\n"
        "    pip install -r requirements.txt\n"
        "  deploy: python manage.py migrate\n"
        "web:\n"
        "  commands:\n"
        "    start: gunicorn app.wsgi\n"
        "crons:\n"
        "  clear:\n"
        "    spec: '0 3 * * *'\n"
        "    commands:\n"
        "      start: python manage.py clearsessions\n"
    )
    assert platforms.sites(".platform.app.yaml", app) == [
        CommandSite(
            "pip install -r requirements.txt\n", None, 4, 5, 4, "Platform.sh app hooks.build"
        ),
        CommandSite("python manage.py migrate", None, 5, 11, 5, "Platform.sh app hooks.deploy"),
        CommandSite("gunicorn app.wsgi", None, 8, 12, 8, "Platform.sh app web start"),
        CommandSite(
            "python manage.py clearsessions", None, 13, 14, 13, "Platform.sh app cron clear"
        ),
    ]
    upsun = "applications:\n  api:\n    hooks:\n      deploy: ./deploy.sh\n"
    assert platforms.sites(".upsun/config.yaml", upsun) == [
        CommandSite("./deploy.sh", None, 4, 15, 4, "Platform.sh app api hooks.deploy")
    ]


def test_sites_ecs_task_definition() -> None:
    text = (
        '{"family": "web", "containerDefinitions": [\n'
        '  {"name": "web", "entryPoint": ["sh", "-c"],\n'
        '   "command": ["python manage.py migrate && gunicorn app.wsgi"]},\n'
        '  {"name": "sidecar", "image": "nginx"}]}\n'
    )
    assert platforms.sites("ecs/task-definition.json", text) == [
        CommandSite(
            None,
            ("sh", "-c", "python manage.py migrate && gunicorn app.wsgi"),
            2,
            35,
            3,
            "ECS container web",
        )
    ]


# --- through the hook -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    (
        pytest.param(
            ".do/app.yaml",
            "name: shop\n"
            "# jobs run makemigrations? no: migrations are committed\n"
            "jobs:\n"
            "- name: makemigrations-check\n"
            "  kind: PRE_DEPLOY\n"
            "  run_command: python manage.py makemigrations --check --dry-run && "
            "python manage.py migrate\n",
            id="do-check-only-and-named",
        ),
        pytest.param(
            "render.yaml",
            "services:\n"
            "  - type: web\n"
            "    name: makemigrations\n"
            "    buildCommand: pip install -r requirements.txt\n"
            "    startCommand: python manage.py showmigrations && gunicorn a.wsgi\n",
            id="render-showmigrations",
        ),
        pytest.param(
            "fly.toml",
            'console_command = "python manage.py makemigrations"  # a person runs this\n'
            "[deploy]\n"
            '  release_command = "python manage.py migrate"\n'
            '# release_command = "python manage.py makemigrations"\n',
            id="fly-console-and-comment",
        ),
        pytest.param(
            "railway.toml",
            "[deploy]\n"
            'preDeployCommand = ["python manage.py migrate"]\n'
            'startCommand = "echo \\"never makemigrations here\\" && gunicorn a.wsgi"\n',
            id="railway-echo-with-escapes",
        ),
        pytest.param(
            "nixpacks.toml",
            "[phases.build]\ncmds = ['python manage.py squashmigrations app 0004 --noinput']\n",
            id="nixpacks-squash",
        ),
        pytest.param(
            "heroku.yml",
            "release:\n  image: web\n  command:\n    - ./manage.py migrate --noinput\n"
            "run:\n  web: gunicorn spot.wsgi  # makemigrations happens on laptops\n",
            id="heroku-yml-migrate",
        ),
        pytest.param(
            "app.json",
            '{"description": "Runs makemigrations? No.", '
            '"scripts": {"postdeploy": "python manage.py migrate"}}\n',
            id="app-json-description",
        ),
        pytest.param(
            ".ebextensions/01_django.config",
            "container_commands:\n"
            "  01_makemigrations_check:\n"
            "    command: |\n"
            "      source $PYTHONPATH/activate\n"
            "      python ./manage.py makemigrations --check\n"
            "    leader_only: true\n",
            id="eb-block-check",
        ),
        pytest.param(
            "app.yaml",
            "runtime: python312\n"
            "# Do not run makemigrations here: the entrypoint runs on every instance start.\n"
            "entrypoint: gunicorn -b :$PORT mysite.wsgi:application\n",
            id="gae-comment",
        ),
        pytest.param(
            "ansible/deploy.yml",
            "- hosts: web\n"
            "  tasks:\n"
            "    - name: makemigrations must not run here\n"
            "      django_manage:\n"
            "        command: migrate\n"
            "        app_path: /srv/app\n"
            "    - debug:\n"
            "        msg: python manage.py makemigrations\n",
            id="ansible-task-name-and-debug",
        ),
        pytest.param(
            ".replit",
            'run = "run"\n[deployment]\nrun = ["sh", "-c", "gunicorn a.wsgi"]\n'
            '[[workflows.workflow.tasks]]\ntask = "shell.exec"\n'
            'args = "python manage.py makemigrations"\n',
            id="replit-workspace-workflow",
        ),
    ),
)
def test_platforms_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (0, [], "")


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    (
        pytest.param(
            ".do/app.yaml",
            "name: shop\n"
            "jobs:\n"
            "- name: migrate\n"
            "  kind: PRE_DEPLOY\n"
            "  run_command: python manage.py makemigrations --noinput && "
            "python manage.py migrate\n",
            ".do/app.yaml:5:33: DMH301 DigitalOcean App Platform job migrate PRE_DEPLOY "
            f"run_command {ON_DEPLOY}",
            id="do-pre-deploy-job",
        ),
        pytest.param(
            "render.yaml",
            "services:\n"
            "  - type: web\n"
            "    name: blog\n"
            '    buildCommand: "pip install -r requirements.txt; python manage.py makemigrations; '
            'python manage.py migrate"\n',
            f"render.yaml:4:70: DMH301 Render service blog buildCommand {ON_DEPLOY}",
            id="render-build",
        ),
        pytest.param(
            "fly.toml",
            "[deploy]\n"
            "  release_command = \"sh -c 'python manage.py makemigrations && "
            "python manage.py migrate --noinput'\"\n",
            f"fly.toml:2:46: DMH301 Fly.io deploy release_command {ON_DEPLOY}",
            id="fly-release-sh-c",
        ),
        pytest.param(
            "railway.toml",
            "[deploy]\n"
            'startCommand = "bash -c \\"uv run python manage.py makemigrations\\" && gunicorn a"\n',
            f"railway.toml:2:51: DMH301 Railway deploy.startCommand {ON_DEPLOY}",
            id="railway-escaped-quotes",
        ),
        pytest.param(
            "railway.json",
            '{"deploy": {"preDeployCommand": ["python manage.py makemigrations",\n'
            '                                 "python manage.py migrate"]}}\n',
            f"railway.json:1:52: DMH301 Railway deploy.preDeployCommand {ON_DEPLOY}",
            id="railway-json-list",
        ),
        pytest.param(
            "nixpacks.toml",
            "[phases.build]\ncmds = ['''\n  python manage.py makemigrations\n''']\n",
            f"nixpacks.toml:3:20: DMH301 Nixpacks phase build cmds {ON_DEPLOY}",
            id="nixpacks-multi-line-literal",
        ),
        pytest.param(
            "heroku.yml",
            "release:\n  image: web\n  command:\n"
            "    - ./manage.py makemigrations && ./manage.py migrate --noinput\n",
            f"heroku.yml:4:19: DMH301 heroku.yml release {ON_DEPLOY}",
            id="heroku-yml-release",
        ),
        pytest.param(
            "app.json",
            '{"scripts": {"postdeploy": "python manage.py makemigrations && python manage.py '
            'migrate"}}\n',
            f"app.json:1:46: DMH301 app.json scripts.postdeploy {ON_DEPLOY}",
            id="app-json-postdeploy",
        ),
        pytest.param(
            ".ebextensions/django.config",
            "container_commands:\n"
            "  01_makemigrations:\n"
            '    command: "source /var/app/venv/*/bin/activate && python3 manage.py '
            'makemigrations --noinput"\n'
            "    leader_only: true\n",
            ".ebextensions/django.config:3:72: DMH301 Elastic Beanstalk container_commands "
            f"01_makemigrations {ON_DEPLOY}",
            id="eb-container-command",
        ),
        pytest.param(
            ".ebextensions/django.config",
            '{"container_commands": {"01": {"command": '
            '["python", "manage.py", "makemigrations"]}}}',
            ".ebextensions/django.config:1:68: DMH301 Elastic Beanstalk container_commands 01 "
            f"{ON_DEPLOY}",
            id="eb-json-argv",
        ),
        pytest.param(
            "deploy/roles/app/tasks/main.yml",
            "- name: Make migrations\n"
            "  community.general.django_manage:\n"
            "    command: makemigrations\n"
            "    app_path: /srv/app\n",
            "deploy/roles/app/tasks/main.yml:3:14: DMH301 Ansible task 'Make migrations' "
            f"community.general.django_manage {ON_DEPLOY}",
            id="ansible-django-manage",
        ),
        pytest.param(
            ".platform.app.yaml",
            "hooks:\n  deploy: |\n    python manage.py makemigrations\n"
            "    python manage.py migrate\n",
            f".platform.app.yaml:3:22: DMH301 Platform.sh app hooks.deploy {ON_DEPLOY}",
            id="platformsh-deploy-hook",
        ),
        pytest.param(
            "Dockerrun.aws.json",
            '{"containerDefinitions": [{"name": "web", "command": '
            '["sh", "-c", "python manage.py makemigrations && gunicorn a.wsgi"]}]}\n',
            f"Dockerrun.aws.json:1:85: DMH301 ECS container web {ON_DEPLOY}",
            id="ecs-command",
        ),
        pytest.param(
            "app.yaml",
            "runtime: python312\n"
            "entrypoint: python manage.py makemigrations && gunicorn -b :$PORT a.wsgi\n",
            f"app.yaml:2:30: DMH301 App Engine entrypoint {ON_DEPLOY}",
            id="gae-entrypoint",
        ),
    ),
)
def test_platforms_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (1, [expected], "")


def test_platforms_noqa_in_toml_comment(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = '[deploy]\nrelease_command = "python manage.py makemigrations"  # noqa: DMH301\n'
    assert run_hook(git_repo, capsys, {"fly.toml": text}) == (0, [], "")


# --- end to end: every config family reaches the hook through the real pre-commit -----------------

MM = "python manage.py makemigrations"
FAMILIES: dict[str, str | bytes] = {
    "docker-compose.yml": f"services:\n  web:\n    command: {MM}\n",
    ".do/app.yaml": f"jobs:\n- name: migrate\n  run_command: {MM}\n",
    "render.yaml": f"services:\n- name: web\n  buildCommand: {MM}\n",
    "fly.toml": f'[deploy]\nrelease_command = "{MM}"\n',
    "railway.json": f'{{"deploy": {{"startCommand": "{MM}"}}}}\n',
    "nixpacks.toml": f"[start]\ncmd = '{MM}'\n",
    "heroku.yml": f"release:\n  command:\n  - {MM}\n",
    "app.json": f'{{"scripts": {{"postdeploy": "{MM}"}}}}\n',
    ".ebextensions/django.config": f"container_commands:\n  01:\n    command: {MM}\n",
    "app.yaml": f"runtime: python312\nentrypoint: {MM}\n",
    ".replit": f'[deployment]\nrun = "{MM}"\n',
    ".github/workflows/ci.yml": f"jobs:\n  test:\n    steps:\n    - run: {MM}\n",
    ".github/actions/setup/action.yml": f"runs:\n  using: composite\n  steps:\n  - run: {MM}\n",
    ".gitlab-ci.yml": f"test:\n  script:\n  - {MM}\n",
    "bitbucket-pipelines.yml": f"pipelines:\n  default:\n  - step:\n      script:\n      - {MM}\n",
    "azure-pipelines.yml": f"steps:\n- script: {MM}\n",
    "Jenkinsfile": f"node {{\n  sh '{MM}'\n}}\n",
    "cloudbuild.yaml": f"steps:\n- name: python\n  script: {MM}\n",
    ".circleci/config.yml": f"jobs:\n  test:\n    steps:\n    - run: {MM}\n",
    "k8s/job.yaml": (
        f"apiVersion: batch/v1\nkind: Job\nspec:\n  containers:\n  - command: [sh, -c, {MM}]\n"
    ),
    "chart/Chart.yaml": "name: x\n",
    "chart/templates/job.yaml": (
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}\n"
        f"spec:\n  containers:\n  - args: [sh, -c, {MM}]\n"
    ),
    "uwsgi.ini": f"[uwsgi]\nhook-pre-app = exec:{MM}\n",
    "supervisord.conf": f"[program:x]\ncommand={MM}\n",
    "ansible/deploy.yml": f"- hosts: web\n  tasks:\n  - shell: cd /srv/app && {MM}\n",
    "vercel.json": f'{{"buildCommand": "{MM}"}}\n',
    ".platform.app.yaml": f"hooks:\n  deploy: {MM}\n",
    "ecs/task-definition.json": (
        f'{{"containerDefinitions": [{{"command": ["sh", "-c", "{MM}"]}}]}}\n'
    ),
}
FAMILY_FINDINGS = [
    f".circleci/config.yml:4:29: DMH301 CircleCI job test run {IN_CI}",
    f".do/app.yaml:3:33: DMH301 DigitalOcean App Platform job migrate run_command {ON_DEPLOY}",
    f".ebextensions/django.config:3:31: DMH301 Elastic Beanstalk container_commands 01 {ON_DEPLOY}",
    f".github/actions/setup/action.yml:4:27: DMH301 GitHub action step 1 {IN_CI}",
    f".github/workflows/ci.yml:4:29: DMH301 GitHub Actions job test step 1 {IN_CI}",
    f".gitlab-ci.yml:3:22: DMH301 GitLab CI job test script {IN_CI}",
    f".platform.app.yaml:2:28: DMH301 Platform.sh app hooks.deploy {ON_DEPLOY}",
    f".replit:2:25: DMH301 Replit deployment run {ON_DEPLOY}",
    f"Jenkinsfile:2:24: DMH301 Jenkinsfile sh step {IN_CI}",
    f"ansible/deploy.yml:3:44: DMH301 Ansible task shell {ON_DEPLOY}",
    f"app.json:1:46: DMH301 app.json scripts.postdeploy {ON_DEPLOY}",
    f"app.yaml:2:30: DMH301 App Engine entrypoint {ON_DEPLOY}",
    f"azure-pipelines.yml:2:28: DMH301 Azure Pipelines step {IN_CI}",
    f"bitbucket-pipelines.yml:5:26: DMH301 Bitbucket Pipelines step {IN_CI}",
    f"chart/templates/job.yaml:7:37: DMH301 Kubernetes Job container {ON_DEPLOY}",
    f"cloudbuild.yaml:3:28: DMH301 Cloud Build step 1 {ON_DEPLOY}",
    f"docker-compose.yml:3:31: DMH301 compose service web command {ON_DEPLOY}",
    f"ecs/task-definition.json:1:70: DMH301 ECS container {ON_DEPLOY}",
    f"fly.toml:2:37: DMH301 Fly.io deploy release_command {ON_DEPLOY}",
    f"heroku.yml:3:22: DMH301 heroku.yml release {ON_DEPLOY}",
    f"k8s/job.yaml:5:40: DMH301 Kubernetes Job container {ON_DEPLOY}",
    f"nixpacks.toml:2:25: DMH301 Nixpacks start cmd {ON_DEPLOY}",
    f"railway.json:1:47: DMH301 Railway deploy.startCommand {ON_DEPLOY}",
    f"render.yaml:3:34: DMH301 Render service web buildCommand {ON_DEPLOY}",
    f"supervisord.conf:2:26: DMH301 supervisord [program:x] command {ON_DEPLOY}",
    f"uwsgi.ini:2:38: DMH301 uWSGI hook-pre-app {ON_DEPLOY}",
    f"vercel.json:1:36: DMH301 Vercel buildCommand {ON_DEPLOY}",
]


def test_every_config_family_direct(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_hook(git_repo, capsys, FAMILIES) == (1, FAMILY_FINDINGS, "")


@pytest.mark.e2e
def test_every_config_family_reaches_the_hook_through_pre_commit(
    consumer: Path, pre_commit_home: Path, hooks_repo: tuple[Path, str]
) -> None:
    write(consumer, FAMILIES)
    git(consumer, "add", "-A")
    result = try_repo(consumer, pre_commit_home, hooks_repo, "check-deploy-makemigrations")
    assert result.returncode == 1, result.stdout + result.stderr
    findings = [line for line in result.stdout.splitlines() if ": DMH" in line]
    assert sorted(findings) == FAMILY_FINDINGS


ANSIBLE_HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    (
        pytest.param(
            "roles/web/tasks/main.yml",
            "{% raw %}\n"
            "- name: migrate\n"
            "  shell: . {{ venv }}/bin/activate && python manage.py makemigrations --noinput\n"
            "{% endraw %}\n",
            "roles/web/tasks/main.yml:3:56: DMH301 Ansible task 'migrate' shell runs "
            f"`makemigrations`, which writes migration files on deploy {ANSIBLE_HINT}",
            id="raw-block",
        ),
        pytest.param(
            "roles/web/handlers/main.yml",
            "- name: schema\n"
            "  community.general.django_manage:\n"
            "    command: makemigrations\n"
            "    project_path: /srv/app\n",
            "roles/web/handlers/main.yml:3:14: DMH301 Ansible task 'schema' "
            "community.general.django_manage runs `makemigrations`, which writes migration "
            f"files on deploy {ANSIBLE_HINT}",
            id="handler-django-manage",
        ),
        pytest.param(
            "roles/web/tasks/main.yml",
            "- ansible.builtin.command:\n"
            "    cmd: '{%- raw -%}{{ python }}{%- endraw -%} manage.py makemigrations'\n"
            "- ansible.builtin.command:\n"
            "    argv: [/srv/venv/bin/python, manage.py, makemigrations, app]\n",
            "roles/web/tasks/main.yml:2:59: DMH301 Ansible task ansible.builtin.command runs "
            f"`makemigrations`, which writes migration files on deploy {ANSIBLE_HINT}\n"
            "roles/web/tasks/main.yml:4:45: DMH301 Ansible task ansible.builtin.command runs "
            f"`makemigrations`, which writes migration files on deploy {ANSIBLE_HINT}",
            id="cmd-and-argv",
        ),
    ),
)
def test_ansible_raw_and_modules_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (1, expected.split("\n"), "")


@pytest.mark.parametrize(
    ("path", "text"),
    (
        pytest.param(
            "roles/web/tasks/main.yml",
            "{% raw %}\n"
            "- name: makemigrations --check, then migrate\n"
            "  shell: . {{ venv }}/bin/activate && python manage.py makemigrations --check\n"
            "- ansible.builtin.shell: echo '{% raw %}makemigrations{% endraw %}'\n"
            "{% endraw %}\n",
            id="raw-check-and-echo",
        ),
        pytest.param(
            "roles/web/tasks/main.yml",
            "- community.general.django_manage:\n"
            "    command: showmigrations\n"
            "    project_path: /srv/app\n",
            id="django-manage-showmigrations",
        ),
    ),
)
def test_ansible_raw_and_modules_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (0, [], "")
