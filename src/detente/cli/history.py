"""``detente data history``: the nuclear world over time, and the New START series.

With ``--quantity`` or ``--format``: the history tables (nine states and South Africa,
1945-2025; FAS, Suh, SIPRI and NNSA, each value with its edition and source) as a terminal
table, CSV, JSON or Parquet, and with ``--html FILE`` a chart per quantity with the bundled
treaties' milestones on the timeline.

Without them: the New START data-exchange series against the treaty's limits. In the terminal:
a table of every exchange, per count and party a sparkline of the series and a bar of the
latest value against its limit, and the declared warheads beside the FAS estimates. With
``--html FILE``: a self-contained page (plotly.js inlined, no network) with the chart (declared
solid, FAS estimates dotted), the table and the sources.
"""

from __future__ import annotations

import enum
import html
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from detente import jsonio
from detente.errors import InputError
from detente.files import atomic_output, check_output, write_text

if TYPE_CHECKING:
    import pandas as pd

#: Count column of the series -> id of the New START limit on it (data/treaties/new-start.yaml).
LIMIT_IDS = {
    "deployed_launchers": "deployed_launchers",
    "deployed_warheads": "deployed_warheads",
    "total_launchers": "launchers",
}
SPARKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 20


def newstart_limits() -> dict[str, float]:
    """New START's central limits per count column of the series [count].

    Examples
    --------
    >>> newstart_limits()
    {'deployed_launchers': 700.0, 'deployed_warheads': 1550.0, 'total_launchers': 800.0}
    """
    from detente.model.treaties import load_treaty

    by_id = {limit.id: limit.max for limit in load_treaty("new-start").limits}
    return {column: float(by_id[lid]) for column, lid in LIMIT_IDS.items()}


def sparkline(values: list[float], top: float) -> str:
    """One character per value, scaled from 0 to ``top``; a gap for a missing value.

    Examples
    --------
    >>> sparkline([0, 350, 700, float("nan")], 700)
    '▁▅█ '
    """
    out = []
    for v in values:
        if v != v:  # NaN: not found
            out.append(" ")
            continue
        k = round(min(max(v / top, 0.0), 1.0) * (len(SPARKS) - 1)) if top > 0 else 0
        out.append(SPARKS[k])
    return "".join(out)


def bar(value: float, limit: float, width: int = BAR_WIDTH) -> str:
    """A bar of ``value`` on a scale where the limit is ``width`` cells; overshoot in ``!``.

    Examples
    --------
    >>> bar(1419, 1550, 10), bar(1650, 1550, 10)
    ('█████████░', '██████████!')
    """
    filled = round(min(value, limit) / limit * width) if limit > 0 else 0
    return "█" * filled + "░" * (width - filled) + ("!" if value > limit else "")


class HistoryFormat(enum.StrEnum):
    """Output formats of the history table."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class Editions(enum.StrEnum):
    """Which editions of a producer to show."""

    latest = "latest"
    all = "all"


def _names(values: list[str] | None) -> list[str] | None:
    """Repeated options and comma lists as one list (``-p US,RU -p CN``); None when empty."""
    out = [x.strip() for v in values or [] for x in v.split(",") if x.strip()]
    return out or None


def _select(frame: pd.DataFrame, parties: list[str] | None) -> pd.DataFrame:
    if not parties:
        return frame
    known = sorted(frame["party"].unique())
    for party in parties:
        if party.upper() not in known:
            raise InputError(
                f"no New START data for party {party!r}; parties: {', '.join(known)} "
                "(other states: give --quantity, e.g. --quantity stockpile)",
                field="party",
            )
    return frame[frame["party"].isin([p.upper() for p in parties])]


#: Short cell text per kind of gap, and the caption that explains it.
GAP_CELLS = {"not published": "n/p", "not found": "n/f"}
GAP_LEGEND = (
    "n/p: never published (Russia provided no data from March 2023); "
    "n/f: not found in the sources consulted (the release may not exist). Neither is zero."
)


def _n(v: object, gap: str) -> str:
    """A count with thousands separators, or the kind of gap that left it empty.

    Examples
    --------
    >>> _n(1419, ""), _n(float("nan"), "not published"), _n(float("nan"), "not found")
    ('1,419', 'n/p', 'n/f')
    """
    import pandas as pd

    return GAP_CELLS.get(gap, "n/f") if pd.isna(v) else f"{int(v):,}"


def print_history(frame: pd.DataFrame, limits: dict[str, float], console: Console) -> None:
    """The rich table of every exchange and a sparkline and bar per count and party."""
    table = Table(title="New START aggregate data exchanges", caption=GAP_LEGEND)
    table.add_column("date", no_wrap=True)
    table.add_column("party", no_wrap=True)
    for column, limit in limits.items():
        table.add_column(f"{column.replace('_', ' ')} (limit {limit:,.0f})", justify="right")
    table.add_column("source", overflow="fold")
    for row in frame.sort_values(["date", "party"]).itertuples(index=False):
        table.add_row(
            row.date.date().isoformat(),
            row.party,
            *(_n(getattr(row, c), row.gap) for c in limits),
            escape(row.source.replace(";", ", ")),
        )
    console.print(table)
    for column, limit in limits.items():
        console.print(f"[bold]{column.replace('_', ' ')}[/bold] (limit {limit:,.0f})")
        for party, rows in frame.groupby("party", sort=True):
            rows = rows.sort_values("date")
            values = rows[column].to_numpy(dtype=float, na_value=float("nan")).tolist()
            known = rows[rows[column].notna()]
            top = max([limit, *[v for v in values if v == v]])
            line = f"  {party:<3} {sparkline(values, top)}"
            if not known.empty:
                last = known.iloc[-1]
                line += (
                    f"  {bar(float(last[column]), limit)} {int(last[column]):,} on "
                    f"{last['date'].date().isoformat()}"
                )
            console.print(escape(line), highlight=False)


def print_declared_beside_estimates(
    frame: pd.DataFrame, estimates: pd.DataFrame, console: Console
) -> None:
    """Per party and year with both: the last declared warheads and the FAS estimate."""
    table = Table(
        title="Declared (New START) beside estimated (FAS) deployed strategic warheads",
        caption=(
            "Declared: the first exchange of the year, one warhead counted per deployed bomber. "
            "Estimate: FAS, early in the year, bomber weapons at bases counted."
        ),
    )
    for name in ("party", "year", "declared", "on", "FAS estimate", "edition", "difference"):
        table.add_column(name, justify="left" if name in ("party", "on") else "right")
    declared = frame[frame["deployed_warheads"].notna()].sort_values("date")
    shown = 0
    for row in estimates.sort_values(["party", "year"]).itertuples(index=False):
        same = declared[(declared["party"] == row.party) & (declared["date"].dt.year == row.year)]
        if same.empty:
            continue
        last = same.iloc[0]
        d = int(last["deployed_warheads"])
        table.add_row(
            row.party,
            str(row.year),
            f"{d:,}",
            last["date"].date().isoformat(),
            f"{row.value:,.0f}",
            str(row.edition),
            f"{row.value - d:+,.0f}",
        )
        shown += 1
    if shown:
        console.print(table)


def _estimates(parties: list[str] | None) -> pd.DataFrame:
    from detente.analysis.history import history

    chosen = [p.upper() for p in parties] if parties else ["US", "RU"]
    return history(party=chosen, quantity="deployed_strategic", producer="FAS")


def history_html(
    frame: pd.DataFrame, limits: dict[str, float], estimates: pd.DataFrame | None = None
) -> str:
    """A self-contained HTML page: the chart (plotly.js inlined), the table and the sources."""
    from detente.model.catalog import sources
    from detente.report.plotlyjs import plotlyjs_for
    from detente.report.upload_figures import history_figure

    fig = history_figure(frame, limits, estimates)
    chart = fig.to_html(include_plotlyjs=False, full_html=False, div_id="history")
    known = sources()
    cited = sorted({s for cell in frame["source"] for s in cell.split(";") if s})
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ("date", "party", *limits, "source"))
    body = "".join(
        "<tr>"
        + f"<td>{row.date.date().isoformat()}</td><td>{html.escape(row.party)}</td>"
        + "".join(f"<td>{_n(getattr(row, c), row.gap)}</td>" for c in limits)
        + f"<td>{html.escape(row.source.replace(';', ', '))}</td></tr>"
        for row in frame.sort_values(["date", "party"]).itertuples(index=False)
    )
    refs = "".join(
        f"<li><b>{html.escape(s)}</b>: {html.escape(known[s].reference())}"
        + (f". {html.escape(known[s].url)}" if known[s].url else "")
        + (f". {html.escape(known[s].via_text())}" if known[s].via else "")
        + "</li>"
        for s in cited
        if s in known
    )
    limit_text = ", ".join(f"{c.replace('_', ' ')} {v:,.0f}" for c, v in limits.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>New START aggregate data exchanges</title>
<script type="text/javascript">{plotlyjs_for([fig])}</script>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}
</style></head><body>
<h1>New START aggregate data exchanges</h1>
<p>Declared counts of each party against the treaty's central limits ({limit_text}).
{html.escape(GAP_LEGEND)}</p>
<p>Solid lines: what the parties declared under the treaty. Dotted lines (warheads panel): the
Federation of American Scientists' <em>estimates</em> of deployed strategic warheads, for early
in each year. They differ by design: New START counts one warhead per deployed heavy bomber,
the estimate counts the weapons at bomber bases.</p>
{chart}
<h2>Data</h2>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<h2>Sources</h2><ul>{refs}</ul>
</body></html>
"""


def _write(text: str | bytes, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
        return
    with atomic_output(check_output(output, field="--output"), field="--output") as tmp:
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        else:
            tmp.write_text(text, encoding="utf-8")
    Console(stderr=True).print(f"written to {escape(str(output))}")


def _counts_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """Warhead counts written as whole numbers (``1945,...,2``), EMT as given."""
    import pandas as pd

    values = [
        int(v) if unit == "warheads" else v
        for v, unit in zip(frame["value"], frame["unit"], strict=True)
    ]
    return frame.assign(value=pd.Series(values, dtype=object, index=frame.index))


def print_table(frame: pd.DataFrame, console: Console) -> None:
    """One table per quantity: a row per year, a column per state (and producer if several)."""
    from detente.model.history import QUANTITIES

    for quantity, rows in frame.groupby("quantity", sort=False):
        label, unit = QUANTITIES[str(quantity)]
        several = rows["producer"].nunique() > 1
        rows = rows.assign(
            column=rows["party"] + (" " + rows["producer"] if several else ""),
        )
        columns = list(dict.fromkeys(rows["column"]))
        wide = rows.pivot_table(index="year", columns="column", values="value", aggfunc="last")
        table = Table(title=f"{label} [{unit}]")
        table.add_column("year", justify="right")
        for c in columns:
            table.add_column(c, justify="right", no_wrap=True)
        for year, values in wide.iterrows():
            cells = []
            for c in columns:
                v = values.get(c)
                if v is None or v != v:
                    cells.append("")
                else:
                    cells.append(f"{v:,.0f}" if unit == "warheads" else f"{v:,.3g}")
            table.add_row(str(year), *cells)
        console.print(table)
    console.print(
        "Estimates by their producers (FAS, Suh, SIPRI) unless official (NNSA); the newest "
        "edition of each producer (--editions all: every edition). --format csv gives the "
        "source, edition and status of every value.",
        highlight=False,
    )


def history_page_html(frame: pd.DataFrame, events: pd.DataFrame) -> str:
    """A self-contained page: one chart per quantity with treaty milestones, sources, data."""
    from plotly.offline import get_plotlyjs

    from detente.analysis.history import history_payload
    from detente.report.history_figures import history_figure

    charts = "".join(
        history_figure(frame, str(q), events).to_html(
            include_plotlyjs=False, full_html=False, div_id=f"history-{q}"
        )
        for q in dict.fromkeys(frame["quantity"])
    )
    payload = history_payload(frame, events)
    refs = "".join(
        f"<li><b>{html.escape(s)}</b>: {html.escape(text)}</li>"
        for s, text in payload["sources"].items()
    )
    marks = "".join(
        f"<tr><td>{html.escape(e['date'])}</td><td>{html.escape(e['name'])}</td>"
        f"<td>{html.escape(e['event'])}</td><td>{html.escape(e['note'])}</td></tr>"
        for e in payload["milestones"]
    )
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>The nuclear world over time</title>
<script type="text/javascript">{get_plotlyjs()}</script>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px}}</style>
</head><body>
<h1>The nuclear world over time</h1>
<p>Estimated nuclear warheads per state and year. Every value is an <em>estimate</em> by its
producer unless marked official: the Federation of American Scientists (FAS, solid lines;
revised every year, the newest edition shown), Kyungwon Suh's strategic forces dataset (dotted,
to 2010), SIPRI (dashed) and the US stockpile declared by the NNSA (diamonds). Dotted vertical
lines: signature, entry into force and end of the bundled treaties. The buttons switch the
vertical axis to a log scale, where the smaller arsenals become visible.</p>
{charts}
<h2>Treaty milestones</h2>
<table><thead><tr><th>date</th><th>treaty</th><th>event</th><th>note</th></tr></thead>
<tbody>{marks}</tbody></table>
<h2>Sources</h2><ul>{refs}</ul>
<details><summary>Data ({len(frame):,} values)</summary>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>
</body></html>
"""


def table_command(
    parties: list[str] | None,
    quantity: str | None,
    producers: list[str] | None,
    editions: Editions,
    format: HistoryFormat,
    output: Path | None,
    html_file: Path | None,
) -> None:
    """The history tables: select, then print, export or chart."""
    from detente.analysis.history import history, history_payload, milestones

    frame = history(parties, quantity, producers, editions.value)
    if frame.empty:
        raise InputError("no values for this selection", field="quantity")
    if format is HistoryFormat.parquet:
        if output is None:
            raise InputError("parquet is binary: give --output FILE", field="output")
        with atomic_output(check_output(output, field="--output"), field="--output") as tmp:
            frame.to_parquet(tmp, index=False)
        Console(stderr=True).print(f"written to {escape(str(output))}")
    elif format is HistoryFormat.csv:
        _write(_counts_as_integers(frame).to_csv(index=False), output)
    elif format is HistoryFormat.json:
        _write(jsonio.dumps(history_payload(frame, milestones()), indent=1) + "\n", output)
    else:
        print_table(frame, Console())
    if html_file is not None:
        page = history_page_html(frame, milestones())
        write_text(check_output(html_file, field="--html"), page)
        Console(stderr=True).print(f"HTML written to {escape(str(html_file))}")


def history_command(
    html_file: Path | None = typer.Option(
        None, "--html", help="Also write a self-contained HTML chart to this file."
    ),
    party: list[str] = typer.Option(
        None,
        "--party",
        "-p",
        help="Only these states (repeat or comma-separate): US RU CN FR UK IN PK IL KP ZA.",
    ),
    quantity: str | None = typer.Option(
        None,
        "--quantity",
        "-q",
        help="stockpile, deployed_strategic, deployed_non_strategic, reserve, retired, "
        "inventory, first_strike or emt. Without it (and without --format): the New START "
        "series.",
    ),
    producer: list[str] = typer.Option(
        None, "--producer", help="Only these producers (repeatable): FAS, Suh, SIPRI, NNSA."
    ),
    editions: Editions = typer.Option(
        Editions.latest, "--editions", help="latest: newest edition per producer; all: revisions."
    ),
    format: HistoryFormat | None = typer.Option(
        None, "--format", "-f", help="table (default), csv, json or parquet (needs --output)."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the export here."),
) -> None:
    """The nuclear world over time (with --quantity or --format), or the New START series."""
    parties, producers = _names(party), _names(producer)
    if quantity is None and format is None and producers is None and editions is Editions.latest:
        newstart_command(html_file, parties)
        return
    table_command(
        parties, quantity, producers, editions, format or HistoryFormat.table, output, html_file
    )


def newstart_command(html_file: Path | None, parties: list[str] | None) -> None:
    """The New START data-exchange series against the limits (700 / 1,550 / 800)."""
    from detente.analysis.history import newstart_history

    frame = _select(newstart_history(), parties)
    limits = newstart_limits()
    estimates = _estimates(parties)
    console = Console()
    print_history(frame, limits, console)
    print_declared_beside_estimates(frame, estimates, console)
    if html_file is not None:
        page = history_html(frame, limits, estimates)
        write_text(check_output(html_file, field="--html"), page)
        Console().print(f"HTML written to {escape(str(html_file))}")


def register_history(data_app: typer.Typer) -> None:
    """Add ``history`` to the ``data`` sub-app."""
    data_app.command("history")(history_command)
