"""CI/CD pipelines: the commands their jobs and steps run.

GitHub Actions workflows (`.github/workflows/*.yml`: `jobs.*.steps[].run`, SSH-deploy actions'
`with.script`) and actions (`action.yml`: composite `runs.steps[].run`, Docker `runs.args`),
GitLab CI (`.gitlab-ci.yml` and included `*.gitlab-ci.yml`: `script`/`before_script`/
`after_script`, strings or nested lists, anchors and hidden `.template` jobs), Bitbucket
Pipelines (step scripts, `ssh-run` pipes' `COMMAND`), Azure Pipelines (`script`/`bash`/`pwsh`
steps and inline-script task inputs), Jenkinsfile (`sh`/`bat`/`powershell` steps with any Groovy
string literal), Google Cloud Build (`steps[].script`, `entrypoint` + `args` exec form), CircleCI
(`run:` as a string or `{command: ...}`), Travis CI and Drone/Woodpecker (`commands`).

Step names, descriptions, job ids and comments are never commands.
"""

from __future__ import annotations

import re

from django_migration_hooks.deploy import python
from django_migration_hooks.deploy._groovy import GroovyScanner
from django_migration_hooks.deploy._site import CommandSite, Reader
from django_migration_hooks.deploy._yaml import (
    Map,
    Node,
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
    walk,
)

_GITHUB_WORKFLOW = re.compile(r"(^|/)\.github/workflows/[^/]+\.ya?ml$")
_CLOUDBUILD = re.compile(r"^cloudbuild([.-][\w.-]*)?\.(ya?ml|json)$")
_JENKINS = re.compile(r"^(Jenkinsfile([.-][\w.-]*)?|[\w.-]+\.[Jj]enkinsfile)$")


def _kind(path: str) -> str | None:
    slash = path.rfind("/")
    base = path[slash + 1 :]
    if base[-4:] == ".yml" or base[-5:] == ".yaml":
        return _yaml_kind(path, base, path[:slash].rpartition("/")[2] if slash > 0 else "")
    if "enkinsfile" in base:
        return "jenkins" if _JENKINS.match(base) else None
    if base[:10] == "cloudbuild":
        return "cloudbuild" if _CLOUDBUILD.match(base) else None
    return None


def _yaml_kind(path: str, base: str, parent: str) -> str | None:
    if parent == "workflows" and _GITHUB_WORKFLOW.search(path):
        return "github"
    if base in _YAML_NAMES:
        return _YAML_NAMES[base]
    if base.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")) or "/.gitlab/ci/" in f"/{path}":
        return "gitlab"
    if base.startswith("azure-pipelines") or parent in (".azure-pipelines", "azure-pipelines"):
        return "azure"
    if base[:10] == "cloudbuild" and _CLOUDBUILD.match(base):
        return "cloudbuild"
    if parent == ".circleci":
        return "circleci"
    if parent == ".woodpecker":
        return "drone"
    return None


_YAML_NAMES = {
    "action.yml": "action",
    "action.yaml": "action",
    ".gitlab-ci.yml": "gitlab",
    ".gitlab-ci.yaml": "gitlab",
    "bitbucket-pipelines.yml": "bitbucket",
    ".travis.yml": "travis",
    ".drone.yml": "drone",
    ".woodpecker.yml": "drone",
    ".woodpecker.yaml": "drone",
}


def claims(path: str) -> bool:
    return _kind(path) is not None


def sites(path: str, text: str) -> list[CommandSite]:
    kind = _kind(path)
    if kind is None:
        return []
    return unique(_READERS[kind](path, text))


_DEPLOY_WORDS = ("deploy", "release", "ssh", "prod")


def is_check(site: CommandSite) -> bool:
    """Whether a site runs in a CI check job (tests, linting) rather than on the deploy path:
    `makemigrations` there hides missing migrations instead of writing them on a server.
    Cloud Build, and jobs or stages named for a deploy, run on the deploy path."""
    return not site.context.startswith("Cloud Build") and not any(
        word in site.context.lower() for word in _DEPLOY_WORDS
    )


def _commands(node: Node, context: str) -> list[CommandSite | None]:
    return [text_site(value, context) for value in strings(node)]


def _name(node: Map, *keys: str) -> str:
    for key in keys:
        value = string(node.get(key))
        if value:
            return f" {value.strip()!r}"
    return ""


# --- GitHub Actions -------------------------------------------------------------------------------

_SSH_ACTION_INPUTS = ("script", "command", "commands", "script_stop")


def _github(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        workflow = mapping(document)
        workflow_shell = _default_shell(workflow)
        for job_id, job in mapping(workflow.get("jobs")).items():
            job = mapping(job)
            shell = _default_shell(job) or workflow_shell
            for number, step in enumerate(sequence(job.get("steps")), 1):
                context = f"GitHub Actions job {job_id} step {number}"
                found += _github_step(mapping(step), context, shell)
    return found


def _default_shell(scope: Map) -> str:
    return string(mapping(mapping(scope.get("defaults")).get("run")).get("shell")) or ""


def _github_step(step: Map, context: str, shell: str = "") -> list[CommandSite | None]:
    shell = string(step.get("shell")) or shell
    run = string(step.get("run"))
    if run is not None and shell.strip().startswith("python"):
        found = _python_sites(run, context)
    else:
        found = _commands(run, context)
    uses = string(step.get("uses")) or ""
    if "ssh" in uses.lower():  # appleboy/ssh-action and friends run `script` on the server
        inputs = mapping(step.get("with"))
        for key in _SSH_ACTION_INPUTS:
            found += _commands(inputs.get(key), f"{context} ({uses} {key})")
    return found


def _python_sites(code: Str, context: str) -> list[CommandSite | None]:
    """A `shell: python` step: read as Python; positions shifted into the workflow file
    (a block scalar's lines all share the indentation of its first content line)."""
    first_line = code.line - (len(code) - len(code.lstrip("\n")))
    return [
        site._replace(
            line=first_line + site.line - 1,
            end_line=first_line + site.end_line - 1,
            col=site.col + code.col - 1,
            context=f"{context} (python)",
        )
        for site in python.sites("step.py", str(code))
    ]


def _action(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        runs = mapping(mapping(document).get("runs"))
        for number, step in enumerate(sequence(runs.get("steps")), 1):
            found += _github_step(mapping(step), f"GitHub action step {number}")
        for key in ("pre-entrypoint", "entrypoint", "post-entrypoint"):
            found += _commands(runs.get(key), f"GitHub action {key}")
        args = [item for item in sequence(runs.get("args")) if isinstance(item, Str)]
        found.append(argv_site(args, "GitHub action args"))
    return found


# --- GitLab CI ------------------------------------------------------------------------------------

_GITLAB_KEYWORDS = frozenset(
    {"default", "include", "stages", "variables", "workflow", "image", "services", "cache", "types"}
)
_GITLAB_SCRIPTS = ("before_script", "script", "after_script")


def _gitlab(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        config = mapping(document)
        for key in ("before_script", "after_script"):  # deprecated global form
            found += _commands(config.get(key), f"GitLab CI global {key}")
        for name, job in config.items():
            if (name in _GITLAB_KEYWORDS and name != "default") or not isinstance(job, Map):
                continue
            label = "defaults" if name == "default" else f"job {name}"
            for key in _GITLAB_SCRIPTS:
                found += _commands(job.get(key), f"GitLab CI {label} {key}")
            hooks = mapping(job.get("hooks"))
            found += _commands(hooks.get("pre_get_sources_script"), f"GitLab CI {label} hooks")
    return found


# --- Bitbucket Pipelines --------------------------------------------------------------------------


def _bitbucket(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        for step in walk(document):
            if "script" not in step and "after-script" not in step:
                continue
            context = f"Bitbucket Pipelines step{_name(step, 'name')}"
            for key in ("script", "after-script"):
                for item in sequence(step.get(key)) or [step.get(key)]:
                    if isinstance(item, Str):
                        found.append(text_site(item, context))
                    elif isinstance(item, Map) and "ssh" in (string(item.get("pipe")) or ""):
                        command = mapping(item.get("variables")).get("COMMAND")
                        found += _commands(command, f"{context} pipe {item.get('pipe')}")
    return found


# --- Azure Pipelines ------------------------------------------------------------------------------

_AZURE_STEPS = ("script", "bash", "pwsh", "powershell")
_AZURE_TASK_INPUTS = ("script", "inlineScript", "inline", "commands", "startUpCommand")


def _azure(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        for step in walk(document):
            context = f"Azure Pipelines step{_name(step, 'displayName', 'name', 'task')}"
            for key in _AZURE_STEPS:
                found += _commands(string(step.get(key)), context)
            if "task" in step:
                inputs = mapping(step.get("inputs"))
                for key in _AZURE_TASK_INPUTS:
                    found += _commands(string(inputs.get(key)), f"{context} {key}")
    return found


# --- Google Cloud Build ---------------------------------------------------------------------------


def _cloudbuild(path: str, text: str) -> list[CommandSite | None]:
    documents = [load_json(path, text)] if path.endswith(".json") else load_yaml(path, text)
    found: list[CommandSite | None] = []
    for document in documents:
        for number, step in enumerate(sequence(mapping(document).get("steps")), 1):
            step = mapping(step)
            context = f"Cloud Build step {number}{_name(step, 'id')}"
            script = string(step.get("script"))
            if script is not None:
                found.append(text_site(_dollars(script), context))
                continue
            args = [_dollars(arg) for arg in strings(step.get("args"))]
            entrypoint = string(step.get("entrypoint"))
            if entrypoint is not None:
                found.append(argv_site([entrypoint, *args], context))
            elif args:
                found.append(argv_site(_image_argv(string(step.get("name")), args), context))
    return found


_PROGRAM_ARG = re.compile(r"^(\.{0,2}/|python|manage\.py$|django-admin|(ba|da|z)?sh$)")


def _image_argv(image: Str | None, args: list[Str]) -> list[Str]:
    """argv of a step without `entrypoint`: the builder's program + args, except that an image
    without an entrypoint runs args itself (`python:3` + `[manage.py, ...]`), and
    exec-wrapper runs what follows `--`."""
    program = _builder(image)
    if program == "exec-wrapper" and any(arg == "--" for arg in args):
        return args[[str(arg) for arg in args].index("--") + 1 :]
    if program is None or _PROGRAM_ARG.match(args[0]):
        return args
    return [program, *args]


def _dollars(value: Str) -> Str:
    """Cloud Build substitutions: `$$` is a literal `$`."""
    return Str(value.replace("$$", "$"), value.line, value.col, value.end_line)


def _builder(image: Str | None) -> Str | None:
    """The program a builder image runs: cloud-builders/docker -> docker, python:3 -> python."""
    if image is None:
        return None
    name = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    return Str(name, image.line, image.col, image.end_line)


# --- CircleCI -------------------------------------------------------------------------------------


def _circleci(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        config = mapping(document)
        for section, label in (("jobs", "job"), ("commands", "command")):
            for name, body in mapping(config.get(section)).items():
                for step in walk(body):
                    run = step.get("run")
                    context = f"CircleCI {label} {name} run"
                    if isinstance(run, Map):
                        found += _commands(string(run.get("command")), context)
                    else:
                        found += _commands(string(run), context)
    return found


# --- Travis CI, Drone / Woodpecker ----------------------------------------------------------------

_TRAVIS_PHASES = (
    "before_install",
    "install",
    "before_script",
    "script",
    "after_success",
    "after_failure",
    "before_deploy",
    "after_deploy",
    "after_script",
)


def _travis(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        config = mapping(document)
        scopes = [("", config)]
        for section in ("jobs", "matrix"):
            include = mapping(config.get(section)).get("include")
            scopes += [(f"job {n} ", mapping(job)) for n, job in enumerate(sequence(include), 1)]
        for prefix, scope in scopes:
            for phase in _TRAVIS_PHASES:
                found += _commands(scope.get(phase), f"Travis CI {prefix}{phase}")
            for deploy in sequence(scope.get("deploy")) or [scope.get("deploy")]:
                found += _commands(mapping(deploy).get("script"), f"Travis CI {prefix}deploy")
    return found


def _drone(path: str, text: str) -> list[CommandSite | None]:
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        for step in walk(document):
            context = f"CI step{_name(step, 'name')}"
            found += _commands(step.get("commands"), context)
    return found


# --- Jenkinsfile ----------------------------------------------------------------------------------


def _jenkins(path: str, text: str) -> list[CommandSite | None]:
    return list(GroovyScanner(text).sites())


_READERS: dict[str, Reader] = {
    "github": _github,
    "action": _action,
    "gitlab": _gitlab,
    "bitbucket": _bitbucket,
    "azure": _azure,
    "jenkins": _jenkins,
    "cloudbuild": _cloudbuild,
    "circleci": _circleci,
    "travis": _travis,
    "drone": _drone,
}
