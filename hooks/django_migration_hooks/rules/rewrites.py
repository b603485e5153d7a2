"""The rules of `check-migration-rewrites`."""

from __future__ import annotations

from django_migration_hooks.rules import codes
from django_migration_hooks.rules._rule import Rule, Severity

RULES = (
    Rule(
        code=codes.DMH411,
        name="modified-shipped-migration",
        hook="check-migration-rewrites",
        severity=Severity.ERROR,
        summary=(
            "A migration that exists on the base branch was changed in a way that changes "
            "what it does (comments, formatting, docstrings, annotations and the layout of "
            "imports are ignored: the code is compared as a syntax tree)."
        ),
        what="""\
Reports a migration file that exists on the base and whose code changed. The finding is placed
on the first place where the new syntax tree differs from the old one (for example, the changed
argument).
""",
        why="""\
Django records applied migrations by name and never runs one twice. Databases that already
applied the migration (production, staging, colleagues' databases) never see the edit, and only
new databases get it. The schemas drift apart silently, and the migrations no longer describe
production.
""",
        example="""\
```diff
 # shop/migrations/0002_order.py, already on origin/main
-                ("note", models.CharField(max_length=100)),
+                ("note", models.CharField(max_length=200)),
```

```text
shop/migrations/0002_order.py:15:54: DMH411 migration `shop.0002_order` exists on `origin/HEAD` and was modified; databases that already applied it will not run the change (fix: revert the edit and make a new migration (`python manage.py makemigrations`))
```

Good: keep `0002_order.py` as it was. `python manage.py makemigrations` writes
`0003_alter_order_note.py` with the `AlterField`.
""",
        fix="""\
Revert the edit, then change the model and run `makemigrations` for a new migration. Edits that
must apply only to fresh databases (such as a fix for a migration that cannot run on an empty
database) are sometimes legitimate: list the file in `allow`.
""",
        limitations="""\
Every behavioural change counts, including changes to `RunPython` functions that were wrong. The
hook cannot tell whether the base was really deployed. Annotations, `if TYPE_CHECKING:` blocks,
and imports of names the module does not use (or in another order) change nothing. A file that
the running Python cannot parse on either side is not compared: one notice on stderr says so
and why, never a finding.
""",
    ),
    Rule(
        code=codes.DMH412,
        name="deleted-shipped-migration",
        hook="check-migration-rewrites",
        severity=Severity.ERROR,
        summary=(
            "A migration that exists on the base branch was deleted or renamed, and no "
            "squashed migration in the tree `replaces` it."
        ),
        what="""\
Reports a migration file that exists on the base and was deleted or renamed, unless a squashed
migration in the new tree `replaces` it. Deletions are reported at `1:1` of the old path.
Renames are reported at `1:1` of the new path.
""",
        why="""\
Deleting and regenerating migrations is how deployed databases break. A renamed migration is a
new migration to Django: databases that applied it under the old name run it again (`table
already exists`). Migrations that depend on a deleted one stop loading (`NodeNotFoundError`),
and the history no longer matches `django_migrations` in production.
""",
        example="""\
```text
git rm shop/migrations/000*.py && python manage.py makemigrations   # "start fresh"
```

```text
shop/migrations/0002_order.py:1:1: DMH412 migration `shop.0002_order` exists on `origin/HEAD` and was deleted (fix: restore it (`git checkout origin/HEAD -- shop/migrations/0002_order.py`); delete migrations only after a squashed migration that replaces them has been applied everywhere)
```

Good: `python manage.py squashmigrations shop 0005` adds `0001_squashed_0005_...py` with
`replaces = [...]`. Once every database has applied the squashed migration, delete the replaced
files, point the migrations that depended on them at the squashed one and remove its `replaces`
(all allowed, in one change or several).
""",
        fix="""\
Restore the file under its old name. To shorten history, squash instead of regenerating.
""",
        limitations="""\
Git's rename detection decides between "deleted" and "renamed". A deleted migration whose
content resembles a new file is reported as renamed to it. Both are DMH412. Deleting a whole
app's migrations together with the app is also reported: use `allow`.
""",
    ),
)
