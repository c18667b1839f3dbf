"""``detente data list|show|sources|systems``: the bundled datasets and their provenance."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from detente import jsonio
from detente.errors import InputError
from detente.model.catalog import force_names, load_force, sources, system_table, systems
from detente.model.force import Force, Holding, System
from detente.model.provenance import Provenance, Sourced

data_app = typer.Typer(
    help="Bundled data: forces, the systems catalogue and the bibliography.",
    no_args_is_help=True,
)

#: One-letter marks for the status of a number in tables.
STATUS_MARK = {"official": "O", "estimate": "E", "derived": "D", "assumption": "A"}
#: Narrowest the holding name, its kind and a number cell ("1,718 A") may become [characters].
NAME_WIDTH, KIND_WIDTH, NUMBER_WIDTH = 12, 6, 7
#: Terminals narrower than this get the holdings table with short headers [characters].
WIDE = 110
SHORT_HEADERS = (
    "dep./n-dep./test: deployed, non-deployed and test launchers; load: warheads per launcher; "
    "w/h: warheads; d2d/gen: alert fraction day-to-day/generated."
)

LEGEND = (
    "Status: O official, E estimate, D derived, A assumption; "
    "n/f not found in the sources consulted."
)


class Format(enum.StrEnum):
    """Output formats of ``detente data show``."""

    table = "table"
    json = "json"


def number_text(x: float | None) -> str:
    """A count as table text: whole numbers with thousands separators, else two decimals.

    Examples
    --------
    >>> number_text(1550.0), number_text(0.75), number_text(None)
    ('1,550', '0.75', '')
    """
    if x is None:
        return ""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _cell(value: Any, prov: Provenance | None) -> str:
    """A number with its status mark, ``n/f`` when not found, blank when not given."""
    if value is None:
        return "n/f" if prov is not None else ""
    mark = STATUS_MARK.get(prov.status, "") if prov is not None and prov.status else ""
    return f"{number_text(value)} {mark}".rstrip()


def _field(model: Sourced, name: str) -> str:
    return _cell(getattr(model, name), model.provenance.get(name))


def number_dict(value: Any, prov: Provenance | None) -> dict[str, Any]:
    """``{value, source, status, low, high, note}`` of one number, leaving out empty parts."""
    out: dict[str, Any] = {"value": value}
    if prov is not None:
        out.update(prov.model_dump(exclude_none=True))
        out["source"] = list(prov.source)
        if not out["source"]:
            del out["source"]
    return out


def numbers_dict(model: Sourced) -> dict[str, Any]:
    """Every number of ``model`` with its provenance, nested by field."""
    out: dict[str, Any] = {}
    for path, value, prov in model.sourced_values():
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = number_dict(value, prov)
    return out


def _unknown_loading(holding: Holding) -> bool:
    return bool(holding.launchers.deployed) and holding.loading is None and holding.warheads is None


def _nuclear_offensive(force: Force, table: dict[str, System]) -> list[Holding]:
    """Holdings that can deliver nuclear warheads now: no interceptors, and none whose
    launchers are known to carry no nuclear warhead (conventional missiles such as the DF-21 or
    Typhon, or the 9M729 with its warheads in storage), which are held for treaty counting."""
    return [
        h
        for h in force.holdings
        if table[h.system].category != "interceptor"
        and (_unknown_loading(h) or h.deployed_warheads > 0 or not h.launchers.deployed)
    ]


def force_summary(force: Force) -> dict[str, Any]:
    """Deployed launchers and warheads of a force's nuclear offensive holdings.

    Interceptors and holdings whose launchers carry no nuclear warhead (conventional or stored
    apart) are left out. ``deployed_warheads`` sums the warheads actually on deployed launchers
    (not a treaty count) of the holdings whose loading is known; ``warheads_partial`` is true
    when some deployed holding's loading is not known (its warheads are left out, never counted
    as 0). A force without holdings (known only by its warhead total) has ``None`` (not found)
    for both, never zero.
    """
    held = _nuclear_offensive(force, system_table(force))
    known = force.holdings_known
    return {
        "name": force.name,
        "party": force.party,
        "as_of": force.as_of.isoformat(),
        "deployed_launchers": sum(h.launchers.deployed for h in held) if known else None,
        "deployed_warheads": (
            sum(h.deployed_warheads or 0.0 for h in held if not _unknown_loading(h))
            if known
            else None
        ),
        "warheads_partial": any(_unknown_loading(h) for h in held),
        "stockpile": force.stockpile.total,
        "description": force.description,
    }


def force_dict(force: Force) -> dict[str, Any]:
    """A force as plain data: every number with its provenance, systems named."""
    table = system_table(force)
    holdings = []
    for h in force.holdings:
        system = table[h.system]
        holdings.append(
            {
                "system": h.system,
                "name": h.name,
                "system_name": system.name,
                "category": system.category,
                "basing": system.basing,
                **numbers_dict(h),
                "deployed_warheads": h.deployed_warheads,
                "notes": h.notes,
            }
        )
    return {
        **force_summary(force),
        "holdings": holdings,
        "stockpile": numbers_dict(force.stockpile),
        "sources": list(force.sources),
        "notes": force.notes,
    }


@data_app.command("list")
def list_forces() -> None:
    """The bundled forces with their deployed launchers and warheads."""
    table = Table(
        title="Bundled forces",
        caption="+: some deployed holdings' loading not known; n/f: no launchers per system found",
    )
    table.add_column("name", no_wrap=True)
    table.add_column("party", no_wrap=True)
    table.add_column("as of", no_wrap=True)
    table.add_column("deployed launchers", justify="right", no_wrap=True)
    table.add_column("deployed warheads", justify="right", no_wrap=True)
    table.add_column("stockpile", justify="right", no_wrap=True)
    table.add_column("description", min_width=24, ratio=1)
    for name in force_names():
        s = force_summary(load_force(name))
        table.add_row(
            s["name"],
            s["party"],
            s["as_of"],
            number_text(s["deployed_launchers"]) or "n/f",
            (number_text(s["deployed_warheads"]) or "n/f") + ("+" if s["warheads_partial"] else ""),
            number_text(s["stockpile"]),
            escape(s["description"] or ""),
        )
    Console().print(table)


def _provenance_rows(prefix: str, model: Sourced) -> Iterable[tuple[str, ...]]:
    for path, value, prov in model.sourced_values():
        if prov is None:
            yield (f"{prefix}{path}", number_text(value), "", "", "", "")
            continue
        span = (
            ""
            if prov.low is None and prov.high is None
            else f"{number_text(prov.low)}-{number_text(prov.high)}"
        )
        yield (
            f"{prefix}{path}",
            "n/f" if value is None else number_text(value),
            prov.status or "",
            ", ".join(prov.source),
            span,
            prov.note or "",
        )


def _print_force(force: Force, console: Console) -> None:
    table = system_table(force)
    console.print(f"[bold]{escape(force.name)}[/bold]  {force.party}, as of {force.as_of}")
    if force.description:
        console.print(escape(force.description))
    # Names fold but never vanish: they keep a minimum width, and a narrow terminal gets short
    # headers (explained in the caption) and no rules between columns.
    headers = ("deployed", "non-dep.", "test", "loading", "warheads", "alert d2d", "alert gen")
    if console.width < WIDE:
        headers = ("dep.", "n-dep.", "test", "load", "w/h", "d2d", "gen")
        holdings = Table(
            title="Holdings",
            caption=f"{SHORT_HEADERS} {LEGEND}",
            box=box.SIMPLE_HEAD,
            padding=(0, 0),
            show_edge=False,
        )
    else:
        holdings = Table(title="Holdings", caption=LEGEND)
    holdings.add_column("holding", overflow="fold", min_width=NAME_WIDTH)
    holdings.add_column("kind", overflow="fold", min_width=KIND_WIDTH, max_width=KIND_WIDTH * 2)
    for name in headers:
        holdings.add_column(name, justify="right", min_width=NUMBER_WIDTH)
    for h in force.holdings:
        system = table[h.system]
        holdings.add_row(
            escape(h.name),
            f"{system.category} / {system.basing}",
            _field(h.launchers, "deployed"),
            _field(h.launchers, "non_deployed"),
            _field(h.launchers, "test"),
            _field(h, "loading"),
            _field(h, "warheads"),
            _field(h.alert, "day_to_day"),
            _field(h.alert, "generated"),
        )
    s = force_summary(force)
    if not force.holdings_known:
        console.print("No holdings: launchers per system were not found in the sources consulted.")
        console.print("Counting, stability and upload need holdings; the warhead totals are below.")
    else:
        console.print(holdings)
        console.print(
            "Deployed with nuclear warheads (interceptors and launchers without them left out): "
            f"{number_text(s['deployed_launchers'])} launchers, "
            f"{number_text(s['deployed_warheads'])}{'+' if s['warheads_partial'] else ''} warheads"
        )
    numbers = Table(title="Every number and its provenance")
    numbers.add_column("field", overflow="fold")
    numbers.add_column("value", justify="right", no_wrap=True)
    for name in ("status", "source", "low-high", "note"):
        numbers.add_column(name, overflow="fold")
    rows = [row for h in force.holdings for row in _provenance_rows(f"{h.name}.", h)]
    rows += list(_provenance_rows("stockpile.", force.stockpile))
    for row in rows:
        numbers.add_row(*(escape(x) for x in row))
    console.print(numbers)
    if force.notes:
        console.print(f"Notes: {escape(force.notes)}")
    if force.sources:
        console.print(f"Sources: {escape(', '.join(force.sources))} (see `detente data sources`)")


@data_app.command("show")
def show_force(
    force: str = typer.Argument(help="Bundled force name or path to a force YAML file."),
    format: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
) -> None:
    """A force's holdings by system, with the status and source of every number."""
    loaded = load_force(force)
    if format is Format.json:
        typer.echo(jsonio.dumps(force_dict(loaded), indent=2))
    else:
        _print_force(loaded, Console())


@data_app.command("sources")
def list_sources(
    source_id: str | None = typer.Argument(None, help="Show one source in full."),
) -> None:
    """The bibliography: every source cited by the bundled data."""
    known = sources()
    console = Console()
    if source_id is not None:
        if source_id not in known:
            raise InputError(f"unknown source id {source_id!r} (see `detente data sources`)")
        s = known[source_id]
        fields = ("id", "publisher", "authors", "title", "date", "volume", "issue", "pages", "doi")
        for key in (*fields, "url"):
            value = getattr(s, key)
            if value is not None:
                console.print(f"[bold]{key}[/bold]: {escape(str(value))}", soft_wrap=True)
        for via in s.via:
            console.print(f"[bold]read via[/bold] {escape(via.text())}", soft_wrap=True)
        if s.notes is not None:
            console.print(f"[bold]notes[/bold]: {escape(s.notes)}", soft_wrap=True)
        return
    table = Table(
        title=f"Sources ({len(known)})",
        caption="Each entry is the primary publication; 'read via' names the copy the text was "
        "read in when it was not read at the publisher.",
    )
    table.add_column("id", no_wrap=True)
    for name in ("reference", "url", "read via"):
        table.add_column(name, overflow="fold")
    for sid in sorted(known):
        s = known[sid]
        via = "; ".join(v.text() for v in s.via)
        table.add_row(sid, escape(s.reference()), s.url or "", escape(via))
    console.print(table)


def _warheads_text(system: System) -> str:
    parts = []
    for w in system.warheads:
        prov = w.provenance.get("yield_kt")
        if w.yield_kt is not None:
            kt = f"{number_text(w.yield_kt)} kt"
        elif prov is not None and (prov.low is not None or prov.high is not None):
            kt = f"{number_text(prov.low)}-{number_text(prov.high)} kt"
        else:
            kt = "yield n/f"
        parts.append(f"{w.name} ({kt})")
    return "; ".join(parts)


@data_app.command("systems")
def list_systems(
    party: str | None = typer.Option(None, "--party", "-p", help="Only this party (US, RU, ...)."),
) -> None:
    """The systems catalogue with range, maximum loading and warheads."""
    catalogue = systems()
    chosen = [s for s in catalogue.values() if party is None or s.party == party.upper()]
    if not chosen:
        parties = ", ".join(sorted({s.party for s in catalogue.values()}))
        raise InputError(f"no systems for party {party!r}; parties: {parties}")
    table = Table(title="Systems catalogue", caption=LEGEND)
    table.add_column("id", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("party", no_wrap=True)
    table.add_column("kind", overflow="fold")
    for name in ("range km", "max load", "psi"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("warheads", overflow="fold")
    for s in chosen:
        table.add_row(
            s.id,
            escape(s.name),
            s.party,
            f"{s.category} / {s.basing}",
            _field(s, "range_km"),
            _field(s, "max_loading"),
            _field(s, "hardness_psi"),
            escape(_warheads_text(s)),
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add ``data list|show|sources|systems|history`` to ``app``."""
    from detente.cli.history import register_history

    register_history(data_app)
    app.add_typer(data_app, name="data")
