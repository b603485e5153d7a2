"""Task graphs (Makefile / justfile targets, Invoke / Fabric tasks): what a deploy reaches."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# a task whose name has one of these parts runs on the deploy path
DEPLOY_PARTS = frozenset(
    {
        "deploy",
        "deployment",
        "release",
        "prod",
        "production",
        "ship",
        "publish",
        "rollout",
        "promote",
        "staging",
        "predeploy",
        "postdeploy",
        "entrypoint",
        "heroku",
        "dokku",
        "ci",
        "cd",
        "pipeline",
        "provision",
        "upgrade",
    }
)


def is_deploy_name(name: str) -> bool:
    parts = re.split(r"[^a-z0-9]+", name.lower())
    return any(p in DEPLOY_PARTS for p in parts)


def normalise(name: str) -> str:
    return name.replace("_", "-").lower()


def reachable(graph: Mapping[str, Iterable[str]], roots: Iterable[str]) -> set[str]:
    """Tasks reached from roots through dependencies and calls (graph keys are normalised)."""
    seen: set[str] = set()
    todo = [normalise(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen or name not in graph:
            continue
        seen.add(name)
        todo.extend(normalise(d) for d in graph[name])
    return seen


def deploy_tasks(graph: Mapping[str, Iterable[str]], extra_roots: Iterable[str] = ()) -> set[str]:
    roots = [name for name in graph if is_deploy_name(name)]
    return reachable(graph, [*roots, *extra_roots])


def reached_by(graph: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Task -> the deploy-named task that reaches it (for tasks not named like a deploy)."""
    by: dict[str, str] = {}
    for root in sorted(name for name in graph if is_deploy_name(name)):
        for name in sorted(reachable(graph, [root])):
            if not is_deploy_name(name):
                by.setdefault(name, root)
    return by
