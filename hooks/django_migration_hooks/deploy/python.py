"""Python deploy code: `fabfile.py`, Invoke `tasks.py`, and start-up / release scripts.

Read with `ast`, never imported. Commands come from `call_command("makemigrations", ...)`
(`management.call_command`, keyword flags such as `check=True`), `execute_from_command_line`,
`subprocess.run/call/check_call/check_output/Popen` (argv lists and strings), `os.system`,
`os.popen`, and Fabric / Invoke `c.run(...)`, `local(...)`, `run(...)`, `sudo(...)`. Strings may be
f-strings, `+` concatenations or implicitly concatenated pieces.

In `tasks.py` / `fabfile.py` a task only a person runs (`invoke makemigrations`) is a developer
helper unless a deploy-named task reaches it through pre-tasks or calls; Fabric's `c.run`,
`run` and `sudo` run on the remote host and always count.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable

from django_migration_hooks import _ast
from django_migration_hooks.deploy import _tasks, scripts
from django_migration_hooks.deploy._site import CommandSite

TASK_FILES = frozenset({"fabfile.py", "tasks.py"})
_DEPLOY_SCRIPT = re.compile(
    r"^(start|startup|boot|bootstrap|entrypoint|docker[-_]entrypoint|deploy|release|"
    r"pre_?deploy|post_?deploy|post_?compile|pre_?compile|prestart|prerun|run_?prod|"
    r"launch|provision|init_?container|wsgi|asgi|apps)([-_.].*)?$"
)
_SUBPROCESS = frozenset({"run", "call", "check_call", "check_output", "Popen", "getoutput"})
_SHELL_CALLS = frozenset({"system", "popen"})
_EXEC = frozenset({"execv", "execvp", "execve", "execvpe", "execl", "execlp", "execle"})
_EXEC |= {"execlpe"}
_RUNNERS = frozenset({"run", "local", "sudo"})
_REMOTE = frozenset({"run", "sudo"})
_FLAG_KWARGS = {
    "check": "--check",
    "dry_run": "--dry-run",
    "merge": "--merge",
    "fake": "--fake",
    "fake_initial": "--fake-initial",
    "check_changes": "--check",
}
_PLACEHOLDER = "__value__"


def claims(path: str) -> bool:
    return path.endswith(".py")


def is_task_file(path: str) -> bool:
    return os.path.basename(path) in TASK_FILES


def is_deploy_script(path: str) -> bool:
    """Named like code that runs on deploy (`start.py`, `bin/release`, `deploy_tasks.py`)."""
    parts = path.split("/")
    if "migrations" in parts[:-1] or "tests" in parts[:-1]:
        return False
    name = parts[-1]
    stem = name[:-3] if name.endswith(".py") else name
    if name in TASK_FILES or _DEPLOY_SCRIPT.match(stem):
        return True
    if path.startswith((".platform/hooks/", ".platform/confighooks/")):
        return True  # Elastic Beanstalk runs every file there, `.py` included
    return path.startswith("bin/") and not name.endswith(".py")


def _string(node: ast.expr) -> str | None:
    """The value of a string expression (f-string parts become placeholders), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue) and _ast.last_name(value.value):
                parts.append(
                    "{" + _ast.last_name(value.value) + "}"
                )  # the shell reader reads `{PY}`
            else:
                parts.append(_PLACEHOLDER)
        return "".join(parts)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and len(node.args) == 1
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
        and isinstance(node.args[0], (ast.List, ast.Tuple))
    ):
        # `" ".join(["python", "manage.py", ...])`
        items = [_argv_item(e) for e in node.args[0].elts if not isinstance(e, ast.Starred)]
        return node.func.value.value.join(items)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string(node.left), _string(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else _PLACEHOLDER) + (
            right if right is not None else _PLACEHOLDER
        )
    return None


def _argv_item(node: ast.expr) -> str:
    value = _string(node)
    if value is not None:
        return value
    if isinstance(node, ast.Attribute) and node.attr == "executable":
        return "python"
    return _PLACEHOLDER


def _argv(node: ast.expr) -> tuple[str, ...] | None:
    """An argv list: `[...]`, `(...)`, `[...] + [...]`, `shlex.split("...")`, `"...".split()`."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(_argv_item(e) for e in node.elts if not isinstance(e, ast.Starred))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _argv(node.left), _argv(node.right)
        if left is not None or right is not None:
            return (*(left or (_PLACEHOLDER,)), *(right or (_PLACEHOLDER,)))
    if isinstance(node, ast.Call) and _func_name(node)[1] == "split":
        func = node.func
        text = None
        if node.args and _func_name(node)[0] == "shlex":
            text = _string(node.args[0])
        elif isinstance(func, ast.Attribute) and not node.args:
            text = _string(func.value)
        if text is not None:
            return tuple(text.split())
    return None


def _func_name(node: ast.Call) -> tuple[str, str]:
    """(receiver, name): `subprocess.run` -> ("subprocess", "run"), `local` -> ("", "local")."""
    func = node.func
    if isinstance(func, ast.Name):
        return "", func.id
    if isinstance(func, ast.Attribute):
        value = func.value
        if isinstance(value, ast.Name):
            return value.id, func.attr
        if isinstance(value, ast.Attribute):
            return value.attr, func.attr
        return "?", func.attr
    return "?", ""


def _is_true(node: ast.expr) -> bool:
    return not (isinstance(node, ast.Constant) and not node.value)


class _Collector(ast.NodeVisitor):
    def __init__(self, fabric: bool) -> None:
        self.fabric = fabric
        self.found: list[tuple[CommandSite, bool, str]] = []  # (site, runs remotely, function)
        self.function = ""
        self.tasks: dict[str, list[str]] = {}  # task -> pre/post tasks and tasks it calls
        self.task_names: set[str] = set()
        self.values: dict[str, ast.expr] = {}  # name -> the command it was last set to

    def visit_Assign(self, node: ast.Assign) -> None:
        """`cmd = ["python", "manage.py", ...]`: remembered for a later `subprocess.run(cmd)`
        in the same function (straight-line code; the last assignment wins)."""
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if _string(node.value) is not None or _argv(node.value) is not None:
                self.values[name] = node.value
            else:
                self.values.pop(name, None)
        self.generic_visit(node)

    def resolve(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Name):
            return self.values.get(node.id, node)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer = self.function
        deps: list[str] = []
        is_task = False
        for deco in node.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name != "task":
                continue
            is_task = True
            if isinstance(deco, ast.Call):
                deps.extend(a.id for a in deco.args if isinstance(a, ast.Name))
                for kw in deco.keywords:
                    if kw.arg in ("pre", "post") and isinstance(kw.value, (ast.List, ast.Tuple)):
                        deps.extend(e.id for e in kw.value.elts if isinstance(e, ast.Name))
        if is_task or not outer:
            self.function = node.name
        if is_task:
            self.task_names.add(node.name)
            self.tasks.setdefault(_tasks.normalise(node.name), []).extend(deps)
        outer_values, self.values = self.values, {}
        self.generic_visit(node)
        self.function, self.values = outer, outer_values

    visit_AsyncFunctionDef = visit_FunctionDef

    def site(
        self, node: ast.expr, text: str | None, argv: tuple[str, ...] | None, what: str
    ) -> None:
        end = node.end_lineno if node.end_lineno is not None else node.lineno
        self.found.append(
            (
                CommandSite(text, argv, node.lineno, node.col_offset + 1, end, what),
                False,
                self.function,
            )
        )

    def visit_Call(self, node: ast.Call) -> None:
        receiver, name = _func_name(node)
        if self.function and isinstance(node.func, ast.Name):
            self.tasks.setdefault(_tasks.normalise(self.function), []).append(node.func.id)
        first = self.resolve(node.args[0]) if node.args else None
        if receiver == "os" and name in _EXEC and len(node.args) > 1:
            self.exec_call(node, name)
        elif name == "call_command" and first is not None:
            self.call_command(node, first)
        elif name == "rmtree" and receiver == "shutil" and first is not None:
            self.site(first, None, ("rm", "-rf", _argv_item(first)), "shutil.rmtree()")
        elif name == "execute_from_command_line" and first is not None:
            listed = _argv(first)
            if listed:
                self.site(first, None, ("manage.py", *listed[1:]), "execute_from_command_line()")
        elif first is not None and _runs_command(receiver, name):
            self.command_call(receiver, name, first)
        self.generic_visit(node)

    def exec_call(self, node: ast.Call, name: str) -> None:
        """os.execvp(file, argv) / os.execlp(file, arg0, arg1, ...)"""
        args = self.resolve(node.args[1]) if name.startswith("execv") else None
        listed = _argv(args) if args is not None else None
        if args is None:
            args = node.args[1]
            listed = tuple(_argv_item(a) for a in node.args[1:])
        if listed:
            self.site(args, None, listed, f"os.{name}()")

    def call_command(self, node: ast.Call, first: ast.expr) -> None:
        """call_command("name", *args, flag=True): `django-admin name args --flag`."""
        command = _string(first)
        if command is not None:
            words = ["django-admin", command, *(_argv_item(a) for a in node.args[1:])]
            for kw in node.keywords:
                flag = _FLAG_KWARGS.get(kw.arg or "")
                if flag is not None and _is_true(kw.value):
                    words.append(flag)
            self.site(first, None, tuple(words), "call_command()")

    def command_call(self, receiver: str, name: str, first: ast.expr) -> None:
        """subprocess.run(...), os.system(...), fabric's c.run(...): an argv or a shell text."""
        what = f"{receiver + '.' if receiver else ''}{name}()"
        argv = _argv(first)
        text = _string(first)
        if argv is not None:
            self.site(first, None, argv, what)
        elif text is not None:
            self.site(first, text, None, what)
        else:
            return
        remote = self.fabric and name in _REMOTE and receiver not in ("os", "subprocess")
        site, _, function = self.found[-1]
        self.found[-1] = (site, remote, function)


def _runs_command(receiver: str, name: str) -> bool:
    return (
        (receiver == "subprocess" and name in _SUBPROCESS)
        or (receiver == "os" and name in _SHELL_CALLS)
        or (name in _RUNNERS and receiver != "subprocess")
    )


def _collect(path: str, text: str) -> _Collector | None:
    collector = _Collector(fabric=os.path.basename(path) == "fabfile.py")
    try:
        collector.visit(ast.parse(text, filename=path))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # syntax belongs to other tools; absurd nesting is not a deploy script
    return collector


def reached(path: str, text: str, roots: Iterable[str]) -> set[str]:
    """The (normalised) tasks that running roots runs: the roots and what they reach."""
    collector = _collect(path, text)
    return set() if collector is None else _tasks.reachable(collector.tasks, roots)


def sites(path: str, text: str, roots: Iterable[str] = ()) -> list[CommandSite]:
    """Command sites; roots = extra tasks that a deploy config runs (`invoke release`).

    A task only a person runs, or any command of a script named like a developer helper
    (`start_dev.py`, `scripts/local/...`), is `dev` (unit: the task, or the file's name)."""
    collector = _collect(path, text)
    if collector is None:
        return []
    task_file = is_task_file(path)
    deploy = _tasks.deploy_tasks(collector.tasks, roots) if task_file else set()
    by = _tasks.reached_by(collector.tasks) if task_file else {}
    names = {_tasks.normalise(name): name for name in collector.task_names}
    helper = not task_file and is_dev_helper(path)
    result = []
    for site, remote, function in collector.found:
        if task_file:
            dev = not remote and _tasks.normalise(function) not in deploy
            unit = function
        else:
            dev = helper and not remote
            unit = os.path.basename(path) if helper else function
        context = f"{os.path.basename(path)} `{function}`" if function else "Python script"
        root = by.get(_tasks.normalise(function)) if function else None
        run_by = f" (run by task `{names.get(root, root)}`)" if root else ""
        context = f"{context} {site.context}{run_by}"
        result.append(site._replace(context=context, dev=dev, unit=unit))
    return result


def is_dev_helper(path: str) -> bool:
    """Named like a developer helper (`start_dev.py`, `dev/startup.py`, `reset_db.py`): the
    same rule as for shell scripts."""
    return scripts.is_dev_helper(path)
