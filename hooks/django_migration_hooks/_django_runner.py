"""Run the project's own `makemigrations` check without a database; print JSON.

A standalone script, run by the *project's* interpreter (standard library and the project's
Django only; never imported by the hook package):

    python _django_runner.py --root PROJECT_DIR --settings SETTINGS_MODULE

It loads the settings with every database swapped to Django's dummy backend (no driver, no
server), calls `django.setup()` (no system checks), loads the `makemigrations` command class
that `manage.py makemigrations` would load (an app may override it; Django 5.2's
`Command.autodetector` attribute is honoured because the command's own `handle` runs), and
runs its `handle()` as `makemigrations --dry-run --no-input` with `write_migration_files`
patched to capture the migrations it would write instead of logging or writing them.
Questions (renames, non-null fields) are answered non-interactively and recorded.

The last stdout line is MARKER followed by JSON: {"result": {...}} or {"error": {...}}.
Exit status: 0 with JSON, 3 when Django cannot be imported.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import re
import sys
import traceback
from typing import Any

MARKER = "@@django-migration-hooks-runner@@"
EXIT_NO_DJANGO = 3

_ENV_PATTERNS = (
    # django-environ, python-decouple, hand-written checks
    re.compile(r"Set the (\w+) environment variable"),
    re.compile(r"(\w+) not found\. Declare it as envvar"),
    re.compile(
        r"environment variable ['\"]?(\w+)['\"]? (?:is )?(?:not set|missing|required)", re.I
    ),
)


class RunnerError(Exception):
    def __init__(self, kind: str, message: str, variable: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.variable = variable


def _emit(payload: dict[str, Any], stream: Any) -> None:
    stream.write("\n" + MARKER + json.dumps(payload) + "\n")
    stream.flush()


def _last_line(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text.splitlines()[-1] if text else type(exc).__name__


def _missing_variable(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        name = exc.args[0]
        if re.fullmatch(r"[A-Z_][A-Z0-9_]*", name) and name not in os.environ:
            return name
    text = str(exc)
    for pattern in _ENV_PATTERNS:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return ""


def _user_frame(exc: BaseException, root: str) -> str:
    """'path:line' of the innermost traceback frame inside the project, if any."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{_rel(exc.filename, root)}:{exc.lineno or 1}"
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if _inside(filename, root):
            where = f"{_rel(filename, root)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _at(where: str) -> str:
    return f" at {where}" if where else ""


def _inside(path: str, root: str) -> bool:
    if path.startswith("<") or not os.path.exists(path):
        return False
    path = os.path.realpath(path)
    if any(part in ("site-packages", "dist-packages") for part in path.split(os.sep)):
        return False
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _rel(path: str, root: str) -> str:
    try:
        return os.path.relpath(os.path.realpath(path), root)
    except ValueError:
        return path


def _swap_databases(settings: Any) -> None:
    """Every alias on the dummy backend, before anything reads settings.DATABASES."""
    wrapped = settings._wrapped
    aliases = list(getattr(wrapped, "DATABASES", None) or {}) or ["default"]
    if "default" not in aliases:
        aliases.insert(0, "default")
    wrapped.DATABASES = {alias: {"ENGINE": "django.db.backends.dummy"} for alias in aliases}
    settings.__dict__.pop("DATABASES", None)


class _Questions:
    def __init__(self) -> None:
        self.asked: list[dict[str, str]] = []

    NAMES = ("ask_not_null_addition", "ask_auto_now_add_addition", "ask_rename", "ask_rename_model")

    def patch(self, questioner_cls: Any) -> dict[str, Any]:
        """Answer without prompting and record each question; returns what to restore."""
        saved = {name: questioner_cls.__dict__.get(name) for name in self.NAMES}
        asked = self.asked

        def ask_not_null_addition(self: Any, field_name: str, model_name: str) -> Any:
            asked.append({"kind": "not-null", "model": model_name, "field": field_name})
            return None

        def ask_auto_now_add_addition(self: Any, field_name: str, model_name: str) -> Any:
            asked.append({"kind": "auto-now-add", "model": model_name, "field": field_name})
            return None

        def ask_rename(self: Any, model_name: str, old: str, new: str, field: Any) -> bool:
            asked.append({"kind": "rename", "model": model_name, "old": old, "new": new})
            return False

        def ask_rename_model(self: Any, old_state: Any, new_state: Any) -> bool:
            asked.append(
                {
                    "kind": "rename-model",
                    "model": new_state.name,
                    "old": old_state.name,
                    "new": new_state.name,
                }
            )
            return False

        questioner_cls.ask_not_null_addition = ask_not_null_addition
        questioner_cls.ask_auto_now_add_addition = ask_auto_now_add_addition
        questioner_cls.ask_rename = ask_rename
        questioner_cls.ask_rename_model = ask_rename_model
        return saved


class _Locator:
    """Source file and line of model classes and their field assignments (via ast)."""

    def __init__(self) -> None:
        self.trees: dict[str, ast.Module | None] = {}

    def _tree(self, path: str) -> ast.Module | None:
        if path not in self.trees:
            try:
                with open(path, "rb") as f:
                    self.trees[path] = ast.parse(f.read(), path)
            except (OSError, SyntaxError, ValueError):
                self.trees[path] = None
        return self.trees[path]

    def _class(self, cls: type) -> tuple[str, ast.ClassDef] | None:
        module = sys.modules.get(cls.__module__)
        path = getattr(module, "__file__", None)
        if not path or not path.endswith(".py"):
            return None
        tree = self._tree(path)
        if tree is None:
            return None
        parts = cls.__qualname__.split(".")
        body: list[ast.stmt] = tree.body
        found: ast.ClassDef | None = None
        for part in parts:
            found = None
            for node in body:
                if isinstance(node, ast.ClassDef) and node.name == part:
                    found = node  # the last definition wins, as at run time
            if found is None:
                break
            body = found.body
        if found is None:
            return None
        return os.path.realpath(path), found

    def model(self, model: Any, field: str | None) -> tuple[str, int, int] | None:
        first = None
        for cls in model.__mro__:
            if cls is object or not hasattr(cls, "_meta"):
                continue
            located = self._class(cls)
            if located is None:
                continue
            path, node = located
            if first is None:
                first = (path, node.lineno, node.col_offset + 1)
            if field is None:
                return first
            for stmt in node.body:
                targets: list[ast.expr] = []
                if isinstance(stmt, ast.Assign):
                    targets = stmt.targets
                elif isinstance(stmt, ast.AnnAssign):
                    targets = [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id == field:
                        return path, target.lineno, target.col_offset + 1
        return first


def _operation(op: Any, app_label: str, apps: Any, locator: _Locator) -> dict[str, Any]:
    from django.db.migrations.operations.fields import FieldOperation  # type: ignore[import-untyped]

    kind = type(op).__name__
    model_name = getattr(op, "model_name", None)
    field = None
    if isinstance(op, FieldOperation):
        field = getattr(op, "new_name", None) or op.name
    elif model_name is None:
        model_name = getattr(op, "new_name", None) or getattr(op, "name", None)
    info: dict[str, Any] = {
        "kind": kind,
        "describe": op.describe(),
        "model": model_name,
        "field": field,
        "path": None,
        "line": 1,
        "col": 1,
    }
    if kind == "AlterModelOptions":
        info["options"] = sorted(getattr(op, "options", {}) or {})
    if kind in ("RenameField", "RenameModel"):
        info["old"] = getattr(op, "old_name", None)
    model = None
    if model_name:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            model = None
    if model is not None:
        info["model"] = model._meta.object_name
        located = locator.model(model, field)
        if located is not None:
            info["path"], info["line"], info["col"] = located
    return info


def _models_file(app_config: Any) -> str | None:
    module = getattr(app_config, "models_module", None)
    path: str | None = getattr(module, "__file__", None)
    if path:
        return os.path.realpath(path)
    candidate = os.path.join(app_config.path, "models.py")
    return os.path.realpath(candidate) if os.path.exists(candidate) else None


def _precise_bytecode_stamps(root: str) -> None:
    """Validate cached bytecode of the project's files by microseconds, not seconds.

    A timestamp .pyc records the source's mtime in whole seconds plus its size, so a same-size
    edit within the second the .pyc was written would import stale code. Only used when the hook
    points PYTHONPYCACHEPREFIX at its own cache (the stamps are then written and read by us
    alone).
    """
    import importlib.machinery

    loader = importlib.machinery.SourceFileLoader
    original = loader.path_stats
    prefix = root.rstrip(os.sep) + os.sep

    def path_stats(self: Any, path: str) -> Any:
        if not path.startswith(prefix):
            return original(self, path)
        st = os.stat(path)
        return {"mtime": (st.st_mtime_ns // 1000) % 2**32, "size": st.st_size}

    loader.path_stats = path_stats  # type: ignore[method-assign]


def _speed_up_plan() -> None:
    """`MigrationGraph._generate_plan` with a set for membership: same plan, linear time.

    Django's version tests `migration not in plan` on a list, quadratic in the number of
    migrations (seconds on a project with thousands); the order of the plan is unchanged.
    """
    from django.db.migrations.graph import MigrationGraph  # type: ignore[import-untyped]

    def _generate_plan(self: Any, nodes: Any, at_end: bool) -> list[Any]:
        plan: list[Any] = []
        seen: set[Any] = set()
        wanted = set(nodes)
        for node in nodes:
            for migration in self.forwards_plan(node):
                if migration not in seen and (at_end or migration not in wanted):
                    plan.append(migration)
                    seen.add(migration)
        return plan

    MigrationGraph._generate_plan = _generate_plan


class _MigrationImporter:
    """`import_module` for `MigrationLoader`: migration modules run from one code cache file.

    Through the import system every one of a project's thousands of migration modules costs a
    finder search, a .pyc open and validation and a spec: more than running the module. For a
    plain source module next to its already imported package, `import_module` here makes the
    module the import system would make (same attributes, `sys.modules` entry, binding in the
    parent package, exceptions) with code kept in one file per project, validated by the
    source's mtime (ns), ctime and size. Anything else (a package, an extension module, a
    finder or source loader other than the default ones, a syntax error) goes through
    `importlib.import_module` unchanged. The file carries a checksum: a damaged one is ignored
    and rewritten, never run.
    """

    def __init__(self, cache_dir: str, root: str, settings_module: str) -> None:
        import importlib.util

        # code objects are specific to the interpreter's bytecode version and -O level
        tag = f"{importlib.util.MAGIC_NUMBER.hex()}-{sys.flags.optimize}"
        project = _sha256(f"{root}\0{settings_module}".encode("utf-8", "surrogateescape"))
        self.cache_file = os.path.join(cache_dir, f"{project[:16]}-{tag}.marshal")
        self.cached: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self.used: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self.compiled = False
        self.listings: dict[str, set[str]] = {}
        self.started_ns = file_clock(cache_dir)
        try:
            with open(self.cache_file, "rb") as f:
                data = f.read()  # marshal.load(f) would read it in tiny pieces
        except OSError:
            return
        checksum, payload = data[:64], data[64:]
        if checksum != _sha256(payload).encode():
            return
        import marshal

        try:
            loaded = marshal.loads(payload)
        except Exception:  # noqa: BLE001 - marshal raises several kinds on bad data
            return
        if isinstance(loaded, dict):
            self.cached = loaded

    def import_module(self, name: str, package: str | None = None) -> Any:
        import importlib

        if package is None and name not in sys.modules:
            module = self._load(name)
            if module is not None:
                return module
        return importlib.import_module(name, package)

    def _load(self, name: str) -> Any:
        import importlib.machinery as machinery

        parent_name, _, child = name.rpartition(".")
        parent = sys.modules.get(parent_name) if parent_name else None
        search = getattr(parent, "__path__", None)
        if type(search) is not list or len(search) != 1:
            return None
        directory = search[0]
        if directory not in sys.path_importer_cache:
            machinery.PathFinder.find_spec(name, search)  # sets up the folder's finder
        finder = sys.path_importer_cache.get(directory)
        # the default finder, whose .py loader is the plain one (an import hook may install a
        # FileFinder with a loader that rewrites the code)
        if type(finder) is not machinery.FileFinder or any(
            suffix == ".py" and loader is not machinery.SourceFileLoader
            for suffix, loader in getattr(finder, "_loaders", [(".py", None)])
        ):
            return None
        for meta in sys.meta_path:
            if meta is machinery.PathFinder:
                break
            if meta in (machinery.BuiltinImporter, machinery.FrozenImporter):
                continue
            find_spec = getattr(meta, "find_spec", None)
            if find_spec is None or find_spec(name, search) is not None:
                return None
        else:
            return None
        names = self.listings.get(directory)
        if names is None:
            try:
                names = self.listings[directory] = set(os.listdir(directory))
            except OSError:
                return None
        suffixes = machinery.EXTENSION_SUFFIXES
        if (
            child + ".py" not in names
            or child in names
            or any(child + s in names for s in suffixes)
        ):
            return None
        path = os.path.join(directory, child + ".py")
        try:
            st = os.stat(path)
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_size)
        entry: Any = self.cached.get(path)
        if not (
            type(entry) is tuple
            and len(entry) == 2
            and entry[0] == stamp
            and isinstance(entry[1], type(_sha256.__code__))
        ):
            try:
                with open(path, "rb") as f:
                    code = compile(f.read(), path, "exec", dont_inherit=True)
            except (OSError, SyntaxError, ValueError):
                return None  # the import system raises the error itself
            entry = (stamp, code)
            self.compiled = True
        self.used[path] = entry
        loader = machinery.SourceFileLoader(name, path)
        spec = machinery.ModuleSpec(name, loader, origin=path)
        spec.has_location = True
        module = type(sys)(name)  # the attributes importlib's module_from_spec sets
        module.__loader__ = loader
        module.__package__ = parent_name
        module.__spec__ = spec
        module.__file__ = path
        module.__cached__ = spec.cached  # type: ignore[attr-defined]
        sys.modules[name] = module
        spec._initializing = True  # type: ignore[attr-defined]  # "partially initialized" errors
        try:
            exec(entry[1], module.__dict__)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        finally:
            spec._initializing = False  # type: ignore[attr-defined]
        module = sys.modules[name]
        setattr(parent, child, module)
        return module

    def save(self) -> None:
        """Write the cache file when a module was compiled (atomically; last writer wins)."""
        if not (self.compiled or len(self.used) != len(self.cached)):
            with contextlib.suppress(OSError):
                os.utime(self.cache_file)  # in use: the hook's cache pruning keeps it
            return
        import marshal
        import tempfile

        directory = os.path.dirname(self.cache_file)
        _remove_stale_temporaries(directory)
        tmp = None
        try:
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".code-")
            # a source changed in the clock tick this run started in may have changed again
            # after it was read, with the same stamp: the next run compiles it again
            settled = {p: e for p, e in self.used.items() if e[0][1] < self.started_ns}
            payload = marshal.dumps(settled)
            with os.fdopen(fd, "wb") as f:
                f.write(_sha256(payload).encode() + payload)
            os.replace(tmp, self.cache_file)
        except (OSError, ValueError):  # a read-only cache only costs speed
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def file_clock(directory: str) -> int:
    """Now, as the ctime (ns) of a file made now in `directory`: file times come from a coarser
    clock than `time.time_ns()`, so only a file's own time compares safely with other files'
    times. 0 (older than any file) when no file can be made there."""
    import tempfile

    try:
        os.makedirs(directory, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory) as f:
            return os.fstat(f.fileno()).st_ctime_ns
    except OSError:
        return 0


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _remove_stale_temporaries(directory: str, max_age: float = 3600.0) -> None:
    """Temporary files of writers that were stopped mid-write (the hook stops a runner whose
    result the cache turned out to have)."""
    import time

    now = time.time()
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.startswith(".code-"):
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime > max_age:
                        os.unlink(entry.path)


def run(root: str, settings_module: str, code_cache: str | None = None) -> dict[str, Any]:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    try:
        import django  # type: ignore[import-untyped]
    except ImportError:
        raise RunnerError("no-django", "Django is not importable") from None
    from django.conf import settings  # type: ignore[import-untyped]

    try:
        settings._setup()
    except BaseException as exc:  # noqa: B036 - settings modules raise anything, even SystemExit
        if (
            isinstance(exc, ModuleNotFoundError)
            and exc.name
            and (settings_module == exc.name or settings_module.startswith(exc.name + "."))
        ):
            raise RunnerError(
                "settings-not-found",
                f"settings module {settings_module!r} not found (searched from {root})",
            ) from None
        where = _user_frame(exc, root)
        raise RunnerError(
            "settings",
            f"importing settings {settings_module!r} failed{_at(where)}: {_last_line(exc)}",
            _missing_variable(exc),
        ) from None
    _swap_databases(settings)

    try:
        django.setup()
    except BaseException as exc:  # noqa: B036
        where = _user_frame(exc, root)
        raise RunnerError(
            "setup",
            f"django.setup() failed{_at(where)}: {_last_line(exc)}",
            _missing_variable(exc),
        ) from None

    _speed_up_plan()
    from django.apps import apps  # type: ignore[import-untyped]
    from django.core.management import get_commands, load_command_class  # type: ignore[import-untyped]
    from django.db.migrations import loader as loader_module  # type: ignore[import-untyped]
    from django.db.migrations import questioner as questioner_module
    from django.db.migrations.loader import MigrationLoader  # type: ignore[import-untyped]

    importer = _MigrationImporter(code_cache, root, settings_module) if code_cache else None
    if importer is not None:
        loader_module.import_module = importer.import_module

    command_app = get_commands().get("makemigrations", "django.core")
    command = load_command_class(command_app, "makemigrations")
    captured: dict[str, list[Any]] = {}

    def write_migration_files(changes: Any, *args: Any, **kwargs: Any) -> None:
        for app_label, migrations in changes.items():
            captured.setdefault(app_label, []).extend(migrations)

    command.write_migration_files = write_migration_files
    command.write_to_last_migration_files = write_migration_files

    questions = _Questions()
    questioner_cls = questioner_module.NonInteractiveMigrationQuestioner
    saved = questions.patch(questioner_cls)
    saved_detect = MigrationLoader.__dict__["detect_conflicts"]
    graph: dict[str, Any] = {}

    def detect_conflicts(self: Any) -> dict[str, Any]:
        # Record the conflicts (reported as merge-needed) and let the command check the
        # other apps instead of stopping at the first conflict.
        graph["loader"], graph["conflicts"] = self, saved_detect(self)
        return {}

    MigrationLoader.detect_conflicts = detect_conflicts
    parser = command.create_parser("manage.py", "makemigrations")
    options = vars(parser.parse_args([]))
    options.update(
        dry_run=True,
        interactive=False,
        check_changes=False,
        verbosity=1,
        merge=False,
        empty=False,
        skip_checks=True,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    options = {k: v for k, v in options.items() if k not in ("args",)}
    if "update" in options:
        options["update"] = False
    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log):
            command.execute(**options)
    except SystemExit as exc:
        if exc.code not in (0, 1, None):
            raise RunnerError(
                "command",
                f"{command_app} makemigrations exited with status {exc.code}",
            ) from None
    except BaseException as exc:  # noqa: B036
        where = _user_frame(exc, root)
        raise RunnerError(
            "command",
            f"{command_app} makemigrations failed{_at(where)}: {_last_line(exc)}",
        ) from None
    finally:
        for name, value in saved.items():
            if value is None:
                delattr(questioner_cls, name)
            else:
                setattr(questioner_cls, name, value)
        MigrationLoader.detect_conflicts = saved_detect

    if "loader" not in graph:  # a command that never looked for conflicts
        try:
            loader = MigrationLoader(None, ignore_no_migrations=True)
            graph["loader"], graph["conflicts"] = loader, loader.detect_conflicts()
        except BaseException as exc:  # noqa: B036
            where = _user_frame(exc, root)
            raise RunnerError(
                "loader", f"loading migrations failed{_at(where)}: {_last_line(exc)}"
            ) from None
    if importer is not None:
        importer.save()
    loader, conflicts = graph["loader"], graph["conflicts"]
    locator = _Locator()
    result_apps: list[dict[str, Any]] = []
    for app_config in apps.get_app_configs():
        label = app_config.label
        app_path = os.path.realpath(app_config.path)
        entry: dict[str, Any] = {
            "label": label,
            "name": app_config.name,
            "path": app_path,
            "first_party": _inside(app_path, root),
            "models_file": _models_file(app_config),
            "operations": [],
            "migrations": [],
            "conflicts": [],
        }
        for migration in captured.get(label, []):
            entry["migrations"].append(migration.name)
            for op in migration.operations:
                entry["operations"].append(_operation(op, label, apps, locator))
        if label in conflicts:
            names = sorted(conflicts[label])
            for name in names:
                migration = loader.disk_migrations.get((label, name))
                module = sys.modules.get(type(migration).__module__)
                path = getattr(module, "__file__", None)
                entry["conflicts"].append(
                    {"name": name, "path": os.path.realpath(path) if path else None}
                )
        if entry["operations"] or entry["conflicts"]:
            result_apps.append(entry)
    return {
        "django": django.get_version(),
        "command": command_app,
        "apps": result_apps,
        "questions": questions.asked,
        "modules": _imported_files(),
    }


def _imported_files() -> list[str]:
    """Files of the modules the check imported, outside the interpreter's own directories
    (stdlib, site-packages) and migrations: the hook learns from them which helper modules
    outside any app (custom fields, choices) can change the verdict."""
    import site
    import sysconfig

    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    prefixes.update(p for p in sysconfig.get_paths().values() if p)
    prefixes.update(getattr(site, "getsitepackages", list)())
    with contextlib.suppress(Exception):
        prefixes.add(site.getusersitepackages())
    skip = tuple(os.path.join(os.path.abspath(p), "") for p in prefixes)
    files = set()
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and "migrations" not in name.split("."):
            path = os.path.abspath(path)
            if not path.startswith(skip):
                files.add(path)
    return sorted(files)


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == here:
        del sys.path[0]
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--precise-bytecode-stamps", action="store_true")
    parser.add_argument("--code-cache", help="directory for the migration code cache")
    args = parser.parse_args()
    root = os.path.realpath(args.root)
    os.chdir(root)
    if args.precise_bytecode_stamps:
        _precise_bytecode_stamps(root)
    sys.path.insert(0, root)
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # project code may print; keep stdout for the JSON
    try:
        result = run(root, args.settings, args.code_cache)
    except RunnerError as exc:
        _emit(
            {"error": {"kind": exc.kind, "message": exc.message, "variable": exc.variable}},
            real_stdout,
        )
        return EXIT_NO_DJANGO if exc.kind == "no-django" else 0
    _emit({"result": result}, real_stdout)
    return 0


def _exit(status: int) -> None:
    """Exit without tearing down the interpreter.

    A short-lived process that loaded thousands of modules and model states spends a tenth of
    its time freeing them at exit. The project's exit handlers (atexit, weakref finalizers)
    still run; only module teardown is skipped.
    """
    import atexit

    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is not None:
        run_exit_handlers()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.flush()
    os._exit(status)


if __name__ == "__main__":
    import gc

    # Nothing here lives long enough for cycle collection to pay: building thousands of
    # migrations and model states triggers it hundreds of times for no memory gain.
    gc.disable()
    _exit(main())
