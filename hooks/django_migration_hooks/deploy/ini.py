"""INI-style process configs: supervisord programs and uWSGI hooks.

supervisord (`supervisord.conf`, `*.conf` under `supervisor/`/`supervisord/`/`conf.d/`):
`[program:x]`, `[fcgi-program:x]`, `[eventlistener:x]` `command=` (continuation lines included).
uWSGI (`*.ini`, `[uwsgi]` section): `exec-*` options (`exec-asap`, `exec-pre-app`,
`exec-as-root`, ...), `hook-*` options with an `exec:` action, `attach-daemon`,
`smart-attach-daemon` (after the pid file), and `cron` (after the five time fields). Repeated
keys all count (uWSGI runs each); values are read raw, without `%(...)` interpolation.

The raw text is scanned line by line (configparser would lose line numbers and reject duplicates);
comments are lines starting with `;` or `#`; in supervisord ` ;` also starts an inline comment
and indented lines continue a value (as configparser reads them), in uWSGI neither.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from django_migration_hooks.deploy._site import CommandSite

_SECTION = re.compile(r"^\s*\[\s*(?P<name>[^\]]+?)\s*\]")
_OPTION = re.compile(r"^\s*(?P<key>[^=:\s;#][^=:]*?)\s*[=:]\s*")
_SUPERVISOR_DIRS = frozenset({"supervisor", "supervisord", "conf.d", "supervisor.d"})
_SUPERVISOR_SECTIONS = re.compile(r"^(program|fcgi-program|eventlistener):")
_UWSGI_ATTACH = frozenset({"attach-daemon", "attach-daemon-as-root", "attach-control-daemon"})
_UWSGI_SMART = re.compile(r"^(legion-)?smart-attach-daemon(-as-root)?$")
_UWSGI_CRON = frozenset({"cron", "unique-cron", "cron-harakiri"})


class _Option(NamedTuple):
    section: str
    key: str
    value: str
    line: int
    col: int  # 1-based column of the value's first character
    end_line: int


def claims(path: str) -> bool:
    if path[-4:] == ".ini":
        return True
    if path[-5:] != ".conf":
        return False
    directory, _, base = path.rpartition("/")
    return "supervisor" in base or directory.rpartition("/")[2] in _SUPERVISOR_DIRS


def sites(path: str, text: str) -> list[CommandSite]:
    found: list[CommandSite] = []
    for option in _options(text):
        if _SUPERVISOR_SECTIONS.match(option.section) and option.key == "command":
            found.append(_site(option, 0, f"supervisord [{option.section}] command"))
        elif option.section == "uwsgi":
            skip = _uwsgi_command(option.key, option.value)
            if skip is not None:
                found.append(_site(option, skip, f"uWSGI {option.key}"))
    return [site for site in found if site.text]


def _site(option: _Option, skip: int, context: str) -> CommandSite:
    text = option.value[skip:]
    stripped = text.lstrip()
    col = option.col + skip + len(text) - len(stripped)
    return CommandSite(stripped, None, option.line, col, option.end_line, context)


def _uwsgi_command(key: str, value: str) -> int | None:
    """How many characters of the value come before the command, or None if it runs none."""
    if key.startswith("exec-"):
        return 0
    if key.startswith("hook-") or key in ("hook", "hook-as-root"):
        match = re.match(r"\s*exec\s*:", value)
        return match.end() if match else None
    if key in _UWSGI_ATTACH:
        return 0
    if _UWSGI_SMART.match(key):  # smart-attach-daemon = <pidfile> <command>
        match = re.match(r"\s*\S+\s+", value)
        return match.end() if match else None
    if key in _UWSGI_CRON:  # cron = <min> <hour> <mday> <month> <wday> <command>
        match = re.match(r"\s*(?:\S+\s+){5}", value)
        return match.end() if match else None
    return None


def _options(text: str) -> Iterator[_Option]:
    section = ""
    current: _Option | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in ";#":
            continue
        if current is not None and line[:1] in " \t" and current.section != "uwsgi":
            # configparser (supervisord) continues a value on indented lines; uWSGI does not
            current = current._replace(
                value=f"{current.value}\n{_uncomment(stripped)}", end_line=number
            )
            continue
        if current is not None:
            yield current
            current = None
        section_match = _SECTION.match(line)
        if section_match:
            section = section_match.group("name")
            continue
        option_match = _OPTION.match(line)
        if option_match:
            value = line[option_match.end() :]
            value = value.rstrip() if section == "uwsgi" else _uncomment(value)
            key = option_match.group("key").strip()
            current = _Option(section, key, value, number, option_match.end() + 1, number)
    if current is not None:
        yield current


def _uncomment(value: str) -> str:
    """supervisord's inline comments start with whitespace then `;`."""
    match = re.search(r"\s;", value)
    return (value[: match.start()] if match else value).rstrip()
