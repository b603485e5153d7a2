"""The rules of `check-migration-conflicts`."""

from __future__ import annotations

from django_migration_hooks.rules import codes
from django_migration_hooks.rules._rule import Rule, Severity

RULES = (
    Rule(
        code=codes.DMH401,
        name="multiple-leaf-migrations",
        hook="check-migration-conflicts",
        severity=Severity.ERROR,
        summary=(
            "An app's migration graph has more than one leaf node: several migrations that no "
            "other migration of the app follows, usually two branches that each added a "
            "migration on top of the same parent."
        ),
        what="""\
Reports every app whose graph has more than one leaf node, meaning several migrations that no
other migration of the same app follows. There is one finding per leaf file, placed on its
dependency on its own app (or on `class Migration`). The finding names the other leaves and
their latest common parent.
""",
        why="""\
`migrate` refuses to run (`CommandError: Conflicting migrations detected; multiple leaf nodes in
the migration graph`). The conflict usually appears when two branches each added `0005_*` on top
of the same `0004_*` and both were merged: each branch was fine, and the merge is not. Found
after the merge, it blocks the next deploy. Teams that keep hitting it often stop committing
migrations, which is the bigger problem.
""",
        example="""\
```text
shop/migrations/0004_order_note.py     dependencies = [("shop", "0003_order")]
shop/migrations/0004_order_status.py   dependencies = [("shop", "0003_order")]
```

```text
shop/migrations/0004_order_note.py:5:21: DMH401 app `shop` has 2 leaf migrations: `0004_order_note` conflicts with `0004_order_status` (common parent `0003_order`) (fix: `python manage.py makemigrations --merge shop`, or renumber `0004_order_note` and make it depend on `0004_order_status`)
```

Good: a merge migration that depends on both leaves (`makemigrations --merge`), or one migration
renumbered on top of the other:

```text
shop/migrations/0005_order_note.py     dependencies = [("shop", "0004_order_status")]
```
""",
        fix="""\
If neither migration has been deployed anywhere yet, renumber the newer one and make it depend
on the other (django-linear-migrations' `rebase_migration` does this). Otherwise run `python
manage.py makemigrations --merge <app>` and commit the merge migration.
""",
        limitations="""\
The newer of two leaves cannot be told from the files, so the hint names each leaf. An app with
a DMH402 dependency on its own missing migration is not also reported under DMH401: fix DMH402
first. An app with a dependency the hook cannot evaluate (computed at import time, such as
`swapper.dependency(...)`, or a label held in a variable; list or tuple literals and `+` of
literals are read) is uncertain: it gets one notice on stderr and no DMH401/402/403. Migrations
are read where a `MIGRATION_MODULES` dict literal in a settings module puts them.
""",
    ),
    Rule(
        code=codes.DMH402,
        name="missing-migration-dependency",
        hook="check-migration-conflicts",
        severity=Severity.ERROR,
        summary=(
            "A migration depends on (or must run before) a migration of an app in the "
            "repository that does not exist: a typo, a deleted or renamed file, or an app "
            "without migrations. Dependencies on apps that are not in the repository (third- "
            "party apps, Django's own) are not checked."
        ),
        what="""\
Reports entries of `dependencies` (and `run_before`) that name a migration of an app in the
repository that does not exist: a typo, a deleted or renamed file, or an app that has no
migrations at all. A squashed migration that `replaces` the named one satisfies the dependency.
The finding is placed on the entry itself. When an existing migration has a close name, the hint
suggests it.
""",
        why="""\
Django raises `NodeNotFoundError` while loading the graph. No migration runs, `runserver` warns,
and `migrate` fails on every environment.
""",
        example="""\
```python
class Migration(migrations.Migration):
    dependencies = [("shop", "0001_inital")]  # bad: the file is 0001_initial.py
```

```text
shop/migrations/0002_order.py:5:21: DMH402 `0002_order` depends on `shop.0001_inital`, which does not exist (fix: name an existing migration or restore the missing one; did you mean `0001_initial`?)
```

Good: `dependencies = [("shop", "0001_initial")]`.
""",
        fix="""\
Correct the name, or restore the deleted migration. When migrations were squashed, delete the
replaced files only after the squashed migration exists. Depend on the squashed migration, or
keep the old name: the squash's `replaces` maps it.
""",
        limitations="""\
Dependencies on apps that are not in the repository (third-party packages, `django.contrib`)
cannot be checked and are skipped, so a typo in an app label looks like a third-party app and is
missed. Apps are found statically; `INSTALLED_APPS` is only read to tell a sub-package that is
an app of its own from one whose models belong to the app above it.
""",
    ),
    Rule(
        code=codes.DMH403,
        name="migration-dependency-cycle",
        hook="check-migration-conflicts",
        severity=Severity.ERROR,
        summary=(
            "Migrations depend on each other in a circle, through `dependencies` or "
            "`run_before`, possibly across apps."
        ),
        what="""\
Reports migrations that depend on each other in a circle, through `dependencies` or
`run_before`, within an app or across apps. Every migration in the cycle gets a finding that
shows the whole cycle.
""",
        why="""\
Django raises `CircularDependencyError`: no order exists in which to apply the migrations.
""",
        example="""\
```text
shop/migrations/0001_initial.py       dependencies = [("billing", "0001_initial")]
billing/migrations/0001_initial.py    dependencies = [("shop", "0001_initial")]
```

```text
billing/migrations/0001_initial.py:5:21: DMH403 dependency cycle: `billing.0001_initial` -> `shop.0001_initial` -> `billing.0001_initial` (each depends on the next) (fix: remove one of these dependencies, or split a migration in two)
```

Good: `shop.0001_initial` creates its models without the foreign key to `billing`, and a later
`shop.0002_order_invoice` adds it after `billing.0001_initial`. `makemigrations` splits
migrations this way on its own when it generates both apps together.
""",
        fix="""\
Remove one of the dependencies. Across apps, split one migration in two.
""",
        limitations="""\
As for DMH401, only literal `dependencies`/`run_before` are seen; an app with any other is
uncertain (one notice, no finding).
""",
    ),
)
