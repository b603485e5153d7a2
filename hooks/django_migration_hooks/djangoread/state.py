"""The model state migration files describe, rebuilt statically (nothing is imported).

`build_state(items)` replays the operations of migrations (`djangoread.operations`) in graph order
and returns, per app label, the models the migrations create: their field names,
`managed`/`proxy` and where they were created. Squashed migrations are handled by the graph
(a squash replaces what it `replaces`); `RunPython`, `RunSQL` and other operations that do not
change model or field names are ignored; `SeparateDatabaseAndState` contributes its
`state_operations`. An operation that is not understood (a custom operation class, arguments that
are not literals) makes the app's state uncertain: `AppState.uncertain` says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django_migration_hooks.djangoread.operations import NEUTRAL_OPERATIONS, PARAMETERS, Op

Where = tuple[str, int, int]  # path, line, col


@dataclass
class ModelState:
    name: str
    path: str  # the migration that created (or last renamed) it
    line: int
    col: int
    fields: dict[str, Where] = field(default_factory=dict)
    proxy: bool = False
    managed: bool = True
    uncertain: str = ""


@dataclass
class AppState:
    label: str
    models: dict[str, ModelState] = field(default_factory=dict)  # lower-case name -> state
    uncertain: str = ""


# --- replay -------------------------------------------------------------------------------------

Names = Mapping[str, str | None]  # the name arguments of an operation, all literal


class _Replayer:
    def __init__(self, states: dict[str, AppState]) -> None:
        self.states = states

    def state(self, label: str) -> AppState:
        if label not in self.states:
            self.states[label] = AppState(label)
        return self.states[label]

    def uncertain(self, label: str, why: str) -> None:
        app = self.state(label)
        app.uncertain = app.uncertain or why

    def apply(self, label: str, path: str, op: Op) -> None:
        where = f"{path}:{op.line}"
        if op.kind in NEUTRAL_OPERATIONS:
            return
        if op.kind not in PARAMETERS:
            self.uncertain(label, f"{where}: operation {op.kind or '?'} is not understood")
            return
        if op.problem:
            self.uncertain(label, f"{where}: {op.kind}: {op.problem}")
            return
        app = self.state(label)
        if op.kind == "SeparateDatabaseAndState":
            for inner in op.inner or ():
                self.apply(label, path, inner)
            return
        names = dict(op.args)
        if any(value is None for value in names.values()):
            self.uncertain(label, f"{where}: {op.kind} names are not literals")
            return
        handlers = {
            "CreateModel": self._create_model,
            "DeleteModel": self._delete_model,
            "RenameModel": self._rename_model,
            "AlterModelOptions": self._alter_model_options,
        }
        handlers.get(op.kind, self._field_operation)(app, path, op, names, where)

    def _create_model(self, app: AppState, path: str, op: Op, names: Names, where: str) -> None:
        name = names.get("name")
        if not name or op.fields is None:
            self.uncertain(app.label, f"{where}: CreateModel arguments are not literals")
            return
        model = ModelState(name, path, op.line, op.col)
        model.fields = {f: (path, line, col) for f, line, col in op.fields}
        model.proxy = op.proxy is True
        model.managed = op.managed is not False
        app.models[name.lower()] = model

    def _delete_model(self, app: AppState, path: str, op: Op, names: Names, where: str) -> None:
        if not names.get("name"):
            self.uncertain(app.label, f"{where}: DeleteModel without a name")
            return
        app.models.pop(str(names["name"]).lower(), None)

    def _rename_model(self, app: AppState, path: str, op: Op, names: Names, where: str) -> None:
        old, new = names.get("old_name"), names.get("new_name")
        if not old or not new:
            self.uncertain(app.label, f"{where}: RenameModel without names")
            return
        renamed = app.models.pop(old.lower(), None)
        if renamed is not None:
            renamed.name = new
            renamed.path, renamed.line, renamed.col = path, op.line, op.col
            app.models[new.lower()] = renamed

    def _alter_model_options(
        self, app: AppState, path: str, op: Op, names: Names, where: str
    ) -> None:
        found = app.models.get(str(names.get("name", "")).lower())
        if found is not None:
            found.managed = op.managed is not False

    def _field_operation(self, app: AppState, path: str, op: Op, names: Names, where: str) -> None:
        """AddField, RemoveField, RenameField."""
        model_name = names.get("model_name")
        found = app.models.get(model_name.lower()) if model_name else None
        if found is None:
            self.uncertain(app.label, f"{where}: {op.kind} on a model no migration creates")
            return
        if op.kind == "AddField":
            if not names.get("name"):
                found.uncertain = f"{where}: AddField without a name"
                return
            found.fields[str(names["name"])] = (path, op.line, op.col)
        elif op.kind == "RemoveField":
            found.fields.pop(str(names.get("name")), None)
        elif op.kind == "RenameField":
            old, new = names.get("old_name"), names.get("new_name")
            if not old or not new:
                found.uncertain = f"{where}: RenameField without names"
                return
            if old in found.fields:
                found.fields[new] = found.fields.pop(old)


class Replay(NamedTuple):
    label: str
    path: str
    operations: list[Op]
    problem: str


def build_state(items: Iterable[Replay]) -> dict[str, AppState]:
    """Replay migrations (in graph order, parents first): label -> AppState."""
    states: dict[str, AppState] = {}
    replayer = _Replayer(states)
    for item in items:
        replayer.state(item.label)
        if item.problem:
            replayer.uncertain(item.label, f"{item.path}: {item.problem}")
        for op in item.operations:
            replayer.apply(item.label, item.path, op)
    return states
