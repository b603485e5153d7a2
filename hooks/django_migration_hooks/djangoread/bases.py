"""Names and base classes resolved through a repository's own imports, importing nothing.

`NameResolver(tree, apps)` parses modules on demand and says what a module-level name or a
dotted expression refers to (`Ref`: a class, function or value of the repository, a module, an
external dotted name, or unknown), and what a class derives from (`Root`: a model, a Django
field class, a manager, a `Choices` enum, something else or unknown).
"""

from __future__ import annotations

import ast
import enum
import posixpath
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

from django_migration_hooks.djangoread.apps import App
from django_migration_hooks.djangoread.fields import (
    CHOICES_ROOTS,
    DJANGO_FIELDS,
    KNOWN_ABSTRACT,
    KNOWN_MANAGERS,
    MODEL_ROOTS,
    NON_FIELDS,
)
from django_migration_hooks.djangoread.trees import SourceTree

# "class"/"func"/"value": defined in the repository module `path`; "module": a repository
# module; "ext": the dotted name of something outside the repository; "unknown": not resolvable
RefKind = Literal["class", "ext", "module", "unknown", "value", "func"]
# how a module imports a local name: "repo" ("<file>|<name>"), "repomod" (a file), "ext" (dotted)
ImportKind = Literal["repo", "repomod", "ext", "unknown"]

BUILTIN_NAMES = (
    "object",
    "property",
    "classmethod",
    "staticmethod",
    "dict",
    "list",
    "set",
    "tuple",
)


class Ref(NamedTuple):
    """A resolved name: a class in the repository, an external dotted name, or unknown."""

    kind: RefKind
    path: str = ""  # repo module for class/module/value/func
    name: str = ""  # class/func/value name, or the dotted external name


class ClassKind(enum.Enum):
    """What a class derives from."""

    MODEL = "model"
    FIELD = "field"  # a Django field class: `Root.field` names it
    MANAGER = "manager"
    MIGRATION_MANAGER = "manager+"  # a manager with `use_in_migrations = True`
    CHOICES = "choices"
    OTHER = "other"  # a plain class: never a model, a field or a manager
    UNKNOWN = "unknown"


class Root(NamedTuple):
    kind: ClassKind
    field: str = ""  # the Django field class name, for ClassKind.FIELD

    @property
    def is_manager(self) -> bool:
        return self.kind in (ClassKind.MANAGER, ClassKind.MIGRATION_MANAGER)


UNKNOWN = Root(ClassKind.UNKNOWN)
OTHER = Root(ClassKind.OTHER)


def module_path_candidates(dotted: str) -> tuple[str, str]:
    base = dotted.replace(".", "/")
    return (base + ".py", base + "/__init__.py")


class NameResolver:
    """Modules of one tree, parsed on demand, and what their names refer to."""

    def __init__(self, tree: SourceTree, apps: Iterable[App]) -> None:
        self.tree = tree
        self.apps = list(apps)
        self.problems: list[str] = []
        self.unparsable: set[str] = set()  # modules read (for models or imports) that do not parse
        self._modules: dict[str, ast.Module | None] = {}
        self._imports: dict[str, dict[str, tuple[ImportKind, str]]] = {}
        self._stars: dict[str, list[str]] = {}
        self._by_tail: dict[str, list[str]] | None = None
        self._roots: dict[Ref, Root] = {}
        self._defs: dict[str, dict[str, ast.stmt]] = {}
        self._names: dict[tuple[str, str], Ref] = {}
        self._label_of_dir = {app.path: app.label for app in self.apps}
        self._py = {p for p in tree.paths if p.endswith(".py")}

    # --- modules -----------------------------------------------------------------------------

    def module(self, path: str) -> ast.Module | None:
        if path not in self._modules:
            text = self.tree.read(path)
            tree: ast.Module | None = None
            if text is None and path in self.tree.unreadable:
                self.problems.append(f"{self.tree.unreadable[path]}; its app is not checked")
                self.unparsable.add(path)
            if text is not None:
                try:
                    tree = ast.parse(text, path)
                except (SyntaxError, ValueError) as exc:
                    line = getattr(exc, "lineno", None) or 1
                    self.problems.append(f"{path}:{line}: skipped, syntax error")
                    self.unparsable.add(path)
            self._modules[path] = tree
        return self._modules[path]

    def _module_file(self, dotted: str) -> str | None:
        """The repository file of an absolute dotted module name (suffix match on paths)."""
        if self._by_tail is None:
            self._by_tail = {}
            for path in self._py:
                module = path[:-3]
                if module.endswith("/__init__"):
                    module = module[: -len("/__init__")]
                self._by_tail.setdefault(module.rpartition("/")[2], []).append(path)
        tail = dotted.rpartition(".")[2]
        want = module_path_candidates(dotted)
        found = [
            p
            for p in self._by_tail.get(tail, [])
            if any(p == w or p.endswith("/" + w) for w in want)
        ]
        if not found:
            return None
        return min(found, key=lambda p: (p.count("/"), p))

    def _relative(self, path: str, level: int, module: str | None) -> str | None:
        directory = posixpath.dirname(path)
        for _ in range(level - 1):
            directory = posixpath.dirname(directory)
        if module:
            base = (
                posixpath.join(directory, module.replace(".", "/"))
                if directory
                else (module.replace(".", "/"))
            )
        else:
            base = directory
        for candidate in (base + ".py", base + "/__init__.py") if base else ("__init__.py",):
            if candidate in self._py:
                return candidate
        return None

    def imports(self, path: str) -> dict[str, tuple[ImportKind, str]]:
        """Local name -> ("repo", "<file>|<name>") | ("repomod", file) | ("ext", dotted)."""
        if path in self._imports:
            return self._imports[path]
        result: dict[str, tuple[ImportKind, str]] = {}
        stars: list[str] = []
        tree = self.module(path)
        for node in tree.body if tree else ():
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        target = self._module_file(alias.name)
                        result[alias.asname] = (
                            ("repomod", target) if target else ("ext", alias.name)
                        )
                    else:
                        head = alias.name.partition(".")[0]
                        result[head] = ("ext", head)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    source = self._relative(path, node.level, node.module)
                    dotted = None
                else:
                    dotted = node.module or ""
                    source = None if dotted.startswith("django") else self._module_file(dotted)
                for alias in node.names:
                    local = alias.asname or alias.name
                    if alias.name == "*":
                        if source:
                            stars.append(source)
                        continue
                    if source is not None:
                        # `from pkg import submodule` or `from module import Name`
                        sub = self._submodule(source, alias.name)
                        result[local] = (
                            ("repomod", sub) if sub else ("repo", f"{source}|{alias.name}")
                        )
                    elif dotted is not None:
                        result[local] = ("ext", f"{dotted}.{alias.name}")
                    else:
                        result[local] = ("unknown", alias.name)
        self._imports[path] = result
        self._stars[path] = stars
        return result

    def _submodule(self, package_file: str, name: str) -> str | None:
        if not package_file.endswith("/__init__.py") and package_file != "__init__.py":
            return None
        directory = posixpath.dirname(package_file)
        for candidate in (f"{name}.py", f"{name}/__init__.py"):
            full = posixpath.join(directory, candidate) if directory else candidate
            if full in self._py:
                return full
        return None

    def _definitions(self, path: str) -> dict[str, ast.stmt]:
        cached = self._defs.get(path)
        if cached is None:
            cached = self._defs[path] = self._find_definitions(path)
        return cached

    def _find_definitions(self, path: str) -> dict[str, ast.stmt]:
        tree = self.module(path)
        found: dict[str, ast.stmt] = {}
        for node in tree.body if tree else ():
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                found[node.name] = node
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = node
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                found[node.target.id] = node
        return found

    def resolve_name(self, path: str, name: str, depth: int = 0) -> Ref:
        """What a module-level name in `path` refers to."""
        key = (path, name)
        cached = self._names.get(key)
        if cached is None:
            cached = self._resolve_name(path, name, depth)
            if depth == 0:
                self._names[key] = cached
        return cached

    def _resolve_name(self, path: str, name: str, depth: int) -> Ref:
        if depth > 20:
            return Ref("unknown", path, name)
        node = self._definitions(path).get(name)
        if node is not None:
            if isinstance(node, ast.ClassDef):
                return Ref("class", path, name)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return Ref("func", path, name)
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            if isinstance(value, (ast.Name, ast.Attribute)):
                aliased = self.resolve_expr(path, value, depth + 1)
                if aliased.kind in ("class", "ext", "func"):
                    return aliased
            return Ref("value", path, name)
        imported = self.imports(path).get(name)
        if imported is not None:
            kind, target = imported
            if kind == "ext":
                return Ref("ext", "", target)
            if kind == "repomod":
                return Ref("module", target, "")
            if kind == "repo":
                source, _, original = target.partition("|")
                return self.resolve_name(source, original, depth + 1)
            return Ref("unknown", path, name)
        for star in self._stars.get(path, []):
            ref = self.resolve_name(star, name, depth + 1)
            if ref.kind != "unknown":
                return ref
        if name in BUILTIN_NAMES:
            return Ref("ext", "", name)
        return Ref("unknown", path, name)

    def resolve_expr(self, path: str, node: ast.expr, depth: int = 0) -> Ref:
        if isinstance(node, ast.Name):
            return self.resolve_name(path, node.id, depth)
        if isinstance(node, ast.Attribute):
            owner = self.resolve_expr(path, node.value, depth + 1)
            if owner.kind == "ext":
                return Ref("ext", "", f"{owner.name}.{node.attr}")
            if owner.kind == "module":
                return self.resolve_name(owner.path, node.attr, depth + 1)
            if owner.kind == "class":
                return Ref("unknown", owner.path, f"{owner.name}.{node.attr}")
        return Ref("unknown", path, ast.unparse(node) if depth == 0 else "")

    def class_node(self, ref: Ref) -> ast.ClassDef | None:
        node = self._definitions(ref.path).get(ref.name)
        return node if isinstance(node, ast.ClassDef) else None

    # --- class kinds -------------------------------------------------------------------------

    def class_root(self, ref: Ref, seen: frozenset[Ref] = frozenset()) -> Root:
        """Classify a class by what it derives from (see ClassKind)."""
        cached = self._roots.get(ref)
        if cached is None:
            cached = self._roots[ref] = self._class_root(ref, seen)
        return cached

    def _class_root(self, ref: Ref, seen: frozenset[Ref]) -> Root:
        if ref.kind == "ext":
            return external_root(ref.name)
        if ref.kind != "class" or ref in seen:
            return UNKNOWN
        node = self.class_node(ref)
        if node is None:
            return UNKNOWN
        if not node.bases:
            return OTHER
        roots = [self.class_root(self.resolve_expr(ref.path, b), seen | {ref}) for b in node.bases]
        return derived_root(node, roots)

    # --- apps ----------------------------------------------------------------------------------

    def label_for(self, path: str) -> str:
        """The label of the app whose folder contains `path` (deepest match)."""
        directory = posixpath.dirname(path)
        while True:
            if directory in self._label_of_dir:
                return self._label_of_dir[directory]
            if not directory:
                break
            directory = posixpath.dirname(directory)
        # an app this index was not given: the folder above models.py / models/
        parts = path.split("/")
        for i in range(len(parts) - 1, 0, -1):
            if parts[i] in ("models", "models.py"):
                return parts[i - 1]
        return posixpath.basename(posixpath.dirname(path))

    def app_for(self, path: str) -> str:
        directory = posixpath.dirname(path)
        while True:
            if directory in self._label_of_dir or not directory:
                return directory
            directory = posixpath.dirname(directory)


def external_root(dotted: str) -> Root:
    """What a class outside the repository is, by its dotted name."""
    tail = dotted.rpartition(".")[2]
    django = dotted.startswith("django.")
    if dotted in MODEL_ROOTS or dotted in KNOWN_ABSTRACT:
        return Root(ClassKind.MODEL)
    if dotted in KNOWN_MANAGERS:
        return Root(ClassKind.MIGRATION_MANAGER if KNOWN_MANAGERS[dotted] else ClassKind.MANAGER)
    if dotted in CHOICES_ROOTS:
        return Root(ClassKind.CHOICES)
    if django and tail in DJANGO_FIELDS:
        return Root(ClassKind.FIELD, tail)
    if django and tail in ("QuerySet",):
        return OTHER
    if dotted in NON_FIELDS or dotted in ("object", "dict", "list", "set", "tuple"):
        return OTHER
    if django and ".models" not in dotted:
        return OTHER  # Django's forms, views, admin, ...: never a model
    return UNKNOWN


def derived_root(node: ast.ClassDef, roots: Sequence[Root]) -> Root:
    """What a repository class is, from what its bases are."""
    kinds = {root.kind for root in roots}
    for root in roots:
        if root.kind is ClassKind.FIELD:
            return root
    if ClassKind.MODEL in kinds:
        return Root(ClassKind.MODEL)
    if any(root.is_manager for root in roots):
        return _manager_root(node, ClassKind.MIGRATION_MANAGER in kinds)
    if ClassKind.CHOICES in kinds:
        return Root(ClassKind.CHOICES)
    if ClassKind.UNKNOWN in kinds:
        return UNKNOWN
    return OTHER


def _manager_root(node: ast.ClassDef, inherited: bool) -> Root:
    """A manager class: its own `use_in_migrations`, else what its bases say."""
    for stmt in node.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "use_in_migrations" for t in stmt.targets)
            and isinstance(stmt.value, ast.Constant)
        ):
            inherited = stmt.value.value is True
            break
    return Root(ClassKind.MIGRATION_MANAGER if inherited else ClassKind.MANAGER)
