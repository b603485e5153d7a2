"""Moved to `djangoread.migrations`, `djangoread.scan` and `djangoread.graph`.

This module re-exports the names other code imported from here.
"""

from __future__ import annotations

from django_migration_hooks.djangoread.graph import (
    Graph,
    Missing,
    load_graph,
    load_migrations,
    parse_sources,
    read_source,
)
from django_migration_hooks.djangoread.migrations import (
    DEFAULT_SETTINGS,
    SETTING_RE,
    SPECIAL_NAMES,
    Dependency,
    Key,
    MigrationFile,
    app_migrations,
    default_app_label,
    django_apps,
    find_migration_files,
    is_migration_path,
    is_settings_path,
    parse_migration,
    read_settings,
    source_text,
)
from django_migration_hooks.djangoread.scan import (
    BODY_RE,
    BOOL_RE,
    EDGE_FIELD_RE,
    LINE_END_RE,
    PAIR_RE,
    PAIRS_RE,
    broken_migration,
    scan_migration,
)

__all__ = [
    "BODY_RE",
    "BOOL_RE",
    "DEFAULT_SETTINGS",
    "Dependency",
    "EDGE_FIELD_RE",
    "Graph",
    "Key",
    "LINE_END_RE",
    "MigrationFile",
    "Missing",
    "PAIRS_RE",
    "PAIR_RE",
    "SETTING_RE",
    "SPECIAL_NAMES",
    "app_migrations",
    "broken_migration",
    "default_app_label",
    "django_apps",
    "find_migration_files",
    "is_migration_path",
    "is_settings_path",
    "load_graph",
    "load_migrations",
    "parse_migration",
    "parse_sources",
    "read_settings",
    "read_source",
    "scan_migration",
    "source_text",
]
