"""The bundled data the web app serves, read once and kept in memory (never re-read per request).

Requests name forces and treaties only by their bundled names; every name is checked against
the bundled lists here before anything is loaded, so no request can make the server open a
file of its choosing. The cached objects are immutable (frozen pydantic models), so sharing
them between requests shares no state a user can change.
"""

from __future__ import annotations

import functools
from typing import Any

from detente.errors import InputError
from detente.model.catalog import DATA_DIR, force_names, load_force, sources, systems
from detente.model.force import Force
from detente.model.treaties import load_treaty, treaty_names
from detente.model.treaty import Treaty

#: The repository's examples folder (absent from an installed wheel: then there are no presets).
EXAMPLES_DIR = DATA_DIR.parent.parent.parent / "examples"


class UnknownNameError(InputError):
    """A bundled name that does not exist; the message lists the allowed names."""


@functools.cache
def forces() -> tuple[str, ...]:
    """Names of the bundled forces."""
    return tuple(force_names())


@functools.cache
def example_treaties() -> tuple[str, ...]:
    """The example treaties, named as the example scenarios name them (``treaties/x.yaml``)."""
    folder = EXAMPLES_DIR / "treaties"
    if not folder.is_dir():
        return ()
    return tuple(f"treaties/{p.name}" for p in sorted(folder.glob("*.yaml")))


@functools.cache
def treaties() -> tuple[str, ...]:
    """Names of the bundled treaties, then the example treaties (``treaties/x.yaml``)."""
    return (*treaty_names(), *example_treaties())


def _check(name: str, allowed: tuple[str, ...], kind: str, field: str | None) -> str:
    if name not in allowed:
        raise UnknownNameError(
            f"unknown {kind} {name!r}; bundled: {', '.join(allowed)}", field=field
        )
    return name


def force(name: str, field: str | None = None) -> Force:
    """The bundled force ``name`` (from memory after the first time), or
    :class:`UnknownNameError`."""
    return _force(_check(name, forces(), "force", field))


def treaty(name: str, field: str | None = None) -> Treaty:
    """The bundled treaty ``name`` (from memory after the first time), or
    :class:`UnknownNameError`."""
    return _treaty(_check(name, treaties(), "treaty", field))


@functools.cache
def _force(name: str) -> Force:
    return load_force(name)


@functools.cache
def _treaty(name: str) -> Treaty:
    return load_treaty(EXAMPLES_DIR / name if name in example_treaties() else name)


def check_force_name(name: str, field: str | None = None) -> str:
    """``name`` if it is a bundled force, else :class:`UnknownNameError`."""
    return _check(name, forces(), "force", field)


@functools.cache
def force_summaries() -> tuple[dict[str, Any], ...]:
    """Name, party, date and description of each bundled force."""
    out = []
    for name in forces():
        f = _force(name)
        out.append(
            {
                "name": name,
                "party": f.party,
                "as_of": f.as_of.isoformat(),
                "description": f.description,
            }
        )
    return tuple(out)


@functools.cache
def force_json(name: str) -> dict[str, Any]:
    """A bundled force as JSON (call with a checked name)."""
    return _force(name).model_dump(mode="json")


@functools.cache
def systems_json() -> dict[str, dict[str, Any]]:
    """The systems catalogue as JSON, by id."""
    return {k: s.model_dump(mode="json") for k, s in systems().items()}


@functools.cache
def treaty_summaries() -> tuple[dict[str, Any], ...]:
    """Id, name, status, signature date, limits and bans of each bundled or example treaty."""
    out = []
    for name in treaties():
        t = _treaty(name)
        out.append(
            {
                "id": name,
                "name": t.name,
                "status": t.status,
                "signed": t.signed.isoformat() if t.signed else None,
                "limits": [x.id for x in t.limits],
                "bans": [x.id for x in t.bans],
            }
        )
    return tuple(out)


@functools.cache
def treaty_json(name: str) -> dict[str, Any]:
    """A bundled treaty as JSON (call with a checked name)."""
    return _treaty(name).model_dump(mode="json")


@functools.cache
def source_list() -> tuple[dict[str, Any], ...]:
    """The bibliography as JSON-ready entries, sorted by id."""
    return tuple(s.model_dump(mode="json") for _, s in sorted(sources().items()))


@functools.cache
def example_texts() -> dict[str, str]:
    """Text of each example scenario file ``examples/*.yaml``, by file stem (read once)."""
    if not EXAMPLES_DIR.is_dir():
        return {}
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(EXAMPLES_DIR.glob("*.yaml"))}


@functools.lru_cache(maxsize=64)
def history_json(
    parties: tuple[str, ...], quantity: str, producers: tuple[str, ...], editions: str
) -> dict[str, Any]:
    """The history payload of one quantity with its plotly figure (as ``detente data history``).

    Cached per selection; every name is checked by :func:`detente.analysis.history.history`
    (an unknown one is an :class:`InputError`, a 422).
    """
    import json

    from detente.analysis.history import history, history_payload, milestones
    from detente.report.history_figures import history_figure

    frame = history(list(parties) or None, quantity, list(producers) or None, editions)
    events = milestones()
    return {
        **history_payload(frame, events),
        "figure": json.loads(history_figure(frame, quantity, events).to_json()),
    }
