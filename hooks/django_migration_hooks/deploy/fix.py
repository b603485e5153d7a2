"""`--fix` for check-deploy-makemigrations: take the `makemigrations` step (DMH301) or the
deletion of migration files (DMH302) out of a deploy file, leaving every other byte as it was.

A step is removed only where it is separable: one simple command joined to the others by `&&`,
`;` or a new line, at the top level of the command. Where the command is nothing but that step,
the thing holding it goes: a Dockerfile `RUN` instruction, a Procfile process, a systemd
`ExecStartPre=`-style line, a script or recipe line, a YAML list item or CI step. Anything else
(inside `if`, a loop, a `||` chain or a pipeline, a heredoc, a Python call, a setting that would
be left empty) is refused with the reason, and the file is left as it was."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import NamedTuple

from django_migration_hooks import shell
from django_migration_hooks._files import FileProblem
from django_migration_hooks._report import Finding
from django_migration_hooks.deploy import (
    _analyse,
    dockerfile,
    make,
    procfile,
    python,
    scripts,
    systemd,
)
from django_migration_hooks.deploy._site import CommandSite
from django_migration_hooks.deploy.readers import file_sites
from django_migration_hooks.rules import codes
from django_migration_hooks.shell.steps import Step, steps

FIXABLE = frozenset({codes.DMH301, codes.DMH302})
_INSIDE = {
    "if": "it runs inside `if`",
    "loop": "it runs inside a loop",
    "case": "it runs inside `case`",
    "subshell": "it runs inside a subshell `( )`",
    "group": "it runs inside a `{ }` group or function",
}
# keys a CI step may hold besides the command, for the step to go with it
_STEP_KEYS = frozenset(
    {"name", "id", "if", "env", "shell", "working-directory", "timeout-minutes"}
    | {"continue-on-error", "displayName", "condition", "workingDirectory"}
)
_COMMAND_KEYS = frozenset({"run", "script", "bash"})
_ITEM = re.compile(r"^(?P<indent>[ \t]*)-[ \t]+")
_KEY = re.compile(r"^(?P<indent>[ \t]*)(?:-[ \t]+)?(?P<key>[\w.-]+)[ \t]*:(?:[ \t]|$)")


class Refused(Exception):
    """Why a finding is not fixed (one line)."""


class Plan(NamedTuple):
    edits: list[tuple[int, int]]  # spans of the file's text to delete
    fixed: list[Finding]
    refused: list[tuple[Finding, str]]


class _File:
    """A file's text with its line starts (lines as str.splitlines() counts them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col - 1

    def body(self, index: int) -> str:
        """Line `index` (0-based) without its ending."""
        return self.lines[index].rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def lines_span(self, first: int, last: int) -> tuple[int, int]:
        """0-based first..last lines, endings included."""
        return self.starts[first], self.starts[min(last + 1, len(self.lines))]


def _site_of(
    sites: Iterable[CommandSite], lines: Sequence[str], finding: Finding
) -> tuple[CommandSite, _analyse.Hit] | None:
    for site in sites:
        if not site.line <= finding.line <= max(site.line, site.end_line):
            continue
        locator = _analyse.Locator(lines, site)
        for hit in _analyse.analyse(site)[0]:
            if hit.code == finding.code and locator.locate(hit) == (finding.line, finding.col):
                return site, hit
    return None


def _only_the_hit(text: str, code: str) -> bool:
    """text runs exactly one command, and it is the makemigrations / the deletion itself."""
    invocations = [inv for inv in shell.all_invocations(text) if inv.argv]
    if len(invocations) != 1:
        return False
    inv = invocations[0]
    if code == codes.DMH302:
        return _analyse._deletes_migrations(inv)
    mgmt = shell.management(inv)
    return mgmt is not None and mgmt.sub.value == "makemigrations"


def _step_of(text: str, offset: int, hit: _analyse.Hit) -> tuple[list[Step], int]:
    found = steps(text)
    for k, step in enumerate(found):
        if step.heredoc is not None and step.heredoc[0] <= offset < step.heredoc[1]:
            remote = " sent to a remote host" if hit.remote else ""
            raise Refused(f"it runs inside a heredoc{remote}")
        if step.start <= offset < step.end:
            return found, k
    raise Refused("it is not a separate step of the command")


def _within(text: str, hit: _analyse.Hit) -> tuple[int, int] | None:
    """The span of the site's text to delete; None when the step is the whole command."""
    found, k = _step_of(text, hit.offset, hit)
    step = found[k]
    if step.inside:
        raise Refused(_INSIDE[step.inside])
    if "||" in (step.before, step.after):
        raise Refused("it is part of a `||` chain")
    if step.before in ("|", "|&") or step.after in ("|", "|&"):
        raise Refused("it is part of a pipeline")
    if step.after == "&":
        raise Refused("it runs in the background")
    if not _only_the_hit(text[step.start : step.end], hit.code):
        nested = _in_shell_code(text, step, hit)
        if nested is not None:
            return nested
        where = "a command sent to a remote host" if hit.remote else "a larger command"
        raise Refused(f"it runs inside {where}")
    if len(found) == 1:
        return None
    if step.after in ("&&", ";") and k + 1 < len(found):
        return step.start, found[k + 1].start
    if step.before in ("&&", ";", "&"):
        return found[k - 1].end, step.end
    # alone on its line(s): the line goes, with its ending
    start = text.rfind("\n", 0, step.start) + 1
    end = text.find("\n", step.end)
    end = len(text) if end < 0 else end + 1
    if text[start : step.start].strip():
        raise Refused("it is not a separate step of the command")
    return start, end


def _in_shell_code(text: str, step: Step, hit: _analyse.Hit) -> tuple[int, int] | None:
    """`sh -c 'A && makemigrations && B'` (the step, run here): the span inside the code, when
    the code is written as is (no escapes); None when the step is not such a shell."""
    found = shell.commands(text[step.start : step.end])
    if len(found) != 1:
        return None  # `env $(cat .env) ...`: the substitution is a command of its own
    words = [w for w in found[0].words if not shell.names.ASSIGNMENT.match(w.value)]
    if words and shell.program(words[0].value) == "exec":
        words = words[1:]
    if len(words) < 3 or shell.program(words[0].value) not in shell.SHELLS:
        return None
    flag, code = words[-2], words[-1]
    if not (flag.value.startswith("-") and "c" in flag.value and not flag.value.startswith("--")):
        return None
    first = code.offsets[0] + step.start if code.offsets else -1
    if tuple(code.offsets) != tuple(range(code.offsets[0], code.offsets[0] + len(code.value))):
        raise Refused("it runs inside quoted shell code with escapes")
    if not first <= hit.offset < first + len(code.value):
        return None
    inner = _within(code.value, hit._replace(offset=hit.offset - first))
    if inner is None:
        return None  # the code is only the step: the whole `sh -c` goes, as one step
    return first + inner[0], first + inner[1]


def _verbatim(file: _File, site: CommandSite) -> list[int]:
    """Where each character of the site's text (and its end) is in the file, when the file
    holds the text as written (its line endings may be CRLF where the reader saw LF)."""
    assert site.text is not None
    normal = site.text
    base = file.offset(site.line, site.col)
    for start in (base, base + 1):  # the value may open with a quote
        if file.text.startswith(normal, start):
            return list(range(start, start + len(normal) + 1))
        positions: list[int] = []
        at = start
        for char in normal:
            if char == "\n" and file.text.startswith("\r\n", at):
                at += 1
            if file.text[at : at + 1] != char:
                break
            positions.append(at)
            at += 1
        else:
            return [*positions, at]
    block = _block_positions(file, site)
    if block is None:
        raise Refused("the command is not written as one plain piece in the file (quoted, folded?)")
    return block


def _block_positions(file: _File, site: CommandSite) -> list[int] | None:
    """A YAML block scalar (`run: |`): each line of the text is a file line past its indent."""
    assert site.text is not None
    positions: list[int] = []
    parts = site.text.split("\n")
    for j, part in enumerate(parts):
        index = site.line - 1 + j
        if j and j == len(parts) - 1 and not part:  # the text ends with its last line
            positions.append(file.starts[min(index, len(file.lines))])
            break
        if index >= len(file.lines):
            return None
        body = file.body(index)
        if j == 0:
            start = site.col - 1
            if body[start:] != part:
                return None
        elif part and (not body.endswith(part) or body[: len(body) - len(part)].strip()):
            return None
        else:
            start = len(body) - len(part) if part else len(body)
        base = file.starts[index] + start
        positions.extend(range(base, base + len(part)))
        positions.append(file.starts[index] + len(body))  # the line's ending
    return positions


def _whole(file: _File, site: CommandSite, reader: ModuleType) -> tuple[int, int]:
    """The span holding a command that is nothing but the step: its instruction, line or item."""
    first, last = site.line - 1, max(site.end_line, site.line) - 1
    before = file.body(first)[: site.col - 1]
    if reader is dockerfile:
        if site.context != "Dockerfile RUN" or not re.match(r"^\s*RUN\s", before, re.I):
            raise Refused(f"it is the whole {site.context} instruction; only RUN is removed")
        return file.lines_span(first, last)
    if reader is systemd:
        if site.context.endswith(" ExecStart"):
            raise Refused("it is the service's main command (ExecStart)")
        return file.lines_span(first, last)
    if reader is procfile:
        return file.lines_span(first, last)
    if reader in (scripts, make):
        if before.strip(" \t@-+"):
            raise Refused("it is not alone on its line")
        return file.lines_span(first, last)
    if reader is python:
        raise Refused("it is a Python call")
    yaml_item = _yaml_item(file, site)
    if yaml_item is None:
        raise Refused("the setting would be left with no command; remove it by hand")
    return yaml_item


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _yaml_item(file: _File, site: CommandSite) -> tuple[int, int] | None:
    """The lines of the YAML list item that holds the command: the item itself (`- CMD`), or a
    CI step (`- run: CMD` with only a name, env, ...); None when the command is not one."""
    first = site.line - 1
    line = file.body(first)
    item = _ITEM.match(line)
    start: int | None = first  # `- python manage.py makemigrations`
    if item is None or site.col - 1 not in (item.end(), item.end() + 1):
        key_line = _key_line(file, first, site.col)
        start = None if key_line is None else _step_start(file, key_line)
    if start is None:
        return None
    dash = _indent(file.body(start))
    end = start
    for k in range(start + 1, len(file.lines)):
        body = file.body(k)
        if _content(body) and _indent(body) <= dash:
            break
        if _content(body):
            end = k
    if start != first and not _only_step_keys(file, start, end):
        return None
    if not _has_sibling(file, start, end, dash):
        raise Refused("it is the only item of its list; remove the list by hand")
    return file.lines_span(start, end)


def _key_line(file: _File, first: int, col: int) -> int | None:
    """The line of the `run:`-style key whose value starts at (first, col)."""
    key = _KEY.match(file.body(first)[: col - 1])
    if key is not None and key.group("key") in _COMMAND_KEYS:
        return first
    for k in range(first - 1, -1, -1):  # a block scalar: the key is above, less indented
        body = file.body(k)
        if not _content(body):
            continue
        key = _KEY.match(body)
        block = re.search(r":[ \t]*[|>][-+0-9]*[ \t]*(#.*)?$", body)
        ok = key is not None and key.group("key") in _COMMAND_KEYS and block is not None
        return k if ok and _indent(body) < _indent(file.body(first)) else None
    return None


def _step_start(file: _File, key_line: int) -> int | None:
    body = file.body(key_line)
    if _ITEM.match(body):
        return key_line
    indent = _indent(body)
    for k in range(key_line - 1, -1, -1):
        above = file.body(k)
        if not _content(above):
            continue
        item = _ITEM.match(above)
        if item is not None and item.end() == indent:
            return k
        if _indent(above) < indent:
            return None
    return None


def _only_step_keys(file: _File, start: int, end: int) -> bool:
    key_indent = _ITEM.match(file.body(start))
    assert key_indent is not None
    for k in range(start, end + 1):
        body = file.body(k)
        key = _KEY.match(body)
        at_key = k == start or _indent(body) == key_indent.end()
        if key is not None and at_key and key.group("key") not in _STEP_KEYS | _COMMAND_KEYS:
            return False
    return True


def _has_sibling(file: _File, start: int, end: int, dash: int) -> bool:
    for k in (*range(end + 1, len(file.lines)), *range(start - 1, -1, -1)):
        body = file.body(k)
        if _content(body):
            if _indent(body) == dash and _ITEM.match(body):
                return True
            if _indent(body) <= dash:
                if k > end:
                    continue  # the list ends below; look above
                return False
    return False


def _span(file: _File, site: CommandSite, hit: _analyse.Hit, reader: ModuleType) -> tuple[int, int]:
    if reader is python or hit.offset < 0:
        raise Refused("it is a Python call")
    if site.text is None:
        if not _only_the_hit(" ".join(shell_quote(a) for a in site.argv or ()), hit.code):
            raise Refused("it is part of a longer exec-form command")
        return _whole(file, site, reader)
    within = _within(site.text, hit)
    if within is None:
        return _whole(file, site, reader)
    positions = _verbatim(file, site)
    start, end = positions[within[0]], positions[within[1]]
    first, last = file.line_of(start), file.line_of(end)
    blank_before = not file.text[file.starts[first] : start].strip()
    if blank_before and last > first and not file.text[file.starts[last] : end].strip():
        return file.starts[first], file.starts[last]  # whole lines, indentation included
    return start, end


def shell_quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'" if re.search(r"[^\w@%+=:,./-]", word) else word


def plan(path: str, text: str, reader: ModuleType, findings: Iterable[Finding]) -> Plan:
    """What --fix would delete from one file's text for findings (of that file)."""
    file = _File(text)
    lines = text.splitlines()
    sites = file_sites(path, text, reader)
    result = Plan([], [], [])
    for finding in findings:
        if finding.code not in FIXABLE:
            continue
        try:
            found = _site_of(sites, lines, finding)
            if found is None:
                raise Refused("the command could not be found again")
            span = _span(file, found[0], found[1], reader)
        except Refused as why:
            result.refused.append((finding, str(why)))
            continue
        if any(s < span[1] and span[0] < e for s, e in result.edits):
            continue  # the same step, reached twice
        result.edits.append(span)
        result.fixed.append(finding)
    if result.edits:
        try:
            file_sites(path, apply(text, result.edits), reader)  # still parses
        except FileProblem:
            refused = [(f, "the file would no longer parse") for f in result.fixed]
            return Plan([], [], result.refused + refused)
    return result


def apply(text: str, edits: Iterable[tuple[int, int]]) -> str:
    for start, end in sorted(edits, reverse=True):
        text = text[:start] + text[end:]
    return text
