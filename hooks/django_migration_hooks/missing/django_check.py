"""The Django tier: every project's runner, or its cached result, turned into findings."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from django_migration_hooks._report import Finding
from django_migration_hooks.missing.cache import (
    cache_key,
    cache_mark,
    cache_may_hit,
    cache_read,
    cache_write,
    prune_cache,
)
from django_migration_hooks.missing.findings import findings_from_result
from django_migration_hooks.missing.options import Options
from django_migration_hooks.missing.relevance import remember_imports
from django_migration_hooks.missing.runner_control import Project, Runner
from django_migration_hooks.missing.tree import Tree


class _Runs:
    """The runners and results of one check: a runner per project, started while there are
    free slots and no cached result can match; a result per project, cached or run."""

    def __init__(self, opts: Options, tree: Tree) -> None:
        self.opts = opts
        self.tree = tree
        self.env = {k: v for k, v in opts.env.items() if k not in os.environ}
        self.key_env = {**os.environ, **self.env}
        self.slots = max(1, os.cpu_count() or 1)  # runners at once
        self.runners: dict[Project, Runner] = {}
        self.quick_keys: dict[Project, str] = {}
        self.keys: dict[Project, str] = {}
        self.results: dict[Project, dict[str, Any]] = {}

    def key(self, project: Project, tree_digest: str) -> str:
        return cache_key(
            project.python,
            project.fingerprint,
            project.root,
            project.settings,
            self.key_env,
            tree_digest,
        )

    def begin(self, projects: Sequence[Project]) -> None:
        runners = self.runners
        for project in projects:
            if project in runners:
                continue
            runners[project] = Runner(project, self.env, self.opts.cache, self.opts.timeout)
            if self.opts.cache:
                self.quick_keys[project] = self.key(project, self.tree.quick)
                if cache_may_hit(self.quick_keys[project]):
                    continue
            if sum(r.proc is not None for r in runners.values()) < self.slots:
                runners[project].start()

    def confirm(self, confirmed: Sequence[Project]) -> None:
        """Stop the runners of projects that turned out not to be ones, start the new ones'."""
        for project in set(self.runners) - set(confirmed):
            self.runners.pop(project).stop()
        self.begin(confirmed)

    def read_cache(self, projects: Sequence[Project]) -> None:
        tree_digest = self.tree.digest()
        for project in projects:
            self.keys[project] = self.key(project, tree_digest)
            cached = cache_read(self.keys[project])
            if cached is not None:
                self.runners[project].stop()
                self.results[project] = cached
                cache_mark(self.quick_keys[project])

    def run(self, project: Project) -> dict[str, Any]:
        runner = self.runners[project]
        result = runner.result()
        if self.opts.cache and not self.tree.changed_since(runner.started_ns):
            cache_write(self.keys[project], result)
            cache_mark(self.quick_keys[project])
        return result

    def run_rest(self, projects: Sequence[Project]) -> list[Project]:
        """Run the projects without a result (those already started first); returns them."""
        from concurrent.futures import ThreadPoolExecutor

        runners = self.runners
        todo = sorted(
            (p for p in projects if p not in self.results), key=lambda p: runners[p].proc is None
        )
        if len(todo) == 1:
            self.results[todo[0]] = self.run(todo[0])
        elif todo:
            with ThreadPoolExecutor(max_workers=min(self.slots, len(todo))) as pool:
                self.results.update(zip(todo, pool.map(self.run, todo), strict=True))
        return todo

    def stop(self) -> None:
        for runner in self.runners.values():
            runner.stop()


def check_django(
    projects: Sequence[Project],
    opts: Options,
    tree: Tree,
    confirm: Callable[[], Sequence[Project]] | None = None,
) -> list[Finding]:
    """Run (or reuse from the cache) the Django check of every project.

    A project's runner starts as soon as the quick part of its cache key shows that no cached
    result can match, so Django works while git walks the tree for the rest of the key.
    `confirm` gives the projects again once untracked files are listed (the same ones, unless
    an untracked entry point adds or changes one).
    """
    runs = _Runs(opts, tree)
    try:
        runs.begin(projects)
        if confirm is not None:
            projects = confirm()
            runs.confirm(projects)
        if opts.cache:
            runs.read_cache(projects)
        todo = runs.run_rest(projects)
    finally:
        runs.stop()
    if opts.cache:
        if todo:
            remember_imports(runs.results.values())
        prune_cache()
    return [
        finding
        for project in projects
        for finding in findings_from_result(
            runs.results[project],
            manage=project.manage,
            settings=project.settings,
            include_third_party=opts.include_third_party,
            ignore_apps=opts.ignore_apps,
        )
    ]
