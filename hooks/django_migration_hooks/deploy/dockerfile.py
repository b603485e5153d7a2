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
        line = lines[i]
        match = _INSTRUCTION.match(line)
        if match is None or line.lstrip().startswith("#"):
            i += 1
            continue
        keyword = match.group(2).upper()
        rest_col = match.end()
        if keyword == "ONBUILD":
            inner = _WORD.match(line, rest_col)
            if inner is None:
                i += 1
                continue
            keyword = inner.group(2).upper()
            rest_col = inner.end()
        start = i
        # the logical line: physical lines joined while they end with the escape character
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
        end = i
        i += 1
        if keyword not in INSTRUCTIONS:
            # skip heredoc bodies of COPY/ADD so their lines are not read as instructions
            for _ in _HEREDOC.finditer(parts[0]):
                while i < len(lines) and lines[i].strip() not in {
                    m.group(3) for m in _HEREDOC.finditer(parts[0])
                }:
                    i += 1
                i += 1
            continue
        command = "\n".join(parts)
        col = rest_col + 1
        flags = _FLAG.match(command) if keyword == "RUN" else None
        while flags is not None:
            col += flags.end()
            command = command[flags.end() :]
            flags = _FLAG.match(command)
        context = f"Dockerfile {keyword}"
        heredocs = list(_HEREDOC.finditer(parts[0])) if keyword == "RUN" else []
        if heredocs:
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
            continue
        stripped = command.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped.replace("\\\n", ""))
            except ValueError:
                value = None
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                found.append(CommandSite(None, tuple(value), start + 1, col, end + 1, context))
                continue
        if not stripped:
            continue
        found.append(CommandSite(command, None, start + 1, col, end + 1, context))
    return found
