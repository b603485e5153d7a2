"""Django model classes read with ast, importing nothing of the project.

A `SourceTree` gives file contents (the working tree, the index or a commit). `ModelIndex(tree,
apps)` parses the Python modules of the given apps (and, on demand, any repository module they
import from), resolves class bases through the repository's own imports, and describes every
model class:

- `Model.fields`: name -> `FieldDef` (own fields plus those inherited from abstract bases and
  mixins in the repository; `GenericForeignKey`/`GenericRelation` have no column and are left out),
- `Model.options`: the `Meta` options Django records in migrations (inherited `Meta` of abstract
  bases included), `Model.managers`: managers with `use_in_migrations = True`,
- `Model.parents`: concrete parents (multi-table inheritance), `Model.proxy_for`,
- `Model.unknown`: why the model cannot be described with certainty (a base class or `Meta` base
  that is not resolvable in the repository or a known Django class, dynamic class bodies, swappable
  models) or `""`; `Model.incomplete`: attributes of unknown type (third-party descriptors that may
  or may not be fields), so fields recorded in migrations but absent here are not certain.

Every value that reaches a migration is kept as a normalised signature string (see
`djangoread.signatures`), so comparing two revisions ignores formatting, comments, docstrings,
methods and imports.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable

from django_migration_hooks import _ast
from django_migration_hooks.djangoread.apps import App, meta_true
from django_migration_hooks.djangoread.bases import ClassKind, Ref, Root
from django_migration_hooks.djangoread.fields import (
    DEFAULT_MANAGER,
    DJANGO_FIELDS,
    FALSE,
    KNOWN_ABSTRACT,
    MODEL_MARKERS,
    MODEL_ROOTS,
    NON_FIELDS,
    NOT_MODEL_META,
    NOT_MODEL_MODULES,
    NOT_MODEL_SUFFIXES,
    RECORDED_OPTIONS,
)
from django_migration_hooks.djangoread.records import FieldDef, Model, Option
from django_migration_hooks.djangoread.signatures import SignatureReader, ref_signature
from django_migration_hooks.djangoread.trees import SourceTree

# statements of a class body that define no field, manager or option
QUIET_STATEMENTS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)
# statements a Meta class may hold and still be read
META_STATEMENTS = (ast.Assign, ast.Pass, ast.Expr, ast.FunctionDef, ast.AnnAssign)


class ModelIndex(SignatureReader):
    """Model classes of some apps in one tree; other repository modules are read on demand."""

    def __init__(self, tree: SourceTree, apps: Iterable[App], *, signatures: bool = True) -> None:
        super().__init__(tree, apps, signatures=signatures)
        self._models: dict[tuple[str, str], Model] = {}
        self._resolving: set[tuple[str, str]] = set()
        self._app_files: dict[str, list[str]] | None = None

    # --- app modules -------------------------------------------------------------------------

    def app_modules(self, app: App) -> list[str]:
        """The app's Python modules that may define models (migrations and tests excluded)."""
        if self._app_files is None:
            self._app_files = {}
            prefixes = tuple(a.path + "/" for a in self.apps if a.path)
            everything = any(not a.path for a in self.apps)
            for path in sorted(self._py):
                if not everything and not path.startswith(prefixes):
                    continue
                owner = self._owner(path)
                if owner is not None:
                    self._app_files.setdefault(owner, []).append(path)
        return self._app_files.get(app.path, [])

    def _owner(self, path: str) -> str | None:
        """The deepest app folder holding a model-capable module, or None."""
        parts = path.split("/")
        name = parts[-1]
        if name.startswith("test") or name in ("conftest.py", "setup.py"):
            return None
        for i in range(len(parts) - 1, -1, -1):
            directory = "/".join(parts[:i])
            if directory in self._label_of_dir:
                inner = parts[i:-1]
                if "migrations" in inner or "tests" in inner or "test" in inner:
                    return None
                return directory
        return None

    # --- models ------------------------------------------------------------------------------

    def app_models(self, app: App) -> list[Model]:
        """Model classes defined at module level in the app's modules (abstract ones included)."""
        result = []
        for path in self.app_modules(app):
            if posixpath.basename(path) in NOT_MODEL_MODULES:
                continue  # read on demand when a model imports from them
            text = self.tree.read(path)
            if text is None:
                self.module(path)  # unreadable: recorded, and its app is not checked
                continue
            if "class " not in text or not any(m in text for m in MODEL_MARKERS):
                continue  # cannot define a model class with fields or Meta
            tree = self.module(path)
            if tree is None:
                continue
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and node.bases:
                    model = self.model(path, node.name)
                    if model is not None:
                        result.append(model)
        return result

    def model(self, path: str, name: str) -> Model | None:
        """The model class `name` defined in `path`, or None when it is not a model."""
        key = (path, name)
        if key in self._models:
            return self._models[key]
        if key in self._resolving:
            return None
        ref = Ref("class", path, name)
        node = self.class_node(ref)
        if node is None:
            return None
        root = self.class_root(ref).kind
        if root not in (ClassKind.MODEL, ClassKind.UNKNOWN):
            return None
        if root is ClassKind.UNKNOWN and not self._looks_like_model(path, node):
            return None
        self._resolving.add(key)
        try:
            model = self._build(path, node, unknown_root=root is ClassKind.UNKNOWN)
        finally:
            self._resolving.discard(key)
        self._models[key] = model
        return model

    def _looks_like_model(self, path: str, node: ast.ClassDef) -> bool:
        """Whether a class with an unresolvable base may be a model (so: an unknown one)."""
        meta = next(
            (s for s in node.body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None
        )
        meta_names = {
            t.id
            for s in (meta.body if meta else ())
            if isinstance(s, ast.Assign)
            for t in s.targets
            if isinstance(t, ast.Name)
        }
        if meta_names & NOT_MODEL_META:
            return False  # a ModelForm, a serializer, a filter set...
        for base in node.bases:
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            if isinstance(name, str) and name.endswith(NOT_MODEL_SUFFIXES):
                return False
        if meta_names & (RECORDED_OPTIONS | {"abstract", "app_label", "db_tablespace"}):
            return True
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                ref = self.resolve_expr(path, stmt.value.func)
                if self.class_root(ref).kind is ClassKind.FIELD:
                    return True
        return path.endswith("/models.py") or path == "models.py" or "/models/" in path

    # --- one model class ---------------------------------------------------------------------

    def _build(self, path: str, node: ast.ClassDef, *, unknown_root: bool) -> Model:
        model = Model(
            app=self.app_for(path),
            label=self.label_for(path),
            name=node.name,
            path=path,
            line=node.lineno,
            col=node.col_offset + 1,
        )
        if unknown_root:
            model.unknown = "a base class is not resolvable"
        abstract_parents, inherited_meta = self._inherit(model, path, node)
        for parent in reversed(abstract_parents):  # the first base wins a name clash
            for fname in parent.removed:
                model.fields.pop(fname, None)
            model.fields.update(parent.fields)
            for mname, mdef in parent.managers.items():
                model.managers.setdefault(mname, mdef)
        if self.signatures:
            _read_scope(model, node)
        meta_node, own_managers = self._read_body(model, path, node)
        model.managers.update(own_managers)
        seen = {name for name, _ in model.manager_order}
        for parent in abstract_parents:  # Django: own managers first, then by MRO depth
            for name, where in parent.manager_order:
                if name not in seen:
                    seen.add(name)
                    model.manager_order.append((name, where))
        if meta_node is not None:
            model.options = self._read_meta(model, path, meta_node)
        elif inherited_meta is not None:
            model.options = dict(inherited_meta)
        _apply_meta(model, meta_node)
        return model

    def _inherit(
        self, model: Model, path: str, node: ast.ClassDef
    ) -> tuple[list[Model], dict[str, Option] | None]:
        """Read the bases: (abstract parents in order, the Meta options inherited, if any)."""
        inherited_meta: dict[str, Option] | None = None
        abstract_parents: list[Model] = []
        for base in node.bases:
            ref = self.resolve_expr(path, base)
            model.bases.append(ref_signature(ref))
            if ref.kind == "ext":
                if ref.name in KNOWN_ABSTRACT:
                    abstract_parents.append(_known_abstract(model, ref.name, path, node))
                elif (
                    ref.name not in MODEL_ROOTS and self.class_root(ref).kind is not ClassKind.OTHER
                ):
                    model.unknown = model.unknown or f"base {ref.name} is not resolvable"
                continue
            if ref.kind != "class":
                model.unknown = model.unknown or f"base {ast.unparse(base)} is not resolvable"
                continue
            if self.class_root(ref).kind is ClassKind.OTHER:
                continue  # a plain mixin: Django does not inherit fields declared on it
            parent = self.model(ref.path, ref.name)
            if parent is None:
                model.unknown = model.unknown or f"base {ref.name} is not resolvable"
                continue
            if parent.unknown:
                model.unknown = model.unknown or f"base {ref.name}: {parent.unknown}"
            model.incomplete.extend(parent.incomplete)
            if parent.abstract:
                abstract_parents.append(parent)
                if inherited_meta is None and parent.name not in KNOWN_ABSTRACT:
                    inherited_meta = {k: v for k, v in parent.options.items() if k != "abstract"}
            else:
                model.parents.append(f"{parent.label}.{parent.name.lower()}")
        return abstract_parents, inherited_meta

    def _read_body(
        self, model: Model, path: str, node: ast.ClassDef
    ) -> tuple[ast.ClassDef | None, dict[str, Option]]:
        """Fields and managers of the class body: (its Meta class, managers to record)."""
        meta_node: ast.ClassDef | None = None
        own_managers: dict[str, Option] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
                meta_node = stmt
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                value = stmt.value
                for target in targets:
                    if isinstance(target, ast.Name) and value is not None:
                        self._attribute(model, path, target.id, value, stmt, own_managers)
            elif isinstance(stmt, QUIET_STATEMENTS) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            ):
                continue
            else:
                model.unknown = model.unknown or "the class body has dynamic statements"
        return meta_node, own_managers

    def _read_meta(self, model: Model, path: str, meta_node: ast.ClassDef) -> dict[str, Option]:
        """The options of the model's own Meta class (with those of its Meta bases)."""
        options: dict[str, Option] = {}
        for base in meta_node.bases:
            base_meta = self._meta_base(path, base)
            if base_meta is None:
                model.unknown = model.unknown or f"Meta base {ast.unparse(base)} is not resolvable"
            else:
                options.update(base_meta)
        for stmt in meta_node.body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        options[target.id] = Option(
                            self.signature(path, stmt.value, model),
                            path,
                            stmt.lineno,
                            stmt.col_offset + 1,
                        )
        return options

    def _meta_base(self, path: str, base: ast.expr) -> dict[str, Option] | None:
        if isinstance(base, ast.Name) and base.id == "object":
            return {}
        if isinstance(base, ast.Attribute) and base.attr == "Meta":
            owner = self.resolve_expr(path, base.value)
            if owner.kind == "class":
                parent = self.model(owner.path, owner.name)
                if parent is not None and not parent.unknown:
                    own = self._own_meta(owner, parent)
                    return own
            if owner.kind == "ext" and owner.name in KNOWN_ABSTRACT:
                return {}
        return None

    def _own_meta(self, owner: Ref, parent: Model) -> dict[str, Option]:
        # Meta(Parent.Meta) inherits Parent's Meta attributes; abstract is not inherited
        return {k: v for k, v in parent.options.items() if k != "abstract"}

    def _attribute(
        self,
        model: Model,
        path: str,
        name: str,
        value: ast.expr,
        stmt: ast.stmt,
        managers: dict[str, Option],
    ) -> None:
        if isinstance(value, ast.Constant) and value.value is None:
            # `field = None` removes an inherited field
            if name in model.fields:
                del model.fields[name]
            model.removed.add(name)
            return
        if not isinstance(value, ast.Call):
            return
        func = value.func
        ref = self.resolve_expr(path, func)
        root = self.class_root(ref) if ref.kind in ("class", "ext") else Root(ClassKind.UNKNOWN)
        where = Option("", path, stmt.lineno, stmt.col_offset + 1)
        unknown = root.kind is ClassKind.UNKNOWN
        if unknown and isinstance(func, ast.Attribute) and func.attr == "as_manager":
            model.manager_order.append((name, where))
            return  # `QuerySet.as_manager()` (and `Manager.from_queryset(QS)()` below)
        if (
            unknown and isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute)
        ) and func.func.attr == "from_queryset":
            base_ref = self.resolve_expr(path, func.func.value)
            root = self.class_root(base_ref)
        kind = root.kind
        if kind is ClassKind.FIELD:
            self._field(model, path, name, value, stmt, ref, root.field)
        elif kind is ClassKind.MIGRATION_MANAGER:
            model.manager_order.append((name, where))
            managers[name] = Option(
                self.signature(path, value, model), path, stmt.lineno, stmt.col_offset + 1
            )
        elif kind is ClassKind.MANAGER:
            model.manager_order.append((name, where))
        elif (
            kind in (ClassKind.OTHER, ClassKind.CHOICES)
            or ref.kind == "ext"
            and ref.name in NON_FIELDS
        ):
            return
        else:
            model.incomplete.append(name)

    def _field(
        self,
        model: Model,
        path: str,
        name: str,
        call: ast.Call,
        stmt: ast.stmt,
        ref: Ref,
        django_name: str,
    ) -> None:
        """A field of a Django field class (one without a column removes the name)."""
        field_kind = DJANGO_FIELDS[django_name]
        if field_kind == "none":
            model.fields.pop(name, None)
            return
        model.removed.discard(name)
        signature, params = self.field_signature(path, call, ref, django_name, model)
        model.fields[name] = FieldDef(
            name=name,
            kind=field_kind,
            type_name=django_name,
            signature=signature,
            path=path,
            line=stmt.lineno,
            col=stmt.col_offset + 1,
            primary_key=_keyword_true(call, "primary_key"),
            parent_link=_keyword_true(call, "parent_link"),
            params=params,
        )


def _known_abstract(model: Model, dotted: str, path: str, node: ast.ClassDef) -> Model:
    """One of Django's abstract models (AbstractUser...), with the fields it defines."""
    known = Model(model.app, model.label, dotted, path, node.lineno, model.col)
    known.abstract = True
    for fname in KNOWN_ABSTRACT[dotted]:
        known.fields[fname] = FieldDef(
            fname,
            "column",
            "inherited",
            f"ext:{dotted}",
            path,
            node.lineno,
            node.col_offset + 1,
        )
    return known


def _read_scope(model: Model, node: ast.ClassDef) -> None:
    """Names of the class body a field argument may use (STATUS_CHOICES, a nested enum)."""
    for stmt in node.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name != "Meta":
            model.scope[stmt.name] = stmt
        elif isinstance(stmt, ast.Assign) and not isinstance(stmt.value, ast.Call):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    model.scope[target.id] = stmt.value


def _apply_meta(model: Model, meta_node: ast.ClassDef | None) -> None:
    """What the options mean for the model: abstract, proxy, label, managed, default manager."""
    options = model.options
    if meta_node is not None and meta_true(meta_node, "abstract"):
        model.abstract = True
    model.proxy = meta_node is not None and meta_true(meta_node, "proxy")
    label = _meta_text(meta_node, "app_label") if meta_node is not None else None
    if label:
        model.label = label
    managed = options.get("managed")
    model.managed = managed is None or managed.signature != FALSE
    if "swappable" in options:
        model.unknown = model.unknown or "swappable model"
    if meta_node is not None and any(not isinstance(s, META_STATEMENTS) for s in meta_node.body):
        model.unknown = model.unknown or "Meta has dynamic statements"
    # Django records the default manager (the first one) when it is not called `objects`
    if model.manager_order:
        name, where = model.manager_order[0]
        uncertain = bool(model.incomplete) or "default_manager_name" in options
        if uncertain or name != "objects":
            model.managers.setdefault(
                DEFAULT_MANAGER,
                where._replace(signature="?" if uncertain else f"default:{name}"),
            )
    if model.proxy:
        model.fields = {}


def _keyword_true(call: ast.Call, name: str) -> bool:
    return any(
        kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value is True
        for kw in call.keywords
    )


def _meta_text(meta: ast.ClassDef, name: str) -> str | None:
    for stmt in meta.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in stmt.targets
        ):
            value = _ast.string(stmt.value)
            if value is not None:
                return value
    return None
