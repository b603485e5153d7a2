"""The migration code cache: every migration module of a project run from one file of code
objects, and the file clock both the runner and the hook compare file times with."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any


class _MigrationImporter:
    """`import_module` for `MigrationLoader`: migration modules run from one code cache file.

    Through the import system every one of a project's thousands of migration modules costs a
    finder search, a .pyc open and validation and a spec: more than running the module. For a
    plain source module next to its already imported package, `import_module` here makes the
    module the import system would make (same attributes, `sys.modules` entry, binding in the
    parent package, exceptions) with code kept in one file per project, validated by the
    source's mtime (ns), ctime and size. Anything else (a package, an extension module, a
    finder or source loader other than the default ones, a syntax error) goes through
    `importlib.import_module` unchanged. The file carries a checksum: a damaged one is ignored
    and rewritten, never run.
    """

    def __init__(self, cache_dir: str, root: str, settings_module: str) -> None:
        import importlib.util

        # code objects are specific to the interpreter's bytecode version and -O level
        tag = f"{importlib.util.MAGIC_NUMBER.hex()}-{sys.flags.optimize}"
        project = _sha256(f"{root}\0{settings_module}".encode("utf-8", "surrogateescape"))
        self.cache_file = os.path.join(cache_dir, f"{project[:16]}-{tag}.marshal")
        self.cached: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self.used: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self.compiled = False
        self.listings: dict[str, set[str]] = {}
        self.started_ns = file_clock(cache_dir)
        try:
            with open(self.cache_file, "rb") as f:
                data = f.read()  # marshal.load(f) would read it in tiny pieces
        except OSError:
            return
        checksum, payload = data[:64], data[64:]
        if checksum != _sha256(payload).encode():
            return
        import marshal

        try:
            loaded = marshal.loads(payload)
        except Exception:
            return
        if isinstance(loaded, dict):
            self.cached = loaded

    def import_module(self, name: str, package: str | None = None) -> Any:
        import importlib

        if package is None and name not in sys.modules:
            module = self._load(name)
            if module is not None:
                return module
        return importlib.import_module(name, package)

    def _load(self, name: str) -> Any:
        import importlib.machinery as machinery

        parent_name, _, child = name.rpartition(".")
        parent = sys.modules.get(parent_name) if parent_name else None
        search = getattr(parent, "__path__", None)
        if type(search) is not list or len(search) != 1:
            return None
        directory = search[0]
        if directory not in sys.path_importer_cache:
            machinery.PathFinder.find_spec(name, search)  # sets up the folder's finder
        finder = sys.path_importer_cache.get(directory)
        # the default finder, whose .py loader is the plain one (an import hook may install a
        # FileFinder with a loader that rewrites the code)
        if type(finder) is not machinery.FileFinder or any(
            suffix == ".py" and loader is not machinery.SourceFileLoader
            for suffix, loader in getattr(finder, "_loaders", [(".py", None)])
        ):
            return None
        for meta in sys.meta_path:
            if meta is machinery.PathFinder:
                break
            if meta in (machinery.BuiltinImporter, machinery.FrozenImporter):
                continue
            find_spec = getattr(meta, "find_spec", None)
            if find_spec is None or find_spec(name, search) is not None:
                return None
        else:
            return None
        names = self.listings.get(directory)
        if names is None:
            try:
                names = self.listings[directory] = set(os.listdir(directory))
            except OSError:
                return None
        suffixes = machinery.EXTENSION_SUFFIXES
        if (
            child + ".py" not in names
            or child in names
            or any(child + s in names for s in suffixes)
        ):
            return None
        path = os.path.join(directory, child + ".py")
        try:
            st = os.stat(path)
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_size)
        entry: Any = self.cached.get(path)
        if not (
            type(entry) is tuple
            and len(entry) == 2
            and entry[0] == stamp
            and isinstance(entry[1], type(_sha256.__code__))
        ):
            try:
                with open(path, "rb") as f:
                    code = compile(f.read(), path, "exec", dont_inherit=True)
            except (OSError, SyntaxError, ValueError):
                return None  # the import system raises the error itself
            entry = (stamp, code)
            self.compiled = True
        self.used[path] = entry
        loader = machinery.SourceFileLoader(name, path)
        spec = machinery.ModuleSpec(name, loader, origin=path)
        spec.has_location = True
        module = type(sys)(name)  # the attributes importlib's module_from_spec sets
        module.__loader__ = loader
        module.__package__ = parent_name
        module.__spec__ = spec
        module.__file__ = path
        module.__cached__ = spec.cached  # type: ignore[attr-defined]
        sys.modules[name] = module
        spec._initializing = True  # type: ignore[attr-defined]  # "partially initialized" errors
        try:
            exec(entry[1], module.__dict__)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        finally:
            spec._initializing = False  # type: ignore[attr-defined]
        module = sys.modules[name]
        setattr(parent, child, module)
        return module

    def save(self) -> None:
        """Write the cache file when a module was compiled (atomically; last writer wins)."""
        if not (self.compiled or len(self.used) != len(self.cached)):
            with contextlib.suppress(OSError):
                os.utime(self.cache_file)  # in use: the hook's cache pruning keeps it
            return
        import marshal
        import tempfile

        directory = os.path.dirname(self.cache_file)
        _remove_stale_temporaries(directory)
        tmp = None
        try:
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".code-")
            # a source changed in the clock tick this run started in may have changed again
            # after it was read, with the same stamp: the next run compiles it again
            settled = {p: e for p, e in self.used.items() if e[0][1] < self.started_ns}
            payload = marshal.dumps(settled)
            with os.fdopen(fd, "wb") as f:
                f.write(_sha256(payload).encode() + payload)
            os.replace(tmp, self.cache_file)
        except (OSError, ValueError):  # a read-only cache only costs speed
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def file_clock(directory: str) -> int:
    """Now, as the ctime (ns) of a file made now in `directory`: file times come from a coarser
    clock than `time.time_ns()`, so only a file's own time compares safely with other files'
    times. 0 (older than any file) when no file can be made there."""
    import tempfile

    try:
        os.makedirs(directory, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory) as f:
            return os.fstat(f.fileno()).st_ctime_ns
    except OSError:
        return 0


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _remove_stale_temporaries(directory: str, max_age: float = 3600.0) -> None:
    """Temporary files of writers that were stopped mid-write (the hook stops a runner whose
    result the cache turned out to have)."""
    import time

    now = time.time()
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.startswith(".code-"):
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime > max_age:
                        os.unlink(entry.path)
