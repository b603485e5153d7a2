"""Gitignore-syntax ignore files of deploy tools, matched with `pathspec`.

- `.gcloudignore` (gcloud app/functions/run deploys): `#!include:FILE` lines are expanded in
  place; when the file exists it is the only ignore file gcloud reads.
- `.ebignore` (EB CLI, `eb deploy`): when it exists it replaces `.gitignore` for the bundle.
- `.slugignore` (Heroku slug compiler): `!` negations are not supported (such lines do nothing).
- `.cfignore` (Cloud Foundry `cf push`): gitignore syntax.

Patterns are relative to the folder holding the file. As in git, a path inside an excluded folder
stays excluded even if a later `!` pattern names it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from django_migration_hooks.ignore import IgnoreRule

if TYPE_CHECKING:  # imported when first needed: pathspec takes a while to import
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

DIALECTS = {
    ".gcloudignore": "gcloud",
    ".ebignore": "eb",
    ".slugignore": "slug",
    ".cfignore": "cf",
}
TOOLS = {
    "gcloud": "gcloud (App Engine, Cloud Functions, Cloud Run source deploys)",
    "eb": "the Elastic Beanstalk CLI (eb deploy)",
    "slug": "Heroku's slug compiler",
    "cf": "Cloud Foundry (cf push)",
}
INCLUDE = "#!include:"
MAX_INCLUDE_DEPTH = 5

LineReader = Callable[[str], "Sequence[str] | None"]


class _Entry(NamedTuple):
    pattern: GitIgnoreSpecPattern
    rule: IgnoreRule


class GitStyleIgnore:
    """The rules of one deploy-side ignore file (includes expanded)."""

    def __init__(
        self, source: str, lines: Sequence[str], *, dialect: str, read: LineReader
    ) -> None:
        self.source = source
        self.dialect = dialect
        self.base = posixpath.dirname(source)
        self.problems: list[str] = []
        self.entries: list[_Entry] = []
        self._add(source, lines, read, depth=0)

    def _add(self, source: str, lines: Sequence[str], read: LineReader, depth: int) -> None:
        from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

        for number, raw in enumerate(lines, start=1):
            line = raw[1:] if number == 1 and raw.startswith("\ufeff") else raw
            if self.dialect == "gcloud" and line.startswith(INCLUDE):
                name = line[len(INCLUDE) :].strip()
                included = posixpath.join(self.base, name) if self.base else name
                included = posixpath.normpath(included)
                if depth >= MAX_INCLUDE_DEPTH:
                    self.problems.append(f"{source}:{number}: includes nested too deeply")
                    continue
                content = read(included)
                if content is None:
                    self.problems.append(f"{source}:{number}: included file {included} not found")
                    continue
                self._add(included, content, read, depth + 1)
                continue
            if self.dialect == "slug" and line.lstrip().startswith("!"):
                continue  # Heroku does not support negation
            try:
                pattern = GitIgnoreSpecPattern(line)
            except Exception:  # pathspec raises several error types for bad patterns
                continue
            if pattern.include is None or pattern.regex is None:
                continue
            self.entries.append(_Entry(pattern, IgnoreRule(source, number, 1, line.rstrip())))

    def _decide(self, path: str) -> IgnoreRule | None:
        for entry in reversed(self.entries):
            regex = entry.pattern.regex
            match = regex.match(path) if regex is not None else None
            if match is None:
                continue
            if match.groupdict().get("ps_d") is not None and match.end() < len(path):
                # pathspec matches a folder pattern against everything below the folder; as in
                # git, it decides the folder itself only (so `!blog/` does not re-include
                # `blog/migrations/` that `*` excluded)
                continue
            return entry.rule if entry.pattern.include else None
        return None

    def excluded_by(self, path: str) -> IgnoreRule | None:
        """The rule that excludes path (relative to the file's folder), or None."""
        parts = path.split("/")
        for i in range(1, len(parts)):
            rule = self._decide("/".join(parts[:i]) + "/")
            if rule is not None:
                return rule
        return self._decide(path)
