"""Findings, output formats, noqa filtering and exit codes shared by every hook."""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from django_migration_hooks._config import Config

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

FORMATS = ("text", "json", "github", "sarif")

# flake8's inline-suppression syntax: "noqa: DMH301", "NOQA:DMH301,DMH302" after a hash sign.
# A bare noqa (often on a long model-field line, for the line length) silences no DMH code.
NOQA_RE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)


class Finding(NamedTuple):
    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""

    def text(self) -> str:
        hint = f" (fix: {self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}{hint}"


class HookError(Exception):
    """A usage or environment problem: one line on stderr, exit code 2."""


def noqa_codes(line: str) -> frozenset[str] | None:
    """Codes (or code prefixes) a `# noqa: ...` on a source line names; None when it names none."""
    match = NOQA_RE.search(line)
    if match is None or not match.group("codes"):
        return None
    return frozenset(c.upper() for c in re.split(r"[,\s]+", match.group("codes")) if c)


def is_suppressed(finding: Finding, lines: Sequence[str]) -> bool:
    if not 1 <= finding.line <= len(lines):
        return False
    codes = noqa_codes(lines[finding.line - 1])
    return codes is not None and finding.code.startswith(tuple(codes))


# paths in, their texts out (same order; None for a file that cannot be read)
Contents = Callable[[Sequence[str]], Iterable["str | bytes | None"]]


def unsuppressed(
    findings: Iterable[Finding], config: Config, contents: Contents | None = None
) -> list[Finding]:
    """The one suppression path of every hook: the configuration's `ignore` and `exclude`, then
    a `# noqa` on the finding's line, read through `contents` (None: the files have no comments)."""
    kept = config.keep(findings)
    if contents is None or not kept:
        return kept
    paths = sorted({f.path for f in kept})
    lines = {path: _lines(text) for path, text in zip(paths, contents(paths), strict=True)}
    return [f for f in kept if not is_suppressed(f, lines[f.path])]


def _lines(text: str | bytes | None) -> list[str]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text.splitlines() if text else []


def format_findings(
    findings: Iterable[Finding], fmt: str, fixable: Callable[[Finding], bool] | None = None
) -> str:
    from django_migration_hooks import rules

    ordered = sorted(set(findings))
    if fmt == "json":
        return json.dumps([_json(f) for f in ordered], indent=2)
    if fmt == "sarif":
        from django_migration_hooks._sarif import sarif

        return json.dumps(sarif(ordered), indent=2)
    if fmt == "github":
        return "\n".join(
            f"::{rules.severity(f.code).value} file={_gh_property(f.path)},"
            f"line={f.line},col={f.col},title={f.code}::"
            f"{_gh(f.message + (f' (fix: {f.hint})' if f.hint else ''))}"
            for f in ordered
        )
    paint = _painter()
    return "\n".join(paint(f) for f in ordered)


def _json(finding: Finding) -> dict[str, object]:
    from django_migration_hooks import rules

    rule = rules.get(finding.code)
    return {
        **finding._asdict(),
        "severity": rules.severity(finding.code).value,
        "url": rule.url if rule else None,
    }


def _gh(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    return _gh(value).replace(":", "%3A").replace(",", "%2C")


def use_colour() -> bool:
    """Colour on a terminal; NO_COLOR (any value) turns it off, FORCE_COLOR on."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _painter() -> Callable[[Finding], str]:
    if not use_colour():
        return Finding.text

    def paint(f: Finding) -> str:
        hint = f" \033[2m(fix: {f.hint})\033[0m" if f.hint else ""
        return (
            f"\033[1m{f.path}\033[0m:{f.line}:{f.col}: \033[1;31m{f.code}\033[0m {f.message}{hint}"
        )

    return paint


def summary(findings: Sequence[Finding], fixable: Callable[[Finding], bool] | None = None) -> str:
    """`3 findings in 2 files; 1 fixable with --fix`."""
    count, files = len(findings), len({f.path for f in findings})
    text = f"{count} finding{'s' * (count != 1)} in {files} file{'s' * (files != 1)}"
    fixes = sum(1 for f in findings if fixable(f)) if fixable else 0
    return f"{text}; {fixes} fixable with --fix" if fixes else text


def _chosen(code: str, select: frozenset[str] | None, ignore: frozenset[str] | None) -> bool:
    return (not select or code.startswith(tuple(select))) and not (
        ignore and code.startswith(tuple(ignore))
    )


def report(
    findings: Iterable[Finding],
    output: argparse.Namespace | str = "text",
    fixable: Callable[[Finding], bool] | None = None,
) -> int:
    """Print findings to stdout (the options of `_hook.add_output_arguments`); the exit code."""
    fmt = output if isinstance(output, str) else output.format
    select, ignore = getattr(output, "select", None), getattr(output, "ignore", None)
    found = sorted({f for f in findings if _chosen(f.code, select, ignore)})
    if fmt in ("json", "sarif") or found:
        print(format_findings(found, fmt, fixable))
    if fmt == "text" and found and use_colour():
        print(summary(found, fixable))
    if not found or getattr(output, "exit_zero", False):
        return EXIT_CLEAN
    return EXIT_FINDINGS


def error(prog: str, message: str) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def handles_errors(prog: str) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Turn HookError (and any unexpected crash) into one stderr line and exit code 2."""

    def decorate(func: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(func)
        def wrapper(*args: object, **kwargs: object) -> int:
            try:
                return func(*args, **kwargs)
            except HookError as exc:
                return error(prog, str(exc))
            except KeyboardInterrupt:
                return error(prog, "interrupted")
            except BrokenPipeError:
                # the reader went away (`... | head`): stop quietly, as coreutils do
                sys.stderr.close()
                return EXIT_ERROR
            except RecursionError:
                return error(prog, "input nested too deeply to analyse")
            except Exception as exc:  # pragma: no cover - last-resort guard
                return error(prog, f"internal error: {type(exc).__name__}: {exc}; please report")

        return wrapper

    return decorate
