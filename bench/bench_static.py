"""Benchmark the static tier of check-missing-migrations on the synthetic monorepo.

    python bench/bench_static.py [DEST] [--runs 3] [--pre-commit]

DEST (default: a temporary folder) receives `bench/make_monorepo.py`'s repository when it does not
exist yet. Reported, as wall and CPU seconds of a fresh process (best of --runs):

- state-based (DMH103): `check-missing-migrations --mode static` over the whole repository,
- `python manage.py makemigrations --check --dry-run` on the same repository, and the ratio,
- change-based (DMH102): a typical commit (one field added to one app's models.py, staged),
- with --pre-commit: `pre-commit run check-missing-migrations --all-files` through a real
  pre-commit configuration (args: [--mode, static]) pointing at a snapshot of this checkout.

The machine's load average is printed too: on a shared machine, CPU seconds are the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _snapshot import GIT_ENV, snapshot  # bench/ is on sys.path when a script runs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent


def timed(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the children, exit code) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return wall, cpu, proc.returncode


def best(argv: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None):
    results = [timed(argv, cwd, env) for _ in range(runs)]
    wall = min(r[0] for r in results)
    cpu = min(r[1] for r in results)
    return wall, cpu, results[-1][2]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ("git", *args),
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    ).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", nargs="?")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pre-commit", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-static-"))
    repo = Path(args.dest) if args.dest else work / "mono"
    if not repo.exists():
        subprocess.run((sys.executable, str(HERE / "make_monorepo.py"), str(repo)), check=True)
    hook = [str(BIN / "check-missing-migrations"), "--mode", "static"]
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    wall, cpu, rc = best(hook, repo, args.runs)
    print(f"state-based  (--mode static, whole repo): {wall:.2f} s wall, {cpu:.2f} s CPU, rc {rc}")
    dj_wall, dj_cpu, dj_rc = best(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], repo, 1
    )
    print(
        f"makemigrations --check --dry-run:        {dj_wall:.2f} s wall, {dj_cpu:.2f} s CPU, "
        f"rc {dj_rc}"
    )
    print(f"speed-up: {dj_wall / wall:.1f}x wall, {dj_cpu / cpu:.1f}x CPU")

    models = repo / "apps" / "app007" / "models.py"
    original = models.read_text(encoding="utf-8")
    try:
        models.write_text(
            original.replace(
                "class Item(models.Model):\n",
                "class Item(models.Model):\n    bench = models.IntegerField(default=0)\n",
            ),
            encoding="utf-8",
        )
        git(repo, "add", "apps/app007/models.py")
        c_wall, c_cpu, c_rc = best([*hook, "apps/app007/models.py"], repo, args.runs)
        print(
            f"change-based (staged commit, 1 file):     {c_wall:.2f} s wall, {c_cpu:.2f} s CPU, "
            f"rc {c_rc} (process start and imports included)"
        )
        code = (
            "import time; t = time.perf_counter()\n"
            "from django_migration_hooks._static_check import check_static\n"
            "t1 = time.perf_counter(); c1 = time.process_time()\n"
            "found = check_static(['apps/app007/models.py'], None)\n"
            "t2 = time.perf_counter(); c2 = time.process_time()\n"
            "print(f'{(t1 - t) * 1000:.0f} {(t2 - t1) * 1000:.0f} {len(found)} "
            "{(c2 - c1) * 1000:.0f}')\n"
        )
        out = subprocess.run(
            (sys.executable, "-c", code), cwd=repo, capture_output=True, text=True, check=True
        ).stdout.split()
        print(
            f"change-based analysis alone:              {out[1]} ms wall, {out[3]} ms CPU "
            f"in-process (+{out[0]} ms imports), {out[2]} finding(s)"
        )
    finally:
        models.write_text(original, encoding="utf-8")
        git(repo, "add", "apps/app007/models.py")

    if args.pre_commit:
        hooks_repo = work / "hooks-repo"
        rev = snapshot(hooks_repo)
        (repo / ".pre-commit-config.yaml").write_text(
            f"repos:\n- repo: {hooks_repo}\n  rev: {rev}\n  hooks:\n"
            "  - id: check-missing-migrations\n    args: [--mode, static]\n",
            encoding="utf-8",
        )
        env = {"PRE_COMMIT_HOME": str(work / "pre-commit-home")}
        pre_commit = [str(BIN / "pre-commit"), "run", "check-missing-migrations", "--all-files"]
        timed([str(BIN / "pre-commit"), "install-hooks"], repo, env)
        p_wall, p_cpu, p_rc = best(pre_commit, repo, args.runs, env)
        print(
            f"pre-commit run --all-files (static):     {p_wall:.2f} s wall, {p_cpu:.2f} s CPU, "
            f"rc {p_rc}"
        )
        (repo / ".pre-commit-config.yaml").unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
