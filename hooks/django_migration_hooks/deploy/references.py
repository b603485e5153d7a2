"""What the repository's deploy configs run (scripts, Make/just targets, Invoke tasks), and
following those references from the configs checked in a run."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from types import ModuleType
from typing import NamedTuple

from django_migration_hooks import _git
from django_migration_hooks._files import FileProblem, read_text
from django_migration_hooks.deploy import _analyse, make, python
from django_migration_hooks.deploy.readers import classify, file_sites, script_reader


class References(NamedTuple):
    """What the repository's deploy configs run, each mapped to the first config that runs it:
    scripts (repo-relative paths) and (tool, target) pairs."""

    scripts: Mapping[str, str]
    targets: Mapping[tuple[str, str], str]


class Resolver:
    """Script names as a config writes them -> repo-relative paths of tracked files."""

    def __init__(self, tracked: Callable[[], Sequence[str]]) -> None:
        self._load = tracked
        self._tracked: frozenset[str] | None = None
        self._by_name: dict[str, list[str]] = {}

    def tracked(self) -> frozenset[str]:
        if self._tracked is None:
            self._tracked = frozenset(self._load())
            for path in self._tracked:
                self._by_name.setdefault(path[path.rfind("/") + 1 :], []).append(path)
        return self._tracked

    def resolve(self, raw: str, config: str) -> str | None:
        """The file a config at `config` runs as `raw`: relative to the config's directory,
        then to the repository root; else (Docker WORKDIR and COPY destinations are unknown)
        the longest trailing part of the path that names exactly one tracked file."""
        if not raw or any(c in raw for c in "$`{}*?"):
            return None
        tracked = self.tracked()
        if not raw.startswith("/"):
            base = posixpath.dirname(config)
            for candidate in (posixpath.join(base, raw), raw):
                normal = posixpath.normpath(candidate)
                if normal in tracked:
                    return normal
        parts = [p for p in raw.split("/") if p not in ("", ".")]
        if ".." in parts:
            parts = parts[len(parts) - parts[::-1].index("..") :]
        for k in range(len(parts)):
            suffix = "/".join(parts[k:])
            if k == len(parts) - 1:
                matches = self._by_name.get(suffix, [])
            else:
                matches = [t for t in tracked if t == suffix or t.endswith("/" + suffix)]
            if len(matches) == 1:
                return matches[0]
            if matches:
                return None  # ambiguous: a shorter suffix is only more ambiguous
        return None


# Scripts followed from the configs (scripts that run scripts...): a bound, not a real limit.
MAX_FOLLOWED = 200


def collect_references(paths: Iterable[str], resolver: Resolver | None = None) -> References:
    """What the configs at paths run, followed through the scripts they run (bounded)."""
    resolver = resolver or Resolver(_git.ls_files)
    scripts: dict[str, str] = {}
    targets: dict[tuple[str, str], str] = {}
    todo: list[tuple[str, ModuleType | None]] = [(p, None) for p in paths]
    seen: set[str] = set()
    while todo:
        path, reader = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if reader is None:
            reader = classify(path, sniff=path.startswith(("bin/", ".platform/")))
            if reader is None or reader is python:
                continue
        if os.path.islink(path):
            continue
        try:
            found = file_sites(path, read_text(path).text, reader)
        except (FileProblem, OSError):
            continue
        for site in found:
            if site.dev:
                continue
            for ref in _analyse.analyse(site)[1]:
                if ref.tool != "script":
                    targets.setdefault((ref.tool, ref.name), site.context)
                    continue
                script = resolver.resolve(ref.name, path)
                if script is None or script in scripts:
                    continue
                scripts[script] = site.context
                if len(scripts) <= MAX_FOLLOWED:
                    todo.append((script, script_reader(script)))
    return References(scripts, targets)


# Where deploy configs and scripts can be (git filters the index, `*` matches `/` too, so a
# large repository costs little); every reader's claims() still decides.
REFERENCE_PATHSPECS = (
    "*Procfile*",
    "*Dockerfile*",
    "*dockerfile*",
    "*Containerfile*",
    "*.yml",
    "*.yaml",
    "*.toml",
    "*.json",
    "*.ini",
    "*.conf",
    "*.config",
    "*.cfg",
    "*Jenkinsfile*",
    "*akefile",
    "*.mk",
    "*ustfile",
    "*.just",
    "*.sh",
    "*.bash",
    "*.replit",
    "bin/*",
    ".platform/*",
)


def existing(paths: Iterable[str]) -> list[str]:
    """Paths that exist in the working tree (as pre-commit filters: deleted files never come)."""
    return [path for path in paths if os.path.lexists(path)]


def tracked_files() -> list[str]:
    """Every tracked file; one deleted from the working tree is skipped when it is read (one
    lstat for the few files read, not for every file of a large repository)."""
    return _git.ls_files()


def repository_references(resolver: Resolver | None = None) -> References:
    """What the deploy configs of the repository in the working directory run."""
    configs = existing(_git.ls_files(*REFERENCE_PATHSPECS))
    return collect_references(configs, resolver or Resolver(tracked_files))


class ReferenceIndex:
    """repository_references, computed at most once and only when a file needs it, plus what
    the configs checked in this run were found to run (a config not yet in git counts too)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.scripts: dict[str, str] = {}
        self.targets: dict[tuple[str, str], str] = {}
        self._base: References | None = None
        self._merged: References | None = None

    def add(self, scripts: Mapping[str, str], targets: Mapping[tuple[str, str], str]) -> None:
        for key, value in scripts.items():
            self.scripts.setdefault(key, value)
        for pair, value in targets.items():
            self.targets.setdefault(pair, value)
        self._merged = None

    def __call__(self) -> References:
        if self._base is None:
            self._base = repository_references(self.resolver)
        if self._merged is None:
            self._merged = References(
                {**self.scripts, **self._base.scripts}, {**self.targets, **self._base.targets}
            )
        return self._merged


class Followed(NamedTuple):
    """A reference found in a checked config: what it runs and where it was found."""

    ref: _analyse.Reference
    context: str
    config: str


TASK_FILES = {
    "make": ("Makefile", "makefile", "GNUmakefile"),
    "just": ("justfile", "Justfile", ".justfile"),
    "invoke": ("tasks.py", "fabfile.py"),
}


def task_file(tool: str, config: str, tracked: Collection[str]) -> str | None:
    """The Makefile / justfile / tasks.py a config's `make T` runs: next to it, else at the root."""
    base = posixpath.dirname(config)
    for directory in dict.fromkeys((base, "")):
        for name in TASK_FILES.get(tool, ()):
            candidate = posixpath.join(directory, name) if directory else name
            if candidate in tracked:
                return candidate
    return None


def follow(
    wiring: list[Followed],
    checked: set[str],
    resolver: Resolver,
    references: ReferenceIndex,
    check: Callable[..., None],
) -> None:
    """Check what the checked configs run (scripts, Make/just targets, Invoke tasks) even when
    those files were not passed: a commit that wires a dev helper into a deploy is caught."""
    tasks: dict[str, dict[str, str]] = {}  # task file -> {target: what runs it}
    followed = 0
    while wiring and followed < MAX_FOLLOWED:
        ref, context, config = wiring.pop(0)
        if ref.tool == "script":
            script = resolver.resolve(ref.name, config)
            if script is None:
                continue
            references.add({script: context}, {})
            if script not in checked and os.path.isfile(script):
                followed += 1
                check(script, reader=script_reader(script), via=context)
            continue
        references.add({}, {(ref.tool, ref.name): context})
        found = task_file(ref.tool, config, resolver.tracked())
        if found is not None:
            tasks.setdefault(found, {}).setdefault(ref.name, context)
    for path, roots in tasks.items():
        if path in checked or not os.path.isfile(path):
            continue
        reader = make if path.endswith(("akefile", "ustfile")) else python
        try:
            text = read_text(path).text
        except FileProblem:
            continue  # reported when the file itself is checked
        check(path, units=reader.reached(path, text, roots))
