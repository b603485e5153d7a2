"""Moved to `djangoread.operations` and `djangoread.state`.

This module re-exports the names other code imported from here.
"""

from __future__ import annotations

from django_migration_hooks.djangoread.operations import (
    FIELD_NAME_RE,
    FIELD_ONE_LINE_RE,
    FLAG_RE,
    NAME_ARGS,
    NEUTRAL_OPERATIONS,
    OP_START_RE,
    OPERATIONS_RE,
    PARAMETERS,
    STRING_ARG_RE,
    SUSPICIOUS_RE,
    Op,
    op_from_call,
    operation_name,
    read_operations,
    scan_operations,
)
from django_migration_hooks.djangoread.state import (
    AppState,
    ModelState,
    Replay,
    Where,
    build_state,
)

__all__ = [
    "AppState",
    "FIELD_NAME_RE",
    "FIELD_ONE_LINE_RE",
    "FLAG_RE",
    "ModelState",
    "NAME_ARGS",
    "NEUTRAL_OPERATIONS",
    "OPERATIONS_RE",
    "OP_START_RE",
    "Op",
    "PARAMETERS",
    "Replay",
    "STRING_ARG_RE",
    "SUSPICIOUS_RE",
    "Where",
    "build_state",
    "op_from_call",
    "operation_name",
    "read_operations",
    "scan_operations",
]
