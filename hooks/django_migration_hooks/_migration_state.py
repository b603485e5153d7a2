"""The model state migration files describe, rebuilt statically (nothing is imported).

`read_operations(migration, text)` turns a migration's `operations` into `Op` records: with a fast
line scanner for the shape `makemigrations` writes (Django's writer, with or without black), and
with `ast` (`_migrations.parse_migration`) for anything else. `build_state(items)` replays
them in graph order and returns, per app label, the models the migrations create: their field
names, `managed`/`proxy` and where they were created. Squashed migrations are handled by the graph
(a squash replaces what it `replaces`); `RunPython`, `RunSQL` and other operations that do not
change model or field names are ignored; `SeparateDatabaseAndState` contributes its
`state_operations`. An operation that is not understood (a custom operation class, arguments that
are not literals) makes the app's state uncertain: `AppState.uncertain` says why.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django_migration_hooks import _ast
from django_migration_hooks._migrations import MigrationFile, parse_migration

# operations that leave model and field names alone
NEUTRAL_OPERATIONS = frozenset(
    {
        "RunPython",
        "RunSQL",
        "CreateExtension",
        "BloomExtension",
        "BtreeGinExtension",
        "BtreeGistExtension",
        "CITextExtension",
        "CryptoExtension",
        "HStoreExtension",
        "TrigramExtension",
        "UnaccentExtension",
        "CreateCollation",
        "RemoveCollation",
        "ValidateConstraint",
        "AlterModelTable",
        "AlterModelTableComment",
        "AlterUniqueTogether",
        "AlterIndexTogether",
        "AlterOrderWithRespectTo",
        "AlterModelManagers",
        "AddIndex",
        "AddIndexConcurrently",
        "RemoveIndex",
        "RemoveIndexConcurrently",
        "RenameIndex",
        "AddConstraint",
        "AddConstraintNotValid",
        "RemoveConstraint",
        "AlterConstraint",
        "AlterField",
    }
)

# operation -> its positional parameters (the ones this module reads)
PARAMETERS: Mapping[str, tuple[str, ...]] = {
    "CreateModel": ("name", "fields", "options", "bases", "managers"),
    "DeleteModel": ("name",),
    "RenameModel": ("old_name", "new_name"),
    "AddField": ("model_name", "name", "field", "preserve_default"),
    "RemoveField": ("model_name", "name"),
    "RenameField": ("model_name", "old_name", "new_name"),
    "AlterModelOptions": ("name", "options"),
    "SeparateDatabaseAndState": ("database_operations", "state_operations"),
}
NAME_ARGS = ("name", "model_name", "old_name", "new_name")

Where = tuple[str, int, int]  # path, line, col


class Op(NamedTuple):
    kind: str
    line: int
    col: int
    args: Mapping[str, str | None]  # name arguments: the literal string, None when not literal
    fields: tuple[tuple[str, int, int], ...] | None = None  # CreateModel: (name, line, col)
    proxy: bool | None = None
    managed: bool | None = None
    inner: tuple[Op, ...] | None = None  # SeparateDatabaseAndState: state_operations
    problem: str = ""  # why the operation is not fully literal


@dataclass
class ModelState:
    name: str
    path: str  # the migration that created (or last renamed) it
    line: int
    col: int
    fields: dict[str, Where] = field(default_factory=dict)
    proxy: bool = False
    managed: bool = True
    uncertain: str = ""


@dataclass
class AppState:
    label: str
    models: dict[str, ModelState] = field(default_factory=dict)  # lower-case name -> state
    uncertain: str = ""


# --- operations from ast ------------------------------------------------------------------------


def operation_name(call: ast.Call) -> str:
    return _ast.last_name(call.func)


def _dict_flag(options: ast.expr | None, name: str) -> bool | None:
    if not isinstance(options, ast.Dict):
        return None
    for key, value in zip(options.keys, options.values, strict=True):
        if _ast.string(key) == name and isinstance(value, ast.Constant):
            return value.value is True
    return None


def op_from_call(call: ast.Call) -> Op:
    kind = operation_name(call)
    names = PARAMETERS.get(kind, ())
    given: dict[str, ast.expr] = {}
    for i, arg in enumerate(call.args):
        if i < len(names):
            given[names[i]] = arg
    for kw in call.keywords:
        if kw.arg is not None:
            given[kw.arg] = kw.value
    problem = ""
    if any(kw.arg is None for kw in call.keywords) or any(
        isinstance(a, ast.Starred) for a in call.args
    ):
        problem = "arguments are not literals"
    args = {name: _ast.string(given[name]) for name in NAME_ARGS if name in given}
    fields: tuple[tuple[str, int, int], ...] | None = None
    inner: tuple[Op, ...] | None = None
    options = given.get("options")
    if kind == "CreateModel":
        listed = given.get("fields")
        if isinstance(listed, (ast.List, ast.Tuple)):
            found = []
            for element in listed.elts:
                name = (
                    _ast.string(element.elts[0])
                    if isinstance(element, (ast.Tuple, ast.List)) and element.elts
                    else None
                )
                if name is None:
                    problem = "a field is not a literal"
                    continue
                found.append((name, element.lineno, element.col_offset + 1))
            fields = tuple(found)
        else:
            problem = "fields are not a literal list"
        if options is not None and not isinstance(options, ast.Dict):
            problem = "options are not a literal"
    elif kind == "SeparateDatabaseAndState":
        state = given.get("state_operations")
        if state is None:
            inner = ()
        elif isinstance(state, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Call) for e in state.elts
        ):
            inner = tuple(op_from_call(e) for e in state.elts if isinstance(e, ast.Call))
        else:
            problem = "state_operations are not a literal list"
    return Op(
        kind,
        call.lineno,
        call.col_offset + 1,
        args,
        fields,
        _dict_flag(options, "proxy"),
        _dict_flag(options, "managed"),
        inner,
        problem,
    )


def _operations_problem(tree: ast.Module | None) -> str:
    """Why the `operations` of a parsed migration cannot be read completely, or ""."""
    if tree is None:
        return "operations were not parsed"
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Migration":
            count = 0
            for stmt in node.body:
                if isinstance(stmt, ast.AugAssign):
                    return "operations are changed dynamically"
                targets = (
                    stmt.targets
                    if isinstance(stmt, ast.Assign)
                    else [stmt.target]
                    if isinstance(stmt, ast.AnnAssign)
                    else []
                )
                if any(isinstance(t, ast.Name) and t.id == "operations" for t in targets):
                    count += 1
                    value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
                    if not isinstance(value, (ast.List, ast.Tuple)) or not all(
                        isinstance(e, ast.Call) for e in value.elts
                    ):
                        return "operations is not a literal list of operations"
            return "" if count <= 1 else "operations is assigned twice"
    return "no Migration class"


# --- operations from the generated shape --------------------------------------------------------

OPERATIONS_RE = re.compile(r"^([ \t]+)operations[ \t]*=[ \t]*\[[ \t]*\n", re.MULTILINE)
OP_START_RE = re.compile(r"(?:[A-Za-z_][\w.]*\.)?([A-Za-z_]\w*)\($")
STRING_ARG_RE = re.compile(r"""([a-z_]+)=(?:"([^"\\]*)"|'([^'\\]*)'),?$""")
FIELD_ONE_LINE_RE = re.compile(r"""\((?:"([^"\\]*)"|'([^'\\]*)'),""")
FIELD_NAME_RE = re.compile(r"""(?:"([^"\\]*)"|'([^'\\]*)'),$""")
FLAG_RE = re.compile(r"""["'](proxy|managed)["']:[ \t]*(True|False)\b""")
SUSPICIOUS_RE = re.compile(r"\*\*|\boperations\b[ \t]*(?:\+=|=)|^[ \t]*#", re.MULTILINE)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def scan_operations(text: str) -> list[Op] | None:
    """`operations` of a migration in the shape makemigrations writes, or None (use ast)."""
    matches = list(OPERATIONS_RE.finditer(text))
    if len(matches) != 1 or "\t" in text:
        return None
    match = matches[0]
    base = len(match.group(1))
    start_line = text.count("\n", 0, match.end()) + 1  # 1-based line of the first op line
    lines = text[match.end() :].split("\n")
    end = None
    for i, line in enumerate(lines):
        if line.strip() and _indent(line) <= base:
            if line.strip() != "]" or _indent(line) != base:
                return None
            end = i
            break
    if end is None:
        return None
    block = lines[:end]
    if SUSPICIOUS_RE.search("\n".join(block)):
        return None
    op_indent = base + 4
    ops: list[Op] = []
    i = 0
    while i < len(block):
        line = block[i]
        if not line.strip():
            i += 1
            continue
        if _indent(line) != op_indent:
            return None
        head = OP_START_RE.fullmatch(line.strip())
        if head is None:
            return None
        # the op's body: until the closing line at op_indent
        j = i + 1
        while j < len(block) and (not block[j].strip() or _indent(block[j]) > op_indent):
            j += 1
        if j >= len(block) or block[j].strip() not in ("),", ")"):
            return None
        op = _scan_op(head.group(1), block[i + 1 : j], start_line + i, op_indent + 1, op_indent + 4)
        if op is None:
            return None
        ops.append(op)
        i = j + 1
    return ops


def _scan_op(kind: str, body: list[str], line: int, col: int, arg_indent: int) -> Op | None:
    if kind == "SeparateDatabaseAndState":
        return None
    args: dict[str, str | None] = {}
    fields: list[tuple[str, int, int]] | None = None
    flags: dict[str, bool] = {}
    k = 0
    while k < len(body):
        text = body[k]
        if not text.strip():
            k += 1
            continue
        if _indent(text) != arg_indent:
            return None
        stripped = text.strip()
        simple = STRING_ARG_RE.fullmatch(stripped)
        # the argument's extent: following lines indented deeper
        m = k + 1
        while m < len(body) and (not body[m].strip() or _indent(body[m]) > arg_indent):
            m += 1
        if simple is not None and m == k + 1:
            value = simple.group(2) if simple.group(2) is not None else simple.group(3)
            args[simple.group(1)] = value
        elif stripped in ("fields=[],", "fields=[]") and kind == "CreateModel":
            fields = []
        elif stripped == "fields=[" and kind == "CreateModel":
            if (
                m >= len(body)
                or body[m].strip() not in ("],", "]")
                or _indent(body[m]) != arg_indent
            ):
                return None
            fields = _scan_fields(body[k + 1 : m], line + 1 + k + 1, arg_indent + 4)
            if fields is None:
                return None
            m += 1
        elif "=" in stripped and stripped.split("=", 1)[0].isidentifier():
            name = stripped.split("=", 1)[0]
            if name in NAME_ARGS:
                return None  # a name that is not a plain string: let ast decide
            if name == "options":
                extent = "\n".join(body[k:m])
                if "{" not in stripped:
                    return None
                flags.update(
                    (flag.group(1), flag.group(2) == "True") for flag in FLAG_RE.finditer(extent)
                )
            # closing brackets of a multi-line argument sit at arg_indent
            while (
                m < len(body)
                and body[m].strip()
                and _indent(body[m]) == arg_indent
                and (body[m].strip()[0] in ")]}")
            ):
                m += 1
        else:
            return None
        k = m
    if kind == "CreateModel" and fields is None:
        return None
    return Op(
        kind,
        line,
        col,
        args,
        tuple(fields) if fields is not None else None,
        flags.get("proxy"),
        flags.get("managed"),
        None,
        "",
    )


def _scan_fields(
    lines: list[str], first_line: int, indent: int
) -> list[tuple[str, int, int]] | None:
    found: list[tuple[str, int, int]] = []
    k = 0
    while k < len(lines):
        text = lines[k]
        if not text.strip():
            k += 1
            continue
        if _indent(text) != indent:
            return None
        stripped = text.strip()
        one = FIELD_ONE_LINE_RE.match(stripped)
        if one is not None:
            name = one.group(1) if one.group(1) is not None else one.group(2)
        elif stripped == "(" and k + 1 < len(lines):
            nxt = FIELD_NAME_RE.fullmatch(lines[k + 1].strip())
            if nxt is None or _indent(lines[k + 1]) != indent + 4:
                return None
            name = nxt.group(1) if nxt.group(1) is not None else nxt.group(2)
        else:
            return None
        found.append((name, first_line + k, indent + 1))
        m = k + 1
        while m < len(lines) and (not lines[m].strip() or _indent(lines[m]) > indent):
            m += 1
        # a multi-line tuple closes at the same indent
        if stripped == "(" or not stripped.endswith(("),", ")")):
            if m >= len(lines) or lines[m].strip() not in ("),", ")"):
                return None
            m += 1
        k = m
    return found


def read_operations(migration: MigrationFile, text: str) -> tuple[list[Op], str]:
    """(operations, problem) of a migration; problem is "" when every operation was read."""
    scanned = scan_operations(text)
    if scanned is not None:
        return scanned, ""
    tree = migration.tree
    if tree is None:
        parsed = parse_migration(migration.path, text, app_label=migration.app_label)
        tree = parsed.tree if parsed is not None else None
        calls = parsed.operations if parsed is not None else ()
    else:
        calls = migration.operations
    return [op_from_call(call) for call in calls], _operations_problem(tree)


# --- replay -------------------------------------------------------------------------------------


class _Replayer:
    def __init__(self, states: dict[str, AppState]) -> None:
        self.states = states

    def state(self, label: str) -> AppState:
        if label not in self.states:
            self.states[label] = AppState(label)
        return self.states[label]

    def uncertain(self, label: str, why: str) -> None:
        app = self.state(label)
        app.uncertain = app.uncertain or why

    def apply(self, label: str, path: str, op: Op) -> None:
        where = f"{path}:{op.line}"
        if op.kind in NEUTRAL_OPERATIONS:
            return
        if op.kind not in PARAMETERS:
            self.uncertain(label, f"{where}: operation {op.kind or '?'} is not understood")
            return
        if op.problem:
            self.uncertain(label, f"{where}: {op.kind}: {op.problem}")
            return
        app = self.state(label)
        if op.kind == "SeparateDatabaseAndState":
            for inner in op.inner or ():
                self.apply(label, path, inner)
            return
        names = dict(op.args)
        if any(value is None for value in names.values()):
            self.uncertain(label, f"{where}: {op.kind} names are not literals")
            return
        if op.kind == "CreateModel":
            name = names.get("name")
            if not name or op.fields is None:
                self.uncertain(label, f"{where}: CreateModel arguments are not literals")
                return
            model = ModelState(name, path, op.line, op.col)
            model.fields = {f: (path, line, col) for f, line, col in op.fields}
            model.proxy = op.proxy is True
            model.managed = op.managed is not False
            app.models[name.lower()] = model
            return
        if op.kind == "DeleteModel":
            if not names.get("name"):
                self.uncertain(label, f"{where}: DeleteModel without a name")
                return
            app.models.pop(str(names["name"]).lower(), None)
            return
        if op.kind == "RenameModel":
            old, new = names.get("old_name"), names.get("new_name")
            if not old or not new:
                self.uncertain(label, f"{where}: RenameModel without names")
                return
            renamed = app.models.pop(old.lower(), None)
            if renamed is not None:
                renamed.name = new
                renamed.path, renamed.line, renamed.col = path, op.line, op.col
                app.models[new.lower()] = renamed
            return
        if op.kind == "AlterModelOptions":
            found = app.models.get(str(names.get("name", "")).lower())
            if found is not None:
                found.managed = op.managed is not False
            return
        model_name = names.get("model_name")
        found = app.models.get(model_name.lower()) if model_name else None
        if found is None:
            self.uncertain(label, f"{where}: {op.kind} on a model no migration creates")
            return
        if op.kind == "AddField":
            if not names.get("name"):
                found.uncertain = f"{where}: AddField without a name"
                return
            found.fields[str(names["name"])] = (path, op.line, op.col)
        elif op.kind == "RemoveField":
            found.fields.pop(str(names.get("name")), None)
        elif op.kind == "RenameField":
            old, new = names.get("old_name"), names.get("new_name")
            if not old or not new:
                found.uncertain = f"{where}: RenameField without names"
                return
            if old in found.fields:
                found.fields[new] = found.fields.pop(old)


class Replay(NamedTuple):
    label: str
    path: str
    operations: list[Op]
    problem: str


def build_state(items: Iterable[Replay]) -> dict[str, AppState]:
    """Replay migrations (in graph order, parents first): label -> AppState."""
    states: dict[str, AppState] = {}
    replayer = _Replayer(states)
    for item in items:
        replayer.state(item.label)
        if item.problem:
            replayer.uncertain(item.label, f"{item.path}: {item.problem}")
        for op in item.operations:
            replayer.apply(item.label, item.path, op)
    return states
