"""The Django tier's runner: a standalone directory, run as `python missing/runner` by the
project's interpreter (see `__main__.py`); never imported by the hook but for `file_clock`."""
