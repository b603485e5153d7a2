"""Dockerfile / Containerfile: RUN (build), CMD and ENTRYPOINT (container start).

Shell and JSON (exec) forms, line continuations with the `# escape=` character, comment lines
inside continuations (Docker drops them), BuildKit heredocs (`RUN <<EOF ... EOF`), ONBUILD.
"""

from __future__ import annotations

import json
import os
import re

from django_migration_hooks.deploy._site import CommandSite

# A copy named for development (`Dockerfile.dev`) that starts the development
# server is developer-only: check-deploy-makemigrations marks its sites `dev`.
DEV_CONFIG = True
INSTRUCTIONS = frozenset({"RUN", "CMD", "ENTRYPOINT"})
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$")
_INSTRUCTION = re.compile(r"^(\s*)([A-Za-z]+)(\s+|$)")
_WORD = re.compile(r"(\s*)([A-Za-z]+)(\s+|$)")
_NOT_DOCKER = frozenset({"py", "md", "rst", "txt", "json", "yml", "yaml", "toml", "sh", "lock"})
_FLAG = re.compile(r"--[a-z-]+(=\S*)?\s+")
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})
_PYTHON = re.compile(r"python(\d+(\.\d+)?)?$")
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z0-9_]+)\2")


def claims(path: str) -> bool:
    name = os.path.basename(path)
    lower = name.lower()
    if lower.rsplit(".", 1)[-1] in _NOT_DOCKER:
        return False
    return (
        lower in ("dockerfile", "containerfile")
        or lower.startswith(("dockerfile.", "containerfile.", "dockerfile-", "dockerfile_"))
        or lower.startswith(("containerfile-", "containerfile_"))
        or lower.endswith((".dockerfile", ".containerfile"))
    )


def _escape_char(lines: list[str]) -> str:
    for line in lines:
        match = _DIRECTIVE.match(line.strip())
        if match is None:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("`", "\\"):
            return match.group(2)
    return "\\"


def sites(path: str, text: str) -> list[CommandSite]:
    lines = text.splitlines()
    escape = _escape_char(lines)
    found: list[CommandSite] = []
    i = 0
    while i < len(lines):
        instruction = _instruction(lines[i])
        if instruction is None:
            i += 1
            continue
        keyword, rest_col = instruction
        start = i
        parts, end = _logical_line(lines, i, rest_col, escape)
        i = end + 1
        if keyword not in INSTRUCTIONS:
            i = _skip_heredoc_bodies(lines, i, parts[0])
            continue
        command, col = _without_flags("\n".join(parts), rest_col + 1, keyword)
        context = f"Dockerfile {keyword}"
        heredocs = list(_HEREDOC.finditer(parts[0])) if keyword == "RUN" else []
        if heredocs:
            i, bodies = _heredoc_sites(lines, i, heredocs, command, (start, col, context))
            found.extend(bodies)
            continue
        site = _command_site(command, start, col, end, context)
        if site is not None:
            found.append(site)
    return found


def _instruction(line: str) -> tuple[str, int] | None:
    """(keyword, index after it) of an instruction line (`ONBUILD X`: X), else None."""
    match = _INSTRUCTION.match(line)
    if match is None or line.lstrip().startswith("#"):
        return None
    keyword = match.group(2).upper()
    rest_col = match.end()
    if keyword == "ONBUILD":
        inner = _WORD.match(line, rest_col)
        if inner is None:
            return None
        keyword = inner.group(2).upper()
        rest_col = inner.end()
    return keyword, rest_col


def _logical_line(lines: list[str], i: int, rest_col: int, escape: str) -> tuple[list[str], int]:
    """The instruction's arguments: physical lines joined while they end with the escape
    character (each continuation written `\\`); and the index of its last physical line."""
    line = lines[i]
    parts = [line[rest_col:]]
    continued = line.rstrip().endswith(escape)
    while continued and i + 1 < len(lines):
        parts[-1] = parts[-1].rstrip()[:-1] + "\\"
        i += 1
        nxt = lines[i]
        if nxt.lstrip().startswith("#") or not nxt.strip():
            parts.append("\\")  # dropped by Docker; keeps the continuation going
            continue
        parts.append(nxt)
        continued = nxt.rstrip().endswith(escape)
    return parts, i


def _skip_heredoc_bodies(lines: list[str], i: int, first: str) -> int:
    """Past the heredoc bodies of COPY/ADD, so their lines are not read as instructions."""
    delimiters = {m.group(3) for m in _HEREDOC.finditer(first)}
    for _ in _HEREDOC.finditer(first):
        while i < len(lines) and lines[i].strip() not in delimiters:
            i += 1
        i += 1
    return i


def _without_flags(command: str, col: int, keyword: str) -> tuple[str, int]:
    """`RUN --mount=... --network=... CMD`: CMD and its column."""
    flags = _FLAG.match(command) if keyword == "RUN" else None
    while flags is not None:
        col += flags.end()
        command = command[flags.end() :]
        flags = _FLAG.match(command)
    return command, col


def _heredoc_sites(
    lines: list[str],
    i: int,
    heredocs: list[re.Match[str]],
    command: str,
    where: tuple[int, int, str],
) -> tuple[int, list[CommandSite]]:
    """`RUN <<EOF` bodies from lines[i]: the index after them and the sites they hold."""
    start, col, context = where
    found = []
    for doc in heredocs:
        body_start = i
        while i < len(lines) and (
            lines[i].lstrip("\t") if doc.group(1) else lines[i]
        ).rstrip() != doc.group(3):
            i += 1
        body = "\n".join(lines[body_start:i])
        i += 1
        head = _HEREDOC.sub("", command.split("\n", 1)[0]).split()
        runs_body = not head or os.path.basename(head[0]) in _SHELLS
        if runs_body and body_start < i - 1:
            found.append(CommandSite(body, None, body_start + 1, 1, i - 1, context))
        elif len(heredocs) == 1 and _PYTHON.match(os.path.basename(head[0])):
            # `RUN python3 <<PY`: the shell reader hands the body to Python
            first = command.split("\n", 1)[0]
            text = "\n".join([first, *lines[body_start:i]])
            found.append(CommandSite(text, None, start + 1, col, i, context))
    return i, found


def _command_site(command: str, start: int, col: int, end: int, context: str) -> CommandSite | None:
    """A shell-form command, or an exec-form (JSON array) one; None when empty."""
    stripped = command.strip()
    if stripped.startswith("["):
        try:
            value = json.loads(stripped.replace("\\\n", ""))
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return CommandSite(None, tuple(value), start + 1, col, end + 1, context)
    if not stripped:
        return None
    return CommandSite(command, None, start + 1, col, end + 1, context)
