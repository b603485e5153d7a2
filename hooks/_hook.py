"""The argv shape every hook shares: filenames, --format, --version."""

from __future__ import annotations

import argparse
from importlib.metadata import PackageNotFoundError, version

from hooks._report import add_format_argument


def package_version() -> str:
    try:
        return version("django-migration-hooks")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0+unknown"


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("filenames", nargs="*", help="files to check (default: every file git tracks)")
    add_format_argument(p)
    p.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    return p
