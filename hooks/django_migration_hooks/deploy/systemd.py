"""systemd units (`*.service`, and `*.service.j2` templates a role installs): the commands the
service manager runs on the server when it starts, reloads or stops the service.

`ExecStart=`, `ExecStartPre=`, `ExecStartPost=`, `ExecReload=` (and `ExecCondition=`,
`ExecStop=`, `ExecStopPost=`) in `[Service]`; the value's prefixes `-`, `@`, `+`, `!`, `!!`, `:`
are dropped (`@` also drops the argv[0] word that follows the program); a line ending in `\\`
continues on the next one. systemd splits the command itself, much like a shell: the value is
read as shell text, so each word keeps its position in the file.
"""

from __future__ import annotations

import os
import re

from django_migration_hooks.deploy._site import CommandSite

EXTENSIONS = (".service", ".service.j2", ".service.jinja2", ".service.in")
KEYS = frozenset(
    {"ExecStart", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecCondition"}
    | {"ExecStop", "ExecStopPost"}
)
_SETTING = re.compile(r"^[ \t]*(?P<key>[A-Za-z]+)[ \t]*=[ \t]*(?P<prefix>[-@+!:]*)[ \t]*")
_SECTION = re.compile(r"^[ \t]*\[(?P<name>[^]]+)\]")
_FIRST_WORD = re.compile(r"\S+[ \t]+")


def claims(path: str) -> bool:
    return path.endswith(EXTENSIONS)


def _logical_end(lines: list[str], i: int) -> int:
    """Index of the last physical line of the setting starting at lines[i]."""
    while lines[i].rstrip("\r").endswith("\\") and i + 1 < len(lines):
        i += 1
    return i


def sites(path: str, text: str) -> list[CommandSite]:
    unit = os.path.basename(path)
    lines = text.split("\n")
    found: list[CommandSite] = []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        end = _logical_end(lines, i)
        section_match = _SECTION.match(line)
        setting = _SETTING.match(line)
        if section_match is not None:
            section = section_match.group("name").strip()
        elif line.lstrip().startswith(("#", ";")) or setting is None:
            pass
        elif section == "Service" and setting.group("key") in KEYS:
            col = setting.end()
            body = "\n".join(lines[i : end + 1])[col:].replace("\r\n", "\n").rstrip("\r")
            if "@" in setting.group("prefix"):
                program = _FIRST_WORD.match(body)
                if program is not None:  # `@/usr/bin/python python3 manage.py ...`
                    second = _FIRST_WORD.match(body, program.end())
                    body = body[: program.end()] + (body[second.end() :] if second else "")
            found.append(
                CommandSite(
                    text=body,
                    argv=None,
                    line=i + 1,
                    col=col + 1,
                    end_line=end + 1,
                    context=f"systemd unit {unit} {setting.group('key')}",
                )
            )
        i = end + 1
    return found
