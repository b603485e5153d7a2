from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.deploy import ci
from django_migration_hooks.deploy._site import CommandSite
from tests.deploy import run_hook

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"
ON_DEPLOY = f"runs `makemigrations`, which writes migration files on deploy {HINT}"
IN_CI = (
    "runs `makemigrations`, which hides missing migrations instead of failing "
    "(fix: run `python manage.py makemigrations --check --dry-run` to fail on them)"
)


@pytest.mark.parametrize(
    "path",
    (
        ".github/workflows/ci.yml",
        ".github/workflows/deploy.yaml",
        "action.yml",
        ".github/actions/setup/action.yaml",
        ".gitlab-ci.yml",
        "ci/deploy.gitlab-ci.yml",
        ".gitlab/ci/deploy.yml",
        "bitbucket-pipelines.yml",
        "azure-pipelines.yml",
        "azure-pipelines-release.yaml",
        ".azure-pipelines/deploy.yml",
        "Jenkinsfile",
        "jenkins/Jenkinsfile.deploy",
        "deploy.jenkinsfile",
        "cloudbuild.yaml",
        "cloudbuild-migrate.json",
        ".circleci/config.yml",
        ".travis.yml",
        ".drone.yml",
        ".woodpecker/deploy.yaml",
    ),
)
def test_ci_claims(path: str) -> None:
    assert ci.claims(path)


@pytest.mark.parametrize(
    "path",
    (
        ".github/workflows/README.md",
        ".github/workflows/sub/x.yml",
        ".github/dependabot.yml",
        "gitlab-ci.txt",
        "Jenkinsfile.md.txt/x",
        "docs/cloudbuilding.yaml",
    ),
)
def test_ci_does_not_claim(path: str) -> None:
    assert not ci.claims(path)


# --- sites ----------------------------------------------------------------------------------------


def test_sites_github_actions_run_steps_and_ssh_action() -> None:
    text = (
        "name: makemigrations check\n"
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - name: python manage.py makemigrations\n"
        "        run: |\n"
        "          pip install -r requirements.txt\n"
        "          python manage.py test\n"
        "  deploy:\n"
        "    steps:\n"
        "      - uses: appleboy/ssh-action@v1\n"
        "        with:\n"
        "          host: example.com\n"
        "          script: cd /srv/app && ./deploy.sh\n"
    )
    assert ci.sites(".github/workflows/ci.yml", text) == [
        CommandSite(
            "pip install -r requirements.txt\npython manage.py test\n",
            None,
            10,
            11,
            11,
            "GitHub Actions job build step 2",
        ),
        CommandSite(
            "cd /srv/app && ./deploy.sh",
            None,
            17,
            19,
            17,
            "GitHub Actions job deploy step 1 (appleboy/ssh-action@v1 script)",
        ),
    ]


def test_sites_composite_and_docker_actions() -> None:
    text = (
        "runs:\n"
        "  using: composite\n"
        "  steps:\n"
        "    - run: python manage.py migrate\n"
        "      shell: bash\n"
        "  args: ['--verbose', 'x']\n"
    )
    assert ci.sites("action.yml", text) == [
        CommandSite("python manage.py migrate", None, 4, 12, 4, "GitHub action step 1"),
        CommandSite(None, ("--verbose", "x"), 6, 11, 6, "GitHub action args"),
    ]


def test_sites_gitlab_jobs_templates_and_references() -> None:
    text = (
        "default:\n"
        "  before_script:\n"
        "    - pip install -r requirements.txt\n"
        ".setup: &setup\n"
        "  - cd app\n"
        "  - python manage.py migrate\n"
        "variables:\n"
        "  script: not-a-job\n"
        "test:\n"
        "  script:\n"
        "    - *setup\n"
        "    - !reference [.setup, script]\n"
        "    - [python manage.py test]\n"
        "  after_script: echo done\n"
    )
    assert ci.sites(".gitlab-ci.yml", text) == [
        CommandSite(
            "pip install -r requirements.txt", None, 3, 7, 3, "GitLab CI defaults before_script"
        ),
        CommandSite("cd app", None, 5, 5, 5, "GitLab CI job test script"),
        CommandSite("python manage.py migrate", None, 6, 5, 6, "GitLab CI job test script"),
        CommandSite("python manage.py test", None, 13, 8, 13, "GitLab CI job test script"),
        CommandSite("echo done", None, 14, 17, 14, "GitLab CI job test after_script"),
    ]


def test_sites_bitbucket_steps_parallel_and_ssh_pipe() -> None:
    text = (
        "definitions:\n"
        "  steps:\n"
        "    - step: &test\n"
        "        name: Test\n"
        "        script:\n"
        "          - python manage.py test\n"
        "pipelines:\n"
        "  default:\n"
        "    - parallel:\n"
        "        - step: *test\n"
        "  branches:\n"
        "    main:\n"
        "      - step:\n"
        "          deployment: production\n"
        "          script:\n"
        "            - pipe: atlassian/ssh-run:0.8.1\n"
        "              variables:\n"
        "                COMMAND: './deploy.sh'\n"
        "            - pipe: atlassian/slack-notify:2\n"
        "              variables:\n"
        "                MESSAGE: 'python manage.py makemigrations done'\n"
    )
    assert ci.sites("bitbucket-pipelines.yml", text) == [
        CommandSite("python manage.py test", None, 6, 13, 6, "Bitbucket Pipelines step 'Test'"),
        CommandSite(
            "./deploy.sh",
            None,
            18,
            27,
            18,
            "Bitbucket Pipelines step pipe atlassian/ssh-run:0.8.1",
        ),
    ]


def test_sites_azure_steps_and_inline_tasks() -> None:
    text = (
        "stages:\n"
        "- stage: Deploy\n"
        "  jobs:\n"
        "  - deployment: Web\n"
        "    strategy:\n"
        "      runOnce:\n"
        "        deploy:\n"
        "          steps:\n"
        "          - script: python manage.py migrate\n"
        "            displayName: Run makemigrations? no\n"
        "          - task: AzureCLI@2\n"
        "            inputs:\n"
        "              scriptType: bash\n"
        "              inlineScript: |\n"
        "                az webapp ssh\n"
        "          - task: AzureWebApp@1\n"
        "            inputs:\n"
        "              startUpCommand: gunicorn a.wsgi\n"
    )
    assert ci.sites("azure-pipelines.yml", text) == [
        CommandSite(
            "python manage.py migrate",
            None,
            9,
            21,
            9,
            "Azure Pipelines step 'Run makemigrations? no'",
        ),
        CommandSite(
            "az webapp ssh\n", None, 15, 17, 15, "Azure Pipelines step 'AzureCLI@2' inlineScript"
        ),
        CommandSite(
            "gunicorn a.wsgi",
            None,
            18,
            31,
            18,
            "Azure Pipelines step 'AzureWebApp@1' startUpCommand",
        ),
    ]


def test_sites_cloudbuild_script_args_and_builders() -> None:
    text = (
        "steps:\n"
        "- id: migrate\n"
        "  name: gcr.io/google-appengine/exec-wrapper\n"
        "  args: ['-i', 'img', '--', 'python', 'manage.py', 'migrate']\n"
        "- name: python:3.12\n"
        "  entrypoint: bash\n"
        "  args: ['-c', 'echo $$HOME']\n"
        "- name: ubuntu\n"
        "  script: |\n"
        "    ./deploy.sh\n"
        "- name: gcr.io/cloud-builders/docker\n"
    )
    assert ci.sites("cloudbuild.yaml", text) == [
        CommandSite(
            None, ("python", "manage.py", "migrate"), 4, 30, 4, "Cloud Build step 1 'migrate'"
        ),
        CommandSite(None, ("bash", "-c", "echo $HOME"), 6, 15, 7, "Cloud Build step 2"),
        CommandSite("./deploy.sh\n", None, 10, 5, 10, "Cloud Build step 3"),
    ]


def test_sites_circleci_run_forms_and_reusable_commands() -> None:
    text = (
        "version: 2.1\n"
        "commands:\n"
        "  setup:\n"
        "    steps:\n"
        "      - run: pip install -r requirements.txt\n"
        "jobs:\n"
        "  test:\n"
        "    steps:\n"
        "      - checkout\n"
        "      - setup\n"
        "      - run:\n"
        "          name: python manage.py makemigrations\n"
        "          command: python manage.py test\n"
        "      - when:\n"
        "          condition: true\n"
        "          steps:\n"
        "            - run: ./deploy.sh\n"
    )
    assert ci.sites(".circleci/config.yml", text) == [
        CommandSite("python manage.py test", None, 13, 20, 13, "CircleCI job test run"),
        CommandSite("./deploy.sh", None, 17, 20, 17, "CircleCI job test run"),
        CommandSite(
            "pip install -r requirements.txt", None, 5, 14, 5, "CircleCI command setup run"
        ),
    ]


def test_sites_travis_and_drone() -> None:
    travis = (
        "script: python manage.py test\n"
        "jobs:\n"
        "  include:\n"
        "    - stage: deploy\n"
        "      before_deploy: ['./prepare.sh']\n"
        "      deploy:\n"
        "        provider: script\n"
        "        script: ./deploy.sh\n"
    )
    assert ci.sites(".travis.yml", travis) == [
        CommandSite("python manage.py test", None, 1, 9, 1, "Travis CI script"),
        CommandSite("./prepare.sh", None, 5, 24, 5, "Travis CI job 1 before_deploy"),
        CommandSite("./deploy.sh", None, 8, 17, 8, "Travis CI job 1 deploy"),
    ]
    drone = "kind: pipeline\nsteps:\n- name: test\n  commands:\n  - python manage.py test\n"
    assert ci.sites(".drone.yml", drone) == [
        CommandSite("python manage.py test", None, 5, 5, 5, "CI step 'test'")
    ]


def test_sites_jenkinsfile_literals_comments_and_labels() -> None:
    text = (
        "// sh 'python manage.py makemigrations'\n"
        '/* sh "python manage.py makemigrations" */\n'
        "def msg = \"sh 'not a step'\"\n"
        "pipeline {\n"
        "  stages {\n"
        "    stage('x') {\n"
        "      steps {\n"
        '        sh(script: "echo ${params.get("A")} done", returnStdout: true)\n'
        "        sh label: 'Make', script: '''\n"
        "            python manage.py migrate\n"
        "        '''\n"
        "        bat 'python manage.py check'\n"
        "        utils.sh('not the step')\n"
        '        sh """\n'
        "        echo \\$HOME\n"
        '        """\n'
        "      }\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
    assert ci.sites("Jenkinsfile", text) == [
        CommandSite(
            'echo ${params.get("A")} done', None, 8, 21, 8, "Jenkinsfile stage `x` sh step"
        ),
        CommandSite(
            "\n            python manage.py migrate\n        ",
            None,
            10,
            13,
            11,
            "Jenkinsfile stage `x` sh step",
        ),
        CommandSite("python manage.py check", None, 12, 14, 12, "Jenkinsfile stage `x` bat step"),
        CommandSite(
            "\n        echo $HOME\n        ", None, 15, 9, 16, "Jenkinsfile stage `x` sh step"
        ),
    ]


def test_sites_jenkinsfile_unterminated_string_is_not_a_crash() -> None:
    assert ci.sites("Jenkinsfile", "sh 'python manage.py makemigrations\n") == []


# --- through the hook -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    (
        pytest.param(
            ".github/workflows/verify-migrations.yml",
            "name: Verify makemigrations\n"
            "on: pull_request\n"
            "jobs:\n"
            "  run_makemigrations_and_verify:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - name: Run makemigrations and fail on missing migrations\n"
            "        run: docker compose exec django python manage.py makemigrations "
            "--check --noinput\n",
            id="github-check-with-names",
        ),
        pytest.param(
            ".gitlab-ci.yml",
            "migrations:\n"
            "  script:\n"
            "    - cd app\n"
            "    # - python3 manage.py makemigrations\n"
            "    - python3 manage.py makemigrations --dry-run --check\n",
            id="gitlab-comment-and-check",
        ),
        pytest.param(
            "bitbucket-pipelines.yml",
            "pipelines:\n"
            "  default:\n"
            "    - step:\n"
            "        name: makemigrations\n"
            "        script:\n"
            "          - echo 'run makemigrations before pushing'\n",
            id="bitbucket-step-name-and-echo",
        ),
        pytest.param(
            "azure-pipelines.yml",
            "steps:\n- script: python manage.py showmigrations\n  displayName: makemigrations\n",
            id="azure-display-name",
        ),
        pytest.param(
            "Jenkinsfile",
            "node {\n"
            "  // sh 'python manage.py makemigrations'\n"
            "  echo 'python manage.py makemigrations'\n"
            "  sh 'python manage.py migrate'\n"
            "}\n",
            id="jenkins-comment-and-echo-step",
        ),
        pytest.param(
            "cloudbuild.yaml",
            "steps:\n"
            "- id: makemigrations\n"
            "  name: python:3.12\n"
            "  entrypoint: python\n"
            "  args: ['manage.py', 'makemigrations', '--check']\n",
            id="cloudbuild-check",
        ),
        pytest.param(
            ".circleci/config.yml",
            "jobs:\n"
            "  test:\n"
            "    steps:\n"
            "      - run:\n"
            "          name: python manage.py makemigrations\n"
            "          command: python manage.py test\n",
            id="circleci-name",
        ),
    ),
)
def test_ci_noop(git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (0, [], "")


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    (
        pytest.param(
            ".github/workflows/django.yml",
            "jobs:\n"
            "  build:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "    - uses: actions/checkout@v4\n"
            "    - name: Make and apply migrations\n"
            "      run: |\n"
            "        # migrations are not stored in the repo, so makemigrations here\n"
            "        python manage.py makemigrations\n"
            "        python manage.py migrate\n",
            f".github/workflows/django.yml:9:26: DMH301 GitHub Actions job build step 2 {IN_CI}",
            id="github-block-with-comment",
        ),
        pytest.param(
            ".gitlab-ci.yml",
            ".django: &django\n"
            "  before_script:\n"
            "    - python manage.py makemigrations\n"
            "test:\n"
            "  <<: *django\n"
            "  script: [python manage.py test]\n",
            f".gitlab-ci.yml:3:24: DMH301 GitLab CI job .django before_script {IN_CI}",
            id="gitlab-anchor",
        ),
        pytest.param(
            "bitbucket-pipelines.yml",
            "pipelines:\n"
            "  branches:\n"
            "    main:\n"
            "      - step:\n"
            "          name: Deploy to production\n"
            "          script:\n"
            "            - pipe: atlassian/ssh-run:0.8.1\n"
            "              variables:\n"
            "                COMMAND: 'cd /srv/app && .venv/bin/python manage.py makemigrations'\n",
            "bitbucket-pipelines.yml:9:69: DMH301 Bitbucket Pipelines step 'Deploy to production' "
            f"pipe atlassian/ssh-run:0.8.1 {ON_DEPLOY}",
            id="bitbucket-ssh-pipe",
        ),
        pytest.param(
            "azure-pipelines.yml",
            "steps:\n"
            "- bash: |\n"
            "    source venv/bin/activate\n"
            "    python manage.py makemigrations --noinput\n",
            f"azure-pipelines.yml:4:22: DMH301 Azure Pipelines step {IN_CI}",
            id="azure-bash",
        ),
        pytest.param(
            "Jenkinsfile",
            "node {\n"
            "    stage('Preparation') {\n"
            "        sh '''if [ ! -d \"venv\" ]; then\n"
            "            python3 -m venv venv\n"
            "        fi'''\n"
            '        sh ". venv/bin/activate && python manage.py makemigrations"\n'
            "    }\n"
            "}\n",
            f"Jenkinsfile:6:53: DMH301 Jenkinsfile stage `Preparation` sh step {IN_CI}",
            id="jenkins-double-quoted",
        ),
        pytest.param(
            "cloudbuild.yaml",
            "steps:\n"
            "- name: python:3.12\n"
            "  entrypoint: bash\n"
            "  args:\n"
            "  - -c\n"
            "  - |\n"
            "    pip install -r requirements.txt\n"
            "    python manage.py makemigrations\n",
            f"cloudbuild.yaml:8:22: DMH301 Cloud Build step 1 {ON_DEPLOY}",
            id="cloudbuild-bash-c",
        ),
        pytest.param(
            "cloudbuild.yaml",
            "steps:\n"
            "- name: python:3.12\n"
            "  args: [manage.py, makemigrations, --noinput]\n"
            "- name: gcr.io/cloud-builders/docker\n"
            "  args: [build, -t, app, .]\n",
            f"cloudbuild.yaml:3:21: DMH301 Cloud Build step 1 {ON_DEPLOY}",
            id="cloudbuild-image-without-entrypoint",
        ),
        pytest.param(
            ".circleci/config.yml",
            "jobs:\n"
            "  deploy:\n"
            "    steps:\n"
            "      - run:\n"
            "          name: migrate\n"
            "          command: python manage.py makemigrations && python manage.py migrate\n",
            f".circleci/config.yml:6:37: DMH301 CircleCI job deploy run {ON_DEPLOY}",
            id="circleci-command",
        ),
    ),
)
def test_ci_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (1, [expected], "")


def test_ci_yaml_alias_bomb_is_one_stderr_line(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{chr(ord(name) - 1)}"] * 9) + "]\n"
    text += "job:\n  script: python manage.py makemigrations\n"
    rc, out, err = run_hook(git_repo, capsys, {".gitlab-ci.yml": text})
    assert (rc, out) == (0, [])
    assert err == (
        "check-deploy-makemigrations: .gitlab-ci.yml: skipped, YAML aliases expand to more than "
        "25000 nodes (alias bomb?)\n"
    )


def test_github_python_shell_step_is_read_as_python(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "jobs:\n"
        "  seed:\n"
        "    defaults:\n"
        "      run:\n"
        "        shell: python\n"
        "    steps:\n"
        "      - run: |\n"
        "\n"
        "          from django.core.management import call_command\n"
        '          call_command("makemigrations")  # makemigrations in a comment\n'
        "      - shell: bash\n"
        "        run: echo 'call_command(\"makemigrations\")'\n"
    )
    assert ci.sites(".github/workflows/seed.yml", text) == [
        CommandSite(
            None,
            ("django-admin", "makemigrations"),
            10,
            24,
            10,
            "GitHub Actions job seed step 1 (python)",
        ),
        CommandSite(
            "echo 'call_command(\"makemigrations\")'",
            None,
            12,
            14,
            12,
            "GitHub Actions job seed step 2",
        ),
    ]
    assert run_hook(git_repo, capsys, {".github/workflows/seed.yml": text}) == (
        1,
        [
            ".github/workflows/seed.yml:10:25: DMH301 GitHub Actions job seed step 1 (python) "
            f"{IN_CI}"
        ],
        "",
    )
