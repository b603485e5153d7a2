"""Time check-migration-conflicts and check-migration-rewrites on the synthetic monorepo.

    python bench/bench_graph.py [REPO] [--runs 5]

REPO is a monorepo made by bench/make_monorepo.py (one is generated in a temporary folder when
omitted). Two states are timed, directly (the console scripts) and through
`pre-commit run <id> --all-files` (a `repo: local` hook running the same script; a no-op hook
gives pre-commit's own cost on this many files):

- clean: the generated tree on `main`;
- feature: a `bench-feature` branch off `main` with, staged, 200 new migrations (one per app),
  5 conflicting ones, 50 edited and 10 deleted shipped migrations.

The repository is left on `bench-feature` with those changes staged.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
HOOKS = ("check-migration-conflicts", "check-migration-rewrites")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ("git", *args), cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def timed(
    argv: list[str], cwd: Path, env: dict[str, str], runs: int
) -> tuple[float, float, float, int]:
    """(min wall, median wall, median CPU of the process and its children, last exit code)."""
    times = []
    cpu = []
    code = 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        code = proc.returncode
    return min(times), statistics.median(times), statistics.median(cpu), code


def make_feature(repo: Path) -> None:
    git(repo, "checkout", "-q", "-B", "bench-feature", "main")
    apps = sorted(p.name for p in (repo / "apps").iterdir() if p.is_dir())
    for index, app in enumerate(apps):
        folder = repo / "apps" / app / "migrations"
        leaves = sorted(p.stem for p in folder.glob("0*.py"))
        parent = leaves[-1]
        template = (
            "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
            f'    dependencies = [("{app}", "{{parent}}")]\n\n    operations = []\n'
        )
        (folder / "0100_bench_new.py").write_text(template.format(parent=parent))
        if index < 5:
            (folder / "0100_bench_conflict.py").write_text(template.format(parent=parent))
        if index < 50:
            target = folder / f"{leaves[1]}.py"
            target.write_text(target.read_text().replace("max_length=50", "max_length=60"))
        if 50 <= index < 60:
            (folder / f"{leaves[-1]}.py").unlink()
            (folder / "0100_bench_new.py").write_text(template.format(parent=leaves[-2]))
    git(repo, "add", "-A", "apps")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.repo:
            repo = Path(args.repo).resolve()
        else:
            repo = Path(tmp) / "mono"
            subprocess.run((sys.executable, str(HERE / "make_monorepo.py"), str(repo)), check=True)
        git(repo, "checkout", "-q", "-f", "main")
        git(repo, "clean", "-q", "-fd", "apps")
        home = Path(tmp) / "pre-commit-home"
        config = Path(tmp) / "pre-commit-config.yaml"
        config.write_text(
            "repos:\n  - repo: local\n    hooks:\n"
            + "".join(
                f"      - id: {hook}\n        name: {hook}\n        entry: {BIN / hook}\n"
                "        language: unsupported\n        pass_filenames: false\n"
                "        always_run: true\n"
                for hook in HOOKS
            )
            + "      - id: noop\n        name: noop\n        entry: 'true'\n"
            "        language: unsupported\n        pass_filenames: false\n"
            "        always_run: true\n"
        )
        env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
        env.pop("PRE_COMMIT_FROM_REF", None)
        env.pop("PRE_COMMIT_TO_REF", None)
        files = git(repo, "ls-files").count("\n")
        migrations = git(repo, "ls-files", "--", "*/migrations/0*.py").count("\n")
        print(f"{repo}: {files} files, {migrations} migration files, {args.runs} runs each")
        print(f"{'state':<8} {'hook':<27} {'how':<11} {'min':>7} {'median':>7} {'cpu':>7}  rc")
        baseline = [str(BIN / "pre-commit"), "run", "noop", "--all-files", "--config", str(config)]
        best, median, cpu, code = timed(baseline, repo, env, args.runs)
        print(
            f"{'clean':<8} {'(pre-commit, no-op hook)':<27} {'pre-commit':<11} {best:>6.3f}s "
            f"{median:>6.3f}s {cpu:>6.3f}s  {code}"
        )
        for state in ("clean", "feature"):
            if state == "feature":
                make_feature(repo)
            for hook in HOOKS:
                ways = {
                    "direct": [str(BIN / hook)],
                    "pre-commit": [
                        str(BIN / "pre-commit"),
                        "run",
                        hook,
                        "--all-files",
                        "--config",
                        str(config),
                    ],
                }
                for how, command in ways.items():
                    best, median, cpu, code = timed(command, repo, env, args.runs)
                    print(
                        f"{state:<8} {hook:<27} {how:<11} {best:>6.3f}s {median:>6.3f}s "
                        f"{cpu:>6.3f}s  {code}"
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
