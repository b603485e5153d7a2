"""What a command's first word names: a program, a Python interpreter, or a variable."""

from __future__ import annotations

import os
import re

PYTHON = re.compile(r"python(\d+(\.\d+)?)?[mw]?(\.exe)?$")
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "ksh"})
PYTHON_CODE = "<python -c>"
DJANGO_ADMIN = frozenset({"django-admin", "django-admin.py"})
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")

# A program given by a variable: `$(PY)`, `${PY}`, `$PY`, `${PYTHON:-python}`, justfile/Jinja
# `{{python}}`, Python f-string `{MANAGE}` (the Python reader writes `{name}`), `__value__` (an
# expression the Python reader cannot name), `____` (a Helm action the Kubernetes reader blanked).
_VARIABLE = re.compile(
    r"^(?:\$\((?P<make>[A-Za-z_][A-Za-z0-9_.]*)\)"
    r"|\$\{(?P<brace>[A-Za-z_][A-Za-z0-9_]*)(?:[:?+=-][^}]*)?\}"
    r"|\$(?P<plain>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{\{-?\s*\.?(?P<just>[A-Za-z_][A-Za-z0-9_.]*)\s*-?\}\}"
    r"|\{(?P<fstring>[A-Za-z_][A-Za-z0-9_.]*)(?:![rsa])?(?::[^}]*)?\}"
    r"|(?P<unknown>__value__|_{4,}))$"
)
_PYTHON_VARIABLE = re.compile(
    r"(^|_)(py|py\d+|python\d*(\.\d+)?|interpreter|executable)(_|$)", re.IGNORECASE
)
_MANAGE_VARIABLE = re.compile(
    r"(^|_)(manage|manage_?py|django_?admin|django|dj_?manage)(_|$)", re.IGNORECASE
)


def program(word: str) -> str:
    return os.path.basename(word)


def variable_name(word: str) -> str | None:
    """The variable a word consists of (`$(PY)` -> "PY", `{{python}}` -> "python"), "" for an
    expression without a name, None when the word is not one variable."""
    match = _VARIABLE.match(word)
    if match is None:
        return None
    name = next((v for v in match.groupdict().values() if v is not None), "")
    return "" if match.group("unknown") else name.rsplit(".", 1)[-1]


def python_variable(name: str) -> bool:
    """A variable named like a Python interpreter (PY, PYTHON, VENV_PYTHON, sys.executable)."""
    return _PYTHON_VARIABLE.search(name) is not None


def manage_variable(name: str) -> bool:
    """A variable named like the management command (MANAGE, MANAGE_PY, DJANGO_ADMIN)."""
    return _MANAGE_VARIABLE.search(name) is not None
