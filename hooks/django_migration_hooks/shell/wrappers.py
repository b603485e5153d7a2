"""A simple command -> the real commands it runs, through wrappers and nested shells.

`WRAPPERS` maps a program name to the handler of its wrapper family: each handler finds the
command the wrapper runs (skipping the options it knows take a value, defined beside it) and
unwraps that again. A Python interpreter runs a file, a module or code; anything else is the
real command.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from django_migration_hooks.shell import remote
from django_migration_hooks.shell.names import (
    ASSIGNMENT,
    PYTHON,
    PYTHON_CODE,
    SHELLS,
    manage_variable,
    program,
    python_variable,
    variable_name,
)
from django_migration_hooks.shell.tokenize import commands_of
from django_migration_hooks.shell.words import (
    MAX_DEPTH,
    Command,
    Invocation,
    Word,
    joined,
    skip_options,
)


class Call(NamedTuple):
    """A command being unwrapped: words[0] names the program (`name`, without its directory)."""

    name: str
    words: Sequence[Word]
    heredoc: Word | None
    depth: int
    remote: bool
    wrappers: tuple[str, ...]

    @property
    def rest(self) -> Sequence[Word]:
        return self.words[1:]

    def again(
        self, words: Sequence[Word], wrapper: str, *, remote: bool = False
    ) -> Iterator[Invocation]:
        """The command in words, run by this wrapper (on another host if remote)."""
        wrappers = (*self.wrappers, wrapper)
        return _unwrap(words, self.heredoc, self.depth + 1, self.remote or remote, wrappers)

    def script(
        self, words: Sequence[Word], wrapper: str, *, remote: bool = False
    ) -> Iterator[Invocation]:
        """The script in words (several are joined, as ssh joins them; none: the heredoc)."""
        if not words:
            if self.heredoc is None:
                return iter(())
            word = self.heredoc
        else:
            word = words[0] if len(words) == 1 else joined(words)
        return _script(word, self.depth, self.remote or remote, (*self.wrappers, wrapper))


Handler = Callable[[Call], Iterator[Invocation]]


def unwrap(cmd: Command, depth: int = 0) -> Iterator[Invocation]:
    """Every real command a simple command runs, through wrappers and nested shells."""
    yield from _unwrap(cmd.words, cmd.heredoc, depth, remote=False, wrappers=())


def _script(
    word: Word, depth: int, remote: bool, wrappers: tuple[str, ...]
) -> Iterator[Invocation]:
    for inner in commands_of(word, depth):
        yield from _unwrap(inner.words, inner.heredoc, depth + 1, remote, wrappers)


def _unwrap(
    words: Sequence[Word],
    heredoc: Word | None,
    depth: int,
    remote: bool,
    wrappers: tuple[str, ...],
) -> Iterator[Invocation]:
    if depth >= MAX_DEPTH:
        return
    i = 0
    while i < len(words) and ASSIGNMENT.match(words[i].value):
        i += 1
    words = words[i:]
    if not words:
        return
    words = _join_template(words)
    call = Call(program(words[0].value), words, heredoc, depth, remote, wrappers)
    handler = WRAPPERS.get(call.name)
    if handler is None:
        handler = _python if _runs_python(words) else _real_command
    yield from handler(call)


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


def _real_command(call: Call) -> Iterator[Invocation]:
    yield Invocation(tuple(call.words), call.remote, call.wrappers, call.heredoc)


# --- nohup, exec, time, ...: flags, then the command

_SIMPLE_PREFIXES = frozenset(
    {"nohup", "builtin", "exec", "time", "stdbuf", "chronic", "dumb-init", "xvfb-run", "catchsegv"}
)


def _prefix(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    j = 0
    while j < len(rest) and rest[j].value.startswith("-"):
        j += 2 if rest[j].value == "-a" and call.name == "exec" else 1
    yield from call.again(rest[j:], call.name)


def _command(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    if rest and rest[0].value in ("-v", "-V"):
        return
    yield from call.again(rest[1:] if rest and rest[0].value == "-p" else rest, call.name)


# --- env [options] [NAME=VALUE...] COMMAND, env -S 'SCRIPT'

_ENV_VALUES = frozenset({"-u", "--unset", "-C", "--chdir"})


def _env(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    j = 0
    while j < len(rest):
        v = rest[j].value
        if v in _ENV_VALUES:
            j += 2
        elif v in ("-S", "--split-string") and j + 1 < len(rest):
            yield from call.script([rest[j + 1]], call.name)
            return
        elif v.startswith("-") or ASSIGNMENT.match(v) or _SUBSTITUTION.match(v):
            j += 1  # `env $(cat .env | xargs) COMMAND`: the substitution yields NAME=VALUE words
        else:
            break
    yield from call.again(rest[j:], call.name)


# a word that is one command substitution, as written: `$(...)` or a backquoted command
_SUBSTITUTION = re.compile(r"^(\$\(.*\)|`.*`)$", re.DOTALL)


# --- sudo / doas, nice, timeout: options, then the command

_SUDO_VALUES = frozenset({"-u", "-g", "-C", "-h", "-p", "-U", "-r", "-t", "-T", "-D", "-R"})
_NICE_VALUES = frozenset({"-n", "--adjustment"})
_TIMEOUT_VALUES = frozenset({"-s", "--signal", "-k", "--kill-after"})


def _sudo(call: Call) -> Iterator[Invocation]:
    """`sudo [-u USER] COMMAND`; `sudo -s`/`-i` with no command: a shell reading stdin (a
    heredoc). Short options combine (`-su root`: `-s -u root`)."""
    rest = call.rest
    j = 0
    login_shell = False
    while j < len(rest):
        v = rest[j].value
        if v == "--":
            j += 1
            break
        if not v.startswith("-") or v == "-":
            break
        if not v.startswith("--"):
            login_shell |= "s" in v[1:] or "i" in v[1:]
        j += (
            2
            if v in _SUDO_VALUES or (not v.startswith("--") and f"-{v[-1]}" in _SUDO_VALUES)
            else 1
        )
    if j >= len(rest) and login_shell:
        yield from call.script([], call.name)
        return
    yield from call.again(rest[j:], call.name)


def _nice(call: Call) -> Iterator[Invocation]:
    yield from call.again(call.rest[skip_options(call.rest, 0, _NICE_VALUES) :], call.name)


def _timeout(call: Call) -> Iterator[Invocation]:
    j = skip_options(call.rest, 0, _TIMEOUT_VALUES)
    yield from call.again(call.rest[j + 1 :], call.name)  # after the DURATION


# --- gosu USER COMMAND; tini ... -- COMMAND; su -c 'SCRIPT'; eval WORDS


def _user_switch(call: Call) -> Iterator[Invocation]:
    yield from call.again(call.rest[1:], call.name)


def _after_dashes(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    dashes = next((k for k, w in enumerate(rest) if w.value == "--"), None)
    if dashes is not None:
        yield from call.again(rest[dashes + 1 :], call.name)


def _su(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    for k, w in enumerate(rest):
        if w.value in ("-c", "--command") and k + 1 < len(rest):
            yield from call.script([rest[k + 1]], call.name)
            return
    yield from call.script([], call.name)  # `su - deploy <<EOF`: the shell reads the heredoc


def _eval(call: Call) -> Iterator[Invocation]:
    yield from call.script(call.rest, call.name)


# --- poetry / pipenv / pdm / hatch / rye / pixi / uv / railway run [options] COMMAND

_RUNNERS = frozenset({"poetry", "pipenv", "pdm", "hatch", "rye", "pixi", "uv", "railway"})
_RUN_VALUES = {
    "uv": frozenset(
        {"--with", "--with-requirements", "--with-editable", "--env-file", "--python", "-p"}
        | {"--project", "--directory", "--package", "--group", "--extra", "--index"}
        | {"--index-url", "--only-group", "--no-group"}
    ),
    "railway": frozenset({"-s", "--service", "-e", "--environment"}),
}


def _runner(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    if not rest or rest[0].value != "run":
        return
    if call.name == "hatch" and len(rest) > 1 and ":" in rest[1].value:
        j = 2  # `hatch run ENV:COMMAND`
    else:
        j = skip_options(rest, 1, _RUN_VALUES.get(call.name, frozenset()))
    yield from call.again(rest[j:], f"{call.name} run", remote=call.name == "railway")


# --- sh / bash / ...: -c 'SCRIPT', a script file, or a heredoc on stdin


def _shell(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    j = 0
    while j < len(rest):
        v = rest[j].value
        if v.startswith(("-", "+")) and not v.startswith("--") and len(v) > 1:
            takes = v.count("o")  # `-o pipefail`, `-eo pipefail`: each o takes a name
            if v[0] == "-" and "c" in v[1:]:
                k = j + 1 + takes
                if k < len(rest):
                    yield from call.script([rest[k]], call.name)
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
        yield Invocation(tuple(rest[j:]), call.remote, (*call.wrappers, call.name))
    else:
        yield from call.script([], call.name)


# --- python [options] FILE | -m MODULE | -c CODE | - (code on stdin)

_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_PYTHON_VALUES = frozenset({"-W", "-X", "-Q"})


def _runs_python(words: Sequence[Word]) -> bool:
    """A Python interpreter, named or (`$(PY) manage.py`) given by a variable."""
    variable = variable_name(words[0].value)
    if variable is not None and len(words) > 1:
        following = words[1].value
        if python_variable(variable) and not manage_variable(variable):
            # `$(PY) manage.py ...`, `$(PY) -m django ...`; `$(PY) makemigrations` is left to
            # management() (PY may hold `python manage.py`)
            return following.startswith("-") or following.endswith(".py")
        if not manage_variable(variable):
            # an unknown program (`$(RUN)`, `{cmd}`) in front of manage.py runs manage.py
            return program(following).endswith("manage.py")
    return PYTHON.match(program(words[0].value)) is not None


def _python(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    j = 0
    while j < len(rest):
        v = rest[j].value
        if v == "-m" and j + 1 < len(rest):
            yield from _python_module(call, j + 1)
            return
        if v == "-c":
            # Python code: PYTHON_CODE marks it for the caller (call_command(...) inside)
            if j + 1 < len(rest):
                marker = Word(PYTHON_CODE, (), rest[j].start)
                yield Invocation((marker, rest[j + 1]), call.remote, (*call.wrappers, call.name))
            return
        if v in _PYTHON_VALUES:
            j += 2
        elif v.startswith("-") and v != "-":
            j += 1
        else:
            break
    if (j >= len(rest) or rest[j].value == "-") and call.heredoc is not None:
        # `python <<PY ... PY`, `python - <<PY`: the code comes on stdin
        marker = Word(PYTHON_CODE, (), call.words[0].start)
        yield Invocation((marker, call.heredoc), call.remote, (*call.wrappers, call.name))
    elif j < len(rest):
        yield Invocation(tuple(rest[j:]), call.remote, (*call.wrappers, call.name), call.heredoc)


def _python_module(call: Call, m: int) -> Iterator[Invocation]:
    """`python -m MODULE ARGS`, MODULE at call.rest[m]."""
    rest = call.rest
    module, flag, args = rest[m].value, rest[m - 1], rest[m + 1 :]
    if module == "django":
        yield Invocation((Word("django-admin", (), flag.start), *args), call.remote, call.wrappers)
    elif module in ("poetry", "pipenv", "pdm", "hatch", "uv"):
        yield from call.again((Word(module, (), flag.start), *args), f"{call.name} -m")
    elif _MODULE.match(module):
        # `python -m pkg.setup_db`: the module's file runs (pkg/setup_db.py, or
        # pkg/setup_db/__main__.py for a package), so a config that runs it runs it
        path = module.replace(".", "/")
        for candidate in (f"{path}.py", f"{path}/__main__.py"):
            word = Word(candidate, (), rest[m].start)
            yield Invocation((word, *args), call.remote, (*call.wrappers, call.name))


WRAPPERS: dict[str, Handler] = {
    **dict.fromkeys(_SIMPLE_PREFIXES, _prefix),
    "command": _command,
    "env": _env,
    "sudo": _sudo,
    "doas": _sudo,
    "nice": _nice,
    "timeout": _timeout,
    **dict.fromkeys(("gosu", "su-exec", "setuidgid", "chpst"), _user_switch),
    **dict.fromkeys(
        ("tini", "wait-for-it", "wait-for-it.sh", "doppler", "op", "with-contenv"), _after_dashes
    ),
    "su": _su,
    "eval": _eval,
    **dict.fromkeys(_RUNNERS, _runner),
    **dict.fromkeys(SHELLS, _shell),
    **dict.fromkeys(remote.CONTAINER_PROGRAMS, remote.container),
    "heroku": remote.heroku,
    "kubectl": remote.kubectl,
    "oc": remote.kubectl,
    "dokku": remote.dokku,
    "aws": remote.cloud,
    "gcloud": remote.cloud,
    "ssh": remote.ssh,
    "fly": remote.fly,
    "flyctl": remote.fly,
}
