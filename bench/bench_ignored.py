"""Time check-ignored-migrations and check-untracked-migrations on the synthetic monorepo.

    python bench/bench_ignored.py [--repo DIR] [--runs 5] [--no-pre-commit]

Without --repo a monorepo is generated (bench/make_monorepo.py) into a temporary folder. Reports,
per hook, the best and median of --runs runs:

- own: the hook's import + main() inside the process (what the hook itself costs);
- process: the whole `python -m hooks.<module>` process (interpreter start-up included), wall
  and CPU (user + sys, git children included);
- hook env: the console script pre-commit installed, run directly in the repository;
- pre-commit: `pre-commit run <id> --all-files --verbose` from a real config (the hook env is
  built first), total wall and the `- duration:` pre-commit reports for the hook.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _snapshot import snapshot  # bench/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parent.parent
HOOKS = {
    "check-ignored-migrations": "django_migration_hooks.check_ignored_migrations",
    "check-untracked-migrations": "django_migration_hooks.check_untracked_migrations",
}
OWN = (
    "import sys, time\n"
    "start = time.perf_counter()\n"
    "import importlib\n"
    "module = importlib.import_module(sys.argv[1])\n"
    "code = module.main([])\n"
    "print(f'{time.perf_counter() - start:.4f} {code}', file=sys.stderr)\n"
)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str, str]:
    cpu = children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    return wall, children_cpu() - cpu, proc.stdout, proc.stderr


def summary(values: list[float]) -> str:
    return f"best {min(values):.3f} s, median {statistics.median(values):.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="an existing bench monorepo")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-pre-commit", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-ignored-"))
    try:
        repo = args.repo
        if repo is None:
            repo = work / "monorepo"
            subprocess.run(
                (sys.executable, str(ROOT / "bench" / "make_monorepo.py"), str(repo)), check=True
            )
        files = subprocess.run(
            ("git", "ls-files"), cwd=repo, check=True, capture_output=True, text=True
        ).stdout.count("\n")
        print(f"repository: {repo} ({files} tracked files)")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for hook_id, module in HOOKS.items():
            own, wall, cpu = [], [], []
            for _ in range(args.runs):
                _, _, _, err = run_timed([sys.executable, "-c", OWN, module], repo, env)
                own.append(float(err.split()[0]))
                w, c, _, _ = run_timed([sys.executable, "-m", module], repo, env)
                wall.append(w)
                cpu.append(c)
            print(f"{hook_id}: own {summary(own)}")
            print(f"{hook_id}: process wall {summary(wall)}; cpu {summary(cpu)}")

        if not args.no_pre_commit:
            hooks_repo = work / "hooks-repo"
            hooks_repo.mkdir()
            rev = snapshot(hooks_repo)
            home = work / "pre-commit-home"
            config = work / "pre-commit-config.yaml"
            config.write_text(
                f"repos:\n- repo: {hooks_repo}\n  rev: {rev}\n  hooks:\n"
                + "".join(f"  - id: {hook_id}\n" for hook_id in HOOKS),
                encoding="utf-8",
            )
            pc_env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
            pre_commit = str(Path(sys.executable).parent / "pre-commit")
            base = [pre_commit, "run", "--config", str(config), "--all-files", "--verbose"]
            subprocess.run(
                [pre_commit, "install-hooks", "--config", str(config)],
                cwd=repo,
                env=pc_env,
                check=True,
                capture_output=True,
            )
            for hook_id in HOOKS:
                script = next(home.glob(f"repo*/py_env-*/bin/{hook_id}"), None)
                if script is not None:
                    env_wall = [run_timed([str(script)], repo, pc_env)[0] for _ in range(args.runs)]
                    print(f"{hook_id}: hook-env console script wall {summary(env_wall)}")
                total, duration = [], []
                for _ in range(args.runs):
                    w, _, out, _ = run_timed([*base, hook_id], repo, pc_env)
                    total.append(w)
                    found = re.search(r"- duration: ([\d.]+)s", out)
                    if found:
                        duration.append(float(found.group(1)))
                print(f"{hook_id}: pre-commit total {summary(total)}")
                if duration:
                    print(f"{hook_id}: pre-commit hook duration {summary(duration)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
