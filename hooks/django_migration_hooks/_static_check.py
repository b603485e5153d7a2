"""The static tier of `check-missing-migrations`: models vs migrations with ast, importing nothing.

`check_static(filenames, base)` picks one of two analyses:

- **change-based (DMH102)** when the change is known: `base` given (`--base REF`: the merge
  base of REF and HEAD against the working tree), or `PRE_COMMIT_FROM_REF` and `PRE_COMMIT_TO_REF`
  set (their merge base against TO), or a commit-time run: something is staged and every filename
  received is a staged file (HEAD against the index). The models of each app touched by the change
  are read before and after; a change Django records in a migration, in an app whose migrations
  did not change, is reported at the changed line.
- **state-based (DMH103)** otherwise: each app's model state is rebuilt from its migration files and
  model and field names are compared with the code, both ways.

Only what is certain is reported: a model whose bases, fields or `Meta` cannot be resolved in the
repository is "unknown" and never produces a finding.

The analyses live in `missing.static_change` (DMH102, with `missing.static_compare` for one
model before and after) and `missing.static_state` (DMH103); this module keeps the rules and
the entry point that `check_missing_migrations` loads lazily.
"""

from __future__ import annotations

from collections.abc import Sequence

from django_migration_hooks._report import Finding, Rule
from django_migration_hooks.missing.static_change import (
    ChangeSpec,
    Snapshot,
    check_change,
    known_change,
)
from django_migration_hooks.missing.static_compare import compare_models
from django_migration_hooks.missing.static_state import check_state, compare_state

__all__ = [
    "RULES_STATIC",
    "ChangeSpec",
    "Snapshot",
    "check_change",
    "check_state",
    "check_static",
    "compare_models",
    "compare_state",
    "known_change",
]

HOOK_ID = "check-missing-migrations"

RULES_STATIC = (
    Rule(
        "DMH102",
        "model-changed-without-migration",
        HOOK_ID,
        "A change edits a model in a way Django records in migrations (a model or field added, "
        "removed or renamed, a field argument or a recorded Meta option changed, an abstract base "
        "that concrete models inherit changed) and adds or changes no migration of that app.",
        "The next `makemigrations` (often on another machine, or at deploy time) writes a "
        "migration nobody reviewed, or the database schema silently drifts from the models.",
        "Run `python manage.py makemigrations <app_label>` and commit the new migration with "
        "the model change.",
    ),
    Rule(
        "DMH103",
        "model-state-differs-from-migrations",
        HOOK_ID,
        "A model or field exists in the code but in no migration of its app, or a migration "
        "still creates a model or field that the code no longer has (migration files read "
        "statically, nothing imported).",
        "Migrations are the schema's source of truth: a model change without a migration never "
        "reaches the database, or someone else's `makemigrations` generates it later.",
        "Run `python manage.py makemigrations <app_label>` and commit the result.",
    ),
)


def check_static(
    filenames: Sequence[str], base: str | None, problems: list[str] | None = None
) -> list[Finding]:
    """DMH102 findings for a known change, else DMH103 findings for the whole tree.

    `problems` collects one-line messages for stderr (files that could not be analysed).
    """
    change = known_change(filenames, base)
    sink: list[str] = [] if problems is None else problems
    if change is not None:
        return check_change(change, sink)
    return check_state(filenames, sink)
