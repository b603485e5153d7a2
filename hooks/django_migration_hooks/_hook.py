"""The argv shape every hook shares: filenames, --format, --version."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from django_migration_hooks._report import add_format_argument


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # only for --version

    try:
        return version("django-migration-hooks")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0+unknown"


class VersionAction(argparse.Action):
    """`--version`, reading the installed version only when asked (hooks start faster)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        parser.exit(message=f"{parser.prog} {package_version()}\n")


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("filenames", nargs="*", help="files to check (default: every file git tracks)")
    add_format_argument(p)
    p.add_argument("--version", action=VersionAction)
    return p
