"""Wrappers that run their command in a container, on a platform's dyno or on another host.

One handler per wrapper family, each beside the options it knows take a value; the table
that maps program names to handlers is in `wrappers.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django_migration_hooks.shell.words import Invocation, Word, skip_options

if TYPE_CHECKING:
    from django_migration_hooks.shell.wrappers import Call

# --- docker / podman / nerdctl exec|run, docker compose / docker-compose exec|run

CONTAINER_PROGRAMS = ("docker-compose", "docker", "podman", "podman-compose", "nerdctl")
_COMPOSE_PROGRAMS = ("docker-compose", "podman-compose")
_DOCKER_VALUES = frozenset({"-H", "--host", "-c", "--context", "--config"})
_COMPOSE_GLOBAL_VALUES = frozenset(
    {"-f", "--file", "-p", "--project-name", "--env-file", "--profile", "--project-directory"}
)
_COMPOSE_EXEC_VALUES = frozenset(
    {"-e", "--env", "-u", "--user", "-w", "--workdir", "--index", "-l", "--label", "--name"}
    | {"-p", "--publish", "-v", "--volume", "--entrypoint", "--env-file", "--detach-keys"}
    | {"--network", "--platform", "--pull", "--cap-add", "--cap-drop", "--mount", "--memory"}
    | {"-m", "--cpus", "--add-host", "--hostname", "--restart", "--link", "--volumes-from"}
    | {"--tmpfs", "--ulimit", "--log-driver", "--log-opt", "--shm-size", "--gpus", "--dns"}
    | {"--expose", "--device", "--health-cmd", "--cidfile", "--label-file", "--group-add"}
    | {"--runtime", "--security-opt", "--stop-signal", "--stop-timeout", "--ipc", "--pid"}
    | {"--userns", "--uts"}
)


def container(call: Call) -> Iterator[Invocation]:
    ws = list(call.rest)
    compose = call.name in _COMPOSE_PROGRAMS
    j = 0
    if not compose:
        j = skip_options(ws, 0, _DOCKER_VALUES)
        if j < len(ws) and ws[j].value == "compose":
            compose = True
            j += 1
    if compose:
        j = skip_options(ws, j, _COMPOSE_GLOBAL_VALUES)
    if j >= len(ws) or ws[j].value not in ("exec", "run"):
        return
    sub = ws[j].value
    j = skip_options(ws, j + 1, _COMPOSE_EXEC_VALUES)
    label = f"{call.name}{' compose' if compose and call.name != 'docker-compose' else ''} {sub}"
    # SERVICE / CONTAINER / IMAGE, then the command
    yield from call.again(ws[j + 1 :], label)


# --- heroku run

_HEROKU_VALUES = frozenset(
    {"-a", "--app", "-r", "--remote", "-s", "--size", "-e", "--env", "--type"}
)


def heroku(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    if not rest or rest[0].value not in ("run", "run:detached", "run:inside"):
        return
    j = skip_options(rest, 1, _HEROKU_VALUES)
    yield from call.script(rest[j:], "heroku run", remote=True)


# --- kubectl / oc exec|run|debug ... -- COMMAND


def kubectl(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    if not rest or rest[0].value not in ("exec", "run", "debug"):
        return
    dashes = next((k for k, w in enumerate(rest) if w.value == "--"), None)
    if dashes is None:
        return
    inner = rest[dashes + 1 :]
    label = f"{call.name} {rest[0].value}"
    if len(inner) == 1 and " " in inner[0].value:
        yield from call.script(inner, label, remote=True)
    else:
        yield from call.again(inner, label, remote=True)


# --- dokku run|run:detached|enter

_DOKKU_VALUES = frozenset({"--app", "--remote"})
_DOKKU_RUN_VALUES = frozenset({"--env", "-e"})


def dokku(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    j = skip_options(rest, 0, _DOKKU_VALUES)
    if j < len(rest) and rest[j].value in ("run", "run:detached", "enter"):
        k = skip_options(rest, j + 1, _DOKKU_RUN_VALUES)
        yield from call.again(rest[k + 1 :], "dokku run", remote=True)


# --- aws ecs execute-command / gcloud compute ssh --command ...


def _command_value(word: Word) -> Word:
    """`--command=VALUE` -> VALUE."""
    return Word(word.value[10:], word.offsets[10:], word.start)


def cloud(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    values = [w.value for w in rest[:3]]
    if values[:2] not in (["ecs", "execute-command"], ["compute", "ssh"]):
        return
    label = f"{call.name} {values[0]} {values[1]}"
    for k, w in enumerate(rest):
        if w.value == "--command" and k + 1 < len(rest):
            yield from call.script([rest[k + 1]], label, remote=True)
            return
        if w.value.startswith("--command="):
            yield from call.script([_command_value(w)], label, remote=True)
            return
        if w.value == "--" and call.name == "gcloud":
            yield from call.script(rest[k + 1 :], label, remote=True)
            return


# --- ssh [options] HOST COMMAND...

_SSH_VALUES = frozenset(
    {"-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p"}
    | {"-Q", "-R", "-S", "-W", "-w", "-B"}
)


def ssh(call: Call) -> Iterator[Invocation]:
    j = skip_options(call.rest, 0, _SSH_VALUES)
    yield from call.script(call.rest[j + 1 :], "ssh", remote=True)


# --- fly ssh console -C COMMAND


def fly(call: Call) -> Iterator[Invocation]:
    rest = call.rest
    if len(rest) < 2 or rest[0].value != "ssh" or rest[1].value != "console":
        return
    for k, w in enumerate(rest):
        if w.value in ("-C", "--command") and k + 1 < len(rest):
            yield from call.script([rest[k + 1]], "fly ssh console", remote=True)
        elif w.value.startswith("--command="):
            yield from call.script([_command_value(w)], "fly ssh console", remote=True)
