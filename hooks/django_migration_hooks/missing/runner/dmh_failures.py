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


# the repository (the hook's working directory): locations are shown relative to it
_repository: list[str] = []


def set_repository(path: str) -> None:
    _repository[:] = [os.path.realpath(path)]


def repository() -> str:
    return _repository[0] if _repository else ""


class RunnerError(Exception):
    def __init__(self, kind: str, message: str, variable: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.variable = variable


REASON_MAX = 500  # characters of an exception's message kept in the one-line error


def _reason(exc: BaseException) -> str:
    """`Type: message` on one line, the whole message (a multi-line one joined), so the line
    that says why is never lost; a SyntaxError's last line (its message, not the code)."""
    lines = traceback.format_exception_only(type(exc), exc)
    text = "".join(lines).strip()
    if not text:
        return type(exc).__name__
    if isinstance(exc, SyntaxError):
        return text.splitlines()[-1]
    reason = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return reason if len(reason) <= REASON_MAX else reason[: REASON_MAX - 3] + "..."


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
    """'path:line' of the innermost traceback frame inside the project (or the repository
    around it), if any; the path relative to the repository."""
    root = _repository[0] if _repository and _inside(root, _repository[0]) else root
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
