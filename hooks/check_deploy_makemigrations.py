"""check-deploy-makemigrations: files run on deploy, build, release, container start or in CI
must never generate migrations (DMH301), delete them (DMH302) or fake them (DMH303)."""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import NamedTuple

from hooks import _git
from hooks._config import Config, load_config
from hooks._files import FileProblem, read_text, tags
from hooks._hook import parser
from hooks._report import EXIT_FINDINGS, Finding, Rule, handles_errors, noqa_codes, report
from hooks.deploy import _analyse, dockerfile, make, procfile, python, shell
from hooks.deploy._site import CommandSite

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
# Readers written by the config-family engineer; used as soon as they exist.
OPTIONAL_READERS = (
    "hooks.deploy.compose",
    "hooks.deploy.platforms",
    "hooks.deploy.ci",
    "hooks.deploy.kubernetes",
    "hooks.deploy.ini",
)
SHELL_TAGS = frozenset({"shell", "bash", "sh", "zsh", "dash", "ksh"})


# Extensions no reader claims (markup, styles, front-end code, translations, data): skipped
# before any reader is asked, so an `--all-files` run over a large repository stays fast.
SKIP_EXTENSIONS = frozenset(
    {"html", "htm", "css", "scss", "sass", "less", "js", "mjs", "cjs", "jsx", "ts", "tsx"}
    | {"vue", "svelte", "map", "po", "mo", "pot", "md", "rst", "txt", "svg", "xml", "csv"}
    | {"tsv", "lock", "pyi", "pyc", "sql", "graphql", "jinja", "j2x", "map", "snap", "log"}
)


@functools.cache
def readers() -> tuple[ModuleType, ...]:
    """Every reader, in claim order (the config-family readers import PyYAML: imported lazily)."""
    found: list[ModuleType] = [procfile, dockerfile, make]
    for name in OPTIONAL_READERS:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return (*found, shell, python)


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
            return reader
    if sniff and dot < 0:
        found = tags(path)
        if found & SHELL_TAGS:
            return shell
        if "python" in found:
            return python
    return None


class SyntaxProblem(Exception):
    """A deploy file that does not parse (invalid YAML/TOML/JSON): its syntax is another
    tool's business, so it is reported on stderr without failing the hook."""


class References(NamedTuple):
    """What the repository's deploy configs run: script names and (tool, target) pairs."""

    scripts: frozenset[str]
    targets: frozenset[tuple[str, str]]


def collect_references(paths: Iterable[str]) -> References:
    scripts: set[str] = set()
    targets: set[tuple[str, str]] = set()
    for path in paths:
        reader = classify(path, sniff=path.startswith(("bin/", ".platform/")))
        if reader is None or reader is python or os.path.islink(path):
            continue
        try:
            text = read_text(path).text
            found = reader.sites(path, text)
        except (FileProblem, OSError):
            continue
        for site in found:
            if site.dev:
                continue
            for ref in _analyse.analyse(site)[1]:
                if ref.tool == "script":
                    scripts.add(ref.name)
                else:
                    targets.add((ref.tool, ref.name))
    return References(frozenset(scripts), frozenset(targets))


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


def repository_references() -> References:
    """What the deploy configs of the repository in the working directory run."""
    return collect_references(_git.ls_files(*REFERENCE_PATHSPECS))


def lazy_references() -> Callable[[], References]:
    """repository_references, computed at most once and only when a file needs it."""
    cache: list[References] = []

    def get() -> References:
        if not cache:
            cache.append(repository_references())
        return cache[0]

    return get


def _finding(
    path: str, locator: _analyse.Locator, site: CommandSite, hit: _analyse.Hit, *, ci: bool
) -> Finding:
    line, col = locator.locate(hit)
    where = site.context
    remote = " on a remote host" if hit.remote else ""
    deploys = hit.remote or any(w in where.lower() for w in ("deploy", "release", "ssh"))
    if hit.code == _analyse.MAKEMIGRATIONS and ci and not deploys:
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


def check_text(
    path: str,
    text: str,
    reader: ModuleType,
    references: Callable[[], References] = repository_references,
) -> list[Finding]:
    """Findings for one file's text, read by reader (references are computed only if needed)."""
    lines = text.splitlines()
    findings: list[Finding] = []
    ci = reader.__name__ == "hooks.deploy.ci"

    def report_site(site: CommandSite, hits: Iterable[_analyse.Hit]) -> None:
        locator = _analyse.Locator(lines, site)
        findings.extend(_finding(path, locator, site, hit, ci=ci) for hit in hits)

    # developer-only sites count when they run remotely, or when a deploy config runs them
    dev_units: set[str] = set()
    for site in reader.sites(path, text):
        hits = _analyse.analyse(site)[0]
        if site.dev:
            dev_units.update(site.unit for hit in hits if not hit.remote)
            hits = [hit for hit in hits if hit.remote]
        report_site(site, hits)
    if dev_units:
        refs = references()
        if reader is shell and os.path.basename(path) in refs.scripts:
            for site in reader.sites(path, text):
                report_site(site, [h for h in _analyse.analyse(site)[0] if not h.remote])
        elif reader is make or reader is python:
            tools = ("invoke",) if reader is python else ("make", "just")
            roots = [name for tool, name in refs.targets if tool in tools]
            for site in reader.sites(path, text, roots) if roots else ():
                if site.unit in dev_units and not site.dev:
                    report_site(site, [h for h in _analyse.analyse(site)[0] if not h.remote])
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


def check_file(
    path: str, references: Callable[[], References] = repository_references
) -> list[Finding]:
    """Findings for one file; FileProblem for a file that cannot be read."""
    reader = classify(path)
    if reader is None or (reader is python and not python_candidate(path)):
        return []
    if os.path.islink(path):
        return []  # the target is checked under its own name
    ordinary_python = reader is python and not python.is_deploy_script(path)
    try:
        text = read_text(path).text
    except FileProblem:
        if ordinary_python:
            return []  # not deploy code by its name; its encoding is not our business
        raise
    if not relevant(text):
        return []
    if ordinary_python and os.path.basename(path) not in references().scripts:
        return []  # Python code counts when it is named like deploy code or a config runs it
    try:
        return check_text(path, text, reader, references)
    except FileProblem as exc:
        raise SyntaxProblem(str(exc)) from None


class Result(NamedTuple):
    findings: list[Finding]  # config applied
    unreadable: list[str]  # binary, not UTF-8, too large...: one line each, fails the hook
    unparsable: list[str]  # invalid YAML/TOML/JSON: one line each, skipped


def check_files(paths: Iterable[str], config: Config) -> Result:
    classify.cache_clear()  # classification sniffs files: valid for one run in one directory
    result = Result([], [], [])
    references = lazy_references()
    for path in paths:
        if config.is_excluded(path):
            continue
        try:
            result.findings.extend(check_file(path, references))
        except SyntaxProblem as exc:
            result.unparsable.append(str(exc))
        except FileProblem as exc:
            result.unreadable.append(str(exc))
    return result._replace(findings=config.keep(result.findings))


def _print_problems(problems: Iterable[str]) -> None:
    for problem in problems:
        print(f"{HOOK_ID}: {problem}", file=sys.stderr)


def check_repository() -> list[Finding]:
    config = load_config(HOOK_ID, SCHEMA)
    result = check_files(_git.ls_files(), config)
    _print_problems([*result.unreadable, *result.unparsable])
    return result.findings


@handles_errors(HOOK_ID)
def main(argv: Sequence[str] | None = None) -> int:
    args = parser(HOOK_ID, __doc__ or "").parse_args(argv)
    config = load_config(HOOK_ID, SCHEMA)
    paths = args.filenames or _git.ls_files()
    result = check_files(paths, config)
    _print_problems([*result.unreadable, *result.unparsable])
    rc = report(result.findings, args.format)
    # a deploy file that could not be read may run makemigrations: not a clean result
    return max(rc, EXIT_FINDINGS) if result.unreadable else rc


if __name__ == "__main__":
    raise SystemExit(main())
