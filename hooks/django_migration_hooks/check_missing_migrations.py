"""check-missing-migrations: model changes that have no migration, as Django itself sees them.

The Django tier runs `_django_runner.py` under the *project's* interpreter: the project's own
`makemigrations` command in dry-run, non-interactive mode, every database on the dummy backend,
no system checks, nothing written. Its JSON (pending operations and conflicting leaf nodes per
app) becomes findings at the model's source line. Results are cached on the content of the
repository's Python and dependency files, the interpreter and the settings.

The static tier (no project environment) lives in `django_migration_hooks._static_check`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import importlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from django_migration_hooks import rules
from django_migration_hooks._hook import parser as hook_parser
from django_migration_hooks._report import Finding, HookError, handles_errors

if TYPE_CHECKING:
    from concurrent.futures import Executor

HOOK_ID = "check-missing-migrations"
MODES = ("auto", "django", "static")
SCHEMA: Mapping[str, str] = {
    "mode": "str",
    "python": "str",
    "settings": "str",
    "projects": "list[str]",
    "env": "dict[str, str]",
    "ignore-apps": "list[str]",
    "include-third-party": "bool",
    "cache": "bool",
}
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_django_runner.py")
RUNNER_MARKER = "@@django-migration-hooks-runner@@"
CACHE_FORMAT = "1"
CACHE_MAX_AGE = 30 * 86400.0  # seconds a cache file may go unused

# files whose change can change the verdict although they are not Python files of an app
DEPENDENCY_RE = re.compile(
    r"(^|/)(requirements[^/]*\.(txt|in)|requirements/[^/]+\.(txt|in)|constraints[^/]*\.txt"
    r"|pyproject\.toml|setup\.(cfg|py)|poetry\.lock|uv\.lock|pdm\.lock|Pipfile(\.lock)?)$"
)
ENTRY_POINTS = frozenset({"manage.py", "wsgi.py", "asgi.py"})
APP_MARKERS = ("models.py", "models", "apps.py", "migrations")
# environment variables that differ between otherwise identical runs: not part of the cache key
VOLATILE_ENV = re.compile(
    r"^(PRE_COMMIT.*|SKIP|PWD|OLDPWD|SHLVL|_|COLUMNS|LINES|TERM.*|SSH_.*|DISPLAY|WINDOWID"
    r"|XDG_SESSION.*|XDG_RUNTIME_DIR|PYTEST_.*|COV_CORE_.*|GIT_.*|DJANGO_MIGRATION_HOOKS_.*)$"
)

RULES = rules.for_hook(HOOK_ID)


class Options(NamedTuple):
    mode: str
    python: str | None
    settings: str | None
    projects: tuple[str, ...]
    env: Mapping[str, str]
    ignore_apps: frozenset[str]
    include_third_party: bool
    cache: bool
    base: str | None
    python_from_config: bool = False


# --- relevance -------------------------------------------------------------------------------


def _is_app_dir(directory: str, memo: dict[str, bool]) -> bool:
    if directory not in memo:
        memo[directory] = any(
            os.path.exists(os.path.join(directory or ".", marker)) for marker in APP_MARKERS
        )
    return memo[directory]


def is_relevant(path: str, memo: dict[str, bool] | None = None) -> bool:
    """Whether a changed file can change the verdict: app Python, settings, dependencies."""
    memo = {} if memo is None else memo
    path = path.replace(os.sep, "/")
    if DEPENDENCY_RE.search(path):
        return True
    if not path.endswith(".py"):
        return False
    parts = path.split("/")
    name = parts[-1]
    if name in ENTRY_POINTS or name.startswith("settings") or "settings" in parts[:-1]:
        return True
    directory = "/".join(parts[:-1])
    while True:
        if _is_app_dir(directory, memo):
            return True
        if not directory:
            return False
        directory = directory.rpartition("/")[0]


def any_relevant(filenames: Sequence[str]) -> bool:
    """Whether a file can change the verdict: by `is_relevant`, or because the last Django
    run imported it (a helper module outside any app: custom fields, choices)."""
    memo: dict[str, bool] = {}
    if any(is_relevant(name, memo) for name in filenames):
        return True
    imported = _remembered_imports()
    return any(name.replace(os.sep, "/") in imported for name in filenames)


def _imports_path() -> str:
    """Where the repository's (cwd's) helper modules that the last Django run imported are
    remembered."""
    here = os.path.realpath(".").encode("utf-8", "surrogateescape")
    return os.path.join(cache_dir(), "imports", hashlib.sha256(here).hexdigest()[:32])


def _remembered_imports() -> set[str]:
    return set((_read_or_none(_imports_path()) or "").splitlines())


def remember_imports(results: Iterable[Mapping[str, Any]]) -> None:
    """Keep the repository files the runners imported that `is_relevant` does not cover."""
    here = os.path.realpath(".")
    memo: dict[str, bool] = {}
    paths = set()
    for result in results:
        for path in result.get("modules", ()):
            relative = os.path.relpath(path, here).replace(os.sep, "/")
            if not relative.startswith("../") and not is_relevant(relative, memo):
                paths.add(relative)
    text = "".join(f"{path}\n" for path in sorted(paths))
    target = _imports_path()
    with contextlib.suppress(OSError):  # a read-only cache only costs precision
        if _read_or_none(target) == text:
            os.utime(target)  # in use: `prune_cache` keeps it
        else:
            _atomic_write(target, text)


def _read_or_none(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return f.read()
    except OSError:
        return None


# --- findings from the runner's JSON -----------------------------------------------------------


def _relpath(path: str | None, fallback: str) -> str:
    if not path:
        return fallback
    try:
        rel = os.path.relpath(path, os.path.realpath("."))
    except ValueError:  # pragma: no cover - another drive on Windows
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def describe(op: Mapping[str, Any]) -> str:
    kind = op.get("kind")
    field = op.get("field")
    if kind == "AddField":
        return f"field {field} added"
    if kind == "RemoveField":
        return f"field {field} removed"
    if kind == "AlterField":
        return f"field {field} changed"
    if kind == "RenameField":
        return f"field {op.get('old')} renamed to {field}"
    if kind == "CreateModel":
        return "model added"
    if kind == "DeleteModel":
        return "model removed"
    if kind == "RenameModel":
        return f"model renamed from {op.get('old')}"
    if kind == "AlterModelOptions":
        options = op.get("options") or []
        return f"Meta options changed ({', '.join(options)})" if options else "Meta options changed"
    text = str(op.get("describe") or kind)
    return text[:1].lower() + text[1:]


def _question_note(op: Mapping[str, Any], questions: Sequence[Mapping[str, str]]) -> str:
    model = str(op.get("model") or "").lower()
    field = op.get("field")
    for q in questions:
        if str(q.get("model", "")).lower() != model:
            continue
        if op.get("kind") == "AddField" and q["kind"] == "not-null" and q.get("field") == field:
            return "; non-nullable without a default: makemigrations will ask for one"
        if op.get("kind") == "AddField" and q["kind"] == "rename" and q.get("new") == field:
            return f"; makemigrations will ask whether {q.get('old')} was renamed to {field}"
    return ""


def makemigrations_command(manage: str | None, settings: str, *args: str) -> str:
    if manage:
        return " ".join(("python", manage, "makemigrations", *args))
    return " ".join(("django-admin", "makemigrations", *args, f"--settings={settings}"))


def findings_from_result(
    result: Mapping[str, Any],
    *,
    manage: str | None,
    settings: str,
    include_third_party: bool = False,
    ignore_apps: Iterable[str] = (),
) -> list[Finding]:
    """DMH101/DMH104 findings from the runner's result (paths made relative to the cwd)."""
    ignored = set(ignore_apps)
    questions = result.get("questions") or []
    findings: list[Finding] = []
    for app in result.get("apps", []):
        label = app["label"]
        if label in ignored or app.get("name") in ignored:
            continue
        if not (include_third_party or app.get("first_party")):
            continue
        fallback = _relpath(app.get("models_file"), _relpath(app.get("path"), label))
        conflicts = app.get("conflicts") or []
        if conflicts:
            names = ", ".join(c["name"] for c in conflicts)
            for conflict in conflicts:
                findings.append(
                    Finding(
                        _relpath(conflict.get("path"), fallback),
                        1,
                        1,
                        "DMH104",
                        f"{label}: conflicting migrations {names} (several leaf nodes); "
                        "merge needed",
                        makemigrations_command(manage, settings, "--merge", label),
                    )
                )
            continue
        for op in app.get("operations", []):
            model = op.get("model")
            subject = f"{label}.{model}" if model else label
            findings.append(
                Finding(
                    _relpath(op.get("path"), fallback),
                    int(op.get("line") or 1),
                    int(op.get("col") or 1),
                    "DMH101",
                    f"{subject}: {describe(op)}, no migration{_question_note(op, questions)}",
                    makemigrations_command(manage, settings, label),
                )
            )
    return findings


# --- running Django -------------------------------------------------------------------------


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "django-migration-hooks")


def _hash_file(path: str, digest: Any) -> int:
    """Add a file's content to `digest` (a submodule's: its HEAD); its ctime in ns, or 0."""
    try:
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read(8 * 1024 * 1024)).digest())
            return os.fstat(f.fileno()).st_ctime_ns
    except IsADirectoryError:
        from django_migration_hooks import _git

        head = _git.run("rev-parse", "HEAD", cwd=path, ok=(0, 128)).stdout.strip()
        digest.update(f"<submodule {head}>".encode())
    except OSError:
        digest.update(b"<unreadable>")
    return 0


def _stamp(path: str) -> list[int] | None:
    """[mtime ns, ctime ns, size, inode] of a file (any rewrite changes it); None if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino]


def _wanted_untracked(path: str) -> bool:
    from django_migration_hooks._django import SKIP_DIRS

    if not (
        path.endswith(".py")
        or DEPENDENCY_RE.search(path)
        or path.rpartition("/")[2].startswith(".env")
    ):
        return False
    return SKIP_DIRS.isdisjoint(path.split("/")[:-1])


class Tree:
    """git's view of the working tree (cwd = repository root), listed in parallel.

    The cache key covers every file the project could read: the index (object ids of every
    tracked file), the stat of every tracked Python, env and dependency file, and the content
    of modified, untracked and ignored ones. Its `quick` part, the index alone, is ready long
    before git has walked the tree for the rest, so the Django check can start meanwhile.
    """

    WORKERS = 3  # the index, the status walk, the stats

    def __init__(self, pool: Executor, *, keyed: bool = True) -> None:
        from django_migration_hooks import _git

        self._git = _git
        self._index = pool.submit(_git.run, "ls-files", "-s", "-z")
        self._status = pool.submit(
            _git.run,
            "--no-optional-locks",
            "status",
            "--porcelain=v2",
            "-z",
            "--untracked-files=all",
            "--ignored=matching" if keyed else "--ignored=no",
            "--ignore-submodules=dirty",  # a submodule whose commit moved is listed
            "--no-renames",
        )
        self._newest = 0  # the newest ctime (ns) of the files the digest covers
        self._stats = pool.submit(self._stat_digest) if keyed else None

    @functools.cached_property
    def tracked(self) -> list[str]:
        return [entry.partition("\t")[2] for entry in self._git.zsplit(self._index.result().stdout)]

    @functools.cached_property
    def _status_entries(self) -> list[str]:
        return self._git.zsplit(self._status.result().stdout)

    def _other(self, mark: str) -> list[str]:
        """Untracked ("?") or ignored ("!") paths from the status listing."""
        prefix = mark + " "
        return [entry[2:] for entry in self._status_entries if entry.startswith(prefix)]

    def _modified(self) -> list[str]:
        """Tracked paths whose file differs from the index (any kind of file)."""
        paths = []
        for entry in self._status_entries:
            kind = entry[:2]
            if kind in ("1 ", "u ") and entry[3] != ".":
                paths.append(entry.split(" ", 8 if kind == "1 " else 10)[-1])
        return paths

    @functools.cached_property
    def untracked(self) -> list[str]:
        return self._other("?")

    @functools.cached_property
    def quick(self) -> str:
        """The digest of the index."""
        text = self._index.result().stdout
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    def _stat_digest(self) -> str:
        # Any rewrite of a tracked file changes its stat, so a modified file is a cache miss
        # even within the second git's own "modified" test (size + mtime in seconds) trusts.
        digest = hashlib.sha256()
        for path in self.tracked:
            if _wanted_untracked(path):
                stamp = _stamp(path)
                if stamp is None:
                    digest.update(f"\0gone\0{path}".encode("utf-8", "surrogateescape"))
                    continue
                digest.update(("\0" + " ".join(map(str, stamp))).encode())
                self._newest = max(self._newest, stamp[1])
        return digest.hexdigest()

    def digest(self) -> str:
        """`quick` plus the stats, and the content of modified, untracked and ignored files."""
        if self._stats is None:
            raise ValueError("a Tree made with keyed=False has no digest")
        digest = hashlib.sha256(f"{self.quick} {self._stats.result()}".encode())
        # a modified file the project reads that is not Python (YAML, JSON) has no stat above
        self._hash_files(digest, "m", self._modified(), every=True)
        self._hash_files(digest, "u", self.untracked)
        self._hash_files(digest, "i", self._other("!"))
        return digest.hexdigest()

    def _hash_files(
        self, digest: Any, group: str, paths: Iterable[str], every: bool = False
    ) -> None:
        for path in sorted(set(paths)):
            if path.endswith("/") or not (every or _wanted_untracked(path)):
                continue
            digest.update(f"\0{group}\0{path}\0".encode("utf-8", "surrogateescape"))
            self._newest = max(self._newest, _hash_file(path, digest))

    def changed_since(self, moment_ns: int) -> bool:
        """Whether a file the digest covers changed at or after `moment_ns` (`file_clock`):
        Django, started then, may have read other content than the digest saw."""
        return self._newest >= moment_ns


def _stable_env(env: Mapping[str, str]) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in env.items() if not VOLATILE_ENV.match(k))


def _runner_digest() -> str:
    with open(RUNNER, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def cache_key(
    python: str, fingerprint: str, root: str, settings: str, env: Mapping[str, str], tree: str
) -> str:
    payload = json.dumps(
        [
            CACHE_FORMAT,
            _runner_digest(),
            os.path.abspath(python),
            fingerprint,
            os.path.realpath(root),
            settings,
            _stable_env(env),
            tree,
        ]
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogateescape")).hexdigest()


def cache_read(key: str) -> dict[str, Any] | None:
    path = os.path.join(cache_dir(), "results", key[:2], key + ".json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # in use: `prune_cache` keeps it
    return data if isinstance(data, dict) else None


def prune_cache(max_age: float = CACHE_MAX_AGE) -> None:
    """Delete cache files unused for `max_age` seconds (results, probes, migration code,
    bytecode), at most once a day: the directory would otherwise grow with every commit."""
    import time

    stamp = os.path.join(cache_dir(), "pruned")
    try:
        if time.time() - os.stat(stamp).st_mtime < 86400.0:
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    try:
        with open(stamp, "a"):
            os.utime(stamp)
    except OSError:
        return
    for part in ("results", "probes", "code", "pycache", "imports"):
        _prune(os.path.join(cache_dir(), part), max_age)


def _atomic_write(path: str, text: str) -> None:
    import tempfile

    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def cache_write(key: str, result: Mapping[str, Any]) -> None:
    path = os.path.join(cache_dir(), "results", key[:2], key + ".json")
    with contextlib.suppress(OSError):  # a read-only cache only costs speed
        _atomic_write(path, json.dumps(result))


def cache_may_hit(quick_key: str) -> bool:
    """Whether a cached result was computed with this index (else a miss is sure)."""
    return os.path.exists(_quick_path(quick_key))


def cache_mark(quick_key: str) -> None:
    """Remember that a result computed with this index is cached (`cache_may_hit`)."""
    path = _quick_path(quick_key)
    with contextlib.suppress(OSError):
        if os.path.exists(path):
            os.utime(path)  # in use: `prune_cache` keeps it
        else:
            _atomic_write(path, "")


def _quick_path(quick_key: str) -> str:
    return os.path.join(cache_dir(), "results", "quick", quick_key[:2], quick_key)


class Project(NamedTuple):
    root: str
    settings: str
    source: str
    manage: str | None
    python: str
    fingerprint: str


class Runner:
    """One run of `_django_runner.py` for a project: it can start before the cache is read
    (and is stopped if the cache answers)."""

    def __init__(self, project: Project, env: Mapping[str, str], cached: bool = True) -> None:
        self.project = project
        self.env = env
        self.cached = cached  # use the migration code cache
        self.proc: Any = None
        self.error: HookError | None = None
        self.started_ns = 0

    def start(self) -> None:
        if self.proc is not None or self.error is not None:
            return
        import subprocess

        from django_migration_hooks._django_runner import file_clock

        project = self.project
        argv = [project.python, RUNNER, "--root", project.root, "--settings", project.settings]
        proc_env = {**os.environ, **self.env}
        proc_env.pop("DJANGO_SETTINGS_MODULE", None)
        proc_env.pop("PYTHONHOME", None)
        if self.cached:
            with contextlib.suppress(OSError):
                os.makedirs(cache_dir(), exist_ok=True)
                argv += ["--code-cache", os.path.join(cache_dir(), "code")]
        if "PYTHONPYCACHEPREFIX" not in proc_env:
            # Bytecode goes to our cache, never into the repository (even under
            # PYTHONDONTWRITEBYTECODE), so a cold check does not recompile the project.
            prefix = os.path.join(cache_dir(), "pycache")
            with contextlib.suppress(OSError):
                os.makedirs(prefix, exist_ok=True)
                proc_env["PYTHONPYCACHEPREFIX"] = prefix
                proc_env.pop("PYTHONDONTWRITEBYTECODE", None)
                argv.append("--precise-bytecode-stamps")
        self.started_ns = file_clock(cache_dir())
        try:
            self.proc = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                encoding="utf-8",
                errors="replace",
                env=proc_env,
            )
        except OSError as exc:
            self.error = HookError(f"cannot run {project.python}: {exc.strerror}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()

    def result(self) -> dict[str, Any]:
        """The runner's result; HookError with one line on failure."""
        self.start()
        if self.error is not None:
            raise self.error
        stdout, stderr = self.proc.communicate()
        payload = None
        for line in reversed(stdout.splitlines()):
            if line.startswith(RUNNER_MARKER):
                with contextlib.suppress(ValueError):
                    payload = json.loads(line[len(RUNNER_MARKER) :])
                break
        project = self.project
        if not isinstance(payload, dict):
            last = (stderr.strip().splitlines() or ["(no output)"])[-1]
            raise HookError(
                f"{project.settings}: the Django check crashed (exit {self.proc.returncode}): "
                f"{last}"
            )
        if "error" in payload:
            raise HookError(_error_message(project, payload["error"]))
        result: dict[str, Any] = payload["result"]
        return result


def _error_message(project: Project, error: Mapping[str, str]) -> str:
    where = "" if project.root == "." else f" (project {project.root})"
    message = f"{error.get('message')}{where}"
    variable = error.get("variable")
    if variable:
        return (
            f"{message}; the settings need the environment variable {variable}: set it, pass "
            f'--env {variable}=placeholder, or add env = {{ {variable} = "placeholder" }} '
            f"to [tool.django-migration-hooks.{HOOK_ID}] in pyproject.toml"
        )
    kind = error.get("kind")
    if kind == "settings" and "ModuleNotFoundError" in message:
        return (
            f"{message}; is {project.python} the project's interpreter? "
            "pass --python PATH or set python in the config"
        )
    if kind == "settings-not-found":
        return f"{message}; pass --settings MODULE or --project DIR:MODULE"
    return message


def check_django(
    projects: Sequence[Project],
    opts: Options,
    tree: Tree,
    confirm: Callable[[], Sequence[Project]] | None = None,
) -> list[Finding]:
    """Run (or reuse from the cache) the Django check of every project.

    A project's runner starts as soon as the quick part of its cache key shows that no cached
    result can match, so Django works while git walks the tree for the rest of the key.
    `confirm` gives the projects again once untracked files are listed (the same ones, unless
    an untracked entry point adds or changes one).
    """
    from concurrent.futures import ThreadPoolExecutor

    env = {k: v for k, v in opts.env.items() if k not in os.environ}
    key_env = {**os.environ, **env}
    slots = max(1, os.cpu_count() or 1)  # runners at once
    runners: dict[Project, Runner] = {}
    quick_keys: dict[Project, str] = {}
    keys: dict[Project, str] = {}
    results: dict[Project, dict[str, Any]] = {}

    def key(project: Project, tree_digest: str) -> str:
        return cache_key(
            project.python,
            project.fingerprint,
            project.root,
            project.settings,
            key_env,
            tree_digest,
        )

    def begin(projects: Sequence[Project]) -> None:
        for project in projects:
            if project in runners:
                continue
            runners[project] = Runner(project, env, opts.cache)
            if opts.cache:
                quick_keys[project] = key(project, tree.quick)
                if cache_may_hit(quick_keys[project]):
                    continue
            if sum(r.proc is not None for r in runners.values()) < slots:
                runners[project].start()

    def run(project: Project) -> dict[str, Any]:
        runner = runners[project]
        result = runner.result()
        if opts.cache and not tree.changed_since(runner.started_ns):
            cache_write(keys[project], result)
            cache_mark(quick_keys[project])
        return result

    try:
        begin(projects)
        if confirm is not None:
            confirmed = confirm()
            for project in set(runners) - set(confirmed):
                runners.pop(project).stop()
            projects = confirmed
            begin(projects)
        if opts.cache:
            tree_digest = tree.digest()
            for project in projects:
                keys[project] = key(project, tree_digest)
                cached = cache_read(keys[project])
                if cached is not None:
                    runners[project].stop()
                    results[project] = cached
                    cache_mark(quick_keys[project])
        todo = sorted(
            (p for p in projects if p not in results), key=lambda p: runners[p].proc is None
        )
        if len(todo) == 1:
            results[todo[0]] = run(todo[0])
        elif todo:
            with ThreadPoolExecutor(max_workers=min(slots, len(todo))) as pool:
                results.update(zip(todo, pool.map(run, todo), strict=True))
    finally:
        for runner in runners.values():
            runner.stop()
    if opts.cache:
        if todo:
            remember_imports(results.values())
        prune_cache()
    return [
        finding
        for project in projects
        for finding in findings_from_result(
            results[project],
            manage=project.manage,
            settings=project.settings,
            include_third_party=opts.include_third_party,
            ignore_apps=opts.ignore_apps,
        )
    ]


# --- discovery -------------------------------------------------------------------------------


class Unavailable(Exception):
    """The Django tier cannot run here; the message says why (for the auto-mode notice)."""


def find_projects(opts: Options, files: Sequence[str] | None = None) -> list[Any]:
    """The projects to check; `files`: the repository's `_django.candidate_files()`, if known."""
    from django_migration_hooks import _django

    if opts.projects:
        found: list[Any] = []
        for spec in opts.projects:
            directory, settings = _django.parse_project_spec(spec)
            found.extend(
                _django.projects_in(directory, settings or opts.settings, "projects", files)
            )
        return found
    settings, source = opts.settings, "--settings"
    if not settings and os.environ.get(_django.SETTINGS_VARIABLE):
        settings, source = os.environ[_django.SETTINGS_VARIABLE], _django.SETTINGS_VARIABLE
    discovered = _django.discover_projects(files)
    if settings:
        search = [p.root for p in discovered]
        return [_django.project_for(settings, source, search)]
    if not discovered:
        raise Unavailable(
            "no Django settings found (no manage.py, wsgi.py, asgi.py or pytest "
            "DJANGO_SETTINGS_MODULE names one)"
        )
    return discovered


def probe(python: str) -> Any:
    """`_django.probe`, remembered while the interpreter resolves to the same file and it, its
    `pyvenv.cfg` and its environment's folders keep their stat (installing or removing a
    package changes site-packages). A script (a pyenv or asdf shim) picks its interpreter
    anew each time: it is probed every time."""
    from django_migration_hooks import _django

    payload = json.dumps([CACHE_FORMAT, os.path.abspath(python), _stable_env(os.environ)])
    key = hashlib.sha256(payload.encode("utf-8", "surrogateescape")).hexdigest()
    path = os.path.join(cache_dir(), "probes", key + ".json")
    real = os.path.realpath(python)
    try:
        with open(path, encoding="utf-8") as f:
            entry = json.load(f)
        if entry["real"] == real and entry["stamps"] == [_stamp(p) for p in entry["watch"]]:
            with contextlib.suppress(OSError):
                os.utime(path)  # in use: `prune_cache` keeps it
            return _django.Probe(*entry["probe"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found = _django.probe(python)
    if found is not None and not _is_script(real):
        venv = os.path.dirname(os.path.dirname(os.path.abspath(python)))
        watch = [*_django.probe_watches(python, found), os.path.join(venv, "pyvenv.cfg")]
        stamps = [_stamp(p) for p in watch]
        entry = {"probe": list(found), "real": real, "watch": watch, "stamps": stamps}
        with contextlib.suppress(OSError):
            _atomic_write(path, json.dumps(entry))
    return found


def _is_script(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return True


def resolve_interpreter(root: str, opts: Options) -> tuple[str, str]:
    """(python, probe fingerprint) of the first candidate interpreter that has Django."""
    from django_migration_hooks import _django

    tried: list[str] = []
    explicit, configured = (None, opts.python) if opts.python_from_config else (opts.python, None)
    for candidate in _django.interpreters(root, explicit, configured):
        found = probe(candidate.path) if opts.cache else _django.probe(candidate.path)
        if found is not None:
            return candidate.path, found.fingerprint
        if candidate.explicit:
            raise HookError(
                f"{candidate.source} {candidate.path}: cannot import Django with it; "
                "pass the project's interpreter (the one that runs manage.py)"
            )
        tried.append(candidate.path if candidate.source == "PATH" else candidate.source)
    raise Unavailable(
        f"no interpreter with Django found (tried {', '.join(tried) or 'nothing'}); pass "
        "--python PATH, or add Django to additional_dependencies"
    )


def prepare(opts: Options, files: Sequence[str] | None = None) -> list[Project]:
    projects: list[Project] = []
    for found in find_projects(opts, files):
        python, fingerprint = resolve_interpreter(found.root, opts)
        projects.append(
            Project(found.root, found.settings, found.source, found.manage, python, fingerprint)
        )
    return projects


# --- static tier, modes ---------------------------------------------------------------------


def _static_tier() -> Any:
    try:
        return importlib.import_module("django_migration_hooks._static_check")
    except ImportError:
        return None


def check_static(
    filenames: Sequence[str], base: str | None, problems: list[str] | None = None
) -> list[Finding]:
    static = _static_tier()
    if static is None:
        raise HookError("the static tier (--mode static) is not available in this installation")
    found: list[Finding] = static.check_static(filenames, base, problems)
    return found


def check(filenames: Sequence[str], opts: Options, notices: list[str]) -> list[Finding]:
    """Findings of the selected tier (auto falls back to static with a notice)."""
    if opts.mode == "static":
        return check_static(filenames, opts.base, notices)
    from concurrent.futures import ThreadPoolExecutor

    from django_migration_hooks._django import candidate_files

    with ThreadPoolExecutor(max_workers=Tree.WORKERS) as pool:
        tree = Tree(pool, keyed=opts.cache)
        # Projects are found from tracked files first, so Django can start before git has
        # walked the tree for untracked ones; an untracked entry point is rare.
        tracked = candidate_files(tree.tracked)
        used = tracked

        def every() -> list[str]:
            return candidate_files([*tree.tracked, *tree.untracked])

        def confirm() -> Sequence[Project]:
            files = every()
            return projects if files == used else prepare(opts, files)

        try:
            try:
                projects = prepare(opts, tracked)
            except (Unavailable, HookError):  # an explicit project may be untracked
                used = every()
                if used == tracked:
                    raise
                projects = prepare(opts, used)
            return check_django(projects, opts, tree, confirm)
        except Unavailable as exc:
            if opts.mode == "django":
                raise HookError(f"{exc}; or use --mode static") from None
            notices.append(f"{HOOK_ID}: notice: {exc}; using the static tier (--mode static)")
            return check_static(filenames, opts.base, notices)


def suppress_noqa(findings: Iterable[Finding]) -> list[Finding]:
    from django_migration_hooks._files import FileProblem, read_text
    from django_migration_hooks._report import is_suppressed

    lines: dict[str, list[str]] = {}
    kept: list[Finding] = []
    for finding in findings:
        if finding.path not in lines:
            try:
                lines[finding.path] = read_text(finding.path).lines
            except FileProblem:
                lines[finding.path] = []
        if not is_suppressed(finding, lines[finding.path]):
            kept.append(finding)
    return kept


def options_from(args: argparse.Namespace | None, config: Any) -> Options:
    def pick(name: str, attr: str, default: Any) -> Any:
        value = getattr(args, attr, None) if args is not None else None
        return value if value not in (None, [], False) else config.get(name, default)

    mode = pick("mode", "mode", "auto")
    if mode not in MODES:
        raise HookError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    env = dict(config.get("env", {}))
    env.update(getattr(args, "env", None) or [])
    ignore_apps = {*config.get("ignore-apps", []), *(getattr(args, "ignore_app", None) or [])}
    return Options(
        mode=mode,
        python=pick("python", "python", None),
        settings=pick("settings", "settings", None),
        projects=tuple(getattr(args, "project", None) or config.get("projects", [])),
        env=env,
        ignore_apps=frozenset(ignore_apps),
        include_third_party=bool(pick("include-third-party", "include_third_party", False)),
        cache=not getattr(args, "no_cache", False) and bool(config.get("cache", True)),
        base=getattr(args, "base", None),
        python_from_config=not getattr(args, "python", None) and bool(config.get("python")),
    )


def check_repository() -> list[Finding]:
    from django_migration_hooks._config import load_config

    config = load_config(HOOK_ID, SCHEMA)
    notices: list[str] = []
    findings = check([], options_from(None, config), notices)
    for notice in notices:
        print(notice, file=sys.stderr)
    return suppress_noqa(config.keep(findings))


# --- several invocations of one pre-commit run ------------------------------------------------


def _run_id(argv_key: str) -> str | None:
    """The pre-commit process that started us (pid + start time), when run by pre-commit."""
    if os.environ.get("PRE_COMMIT") != "1":
        return None
    ppid = os.getppid()
    try:
        with open(f"/proc/{ppid}/stat", encoding="utf-8") as f:
            started = f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None
    return hashlib.sha256(f"{ppid}:{started}:{argv_key}".encode()).hexdigest()[:32]


@contextlib.contextmanager
def _locked(path: str) -> Iterator[Any]:
    import fcntl

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield f
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextlib.contextmanager
def once_per_run(argv_key: str) -> Iterator[tuple[int | None, Any]]:
    """Run the check once per pre-commit run: yields (earlier exit code or None, record).

    pre-commit splits a long file list into several invocations of the hook (one after the
    other with require_serial). The result is the whole project's, the same for each: the first
    invocation runs the check, prints and records its exit code under the id of the pre-commit
    process; the later ones print nothing and return that code. Outside pre-commit (or without
    /proc) every invocation checks: `record` is then a no-op.
    """
    run_id = _run_id(argv_key)
    if run_id is None:
        yield None, lambda code: None
        return
    runs = os.path.join(cache_dir(), "runs")
    with contextlib.ExitStack() as stack:
        try:
            f = stack.enter_context(_locked(os.path.join(runs, run_id)))
        except (OSError, ImportError):
            f = None
        if f is None:
            yield None, lambda code: None
            return
        stack.callback(_prune, runs)
        f.seek(0)
        text = f.read().strip()
        if text.isdigit():
            yield int(text), lambda code: None
            return

        def record(code: int) -> None:
            f.seek(0)
            f.truncate()
            f.write(str(code))
            f.flush()

        yield None, record


def _prune(directory: str, max_age: float = 86400.0) -> None:
    """Delete the files below `directory` not modified for `max_age` seconds."""
    import time

    now = time.time()
    for folder, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                if now - os.stat(path).st_mtime > max_age:
                    os.unlink(path)


# --- command line ---------------------------------------------------------------------------


def _env_pair(value: str) -> tuple[str, str]:
    name, sep, text = value.partition("=")
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, text


def build_parser() -> argparse.ArgumentParser:
    p = hook_parser(HOOK_ID, "Report model changes that have no migration.")
    p.add_argument("--mode", choices=MODES, help="auto (default), django or static")
    p.add_argument("--python", metavar="PATH", help="the project's interpreter")
    p.add_argument("--settings", metavar="MODULE", help="the Django settings module")
    p.add_argument(
        "--project",
        action="append",
        metavar="DIR[:MODULE]",
        help="a project directory (and settings); repeat for monorepos",
    )
    p.add_argument(
        "--env",
        action="append",
        type=_env_pair,
        metavar="NAME=VALUE",
        help="a placeholder for an environment variable the settings need (when unset)",
    )
    p.add_argument("--ignore-app", action="append", metavar="LABEL", help="skip an app")
    p.add_argument(
        "--include-third-party",
        action="store_true",
        help="also report apps whose code lives outside the repository",
    )
    p.add_argument("--base", metavar="REF", help="static tier: compare with this commit")
    p.add_argument("--no-cache", action="store_true", help="always run Django")
    return p


@handles_errors(HOOK_ID)
def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.filenames and not any_relevant(args.filenames):
        return 0  # nothing that can change the verdict: do not start Django

    from django_migration_hooks._config import load_config
    from django_migration_hooks._report import format_findings

    config = load_config(HOOK_ID, SCHEMA)
    opts = options_from(args, config)
    filenames = set(args.filenames)
    argv_key = json.dumps([a for a in (argv or sys.argv[1:]) if a not in filenames])
    with once_per_run(argv_key) as (earlier, record):
        if earlier is not None:
            return earlier
        notices: list[str] = []
        findings = suppress_noqa(config.keep(check(args.filenames, opts, notices)))
        for notice in notices:
            print(notice, file=sys.stderr)
        if findings or args.format == "json":
            print(format_findings(findings, args.format))
        code = 1 if findings else 0
        record(code)
        return code


if __name__ == "__main__":
    raise SystemExit(main())
