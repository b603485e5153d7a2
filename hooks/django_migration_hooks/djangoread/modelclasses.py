"""Which classes of a models module are Django models, read with ast (nothing is imported).

A class is a model when one of its bases leads to `django.db.models.Model`:

- a name or attribute bound by an import from `django` (`from django.db import models` then
  `models.Model`, `from django.contrib.auth.models import AbstractUser`);
- another model class of the same module (abstract ones included), in any order;
- a name imported from elsewhere (another module of the repository, a third-party app such as
  `model_utils`) ending in `Model`, or one of Django's user bases: the usual shape of an
  abstract model base.

Never a model: classes whose bases lead to pydantic, SQLAlchemy, attrs, marshmallow and similar
libraries (also through classes of the same module, `BaseModel as UnsafeBaseModel` included),
bases that are module-level variables (`Base = declarative_base()`, `db = SQLAlchemy()` then
`db.Model`), same-module classes that are not models themselves, and `BaseModel`.
Names the module never binds (star imports, snippets) fall back to the name heuristic.
"""

from __future__ import annotations

import ast
from typing import Literal

USER_BASES = frozenset({"AbstractUser", "AbstractBaseUser"})
DJANGO_CONCRETE = frozenset({"User", "Group", "Permission", "Site", "FlatPage", "Redirect"})
NON_DJANGO_MODULES = frozenset(
    {
        "pydantic",
        "pydantic_settings",
        "ninja",
        "msgspec",
        "attrs",
        "attr",
        "sqlalchemy",
        "sqlmodel",
        "flask_sqlalchemy",
        "marshmallow",
        "dataclasses",
        "peewee",
        "pony",
        "mongoengine",
        "tortoise",
        "odmantic",
        "beanie",
    }
)

Binding = Literal["django", "foreign", "other", "variable"]


def concrete_models(text: str) -> list[tuple[str, int]]:
    """(class name, line) of each concrete Django model (not abstract, not a proxy) in source."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    bindings = _bindings(tree)
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.bases]
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    local: set[str] = set()
    changed = True
    while changed:  # models deriving from models of the same module, in any order
        changed = False
        for node in classes:
            if node.name not in local and any(
                _model_base(base, local, defined, bindings) for base in node.bases
            ):
                local.add(node.name)
                changed = True
    found = [(node.name, node.lineno) for node in classes if node.name in local and _concrete(node)]
    return sorted(found, key=lambda item: item[1])


def defines_models(text: str) -> bool:
    """Whether model source defines a concrete Django model (not abstract, not a proxy)."""
    return bool(concrete_models(text))


def _origin(module: str) -> Binding:
    root = module.split(".")[0]
    if root == "django":
        return "django"
    return "foreign" if root in NON_DJANGO_MODULES else "other"


def _bindings(tree: ast.Module) -> dict[str, Binding]:
    """How each module-level name is bound: by an import (django, foreign, other) or a value."""
    found: dict[str, Binding] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            origin = _origin(node.module or "") if node.level == 0 else "other"
            for alias in node.names:
                found[alias.asname or alias.name] = origin
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name.split(".")[0]] = _origin(alias.name)
    for stmt in tree.body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = list(stmt.targets)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets = [stmt.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id not in found:
                found[target.id] = "variable"
    return found


def _model_base(
    node: ast.expr, local: set[str], defined: set[str], bindings: dict[str, Binding]
) -> bool:
    if isinstance(node, ast.Subscript):  # Generic[...] style bases
        node = node.value
    if isinstance(node, ast.Attribute):
        root = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return False
        binding = bindings.get(root.id)
        if binding in ("foreign", "variable") or root.id in NON_DJANGO_MODULES:
            return False
        return _model_name(node.attr, django=binding == "django")
    if not isinstance(node, ast.Name):
        return False
    if node.id in defined:
        return node.id in local
    binding = bindings.get(node.id)
    if binding in ("foreign", "variable"):
        return False
    return _model_name(node.id, django=binding == "django")


def _model_name(name: str, *, django: bool) -> bool:
    if django:
        return name.endswith("Model") or name in USER_BASES or name in DJANGO_CONCRETE
    if name == "BaseModel":  # pydantic's, django-ninja's Schema base, ...
        return False
    return name.endswith("Model") or name in USER_BASES


def meta_true(meta: ast.ClassDef, name: str) -> bool:
    """Whether a Meta class sets `name = True` (the first constant assigned to it counts)."""
    for stmt in meta.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
            and isinstance(stmt.value, ast.Constant)
        ):
            return stmt.value.value is True
    return False


def _concrete(cls: ast.ClassDef) -> bool:
    """Whether no Meta class of a model class makes it abstract or a proxy."""
    return not any(
        meta_true(item, flag)
        for item in cls.body
        if isinstance(item, ast.ClassDef) and item.name == "Meta"
        for flag in ("abstract", "proxy")
    )
