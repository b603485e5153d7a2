"""One CommandSite -> what it really runs: makemigrations that writes, deleted migrations,
faked migrations, and the scripts/targets it hands over to (so those count as deploy code too)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from django_migration_hooks import shell
from django_migration_hooks.deploy._site import CommandSite
from django_migration_hooks.rules import codes
from django_migration_hooks.shell import Invocation, Word

MAKEMIGRATIONS = codes.DMH301
DELETES = codes.DMH302
FAKES = codes.DMH303

# makemigrations flags that make it write nothing
READ_ONLY_FLAGS = frozenset({"--check", "--dry-run", "--check-changes"})
_MIGRATIONS_PATH = re.compile(r"(^|[/*])migrations(/|$)")
_BYTECODE_ONLY = re.compile(r"(__pycache__|\.py[co]\*?$|\*\.py[co])")


class Hit(NamedTuple):
    code: str
    word: str  # the word as the file spells it at the reported position
    offset: int  # where that word starts in site_source(site); -1 when unknown
    remote: bool
    detail: str  # the command, for the message


class Reference(NamedTuple):
    tool: str  # "script", "make", "just", "invoke"
    name: str


def site_source(site: CommandSite) -> str:
    if site.text is not None:
        return site.text
    return "\0".join(site.argv or ())


def site_words(site: CommandSite) -> list[Word]:
    words: list[Word] = []
    pos = 0
    for arg in site.argv or ():
        words.append(Word(arg, tuple(range(pos, pos + len(arg))), pos))
        pos += len(arg) + 1
    return words


def invocations(site: CommandSite) -> Iterator[Invocation]:
    if site.text is not None:
        yield from shell.all_invocations(site.text)
    elif site.argv:
        yield from shell.invocations_of_argv(site_words(site))


def _flag(args: Sequence[Word], names: frozenset[str]) -> Word | None:
    for word in args:
        value = word.value.split("=", 1)[0]
        if value in names:
            return word
    return None


# makemigrations' options: argparse accepts any unambiguous prefix (`--dry`, `--che`)
MAKEMIGRATIONS_OPTIONS = (
    "--dry-run",
    "--merge",
    "--empty",
    "--noinput",
    "--no-input",
    "--name",
    "--no-header",
    "--check",
    "--scriptable",
    "--update",
    "--verbosity",
    "--settings",
    "--pythonpath",
    "--traceback",
    "--no-color",
    "--force-color",
    "--skip-checks",
    "--help",
    "--version",
)


def _read_only(args: Sequence[Word]) -> bool:
    """A flag that makes makemigrations write nothing, as written or abbreviated."""
    for word in args:
        value = word.value.split("=", 1)[0]
        if value in READ_ONLY_FLAGS:
            return True
        if value.startswith("--") and len(value) > 2:
            matches = [o for o in MAKEMIGRATIONS_OPTIONS if o.startswith(value)]
            if len(matches) == 1 and matches[0] in READ_ONLY_FLAGS:
                return True
    return False


def _shell_code(args: Sequence[Word]) -> Word | None:
    for k, word in enumerate(args):
        if word.value in ("-c", "--command") and k + 1 < len(args):
            return args[k + 1]
        if word.value.startswith("--command="):
            return Word(word.value[10:], word.offsets[10:], word.start)
    return None


def _shown(inv: Invocation) -> str:
    return " ".join(w.value for w in inv.argv[:4])


# Paths outside any project: scratch space a build may clean freely.
_SCRATCH = re.compile(r"^(/tmp|/var/tmp|/dev/shm|/private/tmp|\$\{?TMPDIR\}?)(/|$)")
_FIND_TESTS = frozenset({"-path", "-wholename", "-ipath", "-iwholename", "-regex", "-iregex"})
_FIND_TESTS |= {"-name", "-iname"}
_XARGS_VALUES = frozenset({"-I", "-i", "-n", "-P", "-L", "-l", "-d", "-E", "-e", "-s", "-a"})
_XARGS_VALUES |= {"--max-args", "--max-procs", "--max-lines", "--delimiter", "--arg-file"}
_XARGS_VALUES |= {"--replace", "--eof", "--max-chars"}


def _project_path(path: str) -> bool:
    return _SCRATCH.match(path) is None


def _find_matches_migrations(args: Sequence[str]) -> bool:
    """`find` arguments that select migration files (not only bytecode, not scratch space).

    Alternatives (`-o`) are read apart: a `-name '*.pyc'` in one does not make another one
    harmless; a negated test (`-not -name __init__.py`) never narrows to bytecode."""
    first_option = next((i for i, a in enumerate(args) if a.startswith(("-", "!", "("))), len(args))
    starts = [a for a in args[:first_option] if _project_path(a)]
    if not starts and first_option:
        return False  # every starting point is scratch space
    alternative: list[tuple[str, bool]] = []  # (pattern, negated)
    alternatives = [alternative]
    negate = False
    i = first_option
    while i < len(args):
        a = args[i]
        if a in ("-o", "-or"):
            alternative = []
            alternatives.append(alternative)
        elif a in ("-not", "!"):
            negate = True
            i += 1
            continue
        elif a in _FIND_TESTS and i + 1 < len(args):
            alternative.append((args[i + 1], negate))
            i += 1
        negate = False
        i += 1
    in_start = any("migrations" in s for s in starts)
    for tests in alternatives:
        positive = [p for p, negated in tests if not negated]
        mentions = in_start or any("migrations" in p for p in positive)
        if mentions and not any(_BYTECODE_ONLY.search(p) for p in positive):
            return True
    return False


def _xargs_rm(inv: Invocation) -> Word | None:
    """`xargs [options] rm ...`: the `rm` word."""
    argv = inv.argv
    if shell.program(argv[0].value) != "xargs":
        return None
    j = 1
    while j < len(argv) and argv[j].value.startswith("-"):
        j += 2 if argv[j].value in _XARGS_VALUES else 1
    if j < len(argv) and shell.program(argv[j].value) in ("rm", "unlink"):
        return argv[j]
    return None


def _deletes_migrations(inv: Invocation) -> bool:
    argv = inv.argv
    name = shell.program(argv[0].value)
    args = [w.value for w in argv[1:]]
    if name == "rm":
        targets = [a for a in args if not a.startswith("-") and _project_path(a)]
        return any(_MIGRATIONS_PATH.search(a) and not _BYTECODE_ONLY.search(a) for a in targets)
    if name == "find":
        deleting = "-delete" in args or any(
            a in ("-exec", "-execdir") and i + 1 < len(args) and shell.program(args[i + 1]) == "rm"
            for i, a in enumerate(args)
        )
        return deleting and _find_matches_migrations(args)
    return False


def _finds_migrations(inv: Invocation) -> bool:
    """`find` selecting migration files without deleting them (its output may go to rm)."""
    return shell.program(inv.argv[0].value) == "find" and _find_matches_migrations(
        [w.value for w in inv.argv[1:]]
    )


def _python_code(code: Word, remote: bool) -> list[Hit]:
    """Hits of `python -c CODE`, mapped back through the word's offsets."""
    from django_migration_hooks.deploy import (
        python,  # the Python reader; imported here only when needed
    )

    lines = code.value.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    hits = []
    for site in python.sites("<python -c>", code.value):
        for hit in analyse(site)[0]:
            start = starts[site.line - 1] + site.col - 1 if site.line <= len(starts) else 0
            match = word_pattern(hit.word).search(code.value, start)
            offset = code.offsets[match.start()] if match and code.offsets else code.start
            hits.append(hit._replace(offset=offset, remote=remote or hit.remote))
    return hits


def analyse(site: CommandSite) -> tuple[list[Hit], list[Reference]]:
    hits: list[Hit] = []
    refs: list[Reference] = []
    found: Invocation | None = None  # the previous command, when it lists migration files
    for inv in invocations(site):
        if not inv.argv:
            continue
        listed, found = found, inv if _finds_migrations(inv) else None
        rm = _xargs_rm(inv) if listed is not None else None
        if listed is not None and rm is not None:
            # `find ... -path '*/migrations/*' | xargs rm`
            shown = f"{_shown(listed)} ... | xargs {rm.value}"
            offset = rm.pos if rm.offsets else -1
            hits.append(Hit(DELETES, shell.program(rm.value), offset, inv.remote, shown))
            continue
        if inv.argv[0].value == shell.PYTHON_CODE:
            hits.extend(_python_code(inv.argv[1], inv.remote))
            continue
        mgmt = shell.management(inv)
        if mgmt is not None:
            sub = mgmt.sub.value
            if sub in ("shell", "shell_plus"):
                # `manage.py shell -c CODE` / `manage.py shell <<PY`: the code is Python
                code = _shell_code(mgmt.args) or inv.heredoc
                if code is not None:
                    hits.extend(_python_code(code, inv.remote))
            elif sub == "makemigrations" and not _read_only(mgmt.args):
                hits.append(
                    Hit(MAKEMIGRATIONS, "makemigrations", mgmt.sub.pos, inv.remote, _shown(inv))
                )
            elif sub == "migrate":
                flag = _flag(mgmt.args, frozenset({"--fake", "--fake-initial"}))
                if flag is not None:
                    word = flag.value.split("=", 1)[0]
                    hits.append(Hit(FAKES, word, flag.pos, inv.remote, word))
            continue
        if _deletes_migrations(inv):
            head = inv.argv[0]
            name = shell.program(head.value)
            offset = head.pos + len(head.value) - len(name) if head.offsets else -1
            hits.append(Hit(DELETES, name, offset, inv.remote, _shown(inv)))
            continue
        refs.extend(_references(inv))
    return hits, refs


_TASK_RUNNERS = {
    "make": "make",
    "gmake": "make",
    "just": "just",
    "invoke": "invoke",
    "inv": "invoke",
}
_TASK_RUNNERS["fab"] = "invoke"


def _references(inv: Invocation) -> Iterator[Reference]:
    argv = inv.argv
    head = argv[0].value
    name = shell.program(head)
    if head in ("$(MAKE)", "${MAKE}", "$MAKE"):
        name = "make"
    tool = _TASK_RUNNERS.get(name)
    if tool is not None:
        skip_next = False
        for word in argv[1:]:
            v = word.value
            if skip_next:
                skip_next = False
            elif v in ("-C", "-f", "--file", "--directory", "--justfile", "-d", "--set"):
                skip_next = True
            elif not v.startswith("-") and "=" not in v:
                yield Reference(tool, v)
        return
    script_like = "/" in head or head.endswith((".sh", ".py", ".bash"))
    via_shell = inv.wrappers[-1:] in tuple((s,) for s in shell.SHELLS) or (
        inv.wrappers[-1:] and shell.PYTHON.match(inv.wrappers[-1])
    )
    if (script_like or via_shell) and not head.startswith("$") and name not in ("", ".", ".."):
        yield Reference("script", head)  # as written: resolved against the config's directory
    if name in (".", "source") and len(argv) > 1 and "$" not in argv[1].value:
        yield Reference("script", argv[1].value)


# --- where a hit is in the file ---------------------------------------------------------------


def word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])")


def _comment_lines(lines: Sequence[str]) -> set[int]:
    """Indexes of lines whose first non-blank character is `#` (never the real invocation)."""
    return {i for i, line in enumerate(lines) if line.lstrip().startswith("#")}


class Locator:
    """Maps hits of one site to the file: the n-th occurrence of the word in the site's source
    (comment lines skipped) is the n-th occurrence in the file lines the site spans."""

    def __init__(self, lines: Sequence[str], site: CommandSite) -> None:
        self.lines = lines
        self.site = site
        self._source: dict[str, dict[int, int]] = {}
        self._file: dict[str, list[tuple[int, int]]] = {}

    def _in_source(self, word: str) -> dict[int, int]:
        if word not in self._source:
            source = site_source(self.site)
            source_lines = source.split("\n")
            comments = _comment_lines(source_lines)
            starts = [0]
            for line in source_lines[:-1]:
                starts.append(starts[-1] + len(line) + 1)
            found: dict[int, int] = {}
            for match in word_pattern(word).finditer(source):
                if bisect.bisect_right(starts, match.start()) - 1 not in comments:
                    found[match.start()] = len(found)
            self._source[word] = found
        return self._source[word]

    def _in_file(self, word: str) -> list[tuple[int, int]]:
        if word not in self._file:
            site = self.site
            pattern = word_pattern(word)
            found: list[tuple[int, int]] = []
            last = min(max(site.end_line, site.line), len(self.lines))
            for number in range(site.line, last + 1):
                line = self.lines[number - 1]
                if line.lstrip().startswith("#"):
                    continue
                start = max(site.col - 1, 0) if number == site.line else 0
                found.extend((number, m.start() + 1) for m in pattern.finditer(line, start))
            self._file[word] = found
        return self._file[word]

    def locate(self, hit: Hit) -> tuple[int, int]:
        """1-based (line, col) of the hit's word as written in the file, else the site's start."""
        n = self._in_source(hit.word).get(hit.offset) if hit.offset >= 0 else None
        if n is not None:
            positions = self._in_file(hit.word)
            if n < len(positions):
                return positions[n]
        return self.site.line, self.site.col


def locate(lines: Sequence[str], site: CommandSite, hit: Hit) -> tuple[int, int]:
    return Locator(lines, site).locate(hit)
