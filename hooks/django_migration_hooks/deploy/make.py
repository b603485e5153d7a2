"""Makefile / `*.mk` / justfile recipes.

Each recipe line is a command. Targets only a person runs (`make migrations`) are developer
helpers (`dev=True`, `unit=<target>`); a target named like a deploy (`deploy`, `release`,
`prod`...) and everything it reaches through prerequisites, `$(MAKE) target`, `make target`,
just dependencies or `just target` runs on the deploy path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from django_migration_hooks.deploy import _tasks
from django_migration_hooks.deploy._site import CommandSite

_MAKE_RULE = re.compile(r"^(?P<targets>[^\s:=#][^:=#]*?)\s*(?P<colons>::?)(?!=)(?P<rest>.*)$")
_ASSIGN = re.compile(r"^\s*(export\s+|override\s+)?[A-Za-z0-9_.-]+\s*(::?=|\?=|\+=|!=|=)")
_JUST_RECIPE = re.compile(
    r"^(?P<attrs>@?)(?P<name>[A-Za-z_][A-Za-z0-9_-]*)(?P<params>[^:]*?):(?!=)(?P<deps>.*)$"
)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_CONDITIONAL = re.compile(r"^\s*(ifeq|ifneq|ifdef|ifndef|else|endif)\b")
_MAKE_CALL = re.compile(
    r"(?:\$\(MAKE\)|\$\{MAKE\}|(?<![\w-])g?make)(?:\s+-\S+)*\s+([A-Za-z0-9_.-]+)"
)
_JUST_CALL = re.compile(r"(?<![\w-])just(?:\s+-\S+)*\s+([A-Za-z0-9_-]+)")


def claims(path: str) -> bool:
    name = os.path.basename(path)
    return name in (
        "Makefile",
        "makefile",
        "GNUmakefile",
        "justfile",
        "Justfile",
        ".justfile",
    ) or name.endswith((".mk", ".just"))


def _is_just(path: str) -> bool:
    name = os.path.basename(path).lower()
    return name in ("justfile", ".justfile") or name.endswith(".just")


class _Recipe:
    def __init__(self, name: str, deps: list[str]) -> None:
        self.name = name
        self.deps = deps
        self.lines: list[tuple[int, int, int, str]] = []  # (line, col, end_line, text)


def _calls(text: str) -> list[str]:
    return [m.group(1) for m in (*_MAKE_CALL.finditer(text), *_JUST_CALL.finditer(text))]


def _parse_make(lines: list[str]) -> list[_Recipe]:
    recipes: list[_Recipe] = []
    current: list[_Recipe] = []
    prefix = "\t"
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(".RECIPEPREFIX"):
            value = line.split("=", 1)[-1].strip()
            prefix = value[:1] or "\t"
        if line.startswith(prefix) and current:
            i = _recipe_line(lines, i, prefix, current)
            continue
        full, i = _joined_line(lines, i)
        if not full.strip() or full.lstrip().startswith("#") or _CONDITIONAL.match(full):
            continue  # conditionals inside a recipe keep the recipe going
        current = _rule(full, i, recipes, current)
    return recipes


def _recipe_line(lines: list[str], i: int, prefix: str, current: list[_Recipe]) -> int:
    """The recipe line at lines[i] (with its continuations) into current; the index after."""
    start = i
    body = [lines[i][len(prefix) :]]
    while lines[i].endswith("\\") and i + 1 < len(lines):
        i += 1
        body.append(lines[i][1:] if lines[i].startswith(prefix) else lines[i])
    text = "\n".join(body)
    stripped = text.lstrip("@-+ \t")
    col = len(prefix) + len(text) - len(stripped) + 1
    for recipe in current:
        recipe.lines.append((start + 1, col, i + 1, stripped))
    return i + 1


def _joined_line(lines: list[str], i: int) -> tuple[str, int]:
    """lines[i] joined with its continuation lines; the index after them."""
    full = lines[i]
    while full.endswith("\\") and i + 1 < len(lines):
        i += 1
        full = full[:-1] + " " + lines[i]
    return full, i + 1


def _rule(full: str, number: int, recipes: list[_Recipe], current: list[_Recipe]) -> list[_Recipe]:
    """A line that is not a recipe line, ending on line `number`: the recipes whose lines
    follow it (rules it starts are added to recipes)."""
    if _ASSIGN.match(full):
        return []
    match = _MAKE_RULE.match(full)
    if match is None:
        return []
    rest = match.group("rest")
    inline = ""
    if ";" in rest:
        rest, inline = rest.split(";", 1)
    if _ASSIGN.match(rest.strip() + " ") or "=" in rest.split("#")[0]:
        return current  # target-specific variable
    deps = [d for d in rest.split("#")[0].replace("|", " ").split() if "$" not in d]
    started = []
    for target in match.group("targets").split():
        if target.startswith(".") or "%" in target:
            continue
        recipe = _Recipe(target, deps)
        recipes.append(recipe)
        started.append(recipe)
    if inline.strip():
        col = len(full) - len(inline.lstrip()) + 1
        for recipe in started:
            recipe.lines.append((number, col, number, inline.strip()))
    return started


def _parse_just(lines: list[str]) -> list[_Recipe]:
    recipes: list[_Recipe] = []
    current: _Recipe | None = None
    for number, line in enumerate(lines, 1):
        if line[:1] in (" ", "\t") and current is not None:
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                continue
            text = stripped.lstrip("@-")
            col = len(line) - len(text) + 1
            current.lines.append((number, col, number, text))
            continue
        current = None
        if not line.strip() or line.startswith(("#", "[", "set ", "alias ", "export ", "import ")):
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_-]*\s*:=", line):
            continue
        # parameter defaults may hold ':' inside quotes: match on a copy with strings blanked
        match = _JUST_RECIPE.match(_QUOTED.sub(lambda m: " " * len(m.group()), line))
        if match is None:
            continue
        deps_text = match.group("deps").split("#")[0].replace("&&", " ")
        deps = re.findall(
            r"\(?\s*([A-Za-z_][A-Za-z0-9_-]*)", re.sub(r"\"[^\"]*\"|'[^']*'", "", deps_text)
        )
        current = _Recipe(match.group("name"), deps)
        recipes.append(current)
    return recipes


def _graph(recipes: Iterable[_Recipe]) -> dict[str, list[str]]:
    graph: dict[str, list[str]] = {}
    for recipe in recipes:
        deps = graph.setdefault(_tasks.normalise(recipe.name), [])
        deps.extend(recipe.deps)
        for _, _, _, command in recipe.lines:
            deps.extend(_calls(command))
    return graph


def _recipes(path: str, text: str) -> list[_Recipe]:
    lines = text.splitlines()
    return _parse_just(lines) if _is_just(path) else _parse_make(lines)


def reached(path: str, text: str, roots: Iterable[str]) -> set[str]:
    """The (normalised) targets that running roots runs: the roots and what they reach."""
    return _tasks.reachable(_graph(_recipes(path, text)), roots)


def sites(path: str, text: str, roots: Iterable[str] = ()) -> list[CommandSite]:
    """Recipe lines; roots = extra targets that a deploy config runs (`make release`)."""
    just = _is_just(path)
    recipes = _recipes(path, text)
    graph = _graph(recipes)
    deploy = _tasks.deploy_tasks(graph, roots)
    names = {_tasks.normalise(recipe.name): recipe.name for recipe in reversed(recipes)}
    by = {unit: names.get(root, root) for unit, root in _tasks.reached_by(graph).items()}
    kind = "justfile" if just else "Makefile"
    found = []
    for recipe in recipes:
        dev = _tasks.normalise(recipe.name) not in deploy
        root = by.get(_tasks.normalise(recipe.name))
        run_by = f" (run by target `{root}`)" if root else ""
        for line, col, end_line, command in recipe.lines:
            found.append(
                CommandSite(
                    command,
                    None,
                    line,
                    col,
                    end_line,
                    f"{kind} target `{recipe.name}`{run_by}",
                    dev=dev,
                    unit=recipe.name,
                )
            )
    return found
