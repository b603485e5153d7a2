"""What every deploy-file reader yields: the commands a file executes, with their position."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class CommandSite(NamedTuple):
    """One command a file executes.

    `text` is a shell command line (shell form), or None when `argv` is given (exec form, e.g. a
    Dockerfile JSON array or a compose list). `line`/`col` (1-based) locate the first character of
    the command as written in the file; `lines` is the range of file lines it spans, so the word
    `makemigrations` can be located in the file as written. `context` names where it runs
    (e.g. "Procfile release", "Dockerfile RUN", "GitHub Actions job test").

    `dev` marks a command only a person runs by hand (a Makefile/justfile/Invoke target that no
    deploy target reaches, a dev-helper script): it counts only when it runs on a remote host or
    when a deploy config runs `unit` (the target, task or script name).
    """

    text: str | None
    argv: tuple[str, ...] | None
    line: int
    col: int
    end_line: int
    context: str
    dev: bool = False
    unit: str = ""


# a reader of one file kind: (path, text) -> the commands the file executes (None: empty)
Reader = Callable[[str, str], list[CommandSite | None]]
