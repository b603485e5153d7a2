"""check-deploy-makemigrations: files run on deploy, build, release, container start or in CI
must never generate migrations (DMH301), delete them (DMH302) or fake them (DMH303)."""

from __future__ import annotations

import functools
import os
import posixpath
import re
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any, NamedTuple

from django_migration_hooks import _git, shell
from django_migration_hooks._config import Config, load_config
from django_migration_hooks._files import MAX_BYTES, FileProblem, read_text
from django_migration_hooks._hook import parser
from django_migration_hooks._report import (
    EXIT_FINDINGS,
    Finding,
    Rule,
    handles_errors,
    noqa_codes,
    report,
)
from django_migration_hooks.deploy import (
    _analyse,
    _tasks,
    dockerfile,
    make,
    procfile,
    python,
    scripts,
)
from django_migration_hooks.deploy._site import CommandSite

HOOK_ID = "check-deploy-makemigrations"

RULES = (
    Rule(
        "DMH301",
        "makemigrations-on-deploy",
        HOOK_ID,
        "A file that runs on deploy, build, release, container start or in CI runs "
        "`makemigrations` in a form that writes migration files (no --check / --dry-run).",
        "Migrations generated at deploy time exist only in that build: every fresh container or "
        "dyno writes a new 0001_initial.py that does not match the tables already in the "
        "database, so `migrate` fails with ProgrammingError or silently skips changes, and "
        "data is at risk. In CI it hides missing migrations instead of failing the build.",
        "Run `python manage.py makemigrations` on a development machine and commit the files; "
        "on deploy run only `python manage.py migrate`. To verify in CI, use "
        "`python manage.py makemigrations --check --dry-run`.",
    ),
    Rule(
        "DMH302",
        "deletes-migrations-on-deploy",
        HOOK_ID,
        "A file that runs on deploy, build, release, container start or in CI deletes "
        "migration files (`rm -rf */migrations`, `find -path '*/migrations/*' -delete`).",
        "Deleting committed migrations on deploy throws away the history the database was "
        "built with; the next `makemigrations` writes a new initial migration that conflicts "
        "with the existing tables and with the django_migrations table.",
        "Keep migration files in git and out of every cleanup step; to drop bytecode only, "
        "match `*.pyc` / `__pycache__`.",
    ),
    Rule(
        "DMH303",
        "fake-migrate-on-deploy",
        HOOK_ID,
        "A file that runs on deploy runs `migrate --fake` or `migrate --fake-initial` "
        "(a warning: it is sometimes meant, but never as a routine deploy step).",
        "`--fake` records migrations as applied without running them and `--fake-initial` "
        "skips an initial migration whenever its tables exist; run on every deploy they hide "
        "schema drift until a query fails in production.",
        "Run `migrate --fake` once, by hand, when you have checked that the schema already "
        "matches; deploy with plain `python manage.py migrate`.",
    ),
)

SCHEMA: dict[str, str] = {}

# Files that name our hook ids or a `makemigrations --check` hook: never deploy commands.
NEVER = frozenset({".pre-commit-config.yaml", ".pre-commit-hooks.yaml", ".pre-commit-config.yml"})


# Extensions no reader claims (markup, styles, front-end code, translations, data): skipped
# before any reader is asked, so an `--all-files` run over a large repository stays fast.
SKIP_EXTENSIONS = frozenset(
    {"html", "htm", "css", "scss", "sass", "less", "js", "mjs", "cjs", "jsx", "ts", "tsx"}
    | {"vue", "svelte", "map", "po", "mo", "pot", "md", "rst", "txt", "svg", "xml", "csv"}
    | {"tsv", "lock", "pyi", "pyc", "sql", "graphql", "jinja", "j2x", "map", "snap", "log"}
)


@functools.cache
def readers() -> tuple[ModuleType, ...]:
    """Every reader, in claim order (the YAML and INI readers are imported on first use)."""
    from django_migration_hooks.deploy import ci, compose, ini, kubernetes, platforms

    return (procfile, dockerfile, make, compose, platforms, ci, kubernetes, ini, scripts, python)


_SHEBANG_PYTHON = re.compile(rb"^#!.*\bpython[0-9.]*\b")
_SHEBANG_SHELL = re.compile(rb"^#!.*\b(sh|bash|dash|zsh|ksh|ash)\b")


def shebang_language(path: str) -> str | None:
    """ "python" or "shell" from a file's `#!` line (whatever its mode bits), else None."""
    try:
        with open(path, "rb") as f:
            first = f.read(256).split(b"\n", 1)[0]
    except OSError:
        return None
    if _SHEBANG_PYTHON.match(first):
        return "python"
    if _SHEBANG_SHELL.match(first):
        return "shell"
    return None


@functools.cache
def classify(path: str, *, sniff: bool = True) -> ModuleType | None:
    """The reader for a file, or None; sniff=False never opens the file (no shebang check)."""
    name = path[path.rfind("/") + 1 :]
    dot = name.rfind(".")
    extension = name[dot + 1 :] if dot > 0 else ""
    if extension == "py":
        return python
    if extension in SKIP_EXTENSIONS or name in NEVER:
        return None
    for reader in readers():
        if reader.claims(path):
            if reader is scripts and not extension and sniff and shebang_language(path) == "python":
                return python  # `bin/release`, `.platform/hooks/...` with a python shebang
            return reader
    if sniff and dot < 0:
        language = shebang_language(path)
        if language == "shell":
            return scripts
        if language == "python":
            return python
    return None


def script_reader(path: str) -> ModuleType:
    """The reader for a script a deploy config runs: by extension or shebang, else shell."""
    reader = classify(path)
    return reader if reader is python else scripts


class SyntaxProblem(Exception):
    """A deploy file that does not parse (invalid YAML/TOML/JSON): its syntax is another
    tool's business, so it is reported on stderr without failing the hook."""


class References(NamedTuple):
    """What the repository's deploy configs run, each mapped to the first config that runs it:
    scripts (repo-relative paths) and (tool, target) pairs."""

    scripts: Mapping[str, str]
    targets: Mapping[tuple[str, str], str]


class Resolver:
    """Script names as a config writes them -> repo-relative paths of tracked files."""

    def __init__(self, tracked: Callable[[], Sequence[str]]) -> None:
        self._load = tracked
        self._tracked: frozenset[str] | None = None
        self._by_name: dict[str, list[str]] = {}

    def tracked(self) -> frozenset[str]:
        if self._tracked is None:
            self._tracked = frozenset(self._load())
            for path in self._tracked:
                self._by_name.setdefault(path[path.rfind("/") + 1 :], []).append(path)
        return self._tracked

    def resolve(self, raw: str, config: str) -> str | None:
        """The file a config at `config` runs as `raw`: relative to the config's directory,
        then to the repository root; else (Docker WORKDIR and COPY destinations are unknown)
        the longest trailing part of the path that names exactly one tracked file."""
        if not raw or any(c in raw for c in "$`{}*?"):
            return None
        tracked = self.tracked()
        if not raw.startswith("/"):
            base = posixpath.dirname(config)
            for candidate in (posixpath.join(base, raw), raw):
                normal = posixpath.normpath(candidate)
                if normal in tracked:
                    return normal
        parts = [p for p in raw.split("/") if p not in ("", ".")]
        if ".." in parts:
            parts = parts[len(parts) - parts[::-1].index("..") :]
        for k in range(len(parts)):
            suffix = "/".join(parts[k:])
            if k == len(parts) - 1:
                matches = self._by_name.get(suffix, [])
            else:
                matches = [t for t in tracked if t == suffix or t.endswith("/" + suffix)]
            if len(matches) == 1:
                return matches[0]
            if matches:
                return None  # ambiguous: a shorter suffix is only more ambiguous
        return None


# Scripts followed from the configs (scripts that run scripts...): a bound, not a real limit.
MAX_FOLLOWED = 200


def collect_references(paths: Iterable[str], resolver: Resolver | None = None) -> References:
    """What the configs at paths run, followed through the scripts they run (bounded)."""
    resolver = resolver or Resolver(_git.ls_files)
    scripts: dict[str, str] = {}
    targets: dict[tuple[str, str], str] = {}
    todo: list[tuple[str, ModuleType | None]] = [(p, None) for p in paths]
    seen: set[str] = set()
    while todo:
        path, reader = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if reader is None:
            reader = classify(path, sniff=path.startswith(("bin/", ".platform/")))
            if reader is None or reader is python:
                continue
        if os.path.islink(path):
            continue
        try:
            found = file_sites(path, read_text(path).text, reader)
        except (FileProblem, OSError):
            continue
        for site in found:
            if site.dev:
                continue
            for ref in _analyse.analyse(site)[1]:
                if ref.tool != "script":
                    targets.setdefault((ref.tool, ref.name), site.context)
                    continue
                script = resolver.resolve(ref.name, path)
                if script is None or script in scripts:
                    continue
                scripts[script] = site.context
                if len(scripts) <= MAX_FOLLOWED:
                    todo.append((script, script_reader(script)))
    return References(scripts, targets)


# Where deploy configs and scripts can be (git filters the index, `*` matches `/` too, so a
# large repository costs little); every reader's claims() still decides.
REFERENCE_PATHSPECS = (
    "*Procfile*",
    "*Dockerfile*",
    "*dockerfile*",
    "*Containerfile*",
    "*.yml",
    "*.yaml",
    "*.toml",
    "*.json",
    "*.ini",
    "*.conf",
    "*.config",
    "*.cfg",
    "*Jenkinsfile*",
    "*akefile",
    "*.mk",
    "*ustfile",
    "*.just",
    "*.sh",
    "*.bash",
    "*.replit",
    "bin/*",
    ".platform/*",
)


def existing(paths: Iterable[str]) -> list[str]:
    """Paths that exist in the working tree (as pre-commit filters: deleted files never come)."""
    return [path for path in paths if os.path.lexists(path)]


def tracked_files() -> list[str]:
    """Every tracked file; one deleted from the working tree is skipped when it is read (one
    lstat for the few files read, not for every file of a large repository)."""
    return _git.ls_files()


def repository_references(resolver: Resolver | None = None) -> References:
    """What the deploy configs of the repository in the working directory run."""
    configs = existing(_git.ls_files(*REFERENCE_PATHSPECS))
    return collect_references(configs, resolver or Resolver(tracked_files))


class ReferenceIndex:
    """repository_references, computed at most once and only when a file needs it, plus what
    the configs checked in this run were found to run (a config not yet in git counts too)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.scripts: dict[str, str] = {}
        self.targets: dict[tuple[str, str], str] = {}
        self._base: References | None = None
        self._merged: References | None = None

    def add(self, scripts: Mapping[str, str], targets: Mapping[tuple[str, str], str]) -> None:
        for key, value in scripts.items():
            self.scripts.setdefault(key, value)
        for pair, value in targets.items():
            self.targets.setdefault(pair, value)
        self._merged = None

    def __call__(self) -> References:
        if self._base is None:
            self._base = repository_references(self.resolver)
        if self._merged is None:
            self._merged = References(
                {**self.scripts, **self._base.scripts}, {**self.targets, **self._base.targets}
            )
        return self._merged


def _finding(
    path: str,
    locator: _analyse.Locator,
    site: CommandSite,
    hit: _analyse.Hit,
    *,
    check: bool,
    via: str = "",
) -> Finding:
    line, col = locator.locate(hit)
    where = site.context
    remote = " on a remote host" if hit.remote else ""
    if via:
        where = f"{where} (run by {via})"
    if hit.code == _analyse.MAKEMIGRATIONS and check and not hit.remote:
        message = (
            f"{where} runs `makemigrations`, which hides missing migrations instead of failing"
        )
        hint = "run `python manage.py makemigrations --check --dry-run` to fail on them"
    elif hit.code == _analyse.MAKEMIGRATIONS:
        message = f"{where} runs `makemigrations`{remote}, which writes migration files on deploy"
        hint = "run makemigrations locally, commit the files, and only `migrate` here"
    elif hit.code == _analyse.DELETES:
        message = f"{where} deletes migration files{remote} (`{hit.detail}`)"
        hint = "keep migrations in git; delete only *.pyc / __pycache__"
    else:
        message = (
            f"{where} runs `migrate {hit.word}`{remote}: migrations are marked applied "
            "without running them"
        )
        hint = f"deploy with plain `migrate`; run `{hit.word}` once by hand if really needed"
    return Finding(path, line, col, hit.code, message, hint)


# Config files named for development (`Procfile.dev`, `Dockerfile.dev`, `compose.dev.yaml`,
# `docker-compose.override.yml`) that start the development server are developer-only, for
# the readers that declare `DEV_CONFIG = True` (Procfile, Dockerfile, Compose).
_DEV_CONFIG = re.compile(r"(^|[-_.])(dev|develop|development|local|override)([-_.]|$)", re.I)


def _runs_dev_server(sites: Iterable[CommandSite]) -> bool:
    for site in sites:
        for inv in _analyse.invocations(site):
            mgmt = shell.management(inv)
            if mgmt is not None and mgmt.sub.value in ("runserver", "runserver_plus"):
                return True
    return False


def file_sites(path: str, text: str, reader: ModuleType) -> list[CommandSite]:
    """reader.sites(), with every site of a developer-only config marked `dev`."""
    sites: list[CommandSite] = reader.sites(path, text)
    name = os.path.basename(path)
    dev_config = getattr(reader, "DEV_CONFIG", False) and _DEV_CONFIG.search(name) is not None
    if dev_config and _runs_dev_server(sites):
        sites = [site._replace(dev=True, unit=name) for site in sites]
    return sites


class Followed(NamedTuple):
    """A reference found in a checked config: what it runs and where it was found."""

    ref: _analyse.Reference
    context: str
    config: str


def check_text(
    path: str,
    text: str,
    reader: ModuleType,
    references: Callable[[], References] = repository_references,
    *,
    units: Collection[str] | None = None,
    wiring: list[Followed] | None = None,
    via: str = "",
) -> list[Finding]:
    """Findings for one file's text, read by reader (references are computed only if needed).

    units: report only sites of these (normalised) targets/tasks; wiring: collects what the
    file's deploy sites run; via: what runs this file, when a checked config runs it."""
    lines = text.splitlines()
    findings: list[Finding] = []
    # readers of CI pipelines tell check jobs from deploy steps; every other file is deploy code
    is_check: Callable[[CommandSite], bool] = getattr(reader, "is_check", lambda site: False)

    def report_site(site: CommandSite, hits: Iterable[_analyse.Hit], run_by: str = "") -> None:
        if units is not None and _tasks.normalise(site.unit) not in units:
            return
        locator = _analyse.Locator(lines, site)
        findings.extend(
            _finding(path, locator, site, hit, check=is_check(site), via=run_by) for hit in hits
        )

    sites = file_sites(path, text, reader)
    # developer-only sites count when they run remotely, or when a deploy config runs them
    dev_units: set[str] = set()
    for site in sites:
        hits, refs = _analyse.analyse(site)
        if site.dev:
            dev_units.update(site.unit for hit in hits if not hit.remote)
            hits = [hit for hit in hits if hit.remote]
        elif wiring is not None:
            wiring.extend(Followed(ref, site.context, path) for ref in refs)
        report_site(site, hits)
    if dev_units:
        index = references()
        run_by = index.scripts.get(path) or via
        if run_by and reader is not make and not python.is_task_file(path):
            for site in sites:
                if site.dev:
                    report_site(
                        site, [h for h in _analyse.analyse(site)[0] if not h.remote], run_by
                    )
        elif reader is make or (reader is python and python.is_task_file(path)):
            tools = ("invoke",) if reader is python else ("make", "just")
            roots = {name: ctx for (tool, name), ctx in index.targets.items() if tool in tools}
            reach = {root: reader.reached(path, text, [root]) for root in roots}
            for site in reader.sites(path, text, roots) if roots else ():
                if site.unit in dev_units and not site.dev:
                    unit = _tasks.normalise(site.unit)
                    run_by = next((roots[r] for r in roots if unit in reach[r]), "")
                    report_site(
                        site, [h for h in _analyse.analyse(site)[0] if not h.remote], run_by
                    )
    return unsuppressed(set(findings), lines)


def unsuppressed(findings: Iterable[Finding], lines: Sequence[str]) -> list[Finding]:
    """Findings without a `# noqa` for their code on their line (each line read once)."""
    codes: dict[int, frozenset[str] | None] = {}
    kept = []
    for finding in findings:
        if finding.line not in codes:
            inside = 1 <= finding.line <= len(lines)
            codes[finding.line] = noqa_codes(lines[finding.line - 1]) if inside else None
        suppressed = codes[finding.line]
        if suppressed is None or (suppressed and finding.code not in suppressed):
            kept.append(finding)
    return kept


def python_candidate(path: str) -> bool:
    """A Python file that may be deploy code (migration files and tests never are)."""
    parts = path.split("/")
    return "migrations" not in parts[:-1]


def relevant(text: str) -> bool:
    return "migrations" in text or "--fake" in text or "fake=" in text or "fake_initial" in text


_RELEVANT_BYTES = re.compile(rb"migrations|--fake|fake=|fake_initial")


def read_relevant(path: str) -> str | None:
    """The text of a file that may hold a finding; None for one that cannot matter.

    A file over the size cap is reported (FileProblem) only when its first bytes mention
    migrations: a large data file or manifest that no reader would find relevant is skipped
    without a word."""
    try:
        oversized = os.path.getsize(path) > MAX_BYTES and not os.path.isdir(path)
    except OSError:
        oversized = False  # read_text says what is wrong
    if oversized:
        with open(path, "rb") as f:
            if _RELEVANT_BYTES.search(f.read(MAX_BYTES + 1)) is None:
                return None
    text = read_text(path).text
    return text if relevant(text) else None


def check_file(
    path: str,
    references: Callable[[], References] = repository_references,
    *,
    reader: ModuleType | None = None,
    units: Collection[str] | None = None,
    wiring: list[Followed] | None = None,
    via: str = "",
) -> list[Finding]:
    """Findings for one file; FileProblem for a file that cannot be read.

    reader: given for a file a checked config runs (else classified by name and shebang);
    units, wiring, via: as for check_text."""
    script = reader is not None
    if reader is None:
        reader = classify(path)
    if reader is None and "." not in path[path.rfind("/") + 1 :] and os.path.isfile(path):
        reader = scripts  # maybe a script a deploy config runs: decided below, once it matters
    if reader is None or (reader is python and not python_candidate(path)):
        return []
    if os.path.islink(path):
        return []  # the target is checked under its own name
    ordinary = reader is python and not python.is_deploy_script(path)
    ordinary |= reader is scripts and classify(path) is None
    ordinary &= not script
    try:
        text = read_relevant(path)
    except FileProblem:
        if ordinary:
            return []  # not deploy code by its name; its encoding is not our business
        raise
    if text is None:
        if wiring is not None and not ordinary and reader is not python:
            _wiring(path, reader, wiring)
        return []
    if ordinary and path not in references().scripts:
        return []  # such code counts when it is named like deploy code or a config runs it
    try:
        return check_text(path, text, reader, references, units=units, wiring=wiring, via=via)
    except FileProblem as exc:
        raise SyntaxProblem(str(exc)) from None


def _wiring(path: str, reader: ModuleType, wiring: list[Followed]) -> None:
    """What a config that runs no migration command itself runs (scripts, targets)."""
    try:
        sites = file_sites(path, read_text(path).text, reader)
    except FileProblem:
        return
    for site in sites:
        if not site.dev:
            wiring.extend(Followed(ref, site.context, path) for ref in _analyse.analyse(site)[1])


TASK_FILES = {
    "make": ("Makefile", "makefile", "GNUmakefile"),
    "just": ("justfile", "Justfile", ".justfile"),
    "invoke": ("tasks.py", "fabfile.py"),
}


def task_file(tool: str, config: str, tracked: Collection[str]) -> str | None:
    """The Makefile / justfile / tasks.py a config's `make T` runs: next to it, else at the root."""
    base = posixpath.dirname(config)
    for directory in dict.fromkeys((base, "")):
        for name in TASK_FILES.get(tool, ()):
            candidate = posixpath.join(directory, name) if directory else name
            if candidate in tracked:
                return candidate
    return None


class Result(NamedTuple):
    findings: list[Finding]  # config applied
    unreadable: list[str]  # binary, not UTF-8, too large...: one line each, fails the hook
    unparsable: list[str]  # invalid YAML/TOML/JSON: one line each, skipped


def check_files(
    paths: Iterable[str], config: Config, *, wired: bool = True, given: bool = True
) -> Result:
    """Findings for paths; wired: also check what their configs run (scripts, targets) when
    those files are not among paths (pointless when paths are the whole repository);
    given=False: paths come from `git ls-files`, where a file deleted from the working tree
    is skipped, as pre-commit does."""
    classify.cache_clear()  # classification sniffs files: valid for one run in one directory
    result = Result([], [], [])
    resolver = Resolver(tracked_files)
    references = ReferenceIndex(resolver)
    wiring: list[Followed] | None = [] if wired else None
    checked: set[str] = set()

    def check(path: str, **how: Any) -> None:
        checked.add(path)
        if config.is_excluded(path):
            return
        try:
            result.findings.extend(check_file(path, references, wiring=wiring, **how))
        except SyntaxProblem as exc:
            result.unparsable.append(str(exc))
        except FileProblem as exc:
            if given or os.path.lexists(path):  # pre-commit never passes a deleted file
                result.unreadable.append(str(exc))

    for path in paths:
        check(path)
    if wiring:
        changed = pre_commit_scope()
        if changed is not None:
            # pre-commit passes the changed files, split across parallel runs of the hook:
            # follow what a changed config runs, unless pre-commit passes that file too
            wiring = [w for w in wiring if w.config in changed]
            checked |= changed
        follow(wiring, checked, resolver, references, check)
    findings = sorted(set(result.findings))  # a file may be reached twice
    return result._replace(findings=config.keep(findings))


def pre_commit_scope() -> set[str] | None:
    """Under pre-commit, the files it passes to hooks in this run (staged files, or the files
    changed between PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF); None outside pre-commit.

    `pre-commit run --all-files` stages nothing: no config counts as changed, so nothing is
    followed and no finding is printed twice (every file is checked in its own right)."""
    if os.environ.get("PRE_COMMIT") != "1":
        return None
    base, head = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    if base and head:
        return {change.path for change in _git.changes(base, head) if change.status != "D"}
    return set(_git.staged_files())


def follow(
    wiring: list[Followed],
    checked: set[str],
    resolver: Resolver,
    references: ReferenceIndex,
    check: Callable[..., None],
) -> None:
    """Check what the checked configs run (scripts, Make/just targets, Invoke tasks) even when
    those files were not passed: a commit that wires a dev helper into a deploy is caught."""
    tasks: dict[str, dict[str, str]] = {}  # task file -> {target: what runs it}
    followed = 0
    while wiring and followed < MAX_FOLLOWED:
        ref, context, config = wiring.pop(0)
        if ref.tool == "script":
            script = resolver.resolve(ref.name, config)
            if script is None:
                continue
            references.add({script: context}, {})
            if script not in checked and os.path.isfile(script):
                followed += 1
                check(script, reader=script_reader(script), via=context)
            continue
        references.add({}, {(ref.tool, ref.name): context})
        found = task_file(ref.tool, config, resolver.tracked())
        if found is not None:
            tasks.setdefault(found, {}).setdefault(ref.name, context)
    for path, roots in tasks.items():
        if path in checked or not os.path.isfile(path):
            continue
        reader = make if path.endswith(("akefile", "ustfile")) else python
        try:
            text = read_text(path).text
        except FileProblem:
            continue  # reported when the file itself is checked
        check(path, units=reader.reached(path, text, roots))


def _print_problems(problems: Iterable[str]) -> None:
    for problem in problems:
        print(f"{HOOK_ID}: {problem}", file=sys.stderr)


# What the last check_repository() could not read (for the umbrella command's exit code).
UNREADABLE: list[str] = []


def check_repository() -> list[Finding]:
    config = load_config(HOOK_ID, SCHEMA)
    result = check_files(tracked_files(), config, wired=False, given=False)
    _print_problems([*result.unreadable, *result.unparsable])
    UNREADABLE[:] = result.unreadable
    return result.findings


@handles_errors(HOOK_ID)
def main(argv: Sequence[str] | None = None) -> int:
    args = parser(HOOK_ID, __doc__ or "").parse_args(argv)
    config = load_config(HOOK_ID, SCHEMA)
    given = bool(args.filenames)
    paths = args.filenames or tracked_files()
    result = check_files(paths, config, wired=given, given=given)
    _print_problems([*result.unreadable, *result.unparsable])
    rc = report(result.findings, args.format)
    # a deploy file that could not be read may run makemigrations: not a clean result
    return max(rc, EXIT_FINDINGS) if result.unreadable else rc


if __name__ == "__main__":
    raise SystemExit(main())
