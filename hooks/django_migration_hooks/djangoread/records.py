"""What the model index describes: model classes, their fields and their recorded options."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import NamedTuple

from django_migration_hooks.djangoread.fields import FieldKind


class FieldDef(NamedTuple):
    name: str
    kind: FieldKind  # "column" or "m2m"
    type_name: str
    signature: str
    path: str
    line: int
    col: int
    primary_key: bool = False
    parent_link: bool = False
    params: tuple[tuple[str, str], ...] = ()  # argument name -> signature, for messages


class Option(NamedTuple):
    signature: str
    path: str
    line: int
    col: int


@dataclass
class Model:
    app: str  # app folder
    label: str  # app label the model belongs to
    name: str
    path: str
    line: int
    col: int
    abstract: bool = False
    proxy: bool = False
    managed: bool = True
    fields: dict[str, FieldDef] = field(default_factory=dict)
    options: dict[str, Option] = field(default_factory=dict)
    managers: dict[str, Option] = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)  # "label.name" of concrete parents
    bases: list[str] = field(default_factory=list)  # signature of the resolved bases
    unknown: str = ""
    incomplete: list[str] = field(default_factory=list)  # attributes of unknown type
    removed: set[str] = field(default_factory=set)  # inherited fields set to None
    scope: dict[str, ast.AST] = field(default_factory=dict, repr=False)  # class-body names
    manager_order: list[tuple[str, Option]] = field(default_factory=list)  # every manager

    @property
    def key(self) -> tuple[str, str]:
        return (self.label, self.name.lower())

    @property
    def concrete(self) -> bool:
        return not self.abstract
