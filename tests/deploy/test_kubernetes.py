from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks.deploy import kubernetes
from django_migration_hooks.deploy._site import CommandSite
from tests.conftest import write
from tests.deploy import run_hook

HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"
ON_DEPLOY = f"runs `makemigrations`, which writes migration files on deploy {HINT}"


@pytest.mark.parametrize(
    "path",
    (
        "k8s/web.yaml",
        "deploy/kubernetes/job.yml",
        "helm/templates/deployment.yaml",
        "charts/a/x.yaml",
    ),
)
def test_kubernetes_claims_by_path(path: str) -> None:
    assert kubernetes.claims(path)


def test_kubernetes_claims_by_sniffing(git_repo: Path) -> None:
    write(git_repo, {"web.yaml": "apiVersion: v1\nkind: Pod\n", "other.yaml": "kind: x\n"})
    assert kubernetes.claims("web.yaml")
    assert not kubernetes.claims("other.yaml")
    assert not kubernetes.claims("missing.yaml")


@pytest.mark.parametrize(
    "path",
    (
        "k8s/README.md",
        "deploy/docker-compose.yml",  # compose reads it
        ".github/workflows/deploy.yaml",  # ci reads it
        "deploy/render.yaml",  # platforms read it
    ),
)
def test_kubernetes_does_not_claim(path: str) -> None:
    assert not kubernetes.claims(path)


def test_sites_command_args_init_containers_and_lifecycle() -> None:
    text = (
        "apiVersion: batch/v1\n"
        "kind: CronJob\n"
        "metadata:\n"
        "  name: nightly\n"
        "spec:\n"
        "  jobTemplate:\n"
        "    spec:\n"
        "      template:\n"
        "        spec:\n"
        "          initContainers:\n"
        "          - name: wait\n"
        '            command: ["sh", "-c"]\n'
        "            args:\n"
        "            - |\n"
        "              until nc -z db 5432; do sleep 1; done\n"
        "          containers:\n"
        "          - name: task\n"
        '            args: ["python", "manage.py", "clearsessions"]\n'
        "            lifecycle:\n"
        "              postStart:\n"
        "                exec:\n"
        '                  command: ["/bin/sh", "-c", "echo started"]\n'
        "---\n"
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "data:\n"
        "  containers: not-a-list\n"
    )
    assert kubernetes.sites("k8s/cron.yaml", text) == [
        CommandSite(
            None,
            ("sh", "-c", "until nc -z db 5432; do sleep 1; done\n"),
            12,
            24,
            15,
            "Kubernetes CronJob nightly initContainer wait",
        ),
        CommandSite(
            None,
            ("python", "manage.py", "clearsessions"),
            18,
            21,
            18,
            "Kubernetes CronJob nightly container task",
        ),
        CommandSite(
            None,
            ("/bin/sh", "-c", "echo started"),
            22,
            30,
            22,
            "Kubernetes CronJob nightly container task postStart",
        ),
    ]


def test_sites_ignore_yaml_without_kind() -> None:
    text = "containers:\n- command: [python, manage.py, makemigrations]\n"
    assert kubernetes.sites("k8s/values.yaml", text) == []


def test_neutralise_templates_keeps_lines_and_columns() -> None:
    text = (
        "metadata:\n"
        '  name: {{ include "x.fullname" . }}\n'
        "  {{- with .Values.labels }}\n"
        "  labels: {{ toYaml . | nindent 4 }}\n"
        "  {{- end }}\n"
        "{{/* a comment\n"
        "   over lines */}}\n"
        "x: 1\n"
    )
    assert kubernetes.neutralise_templates(text).split("\n") == [
        "metadata:",
        "  name: " + "_" * 28,
        "",
        "  labels: " + "_" * 26,
        "",
        "",
        "",
        "x: 1",
        "",
    ]


def test_sites_helm_template_with_block_scalar(git_repo: Path) -> None:
    write(git_repo, {"chart/Chart.yaml": "name: x\n"})
    text = (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        '  name: {{ include "pto.fullname" . }}\n'
        "spec:\n"
        "  template:\n"
        "    spec:\n"
        "      {{- if .Values.migrate }}\n"
        "      initContainers:\n"
        "        - name: migrate\n"
        '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n'
        '          command: [ "sh", "-c" ]\n'
        "          args:\n"
        "            - |\n"
        '              python manage.py migrate {{ .Values.apps | join " " }}\n'
        "      {{- end }}\n"
        "      containers:\n"
        "        - name: {{ .Chart.Name }}\n"
        '          command: ["gunicorn", "pto.wsgi"]\n'
    )
    assert kubernetes.is_helm_template("chart/templates/deployment.yaml")
    assert kubernetes.sites("chart/templates/deployment.yaml", text) == [
        CommandSite(
            None,
            ("sh", "-c", "python manage.py migrate " + "_" * 29 + "\n"),
            12,
            23,
            15,
            "Kubernetes Deployment initContainer migrate",
        ),
        CommandSite(None, ("gunicorn", "pto.wsgi"), 19, 22, 19, "Kubernetes Deployment container"),
    ]


# --- through the hook -----------------------------------------------------------------------------

DEPLOYMENT = (
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: web\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: web\n"
    "        image: registry.example.com/app:latest\n"
)


@pytest.mark.parametrize(
    ("path", "text"),
    (
        pytest.param(
            "k8s/web.yaml",
            DEPLOYMENT + "        args:\n"
            "        - sh\n"
            "        - -c\n"
            "        - python manage.py makemigrations --check --dry-run && daphne app.asgi\n",
            id="check-only",
        ),
        pytest.param(
            "k8s/web.yaml",
            DEPLOYMENT + "        # command: [python, manage.py, makemigrations]\n"
            "        env:\n"
            "        - name: NOTE\n"
            "          value: python manage.py makemigrations\n",
            id="comment-and-env-value",
        ),
        pytest.param(
            "k8s/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  run.sh: python manage.py makemigrations\n",
            id="configmap-data",
        ),
    ),
)
def test_kubernetes_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (0, [], "")


@pytest.mark.parametrize(
    ("files", "expected"),
    (
        pytest.param(
            {
                "k8s/web-deployment.yaml": DEPLOYMENT + "        args:\n"
                "        - sh\n"
                "        - -c\n"
                "        - python manage.py makemigrations && python manage.py migrate && "
                "daphne -b 0.0.0.0 -p 8000 back.asgi:application\n"
            },
            "k8s/web-deployment.yaml:14:28: DMH301 Kubernetes Deployment web container web "
            f"{ON_DEPLOY}",
            id="args-sh-c",
        ),
        pytest.param(
            {
                "job.yaml": "apiVersion: batch/v1\n"
                "kind: Job\n"
                "spec:\n"
                "  template:\n"
                "    spec:\n"
                "      containers:\n"
                "      - name: migrate\n"
                '        command: ["python", "manage.py", "makemigrations", "--merge"]\n'
            },
            f"job.yaml:8:43: DMH301 Kubernetes Job container migrate {ON_DEPLOY}",
            id="sniffed-job-exec-form",
        ),
        pytest.param(
            {
                "helm/Chart.yaml": "apiVersion: v2\nname: pto\n",
                "helm/templates/deployment.yaml": "apiVersion: apps/v1\n"
                "kind: Deployment\n"
                "metadata:\n"
                '  name: {{ include "pto.fullname" . }}\n'
                "spec:\n"
                "  template:\n"
                "    spec:\n"
                "      initContainers:\n"
                "        - name: migrate\n"
                '          command: [ "sh", "-c" ]\n'
                "          args:\n"
                "            - |\n"
                '              echo "preparing database"\n'
                '              python manage.py makemigrations {{ .Values.apps | join " " }}\n'
                "              python manage.py migrate --noinput\n",
            },
            "helm/templates/deployment.yaml:14:32: DMH301 Kubernetes Deployment initContainer "
            f"migrate {ON_DEPLOY}",
            id="helm-init-container",
        ),
    ),
)
def test_kubernetes_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], expected: str
) -> None:
    assert run_hook(git_repo, capsys, files) == (1, [expected], "")


def test_sites_argo_container_and_tekton_steps() -> None:
    text = (
        "apiVersion: argoproj.io/v1alpha1\n"
        "kind: Workflow\n"
        "spec:\n"
        "  templates:\n"
        "  - name: migrate\n"
        "    container:\n"
        "      image: app\n"
        "      command: [python, manage.py, migrate]\n"
        "---\n"
        "apiVersion: tekton.dev/v1\n"
        "kind: Task\n"
        "spec:\n"
        "  steps:\n"
        "  - name: build\n"
        "    image: python\n"
        "    script: |\n"
        "      pip install .\n"
    )
    assert kubernetes.sites("k8s/pipelines.yaml", text) == [
        CommandSite(
            None, ("python", "manage.py", "migrate"), 8, 17, 8, "Kubernetes Workflow container"
        ),
        CommandSite("pip install .\n", None, 17, 7, 17, "Kubernetes Task step script"),
    ]
