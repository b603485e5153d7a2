"""A shell command line -> simple commands -> argv, with wrappers unwrapped to the real command.

Hand-written on purpose: deploy files hold shell *fragments* (YAML scalars, Makefile recipes with
`$(VAR)`, Helm `{{ ... }}`, Dockerfile heredocs) that a strict bash parser rejects, and every word
must keep the offset of each of its characters in the text it came from, so that a word found
three levels down (`ssh host 'bash -c "..."'`) still maps to its line and column in the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

MAX_DEPTH = 12


class Word(NamedTuple):
    """One shell word after quote removal; offsets[i] is where value[i] sits in the source text."""

    value: str
    offsets: tuple[int, ...]
    start: int  # where the word starts in the source text (its first quote, if quoted)

    @property
    def pos(self) -> int:
        return self.offsets[0] if self.offsets else self.start


class Command(NamedTuple):
    words: tuple[Word, ...]
    heredoc: Word | None = None  # the body fed to the command's stdin, if any


class Invocation(NamedTuple):
    """A real command after wrappers are removed. `remote` = it runs on another host or dyno."""

    argv: tuple[Word, ...]
    remote: bool
    wrappers: tuple[str, ...]
    heredoc: Word | None = None  # what the command reads on stdin (`python - <<PY`)


# --- tokenizer --------------------------------------------------------------------------------

_OPERATOR_CHARS = ";&|()"
_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac"}
)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")


def _word(chars: list[str], offs: list[int], start: int) -> Word:
    return Word("".join(chars), tuple(offs), start)


def _matching_paren(text: str, i: int) -> int:
    """Index just past the `)` closing the `(` at text[i-1] (quote- and nesting-aware)."""
    depth = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _matching_brace(text: str, i: int) -> int:
    depth = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


class _Tokenizer:
    def __init__(self, text: str, depth: int) -> None:
        self.text = text
        self.depth = depth
        self.commands: list[Command] = []
        self.extra: list[Command] = []  # from $(...) and backticks
        self.words: list[Word] = []
        self.heredoc: Word | None = None
        self.pending_heredocs: list[tuple[str, bool, int]] = []  # (delimiter, strip tabs, cmd idx)
        self.skip_next_word = False

    # command boundaries
    def end_command(self) -> None:
        if self.words or self.heredoc is not None:
            self.commands.append(Command(tuple(self.words), self.heredoc))
        self.words = []
        self.heredoc = None

    def add_word(self, word: Word) -> None:
        if self.skip_next_word:
            self.skip_next_word = False
            return
        self.words.append(word)

    def substitution(self, inner_start: int, inner_end: int) -> None:
        if self.depth >= MAX_DEPTH:
            return
        inner = self.text[inner_start:inner_end]
        for cmd in _commands(inner, self.depth + 1):
            self.extra.append(_shift(cmd, inner_start))

    def read_heredoc_bodies(self, i: int) -> int:
        """At the start of a line after a `<<DELIM` command: consume each body; return new index."""
        text = self.text
        n = len(text)
        for delimiter, strip, index in self.pending_heredocs:
            body_chars: list[str] = []
            body_offs: list[int] = []
            body_start = i
            while i < n:
                end = text.find("\n", i)
                end = n if end < 0 else end
                line = text[i:end]
                check = line.lstrip("\t") if strip else line
                if check.rstrip("\r") == delimiter:
                    i = min(end + 1, n)
                    break
                body_chars.extend(text[i : end + 1])
                body_offs.extend(range(i, min(end + 1, n)))
                i = end + 1
            body = Word("".join(body_chars), tuple(body_offs), body_start)
            if index < len(self.commands):
                cmd = self.commands[index]
                self.commands[index] = Command(cmd.words, body)
        self.pending_heredocs = []
        return i

    def run(self) -> list[Command]:  # noqa: C901 - one state machine reads best in one place
        text = self.text
        n = len(text)
        i = 0
        chars: list[str] = []
        offs: list[int] = []
        start = -1  # -1: no word in progress

        def flush() -> None:
            nonlocal chars, offs, start
            if start >= 0:
                self.add_word(_word(chars, offs, start))
            chars, offs, start = [], [], -1

        while i < n:
            c = text[i]
            if c == "\\":
                if i + 1 < n and text[i + 1] == "\n":
                    i += 2
                    continue
                if i + 2 < n and text[i + 1] == "\r" and text[i + 2] == "\n":
                    i += 3
                    continue
                if start < 0:
                    start = i
                if i + 1 < n:
                    chars.append(text[i + 1])
                    offs.append(i + 1)
                i += 2
                continue
            if c == "\n" or c == "\r":
                flush()
                if c == "\n":
                    self.end_command()
                    if self.pending_heredocs:
                        i = self.read_heredoc_bodies(i + 1)
                        continue
                i += 1
                continue
            if c in " \t":
                flush()
                i += 1
                continue
            if c == "#" and start < 0:
                end = text.find("\n", i)
                i = n if end < 0 else end
                continue
            if c == "'":
                if start < 0:
                    start = i
                j = text.find("'", i + 1)
                j = n if j < 0 else j
                chars.extend(text[i + 1 : j])
                offs.extend(range(i + 1, j))
                i = j + 1
                continue
            if c == '"':
                if start < 0:
                    start = i
                i += 1
                while i < n and text[i] != '"':
                    d = text[i]
                    if d == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
                        if text[i + 1] != "\n":
                            chars.append(text[i + 1])
                            offs.append(i + 1)
                        i += 2
                        continue
                    if d == "$" and i + 1 < n and text[i + 1] == "(":
                        end = _matching_paren(text, i + 2)
                        self.substitution(i + 2, end - 1)
                        chars.extend(text[i:end])
                        offs.extend(range(i, end))
                        i = end
                        continue
                    if d == "`":
                        end = text.find("`", i + 1)
                        end = n if end < 0 else end
                        self.substitution(i + 1, end)
                        chars.extend(text[i : end + 1])
                        offs.extend(range(i, min(end + 1, n)))
                        i = end + 1
                        continue
                    chars.append(d)
                    offs.append(i)
                    i += 1
                i += 1
                continue
            if c == "$" and i + 1 < n and text[i + 1] in "({":
                if start < 0:
                    start = i
                if text[i + 1] == "(":
                    end = _matching_paren(text, i + 2)
                    self.substitution(i + 2, end - 1)
                else:
                    end = _matching_brace(text, i + 2)
                chars.extend(text[i:end])
                offs.extend(range(i, end))
                i = end
                continue
            if c == "`":
                if start < 0:
                    start = i
                end = text.find("`", i + 1)
                end = n if end < 0 else end
                self.substitution(i + 1, end)
                chars.extend(text[i : end + 1])
                offs.extend(range(i, min(end + 1, n)))
                i = end + 1
                continue
            if c in "<>":
                # redirection: drop a pending fd number, the operator and its target word
                if start >= 0 and chars and "".join(chars).isdigit():
                    chars, offs, start = [], [], -1
                flush()
                if text.startswith("<<<", i):
                    i += 3
                    self.skip_next_word = True
                    continue
                if text.startswith("<<", i) and not text.startswith("<<(", i):
                    i += 2
                    strip = i < n and text[i] == "-"
                    if strip:
                        i += 1
                    while i < n and text[i] in " \t":
                        i += 1
                    j = i
                    delim_chars: list[str] = []
                    while j < n and text[j] not in " \t\n;&|<>()":
                        if text[j] not in "'\"\\":
                            delim_chars.append(text[j])
                        j += 1
                    self.pending_heredocs.append(("".join(delim_chars), strip, len(self.commands)))
                    i = j
                    continue
                j = i + 1
                while j < n and text[j] in "<>&|":
                    j += 1
                if text[j - 1] == "&" and j < n and (text[j].isdigit() or text[j] == "-"):
                    j += 1  # 2>&1, >&-
                else:
                    self.skip_next_word = True
                i = j
                continue
            if c in _OPERATOR_CHARS:
                if c == "&" and i + 1 < n and text[i + 1] == ">":
                    flush()
                    i += 1
                    continue
                if (c == "(" and start >= 0) or (c == ")" and chars[-1:] == ["("]):
                    # `name()` function definitions and globs like @(a|b): part of the word
                    chars.append(c)
                    offs.append(i)
                    i += 1
                    continue
                flush()
                self.end_command()
                i += 1
                continue
            if start < 0:
                start = i
            chars.append(c)
            offs.append(i)
            i += 1
        flush()
        self.end_command()
        return self.commands + self.extra


def _shift(cmd: Command, by: int) -> Command:
    def move(w: Word) -> Word:
        return Word(w.value, tuple(o + by for o in w.offsets), w.start + by)

    return Command(
        tuple(move(w) for w in cmd.words), None if cmd.heredoc is None else move(cmd.heredoc)
    )


def _commands(text: str, depth: int) -> list[Command]:
    return _Tokenizer(text, depth).run()


def _through(word: Word, inner: Command) -> Command:
    """Map a command parsed from word.value back to the offsets word came from."""

    def move(w: Word) -> Word:
        src = word.offsets
        last = src[-1] if src else word.start
        mapped = tuple(src[o] if o < len(src) else last for o in w.offsets)
        start = src[w.start] if w.start < len(src) else last
        return Word(w.value, mapped, start)

    return Command(
        tuple(move(w) for w in inner.words),
        None if inner.heredoc is None else move(inner.heredoc),
    )


def commands(text: str) -> list[Command]:
    """Split shell text into simple commands (control keywords and comments dropped)."""
    return [c for c in (_strip_keywords(c) for c in _commands(text, 0)) if c is not None]


def commands_of(word: Word, depth: int = 0) -> list[Command]:
    """The simple commands in a word that is itself a script (`sh -c WORD`, ssh's command...)."""
    if depth >= MAX_DEPTH:
        return []
    result = []
    for cmd in _commands(word.value, depth + 1):
        stripped = _strip_keywords(cmd)
        if stripped is not None:
            result.append(_through(word, stripped))
    return result


def _strip_keywords(cmd: Command) -> Command | None:
    words = list(cmd.words)
    while words and (words[0].value in _KEYWORDS or words[0].value.endswith("()")):
        words.pop(0)
    if words and words[0].value in ("for", "case", "select", "function"):
        return Command((), cmd.heredoc) if cmd.heredoc is not None else None
    while words and words[-1].value in ("{", "}"):
        words.pop()
    if not words and cmd.heredoc is None:
        return None
    return Command(tuple(words), cmd.heredoc)


def joined(words: Sequence[Word]) -> Word:
    """Several words as one script text, separated by spaces (how ssh and heroku run join them)."""
    chars: list[str] = []
    offs: list[int] = []
    for k, w in enumerate(words):
        if k:
            chars.append(" ")
            offs.append(w.start)
        chars.extend(w.value)
        offs.extend(w.offsets)
    return Word("".join(chars), tuple(offs), words[0].start if words else 0)


# --- unwrapping -------------------------------------------------------------------------------

PYTHON = re.compile(r"python(\d+(\.\d+)?)?[mw]?(\.exe)?$")
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "ksh"})
_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
PYTHON_CODE = "<python -c>"
DJANGO_ADMIN = frozenset({"django-admin", "django-admin.py"})

# A program given by a variable: `$(PY)`, `${PY}`, `$PY`, `${PYTHON:-python}`, justfile/Jinja
# `{{python}}`, Python f-string `{MANAGE}` (the Python reader writes `{name}`), `__value__` (an
# expression the Python reader cannot name), `____` (a Helm action the Kubernetes reader blanked).
_VARIABLE = re.compile(
    r"^(?:\$\((?P<make>[A-Za-z_][A-Za-z0-9_.]*)\)"
    r"|\$\{(?P<brace>[A-Za-z_][A-Za-z0-9_]*)(?:[:?+=-][^}]*)?\}"
    r"|\$(?P<plain>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{\{-?\s*\.?(?P<just>[A-Za-z_][A-Za-z0-9_.]*)\s*-?\}\}"
    r"|\{(?P<fstring>[A-Za-z_][A-Za-z0-9_.]*)(?:![rsa])?(?::[^}]*)?\}"
    r"|(?P<unknown>__value__|_{4,}))$"
)
_PYTHON_VARIABLE = re.compile(
    r"(^|_)(py|py\d+|python\d*(\.\d+)?|interpreter|executable)(_|$)", re.IGNORECASE
)
_MANAGE_VARIABLE = re.compile(
    r"(^|_)(manage|manage_?py|django_?admin|django|dj_?manage)(_|$)", re.IGNORECASE
)


def variable_name(word: str) -> str | None:
    """The variable a word consists of (`$(PY)` -> "PY", `{{python}}` -> "python"), "" for an
    expression without a name, None when the word is not one variable."""
    match = _VARIABLE.match(word)
    if match is None:
        return None
    name = next((v for v in match.groupdict().values() if v is not None), "")
    return "" if match.group("unknown") else name.rsplit(".", 1)[-1]


def python_variable(name: str) -> bool:
    """A variable named like a Python interpreter (PY, PYTHON, VENV_PYTHON, sys.executable)."""
    return _PYTHON_VARIABLE.search(name) is not None


def manage_variable(name: str) -> bool:
    """A variable named like the management command (MANAGE, MANAGE_PY, DJANGO_ADMIN)."""
    return _MANAGE_VARIABLE.search(name) is not None


# Options that take a value, per wrapper (anything else starting with "-" is a flag).
_SUDO_VALUES = frozenset({"-u", "-g", "-C", "-h", "-p", "-U", "-r", "-t", "-T", "-D", "-R"})
_NICE_VALUES = frozenset({"-n", "--adjustment"})
_UV_VALUES = frozenset(
    {
        "--with",
        "--with-requirements",
        "--with-editable",
        "--env-file",
        "--python",
        "-p",
        "--project",
        "--directory",
        "--package",
        "--group",
        "--extra",
        "--index",
        "--index-url",
        "--only-group",
        "--no-group",
    }
)
_COMPOSE_GLOBAL_VALUES = frozenset(
    {"-f", "--file", "-p", "--project-name", "--env-file", "--profile", "--project-directory"}
)
_COMPOSE_EXEC_VALUES = frozenset(
    {
        "-e",
        "--env",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "--index",
        "-l",
        "--label",
        "--name",
        "-p",
        "--publish",
        "-v",
        "--volume",
        "--entrypoint",
        "--env-file",
        "--detach-keys",
        "--network",
        "--platform",
        "--pull",
        "--cap-add",
        "--cap-drop",
        "--mount",
        "--memory",
        "-m",
        "--cpus",
        "--add-host",
        "--hostname",
        "--restart",
        "--link",
        "--volumes-from",
        "--tmpfs",
        "--ulimit",
        "--log-driver",
        "--log-opt",
        "--shm-size",
        "--gpus",
        "--dns",
        "--expose",
        "--device",
        "--health-cmd",
        "--cidfile",
        "--label-file",
        "--group-add",
        "--runtime",
        "--security-opt",
        "--stop-signal",
        "--stop-timeout",
        "--ipc",
        "--pid",
        "--userns",
        "--uts",
    }
)
_HEROKU_VALUES = frozenset(
    {"-a", "--app", "-r", "--remote", "-s", "--size", "-e", "--env", "--type"}
)
_SSH_VALUES = frozenset(
    {"-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p"}
    | {"-Q", "-R", "-S", "-W", "-w", "-B"}
)
_RAILWAY_VALUES = frozenset({"-s", "--service", "-e", "--environment"})
_SIMPLE_PREFIXES = frozenset(
    {"nohup", "builtin", "exec", "time", "stdbuf", "chronic", "dumb-init", "xvfb-run", "catchsegv"}
)
_RUNNERS = frozenset({"poetry", "pipenv", "pdm", "hatch", "rye", "pixi", "uv", "railway"})


def _skip_options(words: Sequence[Word], i: int, values: frozenset[str]) -> int:
    """Index of the first non-option word from i (handles `--`, `-x VALUE`, `--x=VALUE`)."""
    while i < len(words):
        v = words[i].value
        if v == "--":
            return i + 1
        if not v.startswith("-") or v == "-":
            return i
        i += 2 if v in values else 1
    return i


def program(word: str) -> str:
    return os.path.basename(word)


def _join_template(words: Sequence[Word]) -> Sequence[Word]:
    """`{{ python }}` split by the tokenizer into `{{`, `python`, `}}`: one word again."""
    if len(words) < 3 or words[0].value not in ("{{", "{{-"):
        return words
    end = next((k for k, w in enumerate(words) if w.value in ("}}", "-}}")), None)
    if end is None:
        return words
    inner = "".join(w.value for w in words[1:end])
    head = Word("{{" + inner + "}}", (), words[0].start)
    return (head, *words[end + 1 :])


def unwrap(cmd: Command, depth: int = 0) -> Iterator[Invocation]:
    """Every real command a simple command runs, through wrappers and nested shells."""
    yield from _unwrap(cmd.words, cmd.heredoc, depth, remote=False, wrappers=())


def _script(
    word: Word, depth: int, remote: bool, wrappers: tuple[str, ...]
) -> Iterator[Invocation]:
    for inner in commands_of(word, depth):
        yield from _unwrap(inner.words, inner.heredoc, depth + 1, remote, wrappers)


def _unwrap(  # noqa: C901 - a flat table of wrappers reads best as one function
    words: Sequence[Word],
    heredoc: Word | None,
    depth: int,
    remote: bool,
    wrappers: tuple[str, ...],
) -> Iterator[Invocation]:
    if depth >= MAX_DEPTH:
        return
    i = 0
    while i < len(words) and _ASSIGNMENT.match(words[i].value):
        i += 1
    words = words[i:]
    if not words:
        return
    words = _join_template(words)
    name = program(words[0].value)
    rest = words[1:]
    variable = variable_name(words[0].value)
    runs_python = PYTHON.match(name) is not None
    if variable is not None and rest:
        following = rest[0].value
        if python_variable(variable) and not manage_variable(variable):
            # `$(PY) manage.py ...`, `$(PY) -m django ...`; `$(PY) makemigrations` is left to
            # management() (PY may hold `python manage.py`)
            runs_python = following.startswith("-") or following.endswith(".py")
        elif not manage_variable(variable):
            # an unknown program (`$(RUN)`, `{cmd}`) in front of manage.py runs manage.py
            runs_python = program(following).endswith("manage.py")

    def again(new: Sequence[Word], wrapper: str, is_remote: bool = False) -> Iterator[Invocation]:
        yield from _unwrap(new, heredoc, depth + 1, remote or is_remote, (*wrappers, wrapper))

    def script_of(ws: Sequence[Word], wrapper: str, is_remote: bool) -> Iterator[Invocation]:
        if not ws:
            if heredoc is not None:
                yield from _script(heredoc, depth, remote or is_remote, (*wrappers, wrapper))
            return
        if len(ws) == 1:
            yield from _script(ws[0], depth, remote or is_remote, (*wrappers, wrapper))
        else:
            yield from _script(joined(ws), depth, remote or is_remote, (*wrappers, wrapper))

    if name in _SIMPLE_PREFIXES:
        j = 0
        while j < len(rest) and rest[j].value.startswith("-"):
            j += 2 if rest[j].value == "-a" and name == "exec" else 1
        yield from again(rest[j:], name)
        return
    if name == "command":
        if rest and rest[0].value in ("-v", "-V"):
            return
        yield from again(rest[1:] if rest and rest[0].value == "-p" else rest, name)
        return
    if name == "env":
        j = 0
        while j < len(rest):
            v = rest[j].value
            if v in ("-u", "--unset", "-C", "--chdir"):
                j += 2
            elif v in ("-S", "--split-string") and j + 1 < len(rest):
                yield from script_of([rest[j + 1]], name, False)
                return
            elif v.startswith("-") or _ASSIGNMENT.match(v):
                j += 1
            else:
                break
        yield from again(rest[j:], name)
        return
    if name in ("sudo", "doas"):
        yield from again(rest[_skip_options(rest, 0, _SUDO_VALUES) :], name)
        return
    if name == "nice":
        yield from again(rest[_skip_options(rest, 0, _NICE_VALUES) :], name)
        return
    if name == "timeout":
        j = _skip_options(rest, 0, frozenset({"-s", "--signal", "-k", "--kill-after"}))
        yield from again(rest[j + 1 :], name)
        return
    if name in ("gosu", "su-exec", "setuidgid", "chpst"):
        yield from again(rest[1:], name)
        return
    if name in ("tini", "wait-for-it", "wait-for-it.sh", "doppler", "op", "with-contenv"):
        if any(w.value == "--" for w in rest):
            k = next(k for k, w in enumerate(rest) if w.value == "--")
            yield from again(rest[k + 1 :], name)
        return
    if name == "su":
        for k, w in enumerate(rest):
            if w.value in ("-c", "--command") and k + 1 < len(rest):
                yield from script_of([rest[k + 1]], name, False)
        return
    if name == "eval":
        yield from script_of(rest, name, False)
        return
    if name in _RUNNERS:
        if not rest or rest[0].value != "run":
            return
        if name == "uv":
            j = _skip_options(rest, 1, _UV_VALUES)
        elif name == "railway":
            j = _skip_options(rest, 1, _RAILWAY_VALUES)
        elif name == "hatch" and len(rest) > 1 and ":" in rest[1].value:
            j = 2
        else:
            j = _skip_options(rest, 1, frozenset())
        yield from again(rest[j:], f"{name} run", is_remote=name == "railway")
        return
    if name in SHELLS:
        j = 0
        while j < len(rest):
            v = rest[j].value
            if v.startswith(("-", "+")) and not v.startswith("--") and len(v) > 1:
                takes = v.count("o")  # `-o pipefail`, `-eo pipefail`: each o takes a name
                if v[0] == "-" and "c" in v[1:]:
                    k = j + 1 + takes
                    if k < len(rest):
                        yield from script_of([rest[k]], name, False)
                    return
                j += 1 + takes
            elif v in ("--rcfile", "--init-file"):
                j += 2
            elif v.startswith("-"):
                j += 1
            else:
                break
        if j < len(rest):
            # `sh script.sh args`: the script is the real command
            yield Invocation(tuple(rest[j:]), remote, (*wrappers, name))
        elif heredoc is not None:
            yield from _script(heredoc, depth, remote, (*wrappers, name))
        return
    if name in ("docker-compose", "docker", "podman", "podman-compose", "nerdctl"):
        ws = list(rest)
        compose = name in ("docker-compose", "podman-compose")
        j = 0
        if not compose:
            j = _skip_options(ws, 0, frozenset({"-H", "--host", "-c", "--context", "--config"}))
            if j < len(ws) and ws[j].value == "compose":
                compose = True
                j += 1
        if compose:
            j = _skip_options(ws, j, _COMPOSE_GLOBAL_VALUES)
        if j >= len(ws) or ws[j].value not in ("exec", "run"):
            return
        sub = ws[j].value
        j = _skip_options(ws, j + 1, _COMPOSE_EXEC_VALUES)
        label = f"{name}{' compose' if compose and name != 'docker-compose' else ''} {sub}"
        # SERVICE / CONTAINER / IMAGE, then the command
        yield from again(ws[j + 1 :], label)
        return
    if name == "heroku":
        if not rest or rest[0].value not in ("run", "run:detached", "run:inside"):
            return
        j = _skip_options(rest, 1, _HEROKU_VALUES)
        yield from script_of(rest[j:], "heroku run", True)
        return
    if name in ("kubectl", "oc"):
        if not rest or rest[0].value not in ("exec", "run", "debug"):
            return
        dashes = next((k for k, w in enumerate(rest) if w.value == "--"), None)
        if dashes is not None:
            inner = rest[dashes + 1 :]
            if len(inner) == 1 and " " in inner[0].value:
                yield from script_of(inner, f"{name} {rest[0].value}", True)
            else:
                yield from again(inner, f"{name} {rest[0].value}", is_remote=True)
        return
    if name == "dokku":
        j = _skip_options(rest, 0, frozenset({"--app", "--remote"}))
        if j < len(rest) and rest[j].value in ("run", "run:detached", "enter"):
            k = _skip_options(rest, j + 1, frozenset({"--env", "-e"}))
            yield from again(rest[k + 1 :], "dokku run", is_remote=True)
        return
    if name in ("aws", "gcloud"):
        values = [w.value for w in rest[:3]]
        remote_shell = values[:2] == ["ecs", "execute-command"] or values[:2] == [
            "compute",
            "ssh",
        ]
        if not remote_shell:
            return
        label = f"{name} {values[0]} {values[1]}"
        for k, w in enumerate(rest):
            if w.value == "--command" and k + 1 < len(rest):
                yield from script_of([rest[k + 1]], label, True)
                return
            if w.value.startswith("--command="):
                value = Word(w.value[10:], w.offsets[10:], w.start)
                yield from script_of([value], label, True)
                return
            if w.value == "--" and name == "gcloud":
                yield from script_of(rest[k + 1 :], label, True)
                return
        return
    if name == "ssh":
        j = _skip_options(rest, 0, _SSH_VALUES)
        yield from script_of(rest[j + 1 :], "ssh", True)
        return
    if name in ("fly", "flyctl"):
        if len(rest) >= 2 and rest[0].value == "ssh" and rest[1].value == "console":
            for k, w in enumerate(rest):
                if w.value in ("-C", "--command") and k + 1 < len(rest):
                    yield from script_of([rest[k + 1]], "fly ssh console", True)
                elif w.value.startswith("--command="):
                    value = Word(w.value[10:], w.offsets[10:], w.start)
                    yield from script_of([value], "fly ssh console", True)
        return
    if runs_python:
        j = 0
        while j < len(rest):
            v = rest[j].value
            if v == "-m" and j + 1 < len(rest):
                module = rest[j + 1].value
                if module == "django":
                    yield Invocation(
                        (Word("django-admin", (), rest[j].start), *rest[j + 2 :]),
                        remote,
                        wrappers,
                    )
                elif module in ("poetry", "pipenv", "pdm", "hatch", "uv"):
                    yield from again(
                        (Word(module, (), rest[j].start), *rest[j + 2 :]), f"{name} -m"
                    )
                elif _MODULE.match(module):
                    # `python -m pkg.setup_db`: the module's file runs (pkg/setup_db.py, or
                    # pkg/setup_db/__main__.py for a package), so a config that runs it runs it
                    path = module.replace(".", "/")
                    for candidate in (f"{path}.py", f"{path}/__main__.py"):
                        word = Word(candidate, (), rest[j + 1].start)
                        yield Invocation((word, *rest[j + 2 :]), remote, (*wrappers, name))
                return
            if v == "-c":
                # Python code: PYTHON_CODE marks it for the caller (call_command(...) inside)
                if j + 1 < len(rest):
                    marker = Word(PYTHON_CODE, (), rest[j].start)
                    yield Invocation((marker, rest[j + 1]), remote, (*wrappers, name))
                return
            if v in ("-W", "-X", "-Q"):
                j += 2
            elif v.startswith("-") and v != "-":
                j += 1
            else:
                break
        if (j >= len(rest) or rest[j].value == "-") and heredoc is not None:
            # `python <<PY ... PY`, `python - <<PY`: the code comes on stdin
            marker = Word(PYTHON_CODE, (), words[0].start)
            yield Invocation((marker, heredoc), remote, (*wrappers, name))
        elif j < len(rest):
            yield Invocation(tuple(rest[j:]), remote, (*wrappers, name), heredoc)
        return
    yield Invocation(tuple(words), remote, wrappers, heredoc)


# --- what an invocation means -----------------------------------------------------------------


class Management(NamedTuple):
    """A Django management command: `manage.py SUB ARGS` / `django-admin SUB ARGS`."""

    sub: Word
    args: tuple[Word, ...]


def management(inv: Invocation) -> Management | None:
    argv = inv.argv
    if not argv:
        return None
    name = program(argv[0].value)
    variable = variable_name(argv[0].value)
    by_variable = variable is not None and (python_variable(variable) or manage_variable(variable))
    if by_variable or name in DJANGO_ADMIN or name.endswith("manage.py"):
        j = 1
        # global options before the subcommand are not valid for manage.py; tolerate them anyway
        while j < len(argv) and argv[j].value.startswith("-"):
            j += 1
        if j < len(argv):
            return Management(argv[j], tuple(argv[j + 1 :]))
    return None


def all_invocations(text: str) -> Iterator[Invocation]:
    for cmd in commands(text):
        yield from unwrap(cmd)


def invocations_of_argv(words: Sequence[Word]) -> Iterator[Invocation]:
    """Exec-form argv (a JSON array, a YAML list): no shell splitting at the top level."""
    yield from _unwrap(tuple(words), None, 0, remote=False, wrappers=())
