"""Output options every hook and `check` share: formats, --select/--ignore/--exit-zero, colour,
the summary line, --version and one-line usage errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from django_migration_hooks import check_deploy_makemigrations as deploy
from django_migration_hooks import cli
from django_migration_hooks._report import Finding, summary
from tests.conftest import ROOT, git, git_commit, write

PROCFILE = "release: python manage.py makemigrations && python manage.py migrate --fake\n"
MIGRATE = "Procfile:1:27: DMH301"
FAKE = "Procfile:1:70: DMH303"
SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture
def procfile(git_repo: Path) -> Path:
    write(git_repo, {"Procfile": PROCFILE})
    git(git_repo, "add", "Procfile")
    return git_repo


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = deploy.main([*argv, "Procfile"])
    out, err = capsys.readouterr()
    return code, [" ".join(line.split(" ", 2)[:2]) for line in out.splitlines()], err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param((), (1, [MIGRATE, FAKE]), id="all"),
        pytest.param(("--select", "DMH301"), (1, [MIGRATE]), id="select-one"),
        pytest.param(("--select", "dmh30"), (1, [MIGRATE, FAKE]), id="select-prefix"),
        pytest.param(("--ignore", "DMH301,DMH303"), (0, []), id="ignore-list"),
        pytest.param(("--select", "DMH3", "--ignore", "DMH303"), (1, [MIGRATE]), id="both"),
        pytest.param(("--exit-zero",), (0, [MIGRATE, FAKE]), id="exit-zero"),
    ],
)
def test_select_ignore_exit_zero(
    procfile: Path,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    expected: tuple[int, list[str]],
) -> None:
    assert run(capsys, *argv) == (*expected, "")


def test_unknown_code_is_a_one_line_usage_error(
    procfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        deploy.main(["--select", "DMH999", "Procfile"])
    assert exc.value.code == 2
    assert capsys.readouterr() == (
        "",
        "check-deploy-makemigrations: error: argument --select: unknown code DMH999 (see --help)\n",
    )


def test_unknown_option_is_one_line(procfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        deploy.main(["--no-such-option"])
    assert exc.value.code == 2
    assert capsys.readouterr() == (
        "",
        "check-deploy-makemigrations: error: unrecognized arguments: --no-such-option "
        "(see --help)\n",
    )


def test_version_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        deploy.main(["--version"])
    assert exc.value.code == 0
    out, err = capsys.readouterr()
    assert (out.startswith("check-deploy-makemigrations "), err) == (True, "")


def test_colour_and_summary_when_forced(
    procfile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert deploy.main(["--select", "DMH301", "Procfile"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        "\033[1mProcfile\033[0m:1:27: \033[1;31mDMH301\033[0m Procfile process"
    )
    assert out[1:] == ["1 finding in 1 file; 1 fixable with --fix"]


def test_no_color_wins(
    procfile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    assert deploy.main(["--select", "DMH301", "Procfile"]) == 1
    assert capsys.readouterr().out.startswith(MIGRATE)


def test_summary_counts_files_and_fixes() -> None:
    one = Finding("a", 1, 1, "DMH201", "m")
    two = Finding("b", 1, 1, "DMH204", "m")
    assert summary([one, two, one._replace(line=2)], lambda f: f.code == "DMH201") == (
        "3 findings in 2 files; 2 fixable with --fix"
    )
    assert summary([two]) == "1 finding in 1 file"


def sarif_of(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code = deploy.main(["--format", "sarif", *argv, "Procfile"])
    out = capsys.readouterr().out
    assert code == 1
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.skipif(not SCHEMA.is_file(), reason="../shared/schemas holds no SARIF schema")
def test_sarif_validates_against_the_official_schema(
    procfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import jsonschema

    data = sarif_of(capsys)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(data)


def test_sarif_results_and_rule_metadata(
    procfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (run_,) = sarif_of(capsys)["runs"]
    rules = {rule["id"]: rule for rule in run_["tool"]["driver"]["rules"]}
    results = [
        (r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"])
        for r in run_["results"]
    ]
    assert results == [
        ("DMH301", "error", {"startLine": 1, "startColumn": 27}),
        ("DMH303", "warning", {"startLine": 1, "startColumn": 70}),
    ]
    assert rules["DMH301"]["helpUri"].endswith("/docs/rules/DMH301.md")
    assert rules["DMH303"]["defaultConfiguration"] == {"level": "warning"}


def test_check_takes_the_same_output_options(
    procfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git_commit(procfile)
    assert cli.main(["check", "--select", "DMH303", "--exit-zero", "."]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" ")[1] for line in out] == ["DMH303"]
