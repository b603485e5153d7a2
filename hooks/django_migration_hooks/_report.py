"""Findings, output formats, noqa filtering and exit codes shared by every hook."""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from django_migration_hooks._config import Config

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

FORMATS = ("text", "json", "github")

# flake8's inline-suppression syntax: "noqa", "noqa: DMH301", "NOQA:DMH301,DMH302" after a "#".
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
    """Codes suppressed on a source line; an empty set means every code, None means none."""
    match = NOQA_RE.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return frozenset()
    return frozenset(c.upper() for c in re.split(r"[,\s]+", codes) if c)


def is_suppressed(finding: Finding, lines: Sequence[str]) -> bool:
    if not 1 <= finding.line <= len(lines):
        return False
    codes = noqa_codes(lines[finding.line - 1])
    return codes is not None and (not codes or finding.code in codes)


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


def format_findings(findings: Iterable[Finding], fmt: str) -> str:
    ordered = sorted(set(findings))
    if fmt == "json":
        return json.dumps([f._asdict() for f in ordered], indent=2)
    if fmt == "github":
        from django_migration_hooks import rules

        return "\n".join(
            f"::{rules.severity(f.code).value} file={_gh_property(f.path)},"
            f"line={f.line},col={f.col},title={f.code}::"
            f"{_gh(f.message + (f' (fix: {f.hint})' if f.hint else ''))}"
            for f in ordered
        )
    return "\n".join(f.text() for f in ordered)


def _gh(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    return _gh(value).replace(":", "%3A").replace(",", "%2C")


def report(findings: Iterable[Finding], fmt: str = "text") -> int:
    """Print findings to stdout and return the exit code."""
    found = list(findings)
    if fmt == "json" or found:
        print(format_findings(found, fmt))
    return EXIT_FINDINGS if found else EXIT_CLEAN


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="output format (default: %(default)s)",
    )


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
