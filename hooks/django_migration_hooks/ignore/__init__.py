"""Ignore-file dialects of deploy tools, each answering "which rule excludes this path?".

- `ignore.docker`: `.dockerignore` and `<Dockerfile>.dockerignore` (moby's patternmatcher).
- `ignore.gitstyle`: `.gcloudignore`, `.ebignore`, `.slugignore`, `.cfignore` (gitignore
  syntax via `pathspec`, with each tool's differences).

`.gitignore` itself is never re-implemented: git decides (`_git.check_ignore`).
"""

from __future__ import annotations

from typing import NamedTuple


class IgnoreRule(NamedTuple):
    """The rule that decided a path: where it is written and what it says."""

    source: str  # repo-relative path of the ignore file holding the rule
    line: int  # 1-based
    col: int  # 1-based column where the pattern starts
    pattern: str  # the pattern as written (trimmed)
