"""Shell scripts: `*.sh`, shebang scripts such as `bin/post_compile`, `.platform/hooks/**`.

A script is deploy code unless its name says it is a developer helper (`reset_dev_db.sh`,
`scripts/local/...`); such a script counts only when a deploy config runs it.
"""

from __future__ import annotations

import os
import re

from django_migration_hooks.deploy._site import CommandSite

EXTENSIONS = (".sh", ".bash", ".zsh", ".ksh", ".dash")
# buildpack / platform hook names that identify cannot tag when they have no shebang
HOOK_NAMES = frozenset(
    {"post_compile", "pre_compile", "post_deploy", "pre_deploy", "release", "predeploy"}
    | {"postdeploy", "prebuild", "postbuild", "entrypoint", "docker-entrypoint", "start"}
)
_DEV = re.compile(
    r"(^|[-_./])(dev|develop|development|local|reset|makemigrations|make_migrations|"
    r"new_?migrations|regenerate|scratch|sandbox)([-_./]|$)",
    re.IGNORECASE,
)


def claims(path: str) -> bool:
    if path.endswith(EXTENSIONS):
        return True
    if path.startswith((".platform/hooks/", ".platform/confighooks/")):
        return True
    parts = path.split("/")
    return len(parts) >= 2 and parts[-2] == "bin" and parts[-1] in HOOK_NAMES


def context(path: str) -> str:
    if path.startswith((".platform/hooks/", ".platform/confighooks/")):
        return "Elastic Beanstalk platform hook"
    return "script"


def is_dev_helper(path: str) -> bool:
    if path.startswith((".platform/", "bin/")):
        return False
    return _DEV.search(path) is not None


def sites(path: str, text: str) -> list[CommandSite]:
    lines = text.splitlines()
    if not lines:
        return []
    return [
        CommandSite(
            text=text,
            argv=None,
            line=1,
            col=1,
            end_line=len(lines),
            context=context(path),
            dev=is_dev_helper(path),
            unit=os.path.basename(path),
        )
    ]
