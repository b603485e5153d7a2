"""Platform specs that run commands on build, release or start.

DigitalOcean App Platform (`.do/app.yaml`, `.do/deploy.template.yaml`), Render (`render.yaml`),
Fly.io (`fly.toml`), Railway (`railway.json`/`railway.toml`), Nixpacks (`nixpacks.toml`/`.json`),
Heroku (`heroku.yml`, `app.json` scripts), AWS Elastic Beanstalk (`.ebextensions/*.config`, YAML
or JSON), Google App Engine (`app.yaml` with a `runtime:` key), Replit deployments (`.replit`) and
Ansible playbooks and roles (`shell`/`command`/`raw` tasks, `django_manage`: they run on hosts).

TOML files are read with positions by `_toml.load_toml`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from django_migration_hooks.deploy import ci, compose
from django_migration_hooks.deploy._site import CommandSite, Reader
from django_migration_hooks.deploy._toml import load_toml
from django_migration_hooks.deploy._yaml import (
    Map,
    Node,
    Seq,
    Str,
    argv_site,
    iter_yaml,
    load_json,
    load_yaml,
    mapping,
    sequence,
    string,
    strings,
    text_site,
    unique,
)


def _kind(path: str) -> str | None:
    slash = path.rfind("/")
    base = path[slash + 1 :]
    if base in _BY_NAME or base == "deploy.template.yaml":
        if path[:slash].rpartition("/")[2] == ".do":
            return "do" if base in ("app.yaml", "app.yml", "deploy.template.yaml") else None
        return _BY_NAME.get(base)
    if base[-7:] == ".config":
        return "eb" if path[:slash].rpartition("/")[2] == ".ebextensions" else None
    if base[:3] == "fly" and _FLY.match(base):
        return "fly"
    if base in ("applications.yaml", "config.yaml"):
        parent = path[:slash].rpartition("/")[2]
        if (parent, base) in ((".platform", "applications.yaml"), (".upsun", "config.yaml")):
            return "platformsh"
    if base[-5:] == ".json" and _ECS.search(base):
        return "ecs"
    if (base[-4:] == ".yml" or base[-5:] == ".yaml") and _ANSIBLE.search(path):
        return None if ci.claims(path) or compose.claims(path) else "ansible"
    return None


_FLY = re.compile(r"^fly(\.[\w.-]+)?\.toml$")
_ANSIBLE = re.compile(
    r"(^|/)(roles/[^/]+/(tasks|handlers)/[^/]+|(ansible|playbooks)/([^/]+/)*[^/]+|"
    r"playbook[^/]*|site\.ya?ml)$"
)
_BY_NAME = {
    "render.yaml": "render",
    "render.yml": "render",
    "railway.json": "railway",
    "railway.toml": "railway",
    "nixpacks.toml": "nixpacks",
    "nixpacks.json": "nixpacks",
    "heroku.yml": "heroku",
    "heroku.yaml": "heroku",
    "app.json": "app.json",
    "app.yaml": "gae",
    "app.yml": "gae",
    ".replit": "replit",
    "vercel.json": "vercel",
    ".platform.app.yaml": "platformsh",
    "Dockerrun.aws.json": "ecs",
    "app-spec.yaml": "do",  # DigitalOcean App Platform spec kept at the root (`doctl --spec`)
    "app-spec.yml": "do",
    "taskdef.json": "ecs",
}
_ECS = re.compile(r"task[-_.]?def(inition)?[^/]*\.json$")


def claims(path: str) -> bool:
    return _kind(path) is not None


def sites(path: str, text: str) -> list[CommandSite]:
    kind = _kind(path)
    if kind is None:
        return []
    return unique(_READERS[kind](path, text))


# --- loading --------------------------------------------------------------------------------------


def _documents(path: str, text: str) -> list[Node]:
    """YAML documents; JSON when the path or the content says so (Beanstalk takes both)."""
    if path.endswith(".json") or text.lstrip().startswith("{"):
        return [load_json(path, text)]
    if path.endswith(".toml") or posixpath.basename(path) == ".replit":
        return [load_toml(path, text)]
    return load_yaml(path, text)


def _commands(node: Node, context: str) -> list[CommandSite | None]:
    """A string (shell form) or a list of strings (each a shell-form command)."""
    return [text_site(value, context) for value in strings(node)]


def _command_or_argv(node: Node, context: str) -> list[CommandSite | None]:
    """A string (shell form) or a list (exec form: argv)."""
    if isinstance(node, Seq):
        return [argv_site([item for item in node if isinstance(item, Str)], context)]
    return _commands(node, context)


# --- DigitalOcean App Platform --------------------------------------------------------------------

_DO_COMPONENTS = ("services", "workers", "jobs", "static_sites", "functions")


def _do(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in _documents(path, text):
        spec = mapping(document)
        if isinstance(spec.get("spec"), Map):
            spec = mapping(spec.get("spec"))
        for group in _DO_COMPONENTS:
            for component in sequence(spec.get(group)):
                component = mapping(component)
                label = _label(group[:-1], component.get("name"), component.get("kind"))
                for key in ("build_command", "run_command"):
                    found += _commands(
                        component.get(key), f"DigitalOcean App Platform {label} {key}"
                    )
    return found


def _label(what: str, name: Node, kind: Node = None) -> str:
    parts = [what, *(str(part) for part in (name, kind) if isinstance(part, Str))]
    return " ".join(parts)


# --- Render ---------------------------------------------------------------------------------------

_RENDER_KEYS = ("buildCommand", "preDeployCommand", "startCommand", "dockerCommand")


def _render(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in _documents(path, text):
        for service in sequence(mapping(document).get("services")):
            service = mapping(service)
            label = _label("service", service.get("name"))
            for key in _RENDER_KEYS:
                found += _commands(service.get(key), f"Render {label} {key}")
    return found


# --- Fly.io ---------------------------------------------------------------------------------------


def _fly(path: str, text: str) -> list[CommandSite | None]:
    config = mapping(load_toml(path, text))
    deploy = mapping(config.get("deploy"))
    found = _commands(deploy.get("release_command"), "Fly.io deploy release_command")
    for name, command in mapping(config.get("processes")).items():
        found += _commands(command, f"Fly.io process {name}")
    experimental = mapping(config.get("experimental"))
    for key in ("entrypoint", "cmd", "exec"):
        found += _command_or_argv(experimental.get(key), f"Fly.io experimental {key}")
    return found


# --- Railway --------------------------------------------------------------------------------------


def _railway(path: str, text: str) -> list[CommandSite | None]:
    config = mapping(_documents(path, text)[0])
    scopes = [("", config)]
    scopes += [
        (f"environment {name} ", mapping(env))
        for name, env in mapping(config.get("environments")).items()
    ]
    found: list[CommandSite | None] = []
    for prefix, scope in scopes:
        build, deploy = mapping(scope.get("build")), mapping(scope.get("deploy"))
        found += _commands(build.get("buildCommand"), f"Railway {prefix}build.buildCommand")
        for key in ("preDeployCommand", "startCommand"):
            found += _commands(deploy.get(key), f"Railway {prefix}deploy.{key}")
    return found


# --- Nixpacks -------------------------------------------------------------------------------------


def _nixpacks(path: str, text: str) -> list[CommandSite | None]:
    config = mapping(_documents(path, text)[0])
    found: list[CommandSite | None] = []
    for name, phase in mapping(config.get("phases")).items():
        phase = mapping(phase)
        for key in ("cmds", "cmd"):
            found += _commands(phase.get(key), f"Nixpacks phase {name} {key}")
    found += _commands(mapping(config.get("start")).get("cmd"), "Nixpacks start cmd")
    return found


# --- Heroku ---------------------------------------------------------------------------------------


def _heroku(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in _documents(path, text):
        config = mapping(document)
        found += _heroku_command(
            mapping(config.get("release")).get("command"), "heroku.yml release"
        )
        for name, process in mapping(config.get("run")).items():
            command = process.get("command") if isinstance(process, Map) else process
            found += _heroku_command(command, f"heroku.yml run {name}")
    return found


def _heroku_command(node: Node, context: str) -> list[CommandSite | None]:
    """A list of several plain words is an argv; otherwise each entry is a shell command."""
    items = strings(node)
    if len(items) > 1 and not any(" " in item for item in items):
        return [argv_site(items, context)]
    return [text_site(item, context) for item in items]


def _app_json(path: str, text: str) -> list[CommandSite | None]:
    config = mapping(load_json(path, text))
    scopes = [("", config)]
    scopes += [
        (f"environments.{name}.", mapping(env))
        for name, env in mapping(config.get("environments")).items()
    ]
    found: list[CommandSite | None] = []
    for prefix, scope in scopes:
        for name, script in mapping(scope.get("scripts")).items():
            found += _commands(script, f"app.json {prefix}scripts.{name}")
    return found


# --- AWS Elastic Beanstalk ------------------------------------------------------------------------


def _ebextensions(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in _documents(path, text):
        config = mapping(document)
        for section in ("commands", "container_commands"):
            for name, entry in mapping(config.get(section)).items():
                context = f"Elastic Beanstalk {section} {name}"
                found += _command_or_argv(mapping(entry).get("command"), context)
        for target, entry in mapping(config.get("files")).items():
            content = string(mapping(entry).get("content"))
            if content is not None and (
                "/hooks/" in target or target.endswith(".sh") or content.lstrip().startswith("#!")
            ):
                found.append(text_site(content, f"Elastic Beanstalk file {target}"))
    return found


# --- Google App Engine ----------------------------------------------------------------------------


def _gae(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        config = mapping(document)
        if "runtime" in config:
            found += _commands(config.get("entrypoint"), "App Engine entrypoint")
    return found


# --- Replit ---------------------------------------------------------------------------------------


def _replit(path: str, text: str) -> list[CommandSite | None]:
    """Deployment commands; the workspace Run button and workflows are a developer's tools."""
    config = mapping(load_toml(path, text))
    if "deployment" not in config:
        return _command_or_argv(config.get("run"), "Replit run")
    deployment = mapping(config.get("deployment"))
    return [
        *_command_or_argv(deployment.get("build"), "Replit deployment build"),
        *_command_or_argv(deployment.get("run"), "Replit deployment run"),
    ]


# --- Ansible --------------------------------------------------------------------------------------

_ANSIBLE_SHELL = frozenset(
    f"{prefix}{module}"
    for prefix in ("", "ansible.builtin.", "ansible.legacy.")
    for module in ("shell", "command", "raw")
)
_ANSIBLE_DJANGO = frozenset({"django_manage", "community.general.django_manage"})
_DJANGO_MANAGE_KV = re.compile(
    r"(?:^|\s)command=(?P<quote>['\"]?)(?P<command>.+?)(?P=quote)(?=\s+\w+=|\s*$)"
)
# `{% raw %}` / `{% endraw %}` (Jinja's escape, common around Ansible files holding `{{ }}`
# meant for the target): blanked to spaces, so the YAML parses and every position stays put
_JINJA_RAW = re.compile(r"\{%-?\s*(end)?raw\s*-?%\}")


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


_ANSIBLE_NESTED = ("pre_tasks", "tasks", "post_tasks", "handlers", "block", "rescue", "always")


def _ansible(path: str, text: str) -> list[CommandSite | None]:
    """Tasks in playbooks, roles and task files: shell/command/raw modules, and django_manage
    (which runs a management command on the managed host)."""
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, _JINJA_RAW.sub(_blank, text)):
        for task in _ansible_tasks(document):
            context = f"Ansible task{_task_name(task)}"
            for module, args in task.items():
                if module in _ANSIBLE_SHELL:
                    found += _ansible_shell(args, f"{context} {module}")
                elif module in _ANSIBLE_DJANGO:
                    found.append(_django_manage(args, f"{context} {module}"))
    return found


def _ansible_tasks(node: Node) -> Iterator[Map]:
    """Plays and tasks in order, without descending into a module's own arguments."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Seq):
            stack.extend(reversed(current))
        elif isinstance(current, Map):
            yield current
            stack.extend(current.get(key) for key in reversed(_ANSIBLE_NESTED))


def _task_name(task: Map) -> str:
    name = string(task.get("name"))
    return f" {name.strip()!r}" if name else ""


def _ansible_shell(args: Node, context: str) -> list[CommandSite | None]:
    if isinstance(args, Map):
        if isinstance(args.get("argv"), Seq):
            return _command_or_argv(args.get("argv"), context)
        return _commands(string(args.get("cmd")), context)
    return _commands(string(args), context)


def _django_manage(args: Node, context: str) -> CommandSite | None:
    """`django_manage: command=makemigrations app_path=...` or the mapping form, as argv
    `django-admin COMMAND [APPS...]` located at the command value."""
    if isinstance(args, Map):
        command = string(args.get("command"))
        apps = string(args.get("apps"))
        if command is None:
            return None
        words = [*command.split(), *(apps.split() if apps else [])]
        head = Str("django-admin", command.line, command.col, command.end_line)
        parts = [Str(word, command.line, command.col, command.end_line) for word in words]
        return argv_site([head, *parts], context)
    value = string(args)
    match = _DJANGO_MANAGE_KV.search(value) if value is not None else None
    if value is None or match is None:
        return None
    words = ["django-admin", *match.group("command").split()]
    return argv_site([Str(word, value.line, value.col, value.end_line) for word in words], context)


# --- Vercel, Platform.sh / Upsun, Amazon ECS task definitions ------------------------------------


def _vercel(path: str, text: str) -> list[CommandSite | None]:
    """`buildCommand`/`installCommand`, and `builds[].src` shell scripts (the Django-on-Vercel
    recipe runs `build_files.sh` through `@vercel/static-build`)."""
    config = mapping(load_json(path, text))
    found: list[CommandSite | None] = []
    for key in ("installCommand", "buildCommand"):
        found += _commands(config.get(key), f"Vercel {key}")
    for build in sequence(config.get("builds")):
        source = string(mapping(build).get("src"))
        if source is not None and source.endswith(".sh"):
            found.append(text_site(source, "Vercel build script"))
    return found


def _platformsh(path: str, text: str) -> list[CommandSite | None]:
    """`.platform.app.yaml`, `.platform/applications.yaml` (a list of apps) and Upsun's
    `.upsun/config.yaml` (`applications:`): hooks, web/worker start commands, crons."""
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        if isinstance(document, Seq):
            apps = [(_label("app", mapping(app).get("name")), mapping(app)) for app in document]
        elif "applications" in mapping(document):
            applications = mapping(mapping(document).get("applications"))
            apps = [(f"app {name}", mapping(app)) for name, app in applications.items()]
        else:
            apps = [("app", mapping(document))]
        for label, app in apps:
            hooks = mapping(app.get("hooks"))
            for key in ("build", "deploy", "post_deploy"):
                found += _commands(hooks.get(key), f"Platform.sh {label} hooks.{key}")
            start = mapping(mapping(app.get("web")).get("commands")).get("start")
            found += _commands(start, f"Platform.sh {label} web start")
            for section in ("workers", "crons"):
                for name, entry in mapping(app.get(section)).items():
                    entry = mapping(entry)
                    command = mapping(entry.get("commands")).get("start") or entry.get("cmd")
                    found += _commands(command, f"Platform.sh {label} {section[:-1]} {name}")
    return found


def _ecs(path: str, text: str) -> list[CommandSite | None]:
    """ECS task definitions and `Dockerrun.aws.json` v2: `entryPoint` + `command` as one argv."""
    config = mapping(load_json(path, text))
    if isinstance(config.get("taskDefinition"), Map):
        config = mapping(config.get("taskDefinition"))
    found: list[CommandSite | None] = []
    for container in sequence(config.get("containerDefinitions")):
        container = mapping(container)
        context = f"ECS container{_name_of(container)}"
        words = strings(container.get("entryPoint")) + strings(container.get("command"))
        found.append(argv_site(words, context))
    return found


def _name_of(node: Map) -> str:
    name = string(node.get("name"))
    return f" {name}" if name else ""


_READERS: dict[str, Reader] = {
    "vercel": _vercel,
    "platformsh": _platformsh,
    "ecs": _ecs,
    "ansible": _ansible,
    "do": _do,
    "render": _render,
    "fly": _fly,
    "railway": _railway,
    "nixpacks": _nixpacks,
    "heroku": _heroku,
    "app.json": _app_json,
    "eb": _ebextensions,
    "gae": _gae,
    "replit": _replit,
}
