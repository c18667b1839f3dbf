"""The bundled treaties and the loading of treaty files (bundled name or YAML path)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from detente.model.catalog import DATA_DIR, _resolve, check_source_ids
from detente.model.treaty import Treaty
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


def treaty_from_document(doc: Document) -> Treaty:
    """Validate a parsed treaty file: schema, source ids, unique ids.

    A file without ``id`` takes its file name's stem.
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
