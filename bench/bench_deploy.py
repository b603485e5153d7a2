"""Time check-deploy-makemigrations on the synthetic monorepo: directly and through pre-commit,
against a no-op hook with the same file selection (the manifest entry's files/types keys).

    python bench/bench_deploy.py [REPO] [--runs 3]

Without REPO, `bench/make_monorepo.py` generates one in a temporary directory. The hook is
installed the way users get it: a committed snapshot of this checkout as `repo:` + `rev:`, so
pre-commit builds its virtualenv (pip compiles the bytecode). Prints median wall and CPU times
and the peak RSS of the hook process (Linux ru_maxrss of the child).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _snapshot import snapshot  # bench/ is on sys.path when a script runs

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
HOOK = "check-deploy-makemigrations"

CONFIG = """\
repos:
- repo: {repo}
  rev: {rev}
  hooks:
  - id: {hook}
- repo: local
  hooks:
  - id: noop
    name: noop
    entry: {python} -c "import sys"
    language: system
{selection}
"""
SELECTION_KEYS = ("files", "exclude", "types", "types_or", "exclude_types")


def selection(manifest: Path) -> str:
    """Our manifest entry's file selection, as YAML lines for the no-op hook (same files)."""
    import yaml

    [entry] = [h for h in yaml.safe_load(manifest.read_text(encoding="utf-8")) if h["id"] == HOOK]
    keys = {key: entry[key] for key in SELECTION_KEYS if key in entry}
    return "\n".join(f"    {key}: {json.dumps(value)}" for key, value in keys.items())


# run argv in a child and print its peak RSS in KiB (ru_maxrss of the children of this helper)
_RSS = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of one run."""
    cpu = _cpu()
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, _cpu() - cpu


def median(
    argv: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Median wall and CPU seconds (CPU time is the steadier number on a busy machine)."""
    timed(argv, cwd, env)  # warm the page cache
    samples = [timed(argv, cwd, env) for _ in range(runs)]
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
    )


def show(label: str, value: tuple[float, float]) -> None:
    print(f"{label:<58} wall {value[0]:6.3f} s   cpu {value[1]:6.3f} s")


def peak_rss_mib(argv: list[str], cwd: Path) -> float:
    out = subprocess.run(
        (sys.executable, "-c", _RSS, *argv), cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[1]) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", nargs="?")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.repo:
            repo = Path(args.repo)
        else:
            repo = Path(tmp) / "monorepo"
            subprocess.run((sys.executable, str(HERE / "make_monorepo.py"), str(repo)), check=True)
        files = subprocess.run(
            ("git", "ls-files", "-z"), cwd=repo, capture_output=True, text=True, check=True
        ).stdout.split("\0")[:-1]
        print(f"{repo}: {len(files)} tracked files")
        home = Path(tmp) / "pre-commit-home"
        hooks_repo = Path(tmp) / "hooks-repo"
        hooks_repo.mkdir()
        rev = snapshot(hooks_repo)
        config = Path(tmp) / "bench-pre-commit-config.yaml"
        config.write_text(
            CONFIG.format(
                repo=hooks_repo,
                rev=rev,
                hook=HOOK,
                python=sys.executable,
                selection=selection(hooks_repo / ".pre-commit-hooks.yaml"),
            ),
            encoding="utf-8",
        )
        env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
        subprocess.run(
            (str(BIN / "pre-commit"), "install-hooks", "--config", str(config)),
            cwd=repo,
            env=env,
            check=True,
            capture_output=True,
        )
        [installed] = home.glob(f"repo*/py_env-*/bin/{HOOK}")
        hook = [str(installed)]
        noop = [sys.executable, "-c", "import sys"]
        show("direct, no filenames (git ls-files)", median(hook, repo, args.runs))
        show("direct, every file as an argument", median([*hook, *files], repo, args.runs))
        show("python startup (no-op process)", median(noop, repo, args.runs))
        print(f"peak RSS, direct: {peak_rss_mib(hook, repo):.1f} MiB")

        pre_commit = [str(BIN / "pre-commit"), "run", "--config", str(config), "--all-files"]
        ours = median([*pre_commit, HOOK], repo, args.runs, env)
        base = median([*pre_commit, "noop"], repo, args.runs, env)
        show(f"pre-commit run {HOOK} --all-files", ours)
        show("pre-commit run noop --all-files", base)
        print(
            f"added over the no-op hook: wall {ours[0] - base[0]:+.3f} s, "
            f"cpu {ours[1] - base[1]:+.3f} s (load average {os.getloadavg()[0]:.1f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
