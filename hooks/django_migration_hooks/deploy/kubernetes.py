"""Kubernetes manifests and Helm templates: container `command` + `args`.

Any YAML document with `apiVersion` and `kind` is searched for pod specs wherever they nest
(Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet, Argo/Knative/OpenShift kinds
that embed `containers`): `containers`, `initContainers`, `ephemeralContainers`, Argo's
`container`, Tekton's `steps` (`command`/`args`/`script`), and each container's
`lifecycle.postStart/preStop.exec.command`. A container runs `command + args` as one
argv (only `args` when the image's entrypoint is kept), so `["sh", "-c"]` + `["..."]` is read as
the shell script it is.

Helm templates (`templates/*.yaml` beside a `Chart.yaml`, or any file holding `{{ ... }}`) are not
YAML until rendered: template actions are neutralised first, keeping every line and column —
lines made only of actions become blank, inline actions become same-length placeholders.
"""

from __future__ import annotations

import os
import posixpath
import re

from django_migration_hooks._files import read_head
from django_migration_hooks.deploy import ci, compose, platforms
from django_migration_hooks.deploy._site import CommandSite
from django_migration_hooks.deploy._yaml import (
    Map,
    Node,
    Seq,
    Str,
    argv_site,
    iter_yaml,
    mapping,
    sequence,
    string,
    text_site,
    unique,
    walk,
)

_PATH_HINT = re.compile(
    r"(^|/)(k8s|kube|kubernetes|manifests?|deploy|deployments?|helm|charts?|templates|"
    r"kustomize|overlays|base|openshift|argocd|flux)(/|$)",
    re.IGNORECASE,
)
_SNIFF_BYTES = 65536
_API_VERSION = re.compile(r"^\s*apiVersion\s*:", re.MULTILINE)
_KIND = re.compile(r"^\s*kind\s*:", re.MULTILINE)
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
_ACTION = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def claims(path: str) -> bool:
    """YAML under a Kubernetes/Helm-looking folder, or whose head has `apiVersion` and `kind`."""
    if (path[-5:] != ".yaml" and path[-4:] != ".yml") or _owned_elsewhere(path):
        return False
    if _PATH_HINT.search(path.rpartition("/")[0]):
        return True
    data = read_head(path, _SNIFF_BYTES)
    if data is None:
        return False
    head = data.decode("utf-8", "replace")
    return _API_VERSION.search(head) is not None and _KIND.search(head) is not None


def _owned_elsewhere(path: str) -> bool:
    return ci.claims(path) or compose.claims(path) or platforms.claims(path)


def is_helm_template(path: str) -> bool:
    parts = path.split("/")
    if len(parts) < 2 or "templates" not in parts[:-1]:
        return False
    chart = "/".join(parts[: parts.index("templates")])
    return os.path.isfile(posixpath.join(chart, "Chart.yaml") if chart else "Chart.yaml")


def _as_written(name: Str | None, original: list[str]) -> str | None:
    """A one-line name as the template writes it (`{{ .Release.Name }}-migrate`), not the
    placeholder the neutralised text holds."""
    if name is None or "_" not in name or not name.strip("_ "):
        return name  # no placeholder, or only one (dropped from the message)
    if name.line > len(original) or name.end_line != name.line:
        return name
    start = name.col - 1
    written = original[name.line - 1][start : start + len(name)]
    return written if len(written) == len(name) else name


def sites(path: str, text: str) -> list[CommandSite]:
    original = text.split("\n")
    if is_helm_template(path) or "{{" in text:
        text = neutralise_templates(text)
    found: list[CommandSite | None] = []
    if not _runs_something(text):
        return []  # CRDs, ConfigMaps, values files: nothing to build
    for document in iter_yaml(path, text, keep=_runs_something):
        manifest = mapping(document)
        if "kind" not in manifest or "apiVersion" not in manifest:
            continue
        kind = string(manifest.get("kind")) or "object"
        name = _as_written(string(mapping(manifest.get("metadata")).get("name")), original)
        label = f"Kubernetes {kind}" + (f" {name}" if name and name.strip("_ ") else "")
        for spec in walk(manifest):
            for key in _CONTAINER_LISTS:
                for container in sequence(spec.get(key)):
                    found += _container(mapping(container), f"{label} {_singular(key)}")
            if isinstance(spec.get("container"), Map):  # Argo Workflows templates
                found += _container(mapping(spec.get("container")), f"{label} container")
            for step in sequence(spec.get("steps")):  # Tekton tasks: image + command/script
                step = mapping(step)
                if "image" in step:
                    found += _container(step, f"{label} step")
                    script = string(step.get("script"))
                    if script is not None:
                        found.append(text_site(script, f"{label} step script"))
    return unique(found)


def _runs_something(text: str) -> bool:
    return "command" in text or "args" in text or "script" in text


def _singular(key: str) -> str:
    return {"initContainers": "initContainer", "ephemeralContainers": "ephemeralContainer"}.get(
        key, "container"
    )


def _container(container: Map, label: str) -> list[CommandSite | None]:
    name = string(container.get("name"))
    if name and name.strip("_ "):
        label = f"{label} {name}"
    found = [_exec(container.get("command"), container.get("args"), label)]
    lifecycle = mapping(container.get("lifecycle"))
    for hook in ("postStart", "preStop"):
        handler = mapping(mapping(lifecycle.get(hook)).get("exec"))
        found.append(_exec(handler.get("command"), None, f"{label} {hook}"))
    return found


def _exec(command: Node, args: Node, context: str) -> CommandSite | None:
    words = _words(command) + _words(args)
    if not words:
        return None
    if isinstance(command, Str) and not isinstance(args, Seq | Str):
        # not valid Kubernetes, but written in the wild: a command string run by a shell
        return CommandSite(str(command), None, command.line, command.col, command.end_line, context)
    return argv_site(words, context)


def _words(node: Node) -> list[Str]:
    if isinstance(node, Seq):
        return [item for item in node if isinstance(item, Str)]
    if isinstance(node, Str) and node.strip():
        return [node]
    return []


def neutralise_templates(text: str) -> str:
    """Go-template actions out, positions kept: action-only lines blank, inline ones `_`-filled."""
    text = _ACTION.sub(lambda m: re.sub(r"[^\n]", "\0", m.group()), text)
    lines = []
    for line in text.split("\n"):
        if "\0" in line and not line.replace("\0", "").strip():
            lines.append("")
        else:
            lines.append(line.replace("\0", "_"))
    return "\n".join(lines)
