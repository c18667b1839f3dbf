"""The bundled datasets and the resolution of names to files.

``FORCE`` and ``TREATY`` arguments everywhere are either a bundled name (``us-2025``,
``new-start``) or a path to a YAML file. Every number in a bundled file points to
``data/sources.yaml``; unknown ids are errors that name file, line and field.

The validated sources, systems and bundled forces are kept in :mod:`detente.model.datacache`,
keyed by the files each is built from, so a one-off answer neither parses nor validates them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from detente.errors import InputError
from detente.model import datacache
from detente.model.bibliography import Source
from detente.model.force import Force, Holding, System
from detente.model.provenance import is_sourced_value
from detente.model.yamlio import Document, Path_, load_yaml, validate

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
FORCES_DIR = DATA_DIR / "forces"
SOURCES_FILES = ("sources.yaml",)
#: Numbers within this relative margin of a system's maximum loading are accepted (rounding).
LOADING_TOLERANCE = 1e-9


class _SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)
    sources: dict[str, dict[str, Any]]


class _SystemsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)
    systems: tuple[System, ...]


def _sources_files() -> list[Path]:
    return sorted(DATA_DIR.glob("sources*.yaml"))


def _systems_files() -> list[Path]:
    """The files the systems catalogue is built from (its own and the sources it cites)."""
    return [*sorted(DATA_DIR.glob("systems*.yaml")), *_sources_files()]


@functools.cache
def sources() -> dict[str, Source]:
    """Every source cited by the bundled data, by id."""
    return datacache.cached("sources", _sources_files(), _build_sources, models=True)


@functools.cache
def source_ids() -> frozenset[str]:
    """The ids of :func:`sources` (kept apart in the cache: checking references needs no more)."""
    return datacache.cached(
        "source-ids", _sources_files(), lambda: frozenset(sources()), models=False
    )


def _build_sources() -> dict[str, Source]:
    out: dict[str, Source] = {}
    for path in _sources_files():
        doc = load_yaml(path)
        validate(_SourcesFile, doc)
        for sid, entry in doc.data["sources"].items():
            if sid in out:
                raise doc.error(("sources", sid), f"source id {sid!r} is defined twice")
            sub = doc.sub(("sources", sid))
            out[sid] = validate(Source, Document({"id": sid, **entry}, doc.file, sub.lines))
    return out


def iter_source_refs(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every source id referenced in raw data: ``{value, source}`` pairs and ``sources`` lists."""
    if isinstance(data, Mapping):
        if is_sourced_value(data) and "source" in data:
            refs = data["source"]
            for i, ref in enumerate([refs] if isinstance(refs, str) else refs or []):
                yield ((*path, "source") if isinstance(refs, str) else (*path, "source", i)), ref
        for key, value in data.items():
            if key == "sources" and isinstance(value, list):
                for i, ref in enumerate(value):
                    if isinstance(ref, str):
                        yield (*path, key, i), ref
            elif not (is_sourced_value(data) and key == "source"):
                yield from iter_source_refs(value, (*path, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from iter_source_refs(item, (*path, i))


def iter_inline_source_refs(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every id under a ``source`` key at any depth, one id or a list: the ids of models that
    carry their provenance next to their other fields
    (:class:`~detente.model.provenance.CompleteProvenance`).

    Examples
    --------
    >>> list(iter_inline_source_refs({"a": [{"per_year": 10, "source": ["x", "y"]}]}))
    [(('a', 0, 'source', 0), 'x'), (('a', 0, 'source', 1), 'y')]
    """
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "source" and isinstance(value, str):
                yield (*path, key), value
            elif key == "source" and isinstance(value, list):
                yield from (((*path, key, i), v) for i, v in enumerate(value))
            else:
                yield from iter_inline_source_refs(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from iter_inline_source_refs(value, (*path, i))


def check_source_ids(doc: Document, refs: Iterable[tuple[Path_, str]] | None = None) -> None:
    """Raise a located :class:`InputError` for the first unknown source id in ``doc``.

    ``refs``: the (path, id) pairs to check; default :func:`iter_source_refs` of its data.
    """
    known = source_ids()
    for path, ref in iter_source_refs(doc.data) if refs is None else refs:
        if ref not in known:
            raise doc.error(path, f"unknown source id {ref!r} (see data/sources.yaml)")


@functools.cache
def systems() -> dict[str, System]:
    """The bundled systems catalogue, by id: every ``data/systems*.yaml``, ids unique."""
    return datacache.cached("systems", _systems_files(), _build_systems, models=True)


def _build_systems() -> dict[str, System]:
    out: dict[str, System] = {}
    for path in sorted(DATA_DIR.glob("systems*.yaml")):
        doc = load_yaml(path)
        check_source_ids(doc)
        parsed = validate(_SystemsFile, doc)
        for i, system in enumerate(parsed.systems):
            if system.id in out:
                raise doc.error(("systems", i, "id"), f"system id {system.id!r} is defined twice")
            out[system.id] = system
    return out


def force_names() -> list[str]:
    """Names of the bundled forces, sorted."""
    return sorted(p.stem for p in FORCES_DIR.glob("*.yaml"))


def looks_like_path(ref: str | Path) -> bool:
    """A reference is a path when it contains a ``/`` or ends with ``.yaml``/``.yml``; anything
    else is a bundled name, so a file in the working directory never shadows bundled data.

    Examples
    --------
    >>> looks_like_path("us-2025"), looks_like_path("./us-2025"), looks_like_path("f.yml")
    (False, True, True)
    """
    text = str(ref)
    return isinstance(ref, Path) or "/" in text or text.endswith((".yaml", ".yml"))


def _resolve(name_or_path: str | Path, folder: Path, kind: str, names: list[str]) -> Path:
    path = Path(name_or_path)
    if looks_like_path(name_or_path):
        if not path.is_file():
            raise InputError(f"{kind} file not found", file=path)
        return path
    bundled = folder / f"{name_or_path}.yaml"
    if bundled.is_file():
        return bundled
    raise InputError(
        f"unknown {kind} {str(name_or_path)!r}; bundled: {', '.join(names)} (or give a .yaml path)"
    )


def force_path(name_or_path: str | Path) -> Path:
    """The file behind a bundled force name or a path."""
    return _resolve(name_or_path, FORCES_DIR, "force", force_names())


def system_table(force: Force) -> dict[str, System]:
    """The catalogue extended (and shadowed) by the systems defined in ``force``."""
    return {**systems(), **{s.id: s for s in force.systems}}


def check_holding(holding: Holding, system: System, at: Path_, doc: Document) -> None:
    """Consistency of one holding with its system: loading within the system's maximum."""
    if system.max_loading is None:
        return
    limit = system.max_loading * (1 + LOADING_TOLERANCE)
    if holding.loading is not None and holding.loading > limit:
        raise doc.error(
            (*at, "loading"),
            f"loading {holding.loading:g} is above the maximum {system.max_loading:g} of "
            f"system {system.id!r}",
        )
    n = holding.launchers.deployed
    if holding.warheads is not None and holding.warheads > limit * n:
        raise doc.error(
            (*at, "warheads"),
            f"{holding.warheads:g} warheads on {n} deployed launchers exceed the maximum "
            f"loading {system.max_loading:g} of system {system.id!r}",
        )


def force_from_document(doc: Document) -> Force:
    """Validate a parsed force file: schema, source ids, systems and loadings."""
    check_source_ids(doc)
    data = doc.data
    if isinstance(data, Mapping) and "name" not in data and doc.file.endswith((".yaml", ".yml")):
        doc = Document({**data, "name": Path(doc.file).stem}, doc.file, doc.lines)
    force = validate(Force, doc)
    table = system_table(force)
    for i, holding in enumerate(force.holdings):
        at = ("holdings", i)
        system = table.get(holding.system)
        if system is None:
            raise doc.error(
                (*at, "system"),
                f"unknown system {holding.system!r} (see `detente data systems`)",
            )
        check_holding(holding, system, at, doc)
    return force


@functools.cache
def _bundled_force(path: Path) -> Force:
    return datacache.cached(
        f"force:{path.name}",
        [path, *_systems_files()],
        lambda: force_from_document(load_yaml(path)),
        models=True,
    )


def load_force(name_or_path: str | Path) -> Force:
    """A force from a bundled name (``us-2025``) or a YAML path."""
    path = force_path(name_or_path)
    if path.parent.resolve() == FORCES_DIR.resolve():
        return _bundled_force(path.resolve())
    return force_from_document(load_yaml(path))
