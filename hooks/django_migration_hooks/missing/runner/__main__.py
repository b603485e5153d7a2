"""Run the project's own `makemigrations` check without a database; print JSON.

A standalone directory, run by the *project's* interpreter (standard library and the
project's Django only; never imported by the hook package):

    python missing/runner --root PROJECT_DIR --settings SETTINGS_MODULE

Python puts this directory first on sys.path, so the sibling modules are imported by their
own names (prefixed `dmh_`, so that no project module of the same name is shadowed once they
are in sys.modules), before `main` takes the directory off the path again.

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
import contextlib
import io
import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # checked as modules of the package; run with this directory on sys.path
    from django_migration_hooks.missing.runner.dmh_code_cache import _MigrationImporter
    from django_migration_hooks.missing.runner.dmh_failures import (
        RunnerError,
        _at,
        _inside,
        _missing_variable,
        _reason,
        _user_frame,
        repository,
        set_repository,
    )
    from django_migration_hooks.missing.runner.dmh_locate import (
        _Locator,
        _models_file,
        _operation,
    )
    from django_migration_hooks.missing.runner.dmh_patches import (
        _postgres_without_driver,
        _precise_bytecode_stamps,
        _Questions,
        _speed_up_plan,
        _swap_databases,
    )
    from django_migration_hooks.missing.runner.dmh_requirements import providing
else:
    from dmh_code_cache import _MigrationImporter
    from dmh_failures import (
        RunnerError,
        _at,
        _inside,
        _missing_variable,
        _reason,
        _user_frame,
        repository,
        set_repository,
    )
    from dmh_locate import _Locator, _models_file, _operation
    from dmh_patches import (
        _postgres_without_driver,
        _precise_bytecode_stamps,
        _Questions,
        _speed_up_plan,
        _swap_databases,
    )
    from dmh_requirements import providing

MARKER = "@@django-migration-hooks-runner@@"
EXIT_NO_DJANGO = 3


def _emit(payload: dict[str, Any], stream: Any) -> None:
    stream.write("\n" + MARKER + json.dumps(payload) + "\n")
    stream.flush()


def _hint(exc: BaseException, root: str) -> str:
    """For a module that is not installed (not the project's own): the requirement of the
    repository that provides it, to add to the hook's environment."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ModuleNotFoundError) and current.name:
            top = current.name.split(".", 1)[0]
            repo = repository() or root
            if any(os.path.exists(os.path.join(d, top)) for d in (root, repo)) or any(
                os.path.exists(os.path.join(d, top + ".py")) for d in (root, repo)
            ):
                return ""
            found = providing(current.name, [repo, root])
            if found is None:
                return ""
            dist, path = found
            where = os.path.relpath(path, repo)
            return f"; add {dist} to additional_dependencies ({where} names it)"
        current = current.__cause__ or current.__context__
    return ""


def _load_settings(root: str, settings_module: str) -> Any:
    """The settings (every database on the dummy backend); `django` itself."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    try:
        import django
    except ImportError:
        raise RunnerError("no-django", "Django is not importable") from None
    from django.conf import settings

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
            f"importing settings {settings_module!r} failed{_at(where)}: {_reason(exc)}"
            f"{_hint(exc, root)}",
            _missing_variable(exc),
        ) from None
    try:
        _swap_databases(settings)
    except TypeError as exc:
        raise RunnerError("settings", f"settings {settings_module!r}: {exc}") from None
    _postgres_without_driver()

    try:
        django.setup()
    except BaseException as exc:  # noqa: B036
        where = _user_frame(exc, root)
        raise RunnerError(
            "setup",
            f"django.setup() failed{_at(where)}: {_reason(exc)}{_hint(exc, root)}",
            _missing_variable(exc),
        ) from None
    return django


CHECK_ARGS = ("--check", "--dry-run", "--no-input")


def _options(command: Any) -> dict[str, Any]:
    """What `makemigrations --check --dry-run --no-input` gives the command (a project's own
    command may insist on `check_changes`), its own defaults otherwise."""
    parser = command.create_parser("manage.py", "makemigrations")
    try:
        options = vars(parser.parse_args(list(CHECK_ARGS)))
    except SystemExit:  # a command of its own without these options
        options = vars(parser.parse_args([]))
    options.update(
        dry_run=True,
        interactive=False,
        check_changes=True,
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
    return options


def _execute(
    command: Any, command_app: str, root: str, questions: _Questions
) -> tuple[dict[str, list[Any]], Any, dict[str, Any]]:
    """Run the command: (the migrations it would write by app label, the migration loader,
    the conflicts by app label)."""
    from django.db.migrations import questioner as questioner_module
    from django.db.migrations.loader import MigrationLoader

    captured: dict[str, list[Any]] = {}

    def write_migration_files(changes: Any, *args: Any, **kwargs: Any) -> None:
        for app_label, migrations in changes.items():
            captured.setdefault(app_label, []).extend(migrations)

    command.write_migration_files = write_migration_files
    command.write_to_last_migration_files = write_migration_files

    questioner_cls = questioner_module.NonInteractiveMigrationQuestioner
    saved = questions.patch(questioner_cls)
    saved_detect = MigrationLoader.__dict__["detect_conflicts"]
    graph: dict[str, Any] = {}

    def detect_conflicts(self: Any) -> dict[str, Any]:
        # Record the conflicts (reported as merge-needed) and let the command check the
        # other apps instead of stopping at the first conflict.
        graph["loader"], graph["conflicts"] = self, saved_detect(self)
        return {}

    MigrationLoader.detect_conflicts = detect_conflicts  # type: ignore[method-assign]
    options = _options(command)
    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log):
            command.execute(**options)
    except SystemExit as exc:
        # with check_changes, Django exits with status 1 when there are changes
        if exc.code not in (0, 1, None):
            raise RunnerError(
                "command",
                f"{command_app} makemigrations exited with status {exc.code}",
            ) from None
    except BaseException as exc:  # noqa: B036
        where = _user_frame(exc, root)
        raise RunnerError(
            "command",
            f"{command_app} makemigrations failed{_at(where)}: {_reason(exc)}{_hint(exc, root)}",
        ) from None
    finally:
        for name, value in saved.items():
            if value is None:
                delattr(questioner_cls, name)
            else:
                setattr(questioner_cls, name, value)
        MigrationLoader.detect_conflicts = saved_detect  # type: ignore[method-assign]
    if "loader" not in graph:  # a command that never looked for conflicts
        graph["loader"], graph["conflicts"] = _conflicts(root)
    return captured, graph["loader"], graph["conflicts"]


def _conflicts(root: str) -> tuple[Any, dict[str, Any]]:
    from django.db.migrations.loader import MigrationLoader

    try:
        loader = MigrationLoader(None, ignore_no_migrations=True)
        return loader, loader.detect_conflicts()
    except BaseException as exc:  # noqa: B036
        where = _user_frame(exc, root)
        raise RunnerError(
            "loader", f"loading migrations failed{_at(where)}: {_reason(exc)}"
        ) from None


def run(root: str, settings_module: str, code_cache: str | None = None) -> dict[str, Any]:
    django = _load_settings(root, settings_module)
    _speed_up_plan()
    from django.core.management import get_commands, load_command_class
    from django.db.migrations import loader as loader_module

    importer = _MigrationImporter(code_cache, root, settings_module) if code_cache else None
    if importer is not None:
        loader_module.import_module = importer.import_module  # type: ignore[attr-defined]

    command_app = get_commands().get("makemigrations", "django.core")
    command = load_command_class(command_app, "makemigrations")
    questions = _Questions()
    captured, loader, conflicts = _execute(command, command_app, root, questions)
    if importer is not None:
        importer.save()
    return {
        "django": django.get_version(),
        "command": command_app,
        "apps": _apps(root, captured, loader, conflicts),
        "questions": questions.asked,
        "modules": _imported_files(),
    }


def _apps(
    root: str, captured: dict[str, list[Any]], loader: Any, conflicts: dict[str, Any]
) -> list[dict[str, Any]]:
    """The apps with pending operations or conflicts, each with its operations' locations."""
    from django.apps import apps

    locator = _Locator(_in_repository)
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
    return result_apps


def _in_repository(path: str) -> bool:
    return _inside(path, repository() or os.getcwd())


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
    set_repository(os.getcwd())  # started in the repository's root
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
