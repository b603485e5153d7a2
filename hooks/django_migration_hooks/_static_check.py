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

from django_migration_hooks import rules
from django_migration_hooks._report import Finding
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
from django_migration_hooks.rules.codes import DMH102, DMH103

HOOK_ID = "check-missing-migrations"

RULES_STATIC = tuple(r for r in rules.for_hook(HOOK_ID) if r.code in {DMH102, DMH103})


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
