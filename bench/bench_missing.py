"""Benchmark check-missing-migrations (Django tier) against `makemigrations --check --dry-run`.

    python bench/bench_missing.py MONOREPO [--repeat 3] [--pre-commit]

MONOREPO is a tree made by `bench/make_monorepo.py` (a git repository with manage.py). The
project's interpreter is this one (sys.executable, which must have Django), passed with
--python. Every figure is the best of --repeat runs: wall time, CPU time (user+sys of the
process and its children) and peak RSS of the largest process, from GNU time.

- baseline: `python manage.py makemigrations --check --dry-run`
- cold-first: empty cache directory (no result cache, no bytecode cache)
- cold: result cache emptied, bytecode cache kept (the usual "a model file changed" run)
- repeat: nothing changed since the last run (result cache hit)
- no-app-files: a commit touching only README.md, Dockerfile and project/urls.py
- pre-commit (with --pre-commit): `pre-commit run check-missing-migrations --all-files`,
  the repository's .venv pointing at this interpreter's environment (discovery path):
  cold-first (no caches), cold (result cache empty) and repeat
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _snapshot import snapshot  # bench/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parent.parent
TIME = "/usr/bin/time"


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, int]:
    """(wall s, cpu s, max RSS KB, exit code) of one run."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        proc = subprocess.run(
            (TIME, "-o", out.name, "-f", "%e %U %S %M", *argv),
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
        wall, user, system, rss = out.read().split()[-4:]
    return float(wall), float(user) + float(system), int(rss), proc.returncode


def best(argv: list[str], cwd: Path, env: dict[str, str], repeat: int, before=None):
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        runs.append(measure(argv, cwd, env))
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs), runs[-1][3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("monorepo", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pre-commit", action="store_true")
    args = parser.parse_args()
    repo = args.monorepo.resolve()
    work = Path(tempfile.mkdtemp(prefix="bench-missing-"))
    cache = work / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("PRE_COMMIT", None)
    hook = [
        sys.executable,
        "-m",
        "django_migration_hooks.check_missing_migrations",
        "--python",
        sys.executable,
    ]
    env["PYTHONPATH"] = str(ROOT)

    def wipe_all() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def wipe_results() -> None:
        shutil.rmtree(cache / "django-migration-hooks" / "results", ignore_errors=True)

    rows: list[tuple[str, tuple[float, float, int, int]]] = []
    baseline = best(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        repo,
        env,
        args.repeat,
    )
    rows.append(("baseline makemigrations --check --dry-run", baseline))
    # the same with bytecode written next to the sources (__pycache__), as on most machines
    bytecode_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    makemigrations = [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"]
    measure(makemigrations, repo, bytecode_env)
    warm_baseline = best(makemigrations, repo, bytecode_env, args.repeat)
    rows.append(("baseline, __pycache__ warm", warm_baseline))
    rows.append(("hook cold-first (no caches)", best(hook, repo, env, args.repeat, wipe_all)))
    measure(hook, repo, env)  # warm the bytecode cache
    rows.append(
        ("hook cold (result cache empty)", best(hook, repo, env, args.repeat, wipe_results))
    )
    measure(hook, repo, env)
    rows.append(("hook repeat (nothing changed)", best(hook, repo, env, args.repeat)))
    rows.append(
        (
            "hook commit touching no app file",
            best([*hook, "README.md", "Dockerfile", "project/urls.py"], repo, env, args.repeat),
        )
    )
    if args.pre_commit:
        hooks_repo = work / "hooks-repo"
        rev = snapshot(hooks_repo)
        venv = repo / ".venv"
        if not venv.exists():
            venv.symlink_to(Path(sys.prefix))
        config = repo / ".pre-commit-config.yaml"
        config.write_text(
            f"repos:\n- repo: {hooks_repo}\n  rev: {rev}\n  hooks:\n"
            "  - id: check-missing-migrations\n"
        )
        pc_env = {**env, "PRE_COMMIT_HOME": str(work / "pre-commit-home")}
        pc_env.pop("PYTHONPATH")
        pre_commit = [str(Path(sys.executable).parent / "pre-commit"), "run"]
        argv = [*pre_commit, "check-missing-migrations", "--all-files"]
        measure([*pre_commit, "--all-files", "--files", "README.md"], repo, pc_env)  # install
        rows.append(("pre-commit --all-files, cold-first", best(argv, repo, pc_env, 1, wipe_all)))
        rows.append(
            ("pre-commit --all-files, cold", best(argv, repo, pc_env, args.repeat, wipe_results))
        )
        rows.append(("pre-commit --all-files, repeat", best(argv, repo, pc_env, args.repeat)))
        config.unlink()

    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set: the first baseline compiles every module")
    base_wall, base_cpu, base_rss, _ = warm_baseline
    print("ratios are against the __pycache__-warm baseline")
    print(f"{'run':<44} {'wall s':>7} {'x base':>7} {'cpu s':>7} {'x base':>7} {'RSS MB':>7} rc")
    for name, (wall, cpu, rss, rc) in rows:
        print(
            f"{name:<44} {wall:7.2f} {wall / base_wall:7.2f} {cpu:7.2f} {cpu / base_cpu:7.2f} "
            f"{rss / 1024:7.1f} {rc}"
        )
    print(
        f"memory ratio (max hook RSS / baseline RSS): "
        f"{max(r[1][2] for r in rows[1:]) / base_rss:.2f}"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
