"""The argv shape every hook shares: filenames, output options, --version."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from django_migration_hooks._report import EXIT_ERROR, FORMATS


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # only for --version

    try:
        return version("django-migration-hooks")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0+unknown"


class VersionAction(argparse.Action):
    """`--version` on stdout, reading the installed version only when asked (hooks start faster)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"{parser.prog} {package_version()}")
        parser.exit()


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line usage errors and no abbreviated options (`--he` is not `--help`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see --help)\n")


class HookParser(ArgumentParser):
    """A hook's parser. pre-commit appends file names after `args` with no `--`: a name that
    exists on disk is a file name even when it looks like an option (`--help`, `--base=x.py`)."""

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        argv = list(sys.argv[1:] if args is None else args)
        disguised = {a for a in argv if a.startswith("-") and os.path.lexists(a)}
        parsed = super().parse_args([f"./{a}" if a in disguised else a for a in argv])
        names = getattr(parsed, "filenames", None)
        if disguised and names is not None:
            parsed.filenames = [n[2:] if n[2:] in disguised else n for n in names]
        return parsed


def fix_command(hook_id: str) -> str:
    """How to run a hook's --fix where the user is: under pre-commit the command is not on PATH
    (it lives in the hook's own environment), so say how to ask pre-commit for it."""
    if os.environ.get("PRE_COMMIT") == "1":
        return f"add `args: [--fix]` to the {hook_id} hook in .pre-commit-config.yaml"
    return f"run {hook_id} --fix"


def codes_argument(value: str) -> frozenset[str]:
    """`--select`/`--ignore`: comma-separated codes or code prefixes (`DMH3`)."""
    from django_migration_hooks import rules

    chosen = frozenset(part.strip().upper() for part in value.split(",") if part.strip())
    known = [rule.code for rule in rules.all_rules()]
    unknown = sorted(c for c in chosen if not any(k.startswith(c) for k in known))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown code {', '.join(unknown)}")
    return chosen


def add_output_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: %(default)s)"
    )
    p.add_argument(
        "--select",
        type=codes_argument,
        metavar="CODES",
        help="report only these codes or prefixes, comma-separated (e.g. DMH1,DMH301)",
    )
    p.add_argument(
        "--ignore", type=codes_argument, metavar="CODES", help="never report these codes"
    )
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")


def parser(prog: str, description: str) -> HookParser:
    p = HookParser(prog=prog, description=description)
    p.add_argument("filenames", nargs="*", help="files to check (default: every file git tracks)")
    add_output_arguments(p)
    p.add_argument("--version", action=VersionAction)
    return p
