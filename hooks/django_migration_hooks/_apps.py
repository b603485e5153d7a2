"""Moved to `djangoread.apps` and `djangoread.listing`.

This module re-exports the names other code imported from here.
"""

from __future__ import annotations

from django_migration_hooks.djangoread.apps import (
    DJANGO_MIGRATION_RE,
    LABEL_RE,
    MIGRATION_RE,
    NAME_RE,
    NON_DJANGO_MODULES,
    USER_BASES,
    App,
    app_label,
    concrete_models,
    defines_models,
    find_apps,
    is_django_migrations_dir,
    project_apps,
    read_disk,
)
from django_migration_hooks.djangoread.listing import (
    MAX_WALKED_FILES,
    SKIP_DIRS,
    SKIP_RE,
    STAGE_RE,
    UNTRACKED_SKIP_DIRS,
    UNTRACKED_SKIP_RE,
    Listing,
    is_skipped,
    list_repository,
    real_path,
    repo_files,
    tracked_files,
)

__all__ = [
    "App",
    "DJANGO_MIGRATION_RE",
    "LABEL_RE",
    "Listing",
    "MAX_WALKED_FILES",
    "MIGRATION_RE",
    "NAME_RE",
    "NON_DJANGO_MODULES",
    "SKIP_DIRS",
    "SKIP_RE",
    "STAGE_RE",
    "UNTRACKED_SKIP_DIRS",
    "UNTRACKED_SKIP_RE",
    "USER_BASES",
    "app_label",
    "concrete_models",
    "defines_models",
    "find_apps",
    "is_django_migrations_dir",
    "is_skipped",
    "list_repository",
    "project_apps",
    "read_disk",
    "real_path",
    "repo_files",
    "tracked_files",
]
