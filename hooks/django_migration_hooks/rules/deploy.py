"""The rules of `check-deploy-makemigrations`."""

from __future__ import annotations

from django_migration_hooks.rules import codes
from django_migration_hooks.rules._rule import Rule, Severity

RULES = (
    Rule(
        code=codes.DMH301,
        name="makemigrations-on-deploy",
        hook="check-deploy-makemigrations",
        severity=Severity.ERROR,
        summary=(
            "A file that runs on deploy, build, release, container start or in CI runs "
            "`makemigrations` in a form that writes migration files (no --check / --dry-run)."
        ),
        what="""\
Reports `makemigrations` run from a file executed on deploy, build, release, container start or
in CI, in a form that writes files: without `--check` and without `--dry-run` (`--noinput` does
not make it safe; `--merge` writes a merge migration).
""",
        why="""\
Migrations generated at deploy time exist only in that build. On a stateless platform (App
Platform, Heroku, Render, Fly, any container) every build writes a new `0001_initial.py` that
does not match the tables already in the database: `migrate` then fails with `ProgrammingError`
("relation already exists") or records changes that were never applied, and data is at risk. In
CI it hides missing migrations instead of failing the build.
""",
        example="""\
```
# Procfile
release: python manage.py makemigrations && python manage.py migrate
```

Use instead:

```
# Procfile
release: python manage.py migrate --noinput
```

and in CI, to verify that nothing is missing:

```yaml
- run: python manage.py makemigrations --check --dry-run
```
""",
        fix="""\
Run `python manage.py makemigrations` on a development machine, commit the migration files, and
run only `migrate` on deploy.

`check-deploy-makemigrations --fix` removes the step where it is separable and leaves every
other byte (line endings, BOM, quoting, indentation): a step chained with `&&` or `;`
(`A && makemigrations && B` becomes `A && B`), also inside `sh -c "..."`; a script or recipe line; a
Dockerfile `RUN`, a Procfile process, a systemd `ExecStartPre=`-style line or a YAML list item
or CI step that runs only it. It refuses, saying why, inside `if`, a loop, `case` or a subshell,
in a `||` chain or a pipeline, in a heredoc or a command sent to a remote host, in Python code,
and where a setting (`ExecStart=`, `CMD`, a mapping value, the only item of a list) would be
left with no command. The file is checked again after the fix.
""",
        limitations="""\
Commands assembled at run time (`$CMD`, `eval "$(cat x)"`, Python strings built in other
functions or assigned in branches) are not followed; a variable as the program is judged by its
name only, never by its value. Scripts referenced only through variables are not followed.
Gunicorn hooks (`on_starting` in `gunicorn.conf.py`) and a `Dockerfile.dev` used by a compose
`build.dockerfile` are not followed. `python -m pkg.module` follows `pkg/module.py` or
`pkg/module/__main__.py` when that file is in the repository. `python -c '...'` code is read
like a Python script. Task names are matched by a fixed list of deploy words; a deploy target
with another name can be marked by running it from a Procfile or CI config, or the finding added
by hand.
""",
    ),
    Rule(
        code=codes.DMH302,
        name="deletes-migrations-on-deploy",
        hook="check-deploy-makemigrations",
        severity=Severity.ERROR,
        summary=(
            "A file that runs on deploy, build, release, container start or in CI deletes "
            "migration files (`rm -rf */migrations`, `find -path '*/migrations/*' -delete`)."
        ),
        what="""\
Reports `rm` of a path with a `migrations` folder component, `find` with a `migrations` path or
name test that deletes (`-delete`, `-exec rm`) or whose output goes to `xargs rm` (`find ...
-print0 | xargs -0 rm`), and Python `shutil.rmtree` of such a path, in deploy code. Patterns
that only match bytecode (`*.pyc`, `__pycache__`) are not findings; each `-o` alternative of a
`find` is judged on its own (`-delete -o -name '*.pyc' -delete` still deletes migrations), and a
negated test (`-not -name __init__.py`) never narrows to bytecode. Scratch space outside the
project (`/tmp`, `/var/tmp`, `/dev/shm`, `$TMPDIR`) is not a finding.
""",
        why="""\
Deleting committed migrations throws away the history the database was built with; the next
`makemigrations` writes a new initial migration that conflicts with the existing tables and with
the `django_migrations` table.
""",
        example="""\
```dockerfile
RUN find . -path "*/migrations/*.py" -not -name "__init__.py" -delete
```

Use instead:

```dockerfile
RUN find . -path "*/migrations/*.pyc" -delete
```
""",
        fix="""\
Keep migration files in git and out of every cleanup step.

`check-deploy-makemigrations --fix` removes the step where it is separable and leaves every
other byte (line endings, BOM, quoting, indentation): a step chained with `&&` or `;`
(`A && rm -rf */migrations && B` becomes `A && B`), also inside `sh -c "..."`; a script or recipe line; a
Dockerfile `RUN`, a Procfile process, a systemd `ExecStartPre=`-style line or a YAML list item
or CI step that runs only it. It refuses, saying why, inside `if`, a loop, `case` or a subshell,
in a `||` chain or a pipeline, in a heredoc or a command sent to a remote host, in Python code,
and where a setting (`ExecStart=`, `CMD`, a mapping value, the only item of a list) would be
left with no command. The file is checked again after the fix.
""",
        limitations="""\
Deletions through variables (`rm -rf "$DIR"`) are not reported; in Python only
`shutil.rmtree("...migrations...")` with a literal path is. `find ... | xargs rm` is recognised
when `xargs` is the next command, so `find ...; xargs rm < list` is reported too. Parentheses in
`find` expressions are not modelled.
""",
    ),
    Rule(
        code=codes.DMH303,
        name="fake-migrate-on-deploy",
        hook="check-deploy-makemigrations",
        severity=Severity.WARNING,
        summary=(
            "A file that runs on deploy runs `migrate --fake` or `migrate --fake-initial` (a "
            "warning: it is sometimes meant, but never as a routine deploy step)."
        ),
        what="""\
Warns about `migrate --fake` and `migrate --fake-initial` (also `call_command("migrate",
fake=True)`) in deploy code.
""",
        why="""\
`--fake` records migrations as applied without running them, and `--fake-initial` skips an
initial migration whenever its tables exist. As a routine deploy step they hide schema drift
until a query fails in production.
""",
        example="""\
```
release: python manage.py migrate --fake-initial
```

Use instead:

```
release: python manage.py migrate
```
""",
        fix="""\
Run `migrate --fake` once, by hand, after checking that the schema already matches; deploy with
plain `migrate`. If a deploy step really needs it, add `# noqa: DMH303` on that line. `--fix`
never changes it: whether faking is right is a decision about the database.
""",
        limitations="""\
Same as DMH301.
""",
    ),
)
