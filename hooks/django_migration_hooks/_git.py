"""Git, argv only: file listings, changes, blobs at a ref, batched check-ignore."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django_migration_hooks._report import HookError


class IgnoreMatch(NamedTuple):
    source: str  # the ignore file as git reports it (repo-relative, or absolute when outside)
    line: int
    pattern: str


def run(
    *args: str, cwd: str = ".", stdin: str | None = None, ok: Sequence[int] = (0,)
) -> subprocess.CompletedProcess[str]:
    try:
        raw = subprocess.run(
            ("git", *args),
            cwd=cwd,
            input=None if stdin is None else stdin.encode("utf-8", "surrogateescape"),
            capture_output=True,
        )
    except FileNotFoundError:
        raise HookError("git is not installed or not on PATH") from None
    # decoded by hand: text mode would turn a "\r" in a path into "\n" (universal newlines)
    proc = subprocess.CompletedProcess(
        raw.args,
        raw.returncode,
        raw.stdout.decode("utf-8", "surrogateescape"),
        raw.stderr.decode("utf-8", "surrogateescape"),
    )
    if proc.returncode not in ok:
        message = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        if "not a git repository" in message:
            raise HookError(f"{os.path.abspath(cwd)} is not inside a git repository")
        raise HookError(f"git {_command(args)} failed: {message}")
    return proc


def _command(args: Sequence[str]) -> str:
    """The git command of an argv (`status` in `--no-optional-locks -c k=v status -z`)."""
    words = iter(args)
    for word in words:
        if word in ("-c", "-C"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return args[0] if args else "git"


def require_work_tree(cwd: str = ".") -> None:
    """The one guard every hook runs first: HookError (one line, exit 2) unless cwd is inside a
    git work tree (a bare repository or the .git folder is not)."""
    inside = run("rev-parse", "--is-inside-work-tree", cwd=cwd).stdout.strip()
    if inside != "true":
        raise HookError("not inside a git work tree")


def zsplit(output: str) -> list[str]:
    return [part for part in output.split("\0") if part]


def root(cwd: str = ".") -> str:
    return run("rev-parse", "--show-toplevel", cwd=cwd).stdout.strip()


def has_commits(cwd: str = ".") -> bool:
    return run("rev-parse", "--verify", "--quiet", "HEAD", cwd=cwd, ok=(0, 1)).returncode == 0


def ref_exists(ref: str, cwd: str = ".") -> bool:
    proc = run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=cwd, ok=(0, 1, 128))
    return proc.returncode == 0


def virtualenvs(cwd: str = ".") -> list[str]:
    """Virtualenvs (folders with a `pyvenv.cfg`) at the top of the work tree or one level
    down, repo-relative: installed code, never the repository's, whatever .gitignore says."""
    found: list[str] = []

    def dirs(path: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(path) as entries:
                return [e for e in entries if e.name != ".git" and e.is_dir(follow_symlinks=False)]
        except OSError:
            return []

    for top in dirs(cwd):
        if os.path.isfile(os.path.join(top.path, "pyvenv.cfg")):
            found.append(top.name)
            continue
        found.extend(
            f"{top.name}/{sub.name}"
            for sub in dirs(top.path)
            if os.path.isfile(os.path.join(sub.path, "pyvenv.cfg"))
        )
    return sorted(found)


def outside_virtualenvs(pathspecs: Sequence[str], cwd: str = ".") -> list[str]:
    """`pathspecs` (everything when empty) without the virtualenvs in the work tree."""
    excluded = [f":(exclude){path}/" for path in virtualenvs(cwd)]
    return [*(pathspecs or (["."] if excluded else [])), *excluded]


def ls_files(*pathspecs: str, cwd: str = ".", others: bool = False) -> list[str]:
    """Tracked files (plus untracked, not ignored ones with others=True, outside
    virtualenvs), repo-relative."""
    args = ["ls-files", "-z", "--cached"]
    specs = list(pathspecs)
    if others:
        args += ["--others", "--exclude-standard"]
        specs = outside_virtualenvs(specs, cwd)
    return sorted(set(zsplit(run(*args, "--", *specs, cwd=cwd).stdout)))


def untracked_files(*pathspecs: str, cwd: str = ".") -> list[str]:
    """Files on disk that git does not track and does not ignore (outside virtualenvs)."""
    specs = outside_virtualenvs(pathspecs, cwd)
    args = ("ls-files", "-z", "--others", "--exclude-standard", "--", *specs)
    return sorted(set(zsplit(run(*args, cwd=cwd).stdout)))


def staged_files(cwd: str = ".") -> list[str]:
    return zsplit(
        run("diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", cwd=cwd).stdout
    )


class Change(NamedTuple):
    status: str  # A, M, D, R (renames keep the old path in `old`)
    path: str
    old: str


def changes(
    base: str, head: str | None = None, *pathspecs: str, cwd: str = ".", merge_base: bool = True
) -> list[Change]:
    """Name-status changes between base and head (the index when head is None)."""
    if head is None:
        args = ["diff", "--cached", "--name-status", "-z", "-M", base]
    else:
        args = [
            "diff",
            "--name-status",
            "-z",
            "-M",
            f"{base}...{head}" if merge_base else f"{base}..{head}",
        ]
    return parse_name_status(run(*args, "--", *pathspecs, cwd=cwd).stdout)


def parse_name_status(output: str) -> list[Change]:
    """`git diff --name-status -z` output as changes (renames and copies carry the old path)."""
    parts = zsplit(output)
    result: list[Change] = []
    i = 0
    while i < len(parts):
        status = parts[i][0]
        if status in "RC":
            result.append(Change(status, parts[i + 2], parts[i + 1]))
            i += 3
        else:
            result.append(Change(status, parts[i + 1], parts[i + 1]))
            i += 2
    return result


def show(ref: str, path: str, cwd: str = ".") -> bytes | None:
    """The blob of path at ref (":path" form for the index when ref is ""), or None if absent."""
    spec = f"{ref}:{path}" if ref else f":{path}"
    try:
        proc = subprocess.run(("git", "show", spec), cwd=cwd, capture_output=True)
    except FileNotFoundError:
        raise HookError("git is not installed or not on PATH") from None
    return proc.stdout if proc.returncode == 0 else None


def check_ignore(paths: Iterable[str], cwd: str = ".") -> dict[str, IgnoreMatch]:
    """One batched `git check-ignore --no-index -v`: path -> the rule that ignores it.

    Paths matched only by a negated (`!`) rule are not ignored and are left out.
    """
    todo = list(dict.fromkeys(paths))
    if not todo:
        return {}
    proc = run(
        "check-ignore",
        "--no-index",
        "-v",
        "-n",
        "-z",
        "--stdin",
        cwd=cwd,
        stdin="\0".join(todo) + "\0",
        ok=(0, 1),
    )
    fields = proc.stdout.split("\0")
    result: dict[str, IgnoreMatch] = {}
    for i in range(0, len(fields) - 3, 4):
        source, line, pattern, path = fields[i : i + 4]
        if source and not pattern.startswith("!"):
            result[path] = IgnoreMatch(source, int(line), pattern)
    return result


def object_ids(rev: str, cwd: str = ".") -> dict[str, str]:
    """Blob ids by path at rev (the index when rev is ""), from a `-z` listing.

    Paths are relative to cwd, as `git ls-files` and `git ls-tree` print them; links are blobs
    (their target), submodules and conflicted index entries are left out.
    """
    if rev:
        listed = run("ls-tree", "-r", "-z", rev, cwd=cwd).stdout
    else:
        listed = run("ls-files", "-s", "-z", cwd=cwd).stdout
    ids: dict[str, str] = {}
    for entry in zsplit(listed):
        meta, _, path = entry.partition("\t")
        fields = meta.split(" ")
        if rev and len(fields) == 3 and fields[1] == "blob":
            ids[path] = fields[2]
        elif not rev and len(fields) == 3 and fields[2] == "0" and fields[0] != "160000":
            ids[path] = fields[1]
    return ids


def _resolve(names: Sequence[str], cwd: str) -> list[str | None]:
    """Object ids for names: a `REV:path` or `:path` (index) name through a `-z` listing of
    that revision (so no path is sent to git as a line), a bare id as it is."""
    listings: dict[str, dict[str, str]] = {}
    result: list[str | None] = []
    for name in names:
        rev, colon, path = name.partition(":")
        if not colon:
            result.append(name if OBJECT_ID.fullmatch(name) else None)
            continue
        if rev not in listings:
            try:
                listings[rev] = object_ids(rev, cwd)
            except HookError:
                listings[rev] = {}
        result.append(listings[rev].get(path[2:] if path.startswith("./") else path))
    return result


OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def cat_files(names: Sequence[str], cwd: str = ".") -> list[bytes | None]:
    """Contents of many blobs in one `git cat-file --batch`, None for each missing one.

    A name is a blob id, `REF:path`, or `:path` for the index; only object ids are sent to git.
    """
    ids = _resolve(names, cwd)
    wanted = list(dict.fromkeys(i for i in ids if i is not None))
    if not wanted:
        return [None] * len(ids)
    try:
        proc = subprocess.run(
            ("git", "cat-file", "--batch"),
            cwd=cwd,
            input=("\n".join(wanted) + "\n").encode("ascii"),
            capture_output=True,
        )
    except FileNotFoundError:
        raise HookError("git is not installed or not on PATH") from None
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines() or ["(no output)"]
        raise HookError(f"git cat-file failed: {message[-1]}")
    out = proc.stdout
    blobs: dict[str, bytes | None] = {}
    pos = 0
    for oid in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3 or not header[2].isdigit():  # "<id> missing"
            blobs[oid] = None
            continue
        size = int(header[2])
        blobs[oid] = out[pos : pos + size] if header[1] == b"blob" else None
        pos += size + 1
    return [None if oid is None else blobs[oid] for oid in ids]
