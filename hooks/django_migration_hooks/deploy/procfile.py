"""Procfile (Heroku, Scalingo, Dokku, Render...): every process type runs on the platform."""

from __future__ import annotations

import os
import re

from django_migration_hooks.deploy._site import CommandSite

# A copy named for development (`Procfile.dev`) that starts the development
# server is developer-only: check-deploy-makemigrations marks its sites `dev`.
DEV_CONFIG = True
_PROCESS = re.compile(r"^(?P<name>[A-Za-z0-9_-]+)[ \t]*:[ \t]*(?P<command>\S.*?)\s*$")


def claims(path: str) -> bool:
    name = os.path.basename(path)
    return name == "Procfile" or name.startswith("Procfile.")


def sites(path: str, text: str) -> list[CommandSite]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _PROCESS.match(line)
        if match is None:
            continue
        found.append(
            CommandSite(
                text=match.group("command"),
                argv=None,
                line=number,
                col=match.start("command") + 1,
                end_line=number,
                context=f"Procfile process `{match.group('name')}`",
            )
        )
    return found
