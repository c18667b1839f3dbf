"""``detente treaty list|show`` and ``detente count FORCE --treaty TREATY``."""

from __future__ import annotations

import enum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from detente import jsonio
from detente.analysis.counting import CountResult, count
from detente.cli.data import number_text
from detente.errors import InputError
from detente.model.catalog import force_path, load_force, sources, system_table
from detente.model.treaties import load_treaty, treaty_names
from detente.model.treaty import BOMBER_RULES, QUANTITY_LABELS, Filter, Treaty
from detente.model.yamlio import load_yaml

treaty_app = typer.Typer(
    help="Treaties as data: the bundled treaties and user treaty files.", no_args_is_help=True
)


class Format(enum.StrEnum):
    """Output formats of ``detente count``."""

    table = "table"
    json = "json"
    csv = "csv"


def _ceiling(low: float | None, high: float) -> str:
    return f"{number_text(low)}-{number_text(high)}" if low is not None else number_text(high)


def _filter_text(f: Filter) -> str:
    parts = [
        f"{name} {', '.join(getattr(f, name))}"
        for name in ("category", "basing", "delivery", "system")
        if getattr(f, name)
    ]
    if f.range_km is not None:
        lo, hi = f.range_km
        parts.append(f"range {lo:g}-{'' if hi is None else f'{hi:g}'} km")
    if f.ground_launched is not None:
        parts.append("ground-launched" if f.ground_launched else "not ground-launched")
    if f.mirv is not None:
        parts.append("MIRVed" if f.mirv else "not MIRVed")
    return "; ".join(parts) or "all holdings"


@treaty_app.command("list")
def list_treaties() -> None:
    """The bundled treaties, with their status and dates."""
    table = Table()
    table.add_column("id", no_wrap=True)
    for name in ("name", "status"):
        table.add_column(name, overflow="fold")
    for name in ("signed", "in force from", "ended"):
        table.add_column(name, no_wrap=True)
    for name in treaty_names():
        t = load_treaty(name)
        table.add_row(
            t.id,
            t.name,
            t.status.replace("_", " "),
            str(t.signed or ""),
            str(t.entered_into_force or ""),
            str(t.ended or ""),
        )
    Console().print(table)


def _show(t: Treaty, console: Console) -> None:
    console.print(f"[bold]{escape(t.name)}[/bold] ({t.id}), {t.status.replace('_', ' ')}")
    if t.title:
        console.print(escape(t.title))
    dates = [
        ("signed", t.signed),
        ("entered into force", t.entered_into_force),
        ("expired", t.expired),
        ("withdrawn" + (f" ({t.withdrawn_by})" if t.withdrawn_by else ""), t.withdrawn),
    ]
    console.print("  ".join(f"{k} {v}" for k, v in dates if v is not None) or "no dates")
    console.print(escape(t.standing()))
    if t.summary:
        console.print(escape(t.summary))
    if t.limits:
        table = Table("limit", "quantity", "max", "counts", title="Limits")
        for x in t.limits:
            scope = "stockpile total" if x.quantity == "all_warheads" else _filter_text(x.filter)
            table.add_row(x.name, QUANTITY_LABELS[x.quantity], _ceiling(x.min, x.max), scope)
        console.print(table)
    if t.bans:
        table = Table("ban", "bans", "description", title="Bans")
        for b in t.bans:
            table.add_row(b.name, _filter_text(b.filter), b.description or "")
        console.print(table)
    c = t.counting
    if any(x.quantity in {"deployed_warheads", "accountable_warheads"} for x in t.limits):
        console.print(f"Heavy bombers: {BOMBER_RULES[c.bomber_warheads]}")
    if c.attribution:
        attributed = ", ".join(f"{a.system} {number_text(a.warheads)}" for a in c.attribution)
        console.print(f"Attributed warheads per missile: {attributed}")
    for d in c.bomber_discount:
        console.print(
            f"Bomber discount {d.party}: first {d.bombers} ALCM bombers count "
            f"{number_text(d.warheads)} each"
        )
    if c.bombs_only_bomber_warheads is not None:
        console.print(f"Bombs-only heavy bomber counts {number_text(c.bombs_only_bomber_warheads)}")
    if t.notes:
        console.print(f"Notes: {escape(t.notes)}")
    known = sources()
    for sid in t.sources:
        s = known[sid]
        line = f"  [{sid}] {s.reference()}" + (f", {s.url}" if s.url else "")
        line += f"; {s.via_text()}" if s.via else ""
        console.print(escape(line), soft_wrap=True)


@treaty_app.command("show")
def show_treaty(
    treaty: str = typer.Argument(
        metavar="TREATY", help="Bundled treaty name or path to a treaty YAML file."
    ),
) -> None:
    """Dates, limits, bans and counting rules of a treaty."""
    _show(load_treaty(treaty), Console())


def _locate(exc: InputError, force: str) -> InputError:
    """Give a count error about a field of the force file its file and line."""
    if exc.file is not None or exc.field is None:
        return exc
    path = force_path(force)
    at = tuple(int(p) if p.isdigit() else p for p in exc.field.split("."))
    return load_yaml(Path(path)).error(at, exc.message)


def verdict_style(verdict: str, basis: str) -> str:
    """Rich style of a verdict: green when met, red for a declared breach, yellow for an
    estimated breach, an uncertain range or an undetermined count."""
    if verdict in {"within", "respected"}:
        return "green"
    if verdict in {"above", "violated"} and basis == "official":
        return "bold red"
    return "yellow"


def _print_table(result: CountResult, console: Console) -> None:
    style = "" if result.in_force else "yellow"
    console.print(escape(result.standing), style=style, soft_wrap=True)
    table = Table(title=f"{result.force} counted under {result.treaty_name or result.treaty}")
    table.add_column("limit", overflow="fold", min_width=12)
    for name in ("count", "ceiling", "margin"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("verdict (basis; range)", overflow="fold", min_width=16)
    for x in result.limits:
        table.add_row(
            escape(x.name),
            number_text(x.count),
            _ceiling(x.minimum, x.limit),
            number_text(x.margin),
            f"[{verdict_style(x.verdict, x.basis)}]{escape(x.status_text)}[/]",
        )
    if result.limits:
        console.print(table)
    for x in result.limits:
        held = ", ".join(f"{c.holding} {number_text(c.count)}" for c in x.contributions)
        console.print(escape(f"{x.name} counted from: {held or 'no holding'}"), soft_wrap=True)
    for b in result.bans:
        text = f"[{verdict_style(b.verdict, b.basis)}]{escape(b.status_text)}[/]"
        console.print(f"ban on {escape(b.name)}: {text}", soft_wrap=True)
    console.print(f"overall: {escape(result.status_text)}", soft_wrap=True)


def count_command(
    force: str = typer.Argument(
        metavar="FORCE", help="Bundled force name or path to a force YAML file."
    ),
    treaty: str = typer.Option(
        ..., "--treaty", "-t", metavar="TREATY", help="Bundled treaty name or YAML path."
    ),
    format: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
) -> None:
    """Count a force against a treaty: each limit's count with its basis and range, the
    margin and the verdict in words; each ban's verdict; the treaty's standing."""
    loaded_treaty = load_treaty(treaty)
    loaded_force = load_force(force)
    try:
        result = count(loaded_force, loaded_treaty, system_table(loaded_force))
    except InputError as exc:
        raise _locate(exc, force) from None
    if format is Format.json:
        typer.echo(jsonio.dumps(result.to_dict(), indent=2))
    elif format is Format.csv:
        typer.echo(result.to_frame().to_csv(index=False), nl=False)
    else:
        _print_table(result, Console())


def register(app: typer.Typer) -> None:
    """Add ``treaty list|show`` and ``count`` to ``app``."""
    app.add_typer(treaty_app, name="treaty")
    app.command("count")(count_command)
