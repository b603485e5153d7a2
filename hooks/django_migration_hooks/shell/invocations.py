"""Shell text or an exec-form argv -> the real commands it runs; which are Django's."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from django_migration_hooks.shell.names import (
    DJANGO_ADMIN,
    manage_variable,
    program,
    python_variable,
    variable_name,
)
from django_migration_hooks.shell.tokenize import commands
from django_migration_hooks.shell.words import Command, Invocation, Word
from django_migration_hooks.shell.wrappers import unwrap


def all_invocations(text: str) -> Iterator[Invocation]:
    for cmd in commands(text):
        yield from unwrap(cmd)


def invocations_of_argv(words: Sequence[Word]) -> Iterator[Invocation]:
    """Exec-form argv (a JSON array, a YAML list): no shell splitting at the top level."""
    yield from unwrap(Command(tuple(words)))


class Management(NamedTuple):
    """A Django management command: `manage.py SUB ARGS` / `django-admin SUB ARGS`."""

    sub: Word
    args: tuple[Word, ...]


def management(inv: Invocation) -> Management | None:
    argv = inv.argv
    if not argv:
        return None
    name = program(argv[0].value)
    variable = variable_name(argv[0].value)
    by_variable = variable is not None and (python_variable(variable) or manage_variable(variable))
    if by_variable or name in DJANGO_ADMIN or name.endswith("manage.py"):
        j = 1
        # global options before the subcommand are not valid for manage.py; tolerate them anyway
        while j < len(argv) and argv[j].value.startswith("-"):
            j += 1
        if j < len(argv):
            return Management(argv[j], tuple(argv[j + 1 :]))
    return None
