"""Time the config-family readers of check-deploy-makemigrations (compose, platforms, CI,
Kubernetes/Helm, INI) on a repository, and on a synthetic config-heavy tree.

    python bench/bench_deploy_readers.py REPO [--copies 100]

1. `claims()` of every reader over every `git ls-files` path of REPO, then `sites()` of every
   claimed file (read + parse), as the hook does with `--all-files`.
2. A temporary tree holding `--copies` copies of one realistic file per family (24 families),
   read and parsed the same way: the cost per file when a repository is full of manifests.
Prints wall times and the peak RSS of this process (Linux ru_maxrss).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django_migration_hooks._files import FileProblem, read_text

READERS = ("compose", "platforms", "ci", "kubernetes", "ini")

MM = "python manage.py makemigrations --check --dry-run"
SAMPLES: dict[str, str] = {
    "docker-compose.yml": "x-app: &app\n  image: app\n  restart: always\nservices:\n"
    + "".join(
        f"  s{n}:\n    <<: *app\n    command: sh -c '{MM} && gunicorn a'\n" for n in range(8)
    ),
    ".do/app.yaml": f"name: x\nservices:\n- name: web\n  run_command: gunicorn a\njobs:\n"
    f"- name: m\n  kind: PRE_DEPLOY\n  run_command: {MM}\n",
    "render.yaml": f"services:\n- type: web\n  name: a\n  buildCommand: pip install .; {MM}\n",
    "fly.toml": f'app = "a"\n[deploy]\n  release_command = "sh -c \'{MM}\'"\n[processes]\n'
    '  app = "gunicorn a"\n',
    "railway.json": f'{{"build": {{"builder": "NIXPACKS"}}, '
    f'"deploy": {{"startCommand": "{MM}"}}}}\n',
    "railway.toml": f'[deploy]\nstartCommand = "{MM}"\npreDeployCommand = ["{MM}"]\n',
    "nixpacks.toml": f"[phases.build]\ncmds = ['{MM}']\n[start]\ncmd = 'gunicorn a'\n",
    "heroku.yml": f"release:\n  image: web\n  command:\n    - {MM}\nrun:\n  web: gunicorn a\n",
    "app.json": f'{{"name": "a", "scripts": {{"postdeploy": "{MM}"}}}}\n',
    ".ebextensions/django.config": "container_commands:\n"
    + "".join(f'  0{n}:\n    command: "{MM}"\n    leader_only: true\n' for n in range(5)),
    "app.yaml": f"runtime: python312\nentrypoint: {MM}\n",
    ".replit": f'run = "x"\n[deployment]\nrun = ["sh", "-c", "{MM}"]\n',
    ".github/workflows/ci.yml": "on: [push]\njobs:\n"
    + "".join(
        f"  j{n}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
        f"      - name: step\n        run: |\n          pip install -r requirements.txt\n"
        f"          {MM}\n"
        for n in range(10)
    ),
    "action.yml": f"runs:\n  using: composite\n  steps:\n    - run: {MM}\n      shell: bash\n",
    ".gitlab-ci.yml": ".base: &base\n  image: python\n  before_script:\n    - pip install .\n"
    + "".join(f"job{n}:\n  <<: *base\n  script:\n    - {MM}\n" for n in range(20)),
    "bitbucket-pipelines.yml": "pipelines:\n  default:\n    - step:\n        script:\n"
    f"          - {MM}\n",
    "azure-pipelines.yml": f"steps:\n- script: {MM}\n  displayName: check\n",
    "Jenkinsfile": "pipeline {\n  stages {\n"
    + "".join(
        f"    stage('s{n}') {{ steps {{ sh '''\n      {MM}\n    ''' }} }}\n" for n in range(10)
    )
    + "  }\n}\n",
    "cloudbuild.yaml": f"steps:\n- name: python\n  entrypoint: bash\n  args: ['-c', '{MM}']\n",
    ".circleci/config.yml": f"jobs:\n  test:\n    steps:\n      - checkout\n      - run: {MM}\n",
    "k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
    "  template:\n    spec:\n      containers:\n      - name: web\n        image: app\n"
    f"        args: [sh, -c, '{MM} && gunicorn a']\n",
    "chart/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
    '  name: {{ include "x.fullname" . }}\nspec:\n  template:\n    spec:\n'
    "      {{- if .Values.init }}\n      initContainers:\n      - name: init\n"
    f"        command: [sh, -c]\n        args:\n        - |\n          {MM}\n"
    "      {{- end }}\n",
    "uwsgi.ini": f"[uwsgi]\nmodule = a.wsgi\nhook-pre-app = exec:{MM}\n",
    "supervisord.conf": f"[program:web]\ncommand={MM}\n",
}


def modules() -> list[ModuleType]:
    return [importlib.import_module(f"django_migration_hooks.deploy.{name}") for name in READERS]


def run(paths: list[str], readers: list[ModuleType]) -> tuple[float, float, int, int]:
    start = time.perf_counter()
    claimed: list[tuple[str, ModuleType]] = []
    for path in paths:
        for reader in readers:
            if reader.claims(path):
                claimed.append((path, reader))
                break
    claims_time = time.perf_counter() - start
    sites = 0
    for path, reader in claimed:
        with contextlib.suppress(FileProblem):
            sites += len(reader.sites(path, read_text(path).text))
    return claims_time, time.perf_counter() - start - claims_time, len(claimed), sites


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo")
    parser.add_argument("--copies", type=int, default=100)
    args = parser.parse_args()
    readers = modules()

    os.chdir(args.repo)
    listed = subprocess.run(
        ("git", "ls-files", "-z"), check=True, capture_output=True, text=True
    ).stdout
    paths = [p for p in listed.split("\0") if p]
    claims_time, sites_time, claimed, sites = run(paths, readers)
    print(
        f"repo {args.repo}: {len(paths)} files, claims {claims_time * 1000:.1f} ms, "
        f"{claimed} claimed, read+parse {sites_time * 1000:.1f} ms, {sites} command sites"
    )

    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        Path("chart").mkdir()
        Path("chart/Chart.yaml").write_text("name: x\n", encoding="utf-8")
        heavy = []
        for n in range(args.copies):
            for name, text in SAMPLES.items():
                path = f"chart/templates/d{n}.yaml" if name.startswith("chart/") else f"c{n}/{name}"
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                Path(path).write_text(text, encoding="utf-8")
                heavy.append(path)
        claims_time, sites_time, claimed, sites = run(heavy, readers)
        print(
            f"config-heavy tree: {len(heavy)} files ({args.copies} x {len(SAMPLES)} families), "
            f"claims {claims_time * 1000:.1f} ms, {claimed} claimed, read+parse "
            f"{sites_time * 1000:.1f} ms ({sites_time / max(claimed, 1) * 1e6:.0f} us/file), "
            f"{sites} command sites"
        )
        os.chdir("/")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
