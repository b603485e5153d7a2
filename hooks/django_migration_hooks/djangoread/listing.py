"""The files of a work tree as the hooks see them, and the folders they leave out.

- ``is_skipped(path) -> bool``: whether a path lies in a virtualenv, dependency or build folder.
- ``repo_files(cwd=".", ignored=True) -> list[str]``: tracked and untracked files, plus (with
  ``ignored``) untracked ignored files outside virtualenv/dependency/build folders.
- ``list_repository(cwd=".", ignored=True) -> Listing(files, tracked, links)``: the same
  ``files``, the tracked ones, and ``links`` (tracked symlink to a folder of the repository ->
  its target). ``tracked_files(cwd=".") -> (paths, links)``: tracked files with the files below
  such symlinks listed under the link too; ``real_path(path, links)``: where such a path is
  stored.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from django_migration_hooks import _git

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "virtualenv",
        "site-packages",
        "dist-packages",
        "node_modules",
        "bower_components",
        "__pypackages__",
        ".tox",
        ".nox",
        ".eggs",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)

SKIP_RE = re.compile(
    r"(?:^|/)(?:" + "|".join(re.escape(d) for d in sorted(SKIP_DIRS)) + r"|[^/]*\.egg-info)/"
)
# build output is skipped only where git does not track it (a tracked app may be named build)
UNTRACKED_SKIP_DIRS = SKIP_DIRS | {"build", "dist", "cdk.out"}
UNTRACKED_SKIP_RE = re.compile(
    r"(?:^|/)(?:"
    + "|".join(re.escape(d) for d in sorted(UNTRACKED_SKIP_DIRS))
    + r"|[^/]*\.egg-info|[^/]*\.dist-info)/"
)
MAX_WALKED_FILES = 200_000  # inside ignored folders; beyond this the rest is not looked at


def is_skipped(path: str) -> bool:
    """Whether path lies in a virtualenv, dependency, build or cache folder."""
    return SKIP_RE.search(path) is not None


def parent_dir(path: str) -> str:
    return path.rpartition("/")[0]


class Listing(NamedTuple):
    """The files of a work tree as the hooks see them."""

    files: list[str]  # tracked, untracked and ignored files (see list_repository), sorted
    tracked: frozenset[str]
    links: dict[str, str]  # tracked symlink to a folder of the repository -> that folder


def list_repository(cwd: str = ".", ignored: bool = True) -> Listing:
    """Tracked files, untracked ones and (with ignored) ignored ones.

    One `git ls-files --others --directory` (git reports an untracked folder as one entry and
    does not walk it: a 100,000-file node_modules costs nothing); untracked folders are then
    walked here, except virtualenvs, dependency and build folders, and installed-package folders
    (`*.dist-info`, a `django/` package: pip install -t, __pypackages__). Build output is skipped
    only where git tracks nothing (a tracked app may be named build). Tracked symlinks to folders
    of the repository are listed with the files of their target below the link (`links`).
    """
    if not ignored:
        tracked, links, others = _staged_listing(cwd, "--others", "--exclude-standard")
        untracked = [p for p in others if not _skipped_untracked(p, tracked)]
        return Listing(sorted({*tracked, *untracked}), frozenset(tracked), links)
    tracked, links, listed = _staged_listing(cwd, "--cached", "--others", "--directory")
    found = set(tracked)
    budget = MAX_WALKED_FILES
    for entry in listed:
        if not entry.endswith("/"):
            if not _skipped_untracked(entry, tracked):
                found.add(entry)
            continue
        directory = entry.rstrip("/")
        if UNTRACKED_SKIP_RE.search(entry) or _is_venv_or_repo(os.path.join(cwd, directory)):
            continue
        for path in _walk(cwd, directory):
            found.add(path)
            budget -= 1
            if budget <= 0:
                break
    return Listing(sorted(found), frozenset(tracked), links)


def _skipped_untracked(path: str, tracked: Sequence[str]) -> bool:
    """An untracked file in build output, a virtualenv, ... (build/ itself may be an app)."""
    match = UNTRACKED_SKIP_RE.search(path)
    if match is None:
        return False
    if SKIP_RE.search(path):
        return True
    folder = path[: match.end()]
    start = bisect.bisect_left(tracked, folder)
    return not (start < len(tracked) and tracked[start].startswith(folder))


STAGE_RE = re.compile(r"(\d{6}) [0-9a-f]{40,64} \d\t")


def tracked_files(cwd: str = ".") -> tuple[list[str], dict[str, str]]:
    """Tracked files, with the files below tracked symlinks to folders of the repository.

    Returns (paths, links): `links` maps each such symlink to its repo-relative target, so
    `blog/migrations -> ../shared/blog_migrations` lists `blog/migrations/0001_initial.py`
    for the tracked `shared/blog_migrations/0001_initial.py` (git itself never looks beyond a
    symlink).
    """
    paths, links, _ = _staged_listing(cwd)
    return paths, links


def _staged_listing(cwd: str, *more: str) -> tuple[list[str], dict[str, str], list[str]]:
    """One `git ls-files -z -s [more]`: (tracked paths with symlinks expanded, links, others).

    With `--others` in `more`, git also prints untracked entries, without the staged info.
    """
    entries = _git.zsplit(_git.run("ls-files", "-z", "-s", *more, cwd=cwd).stdout)
    paths: list[str] = []
    symlinks: list[str] = []
    others: list[str] = []
    for entry in entries:
        match = STAGE_RE.match(entry)
        if match is None:
            others.append(entry)
            continue
        path = entry[match.end() :]
        paths.append(path)
        if match.group(1) == "120000":
            symlinks.append(path)
    paths = sorted(set(paths))
    links: dict[str, str] = {}
    if symlinks:
        top = os.path.realpath(cwd)
        for link in symlinks:
            target = os.path.realpath(os.path.join(cwd, link))
            relative = os.path.relpath(target, top).replace(os.sep, "/")
            if os.path.isdir(target) and relative != "." and not relative.startswith("../"):
                links[link] = relative
        extra: list[str] = []
        for link, target in sorted(links.items()):
            prefix = target + "/"
            start = bisect.bisect_left(paths, prefix)
            for path in paths[start:]:
                if not path.startswith(prefix):
                    break
                extra.append(f"{link}/{path[len(prefix) :]}")
        paths = sorted(set(paths) | set(extra))
    return paths, links, others


def real_path(path: str, links: Mapping[str, str]) -> str:
    """Where a path below a tracked symlink (see tracked_files) is stored in the repository."""
    if not links:
        return path
    directory = path
    while "/" in directory:
        directory = parent_dir(directory)
        if directory in links:
            return links[directory] + path[len(directory) :]
    return path


def repo_files(cwd: str = ".", ignored: bool = True) -> list[str]:
    """Files git tracks, untracked ones, and (with ignored) ignored ones, sorted.

    See list_repository.
    """
    return list_repository(cwd, ignored).files


def _is_venv_or_repo(directory: str) -> bool:
    return os.path.exists(os.path.join(directory, "pyvenv.cfg")) or os.path.exists(
        os.path.join(directory, ".git")
    )


def _is_installed_packages(current: str, dirs: Iterable[str]) -> bool:
    """A folder pip installed packages into (`pip install -t lib`, site-packages, ...)."""
    for name in dirs:
        if name.endswith(".dist-info"):
            return True
        if name == "django" and os.path.exists(os.path.join(current, name, "__init__.py")):
            return True
    return False


def _walk(cwd: str, directory: str) -> Iterable[str]:
    top = os.path.join(cwd, directory)
    for current, dirs, names in os.walk(top):
        if _is_installed_packages(current, dirs):
            dirs[:] = []
            continue
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in UNTRACKED_SKIP_DIRS
            and not d.endswith((".egg-info", ".dist-info"))
            and not _is_venv_or_repo(os.path.join(current, d))
        )
        rel = os.path.relpath(current, cwd).replace(os.sep, "/")
        for name in sorted(names):
            yield f"{rel}/{name}"
