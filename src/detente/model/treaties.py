"""The bundled treaties and the loading of treaty files (bundled name or YAML path)."""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path

from detente.errors import InputError
from detente.model.catalog import DATA_DIR, _resolve, check_source_ids, sources
from detente.model.treaty import DeclaredCount, DeclaredTable, Treaty
from detente.model.yamlio import Document, load_yaml, validate

TREATIES_DIR = DATA_DIR / "treaties"


def treaty_names() -> list[str]:
    """Names of the bundled treaties, sorted.

    Examples
    --------
    >>> "new-start" in treaty_names()
    True
    """
    return sorted(p.stem for p in TREATIES_DIR.glob("*.yaml"))


def treaty_path(name_or_path: str | Path) -> Path:
    """The file behind a bundled treaty name or a path."""
    return _resolve(name_or_path, TREATIES_DIR, "treaty", treaty_names())


def _check_unique(doc: Document, items: tuple, section: tuple, key: str, what: str) -> None:
    seen: set = set()
    for i, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            raise doc.error((*section, i, key), f"{what} {value!r} is given twice")
        seen.add(value)


def read_declared(table: DeclaredTable, folder: Path) -> tuple[DeclaredCount, ...]:
    """The declared counts in ``table`` (its file relative to ``folder``).

    Parameters
    ----------
    table : DeclaredTable
        File and the column of each limit.
    folder : Path
        Folder of the treaty file.

    Returns
    -------
    tuple of DeclaredCount
        One per row and non-empty count cell, with the row's sources and status.

    Raises
    ------
    InputError
        Missing file or column, a bad date or number, or an unknown source id (file and line).
    """
    path = folder / table.file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("declared-counts file not found", file=path) from None
    rows = csv.DictReader(text.splitlines())
    needed = ["date", "party", "source", "status", *table.columns.values()]
    missing = [c for c in needed if c not in (rows.fieldnames or [])]
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing)}", file=path, line=1)
    known = sources()
    out = []
    for line, row in enumerate(rows, start=2):
        refs = tuple(r for r in row["source"].split(";") if r)
        for ref in refs:
            if ref not in known:
                raise InputError(f"unknown source id {ref!r}", file=path, line=line, field="source")
        for limit, column in table.columns.items():
            if not row[column]:
                continue
            try:
                declared = DeclaredCount(
                    party=row["party"],
                    as_of=dt.date.fromisoformat(row["date"]),
                    limit=limit,
                    count={"value": float(row[column]), "source": refs, "status": row["status"]},
                )
            except ValueError as exc:
                raise InputError(str(exc).splitlines()[0], file=path, line=line) from None
            out.append(declared)
    return tuple(out)


def treaty_from_document(doc: Document, read_tables: bool = True) -> Treaty:
    """Validate a parsed treaty file: schema, source ids, unique ids, declared counts.

    A file without ``id`` takes its file name's stem. A ``declared_table`` is read relative
    to the file's folder; with ``read_tables=False`` (a treaty sent to the web API), or for a
    document that is not a file, naming one is an error: no request may read the disk.
    """
    check_source_ids(doc)
    data = doc.data
    if isinstance(data, Mapping) and "id" not in data and doc.file.endswith((".yaml", ".yml")):
        doc = Document({**data, "id": Path(doc.file).stem}, doc.file, doc.lines)
    treaty = validate(Treaty, doc)
    ids = (*treaty.limits, *treaty.bans)
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item.id in seen:
            at = ("limits", i) if i < len(treaty.limits) else ("bans", i - len(treaty.limits))
            raise doc.error((*at, "id"), f"limit or ban id {item.id!r} is given twice")
        seen.add(item.id)
    counting = treaty.counting
    _check_unique(doc, counting.attribution, ("counting", "attribution"), "system", "system")
    _check_unique(doc, counting.bomber_discount, ("counting", "bomber_discount"), "party", "party")
    if treaty.declared_table is not None:
        table = treaty.declared_table
        limit_ids = [x.id for x in treaty.limits]
        for limit in table.columns:
            if limit not in limit_ids:
                raise doc.error(
                    ("declared_table", "columns", limit),
                    f"no limit {limit!r}; limits: {', '.join(limit_ids)}",
                )
        folder = Path(doc.file).parent
        if not (read_tables and Path(doc.file).is_file()):
            raise doc.error(("declared_table",), "declared_table is read only from treaty files")
        declared = (*treaty.declared, *read_declared(table, folder))
        treaty = treaty.model_copy(update={"declared": declared})
    return treaty


@functools.cache
def _bundled_treaty(path: Path) -> Treaty:
    return treaty_from_document(load_yaml(path))


def load_treaty(name_or_path: str | Path) -> Treaty:
    """A treaty from a bundled name (``new-start``) or a YAML path.

    Examples
    --------
    >>> [limit.id for limit in load_treaty("new-start").limits]
    ['deployed_launchers', 'deployed_warheads', 'launchers']
    """
    path = treaty_path(name_or_path)
    if path.parent.resolve() == TREATIES_DIR.resolve():
        return _bundled_treaty(path.resolve())
    return treaty_from_document(load_yaml(path))
