"""Output files that are never lost: written to a temporary file, then renamed into place.

Every file the workbench writes (reports, ``results.json`` and CSV tables, sweep reports,
Parquet exports, HTML charts) goes through :func:`write_files` or :func:`atomic_output`: the
new content is written next to its destination and renamed over it only once it is complete,
so a full disk, a write error or an interrupt leaves the previous file whole. Destinations that
would destroy something are refused first, with one line: a path that is also an input (the
sweep store), a folder or device where a file goes, a place that cannot be written.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from detente.errors import InputError

#: Folder that reports of named scenarios go to by default.
REPORTS_DIR = Path("reports")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def report_folder(name: str, root: Path = REPORTS_DIR) -> Path:
    """The folder under ``root`` for a scenario ``name``: a name never leaves ``root``.

    Characters other than letters, digits, ``.``, ``_`` and ``-`` become ``-``; leading dots
    and dashes go, so ``..`` or ``/tmp/x`` cannot climb out.

    Examples
    --------
    >>> report_folder("new-start-expiry").as_posix()
    'reports/new-start-expiry'
    >>> report_folder("/tmp/x").as_posix(), report_folder("../../..").as_posix()
    ('reports/tmp-x', 'reports/scenario')
    """
    safe = _UNSAFE.sub("-", name).lstrip(".-")[:100].rstrip(".-")
    return root / (safe or "scenario")


def _new_file(folder: Path, name: str) -> Path:
    """An empty temporary file in ``folder`` with the permissions a new file gets."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
    finally:
        os.close(fd)
    return Path(tmp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_output(path: Path, *, inputs: Iterable[Path] = (), field: str = "--out") -> Path:
    """Refuse an output ``path`` that is an input, a folder or device, or not writable.

    Returns ``path``. The parent folder is created when missing.
    """
    path = Path(path)
    for source in inputs:
        if _same(path, Path(source)):
            raise InputError(
                f"the output would overwrite the input {source}; choose another file",
                file=path,
                field=field,
            )
    if path.is_dir():
        raise InputError("is a folder; give a file name", file=path, field=field)
    if path.exists() and not path.is_file():
        raise InputError("is not a regular file; give a file name", file=path, field=field)
    _writable_folder(path.parent, path, field)
    return path


def check_output_folder(folder: Path, *, field: str = "--out") -> Path:
    """Refuse an output ``folder`` that is a file or cannot be created or written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError("is a file, not a folder", file=folder, field=field)
    _writable_folder(folder, folder, field)
    return folder


def _writable_folder(folder: Path, target: Path, field: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the folder: {exc.strerror}", file=target, field=field
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError("cannot write here: permission denied", file=target, field=field)


@contextlib.contextmanager
def atomic_output(path: Path, *, field: str = "--out") -> Iterator[Path]:
    """A temporary path next to ``path``; renamed onto ``path`` when the block succeeds.

    Any :class:`OSError` (full disk, quota, I/O error) becomes an
    :class:`~detente.errors.InputError`; the temporary file is removed and ``path`` keeps its
    previous content.
    """
    path = Path(path)
    try:
        tmp = _new_file(path.parent, path.name)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=path, field=field) from None
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(
            f"cannot write: {exc.strerror or exc}; the previous file, if any, is unchanged",
            file=path,
            field=field,
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_text(path: Path, text: str, *, field: str = "--out") -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_output(path, field=field) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_files(
    folder: Path, writers: dict[str, Callable[[Path], None]], *, field: str = "--out"
) -> dict[str, Path]:
    """Write several files into ``folder``: all to temporary files first, then renamed.

    ``writers`` maps each file name to a function that writes it to the path it is given. When
    any write fails, no file of ``folder`` has changed.
    """
    folder = check_output_folder(folder, field=field)
    temps: dict[str, Path] = {}
    try:
        for name, write in writers.items():
            temps[name] = _new_file(folder, name)
            write(temps[name])
        for name, tmp in temps.items():
            os.replace(tmp, folder / name)
    except OSError as exc:
        raise InputError(
            f"cannot write: {exc.strerror or exc}; the previous files, if any, are unchanged",
            file=folder,
            field=field,
        ) from None
    finally:
        for tmp in temps.values():
            with contextlib.suppress(OSError):
                tmp.unlink()
    return {name: folder / name for name in writers}
