"""The rules of `check-missing-migrations`."""

from __future__ import annotations

from django_migration_hooks.rules import codes
from django_migration_hooks.rules._rule import Rule, Severity

RULES = (
    Rule(
        code=codes.DMH101,
        name="missing-migration",
        hook="check-missing-migrations",
        severity=Severity.ERROR,
        summary=(
            "A model differs from the state its app's migrations build: Django's autodetector "
            "(through the project's own makemigrations command) would write a migration."
        ),
        what="""\
Reports each operation the project's `makemigrations` would write for a first-party app:
`shop/models.py:12:5: DMH101 shop.Product: field price added, no migration (fix: python
manage.py makemigrations shop)`. Field operations point at the field's assignment (in the
abstract base that defines it, if any), model operations at the `class` line, deleted models at
the app's models module.
""",
        why="""\
The schema is built from migrations, not from models. A model change committed without its
migration works where `makemigrations` was run and breaks everywhere else: tests and colleagues
run an old schema, and the deploy fails or generates the migration on the server, where it is
never committed.
""",
        example="""\
```python
# bad: models.py gains a field, no migration in the commit
class Product(models.Model):
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0)  # new
```

```
# good: the commit also adds shop/migrations/0002_product_price.py
$ python manage.py makemigrations shop
```

Needs a migration (Django's verdict, tested on 4.2 and 5.2): added/removed/renamed field,
changed `max_length`, `verbose_name`, `choices`, `related_name`, `Meta.ordering`, a new model, a
new proxy model, a field changed in an abstract base. Needs none: method bodies, properties,
docstrings, comments, formatting, a new abstract model, a manager without `use_in_migrations`. A
project `makemigrations` that ignores some attributes (e.g. `verbose_name`) decides for its
project.
""",
        fix="""\
Run the command in the hint, review the migration, commit it with the model change. A possible
rename is reported as a removed and an added field with a note; answer Django's question
interactively when you run `makemigrations`.
""",
        limitations="""\
Django must be importable by the project's interpreter (or installed with
`additional_dependencies`), and the settings must import: provide placeholders for secrets with
`env`; an app whose module is missing from the hook's environment is named with the requirement
that provides it. `django.contrib.postgres` needs no driver (stand-ins for the two Django modules
that import it, when none is installed); a migration importing the driver itself still does.
Apps without a `migrations` package are skipped, as `makemigrations` without app labels
does. The relevance pre-filter learns the helper modules outside any app (e.g.
`common/fields.py`) from a Django run: until the first run in a checkout, a commit touching only
such a file is not checked (CI with `--all-files` still is); pre-commit passes no filename for a
deleted file, so a commit that only deletes a migration does not run the hook at all. The cache
does not see environment changes outside the interpreter's site-packages timestamps and the
process environment (e.g. a changed `.pth` target). To save time on projects with thousands of
migrations, the runner replaces Django's quadratic `MigrationGraph._generate_plan` with an
equivalent linear one.
""",
    ),
    Rule(
        code=codes.DMH102,
        name="model-changed-without-migration",
        hook="check-missing-migrations",
        severity=Severity.ERROR,
        summary=(
            "A change edits a model in a way Django records in migrations (a model or field "
            "added, removed or renamed, a field argument or a recorded Meta option changed, "
            "an abstract base that concrete models inherit changed) and adds or changes no "
            "migration of that app."
        ),
        what="""\
In a known change (staged commit, pushed range, `--base`), reports a model change that Django
records in migrations when the change adds or changes no migration of that app: a model added,
removed or renamed (`model renamed from Category`), a field added, removed or renamed (same
definition, new name), any field argument changed (the message names the arguments: `field name
changed (max_length)`, or the types: `CharField -> TextField`), a `Meta` option Django records
added, changed or removed (`ordering`, `verbose_name(_plural)`, `db_table`, `db_table_comment`,
`unique_together`, `indexes`, `constraints`, `permissions`, `default_permissions`,
`get_latest_by`, `order_with_respect_to`, `managed`, `proxy`, `default_related_name`,
`base_manager_name`, `default_manager_name`, `select_on_save`), a manager with
`use_in_migrations = True` added or changed, the concrete parents of a multi-table model
changed, or a change in an abstract base or mixin of the repository that concrete models
inherit. Proxy and unmanaged models are compared on what Django compares for them (options). The
finding is at the changed line (the field, the `Meta` option, the class; for a removed model
`path:1:1`).
""",
        why="""\
The commit ships a models change whose migration nobody wrote or reviewed: the next
`makemigrations` — on a colleague's machine, in CI, or on a server — generates it later, or the
database silently keeps the old schema.
""",
        example="""\
```python
# shop/models.py, staged without a migration
class Product(models.Model):
    name = models.CharField(max_length=120)  # was 100
```

```console
shop/models.py:5:5: DMH102 shop.Product: field name changed (max_length), no migration (fix: python manage.py makemigrations shop)
```

Good: run `python manage.py makemigrations shop` and stage `shop/migrations/0002_...py` with the
model change.
""",
        fix="""\
Run the command in the hint and commit the migration in the same change. If the change really
needs no migration (a project `makemigrations` that ignores `verbose_name`, say), use the Django
tier (`--mode django`), which asks the project's own command, or add `# noqa: DMH102` on the
line.
""",
        limitations="""\
The comparison is syntactic: two spellings Django deconstructs to the same value (a tuple vs a
list in `choices`, `gettext` vs a plain string with a different alias, positional vs keyword
arguments of custom field classes) may be reported; values computed at import time outside the
module (settings, imported constants from third-party packages) are compared by name only;
changes to `DEFAULT_AUTO_FIELD`/`AppConfig.default_auto_field`, to settings-dependent
`swappable` models and to third-party base classes are not seen; a change that only touches a
custom field class's `deconstruct()` is not seen.
""",
    ),
    Rule(
        code=codes.DMH103,
        name="model-state-differs-from-migrations",
        hook="check-missing-migrations",
        severity=Severity.ERROR,
        summary=(
            "A model or field exists in the code but in no migration of its app, or a "
            "migration still creates a model or field that the code no longer has (migration "
            "files read statically, nothing imported)."
        ),
        what="""\
Rebuilds each app's model state from its migration files statically (`CreateModel`,
`DeleteModel`, `RenameModel`, `AddField`, `RemoveField`, `RenameField`, `AlterModelOptions`,
`SeparateDatabaseAndState` → `state_operations`, squashed migrations via `replaces`;
`RunPython`, `RunSQL`, `AlterField`, index and constraint operations change no name) and
reports, for apps with a `migrations` package:

- `shop.Tag: model is in no migration` (at the class),
- `shop.Product: field stock is in no migration` (at the field, or in the abstract base that
  declares it),
- `shop.Product: field price is in migrations but not in the model` (at the class),
- `shop.Tag: model is in migrations but not in the code` (at the migration operation that
  created or last renamed it).

Apps without a `migrations` package are not checked (Django's `makemigrations` without app
labels does not create their first migration either).
""",
        why="""\
Migrations are the schema's source of truth: a model or field that no migration creates does not
exist in any database built from them, and a field dropped from the code while migrations still
create it breaks inserts.
""",
        example="""\
```python
class Product(models.Model):
    name = models.CharField(max_length=100)
    stock = models.IntegerField(default=0)  # no migration adds it
```

```console
shop/models.py:6:5: DMH103 shop.Product: field stock is in no migration (fix: python manage.py makemigrations shop)
```
""",
        fix="""\
Run `python manage.py makemigrations <app_label>` and commit the result (or, for the reverse
direction, restore the field or generate the migration that removes it).
""",
        limitations="""\
Names only: a changed field type or argument is DMH102's business (change- based) or the Django
tier's; models defined conditionally (inside `if` at module level, as django-oscar does),
created dynamically or by third-party descriptors (django-simple-history's `HistoricalRecords`)
are not read, so the reverse direction is reported only for apps whose models are all known and
whose modules create no models dynamically; migrations with operations this reader does not
understand make their app unchecked.
""",
    ),
    Rule(
        code=codes.DMH104,
        name="merge-needed",
        hook="check-missing-migrations",
        severity=Severity.ERROR,
        summary=(
            "An app's migration graph has several leaf nodes (two migrations depend on the "
            "same parent), so makemigrations and migrate refuse to run until they are merged."
        ),
        what="""\
Reports an app whose migration graph has several leaf nodes (two migrations that depend on the
same parent), at each conflicting migration file: `catalog/migrations/0002_a.py:1:1: DMH104
catalog: conflicting migrations 0002_a, 0002_b (several leaf nodes); merge needed (fix: python
manage.py makemigrations --merge catalog)`. The other apps are still checked for missing
migrations; the conflicting app is not (Django cannot order its migrations).
""",
        why="""\
`migrate` and `makemigrations` refuse to run ("Conflicting migrations detected"), so the deploy
fails.
""",
        example="""\
```
# bad: two branches each added a 0002 to catalog
catalog/migrations/0002_a.py   dependencies = [("catalog", "0001_initial")]
catalog/migrations/0002_b.py   dependencies = [("catalog", "0001_initial")]
# good: a merge migration (or one migration rebased onto the other)
catalog/migrations/0003_merge.py   dependencies = [("catalog", "0002_a"), ("catalog", "0002_b")]
```
""",
        fix="""\
`python manage.py makemigrations --merge catalog`, or renumber one migration to depend on the
other (django-linear-migrations' `rebase_migration`), then commit.
""",
        limitations="""\
Only what Django's loader sees: migrations in a `migrations` module named by `MIGRATION_MODULES`
are included, files Django would not load (no `Migration` class) are not.
`check-migration-conflicts` reports the same state statically, without Django.
""",
    ),
)
