"""The runner's errors: their kind, a one-line message, where in the project, which missing
environment variable the settings wanted."""

from __future__ import annotations

import os
import re
import traceback

_ENV_PATTERNS = (
    # django-environ, python-decouple, hand-written checks
    re.compile(r"Set the (\w+) environment variable"),
    re.compile(r"(\w+) not found\. Declare it as envvar"),
    re.compile(
        r"environment variable ['\"]?(\w+)['\"]? (?:is )?(?:not set|missing|required)", re.I
    ),
)


class RunnerError(Exception):
    def __init__(self, kind: str, message: str, variable: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.variable = variable


def _last_line(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text.splitlines()[-1] if text else type(exc).__name__


def _missing_variable(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        name = exc.args[0]
        if re.fullmatch(r"[A-Z_][A-Z0-9_]*", name) and name not in os.environ:
            return name
    text = str(exc)
    for pattern in _ENV_PATTERNS:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return ""


def _user_frame(exc: BaseException, root: str) -> str:
    """'path:line' of the innermost traceback frame inside the project, if any."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{_rel(exc.filename, root)}:{exc.lineno or 1}"
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if _inside(filename, root):
            where = f"{_rel(filename, root)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _at(where: str) -> str:
    return f" at {where}" if where else ""


def _inside(path: str, root: str) -> bool:
    if path.startswith("<") or not os.path.exists(path):
        return False
    path = os.path.realpath(path)
    if any(part in ("site-packages", "dist-packages") for part in path.split(os.sep)):
        return False
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _rel(path: str, root: str) -> str:
    try:
        return os.path.relpath(os.path.realpath(path), root)
    except ValueError:
        return path
