"""Compose files: `services.<name>.command` and `entrypoint`, string and list forms.

Compose runs `entrypoint + command` as one argv (a string form is split like a shell would, but
without a shell); `$$` is Compose's escape for a literal `$`. When only one of the two is given,
it is yielded as written: a string as a shell-form command, a list as exec form. When both are
given they are joined into one exec-form argv, so `entrypoint: ["sh", "-c"]` + `command: "..."`
reads as the shell script it is.
"""

from __future__ import annotations

import re
import shlex

from django_migration_hooks.deploy._site import CommandSite
from django_migration_hooks.deploy._yaml import (
    Map,
    Node,
    Seq,
    Str,
    argv_site,
    iter_yaml,
    mapping,
    unique,
)

# A copy named for development (`docker-compose.override.yml`) that starts the development
# server is developer-only: check-deploy-makemigrations marks its sites `dev`.
DEV_CONFIG = True
_NAME = re.compile(r"^(docker-)?compose([.-][^/]*)?\.ya?ml$")


def claims(path: str) -> bool:
    """docker-compose*.yml/yaml and compose*.yml/yaml anywhere in the tree."""
    base = path[path.rfind("/") + 1 :]
    return base[:7] in ("docker-", "compose") and _NAME.match(base) is not None


def sites(path: str, text: str) -> list[CommandSite]:
    found: list[CommandSite | None] = []
    for document in iter_yaml(path, text):
        for name, service in mapping(mapping(document).get("services")).items():
            if isinstance(service, Map):
                found.extend(_service(name, service))
    return unique(found)


def _service(name: str, service: Map) -> list[CommandSite | None]:
    context = f"compose service {name}"
    entrypoint = service.get("entrypoint")
    command = service.get("command")
    if _present(entrypoint) and _present(command):
        words = _words(entrypoint) + _words(command)
        return [argv_site(words, f"{context} entrypoint + command")]
    return [_one(entrypoint, f"{context} entrypoint"), _one(command, f"{context} command")]


def _present(node: Node) -> bool:
    return isinstance(node, Seq | Str) and bool(node)


def _one(node: Node, context: str) -> CommandSite | None:
    if isinstance(node, Str) and node.strip():
        value = _unescape(node)
        return CommandSite(value, None, node.line, node.col, node.end_line, context)
    if isinstance(node, Seq):
        return argv_site(_list(node), context)
    return None


def _list(node: Seq) -> list[Str]:
    return [
        Str(_unescape(item), item.line, item.col, item.end_line)
        for item in node
        if isinstance(item, Str)
    ]


def _words(node: Node) -> list[Str]:
    """A string or list as argv words; a string is split (positions of its start), list kept."""
    if isinstance(node, Seq):
        return _list(node)
    assert isinstance(node, Str)
    try:
        parts = shlex.split(_unescape(node))
    except ValueError:
        parts = [_unescape(node)]
    return [Str(part, node.line, node.col, node.end_line) for part in parts]


def _unescape(value: str) -> str:
    return value.replace("$$", "$")
