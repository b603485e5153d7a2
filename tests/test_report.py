from __future__ import annotations

import json

import pytest

from django_migration_hooks._report import (
    Finding,
    HookError,
    format_findings,
    handles_errors,
    is_suppressed,
    noqa_codes,
    report,
)

A = Finding("b/Procfile", 2, 10, "DMH301", "`makemigrations` runs on release", "remove it")
B = Finding("a/Dockerfile", 7, 5, "DMH301", "`makemigrations` runs at build")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("release: x  # noqa", None, id="bare-names-no-code"),
        pytest.param("x # noqa: DMH3", frozenset({"DMH3"}), id="prefix"),
        pytest.param("x # noqa: DMH301", frozenset({"DMH301"}), id="one-code"),
        pytest.param("x # NOQA:dmh301,DMH302", frozenset({"DMH301", "DMH302"}), id="upper-list"),
        pytest.param("x # noqa: DMH301 DMH303", frozenset({"DMH301", "DMH303"}), id="spaces"),
        pytest.param("x # no qa", None, id="not-noqa"),
        pytest.param("x", None, id="plain"),
    ],
)
def test_noqa_codes(line: str, expected: frozenset[str] | None) -> None:
    assert noqa_codes(line) == expected


@pytest.mark.parametrize(
    ("line", "suppressed"),
    [
        ("web: x # noqa", False),
        ("web: x # noqa: E501", False),
        ("web: x # noqa: DMH301", True),
        ("web: x # noqa: DMH3", True),
        ("web: x # noqa:E501,DMH301", True),
        ("web: x # noqa: DMH302", False),
        ("web: x", False),
    ],
)
def test_is_suppressed(line: str, suppressed: bool) -> None:
    finding = Finding("Procfile", 2, 1, "DMH301", "m")
    assert is_suppressed(finding, ["first", line]) is suppressed


def test_is_suppressed_line_out_of_range_not_suppressed() -> None:
    assert not is_suppressed(Finding("x", 3, 1, "DMH301", "m"), ["# noqa"])


def test_text_format_sorted_with_hint() -> None:
    assert format_findings([A, B, A], "text") == (
        "a/Dockerfile:7:5: DMH301 `makemigrations` runs at build\n"
        "b/Procfile:2:10: DMH301 `makemigrations` runs on release (fix: remove it)"
    )


def test_json_format() -> None:
    assert json.loads(format_findings([A], "json")) == [
        {
            "path": "b/Procfile",
            "line": 2,
            "col": 10,
            "code": "DMH301",
            "message": "`makemigrations` runs on release",
            "hint": "remove it",
            "severity": "error",
            "url": "https://github.com/django-migration-hooks/django-migration-hooks/blob/main/docs/rules/DMH301.md",
        }
    ]


def test_github_format_escapes() -> None:
    finding = Finding("a b/x,y:z", 1, 1, "DMH205", "100% new\nline")
    assert format_findings([finding], "github") == (
        "::error file=a b/x%2Cy%3Az,line=1,col=1,title=DMH205::100%25 new%0Aline"
    )


def test_github_format_warning_rule() -> None:
    finding = Finding("Procfile", 1, 31, "DMH303", "fake")
    assert format_findings([finding], "github") == (
        "::warning file=Procfile,line=1,col=31,title=DMH303::fake"
    )


def test_report_clean_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert report([], "text") == 0
    assert capsys.readouterr().out == ""


def test_report_clean_json_prints_empty_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert report([], "json") == 0
    assert capsys.readouterr().out == "[]\n"


def test_report_findings_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert report([B], "text") == 1
    assert capsys.readouterr().out == "a/Dockerfile:7:5: DMH301 `makemigrations` runs at build\n"


def test_handles_errors_hook_error_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    @handles_errors("some-hook")
    def main() -> int:
        raise HookError("settings not found; pass --settings")

    assert main() == 2
    captured = capsys.readouterr()
    assert captured.err == "some-hook: error: settings not found; pass --settings\n"
    assert captured.out == ""


def test_handles_errors_recursion_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    @handles_errors("some-hook")
    def main() -> int:
        raise RecursionError

    assert main() == 2
    assert capsys.readouterr().err == "some-hook: error: input nested too deeply to analyse\n"
