"""What the runner changes in Django before the check: dummy databases, answered questions,
precise bytecode stamps, a linear-time migration plan."""

from __future__ import annotations

import os
from typing import Any


def _swap_databases(settings: Any) -> None:
    """Every alias on the dummy backend, before anything reads settings.DATABASES."""
    wrapped = settings._wrapped
    configured = getattr(wrapped, "DATABASES", None) or {}
    if not isinstance(configured, dict):
        kind = type(configured).__name__
        raise TypeError(f"settings.DATABASES must be a dict of database aliases, not {kind}")
    aliases = list(configured) or ["default"]
    if "default" not in aliases:
        aliases.insert(0, "default")
    wrapped.DATABASES = {alias: {"ENGINE": "django.db.backends.dummy"} for alias in aliases}
    settings.__dict__.pop("DATABASES", None)


class _Questions:
    def __init__(self) -> None:
        self.asked: list[dict[str, str]] = []

    NAMES = ("ask_not_null_addition", "ask_auto_now_add_addition", "ask_rename", "ask_rename_model")

    def patch(self, questioner_cls: Any) -> dict[str, Any]:
        """Answer without prompting and record each question; returns what to restore."""
        saved = {name: questioner_cls.__dict__.get(name) for name in self.NAMES}
        asked = self.asked

        def ask_not_null_addition(self: Any, field_name: str, model_name: str) -> Any:
            asked.append({"kind": "not-null", "model": model_name, "field": field_name})
            return None

        def ask_auto_now_add_addition(self: Any, field_name: str, model_name: str) -> Any:
            asked.append({"kind": "auto-now-add", "model": model_name, "field": field_name})
            return None

        def ask_rename(self: Any, model_name: str, old: str, new: str, field: Any) -> bool:
            asked.append({"kind": "rename", "model": model_name, "old": old, "new": new})
            return False

        def ask_rename_model(self: Any, old_state: Any, new_state: Any) -> bool:
            asked.append(
                {
                    "kind": "rename-model",
                    "model": new_state.name,
                    "old": old_state.name,
                    "new": new_state.name,
                }
            )
            return False

        questioner_cls.ask_not_null_addition = ask_not_null_addition
        questioner_cls.ask_auto_now_add_addition = ask_auto_now_add_addition
        questioner_cls.ask_rename = ask_rename
        questioner_cls.ask_rename_model = ask_rename_model
        return saved


def _precise_bytecode_stamps(root: str) -> None:
    """Validate cached bytecode of the project's files by microseconds, not seconds.

    A timestamp .pyc records the source's mtime in whole seconds plus its size, so a same-size
    edit within the second the .pyc was written would import stale code. Only used when the hook
    points PYTHONPYCACHEPREFIX at its own cache (the stamps are then written and read by us
    alone).
    """
    import importlib.machinery

    loader = importlib.machinery.SourceFileLoader
    original = loader.path_stats
    prefix = root.rstrip(os.sep) + os.sep

    def path_stats(self: Any, path: str) -> Any:
        if not path.startswith(prefix):
            return original(self, path)
        st = os.stat(path)
        return {"mtime": (st.st_mtime_ns // 1000) % 2**32, "size": st.st_size}

    loader.path_stats = path_stats  # type: ignore[method-assign]


def _speed_up_plan() -> None:
    """`MigrationGraph._generate_plan` with a set for membership: same plan, linear time.

    Django's version tests `migration not in plan` on a list, quadratic in the number of
    migrations (seconds on a project with thousands); the order of the plan is unchanged.
    """
    from django.db.migrations.graph import MigrationGraph

    def _generate_plan(self: Any, nodes: Any, at_end: bool) -> list[Any]:
        plan: list[Any] = []
        seen: set[Any] = set()
        wanted = set(nodes)
        for node in nodes:
            for migration in self.forwards_plan(node):
                if migration not in seen and (at_end or migration not in wanted):
                    plan.append(migration)
                    seen.add(migration)
        return plan

    # a private method: not in the stubs
    MigrationGraph._generate_plan = _generate_plan  # type: ignore[attr-defined]


def _postgres_without_driver() -> None:
    """`django.contrib.postgres` importable without psycopg or psycopg2.

    Its app config, fields and operations import `psycopg_any` and `signals`, which import the
    driver; what they take from it (range types, type handlers registered when a connection is
    made) is used on a connection only, and every database is the dummy backend here. Only when
    neither driver is installed: stand-ins for those two modules (range values compare as the
    driver's do; anything else they lack fails to import, naming the driver).
    """
    import importlib.util
    import ipaddress
    import sys
    import types

    if any(importlib.util.find_spec(name) is not None for name in ("psycopg", "psycopg2")):
        return

    class Range:
        def __init__(
            self, lower: Any = None, upper: Any = None, bounds: str = "[)", empty: bool = False
        ) -> None:
            self.lower, self.upper, self.bounds, self.empty = lower, upper, bounds, empty

        def _key(self) -> tuple[Any, ...]:
            return (type(self).__name__, self.lower, self.upper, self.bounds, self.empty)

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Range) and self._key() == other._key()

        def __hash__(self) -> int:
            return hash(self._key())

        def __repr__(self) -> str:
            return f"{type(self).__name__}({self.lower!r}, {self.upper!r}, {self.bounds!r})"

    any_module = types.ModuleType("django.db.backends.postgresql.psycopg_any")
    any_module.__doc__ = "stand-in: neither psycopg nor psycopg2 is installed"
    ranges = {name: type(name, (Range,), {}) for name in ("DateRange", "DateTimeTZRange")}
    ranges.update(NumericRange=type("NumericRange", (Range,), {}))
    ranges.update(DateTimeRange=type("DateTimeRange", (Range,), {}))
    vars(any_module).update(
        Range=Range,
        RANGE_TYPES=(Range,),
        is_psycopg3=True,
        Inet=ipaddress.ip_address,
        **ranges,
    )

    def register_type_handlers(connection: Any, **kwargs: Any) -> None:
        if getattr(connection, "vendor", None) == "postgresql":
            raise ImportError("psycopg (or psycopg2) is not installed")

    def get_type_oids(*args: Any) -> Any:
        raise ImportError("psycopg (or psycopg2) is not installed")

    signals = types.ModuleType("django.contrib.postgres.signals")
    vars(signals).update(
        register_type_handlers=register_type_handlers,
        get_type_oids=get_type_oids,
        get_hstore_oids=get_type_oids,
        get_citext_oids=get_type_oids,
    )
    sys.modules.setdefault(any_module.__name__, any_module)
    sys.modules.setdefault(signals.__name__, signals)
