"""A shell command line -> simple commands -> argv, with wrappers unwrapped to the real command.

Hand-written on purpose: deploy files hold shell *fragments* (YAML scalars, Makefile recipes with
`$(VAR)`, Helm `{{ ... }}`, Dockerfile heredocs) that a strict bash parser rejects, and every word
must keep the offset of each of its characters in the text it came from, so that a word found
three levels down (`ssh host 'bash -c "..."'`) still maps to its line and column in the file.

`tokenize`: text -> simple commands; `wrappers` (and `remote`): a command -> the real commands it
runs; `invocations`: the entry points and what a command means to Django; `names`: what a
program word names; `words`: the data types.
"""

from __future__ import annotations

from django_migration_hooks.shell.invocations import (
    Management,
    all_invocations,
    invocations_of_argv,
    management,
)
from django_migration_hooks.shell.names import (
    DJANGO_ADMIN,
    PYTHON,
    PYTHON_CODE,
    SHELLS,
    manage_variable,
    program,
    python_variable,
    variable_name,
)
from django_migration_hooks.shell.tokenize import commands, commands_of
from django_migration_hooks.shell.words import MAX_DEPTH, Command, Invocation, Word, joined
from django_migration_hooks.shell.wrappers import unwrap

__all__ = [
    "DJANGO_ADMIN",
    "MAX_DEPTH",
    "PYTHON",
    "PYTHON_CODE",
    "SHELLS",
    "Command",
    "Invocation",
    "Management",
    "Word",
    "all_invocations",
    "commands",
    "commands_of",
    "invocations_of_argv",
    "joined",
    "manage_variable",
    "management",
    "program",
    "python_variable",
    "unwrap",
    "variable_name",
]
