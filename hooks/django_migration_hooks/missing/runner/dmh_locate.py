"""Where the runner's findings point: the source line of a model or field, an operation's
description, an app's models file."""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Callable
from typing import Any


class _Locator:
    """Source file and line of model classes and their field assignments (via ast).

    `inside(path)`: whether a file is the repository's own (not an installed package): a
    field defined in an installed base class is located at the model's class line, where a
    reviewer sees it and a `# noqa` can go.
    """

    def __init__(self, inside: Callable[[str], bool] = lambda path: True) -> None:
        self.trees: dict[str, ast.Module | None] = {}
        self.inside = inside

    def _tree(self, path: str) -> ast.Module | None:
        if path not in self.trees:
            try:
                with open(path, "rb") as f:
                    self.trees[path] = ast.parse(f.read(), path)
            except (OSError, SyntaxError, ValueError):
                self.trees[path] = None
        return self.trees[path]

    def _class(self, cls: type) -> tuple[str, ast.ClassDef] | None:
        module = sys.modules.get(cls.__module__)
        path = getattr(module, "__file__", None)
        if not path or not path.endswith(".py"):
            return None
        tree = self._tree(path)
        if tree is None:
            return None
        parts = cls.__qualname__.split(".")
        body: list[ast.stmt] = tree.body
        found: ast.ClassDef | None = None
        for part in parts:
            found = None
            for node in body:
                if isinstance(node, ast.ClassDef) and node.name == part:
                    found = node  # the last definition wins, as at run time
            if found is None:
                break
            body = found.body
        if found is None:
            return None
        return os.path.realpath(path), found

    def model(self, model: Any, field: str | None) -> tuple[str, int, int] | None:
        first = None
        for cls in model.__mro__:
            if cls is object or not hasattr(cls, "_meta"):
                continue
            located = self._class(cls)
            if located is None:
                continue
            path, node = located
            if first is None:
                first = (path, node.lineno, node.col_offset + 1)
            if field is None:
                return first
            for stmt in node.body:
                targets: list[ast.expr] = []
                if isinstance(stmt, ast.Assign):
                    targets = stmt.targets
                elif isinstance(stmt, ast.AnnAssign):
                    targets = [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id == field:
                        if not self.inside(path) and self.inside(first[0]):
                            return first
                        return path, target.lineno, target.col_offset + 1
        return first


def _operation(op: Any, app_label: str, apps: Any, locator: _Locator) -> dict[str, Any]:
    from django.db.migrations.operations.fields import FieldOperation

    kind = type(op).__name__
    model_name = getattr(op, "model_name", None)
    field = None
    if isinstance(op, FieldOperation):
        field = getattr(op, "new_name", None) or op.name
    elif model_name is None:
        model_name = getattr(op, "new_name", None) or getattr(op, "name", None)
    info: dict[str, Any] = {
        "kind": kind,
        "describe": op.describe(),
        "model": model_name,
        "field": field,
        "path": None,
        "line": 1,
        "col": 1,
    }
    if kind == "AlterModelOptions":
        info["options"] = sorted(getattr(op, "options", {}) or {})
    if kind in ("RenameField", "RenameModel"):
        info["old"] = getattr(op, "old_name", None)
    model = None
    if model_name:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            model = None
    if model is not None:
        info["model"] = model._meta.object_name
        located = locator.model(model, field)
        if located is not None:
            info["path"], info["line"], info["col"] = located
    return info


def _models_file(app_config: Any) -> str | None:
    module = getattr(app_config, "models_module", None)
    path: str | None = getattr(module, "__file__", None)
    if path:
        return os.path.realpath(path)
    candidate = os.path.join(app_config.path, "models.py")
    return os.path.realpath(candidate) if os.path.exists(candidate) else None
