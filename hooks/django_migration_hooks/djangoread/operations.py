"""The `operations` of migration files, read statically (nothing is imported).

`read_operations(migration, text)` turns a migration's `operations` into `Op` records: with a fast
line scanner for the shape `makemigrations` writes (Django's writer, with or without black), and
with `ast` (`djangoread.migrations.parse_migration`) for anything else. Only what changes model
and field names is read; an operation whose arguments are not literals carries a `problem`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django_migration_hooks import _ast
from django_migration_hooks.djangoread.migrations import MigrationFile, parse_migration

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
    scanned = _Scanned()
    k = 0
    while k < len(body):
        text = body[k]
        if not text.strip():
            k += 1
            continue
        if _indent(text) != arg_indent:
            return None
        # the argument's extent: following lines indented deeper
        m = k + 1
        while m < len(body) and (not body[m].strip() or _indent(body[m]) > arg_indent):
            m += 1
        after = _scan_argument(kind, body, k, m, line, arg_indent, scanned)
        if after is None:
            return None
        k = after
    if kind == "CreateModel" and scanned.fields is None:
        return None
    return Op(
        kind,
        line,
        col,
        scanned.args,
        tuple(scanned.fields) if scanned.fields is not None else None,
        scanned.flags.get("proxy"),
        scanned.flags.get("managed"),
        None,
        "",
    )


@dataclass
class _Scanned:
    """The arguments of one operation read so far."""

    args: dict[str, str | None] = field(default_factory=dict)
    fields: list[tuple[str, int, int]] | None = None
    flags: dict[str, bool] = field(default_factory=dict)


def _scan_argument(
    kind: str, body: list[str], k: int, m: int, line: int, arg_indent: int, scanned: _Scanned
) -> int | None:
    """Read the argument on body[k:m]: the index after it, or None when not in the usual shape."""
    stripped = body[k].strip()
    simple = STRING_ARG_RE.fullmatch(stripped)
    if simple is not None and m == k + 1:
        value = simple.group(2) if simple.group(2) is not None else simple.group(3)
        scanned.args[simple.group(1)] = value
        return m
    if kind == "CreateModel" and stripped in ("fields=[],", "fields=[]", "fields=["):
        return _scan_fields_argument(body, k, m, line, arg_indent, scanned)
    if "=" in stripped and stripped.split("=", 1)[0].isidentifier():
        return _scan_keyword_argument(body, k, m, arg_indent, scanned)
    return None


def _scan_fields_argument(
    body: list[str], k: int, m: int, line: int, arg_indent: int, scanned: _Scanned
) -> int | None:
    """`fields=[...]` of CreateModel."""
    if body[k].strip() != "fields=[":
        scanned.fields = []
        return m
    if m >= len(body) or body[m].strip() not in ("],", "]") or _indent(body[m]) != arg_indent:
        return None
    scanned.fields = _scan_fields(body[k + 1 : m], line + 1 + k + 1, arg_indent + 4)
    if scanned.fields is None:
        return None
    return m + 1


def _scan_keyword_argument(
    body: list[str], k: int, m: int, arg_indent: int, scanned: _Scanned
) -> int | None:
    """Another keyword argument: only `options` flags are read from it."""
    stripped = body[k].strip()
    name = stripped.split("=", 1)[0]
    if name in NAME_ARGS:
        return None  # a name that is not a plain string: let ast decide
    if name == "options":
        extent = "\n".join(body[k:m])
        if "{" not in stripped:
            return None
        scanned.flags.update(
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
    return m


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
