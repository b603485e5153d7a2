"""Starting the standalone runner (`missing/runner/`) under a project's interpreter, and
reading its result."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import tempfile
import time
from collections.abc import Mapping
from typing import IO, Any, NamedTuple

from django_migration_hooks._report import HookError
from django_migration_hooks.missing.options import DEFAULT_TIMEOUT, HOOK_ID
from django_migration_hooks.missing.storage import cache_dir

# the standalone runner: a directory, run as `python RUNNER` (its `__main__.py`)
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runner")
RUNNER_MARKER = "@@django-migration-hooks-runner@@"


def runner_digest() -> str:
    """The digest of the runner's code, every module of it."""
    digest = hashlib.sha256()
    for name in sorted(os.listdir(RUNNER)):
        if name.endswith(".py"):
            with open(os.path.join(RUNNER, name), "rb") as f:
                digest.update(f"{name}\0".encode() + hashlib.sha256(f.read()).digest())
    return digest.hexdigest()


class Project(NamedTuple):
    root: str
    settings: str
    source: str
    manage: str | None
    python: str
    fingerprint: str


class Runner:
    """One run of the runner (`RUNNER`) for a project: it can start before the cache is read
    (and is stopped if the cache answers)."""

    def __init__(
        self,
        project: Project,
        env: Mapping[str, str],
        cached: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.project = project
        self.env = env
        self.cached = cached  # use the migration code cache
        self.timeout = timeout  # seconds from the start: then the process group is ended
        self.proc: Any = None
        self.error: HookError | None = None
        self.started_ns = 0
        self._started = 0.0
        self._output: tuple[IO[bytes], IO[bytes]] | None = None

    def start(self) -> None:
        if self.proc is not None or self.error is not None:
            return
        import subprocess

        from django_migration_hooks.missing.runner.dmh_code_cache import file_clock

        project = self.project
        argv = [project.python, RUNNER, "--root", project.root, "--settings", project.settings]
        proc_env = {**os.environ, **self.env}
        proc_env.pop("DJANGO_SETTINGS_MODULE", None)
        proc_env.pop("PYTHONHOME", None)
        if self.cached:
            with contextlib.suppress(OSError):
                os.makedirs(cache_dir(), exist_ok=True)
                argv += ["--code-cache", os.path.join(cache_dir(), "code")]
        if "PYTHONPYCACHEPREFIX" not in proc_env:
            # Read the bytecode pip compiled for Django and every installed package, write none
            # (so nothing lands in the repository): the migrations run from the code cache. A
            # bytecode prefix would make Python ignore those .pyc files and compile them all
            # again on every first run, which is every CI run.
            proc_env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.started_ns = file_clock(cache_dir())
        # Output goes to files, not pipes: a process the settings start in the background
        # inherits them, and must not hold the hook until it exits. The runner gets its own
        # process group (session), ended as a whole when it is done or out of time.
        self._output = (tempfile.TemporaryFile(), tempfile.TemporaryFile())  # noqa: SIM115 - closed in stop/_wait
        self._started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                argv,
                stdout=self._output[0],
                stderr=self._output[1],
                stdin=subprocess.DEVNULL,
                env=proc_env,
                start_new_session=True,
            )
        except OSError as exc:
            self.error = HookError(f"cannot run {project.python}: {exc.strerror}")

    def _end_group(self) -> None:
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.proc is not None:
            self._end_group()
            self.proc.wait()
        self._close_output()

    def _close_output(self) -> None:
        if self._output is not None:
            for f in self._output:
                f.close()
            self._output = None

    def _wait(self) -> tuple[str, str]:
        """The runner's stdout and stderr once it exits (within the time limit)."""
        import subprocess

        left = self.timeout - (time.monotonic() - self._started)
        try:
            self.proc.wait(timeout=max(left, 0.01))
        except subprocess.TimeoutExpired:
            self.stop()
            raise HookError(
                f"{self.project.settings}: the Django check did not finish within "
                f"{self.timeout:g} s (the time limit: raise it with --timeout SECONDS or "
                "timeout = SECONDS in the config)"
            ) from None
        self._end_group()  # what the settings left running in the background
        assert self._output is not None
        texts = []
        for f in self._output:
            f.seek(0)
            texts.append(f.read().decode("utf-8", "replace"))
        self._close_output()
        return texts[0], texts[1]

    def result(self) -> dict[str, Any]:
        """The runner's result; HookError with one line on failure."""
        self.start()
        if self.error is not None:
            raise self.error
        stdout, stderr = self._wait()
        payload = None
        for line in reversed(stdout.splitlines()):
            if line.startswith(RUNNER_MARKER):
                with contextlib.suppress(ValueError):
                    payload = json.loads(line[len(RUNNER_MARKER) :])
                break
        project = self.project
        if not isinstance(payload, dict):
            last = (stderr.strip().splitlines() or ["(no output)"])[-1]
            raise HookError(
                f"{project.settings}: the Django check crashed (exit {self.proc.returncode}): "
                f"{last}"
            )
        if "error" in payload:
            raise HookError(_error_message(project, payload["error"]))
        result: dict[str, Any] = payload["result"]
        return result


def _error_message(project: Project, error: Mapping[str, str]) -> str:
    where = "" if project.root == "." else f" (project {project.root})"
    message = f"{error.get('message')}{where}"
    variable = error.get("variable")
    if variable:
        return (
            f"{message}; the settings need the environment variable {variable}: set it, pass "
            f'--env {variable}=placeholder, or add env = {{ {variable} = "placeholder" }} '
            f"to [tool.django-migration-hooks.{HOOK_ID}] in pyproject.toml"
        )
    kind = error.get("kind")
    if kind == "settings" and "ModuleNotFoundError" in message:
        return (
            f"{message}; is {project.python} the project's interpreter? "
            "pass --python PATH or set python in the config"
        )
    if kind == "settings-not-found":
        return f"{message}; pass --settings MODULE or --project DIR:MODULE"
    return message
