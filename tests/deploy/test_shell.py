from __future__ import annotations

from pathlib import Path

import pytest

from django_migration_hooks import shell
from django_migration_hooks.deploy import _analyse, scripts
from django_migration_hooks.deploy._site import CommandSite
from tests.deploy import run_hook


def invoked(text: str) -> list[tuple[list[str], bool]]:
    return [([w.value for w in inv.argv], inv.remote) for inv in shell.all_invocations(text)]


def management(text: str) -> list[tuple[str, int, bool]]:
    """(subcommand, offset of the subcommand word in text, remote) for every manage.py call."""
    found = []
    for inv in shell.all_invocations(text):
        m = shell.management(inv)
        if m is not None:
            found.append((m.sub.value, m.sub.pos, inv.remote))
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(
            "a; b && c || d | e & f", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]], id="ops"
        ),
        pytest.param("a \\\n  b", [["a", "b"]], id="continuation"),
        pytest.param("a &&\nb", [["a"], ["b"]], id="trailing-and"),
        pytest.param("echo 'x; y' \"z && w\"", [["echo", "x; y", "z && w"]], id="quotes"),
        pytest.param("a # b; c\nd", [["a"], ["d"]], id="comment"),
        pytest.param("echo a#b", [["echo", "a#b"]], id="hash-inside-word"),
        pytest.param("x=$(a b) c", [["x=$(a b)", "c"], ["a", "b"]], id="substitution"),
        pytest.param("echo `a b`", [["echo", "`a b`"], ["a", "b"]], id="backticks"),
        pytest.param("a > out 2>&1 < in", [["a"]], id="redirections"),
        pytest.param("if a; then b; else c; fi", [["a"], ["b"], ["c"]], id="if"),
        pytest.param("for x in 1 2; do b $x; done", [["b", "$x"]], id="for"),
        pytest.param("f() { a; }", [["a"]], id="function"),
        pytest.param("cat <<EOF\nnot a command\nEOF\nb", [["cat"], ["b"]], id="heredoc"),
        pytest.param("echo ${A:-x y}", [["echo", "${A:-x y}"]], id="braces"),
        pytest.param("a\\ b c", [["a b", "c"]], id="escape"),
    ),
)
def test_split_commands(text: str, expected: list[list[str]]) -> None:
    assert [[w.value for w in c.words] for c in shell.commands(text)] == expected


@pytest.mark.parametrize(
    ("text", "argv", "remote"),
    (
        ("python manage.py makemigrations", ["manage.py", "makemigrations"], False),
        ("./manage.py makemigrations", ["./manage.py", "makemigrations"], False),
        ("python3 -u manage.py makemigrations", ["manage.py", "makemigrations"], False),
        ("python -m django makemigrations", ["django-admin", "makemigrations"], False),
        ("env X=1 Y=2 django-admin makemigrations", ["django-admin", "makemigrations"], False),
        ("X=1 python manage.py makemigrations", ["manage.py", "makemigrations"], False),
        ("sudo -u app python manage.py makemigrations", ["manage.py", "makemigrations"], False),
        ("exec nice -n 5 time python manage.py m", ["manage.py", "m"], False),
        ("poetry run python manage.py m", ["manage.py", "m"], False),
        ("uv run --with x --frozen python manage.py m", ["manage.py", "m"], False),
        ("pipenv run python manage.py m", ["manage.py", "m"], False),
        ("pdm run python manage.py m", ["manage.py", "m"], False),
        ("hatch run prod:python manage.py m", ["manage.py", "m"], False),
        ("docker compose -f a.yml exec -T web python manage.py m", ["manage.py", "m"], False),
        ("docker-compose run --rm -e A=1 web python manage.py m", ["manage.py", "m"], False),
        ("docker exec -it app python manage.py m", ["manage.py", "m"], False),
        ("heroku run -a app -- python manage.py m", ["manage.py", "m"], True),
        ("heroku run 'python manage.py m'", ["manage.py", "m"], True),
        ("kubectl exec -n x -it pod -- python manage.py m", ["manage.py", "m"], True),
        ("ssh -p 22 deploy@host 'cd app && python manage.py m'", ["manage.py", "m"], True),
        ("ssh host python manage.py m", ["manage.py", "m"], True),
        ("fly ssh console -C 'python manage.py m'", ["manage.py", "m"], True),
        ("railway run python manage.py m", ["manage.py", "m"], True),
        ('bash -c "python manage.py m"', ["manage.py", "m"], False),
        ("sh -ec 'sh -c \"python manage.py m\"'", ["manage.py", "m"], False),
        ("bash <<EOF\npython manage.py m\nEOF", ["manage.py", "m"], False),
        ("command python manage.py m", ["manage.py", "m"], False),
        ("sh ./release.sh", ["./release.sh"], False),
    ),
)
def test_unwrap_finds_real_command(text: str, argv: list[str], remote: bool) -> None:
    assert (argv, remote) in invoked(text)


@pytest.mark.parametrize(
    "text",
    (
        pytest.param("echo python manage.py makemigrations", id="echo"),
        pytest.param("# python manage.py makemigrations", id="comment"),
        pytest.param("python -c 'print(1)' makemigrations", id="python-c"),
        pytest.param("command -v python manage.py makemigrations", id="command-v"),
        pytest.param("heroku logs makemigrations", id="heroku-logs"),
        pytest.param("cat <<EOF\npython manage.py makemigrations\nEOF", id="cat-heredoc"),
    ),
)
def test_not_a_management_command_noop(text: str) -> None:
    assert management(text) == []


def test_offsets_map_through_nested_quotes() -> None:
    text = "ssh host 'bash -c \"python manage.py makemigrations\"'"
    [(sub, pos, remote)] = management(text)
    assert (sub, remote) == ("makemigrations", True)
    assert text[pos : pos + len(sub)] == sub


def test_offsets_map_through_escapes() -> None:
    text = 'sh -c "echo \\"x\\" && python manage.py makemigrations"'
    [(sub, pos, _)] = management(text)
    assert text[pos : pos + len(sub)] == "makemigrations"


def site(text: str, path: str = "deploy.sh") -> CommandSite:
    [found] = scripts.sites(path, text)
    return found


@pytest.mark.parametrize(
    "text",
    (
        pytest.param("python manage.py makemigrations --check\n", id="check"),
        pytest.param("python manage.py makemigrations --dry-run -v 3\n", id="dry-run"),
        pytest.param("python manage.py makemigrations --check --dry-run\n", id="both"),
        pytest.param("python manage.py showmigrations\n", id="showmigrations"),
        pytest.param("python manage.py squashmigrations app 0004\n", id="squash"),
        pytest.param("python manage.py migrate --noinput\n", id="migrate"),
        pytest.param("echo 'run makemigrations locally'\n", id="echo"),
        pytest.param("rm -rf */migrations/__pycache__\n", id="rm-pycache"),
        pytest.param("find . -path '*/migrations/*.pyc' -delete\n", id="find-pyc"),
        pytest.param("find . -path '*/migrations/*.py' -print\n", id="find-no-delete"),
    ),
)
def test_analyse_noop(text: str) -> None:
    assert _analyse.analyse(site(text))[0] == []


@pytest.mark.parametrize(
    ("text", "code", "word"),
    (
        pytest.param("python manage.py makemigrations\n", "DMH301", "makemigrations", id="plain"),
        pytest.param(
            "python manage.py makemigrations --noinput\n", "DMH301", "makemigrations", id="noinput"
        ),
        pytest.param(
            "python manage.py makemigrations --merge\n", "DMH301", "makemigrations", id="merge"
        ),
        pytest.param("rm -rf */migrations\n", "DMH302", "rm", id="rm"),
        pytest.param("sudo rm -f app/migrations/0*.py\n", "DMH302", "rm", id="rm-files"),
        pytest.param(
            "find . -path '*/migrations/*.py' -not -name __init__.py -delete\n",
            "DMH302",
            "find",
            id="find-delete",
        ),
        pytest.param(
            "find . -path '*/migrations/*' -exec rm {} +\n", "DMH302", "find", id="find-exec"
        ),
        pytest.param("python manage.py migrate --fake\n", "DMH303", "--fake", id="fake"),
        pytest.param(
            "python manage.py migrate --fake-initial\n",
            "DMH303",
            "--fake-initial",
            id="fake-initial",
        ),
    ),
)
def test_analyse_finding(text: str, code: str, word: str) -> None:
    [hit] = _analyse.analyse(site(text))[0]
    assert (hit.code, hit.word) == (code, word)


def test_locate_skips_comment_lines_and_earlier_mentions() -> None:
    text = (
        "#!/bin/sh\n"
        "# python manage.py makemigrations\n"
        "echo makemigrations; python manage.py makemigrations\n"
    )
    s = site(text)
    [hit] = _analyse.analyse(s)[0]
    assert _analyse.locate(text.splitlines(), s, hit) == (3, 39)


@pytest.mark.parametrize(
    ("path", "claimed", "dev"),
    (
        ("entrypoint.sh", True, False),
        ("scripts/reset_dev_db.sh", True, True),
        ("scripts/local/run.sh", True, True),
        ("bin/post_compile", True, False),
        (".platform/hooks/predeploy/01_migrate", True, False),
        ("bin/tool", False, False),
        ("README.md", False, False),
    ),
)
def test_shell_claims_and_dev_helpers(path: str, claimed: bool, dev: bool) -> None:
    assert scripts.claims(path) is claimed
    if claimed:
        assert site("x\n", path).dev is dev


def test_empty_script_has_no_sites() -> None:
    assert scripts.sites("a.sh", "") == []


HINT = "(fix: run makemigrations locally, commit the files, and only `migrate` here)"


def dmh301(path: str, line: int, col: int, where: str = "script", remote: bool = False) -> str:
    on = " on a remote host" if remote else ""
    return (
        f"{path}:{line}:{col}: DMH301 {where} runs `makemigrations`{on}, which writes migration "
        f"files on deploy {HINT}"
    )


@pytest.mark.parametrize(
    ("path", "text"),
    (
        pytest.param(
            "hook/django_migrate.sh",
            "#!/usr/bin/env bash\nset -o errexit\n"
            "if ! command python manage.py makemigrations --dry-run | grep 'No changes'; then\n"
            "    exit 1\nfi\n",
            id="dry-run-piped",
        ),
        pytest.param(
            "bin/release.sh",
            "#!/usr/bin/env bash\n"
            'echo "Migrations are created locally (python manage.py makemigrations)."\n'
            "python manage.py showmigrations --plan | tail -n 20\n"
            "python manage.py migrate --noinput  # never makemigrations here\n",
            id="echo-and-trailing-comment",
        ),
        pytest.param(
            "scripts/reset_dev_db.sh",
            "#!/bin/sh\nrm -f db.sqlite3\npython manage.py makemigrations\n",
            id="dev-helper-not-referenced",
        ),
        pytest.param(
            "docker/entrypoint.sh",
            "#!/bin/sh\ncat > /tmp/help.txt <<'EOF'\nrun python manage.py makemigrations locally\n"
            "EOF\nexec gunicorn a.wsgi\n",
            id="heredoc-to-cat",
        ),
    ),
)
def test_shell_noop(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (0, [], "")


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    (
        pytest.param(
            "deploy/stage_migrate.sh",
            "#!/bin/bash\nif ! python manage.py makemigrations --check ; then\n"
            "    python manage.py makemigrations\nfi\n",
            dmh301("deploy/stage_migrate.sh", 3, 22),
            id="check-then-write",
        ),
        pytest.param(
            ".platform/hooks/predeploy/migrations.sh",
            '#!/bin/bash\nif [[ "$EB_IS_COMMAND_LEADER" == "true" ]]; then\n'
            "    python manage.py makemigrations --noinput &&\n"
            "    python manage.py migrate --noinput\nfi\n",
            dmh301(
                ".platform/hooks/predeploy/migrations.sh", 3, 22, "Elastic Beanstalk platform hook"
            ),
            id="trailing-and-continues",
        ),
        pytest.param(
            "docker/entrypoint.sh",
            "#!/bin/sh\nif [ ! -f /app/.initialized ]; then\n"
            '  python manage.py makemigrations && touch /app/.initialized\nfi\nexec "$@"\n',
            dmh301("docker/entrypoint.sh", 3, 20),
            id="first-run-marker",
        ),
        pytest.param(
            "k8s/migrate.sh",
            "#!/usr/bin/env bash\nPOD=$(kubectl get pods -o name | head -1)\n"
            'kubectl exec -it "$POD" -- python3 manage.py makemigrations\n',
            dmh301("k8s/migrate.sh", 3, 46, remote=True),
            id="kubectl-exec",
        ),
        pytest.param(
            "deploy.sh",
            "#!/bin/sh\nssh deploy@prod <<'EOF'\ncd /srv/app\n"
            "python manage.py makemigrations\nEOF\n",
            dmh301("deploy.sh", 4, 18, remote=True),
            id="ssh-heredoc",
        ),
        pytest.param(
            "start.sh",
            '#!/bin/sh\ncase "$1" in\n  web)\n    python manage.py makemigrations ;;\n'
            '  *) exec "$@" ;;\nesac\n',
            dmh301("start.sh", 4, 22),
            id="case",
        ),
        pytest.param(
            "scripts/boot.bash",
            "#!/bin/bash\nmigrate() {\n  python manage.py makemigrations \\\n    --merge\n}\n"
            "migrate\n",
            dmh301("scripts/boot.bash", 3, 20),
            id="function-merge",
        ),
    ),
)
def test_shell_finding(
    git_repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, expected: str
) -> None:
    assert run_hook(git_repo, capsys, {path: text}) == (1, [expected], "")


NESTED = (
    "#!/bin/bash\n"
    "ssh deploy@host <<EOF\n"
    "cd /srv/shop\n"
    "sudo -su root <<EOC\n"
    "./manage.py makemigrations --noinput\n"
    "EOC\n"
    "EOF\n"
)


@pytest.mark.parametrize(
    ("text", "argv", "remote"),
    (
        pytest.param(NESTED, ["./manage.py", "makemigrations", "--noinput"], True, id="ssh-sudo"),
        pytest.param("sudo -i <<EOF\npython manage.py m\nEOF", ["manage.py", "m"], False, id="i"),
        pytest.param("su - app <<EOF\npython manage.py m\nEOF", ["manage.py", "m"], False, id="su"),
        pytest.param(
            "env $(cat .env | tr -d '\\r') python3 manage.py m", ["manage.py", "m"], False, id="env"
        ),
        pytest.param("env `cat .env` ./manage.py m", ["./manage.py", "m"], False, id="backquotes"),
        pytest.param("sudo -Hu app ./manage.py m", ["./manage.py", "m"], False, id="sudo-Hu"),
    ),
)
def test_unwrap_nested_heredocs_and_substitutions(text: str, argv: list[str], remote: bool) -> None:
    assert (argv, remote) in invoked(text)


@pytest.mark.parametrize(
    "text",
    (
        pytest.param(
            "ssh host <<EOF\nsudo -su root <<EOC\ncat <<'PY'\n"
            "./manage.py makemigrations\nPY\nEOC\nEOF\n",
            id="heredoc-printed-by-cat",
        ),
        pytest.param("sudo -u root <<EOC\n./manage.py makemigrations\nEOC\n", id="sudo-no-shell"),
        pytest.param(
            "env $(cat .env | xargs) python3 manage.py makemigrations --check\n", id="env-check"
        ),
    ),
)
def test_nested_heredoc_and_substitution_noop(text: str) -> None:
    assert _analyse.analyse(site(text))[0] == []


def test_nested_heredoc_located_in_file(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = NESTED + "env $(cat .env | tr -d '\\r') python3 manage.py makemigrations\n"
    assert run_hook(git_repo, capsys, {"deploy.sh": text}) == (
        1,
        [
            "deploy.sh:5:13: DMH301 script runs `makemigrations` on a remote host, which writes "
            "migration files on deploy (fix: run makemigrations locally, commit the files, and "
            "only `migrate` here)",
            "deploy.sh:8:48: DMH301 script runs `makemigrations`, which writes migration files on "
            "deploy (fix: run makemigrations locally, commit the files, and only `migrate` here)",
        ],
        "",
    )
