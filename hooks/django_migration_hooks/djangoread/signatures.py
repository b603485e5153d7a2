"""Normalised signatures of what reaches a migration, so two revisions compare by meaning.

A signature is an `ast.dump` with names resolved through the repository's imports, keyword order,
default values and translation wrappers normalised: formatting, comments, docstrings and import
style do not change it. `SignatureReader` adds these to a `NameResolver`.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterable, Mapping

from django_migration_hooks.djangoread.apps import App
from django_migration_hooks.djangoread.bases import ClassKind, NameResolver, Ref
from django_migration_hooks.djangoread.fields import (
    DEFAULT_KWARGS,
    DEFAULT_POSITIONAL,
    FALSE,
    INDEXED_BY_DEFAULT,
    POSITIONAL,
    RELATION_FIELDS,
    TRANSLATIONS,
    TRUE,
)
from django_migration_hooks.djangoread.records import Model
from django_migration_hooks.djangoread.trees import SourceTree


class SignatureReader(NameResolver):
    """Signatures of expressions in the modules of one tree (empty with `signatures=False`)."""

    def __init__(self, tree: SourceTree, apps: Iterable[App], *, signatures: bool = True) -> None:
        super().__init__(tree, apps)
        self.signatures = signatures

    def field_signature(
        self, path: str, call: ast.Call, ref: Ref, django_name: str, model: Model
    ) -> tuple[str, tuple[tuple[str, str], ...]]:
        """(signature, params) of a field call; params map argument names to signatures."""
        if not self.signatures:
            return ("", ())
        names = POSITIONAL.get(django_name, DEFAULT_POSITIONAL)
        kwargs: dict[str, str] = {}
        extra: list[str] = []
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                extra.append(ast.dump(arg))
            elif i < len(names):
                kwargs[names[i]] = self._arg_sig(path, names[i], arg, django_name, model)
            else:
                extra.append(self.signature(path, arg, model))
        for kw in call.keywords:
            if kw.arg is None:
                extra.append("**" + self.signature(path, kw.value, model))
            else:
                kwargs[kw.arg] = self._arg_sig(path, kw.arg, kw.value, django_name, model)
        for key, defaults in DEFAULT_KWARGS.items():
            if kwargs.get(key) in defaults:
                del kwargs[key]
        if django_name in INDEXED_BY_DEFAULT:
            if kwargs.get("db_index") == TRUE:
                del kwargs["db_index"]
        elif kwargs.get("db_index") == FALSE:
            del kwargs["db_index"]
        cls = ref_signature(ref)
        params = tuple(sorted(kwargs.items()))
        body = ", ".join(f"{k}={v}" for k, v in params)
        params += tuple((f"*{i}", e) for i, e in enumerate(extra))
        return f"{cls}({', '.join([*extra, body])})", (("<class>", cls), *params)

    def _arg_sig(self, path: str, key: str, value: ast.expr, field_name: str, model: Model) -> str:
        if key == "to" and field_name in RELATION_FIELDS:
            target = self.model_reference(path, value, model)
            if target:
                return repr(target)
        return self.signature(path, value, model)

    def model_reference(self, path: str, value: ast.expr, model: Model) -> str:
        """A relation target as "label.modelname" (lower case), or "" when not resolvable."""
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            text = value.value
            if text == "self":
                return f"{model.label}.{model.name.lower()}"
            if "." in text:
                label, _, name = text.rpartition(".")
                return f"{label}.{name.lower()}"
            return f"{model.label}.{text.lower()}"
        ref = self.resolve_expr(path, value)
        if ref.kind == "class":
            return f"{self.label_for(ref.path)}.{ref.name.lower()}"
        return ""

    def signature(self, path: str, node: ast.expr, model: Model | None = None) -> str:
        """ast.dump of an expression with names resolved (so import style does not matter)."""
        if not self.signatures:
            return ""
        scope = model.scope if model is not None else None
        return ast.dump(_Normaliser(self, path, scope=scope).visit(_copy(node)))

    def member_signature(self, ref: Ref, name: str, depth: int) -> str | None:
        """The value of one member of a Choices enum (its label does not reach the database)."""
        node = self.class_node(ref)
        for stmt in node.body if node else ():
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in stmt.targets
            ):
                value = stmt.value
                if isinstance(value, ast.Tuple) and value.elts:
                    value = value.elts[0]
                normalised: ast.expr = _Normaliser(self, ref.path, depth + 1).visit(_copy(value))
                return f"member:{ast.dump(normalised)}"
        return None

    def value_signature(self, ref: Ref, depth: int) -> str:
        node = self._definitions(ref.path).get(ref.name)
        if isinstance(node, ast.ClassDef):
            if self.class_root(ref).kind is ClassKind.CHOICES:
                members = [
                    ast.dump(_Normaliser(self, ref.path, depth + 1).visit(copy.deepcopy(s)))
                    for s in node.body
                    if isinstance(s, (ast.Assign, ast.AnnAssign))
                ]
                return f"choices:{ref.name}[{';'.join(members)}]"
            return f"class:{ref.name}"
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and depth < 5:
            return ast.dump(_Normaliser(self, ref.path, depth + 1).visit(_copy(node.value)))
        return f"{ref.kind}:{ref.name}"


class _Normaliser(ast.NodeTransformer):
    def __init__(
        self,
        index: SignatureReader,
        path: str,
        depth: int = 0,
        scope: Mapping[str, ast.AST] | None = None,
    ) -> None:
        self.index = index
        self.path = path
        self.depth = depth
        self.scope = scope or {}

    def _scoped(self, name: str, attr: str | None = None) -> ast.expr | None:
        """A name of the model's class body (STATUS_CHOICES, a nested Choices class)."""
        found = self.scope.get(name)
        if found is None or self.depth >= 5:
            return None
        inner = _Normaliser(self.index, self.path, self.depth + 1, self.scope)
        if isinstance(found, ast.ClassDef):
            members = {
                t.id: s.value
                for s in found.body
                if isinstance(s, ast.Assign)
                for t in s.targets
                if isinstance(t, ast.Name)
            }
            if attr is not None and attr in members:
                value = members[attr]
                if isinstance(value, ast.Tuple) and value.elts:
                    value = value.elts[0]
                return ast.Constant(f"member:{ast.dump(inner.visit(_copy(value)))}")
            body = ";".join(ast.dump(inner.visit(_copy(v))) for v in members.values())
            return ast.Constant(f"class:{name}[{body}].{attr}")
        if attr is None and isinstance(found, ast.expr):
            resolved: ast.expr = inner.visit(_copy(found))
            return resolved
        return None

    def _resolved(self, node: ast.expr) -> ast.expr:
        ref = self.index.resolve_expr(self.path, node)
        if ref.kind == "ext":
            return ast.Constant(_ext_sig(ref.name))
        if ref.kind == "value" and self.depth < 5:
            definition = self.index._definitions(ref.path).get(ref.name)
            if isinstance(definition, (ast.Assign, ast.AnnAssign)) and definition.value:
                # a module-level constant: its value, as if written in place
                value: ast.expr = _Normaliser(self.index, ref.path, self.depth + 1).visit(
                    _copy(definition.value)
                )
                return value
        if ref.kind in ("class", "value") and self.depth < 5:
            return ast.Constant(self.index.value_signature(ref, self.depth))
        if ref.kind == "func":
            return ast.Constant(f"func:{ref.name}")
        if isinstance(node, ast.Attribute):
            node.value = self.visit(node.value)
            return node
        return node

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self._scoped(node.id) or self._resolved(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        if isinstance(node.value, ast.Name):
            scoped = self._scoped(node.value.id, node.attr)
            if scoped is not None:
                return scoped
        if isinstance(node.value, (ast.Name, ast.Attribute)):
            owner = self.index.resolve_expr(self.path, node.value)
            if owner.kind == "class" and self.index.class_root(owner).kind is ClassKind.CHOICES:
                # Status.DRAFT: that member's value; Status.choices: the whole enum
                member = self.index.member_signature(owner, node.attr, self.depth)
                if member is not None:
                    return ast.Constant(member)
                return ast.Constant(f"{self.index.value_signature(owner, self.depth)}.{node.attr}")
        return self._resolved(node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        ref = self.index.resolve_expr(self.path, node.func)
        if (
            (
                ref.kind == "ext"
                and ref.name.rpartition(".")[2] in TRANSLATIONS
                or (
                    ref.kind == "unknown"
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "_"
                )
            )
            and len(node.args) == 1
            and not node.keywords
        ):
            inner: ast.expr = self.visit(node.args[0])
            return inner
        node.func = self.visit(node.func)
        node.args = [self.visit(a) for a in node.args]
        node.keywords = sorted((self.visit(k) for k in node.keywords), key=lambda k: k.arg or "")
        return node


def _copy(node: ast.expr) -> ast.expr:
    copied: ast.expr = copy.deepcopy(node)
    return copied


def _ext_sig(dotted: str) -> str:
    if dotted.startswith("django.db.models"):
        return "django.db.models." + dotted.rpartition(".")[2]
    if dotted.startswith("django.contrib.postgres"):
        return "django.contrib.postgres." + dotted.rpartition(".")[2]
    return dotted


def ref_signature(ref: Ref) -> str:
    if ref.kind == "ext":
        return _ext_sig(ref.name)
    return f"{ref.kind}:{ref.name}"
