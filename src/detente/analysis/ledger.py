"""The ledger of an assessment: every number it uses, where it comes from, and what it cites.

Each :class:`LedgerEntry` names what holds the number (a force, a system, a treaty, the model or
the scenario), its value and its provenance (``official``, ``estimate``, ``derived``,
``assumption``; ``unsourced`` when nothing is given). :func:`ledger` collects the entries of a
resolved scenario; each section of :func:`detente.analysis.assess.assess` adds its own, and
:func:`cited_sources` turns them into the bibliography.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detente.model import parameters
from detente.model.catalog import Source, sources, system_table
from detente.model.provenance import Provenance, Sourced

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis.scenario import ResolvedScenario

#: Model constants of the calculus and of the default w80, as (group, name) in parameters.yaml.
MODEL_CONSTANTS = (
    *(("kent_thaler", k) for k in ("de", "kmax", "alpha", "surcharge", "avail", "lua_escape")),
    ("value_damage", "assured_destruction_emt"),
)
#: Columns of the bibliography table (:func:`sources_frame`), before ``read_via``.
SOURCE_COLUMNS = (
    "id", "publisher", "title", "date", "url", "authors", "volume", "issue", "pages", "doi",
)  # fmt: skip


@dataclass(frozen=True)
class LedgerEntry:
    """One number used by the assessment and where it comes from.

    Attributes
    ----------
    scope : str
        What holds the number: a force, ``system <id>``, ``treaty <id>``, ``model`` or
        ``scenario``.
    quantity : str
        Readable dotted name (``minuteman-iii launchers.deployed``).
    value : Any
    status : str
        ``official``, ``estimate``, ``derived``, ``assumption`` or ``unsourced``.
    sources : tuple of str
    note : str
    """

    scope: str
    quantity: str
    value: Any
    status: str
    sources: tuple[str, ...] = ()
    note: str = ""

    @property
    def assumption(self) -> bool:
        """Marked as an assumption (or carrying no source at all)."""
        return self.status in ("assumption", "unsourced")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {**self.__dict__, "sources": list(self.sources)}


def joined(row: dict[str, Any]) -> dict[str, Any]:
    """Tuples of ids as space-separated text (a CSV cell)."""
    return {k: " ".join(v) if isinstance(v, tuple) else v for k, v in row.items()}


def flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as one level, keys joined by ``_``."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update(flat(v, f"{prefix}{k}_"))
        else:
            out[f"{prefix}{k}"] = v
    return out


def sourced_entries(
    scope: str, model: Sourced, rename: Callable[[str], str] = str
) -> Iterable[LedgerEntry]:
    """An entry for every non-null sourced value of ``model``, named by ``rename(path)``."""
    for path, value, prov in model.sourced_values():
        if value is None:
            continue
        yield entry(scope, rename(path), value, prov)


def entry(scope: str, quantity: str, value: Any, prov: Provenance | None) -> LedgerEntry:
    """An entry with the provenance ``prov`` (``unsourced`` when it gives no source or status)."""
    if prov is None or not (prov.source or prov.status):
        return LedgerEntry(scope, quantity, value, "unsourced", (), "no source given")
    return LedgerEntry(
        scope, quantity, value, prov.status or "sourced", prov.source, prov.note or ""
    )


def ledger(resolved: ResolvedScenario) -> list[LedgerEntry]:
    """Every number the assessment uses, with its provenance.

    Forces after modification (holdings and stockpile), the systems they hold, the treaty's
    limits, the model constants (the scenario's or ``data/parameters.yaml``'s), the scenario's
    ``w80`` and defences, and its uncertain inputs.
    """
    out: list[LedgerEntry] = []
    systems_seen: set[str] = set()
    for party in resolved.parties:
        force = party.force

        def rename(path: str, force=force) -> str:
            parts = path.split(".")
            if parts[0] == "holdings":
                return ".".join([force.holdings[int(parts[1])].name, *parts[2:]])
            return path

        out += sourced_entries(force.name, force, rename)
        table = system_table(force)
        for h in force.holdings:
            if h.system not in systems_seen:
                systems_seen.add(h.system)
                out += sourced_entries(f"system {h.system}", table[h.system])
        spec = party.spec
        if spec.w80 is not None:
            prov = spec.provenance.get("w80") or Provenance(
                status="assumption", note=f"w80 of {party.label} set by the scenario"
            )
            out.append(entry("scenario", f"{party.label} w80", spec.w80, prov))
        if spec.defense is not None:
            for path, value, prov in spec.defense.sourced_values():
                prov = prov or Provenance(status="assumption", note="set by the scenario")
                out.append(entry("scenario", f"{party.label} defense.{path}", value, prov))
    if resolved.treaty is not None:
        t = resolved.treaty
        out += sourced_entries(f"treaty {t.id}", t)
    given = resolved.scenario.parameters
    for group, name in MODEL_CONSTANTS:
        if name in given.model_fields_set:
            prov = given.provenance.get(name) or Provenance(
                status="assumption", note=f"{name} set by the scenario"
            )
            out.append(entry("scenario", f"parameters.{name}", getattr(given, name), prov))
        else:
            prov = parameters.provenance(group, name)
            out.append(entry("model", f"{group}.{name}", parameters.default(group, name), prov))
    if len(resolved.parties) > 2:
        given = "reserve" in resolved.scenario.parameters.model_fields_set
        origin = "set by the scenario" if given else "the multiparty kernel's default"
        prov = resolved.scenario.parameters.provenance.get("reserve") or Provenance(
            status="assumption",
            note=f"w80s each striker withholds against every armed third party ({origin})",
        )
        scope = "scenario" if given else "model"
        out.append(entry(scope, "parameters.reserve", resolved.reserve, prov))
    for x in resolved.inputs:
        d = x.dist
        prov = Provenance(source=d.source, status="assumption", note=d.note or "uncertain input")
        out.append(entry("scenario", f"uncertain {x.path}", d.describe(), prov))
    return out


def cited_sources(
    resolved: ResolvedScenario, entries: Iterable[LedgerEntry], extra: tuple[str, ...] = ()
) -> tuple[Source, ...]:
    """The bibliography: ``extra``, the forces' and the treaty's sources, then those of the
    entries, each once, in that order (ids not in the catalogue are left out)."""
    ids: list[str] = [*extra]
    for party in resolved.parties:
        ids += party.force.sources
    if resolved.treaty is not None:
        ids += resolved.treaty.sources
    for e in entries:
        ids += e.sources
    known = sources()
    return tuple(known[i] for i in dict.fromkeys(ids) if i in known)


def ledger_frame(entries: Iterable[LedgerEntry]) -> pd.DataFrame:
    """Every number used, its status, sources and note."""
    import pandas as pd

    rows = [{**e.to_dict(), "sources": " ".join(e.sources)} for e in entries]
    return pd.DataFrame(rows, columns=["scope", "quantity", "value", "status", "sources", "note"])


def sources_frame(cited: Iterable[Source]) -> pd.DataFrame:
    """The bibliography as a table, with where each source was read (``read_via``)."""
    import pandas as pd

    cols = list(SOURCE_COLUMNS)
    rows = [{**{c: _text(getattr(s, c)) for c in cols}, "read_via": s.via_text()} for s in cited]
    return pd.DataFrame(rows, columns=[*cols, "read_via"])


def _text(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v
