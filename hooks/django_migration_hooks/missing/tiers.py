"""The tiers: the static one (`django_migration_hooks._static_check`, imported only when
used), the Django one, and auto mode's fallback from the one to the other."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any, NamedTuple

from django_migration_hooks._report import Finding, HookError
from django_migration_hooks.missing.options import HOOK_ID, Options


def static_tier() -> Any:
    try:
        return importlib.import_module("django_migration_hooks._static_check")
    except ImportError:
        return None


def check_static(
    filenames: Sequence[str], base: str | None, problems: list[str] | None = None
) -> list[Finding]:
    static = static_tier()
    if static is None:
        raise HookError("the static tier (--mode static) is not available in this installation")
    found: list[Finding] = static.check_static(filenames, base, problems)
    return found


class Verdict(NamedTuple):
    findings: list[Finding]
    static: bool  # the static tier's: it depends on the files it was given, not the whole project


def check(filenames: Sequence[str], opts: Options, notices: list[str]) -> Verdict:
    """Findings of the selected tier (auto falls back to static with a notice)."""
    if opts.mode == "static":
        return Verdict(check_static(filenames, opts.base, notices), static=True)
    from concurrent.futures import ThreadPoolExecutor

    from django_migration_hooks._django import candidate_files
    from django_migration_hooks.missing.discovery import Unavailable, prepare
    from django_migration_hooks.missing.django_check import check_django
    from django_migration_hooks.missing.runner_control import Project
    from django_migration_hooks.missing.tree import Tree

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
            return Verdict(check_django(projects, opts, tree, confirm), static=False)
        except Unavailable as exc:
            if opts.mode == "django":
                raise HookError(f"{exc}; or use --mode static") from None
            if _has_models([*tree.tracked, *tree.untracked]):
                _settings_wanted(opts, exc)
            notices.append(f"{HOOK_ID}: notice: {exc}; using the static tier (--mode static)")
            return Verdict(check_static(filenames, opts.base, notices), static=True)


def _has_models(paths: Sequence[str]) -> bool:
    """Whether the repository has something for the Django tier: models or migrations."""
    return any(
        p.endswith(("models.py", "/migrations/__init__.py")) or "models/" in p for p in paths
    )


# interpreters that happen to be there rather than belong to the repository or the hook
_INCIDENTAL = ("PATH", "VIRTUAL_ENV")


def _settings_wanted(opts: Options, exc: Exception) -> None:
    """An error when the repository's own interpreter (its virtualenv, Poetry or Pipenv
    environment, `--python`) or the hook's (`additional_dependencies`) has Django and only the
    settings are missing: the user meant the Django tier, and a passing hook's notice is hidden
    by pre-commit. A Django that is merely on PATH or in an activated virtualenv says nothing."""
    from django_migration_hooks import _django
    from django_migration_hooks.missing.discovery import probe

    explicit, configured = (None, opts.python) if opts.python_from_config else (opts.python, None)
    for candidate in _django.interpreters(".", explicit, configured):
        if candidate.source in _INCIDENTAL:
            continue
        found = probe(candidate.path) if opts.cache else _django.probe(candidate.path)
        if found is not None:
            raise HookError(
                f"{exc}, though {candidate.path} has Django: pass --settings MODULE (or "
                "--project DIR:MODULE) for the Django tier, or --mode static for the static one"
            )
