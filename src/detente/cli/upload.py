"""``detente upload FORCE``: deployed warheads month by month after a treaty lapses."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from detente import jsonio
from detente.cli.stability import PostureChoice
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.analysis.upload import UploadTimeline


class Format(enum.StrEnum):
    """Output formats of ``detente upload``."""

    table = "table"
    json = "json"
    csv = "csv"


def _months_shown(months: int, every: int) -> list[int]:
    shown = list(range(0, months + 1, every))
    return shown if shown[-1] == months else [*shown, months]


def print_timeline(timeline: UploadTimeline, console: Console, every: int = 1) -> None:
    """A rich table of deployed warheads by leg and side per month, and the index if known."""
    frame = timeline.to_frame()
    months = len(frame) - 1
    table = Table(
        title="Deployed strategic warheads after the lapse",
        box=box.SIMPLE_HEAD,
        padding=0,
        collapse_padding=True,
        pad_edge=False,
        caption="r: min(1, C1/C2) per side; fsi: first-strike stability index",
    )
    table.add_column("mo", justify="right", no_wrap=True)
    if "date" in frame:
        table.add_column("date", no_wrap=True)
    value_cols = [c for c in frame.columns if c != "date"]
    for col in value_cols:
        table.add_column(col.replace("_", "\n"), justify="right", no_wrap=True)
    for month in _months_shown(months, every):
        row = frame.loc[month]
        cells = [str(month)] + ([row["date"][:7]] if "date" in frame else [])
        for col in value_cols:
            v = float(row[col])
            cells.append(f"{v:.3f}" if col == "fsi" or col.startswith("r_") else f"{v:.0f}")
        table.add_row(*cells)
    console.print(table)
    for side in timeline.sides():
        start = {leg: float(v[0]) for leg, v in side.by_leg().items()}
        top = side.capacity_by_leg()
        parts = ", ".join(f"{leg} {start[leg]:,.0f} -> {top[leg]:,.0f}" for leg in top)
        console.print(f"Upload maxima {escape(side.label)} ({escape(side.force.name)}): {parts}")
    console.print(
        "[dim]Rates and start delays are assumptions (data/upload.yaml, docs/upload.md); "
        "`--format json` lists the source and status of every default used.[/dim]"
    )


def upload_command(
    force: str = typer.Argument(help="Bundled force name or path to a force YAML file."),
    months: int = typer.Option(36, "--months", "-m", min=0, max=1200, help="Months after lapse."),
    against: str | None = typer.Option(
        None, "--against", help="Opponent force: adds the stability index along the timeline."
    ),
    hold: bool = typer.Option(
        False, "--hold", help="The opponent keeps its force as it is (no upload)."
    ),
    start: str | None = typer.Option(
        None, "--start", help="Date of the lapse (YYYY-MM-DD), e.g. 2026-02-05."
    ),
    rate_scale: float = typer.Option(
        1.0, "--rate-scale", min=0.0, help="Multiply every upload rate (0: no upload)."
    ),
    posture: PostureChoice = typer.Option(
        PostureChoice.day_to_day, "--posture", help="Posture of both sides for the index."
    ),
    every: int = typer.Option(1, "--every", min=1, help="Show every N-th month in the table."),
    format: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """How fast and how far a force could add warheads once treaty limits lapse."""
    from detente.analysis.upload import upload_timeline
    from detente.model.catalog import load_force

    when = None
    if start is not None:
        try:
            when = dt.date.fromisoformat(start)
        except ValueError:
            raise InputError(f"not a date (YYYY-MM-DD): {start!r}", field="start") from None
    if hold and against is None:
        raise InputError("--hold needs --against", field="hold")
    common = {"months": months, "start": when, "posture": posture.value}
    opponent = None
    if against is not None:
        other = load_force(against)
        opponent = other if hold else upload_timeline(other, rate_scale=rate_scale, **common)
    timeline = upload_timeline(
        load_force(force), rate_scale=rate_scale, opponent=opponent, **common
    )
    if format is Format.json:
        typer.echo(jsonio.dumps(timeline.to_dict(), indent=2))
    elif format is Format.csv:
        typer.echo(timeline.to_frame().to_csv(float_format="%.6g"), nl=False)
    else:
        print_timeline(timeline, Console(), every)


def register(app: typer.Typer) -> None:
    """Add ``upload`` to ``app``."""
    app.command("upload")(upload_command)
