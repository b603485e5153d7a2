"""Which distribution of the repository's requirements provides a module that failed to import:
the hint for a hook environment (pre-commit.ci's `additional_dependencies`) that lacks it."""

from __future__ import annotations

import glob
import os
import re

# import name -> distributions, where they differ (the same name, normalised, matches too)
PROVIDERS: dict[str, tuple[str, ...]] = {
    "rest_framework": ("djangorestframework",),
    "rest_framework_simplejwt": ("djangorestframework-simplejwt",),
    "rest_framework_gis": ("djangorestframework-gis",),
    "corsheaders": ("django-cors-headers",),
    "debug_toolbar": ("django-debug-toolbar",),
    "environ": ("django-environ",),
    "decouple": ("python-decouple",),
    "dotenv": ("python-dotenv",),
    "crispy_forms": ("django-crispy-forms",),
    "crispy_bootstrap5": ("crispy-bootstrap5",),
    "allauth": ("django-allauth",),
    "storages": ("django-storages",),
    "django_filters": ("django-filter",),
    "taggit": ("django-taggit",),
    "mptt": ("django-mptt",),
    "treebeard": ("django-treebeard",),
    "guardian": ("django-guardian",),
    "axes": ("django-axes",),
    "import_export": ("django-import-export",),
    "phonenumber_field": ("django-phonenumber-field",),
    "imagekit": ("django-imagekit",),
    "polymorphic": ("django-polymorphic",),
    "simple_history": ("django-simple-history",),
    "oauth2_provider": ("django-oauth-toolkit",),
    "social_django": ("social-auth-app-django",),
    "constance": ("django-constance",),
    "modeltranslation": ("django-modeltranslation",),
    "djmoney": ("django-money",),
    "health_check": ("django-health-check",),
    "tinymce": ("django-tinymce",),
    "widget_tweaks": ("django-widget-tweaks",),
    "timezone_field": ("django-timezone-field",),
    "model_utils": ("django-model-utils",),
    "django_otp": ("django-otp",),
    "two_factor": ("django-two-factor-auth",),
    "drf_spectacular": ("drf-spectacular",),
    "drf_yasg": ("drf-yasg",),
    "PIL": ("Pillow", "pillow"),
    "yaml": ("PyYAML", "pyyaml"),
    "dateutil": ("python-dateutil",),
    "jwt": ("PyJWT", "pyjwt"),
    "bs4": ("beautifulsoup4",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "psycopg": ("psycopg", "psycopg-binary"),
    "MySQLdb": ("mysqlclient",),
    "sentry_sdk": ("sentry-sdk",),
    "magic": ("python-magic",),
    "qrcode": ("qrcode",),
    "netaddr": ("netaddr",),
}

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_QUOTED = re.compile(r"[\"']([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _read(path: str) -> str:
    try:
        if os.path.getsize(path) > 1024 * 1024:
            return ""
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _from_requirements(text: str) -> list[str]:
    names = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        match = _NAME.match(line)
        if match:
            names.append(match.group(1))
    return names


def _from_pyproject(text: str) -> list[str]:
    """Names in `dependencies = [...]`-like lists and under `[...dependencies]` tables
    (Poetry), read without a TOML parser (the project's Python may have none)."""
    names: list[str] = []
    section = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
            continue
        if section.endswith("dependencies]") and "=" in stripped:
            key = stripped.split("=", 1)[0].strip().strip("\"'")
            if key and key != "python":
                names.append(key)
    for match in re.finditer(r"dependencies\s*=\s*\[([^\]]*)\]", text, re.S):
        names.extend(_QUOTED.findall(match.group(1)))
    return names


def requirement_files(roots: list[str]) -> list[str]:
    files: list[str] = []
    for root in dict.fromkeys(roots):
        for pattern in ("requirements*.txt", "requirements/*.txt", "pyproject.toml"):
            files.extend(sorted(glob.glob(os.path.join(root, pattern))))
    return list(dict.fromkeys(files))


def providing(module: str, roots: list[str]) -> tuple[str, str] | None:
    """(distribution, file) of a requirement of the repository that provides `module`."""
    top = module.split(".", 1)[0]
    wanted = {normalise(top), *(normalise(d) for d in PROVIDERS.get(top, ()))}
    for path in requirement_files(roots):
        text = _read(path)
        names = _from_pyproject(text) if path.endswith(".toml") else _from_requirements(text)
        for name in names:
            if normalise(name) in wanted:
                return name, path
    return None
