"""check-deploy-makemigrations --fix: byte-exact results per file kind, and the refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks._config import Config
from django_migration_hooks.check_deploy_makemigrations import apply_fixes, check_files, plan_fixes
from django_migration_hooks.shell.steps import Step, steps
from tests.conftest import git, write
from tests.deploy import run_hook

PREFIX = "check-deploy-makemigrations: "


def fixed(
    repo: Path, capsys: pytest.CaptureFixture[str], path: str, data: bytes
) -> tuple[int, bytes, str]:
    """Run --fix on one file; (exit code, the file's bytes after, stderr)."""
    rc, _, err = run_hook(repo, capsys, {path: data}, "--fix")
    return rc, (repo / path).read_bytes(), err


@pytest.mark.parametrize(
    ("path", "before", "after"),
    (
        pytest.param(
            "Procfile",
            b"\xef\xbb\xbfrelease: python manage.py makemigrations && python manage.py migrate\r\n"
            b"web: gunicorn a.wsgi\r\n",
            b"\xef\xbb\xbfrelease: python manage.py migrate\r\nweb: gunicorn a.wsgi\r\n",
            id="procfile-bom-crlf",
        ),
        pytest.param(
            "Procfile",
            b"release: python manage.py makemigrations\nweb: gunicorn a.wsgi",
            b"web: gunicorn a.wsgi",
            id="procfile-process",
        ),
        pytest.param(
            "Dockerfile",
            b"FROM python:3.12\n"
            b"RUN pip install -r req.txt && \\\n"
            b"    python manage.py makemigrations && \\\n"
            b"    python manage.py collectstatic --noinput\n"
            b"RUN python manage.py makemigrations \\\n"
            b"      --noinput\n"
            b'RUN ["python", "manage.py", "makemigrations"]\n'
            b'CMD ["gunicorn", "a.wsgi"]\n',
            b"FROM python:3.12\n"
            b"RUN pip install -r req.txt && \\\n"
            b"    python manage.py collectstatic --noinput\n"
            b'CMD ["gunicorn", "a.wsgi"]\n',
            id="dockerfile-run",
        ),
        pytest.param(
            "Dockerfile",
            b'FROM python\nCMD bash -c "python manage.py makemigrations && exec gunicorn a.wsgi"\n',
            b'FROM python\nCMD bash -c "exec gunicorn a.wsgi"\n',
            id="dockerfile-sh-c",
        ),
        pytest.param(
            "deploy.sh",
            b"#!/bin/sh\n"
            b"set -e\n"
            b"cd /srv && python manage.py makemigrations && python manage.py migrate\n"
            b"  python manage.py makemigrations   # generate\n"
            b"python manage.py migrate; python manage.py makemigrations\n"
            b"rm -rf */migrations/0*.py\n"
            b"exec gunicorn a.wsgi\n",
            b"#!/bin/sh\n"
            b"set -e\n"
            b"cd /srv && python manage.py migrate\n"
            b"python manage.py migrate\n"
            b"exec gunicorn a.wsgi\n",
            id="script",
        ),
        pytest.param(
            "deploy/shop.service",
            b"[Service]\n"
            b"ExecStartPre=-/srv/venv/bin/python manage.py makemigrations \\\n"
            b"    --noinput\n"
            b"ExecStart=/srv/venv/bin/gunicorn shop.wsgi\n",
            b"[Service]\nExecStart=/srv/venv/bin/gunicorn shop.wsgi\n",
            id="systemd",
        ),
        pytest.param(
            ".github/workflows/ci.yml",
            b"on: push\n"
            b"jobs:\n"
            b"  test:\n"
            b"    runs-on: ubuntu-latest\n"
            b"    steps:\n"
            b"      - uses: actions/checkout@v4\n"
            b"      # the migrations\n"
            b"      - name: Make migrations\n"
            b"        env:\n"
            b"          X: 1  # a comment\n"
            b"        run: python manage.py makemigrations\n"
            b"      - run: 'python manage.py makemigrations'\n"
            b"      - name: Test\n"
            b"        run: |\n"
            b"          python manage.py makemigrations --noinput\n"
            b"          pytest\n",
            b"on: push\n"
            b"jobs:\n"
            b"  test:\n"
            b"    runs-on: ubuntu-latest\n"
            b"    steps:\n"
            b"      - uses: actions/checkout@v4\n"
            b"      # the migrations\n"
            b"      - name: Test\n"
            b"        run: |\n"
            b"          pytest\n",
            id="github-steps",
        ),
        pytest.param(
            ".gitlab-ci.yml",
            b"test:\n"
            b"  script:\n"
            b"    - pip install -r requirements.txt\n"
            b"    - python manage.py makemigrations   # keep\n"
            b"    - python manage.py test\n",
            b"test:\n  script:\n    - pip install -r requirements.txt\n"
            b"    - python manage.py test\n",
            id="gitlab-script-item",
        ),
        pytest.param(
            "docker-compose.yml",
            b"services:\n"
            b"  web:\n"
            b'    command: bash -c "python manage.py makemigrations && python manage.py migrate'
            b' && gunicorn a.wsgi"\n',
            b"services:\n"
            b"  web:\n"
            b'    command: bash -c "python manage.py migrate && gunicorn a.wsgi"\n',
            id="compose-sh-c",
        ),
        pytest.param(
            "app.json",
            b'{"scripts": {"postdeploy": "python manage.py makemigrations && python manage.py'
            b' migrate"}}\n',
            b'{"scripts": {"postdeploy": "python manage.py migrate"}}\n',
            id="json-value",
        ),
        pytest.param(
            "railway.toml",
            b"[deploy]\n"
            b"startCommand = 'python manage.py makemigrations; python manage.py migrate;"
            b" gunicorn'\n",
            b"[deploy]\nstartCommand = 'python manage.py migrate; gunicorn'\n",
            id="toml-value",
        ),
    ),
)
def test_fix_removes_the_step(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, before: bytes, after: bytes
) -> None:
    assert fixed(git_repo, capsys, path, before) == (1, after, f"Fixing {path}\n")
    assert run_hook(git_repo, capsys, {}) == (0, [], "")  # checked again: nothing left


@pytest.mark.parametrize(
    ("path", "text", "why"),
    (
        pytest.param(
            "deploy.sh",
            'if [ -n "$X" ]; then python manage.py makemigrations; fi\n',
            "deploy.sh:1:39: DMH301 not fixed: it runs inside `if`",
            id="if",
        ),
        pytest.param(
            "deploy.sh",
            "for app in a b; do\n  python manage.py makemigrations $app\ndone\n",
            "deploy.sh:2:20: DMH301 not fixed: it runs inside a loop",
            id="loop",
        ),
        pytest.param(
            "deploy.sh",
            "python manage.py makemigrations || true\n",
            "deploy.sh:1:18: DMH301 not fixed: it is part of a `||` chain",
            id="or-chain",
        ),
        pytest.param(
            "deploy.sh",
            "ssh host <<EOF\npython manage.py makemigrations\nEOF\n",
            "deploy.sh:2:18: DMH301 not fixed: it runs inside a heredoc sent to a remote host",
            id="remote-heredoc",
        ),
        pytest.param(
            "deploy.sh",
            "ssh host 'python manage.py makemigrations && python manage.py migrate'\n",
            "deploy.sh:1:28: DMH301 not fixed: it runs inside a command sent to a remote host",
            id="remote-quoted",
        ),
        pytest.param(
            "deploy.sh",
            "env $(cat .env | xargs) python3 manage.py makemigrations && ./manage.py migrate\n",
            "deploy.sh:1:43: DMH301 not fixed: it runs inside a larger command",
            id="substituted-environment",
        ),
        pytest.param(
            "deploy.py",
            "import subprocess\n"
            "subprocess.run(['python', 'manage.py', 'makemigrations'])\n"
            "subprocess.run(['python', 'manage.py', 'migrate'])\n",
            "deploy.py:2:41: DMH301 not fixed: it is a Python call",
            id="python",
        ),
        pytest.param(
            "deploy/shop.service",
            "[Service]\nExecStart=/srv/venv/bin/python manage.py makemigrations\n",
            "deploy/shop.service:2:42: DMH301 not fixed: it is the service's main command "
            "(ExecStart)",
            id="systemd-exec-start",
        ),
        pytest.param(
            "Dockerfile",
            "FROM python\nCMD python manage.py makemigrations\n",
            "Dockerfile:2:22: DMH301 not fixed: it is the whole Dockerfile CMD instruction; only "
            "RUN is removed",
            id="dockerfile-cmd",
        ),
        pytest.param(
            ".gitlab-ci.yml",
            "migrations:\n  script:\n    - python manage.py makemigrations\n",
            ".gitlab-ci.yml:3:24: DMH301 not fixed: it is the only item of its list; remove the "
            "list by hand",
            id="only-item",
        ),
        pytest.param(
            "render.yaml",
            "services:\n  - type: web\n    preDeployCommand: python manage.py makemigrations\n",
            "render.yaml:3:40: DMH301 not fixed: the setting would be left with no command; "
            "remove it by hand",
            id="setting-left-empty",
        ),
        pytest.param(
            "Procfile",
            'release: sh -c "python manage.py makemigrations \\"--name\\" x && migrate"\n',
            "Procfile:1:34: DMH301 not fixed: it runs inside quoted shell code with escapes",
            id="escaped-shell-code",
        ),
    ),
)
def test_fix_refuses(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, why: str
) -> None:
    before = text.encode()
    rc, after, err = fixed(git_repo, capsys, path, before)
    assert (rc, after, err) == (1, before, f"{PREFIX}{why}\n")


def test_fake_is_never_fixed(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = b"release: python manage.py migrate --fake && gunicorn a.wsgi\n"
    rc, out, err = run_hook(git_repo, capsys, {"Procfile": text}, "--fix")
    assert (rc, len(out), err, (git_repo / "Procfile").read_bytes()) == (1, 1, "", text)


def test_without_fix_nothing_is_written(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = b"release: python manage.py makemigrations && python manage.py migrate\n"
    rc, out, err = run_hook(git_repo, capsys, {"Procfile": text})
    assert (rc, err, (git_repo / "Procfile").read_bytes()) == (1, "", text)


def test_fix_never_writes_through_a_link(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = b"release: python manage.py makemigrations && python manage.py migrate\n"
    write(git_repo, {"Procfile": text, "real": text})
    git(git_repo, "add", "-A")
    result = check_files(["Procfile"], Config())
    plans = plan_fixes(result.findings)
    (git_repo / "Procfile").unlink()
    (git_repo / "Procfile").symlink_to("real")  # swapped for a link before the write
    assert apply_fixes(plans) == []
    assert capsys.readouterr().err == (
        f"{PREFIX}Procfile: not fixed: not a regular file (a link?); edit it by hand\n"
    )
    assert (git_repo / "real").read_bytes() == text


def shown(text: str) -> list[tuple[str, str, str, str]]:
    return [(text[s.start : s.end], s.before, s.after, s.inside) for s in steps(text)]


def test_steps_operators_and_compounds() -> None:
    text = "A && B 2>&1 | C &> log; D\nif E; then F; fi\n(G && H)\nI ||\n  J\n"
    assert shown(text) == [
        ("A", "", "&&", ""),
        ("B 2>&1", "&&", "|", ""),
        ("C &> log", "|", ";", ""),
        ("D", ";", "\n", ""),
        ("E", "\n", ";", "if"),
        ("F", ";", ";", "if"),
        ("G", "\n", "&&", "subshell"),
        ("H", "&&", "\n", "subshell"),
        ("I", "\n", "||", ""),
        ("J", "||", "\n", ""),
    ]


def test_steps_skip_heredoc_bodies_and_quotes() -> None:
    text = "cat <<-'EOF' && x\n\tA && B\n\tEOF\necho 'a && b' \"$(c && d)\" # e && f\n"
    assert steps(text) == [
        Step(0, 12, "", "&&", "", None),
        Step(16, 17, "&&", "\n", "", (18, 31)),
        Step(31, 56, "\n", "\n", "", None),
    ]


def test_summary_counts_fixable_findings(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    files = {
        "Procfile": "release: python manage.py makemigrations && python manage.py migrate\n",
        "deploy.sh": "python manage.py makemigrations || true\n",
    }
    rc, out, err = run_hook(git_repo, capsys, files)
    assert (rc, out[-1], err) == (1, "2 findings in 2 files; 1 fixable with --fix", "")
