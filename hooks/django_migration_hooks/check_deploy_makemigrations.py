"""check-deploy-makemigrations: files run on deploy, build, release, container start or in CI
must never generate migrations (DMH301), delete them (DMH302) or fake them (DMH303)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Collection, Iterable, Sequence
from types import ModuleType
from typing import Any, NamedTuple

from django_migration_hooks import _git, rules
from django_migration_hooks._config import Config, load_config
from django_migration_hooks._files import (
    MAX_BYTES,
    FileProblem,
    decode,
    read_bytes,
    read_head,
    read_text,
    replace_file,
)
from django_migration_hooks._hook import parser
from django_migration_hooks._report import (
    EXIT_FINDINGS,
    Finding,
    handles_errors,
    report,
    unsuppressed,
)
from django_migration_hooks.deploy import _analyse, _tasks, fix, make, python, scripts
from django_migration_hooks.deploy._site import CommandSite
from django_migration_hooks.deploy.readers import classify, file_sites, python_candidate
from django_migration_hooks.deploy.references import (
    Followed,
    ReferenceIndex,
    References,
    Resolver,
    follow,
    repository_references,
    tracked_files,
)

HOOK_ID = "check-deploy-makemigrations"

RULES = rules.for_hook(HOOK_ID)

SCHEMA: dict[str, str] = {}


class SyntaxProblem(Exception):
    """A deploy file that does not parse (invalid YAML/TOML/JSON): its syntax is another
    tool's business, so it is reported on stderr without failing the hook."""


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
    return unsuppressed(set(findings), Config(), lambda paths: [text for _ in paths])


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
        head = read_head(path, MAX_BYTES + 1)
        if head is not None and _RELEVANT_BYTES.search(head) is None:
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
    return result._replace(findings=unsuppressed(findings, config))


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


# --- --fix -------------------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"


class FilePlan(NamedTuple):
    path: str
    bom: bytes
    text: str
    plan: fix.Plan


def plan_fixes(findings: Iterable[Finding]) -> list[FilePlan]:
    """What --fix would change, file by file (files that cannot be re-read are left out)."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code in fix.FIXABLE:
            by_path.setdefault(finding.path, []).append(finding)
    plans = []
    for path, found in sorted(by_path.items()):
        reader = classify(path) or scripts
        try:
            data = read_bytes(path)
            text = decode(path, data).text
        except FileProblem:
            continue
        bom = _BOM if data.startswith(_BOM) else b""
        plans.append(FilePlan(path, bom, text, fix.plan(path, text, reader, found)))
    return plans


def apply_fixes(plans: Iterable[FilePlan]) -> list[str]:
    """Write the planned edits; say on stderr what was fixed and why the rest was not."""
    fixed = []
    for file in plans:
        for finding, why in file.plan.refused:
            print(
                f"{HOOK_ID}: {finding.path}:{finding.line}:{finding.col}: {finding.code} "
                f"not fixed: {why}",
                file=sys.stderr,
            )
        if not file.plan.edits:
            continue
        data = file.bom + fix.apply(file.text, file.plan.edits).encode("utf-8")
        try:
            replace_file(file.path, data, _git.root())
        except (FileProblem, OSError) as exc:
            print(f"{HOOK_ID}: {exc}", file=sys.stderr)
            continue
        print(f"Fixing {file.path}", file=sys.stderr)
        fixed.append(file.path)
    return fixed


@handles_errors(HOOK_ID)
def main(argv: Sequence[str] | None = None) -> int:
    p = parser(HOOK_ID, __doc__ or "")
    p.add_argument(
        "--fix",
        action="store_true",
        help="remove makemigrations steps and migration deletions where they are separable "
        "steps, then check again",
    )
    args = p.parse_args(argv)
    _git.require_work_tree()
    config = load_config(HOOK_ID, SCHEMA)
    given = bool(args.filenames)
    paths = args.filenames or tracked_files()
    result = check_files(paths, config, wired=given, given=given)
    fixed: list[str] = []
    if args.fix:
        fixed = apply_fixes(plan_fixes(result.findings))
        if fixed:  # the fixed files are checked again
            result = check_files(paths, config, wired=given, given=given)
    fixable = {f for file in plan_fixes(result.findings) for f in file.plan.fixed}
    _print_problems([*result.unreadable, *result.unparsable])
    rc = report(result.findings, args, fixable=fixable.__contains__)
    # a deploy file that could not be read may run makemigrations: not a clean result
    return max(rc, EXIT_FINDINGS) if result.unreadable or fixed else rc


if __name__ == "__main__":
    raise SystemExit(main())
