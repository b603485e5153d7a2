"""Static discovery of Django projects (settings modules) and of the project's interpreter.

Nothing here imports the project: settings come from an explicit value, the environment, or from
reading `manage.py`/`wsgi.py`/`asgi.py` and pytest settings with `ast`/`configparser`/`tomllib`;
interpreters are found on disk and probed in a subprocess.
"""

from __future__ import annotations

import ast
import base64
import configparser
import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from django_migration_hooks import _ast, _git
from django_migration_hooks._files import FileProblem, read_bytes, read_head
from django_migration_hooks._report import HookError

if sys.version_info >= (3, 11):  # pragma: no cover
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"
ENTRY_POINTS = ("manage.py", "wsgi.py", "asgi.py")
PYTEST_CONFIGS = ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini")
VENV_DIRS = (".venv", "venv", "env")
# directories that hold installed code or tooling, never first-party projects
SKIP_DIRS = frozenset(
    {*VENV_DIRS, ".tox", ".nox", "node_modules", "site-packages", "dist-packages", "__pycache__"}
)
_MODULE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class Project(NamedTuple):
    root: str  # repo-relative directory put on sys.path ("." for the repository root)
    settings: str  # dotted settings module
    source: str  # where the settings came from, for messages
    manage: str | None = None  # repo-relative manage.py, for fix hints


class Interpreter(NamedTuple):
    path: str
    source: str  # how it was found, for messages
    explicit: bool = False  # given by the user: no fallback when it lacks Django


class Probe(NamedTuple):
    django: str  # Django version
    fingerprint: str  # changes when the environment's installed packages change


# --- settings ----------------------------------------------------------------------------------


def _is_environ(node: ast.expr) -> bool:
    """`os.environ` or a bare `environ` (from os import environ)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def settings_from_python(source: str | bytes) -> str | None:
    """The settings module a manage.py/wsgi.py/asgi.py sets, read statically.

    Recognises `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")`,
    `os.environ["DJANGO_SETTINGS_MODULE"] = "x"` and
    `os.environ.update(DJANGO_SETTINGS_MODULE="x")`.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and _is_environ(node.func.value)
        ):
            if (
                node.func.attr == "setdefault"
                and len(node.args) == 2
                and _ast.string(node.args[0]) == SETTINGS_VARIABLE
            ):
                value = _ast.string(node.args[1])
                if value:
                    return value
            if node.func.attr == "update":
                for keyword in node.keywords:
                    if keyword.arg == SETTINGS_VARIABLE:
                        value = _ast.string(keyword.value)
                        if value:
                            return value
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Subscript)
                and _is_environ(target.value)
                and _ast.string(target.slice) == SETTINGS_VARIABLE
            ):
                value = _ast.string(node.value)
                if value:
                    return value
    return None


def settings_from_pytest_config(path: str) -> str | None:
    """`DJANGO_SETTINGS_MODULE` in pytest-django's ini options."""
    name = os.path.basename(path)
    try:
        if name == "pyproject.toml":
            data = tomllib.loads(read_bytes(path).decode("utf-8"))
            tool = data.get("tool")
            pytest = tool.get("pytest") if isinstance(tool, dict) else None
            options = pytest.get("ini_options") if isinstance(pytest, dict) else None
            value = options.get(SETTINGS_VARIABLE) if isinstance(options, dict) else None
            return value if isinstance(value, str) and value else None
        parser = configparser.RawConfigParser()
        parser.read_string(read_bytes(path).decode("utf-8"), path)
    except (FileProblem, UnicodeDecodeError, tomllib.TOMLDecodeError, configparser.Error):
        return None
    section = "tool:pytest" if name == "setup.cfg" else "pytest"
    if parser.has_option(section, SETTINGS_VARIABLE):
        value = parser.get(section, SETTINGS_VARIABLE).strip()
        return value or None
    return None


_DOTENV_RE = re.compile(
    rb"^[ \t]*(?:export[ \t]+)?" + SETTINGS_VARIABLE.encode() + rb"[ \t]*=[ \t]*(.*?)[ \t]*$",
    re.M,
)
DOTENV = ".env"
# an entry point that loads `.env` itself: its `DJANGO_SETTINGS_MODULE` wins there
_LOADS_DOTENV = (b"dotenv", b"read_env", b"environ.Env")


def settings_from_dotenv(data: bytes) -> str | None:
    """`DJANGO_SETTINGS_MODULE` in a `.env` file (python-dotenv, django-environ): `NAME=value`,
    `export NAME=value`, quoted or not, a `#` comment after an unquoted value; the last wins."""
    value = None
    for match in _DOTENV_RE.finditer(data):
        raw = match.group(1)
        if raw[:1] in (b'"', b"'"):
            end = raw.find(raw[:1], 1)
            raw = raw[1:end] if end > 0 else b""
        else:
            raw = raw.split(b" #", 1)[0].split(b"\t#", 1)[0].strip()
        value = raw.decode("utf-8", "replace").strip()
    return value or None


def valid_module(name: str) -> bool:
    return bool(_MODULE_RE.fullmatch(name))


def module_exists(root: str, module: str) -> bool:
    base = os.path.join(root, *module.split("."))
    return os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py"))


def module_root(module: str, start: str, top: str = ".") -> str | None:
    """The directory (start, start/src, or an ancestor up to top) from which `module` imports."""
    start = os.path.normpath(start)
    top = os.path.normpath(top)
    current = start
    while True:
        for candidate in (current, os.path.join(current, "src")):
            if module_exists(candidate, module):
                return os.path.normpath(candidate)
        if current == top or current in ("", ".", os.sep):
            break
        parent = os.path.dirname(current) or "."
        if parent == current:
            break
        current = parent
    return None


def _skipped(path: str) -> bool:
    return any(part in SKIP_DIRS for part in path.split("/")[:-1])


def candidate_files(listed: Iterable[str] | None = None) -> list[str]:
    """Repo-relative entry points and pytest configs (tracked, or untracked and not ignored).

    `listed`: the repository's files when the caller has them already (else git lists them).
    """
    names = set(ENTRY_POINTS) | set(PYTEST_CONFIGS)
    if listed is None:
        listed = _git.ls_files(*(f"*{name}" for name in sorted(names)), others=True)
    found = sorted({p for p in listed if p.rsplit("/", 1)[-1] in names})
    return [p for p in found if not _skipped(p)]


def _read(path: str) -> bytes | None:
    return read_head(path, 1024 * 1024)


def discover_projects(files: Iterable[str] | None = None) -> list[Project]:
    """Every Django project in the repository (cwd = repository root), statically.

    One project per sys.path root: its manage.py wins over pytest settings, which win over
    wsgi.py/asgi.py.
    """
    if files is None:
        files = candidate_files()
    rank = {"manage.py": 0, "pyproject.toml": 1, "pytest.ini": 1, "setup.cfg": 1, "tox.ini": 1}
    ordered = sorted(files, key=lambda p: (rank.get(p.rsplit("/", 1)[-1], 2), p.count("/"), p))
    projects: dict[str, Project] = {}
    dotenv_dirs = ["."]  # the repository's root, and the directory of each entry point
    for path in ordered:
        name = path.rsplit("/", 1)[-1]
        directory = os.path.dirname(path) or "."
        source = path
        if name in ENTRY_POINTS:
            data = _read(path)
            settings = settings_from_python(data) if data is not None else None
            dotenv_dirs.append(directory)
            if data is not None and any(word in data for word in _LOADS_DOTENV):
                source, settings = _from_dotenv(directory, path, settings)
        else:
            settings = settings_from_pytest_config(path)
        if not settings or not valid_module(settings):
            continue
        root = module_root(settings, directory)
        if root is None:
            continue
        if root in projects:
            continue
        projects[root] = Project(
            root, settings, source, path if name == "manage.py" else _manage_in(root)
        )
    # a `.env` where no entry point or pytest config names the settings (babybuddy)
    for directory in dict.fromkeys(dotenv_dirs):
        path, settings = _from_dotenv(directory, "", None)
        if not settings or not valid_module(settings):
            continue
        root = module_root(settings, directory)
        if root is not None and root not in projects:
            projects[root] = Project(root, settings, path, _manage_in(root))
    return sorted(projects.values())


def _from_dotenv(directory: str, path: str, settings: str | None) -> tuple[str, str | None]:
    """(where, settings): the `.env` of `directory` when it names settings, else the given."""
    dotenv = DOTENV if directory == "." else f"{directory}/{DOTENV}"
    data = _read(dotenv) if os.path.isfile(dotenv) else None
    found = settings_from_dotenv(data) if data is not None else None
    return (dotenv, found) if found and valid_module(found) else (path, settings)


def _manage_in(root: str) -> str | None:
    candidate = os.path.normpath(os.path.join(root, "manage.py"))
    return candidate.replace(os.sep, "/") if os.path.isfile(candidate) else None


def project_for(settings: str, source: str, search: Sequence[str]) -> Project:
    """The project of an explicitly named settings module: the first search dir it imports from."""
    if not valid_module(settings):
        raise HookError(f"{source}: {settings!r} is not a dotted Python module name")
    for directory in (*search, "."):
        root = module_root(settings, directory)
        if root is not None:
            return Project(root, settings, source, _manage_in(root))
    raise HookError(
        f"{source}: settings module {settings!r} not found in the repository; "
        f"pass the project directory as --project DIR"
    )


def parse_project_spec(spec: str) -> tuple[str, str | None]:
    """`DIR` or `DIR:SETTINGS` (from --project or the `projects` config list)."""
    directory, _, settings = spec.partition(":")
    directory = os.path.normpath(directory.strip() or ".").replace(os.sep, "/")
    return directory, (settings.strip() or None)


def projects_in(
    directory: str, settings: str | None, source: str, files: Sequence[str] | None = None
) -> list[Project]:
    """Projects under one configured directory (`files`: `candidate_files()`, if known)."""
    if not os.path.isdir(directory):
        raise HookError(f"{source}: {directory}: not a directory")
    if settings:
        return [project_for(settings, source, (directory,))]
    prefix = "" if directory == "." else directory + "/"
    found = [
        p
        for p in discover_projects(
            [f for f in (candidate_files() if files is None else files) if f.startswith(prefix)]
        )
        if p.root == directory or p.root.startswith(prefix)
    ]
    if not found:
        raise HookError(
            f"{source}: no Django settings found under {directory}; write it as "
            f"'{directory}:package.settings'"
        )
    return found


# --- interpreters -----------------------------------------------------------------------------


def _venv_python(env_dir: str) -> str | None:
    for relative in (("bin", "python"), ("bin", "python3"), ("Scripts", "python.exe")):
        candidate = os.path.join(env_dir, *relative)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _own_bin() -> str:
    return os.path.normcase(os.path.abspath(os.path.dirname(sys.executable)))


def _path_pythons() -> Iterator[str]:
    """`python3`/`python` executables on PATH, except in the hook's own environment."""
    own = _own_bin()
    seen: set[str] = set()
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if not entry:
            continue
        directory = os.path.normcase(os.path.abspath(entry))
        if directory == own or directory in seen:
            continue
        seen.add(directory)
        for name in ("python3", "python", "python.exe"):
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                yield candidate
                break


def poetry_env_name(name: str, project_dir: str) -> str:
    """Poetry's virtualenv directory prefix for a project (name + hash of its path)."""
    sanitized = re.sub(r'[ $`!*@"\\\r\n\t]', "_", name.lower())[:42]
    normalized = os.path.normcase(os.path.realpath(project_dir))
    digest = base64.urlsafe_b64encode(hashlib.sha256(normalized.encode()).digest()).decode()
    return f"{sanitized}-{digest[:8]}"


def _poetry_envs(project_dir: str) -> Iterator[str]:
    try:
        data = tomllib.loads(read_bytes(os.path.join(project_dir, "pyproject.toml")).decode())
    except (FileProblem, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return
    tool = data.get("tool", {})
    project = data.get("project", {})
    name = tool.get("poetry", {}).get("name") or project.get("name")
    poetry_lock = os.path.join(project_dir, "poetry.lock")
    if not isinstance(name, str) or not ("poetry" in tool or os.path.isfile(poetry_lock)):
        return
    base = os.environ.get("POETRY_VIRTUALENVS_PATH") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "pypoetry",
        "virtualenvs",
    )
    prefix = poetry_env_name(name, project_dir) + "-py"
    try:
        entries = sorted(os.listdir(base), reverse=True)
    except OSError:
        return
    for entry in entries:
        if entry.startswith(prefix):
            yield os.path.join(base, entry)


def _pipenv_envs(project_dir: str) -> Iterator[str]:
    if not os.path.isfile(os.path.join(project_dir, "Pipfile")):
        return
    base = os.environ.get("WORKON_HOME") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "virtualenvs"
    )
    wanted = os.path.realpath(project_dir)
    try:
        entries = sorted(os.listdir(base))
    except OSError:
        return
    for entry in entries:
        marker = os.path.join(base, entry, ".project")
        try:
            with open(marker, encoding="utf-8") as f:
                recorded = f.read().strip()
        except OSError:
            continue
        if os.path.realpath(recorded) == wanted:
            yield os.path.join(base, entry)


def interpreters(
    project_root: str, explicit: str | None = None, configured: str | None = None
) -> Iterator[Interpreter]:
    """Candidate interpreters, best first (cwd = repository root)."""
    if explicit:
        yield Interpreter(explicit, "--python", True)
        return
    if configured:
        yield Interpreter(configured, "config python", True)
        return
    seen: set[str] = set()
    for path, source in _discovered(project_root):
        if path is None:
            continue
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            yield Interpreter(path, source)


def _discovered(project_root: str) -> Iterator[tuple[str | None, str]]:
    """(interpreter or None, where it was found) in discovery order, repeats included."""
    roots = [project_root] if project_root == "." else [project_root, "."]
    for root in roots:
        for name in VENV_DIRS:
            yield _venv_python(os.path.join(root, name)), f"{os.path.join(root, name)}/"
    virtual_env = os.environ.get("VIRTUAL_ENV")
    if virtual_env and os.path.normcase(os.path.abspath(virtual_env)) != os.path.normcase(
        os.path.abspath(sys.prefix)
    ):
        yield _venv_python(virtual_env), "VIRTUAL_ENV"
    for root in roots:
        for env_dir in (*_poetry_envs(root), *_pipenv_envs(root)):
            yield _venv_python(env_dir), env_dir
    for path in _path_pythons():
        yield path, "PATH"
    yield sys.executable, "the hook's own environment"


PROBE = (
    "import json, os, sys, sysconfig\n"
    "try:\n"
    "    import django\n"
    "except Exception:\n"
    "    print(json.dumps(None)); raise SystemExit\n"
    "paths = sorted({sysconfig.get_paths()[k] for k in ('purelib', 'platlib')})\n"
    "paths.append(os.path.dirname(os.path.realpath(django.__file__)))\n"
    "stamps = [os.stat(p).st_mtime_ns if os.path.isdir(p) else 0 for p in paths]\n"
    "print(json.dumps([django.get_version(), sys.executable, sys.version, paths, stamps]))\n"
)


# Isolated (-I: neither the working directory nor PYTHON* variables nor the user site on the
# path), no bytecode written (-B), run in an empty directory of its own: what the probe finds is
# the interpreter's environment, never a module of the repository.
PROBE_FLAGS = ("-I", "-B")
PROBE_TIMEOUT = 60  # seconds; then the probe's whole process group is ended


def probe(python: str) -> Probe | None:
    """Django's version in an interpreter's environment; None when Django is not importable."""
    import signal
    import tempfile

    if os.sep in python:  # a path: it must still name it from the neutral directory
        python = os.path.abspath(python)
    with tempfile.TemporaryDirectory(prefix="dmh-probe-") as neutral:
        try:
            proc = subprocess.Popen(
                (python, *PROBE_FLAGS, "-c", PROBE),
                cwd=neutral,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            return None
        try:
            stdout = proc.communicate(timeout=PROBE_TIMEOUT)[0]
        except subprocess.TimeoutExpired:
            stdout = b""
        finally:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)  # and whatever it started
            proc.wait()
    try:
        data = json.loads(stdout.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    if not isinstance(data, list) or len(data) != 5:
        return None
    return Probe(str(data[0]), json.dumps(data, sort_keys=True))


def probe_watches(python: str, found: Probe) -> list[str]:
    """The paths whose stat changes when a probe's answer can change: the interpreter, the
    environment's site-packages folders and Django's package folder."""
    data = json.loads(found.fingerprint)
    return [os.path.realpath(python), *(str(p) for p in data[3])]
