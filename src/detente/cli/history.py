"""``detente data history``: the New START data-exchange series against the treaty's limits.

In the terminal: a table of every exchange and, per count and party, a sparkline of the series
and a bar of the latest value against its limit. With ``--html FILE``: a self-contained page
(plotly.js inlined, no network) with the chart, the table and the sources.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from detente.errors import InputError
from detente.files import check_output, write_text

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


def _select(frame: pd.DataFrame, party: str | None) -> pd.DataFrame:
    if party is None:
        return frame
    parties = sorted(frame["party"].unique())
    chosen = frame[frame["party"] == party.upper()]
    if chosen.empty:
        raise InputError(
            f"no data for party {party!r}; parties: {', '.join(parties)}", field="party"
        )
    return chosen


def _n(v: object) -> str:
    import pandas as pd

    return "n/f" if pd.isna(v) else f"{int(v):,}"


def print_history(frame: pd.DataFrame, limits: dict[str, float], console: Console) -> None:
    """The rich table of every exchange and a sparkline and bar per count and party."""
    table = Table(title="New START aggregate data exchanges", caption="n/f: not found")
    table.add_column("date", no_wrap=True)
    table.add_column("party", no_wrap=True)
    for column, limit in limits.items():
        table.add_column(f"{column.replace('_', ' ')} (limit {limit:,.0f})", justify="right")
    table.add_column("source", overflow="fold")
    for row in frame.sort_values(["date", "party"]).itertuples(index=False):
        table.add_row(
            row.date.date().isoformat(),
            row.party,
            *(_n(getattr(row, c)) for c in limits),
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


def history_html(frame: pd.DataFrame, limits: dict[str, float]) -> str:
    """A self-contained HTML page: the chart (plotly.js inlined), the table and the sources."""
    from plotly.offline import get_plotlyjs

    from detente.model.catalog import sources
    from detente.report.upload_figures import history_figure

    fig = history_figure(frame, limits)
    chart = fig.to_html(include_plotlyjs=False, full_html=False, div_id="history")
    known = sources()
    cited = sorted({s for cell in frame["source"] for s in cell.split(";") if s})
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ("date", "party", *limits, "source"))
    body = "".join(
        "<tr>"
        + f"<td>{row.date.date().isoformat()}</td><td>{html.escape(row.party)}</td>"
        + "".join(f"<td>{_n(getattr(row, c))}</td>" for c in limits)
        + f"<td>{html.escape(row.source.replace(';', ', '))}</td></tr>"
        for row in frame.sort_values(["date", "party"]).itertuples(index=False)
    )
    refs = "".join(
        f"<li><b>{html.escape(s)}</b>: {html.escape(known[s].publisher)}, "
        f"<i>{html.escape(known[s].title)}</i>"
        + (f", {html.escape(str(known[s].date))}" if known[s].date else "")
        + (f". {html.escape(known[s].url)}" if known[s].url else "")
        + "</li>"
        for s in cited
        if s in known
    )
    limit_text = ", ".join(f"{c.replace('_', ' ')} {v:,.0f}" for c, v in limits.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>New START aggregate data exchanges</title>
<script type="text/javascript">{get_plotlyjs()}</script>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}
</style></head><body>
<h1>New START aggregate data exchanges</h1>
<p>Declared counts of each party against the treaty's central limits ({limit_text}).
Empty cells (n/f): not found in the sources consulted.</p>
{chart}
<h2>Data</h2>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<h2>Sources</h2><ul>{refs}</ul>
</body></html>
"""


def history_command(
    html_file: Path | None = typer.Option(
        None, "--html", help="Also write a self-contained HTML chart to this file."
    ),
    party: str | None = typer.Option(None, "--party", "-p", help="Only this party (US or RU)."),
) -> None:
    """The New START data-exchange series against the limits (700 / 1,550 / 800)."""
    from detente.analysis.history import newstart_history

    frame = _select(newstart_history(), party)
    limits = newstart_limits()
    print_history(frame, limits, Console())
    if html_file is not None:
        write_text(check_output(html_file, field="--html"), history_html(frame, limits))
        Console().print(f"HTML written to {escape(str(html_file))}")


def register_history(data_app: typer.Typer) -> None:
    """Add ``history`` to the ``data`` sub-app."""
    data_app.command("history")(history_command)
