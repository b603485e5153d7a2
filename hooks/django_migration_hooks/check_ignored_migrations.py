"""check-ignored-migrations: ignore rules that keep Django migrations out of git or the deploy.

- DMH201: a `.gitignore` rule (nested files, `.git/info/exclude` and `core.excludesFile` included)
  ignores existing migration files of an app, its `migrations/__init__.py`, the next migration
  `makemigrations` would write, or the migrations of any new app. Git decides, in one batched
  `git check-ignore --no-index -v -z --stdin`; the finding points at the rule.
- DMH202: the same for deploy-side ignore files: `.dockerignore` (and `<Dockerfile>.dockerignore`),
  `.gcloudignore`, `.ebignore`, `.slugignore`, `.cfignore`, each with its tool's semantics.
- DMH203: a Django migrations folder without `__init__.py` (Django treats the app as unmigrated).
- DMH204: an app whose models define concrete models but which has no migrations at all.

`--fix` comments out the offending rules of `.gitignore`-style files (never deletes a line, keeps
every other byte), then checks again with git.
"""

from __future__ import annotations

import os
import posixpath
import shlex
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from django_migration_hooks import _git, rules
from django_migration_hooks._config import Config, load_config
from django_migration_hooks._files import FileProblem, read_bytes, read_text, replace_file
from django_migration_hooks._hook import fix_command, parser
from django_migration_hooks._report import (
    EXIT_FINDINGS,
    Finding,
    handles_errors,
    report,
    unsuppressed,
)
from django_migration_hooks.djangoread import apps as _apps
from django_migration_hooks.djangoread.apps import App
from django_migration_hooks.ignore import IgnoreRule
from django_migration_hooks.ignore.docker import DockerIgnore
from django_migration_hooks.ignore.gitstyle import DIALECTS, TOOLS, GitStyleIgnore
from django_migration_hooks.rules import codes

HOOK_ID = "check-ignored-migrations"
SCHEMA: dict[str, str] = {}
NEW_APP = "newapp"  # name of the hypothetical app used to test rules against future apps
FIX_NOTE = b"  (disabled by check-ignored-migrations: Django migrations must be committed)"
DEPLOY_FIX_NOTE = b"  (disabled by check-ignored-migrations: Django migrations must be deployed)"
MAX_FIX_ROUNDS = 10
TEST_DIRS = frozenset({"tests", "test", "testing"})
IGNORE_SUFFIXES = (".dockerignore", ".containerignore", *DIALECTS)

RULES = rules.for_hook(HOOK_ID)


class Probe(NamedTuple):
    """A migration path whose ignore status matters."""

    path: str  # repo-relative
    app: App | None  # None: a hypothetical new app
    kind: str  # "existing" | "init" | "future"


# --- what to test ------------------------------------------------------------------------------


def probes(apps: Sequence[App], base: str = "", *, new_project: bool = True) -> list[Probe]:
    """Migration paths of the apps below base, plus those of a new app next to them.

    Without any app, a new app at the repository root is tested (and nothing below base),
    unless `new_project` is False (a repository whose migrations are another framework's).
    """
    result: list[Probe] = []
    parents: set[str] = set()
    for app in apps:
        if not _under(app.path, base):
            continue
        parents.add(posixpath.dirname(app.path) if app.path else "")
        migrations_dir = app.migrations_dir or app.join("migrations")
        for path in app.migrations:
            result.append(Probe(path, app, "existing"))
        init = posixpath.join(migrations_dir, "__init__.py")
        result.append(Probe(init, app, "init" if app.has_init else "future"))
        result.append(Probe(app.future_migration(), app, "future"))
    if not parents and not base and new_project:
        parents.add("")  # no app yet: a rule may still hide the first one
    for parent in sorted(parents):
        if not _under(parent, base):
            continue
        folder = (
            posixpath.join(parent, NEW_APP, "migrations") if parent else f"{NEW_APP}/migrations"
        )
        result.append(Probe(f"{folder}/__init__.py", None, "future"))
        result.append(Probe(f"{folder}/0001_initial.py", None, "future"))
    return result


def other_framework(files: Iterable[str]) -> bool:
    """Whether the repository holds Alembic / Flask-Migrate migrations (`alembic.ini`, or a
    folder with `env.py` and `script.py.mako`): without a Django app, it is not a Django
    project waiting for its first app."""
    names: dict[str, set[str]] = {}
    for path in files:
        folder, _, name = path.rpartition("/")
        if name == "alembic.ini":
            return True
        if name in ("env.py", "script.py.mako"):
            names.setdefault(folder, set()).add(name)
    return any(len(found) == 2 for found in names.values())


def new_app_code(probe_list: Iterable[Probe]) -> dict[str, list[str]]:
    """For each new-app migration probe, the code files of that new app (models.py, apps.py).

    A rule that hides a new app's migrations together with its code keeps the whole app out
    (an allow-list such as `*` then `!blog/`): that is not a migrations problem.
    """
    code: dict[str, list[str]] = {}
    for probe in probe_list:
        if probe.app is None:
            app_dir = posixpath.dirname(posixpath.dirname(probe.path))
            code[probe.path] = [posixpath.join(app_dir, n) for n in ("models.py", "apps.py")]
    return code


def _hides_only_migrations(
    probe: Probe, code: dict[str, list[str]], excluded: Callable[[str], bool]
) -> bool:
    return probe.app is not None or not all(excluded(p) for p in code.get(probe.path, []))


def _build_lacks_app(probe: Probe, excluded: Callable[[str], bool]) -> bool:
    """Whether a build leaves out the code of the probe's app too (`*` then `!requirements/`:
    the image holds no app, the source is mounted): its migrations are not the problem."""
    if probe.app is None:
        return False
    code = [*probe.app.models, *([probe.app.apps_py] if probe.app.apps_py else [])]
    return bool(code) and all(excluded(path) for path in code)


def _under(path: str, base: str) -> bool:
    return not base or path == base or path.startswith(base + "/")


def _relative(path: str, base: str) -> str:
    return path[len(base) + 1 :] if base else path


def _s(count: int, word: str) -> str:
    return f"{word}{'' if count == 1 else 's'}"


def describe(hits: Sequence[Probe]) -> str:
    """What a rule hides, e.g. "the migrations of apps `a`, `b` (a/migrations/0001_x.py, ...)"."""
    real = [p for p in hits if p.app is not None]
    if not real:
        return f"the migrations of any new app (e.g. {min(p.path for p in hits)})"
    labels = sorted({p.app.label for p in real if p.app is not None})
    names = ", ".join(f"`{label}`" for label in labels)
    present = sorted(p.path for p in real if p.kind != "future")
    if present:
        more = f" and {len(present) - 1} more" if len(present) > 1 else ""
        return f"the migrations of {_s(len(labels), 'app')} {names} ({present[0]}{more})"
    future = sorted(p.path for p in real)
    return f"future migrations of {_s(len(labels), 'app')} {names} (e.g. {future[0]})"


def _anchor(app: App, hits: Sequence[Probe], files: set[str]) -> str:
    existing = sorted(p.path for p in hits if p.path in files)
    for candidate in (*existing, *app.models, app.apps_py or "", *app.migrations):
        if candidate:
            return candidate
    return app.join("models.py")


# --- DMH201 ------------------------------------------------------------------------------------


def check_gitignore(
    probe_list: Sequence[Probe],
    matches: dict[str, _git.IgnoreMatch],
    files: Iterable[str] = (),
) -> list[Finding]:
    """DMH201 from the rules git reported for the probe paths."""
    known = set(files)
    code = new_app_code(probe_list)
    by_rule: dict[tuple[str, int, str], list[Probe]] = {}
    for probe in probe_list:
        match = matches.get(probe.path)
        if match is not None and _hides_only_migrations(probe, code, matches.__contains__):
            by_rule.setdefault((match.source, match.line, match.pattern), []).append(probe)
    findings: list[Finding] = []
    for (source, line, pattern), hits in by_rule.items():
        if _in_worktree(source):
            findings.append(
                Finding(
                    source,
                    line,
                    1,
                    codes.DMH201,
                    f"`{pattern}` ignores {describe(hits)}",
                    f"delete this rule or {fix_command(HOOK_ID)}, then git add the migration files",
                )
            )
            continue
        where = _outside_description(source, line)
        by_app: dict[str, list[Probe]] = {}
        apps: dict[str, App] = {}
        for probe in hits:
            if probe.app is not None:
                by_app.setdefault(probe.app.path, []).append(probe)
                apps[probe.app.path] = probe.app
        for path, app_hits in by_app.items():
            findings.append(
                Finding(
                    _anchor(apps[path], app_hits, known),
                    1,
                    1,
                    codes.DMH201,
                    f"{describe(app_hits)} are ignored by `{pattern}` in {where}",
                    f"remove that line from {source}, then git add the migration files",
                )
            )
    return findings


def _in_worktree(source: str) -> bool:
    """Whether an ignore file belongs to the work tree (not .git/info/exclude, not global)."""
    return not os.path.isabs(source) and "/.git/" not in f"/{source}"


def _outside_description(source: str, line: int) -> str:
    if "/.git/" in "/" + source.replace(os.sep, "/"):
        return f"{source}:{line} (local to this clone, not committed)"
    return f"{source}:{line}, outside the repository (global core.excludesFile)"


# --- DMH202 ------------------------------------------------------------------------------------


class DeployIgnore(NamedTuple):
    path: str  # repo-relative ignore file
    kind: str  # "docker" or a gitstyle dialect
    contexts: tuple[str, ...]  # folders the patterns are relative to


def deploy_ignore_files(files: Iterable[str]) -> list[DeployIgnore]:
    found: list[DeployIgnore] = []
    for path in files:
        if not path.endswith(IGNORE_SUFFIXES) or _apps.is_skipped(path):
            continue
        folder, _, name = path.rpartition("/")
        if name in (".dockerignore", ".containerignore"):
            found.append(DeployIgnore(path, "docker", (folder,)))
        elif name.endswith((".dockerignore", ".containerignore")):
            # <Dockerfile>.dockerignore: the context is given on the command line; the usual
            # ones are the Dockerfile's folder and the folders above it
            contexts = [folder]
            while folder:
                folder = posixpath.dirname(folder)
                contexts.append(folder)
            found.append(DeployIgnore(path, "docker", tuple(contexts)))
        elif name in DIALECTS:
            found.append(DeployIgnore(path, DIALECTS[name], (folder,)))
    return sorted(found)


LineReader = Callable[[str], "list[str] | None"]


def check_deploy_ignore(
    ignore: DeployIgnore,
    lines: Sequence[str],
    apps: Sequence[App],
    read: LineReader,
    *,
    new_project: bool = True,
) -> tuple[list[Finding], list[str]]:
    """DMH202 for one deploy-side ignore file; also returns problems (one line each)."""
    problems: list[str] = []
    matcher: DockerIgnore | GitStyleIgnore
    if ignore.kind == "docker":
        matcher = DockerIgnore(ignore.path, lines)
    else:
        matcher = GitStyleIgnore(ignore.path, lines, dialect=ignore.kind, read=read)
        problems.extend(matcher.problems)
    by_rule: dict[IgnoreRule, list[Probe]] = {}
    context_of: dict[IgnoreRule, str] = {}
    for context in ignore.contexts:
        probe_list = probes(apps, context, new_project=new_project)
        code = new_app_code(probe_list)

        def excluded(path: str, context: str = context) -> bool:
            return matcher.excluded_by(_relative(path, context)) is not None

        for probe in probe_list:
            rule = matcher.excluded_by(_relative(probe.path, context))
            if (
                rule is None
                or not _hides_only_migrations(probe, code, excluded)
                or _build_lacks_app(probe, excluded)
            ):
                continue
            if context_of.setdefault(rule, context) == context:
                by_rule.setdefault(rule, []).append(probe)
    findings = []
    for rule, hits in by_rule.items():
        if ignore.kind == "docker":
            target = f"the Docker build context `{context_of[rule] or '.'}`"
        else:
            target = f"the bundle deployed by {TOOLS[ignore.kind]}"
        findings.append(
            Finding(
                rule.source,
                rule.line,
                rule.col,
                codes.DMH202,
                f"`{rule.pattern}` keeps {describe(hits)} out of {target}",
                "delete or narrow this rule so every .py file in migrations/ is deployed",
            )
        )
    return findings, problems


# --- DMH203 / DMH204 ---------------------------------------------------------------------------


def check_init(apps: Iterable[App]) -> list[Finding]:
    """DMH203: Django migrations folders without __init__.py."""
    findings = []
    for app in apps:
        if app.migrations_dir is None or app.has_init or not app.migrations:
            continue
        findings.append(
            Finding(
                app.migrations[0],
                1,
                1,
                codes.DMH203,
                f"`{app.migrations_dir}` has no `__init__.py`: Django treats app "
                f"`{app.label}` as unmigrated and skips these migrations",
                f"create {app.migrations_dir}/__init__.py and git add it",
            )
        )
    return findings


def check_unmigrated(apps: Iterable[App], read: Callable[[str], str | None]) -> list[Finding]:
    """DMH204: apps defining concrete models without any migration (not sample models that no
    settings module installs: django-oscar's sandbox/apps/user)."""
    findings = []
    for app in apps:
        if (
            app.migrations
            or app.migrations_off
            or app.not_installed
            or TEST_DIRS & set(app.path.split("/"))
        ):
            continue
        for module in app.models:
            models = _apps.concrete_models(read(module) or "")
            if models:
                name, line = models[0]
                findings.append(
                    Finding(
                        module,
                        line,
                        1,
                        codes.DMH204,
                        f"app `{app.label}` defines model `{name}` but has no migrations",
                        f"python manage.py makemigrations {shlex.quote(app.label)}, then "
                        f"git add {shlex.quote(app.join('migrations'))}",
                    )
                )
                break
    return findings


# --- the whole repository ----------------------------------------------------------------------


def _read_lines(path: str) -> list[str] | None:
    try:
        return read_text(path).lines
    except FileProblem:
        return None


class Result(NamedTuple):
    findings: list[Finding]
    problems: list[str]


def _relative_sources(matches: dict[str, _git.IgnoreMatch]) -> dict[str, _git.IgnoreMatch]:
    """git names ignore files relative to the repository root; make them relative to the cwd."""
    if not matches:
        return matches
    prefix = _git.run("rev-parse", "--show-prefix").stdout.strip()
    if not prefix:
        return matches
    return {
        path: m
        if os.path.isabs(m.source)
        else m._replace(source=posixpath.relpath(m.source, prefix.rstrip("/")))
        for path, m in matches.items()
    }


def _check_ignore(
    probe_list: Sequence[Probe], links: dict[str, str]
) -> dict[str, _git.IgnoreMatch]:
    """git check-ignore for the probes (and new-app code files), through tracked symlinks.

    git refuses paths beyond a symlink: a path below a tracked symlink to a folder of the
    repository is asked as its target; one below any other symlink is not asked.
    """
    paths = [p.path for p in probe_list]
    paths += [path for files in new_app_code(probe_list).values() for path in files]
    real: dict[str, str] = {}
    cache: dict[str, bool] = {}
    for path in dict.fromkeys(paths):
        stored = _apps.real_path(path, links)
        if not _beyond_symlink(stored, cache):
            real[path] = stored
    found = _git.check_ignore(real.values())
    return {path: found[stored] for path, stored in real.items() if stored in found}


def _beyond_symlink(path: str, cache: dict[str, bool]) -> bool:
    """Whether a folder above path is a symlink (cache: folder -> that answer)."""
    directory = path.rpartition("/")[0]
    if not directory:
        return False
    if directory not in cache:
        cache[directory] = os.path.islink(directory) or _beyond_symlink(directory, cache)
    return cache[directory]


def collect() -> Result:
    listing = _apps.list_repository()
    files = listing.files
    apps = _apps.project_apps(_apps.find_apps(files), listing)
    problems: list[str] = []
    new_project = bool(apps) or not other_framework(files)
    probe_list = probes(apps, new_project=new_project)
    matches = _check_ignore(probe_list, listing.links)
    findings = check_gitignore(probe_list, _relative_sources(matches), files)
    for ignore in deploy_ignore_files(files):
        try:
            lines = read_text(ignore.path).lines
        except FileProblem as exc:
            problems.append(str(exc))
            continue
        found, trouble = check_deploy_ignore(
            ignore, lines, apps, _read_lines, new_project=new_project
        )
        findings += found
        problems += trouble
    findings += check_init(apps)
    findings += check_unmigrated(apps, _apps.read_disk)
    return Result(findings, problems)


UNREADABLE: list[str] = []  # what `check_repository` could not read (the `check` exit code)


def check_repository() -> list[Finding]:
    result = collect()
    UNREADABLE[:] = result.problems
    for problem in result.problems:
        print(f"{HOOK_ID}: {problem}", file=sys.stderr)
    return unsuppressed(result.findings, load_config(HOOK_ID, SCHEMA))


# --- --fix -------------------------------------------------------------------------------------


def comment_out(path: str, line_numbers: Iterable[int]) -> bool:
    """Comment out lines of a gitignore-style file in place, keeping every other byte."""
    note = FIX_NOTE if posixpath.basename(path) == ".gitignore" else DEPLOY_FIX_NOTE
    data = read_bytes(path)
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    changed = False
    for number in sorted(set(line_numbers)):
        if not 1 <= number <= len(lines):
            continue
        raw = lines[number - 1]
        bom = b"\xef\xbb\xbf" if number == 1 and raw.startswith(b"\xef\xbb\xbf") else b""
        body = raw[len(bom) :]
        stripped = body.rstrip(b"\r\n")
        ending = body[len(stripped) :]  # "\n", "\r\n", a lone "\r" on the last line, or none
        body = stripped
        if body.startswith(b"#"):
            continue
        lines[number - 1] = bom + b"# " + body + note + ending
        changed = True
    if changed:
        replace_file(path, b"".join(lines), _git.root())
    return changed


def _fixable(finding: Finding) -> bool:
    """Findings that point at a rule in a gitignore-style file of the work tree."""
    name = posixpath.basename(finding.path)
    return (
        finding.code in (codes.DMH201, codes.DMH202)
        and (name == ".gitignore" or name in DIALECTS)
        and _in_worktree(finding.path)
    )


def fix(config: Config) -> tuple[Result, list[str]]:
    """Comment out the rules behind fixable findings, then check again (git re-verifies)."""
    fixed: list[str] = []
    result = collect()
    for _ in range(MAX_FIX_ROUNDS):
        todo: dict[str, set[int]] = {}
        for finding in unsuppressed(result.findings, config):
            if _fixable(finding):
                todo.setdefault(finding.path, set()).add(finding.line)
        changed = False
        for path, numbers in sorted(todo.items()):
            try:
                if not comment_out(path, numbers):
                    continue
            except (FileProblem, OSError) as exc:
                result.problems.append(str(exc))
                continue
            changed = True
            if path not in fixed:
                fixed.append(path)
                print(f"Fixing {path}", file=sys.stderr)
        if not changed:
            break
        result = collect()
    return result, fixed


# --- command line ------------------------------------------------------------------------------


@handles_errors(HOOK_ID)
def main(argv: Sequence[str] | None = None) -> int:
    p = parser(HOOK_ID, __doc__.splitlines()[0] if __doc__ else HOOK_ID)
    p.add_argument(
        "--fix",
        action="store_true",
        help="comment out offending rules in .gitignore-style files, then check again",
    )
    args = p.parse_args(argv)
    _git.require_work_tree()
    config = load_config(HOOK_ID, SCHEMA)
    fixed: list[str] = []
    if args.fix:
        result, fixed = fix(config)
    else:
        result = collect()
    for problem in result.problems:
        print(f"{HOOK_ID}: {problem}", file=sys.stderr)
    code = report(unsuppressed(result.findings, config), args, fixable=_fixable)
    if fixed or result.problems:
        return max(code, EXIT_FINDINGS)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
