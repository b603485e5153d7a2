"""Small readers of Python syntax trees, shared by the hooks that read code without running it."""

from __future__ import annotations

import ast


def string(node: ast.expr | None) -> str | None:
    """The value of a plain string literal, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def last_name(node: ast.expr) -> str:
    """`PY` -> "PY", `migrations.AddField` -> "AddField", `sys.argv` -> "argv", else ""."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
