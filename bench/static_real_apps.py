"""Acceptance run of the static tier on real Django apps from PyPI: it must report nothing.

    python bench/static_real_apps.py [PACKAGE ...]

Each package's wheel is downloaded with `pip download --no-deps` into a temporary folder, unpacked
(without its .dist-info) into a fresh git repository, committed, and checked state-based with
`_static_check.check_static`. Printed per package: findings (listed), problems, seconds, and
how many concrete models were compared versus left "unknown", so that a clean result can be told
apart from an empty one. Exit code 1 when any package has a finding.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django_migration_hooks import _git
from django_migration_hooks._static_check import check_static
from django_migration_hooks.djangoread.apps import find_apps
from django_migration_hooks.djangoread.models import ModelIndex
from django_migration_hooks.djangoread.trees import DiskTree

PACKAGES = ("django-taggit", "django-simple-history", "django-allauth", "wagtail", "django-oscar")
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def unpack(wheel: Path, root: Path) -> None:
    root.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if ".dist-info/" not in name:
                archive.extract(name, root)
    for cmd in (
        ("git", "-c", "init.defaultBranch=main", "init", "-q"),
        ("git", "add", "-A", "-f"),
        ("git", "-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", "import"),
    ):
        subprocess.run(cmd, cwd=root, check=True, env=ENV)


def coverage() -> tuple[int, int]:
    tree = DiskTree(_git.ls_files())
    apps = find_apps(tree.paths, tree.read)
    index = ModelIndex(tree, apps, signatures=False)
    known = unknown = 0
    for app in apps:
        for model in index.app_models(app):
            if model.abstract:
                continue
            if model.unknown:
                unknown += 1
            else:
                known += 1
    return known, unknown


def main(argv: list[str]) -> int:
    packages = argv or list(PACKAGES)
    work = Path(tempfile.mkdtemp(prefix="static-real-apps-"))
    wheels = work / "wheels"
    subprocess.run(
        (
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "-q",
            "--disable-pip-version-check",
            "-d",
            str(wheels),
            *packages,
        ),
        check=True,
    )
    failed = False
    start_dir = os.getcwd()
    for wheel in sorted(wheels.glob("*.whl")):
        root = work / wheel.stem
        unpack(wheel, root)
        os.chdir(root)
        try:
            problems: list[str] = []
            started = time.perf_counter()
            findings = check_static([], None, problems)
            elapsed = time.perf_counter() - started
            known, unknown = coverage()
        finally:
            os.chdir(start_dir)
        failed = failed or bool(findings)
        print(
            f"{wheel.name}: {len(findings)} finding(s), {len(problems)} problem(s), "
            f"{elapsed:.2f} s; concrete models compared {known}, unknown {unknown}"
        )
        for finding in sorted(findings):
            print(f"  {finding.text()}")
        for problem in problems:
            print(f"  problem: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
