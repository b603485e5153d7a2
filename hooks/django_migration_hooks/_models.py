"""Moved to `djangoread.models` and its parts (`fields`, `trees`, `bases`, `records`,
`signatures`).

This module re-exports the names other code imported from here.
"""

from __future__ import annotations

from django_migration_hooks.djangoread.bases import (
    Ref,
    module_path_candidates,
)
from django_migration_hooks.djangoread.fields import (
    ALTER_OPTIONS,
    CHOICES_ROOTS,
    DEFAULT_KWARGS,
    DEFAULT_MANAGER,
    DEFAULT_POSITIONAL,
    DJANGO_FIELDS,
    INDEXED_BY_DEFAULT,
    KNOWN_ABSTRACT,
    KNOWN_MANAGERS,
    MODEL_MARKERS,
    MODEL_ROOTS,
    NON_FIELDS,
    NOT_MODEL_META,
    NOT_MODEL_MODULES,
    NOT_MODEL_SUFFIXES,
    POSITIONAL,
    RECORDED_OPTIONS,
    RELATION_FIELDS,
    TRANSLATIONS,
)
from django_migration_hooks.djangoread.models import (
    ModelIndex,
)
from django_migration_hooks.djangoread.records import (
    FieldDef,
    Model,
    Option,
)
from django_migration_hooks.djangoread.trees import (
    BlobReader,
    DiskTree,
    GitTree,
)

__all__ = [
    "ALTER_OPTIONS",
    "BlobReader",
    "CHOICES_ROOTS",
    "DEFAULT_KWARGS",
    "DEFAULT_MANAGER",
    "DEFAULT_POSITIONAL",
    "DJANGO_FIELDS",
    "DiskTree",
    "FieldDef",
    "GitTree",
    "INDEXED_BY_DEFAULT",
    "KNOWN_ABSTRACT",
    "KNOWN_MANAGERS",
    "MODEL_MARKERS",
    "MODEL_ROOTS",
    "Model",
    "ModelIndex",
    "NON_FIELDS",
    "NOT_MODEL_META",
    "NOT_MODEL_MODULES",
    "NOT_MODEL_SUFFIXES",
    "Option",
    "POSITIONAL",
    "RECORDED_OPTIONS",
    "RELATION_FIELDS",
    "Ref",
    "TRANSLATIONS",
    "module_path_candidates",
]
