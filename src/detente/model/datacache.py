"""A disk cache of what is built from the bundled data files, so a one-off answer skips the work.

Parsing and validating the bundled YAML (``detente/data``) costs more than the answer itself.
:func:`cached` stores what was built from a set of files under a key that is the SHA-256 of
those files' names and contents, of the code that reads them (every module of
:mod:`detente.model` and :mod:`detente.errors`, and the modules an entry names in ``code``)
and of the Python, PyYAML and pydantic versions. A changed byte in any of them is another key,
so an entry is never stale: it is rebuilt, never patched.

Besides validated model objects, entries hold plain data prepared from them: the stability
inputs of each bundled force (:mod:`detente.analysis.prepared`), which a one-off
``detente stability`` reads back without importing pydantic or the data model (this module
imports neither).

Where: ``$DETENTE_CACHE_DIR`` if set; else ``$XDG_CACHE_HOME/detente`` or
``~/.cache/detente``, and if that cannot be written, a folder of this user's own in the
temporary directory (created private and used only while it is this user's alone). Without
either, nothing is cached.

Safety: entries are written to a temporary file and renamed into place, so concurrent
processes (pytest workers, Dask workers) never read half an entry; two processes that build
the same entry write the same content. They are read back with an unpickler that builds
nothing but plain data, dates and, where asked, the data classes of :mod:`detente.model`
(pydantic models and enums); a damaged or foreign entry is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import functools
import hashlib
import importlib
import importlib.util
import io
import os
import pickle
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # detente/
DATA_DIR = PACKAGE_DIR / "data"
#: The code whose behaviour the cached values depend on.
CODE_FILES = ("model/*.py", "errors.py")
_DATES = frozenset(("date", "datetime", "time", "timedelta", "timezone"))
#: Entries kept: past this, a write removes the least recently written down to :data:`KEEP`
#: (an entry removed while in use is only built again).
MAX_ENTRIES, KEEP = 512, 384


def cache_dir() -> Path:
    """The preferred cache folder: ``$DETENTE_CACHE_DIR``, else the user's cache directory
    (``$XDG_CACHE_HOME`` or ``~/.cache``) under ``detente``."""
    if os.environ.get("DETENTE_CACHE_DIR"):
        return Path(os.environ["DETENTE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "detente"


def _private_tmp() -> Path | None:
    """``<tmp>/detente-<uid>``, created mode 0700; ``None`` unless it is this user's alone."""
    import tempfile

    if not hasattr(os, "getuid"):
        return None
    folder = Path(tempfile.gettempdir()) / f"detente-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return folder if private and info.st_uid == os.getuid() else None


def _usable(folder: Path) -> bool:
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
    return os.access(folder, os.W_OK | os.X_OK)


def _root() -> Path | None:
    """The folder entries go in (see the module docstring), or ``None``: no cache."""
    preferred = cache_dir()
    if _usable(preferred):
        return preferred
    if os.environ.get("DETENTE_CACHE_DIR"):
        return None  # the folder asked for, or none
    return _private_tmp()


@functools.cache
def code_fingerprint(code: tuple[str, ...] = ()) -> bytes:
    """SHA-256 of the versions and the source of the code that builds cached values: the
    modules of :data:`CODE_FILES` and those of ``code`` (paths or patterns under ``detente/``,
    e.g. ``"analysis/elements.py"``)."""
    digest = hashlib.sha256(f"{sys.version}\0{pickle.HIGHEST_PROTOCOL}\0".encode())
    for dist in _distributions():
        digest.update(dist.encode() + b"\0")
    for pattern in (*CODE_FILES, *code):
        for file in sorted(PACKAGE_DIR.glob(pattern)):
            name = file.relative_to(PACKAGE_DIR).as_posix()
            digest.update(name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.digest()


def _distributions() -> list[str]:
    """The installed PyYAML, pydantic and pydantic-core, as their ``.dist-info`` folder names
    (which carry the versions), found without importing them."""
    try:
        origin = importlib.util.find_spec("pydantic").origin  # type: ignore[union-attr]
        entries = os.scandir(Path(origin).parent.parent)  # type: ignore[arg-type]
    except (AttributeError, ImportError, OSError, TypeError):
        return []
    with entries:
        return sorted(
            e.name
            for e in entries
            if e.name.lower().startswith(("pyyaml-", "pydantic-", "pydantic_core-"))
            and e.name.endswith(".dist-info")
        )


def entry_key(
    name: str, files: Iterable[Path] = (), data: bytes = b"", code: Iterable[str] = ()
) -> str:
    """The key of ``name`` built from ``files`` (and ``data``) by the model and ``code``
    (:func:`code_fingerprint`): a hex SHA-256.

    Raises
    ------
    OSError
        When a file cannot be read.
    """
    digest = hashlib.sha256(code_fingerprint(tuple(code)))
    digest.update(name.encode() + b"\0" + data)
    for file in files:
        info = os.stat(file)
        digest.update(_file_digest(str(file), info.st_mtime_ns, info.st_size, info.st_ino))
    return digest.hexdigest()


@functools.cache
def _file_digest(file: str, mtime_ns: int, size: int, inode: int) -> bytes:
    """SHA-256 of a file's name and content, read once per process while its status (time,
    size, inode) is unchanged; a file several entries depend on is read once."""
    content = Path(file).read_bytes()
    return hashlib.sha256(f"{Path(file).name}\0{len(content)}\0".encode() + content).digest()


class _Unpickler(pickle.Unpickler):
    """Builds plain data and dates only; with ``models``, also the data classes of
    :mod:`detente.model` (pydantic models and enums, which set their fields and run no code)."""

    def __init__(self, file: io.BytesIO, models: bool) -> None:
        super().__init__(file)
        self.models = models

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _DATES:
            return getattr(datetime, name)
        if self.models and module.startswith("detente.model.") and name.isidentifier():
            from pydantic import BaseModel

            found = getattr(importlib.import_module(module), name, None)
            if isinstance(found, type) and issubclass(found, BaseModel | enum.Enum):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def read(key: str, *, models: bool = False) -> tuple[bool, Any]:
    """``(True, value)`` of the entry ``key``, or ``(False, None)`` if there is none or it is
    unusable (damaged, foreign, or holding anything but what :class:`_Unpickler` builds)."""
    root = _root()
    if root is None:
        return False, None
    try:
        raw = (root / f"{key}.pickle").read_bytes()
        return True, _Unpickler(io.BytesIO(raw), models).load()
    except Exception:  # missing, unreadable or damaged: build again
        return False, None


def write(key: str, value: Any) -> None:
    """Store an entry atomically (write aside, then rename); a cache that cannot be written is
    skipped."""
    root = _root()
    if root is None:
        return
    import tempfile

    name = None
    try:
        with tempfile.NamedTemporaryFile(dir=root, prefix=".tmp-", delete=False) as tmp:
            name = tmp.name
            pickle.dump(value, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(name, root / f"{key}.pickle")
    except Exception:  # full disk, a value that cannot be pickled: no cache
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)
    _prune(root)


def _prune(root: Path) -> None:
    """Keep the folder small: past :data:`MAX_ENTRIES` entries (after code or data changes),
    remove the least recently written ones (and temporary files a killed process left)."""
    with contextlib.suppress(OSError):
        with os.scandir(root) as it:
            files = [(e.stat().st_mtime, e.path) for e in it if e.is_file()]
        if len(files) <= MAX_ENTRIES:
            return
        for _, path in sorted(files)[: len(files) - KEEP]:
            with contextlib.suppress(OSError):
                os.unlink(path)


def cached(
    name: str,
    files: Iterable[Path],
    build: Callable[[], T],
    *,
    models: bool,
    code: Iterable[str] = (),
) -> T:
    """``build()``, or the value it returned before for the same ``files`` and code.

    Parameters
    ----------
    name : str
        What is built (part of the key), e.g. ``"force:us-2025"``.
    files : iterable of Path
        Every file ``build`` reads.
    build : callable
        Builds the value; its errors propagate (nothing is stored).
    models : bool
        Whether the value holds :mod:`detente.model` classes (else plain data and dates).
    code : iterable of str
        Modules outside :mod:`detente.model` whose code ``build`` runs (paths or patterns under
        ``detente/``): a change to them is another key.
    """
    try:
        key = entry_key(name, files, code=code)
    except OSError:
        return build()  # build reports the unreadable file
    found, value = read(key, models=models)
    if not found:
        value = build()
        write(key, value)
    return value
