"""The release artefacts: an sdist and a wheel PyPI accepts, one version, a shipped LICENSE."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

from tests.conftest import BIN, ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
VERSION = PROJECT["version"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`python -m build` on a copy of the tracked files: the checkout gets no build/, egg-info."""
    source = tmp_path_factory.mktemp("source")
    listed = subprocess.run(
        ("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        (sys.executable, "-m", "build", "--outdir", str(out), str(source)),
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


def _wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(name).decode("utf-8"))


@pytest.mark.e2e
def test_twine_check_strict_passes(dist: dict[str, Path]) -> None:
    result = subprocess.run(
        (str(BIN / "twine"), "check", "--strict", str(dist["sdist"]), str(dist["wheel"])),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout


@pytest.mark.e2e
def test_artefacts_are_named_for_the_one_version(dist: dict[str, Path]) -> None:
    assert dist["sdist"].name == f"django_migration_hooks-{VERSION}.tar.gz"
    assert dist["wheel"].name == f"django_migration_hooks-{VERSION}-py3-none-any.whl"
    assert _wheel_metadata(dist["wheel"])["Version"] == VERSION


@pytest.mark.e2e
def test_license_file_ships_in_both(dist: dict[str, Path]) -> None:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    with zipfile.ZipFile(dist["wheel"]) as archive:
        name = f"django_migration_hooks-{VERSION}.dist-info/licenses/LICENSE"
        assert archive.read(name).decode("utf-8") == license_text
    with tarfile.open(dist["sdist"]) as archive:
        member = archive.extractfile(f"django_migration_hooks-{VERSION}/LICENSE")
        assert member is not None and member.read().decode("utf-8") == license_text
    metadata = _wheel_metadata(dist["wheel"])
    assert (metadata["License-Expression"], metadata["License-File"]) == ("MIT", "LICENSE")


@pytest.mark.e2e
def test_metadata_has_project_urls_and_a_markdown_readme(dist: dict[str, Path]) -> None:
    metadata = _wheel_metadata(dist["wheel"])
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(urls)
    assert all(u.startswith("https://github.com/django-migration-hooks/") for u in urls.values())
    assert metadata["Description-Content-Type"] == "text/markdown"


def test_classifiers_are_trove_classifiers() -> None:
    from trove_classifiers import classifiers

    assert [c for c in PROJECT["classifiers"] if c not in classifiers] == []
    assert PROJECT["classifiers"] == sorted(PROJECT["classifiers"])


def test_classifiers_claim_the_python_and_django_versions_the_suite_runs() -> None:
    pythons = {
        c.rsplit(" :: ", 1)[1]
        for c in PROJECT["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    # each claimed version needs a full run of the suite on it (docs/releasing.md); this run is one
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in pythons
    assert all(int(v.split(".")[1]) >= 10 for v in pythons), PROJECT["requires-python"]
    djangos = {
        c.rsplit(" :: ", 1)[1]
        for c in PROJECT["classifiers"]
        if re.fullmatch(r"Framework :: Django :: \d+\.\d+", c)
    }
    tier = (ROOT / "tests" / "missing" / "test_django_tier.py").read_text(encoding="utf-8")
    tested = re.search(r"^VERSIONS = \{(.*)\}$", tier, re.MULTILINE)
    assert tested is not None
    assert djangos == set(re.findall(r'"(\d+\.\d+)": ', tested.group(1)))


def test_the_version_is_written_in_pyproject_only() -> None:
    """The package reads its version from the installed metadata; no copy can drift."""
    code = ROOT / "hooks" / "django_migration_hooks"
    literal = re.compile(rf"""["']{re.escape(VERSION)}["']|__version__""")
    assert [p.name for p in code.rglob("*.py") if literal.search(p.read_text("utf-8"))] == []
    result = subprocess.run(
        (str(BIN / "django-migration-hooks"), "--version"), capture_output=True, text=True
    )
    assert result.stdout + result.stderr == f"django-migration-hooks {VERSION}\n"


def test_changelog_and_readme_name_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(VERSION)} \(", changelog, re.MULTILINE)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Use it with pre-commit\n", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^\s+rev: (\S+)$", section, re.MULTILINE) == [f"v{VERSION}"]
    releasing = (ROOT / "docs" / "releasing.md").read_text(encoding="utf-8")
    assert "git tag -a v" in releasing


def _wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.e2e
def test_wheel_installs_no_top_level_hooks_package(dist: dict[str, Path]) -> None:
    top_level = {name.split("/", 1)[0] for name in _wheel_names(dist["wheel"]) if "/" in name}
    assert {t for t in top_level if not t.endswith(".dist-info")} == {"django_migration_hooks"}


@pytest.mark.e2e
def test_wheel_holds_every_module_of_the_code_folder(dist: dict[str, Path]) -> None:
    package = ROOT / "hooks" / "django_migration_hooks"
    expected = {
        "django_migration_hooks/" + path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.suffix in {".py", ".typed"} and "__pycache__" not in path.parts
    }
    assert expected - _wheel_names(dist["wheel"]) == set()
