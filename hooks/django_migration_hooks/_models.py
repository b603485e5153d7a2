"""Django model classes read with ast, importing nothing of the project.

A `Tree` gives file contents (the working tree, the index or a commit). `ModelIndex(tree, apps)`
parses the Python modules of the given apps (and, on demand, any repository module they import
from), resolves class bases through the repository's own imports, and describes every model class:

- `Model.fields`: name -> `FieldDef` (own fields plus those inherited from abstract bases and
  mixins in the repository; `GenericForeignKey`/`GenericRelation` have no column and are left out),
- `Model.options`: the `Meta` options Django records in migrations (inherited `Meta` of abstract
  bases included), `Model.managers`: managers with `use_in_migrations = True`,
- `Model.parents`: concrete parents (multi-table inheritance), `Model.proxy_for`,
- `Model.unknown`: why the model cannot be described with certainty (a base class or `Meta` base
  that is not resolvable in the repository or a known Django class, dynamic class bodies, swappable
  models) or `""`; `Model.incomplete`: attributes of unknown type (third-party descriptors that may
  or may not be fields), so fields recorded in migrations but absent here are not certain.

Every value that reaches a migration is kept as a normalised signature string (an `ast.dump` with
names resolved, keyword order, default values and translation wrappers normalised), so comparing two
revisions ignores formatting, comments, docstrings, methods and imports.
"""

from __future__ import annotations

import ast
import copy
import os
import posixpath
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django_migration_hooks import _ast, _git
from django_migration_hooks._apps import App
from django_migration_hooks._files import MAX_BYTES, FileProblem, decode

# ---------------------------------------------------------------------------------------------
# Trees: file contents at one revision


class Tree:
    """Repository files at one revision; `read(path)` returns text or None (absent/unreadable)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = sorted(paths)
        self._cache: dict[str, str | None] = {}
        self.problems: list[str] = []

    def read(self, path: str) -> str | None:
        if path not in self._cache:
            self._cache[path] = self._read(path)
        return self._cache[path]

    def _read(self, path: str) -> str | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (the git reader process)."""


class DiskTree(Tree):
    """The working tree, relative to the current directory."""

    def _read(self, path: str) -> str | None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return None
        try:
            data = os.read(fd, MAX_BYTES + 1)
            chunk = data
            while chunk and len(data) <= MAX_BYTES:
                chunk = os.read(fd, MAX_BYTES + 1 - len(data))
                data += chunk
        except OSError:
            return None
        finally:
            os.close(fd)
        if len(data) > MAX_BYTES:
            return None
        try:
            return decode(path, data).text
        except FileProblem:
            return None


class BlobReader:
    """One `git cat-file --batch` process, shared by the trees of one run."""

    def __init__(self, cwd: str = ".") -> None:
        self.cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None

    def read(self, spec: str) -> bytes | None:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ("git", "cat-file", "--batch"),
                cwd=self.cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(f"{spec}\n".encode(errors="surrogateescape"))
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().split()
        if len(header) != 3:  # "<name> missing" or "<name> ambiguous"
            return None
        data = self._proc.stdout.read(int(header[2]) + 1)[:-1]  # read even a tree's: in step
        return data if header[1] == b"blob" else None

    def close(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.close()
            self._proc.stdout.close()
            self._proc.wait()
            self._proc = None


class GitTree(Tree):
    """A commit (`rev`), or the index when `rev` is "", read through a `BlobReader`."""

    def __init__(
        self,
        rev: str,
        cwd: str = ".",
        paths: Iterable[str] | None = None,
        reader: BlobReader | None = None,
    ) -> None:
        """Files of `rev`: listed with git, or the given `paths` (already known to exist)."""
        self.rev = rev
        self.cwd = cwd
        if paths is None:
            args: tuple[str, ...] = (
                ("ls-tree", "-r", "-z", "--name-only", rev)
                if rev
                else ("ls-files", "-z", "--cached")
            )
            paths = _git.zsplit(_git.run(*args, cwd=cwd).stdout)
        super().__init__(paths)
        self._known = set(self.paths)
        self._owns_reader = reader is None
        self._reader = reader or BlobReader(cwd)

    def _read(self, path: str) -> str | None:
        if path not in self._known:
            return None
        data = self._reader.read(f"{self.rev}:{path}")
        if data is None:
            return None
        try:
            return decode(path, data).text
        except FileProblem:
            return None

    def read_many(self, paths: Iterable[str]) -> None:
        """Fetch many blobs in one round trip (fills the cache)."""
        todo = [p for p in paths if p not in self._cache and p in self._known]
        if not todo:
            return
        blobs = _git.cat_files([f"{self.rev}:{p}" for p in todo], cwd=self.cwd)
        for path, data in zip(todo, blobs, strict=True):
            try:
                self._cache[path] = None if data is None else decode(path, data).text
            except FileProblem:
                self._cache[path] = None

    def close(self) -> None:
        if self._owns_reader:
            self._reader.close()


# ---------------------------------------------------------------------------------------------
# Known Django classes

# field class name -> kind: "column" (local field), "m2m", "none" (no column, not in migrations)
DJANGO_FIELDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "BigIntegerField",
            "BinaryField",
            "BooleanField",
            "CharField",
            "CommaSeparatedIntegerField",
            "DateField",
            "DateTimeField",
            "DecimalField",
            "DurationField",
            "EmailField",
            "FileField",
            "FilePathField",
            "FloatField",
            "GenericIPAddressField",
            "IPAddressField",
            "ImageField",
            "IntegerField",
            "JSONField",
            "NullBooleanField",
            "PositiveBigIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "SlugField",
            "SmallIntegerField",
            "TextField",
            "TimeField",
            "URLField",
            "UUIDField",
            "GeneratedField",
            "ForeignKey",
            "OneToOneField",
            "ForeignObject",
            "Field",
            "ArrayField",
            "HStoreField",
            "CICharField",
            "CIEmailField",
            "CITextField",
            "BigIntegerRangeField",
            "DecimalRangeField",
            "DateTimeRangeField",
            "DateRangeField",
            "IntegerRangeField",
            "SearchVectorField",
            "GeometryField",
            "PointField",
            "LineStringField",
            "PolygonField",
            "MultiPointField",
            "MultiLineStringField",
            "MultiPolygonField",
            "GeometryCollectionField",
            "RasterField",
        ],
        "column",
    ),
    "ManyToManyField": "m2m",
    "GenericForeignKey": "none",
    "GenericRelation": "none",
}
RELATION_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject"})

# positional parameters of the Django field constructors (after `self`)
POSITIONAL: dict[str, tuple[str, ...]] = {
    "DecimalField": ("verbose_name", "name", "max_digits", "decimal_places"),
    "ForeignKey": (
        "to",
        "on_delete",
        "related_name",
        "related_query_name",
        "limit_choices_to",
        "parent_link",
        "to_field",
        "db_constraint",
    ),
    "OneToOneField": ("to", "on_delete", "to_field"),
    "ManyToManyField": (
        "to",
        "related_name",
        "related_query_name",
        "limit_choices_to",
        "symmetrical",
        "through",
        "through_fields",
        "db_constraint",
        "db_table",
        "swappable",
    ),
    "FileField": ("verbose_name", "name", "upload_to", "storage"),
    "ImageField": ("verbose_name", "name", "width_field", "height_field"),
    "DateField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "DateTimeField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "TimeField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "GenericIPAddressField": ("verbose_name", "name", "protocol", "unpack_ipv4"),
    "ArrayField": ("base_field", "size"),
}
DEFAULT_POSITIONAL = ("verbose_name", "name")

# keyword values equal to the default: Field.deconstruct() leaves them out, so writing them changes
# nothing in a migration
_FALSE = "Constant(value=False)"
_TRUE = "Constant(value=True)"
_NONE = "Constant(value=None)"
DEFAULT_KWARGS: dict[str, frozenset[str]] = {
    "null": frozenset({_FALSE}),
    "blank": frozenset({_FALSE}),
    "unique": frozenset({_FALSE}),
    "primary_key": frozenset({_FALSE}),
    "editable": frozenset({_TRUE}),
    "serialize": frozenset({_TRUE}),
    "help_text": frozenset({"Constant(value='')"}),
    "db_column": frozenset({_NONE}),
    "db_comment": frozenset({_NONE}),
    "db_tablespace": frozenset({_NONE}),
    "choices": frozenset({_NONE}),
    "validators": frozenset({"List(elts=[], ctx=Load())", "Tuple(elts=[], ctx=Load())"}),
    "unique_for_date": frozenset({_NONE}),
    "unique_for_month": frozenset({_NONE}),
    "unique_for_year": frozenset({_NONE}),
    "verbose_name": frozenset({_NONE}),
    "related_name": frozenset({_NONE}),
    "related_query_name": frozenset({_NONE}),
    "to_field": frozenset({_NONE}),
    "db_constraint": frozenset({_TRUE}),
    "auto_now": frozenset({_FALSE}),
    "auto_now_add": frozenset({_FALSE}),
    "limit_choices_to": frozenset({_NONE}),
}
INDEXED_BY_DEFAULT = frozenset({"ForeignKey", "OneToOneField", "SlugField", "ForeignObject"})

# Meta options Django records in migrations (django.db.models.options.DEFAULT_NAMES without
# app_label, apps, auto_created, db_tablespace, required_db_features/vendor)
RECORDED_OPTIONS = frozenset(
    {
        "verbose_name",
        "verbose_name_plural",
        "db_table",
        "db_table_comment",
        "ordering",
        "unique_together",
        "index_together",
        "permissions",
        "get_latest_by",
        "order_with_respect_to",
        "managed",
        "proxy",
        "swappable",
        "default_permissions",
        "select_on_save",
        "default_related_name",
        "base_manager_name",
        "default_manager_name",
        "indexes",
        "constraints",
    }
)
# options the autodetector compares for proxy and unmanaged models too
ALTER_OPTIONS = frozenset(
    {
        "base_manager_name",
        "default_manager_name",
        "default_related_name",
        "get_latest_by",
        "managed",
        "ordering",
        "permissions",
        "default_permissions",
        "select_on_save",
        "verbose_name",
        "verbose_name_plural",
        "db_table",
        "db_table_comment",
    }
)

MODEL_ROOTS = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
# abstract Django models (or mixins) a project model may inherit from: their fields
KNOWN_ABSTRACT: dict[str, Sequence[str]] = {
    "django.contrib.auth.models.AbstractUser": [
        "password",
        "last_login",
        "is_superuser",
        "groups",
        "user_permissions",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
    ],
    "django.contrib.auth.models.AbstractBaseUser": ("password", "last_login"),
    "django.contrib.auth.base_user.AbstractBaseUser": ("password", "last_login"),
    "django.contrib.auth.models.PermissionsMixin": ("is_superuser", "groups", "user_permissions"),
    "django.contrib.sessions.base_session.AbstractBaseSession": (
        "session_key",
        "session_data",
        "expire_date",
    ),
}
KNOWN_MANAGERS: dict[str, bool] = {  # dotted -> use_in_migrations
    "django.db.models.Manager": False,
    "django.db.models.manager.Manager": False,
    "django.db.models.manager.BaseManager": False,
    "django.contrib.auth.models.UserManager": True,
    "django.contrib.auth.base_user.BaseUserManager": False,
    "django.contrib.sites.models.SiteManager": True,
}
CHOICES_ROOTS = frozenset(
    {
        "django.db.models.TextChoices",
        "django.db.models.IntegerChoices",
        "django.db.models.Choices",
        "django.db.models.enums.TextChoices",
        "django.db.models.enums.IntegerChoices",
        "django.db.models.enums.Choices",
    }
)
TRANSLATIONS = frozenset(
    {"gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "gettext_noop", "ugettext_noop"}
)
NON_FIELDS = frozenset(
    {
        "property",
        "cached_property",
        "classmethod",
        "staticmethod",
        "functools.cached_property",
        "django.utils.functional.cached_property",
        "functools.partialmethod",
    }
)


# Meta options of forms, serializers and filter sets: a class using them is not a model
NOT_MODEL_META = frozenset(
    {
        "model",
        "fields",
        "exclude",
        "widgets",
        "labels",
        "help_texts",
        "error_messages",
        "field_classes",
        "localized_fields",
        "read_only_fields",
        "extra_kwargs",
        "depth",
        "list_serializer_class",
        "filter_overrides",
        "interfaces",
    }
)
NOT_MODEL_SUFFIXES = ("Manager", "QuerySet", "Form", "FormSet", "Serializer", "Admin", "View")
# modules whose classes are never enumerated as models (Django imports apps.py before models can
# be defined; the others hold admin, URL, view, form and serializer code)
NOT_MODEL_MODULES = frozenset(
    {
        "apps.py",
        "admin.py",
        "urls.py",
        "views.py",
        "forms.py",
        "serializers.py",
        "settings.py",
        "wsgi.py",
        "asgi.py",
        "manage.py",
    }
)
DEFAULT_MANAGER = "<default manager>"
MODEL_MARKERS = ("Model", "models", "Field", "Meta", "Manager")

# ---------------------------------------------------------------------------------------------
# Results


class Ref(NamedTuple):
    """A resolved name: a class in the repository, an external dotted name, or unknown."""

    kind: str  # "class" | "ext" | "module" | "unknown" | "value" | "func"
    path: str = ""  # repo module for class/module/value/func
    name: str = ""  # class/func/value name, or the dotted external name


class FieldDef(NamedTuple):
    name: str
    kind: str  # "column" | "m2m"
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


# ---------------------------------------------------------------------------------------------
# The index


def module_path_candidates(dotted: str) -> tuple[str, str]:
    base = dotted.replace(".", "/")
    return (base + ".py", base + "/__init__.py")


class ModelIndex:
    """Model classes of some apps in one tree; other repository modules are read on demand."""

    def __init__(self, tree: Tree, apps: Iterable[App], *, signatures: bool = True) -> None:
        self.tree = tree
        self.signatures = signatures
        self.apps = list(apps)
        self.problems: list[str] = []
        self.unparsable: set[str] = set()  # modules read (for models or imports) that do not parse
        self._modules: dict[str, ast.Module | None] = {}
        self._imports: dict[str, dict[str, tuple[str, str]]] = {}
        self._stars: dict[str, list[str]] = {}
        self._by_tail: dict[str, list[str]] | None = None
        self._models: dict[tuple[str, str], Model] = {}
        self._resolving: set[tuple[str, str]] = set()
        self._roots: dict[Ref, str] = {}
        self._app_files: dict[str, list[str]] | None = None
        self._defs: dict[str, dict[str, ast.stmt]] = {}
        self._names: dict[tuple[str, str], Ref] = {}
        self._label_of_dir = {app.path: app.label for app in self.apps}
        self._py = {p for p in tree.paths if p.endswith(".py")}

    # --- modules -----------------------------------------------------------------------------

    def module(self, path: str) -> ast.Module | None:
        if path not in self._modules:
            text = self.tree.read(path)
            tree: ast.Module | None = None
            if text is not None:
                try:
                    tree = ast.parse(text, path)
                except (SyntaxError, ValueError) as exc:
                    line = getattr(exc, "lineno", None) or 1
                    self.problems.append(f"{path}:{line}: skipped, syntax error")
                    self.unparsable.add(path)
            self._modules[path] = tree
        return self._modules[path]

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

    def imports(self, path: str) -> dict[str, tuple[str, str]]:
        """Local name -> ("repo", "<file>|<name>") | ("repomod", file) | ("ext", dotted)."""
        if path in self._imports:
            return self._imports[path]
        result: dict[str, tuple[str, str]] = {}
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
        if name in (
            "object",
            "property",
            "classmethod",
            "staticmethod",
            "dict",
            "list",
            "set",
            "tuple",
        ):
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

    def class_root(self, ref: Ref, seen: frozenset[Ref] = frozenset()) -> str:
        """Classify a class by what it derives from: "model", "field:<Django name>", "manager",
        "manager+" (use_in_migrations), "choices", "other" or "unknown"."""
        cached = self._roots.get(ref)
        if cached is None:
            cached = self._roots[ref] = self._class_root(ref, seen)
        return cached

    def _class_root(self, ref: Ref, seen: frozenset[Ref]) -> str:
        if ref.kind == "ext":
            dotted = ref.name
            tail = dotted.rpartition(".")[2]
            if dotted in MODEL_ROOTS or dotted in KNOWN_ABSTRACT:
                return "model"
            if dotted in KNOWN_MANAGERS:
                return "manager+" if KNOWN_MANAGERS[dotted] else "manager"
            if dotted in CHOICES_ROOTS:
                return "choices"
            if dotted.startswith("django.") and tail in DJANGO_FIELDS:
                return f"field:{tail}"
            if dotted.startswith("django.") and tail in ("QuerySet",):
                return "other"
            if dotted in NON_FIELDS or dotted in ("object", "dict", "list", "set", "tuple"):
                return "other"
            if dotted.startswith("django.") and ".models" not in dotted:
                return "other"  # Django's forms, views, admin, ...: never a model
            return "unknown"
        if ref.kind != "class" or ref in seen:
            return "unknown"
        node = self.class_node(ref)
        if node is None:
            return "unknown"
        if not node.bases:
            return "other"
        roots = [self.class_root(self.resolve_expr(ref.path, b), seen | {ref}) for b in node.bases]
        for kind in roots:
            if kind.startswith("field:"):
                return kind
        if "model" in roots:
            return "model"
        if "manager" in roots or "manager+" in roots:
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and any(
                        isinstance(t, ast.Name) and t.id == "use_in_migrations"
                        for t in stmt.targets
                    )
                    and isinstance(stmt.value, ast.Constant)
                ):
                    return "manager+" if stmt.value.value is True else "manager"
            return "manager+" if "manager+" in roots else "manager"
        if "choices" in roots:
            return "choices"
        if "unknown" in roots:
            return "unknown"
        return "other"

    # --- models ------------------------------------------------------------------------------

    def app_models(self, app: App) -> list[Model]:
        """Model classes defined at module level in the app's modules (abstract ones included)."""
        result = []
        for path in self.app_modules(app):
            if posixpath.basename(path) in NOT_MODEL_MODULES:
                continue  # read on demand when a model imports from them
            text = self.tree.read(path) or ""
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
        root = self.class_root(ref)
        if root not in ("model", "unknown"):
            return None
        if root == "unknown" and not self._looks_like_model(path, node):
            return None
        self._resolving.add(key)
        try:
            model = self._build(path, node, unknown_root=root == "unknown")
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
                if self.class_root(ref).startswith("field:"):
                    return True
        return path.endswith("/models.py") or path == "models.py" or "/models/" in path

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
        meta_node: ast.ClassDef | None = None
        inherited_meta: dict[str, Option] | None = None
        abstract_parents: list[Model] = []
        for base in node.bases:
            ref = self.resolve_expr(path, base)
            model.bases.append(_ref_sig(ref))
            if ref.kind == "ext":
                if ref.name in KNOWN_ABSTRACT:
                    known = Model(model.app, model.label, ref.name, path, node.lineno, model.col)
                    known.abstract = True
                    for fname in KNOWN_ABSTRACT[ref.name]:
                        known.fields[fname] = FieldDef(
                            fname,
                            "column",
                            "inherited",
                            f"ext:{ref.name}",
                            path,
                            node.lineno,
                            node.col_offset + 1,
                        )
                    abstract_parents.append(known)
                elif ref.name not in MODEL_ROOTS and self.class_root(ref) != "other":
                    model.unknown = model.unknown or f"base {ref.name} is not resolvable"
                continue
            if ref.kind != "class":
                model.unknown = model.unknown or f"base {ast.unparse(base)} is not resolvable"
                continue
            if self.class_root(ref) == "other":
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
        for parent in reversed(abstract_parents):  # the first base wins a name clash
            for fname in parent.removed:
                model.fields.pop(fname, None)
            model.fields.update(parent.fields)
            for mname, mdef in parent.managers.items():
                model.managers.setdefault(mname, mdef)
        own_managers: dict[str, Option] = {}
        if self.signatures:
            for stmt in node.body:
                if isinstance(stmt, ast.ClassDef) and stmt.name != "Meta":
                    model.scope[stmt.name] = stmt
                elif isinstance(stmt, ast.Assign) and not isinstance(stmt.value, ast.Call):
                    for target in stmt.targets:
                        if isinstance(target, ast.Name):
                            model.scope[target.id] = stmt.value
        for stmt in node.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
                meta_node = stmt
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                value = stmt.value
                for target in targets:
                    if isinstance(target, ast.Name) and value is not None:
                        self._attribute(model, path, target.id, value, stmt, own_managers)
            elif isinstance(
                stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)
            ) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
                continue
            else:
                model.unknown = model.unknown or "the class body has dynamic statements"
        model.managers.update(own_managers)
        seen = {name for name, _ in model.manager_order}
        for parent in abstract_parents:  # Django: own managers first, then by MRO depth
            for name, where in parent.manager_order:
                if name not in seen:
                    seen.add(name)
                    model.manager_order.append((name, where))
        # Meta
        options: dict[str, Option] = {}
        if meta_node is not None:
            for base in meta_node.bases:
                base_meta = self._meta_base(path, base)
                if base_meta is None:
                    model.unknown = (
                        model.unknown or f"Meta base {ast.unparse(base)} is not resolvable"
                    )
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
        elif inherited_meta is not None:
            options = dict(inherited_meta)
        if meta_node is not None and _meta_true(meta_node, "abstract"):
            model.abstract = True
        model.proxy = meta_node is not None and _meta_true(meta_node, "proxy")
        label = _meta_text(meta_node, "app_label") if meta_node is not None else None
        if label:
            model.label = label
        managed = options.get("managed")
        model.managed = managed is None or managed.signature != _FALSE
        if "swappable" in options:
            model.unknown = model.unknown or "swappable model"
        if meta_node is not None and any(
            not isinstance(s, (ast.Assign, ast.Pass, ast.Expr, ast.FunctionDef, ast.AnnAssign))
            for s in meta_node.body
        ):
            model.unknown = model.unknown or "Meta has dynamic statements"
        model.options = options
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
        return model

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
        kind = self.class_root(ref) if ref.kind in ("class", "ext") else "unknown"
        where = Option("", path, stmt.lineno, stmt.col_offset + 1)
        if kind == "unknown" and isinstance(func, ast.Attribute) and func.attr == "as_manager":
            model.manager_order.append((name, where))
            return  # `QuerySet.as_manager()` (and `Manager.from_queryset(QS)()` below)
        if (
            kind == "unknown"
            and isinstance(func, ast.Call)
            and isinstance(func.func, ast.Attribute)
        ) and func.func.attr == "from_queryset":
            base_ref = self.resolve_expr(path, func.func.value)
            kind = self.class_root(base_ref)
        if kind.startswith("field:"):
            django_name = kind[len("field:") :]
            field_kind = DJANGO_FIELDS[django_name]
            if field_kind == "none":
                model.fields.pop(name, None)
                return
            model.removed.discard(name)
            signature, params = self.field_signature(path, value, ref, django_name, model)
            model.fields[name] = FieldDef(
                name=name,
                kind=field_kind,
                type_name=django_name,
                signature=signature,
                path=path,
                line=stmt.lineno,
                col=stmt.col_offset + 1,
                primary_key=_keyword_true(value, "primary_key"),
                parent_link=_keyword_true(value, "parent_link"),
                params=params,
            )
        elif kind == "manager+":
            model.manager_order.append((name, where))
            managers[name] = Option(
                self.signature(path, value, model), path, stmt.lineno, stmt.col_offset + 1
            )
        elif kind == "manager":
            model.manager_order.append((name, where))
        elif kind in ("other", "choices") or ref.kind == "ext" and ref.name in NON_FIELDS:
            return
        else:
            model.incomplete.append(name)

    # --- signatures --------------------------------------------------------------------------

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
            if kwargs.get("db_index") == _TRUE:
                del kwargs["db_index"]
        elif kwargs.get("db_index") == _FALSE:
            del kwargs["db_index"]
        cls = _ref_sig(ref)
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
            if self.class_root(ref) == "choices":
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
        index: ModelIndex,
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
            if owner.kind == "class" and self.index.class_root(owner) == "choices":
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


def _ref_sig(ref: Ref) -> str:
    if ref.kind == "ext":
        return _ext_sig(ref.name)
    return f"{ref.kind}:{ref.name}"


def _meta_true(meta: ast.ClassDef, name: str) -> bool:
    for stmt in meta.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
            and isinstance(stmt.value, ast.Constant)
        ):
            return stmt.value.value is True
    return False


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
