"""The rules of `check-ignored-migrations`."""

from __future__ import annotations

from django_migration_hooks.rules import codes
from django_migration_hooks.rules._rule import Rule, Severity

RULES = (
    Rule(
        code=codes.DMH201,
        name="gitignored-migrations",
        hook="check-ignored-migrations",
        severity=Severity.ERROR,
        summary=(
            "A .gitignore rule (or .git/info/exclude, or the global core.excludesFile) "
            "ignores migration files of a Django app: existing ones, migrations/__init__.py, "
            "the next one makemigrations would write, or those of any new app."
        ),
        what="""\
Reports a `.gitignore` rule (or a rule in `.git/info/exclude` or the global `core.excludesFile`)
that ignores migration files of a Django app: existing ones, its `migrations/__init__.py`, its
next migration, or the migrations of any new app. The finding points at the rule:
`path-of-ignore-file:line:1`, and names the apps it hides. A rule in `.git/info/exclude` or in
the global excludes file cannot be pointed at inside the repository, so the finding points at
the app's first hidden file and names the rule's file and line.
""",
        why="""\
Ignored migrations never reach the repository. Every other checkout and every deploy lacks them;
the server then generates its own (different) migrations, or finds none, and the database schema
drifts from the code (`relation does not exist`, `InconsistentMigrationHistory`). Adding
`migrations/` to `.gitignore` "to avoid conflicts" is the most common root of this failure.
""",
        example="""\
```gitignore
# bad
*.pyc
migrations/
```

```gitignore
# good
*.pyc
__pycache__/
```
""",
        fix="""\
Delete the rule or comment it out (`check-ignored-migrations --fix`), then `git add` the
migration files (`git add -f` is not needed once the rule is gone). To keep bytecode out, use
`__pycache__/` or `*.py[cod]`.
""",
        limitations="""\
Git's matcher is authoritative, so every git subtlety is honoured (a file below an excluded
folder cannot be re-included; `migrations/*` followed by `!migrations/*.py` keeps the `.py`
files). A rule that only hides migrations of a future app is tested at the folders that already
hold apps (and at the root when there is none), not everywhere. Rules in the global excludes
file that hide only future apps are not reported, since they cannot be pointed at. A `# noqa`
comment cannot be used: in ignore files `#` starts a comment line only; use the
`ignore`/`exclude` settings instead.
""",
    ),
    Rule(
        code=codes.DMH202,
        name="deploy-ignored-migrations",
        hook="check-ignored-migrations",
        severity=Severity.ERROR,
        summary=(
            "A deploy-side ignore file (.dockerignore, <Dockerfile>.dockerignore, "
            ".gcloudignore, .ebignore, .slugignore, .cfignore) keeps migration files of a "
            "Django app out of the build or the uploaded bundle."
        ),
        what="""\
Reports a rule in a deploy-side ignore file that keeps migration files (existing, `__init__.py`,
next ones, or a new app's) out of the build or the uploaded bundle:

- `.dockerignore`: Docker's own matcher (moby's patternmatcher): patterns are cleaned and relative
  to the build-context root (`migrations` matches only `./migrations`, `*` never crosses `/`,
  `**` spans folders), a pattern matching a parent folder excludes everything below it unless a
  later `!` pattern re-includes it, the last matching pattern wins, `#` starts a comment only in
  the first column, and whitespace around a pattern is trimmed. A `.dockerignore` in a subfolder
  applies to the build context of that folder. `<name>.dockerignore` next to a Dockerfile
  (`Dockerfile.dockerignore`, `web.Dockerfile.dockerignore`) applies to whatever context the build
  names, so it is tested with the Dockerfile's folder and each folder above it as the context.
  `.containerignore` (Podman) is read the same way.
- `.gcloudignore`: gitignore syntax; `#!include:FILE` lines are expanded in place (the finding
  then points at the included file's line). When present it is the only ignore file gcloud reads.
- `.ebignore`: gitignore syntax; when present it replaces `.gitignore` for `eb deploy`.
- `.slugignore` (Heroku): gitignore-like, but `!` negations are not supported, so they are
  dropped.
- `.cfignore` (Cloud Foundry): gitignore syntax.

For the gitignore-syntax files the patterns are relative to the file's folder and, as in git, a
file below an excluded folder stays excluded.
""",
        why="""\
The migrations are in git but not in the image or bundle that runs `migrate`, so the deployed
app migrates against an empty or outdated graph; teams then add `makemigrations` to the deploy,
which generates unreviewed migrations on the server.
""",
        example="""\
```dockerignore
# bad
**/migrations
```

```dockerignore
# good
**/__pycache__
**/*.pyc
```
""",
        fix="""\
Delete or narrow the rule so every `.py` file in each app's `migrations/` folder is shipped.
`--fix` comments out rules in the gitignore-syntax files; `.dockerignore` rules are left to you.
""",
        limitations="""\
The build context of a `.dockerignore` is its folder; compose files and CI scripts that name
another context are not read. A rule is reported only when the build holds the app's code
(its models or `apps.py`) but not its migrations: an image that holds no app at all (`*` then
`!requirements/`, the source mounted at run time) is not a migrations problem. The gitignore-syntax dialects use `pathspec` with git's rules;
tool-specific quirks beyond those listed above are not modelled. An unreadable ignore file
(binary, not UTF-8) is reported on stderr and skipped (exit code 1).
""",
    ),
    Rule(
        code=codes.DMH203,
        name="migrations-without-init",
        hook="check-ignored-migrations",
        severity=Severity.ERROR,
        summary=("A Django migrations folder has no __init__.py."),
        what="""\
Reports a Django migrations folder that holds migrations but no `__init__.py`. The finding
points at its first migration file.
""",
        why="""\
Without `__init__.py` the folder is a namespace package; Django silently treats the app as
unmigrated, `migrate` skips its migrations, and `makemigrations` may write a new
`0001_initial.py` on top of the existing ones.
""",
        example="""\
```text
# bad                               # good
blog/migrations/0001_initial.py     blog/migrations/__init__.py
                                    blog/migrations/0001_initial.py
```
""",
        fix="""\
Create an empty `migrations/__init__.py` and `git add` it.
""",
        limitations="""\
An `__init__.py` that exists but is ignored is reported as DMH201, and one that exists but is
untracked as DMH205 (`check-untracked-migrations`).
""",
    ),
    Rule(
        code=codes.DMH204,
        name="models-without-migrations",
        hook="check-ignored-migrations",
        severity=Severity.ERROR,
        summary=("An app's models define concrete models but the app has no migrations at all."),
        what="""\
Reports an app whose models module defines a concrete model (a class deriving from
`models.Model`, a `…Model` base, `AbstractUser` or `AbstractBaseUser`, without `abstract = True`
or `proxy = True` in `Meta`) while the app has no migration at all. The finding points at the
first such class.
""",
        why="""\
Without migrations `migrate` never creates the tables (only `--run-syncdb` would), and
migrations generated later on a server will not match anyone else's.
""",
        example="""\
```text
# bad                     # good
shop/models.py            shop/models.py
                          shop/migrations/__init__.py
                          shop/migrations/0001_initial.py
```
""",
        fix="""\
Run `python manage.py makemigrations <app_label>` locally and commit the migrations folder,
`__init__.py` included.
""",
        limitations="""\
The check is static (no import). A class is a model when its bases lead to Django's `Model`:
a name imported from `django` (`models.Model`, `AbstractUser`), another model class of the same
module (abstract ones included), or a name imported from elsewhere ending in `Model`
(`BaseModel` counts only when imported from `django`). Bases that lead to pydantic, SQLAlchemy,
attrs, dataclasses, marshmallow and similar libraries (also through a class of the same module,
or a module-level variable such as `Base = declarative_base()`) never count. Models built
dynamically or inherited from imported bases with other names are not seen. The models of a
sub-package without its own `AppConfig` or migrations (`dojo/finding/models.py`) belong to the
app above it, unless a settings module names the sub-package. Apps under a `tests/`, `test/` or
`testing/` folder are skipped, since test apps often run without migrations on purpose. An app
that a `MIGRATION_MODULES` dict literal maps to `None` has no migrations on purpose and is
skipped; one it maps to another module has its migrations read there.
""",
    ),
)
