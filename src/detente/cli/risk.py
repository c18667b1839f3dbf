"""``detente risk``: inadvertent-war risk by Monte Carlo, with tornado and interventions."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from detente import jsonio
from detente.cli.verify import check_format
from detente.errors import InputError
from detente.report.words import risk_label

#: Most Monte Carlo samples accepted (memory: about 1 kB a sample with the interventions).
MAX_SAMPLES = 200_000


def _tag(sourced: bool) -> str:
    return "sourced" if sourced else "ILLUSTRATIVE"


def risk(
    params: Path | None = typer.Argument(
        None, help="Risk parameter YAML (default: the bundled illustrative set)."
    ),
    samples: int = typer.Option(10_000, help=f"Monte Carlo samples (1 to {MAX_SAMPLES:,})."),
    seed: int = typer.Option(0, help="Random seed; equal seeds give equal results."),
    years: float = typer.Option(10.0, help="Horizon of the cumulative probability [yr]."),
    top: int = typer.Option(10, help="Tornado bars shown in the table."),
    show_parameters: bool = typer.Option(
        False, "--parameters", help="List every parameter with its distribution and provenance."
    ),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Annual and cumulative probability of inadvertent nuclear war (models.md §6)."""
    from detente.analysis import risk as ar

    check_format(fmt)
    if not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"--samples must be from 1 to {MAX_SAMPLES:,} (got {samples:,})")
    if seed < 0:
        raise InputError("--seed must not be negative")
    ps = ar.load_risk_parameters(params) if params is not None else ar.load_risk_parameters()
    r = ar.run_risk(ps, samples=samples, seed=seed, years=years)
    if fmt == "json":
        typer.echo(jsonio.dumps(r.to_dict(), indent=2))
        return

    console = Console()
    console.print(
        f"[bold]{escape(r.name)}[/bold] ({r.parameter_set}), {r.samples:,} samples, seed {r.seed}"
    )
    n_all = len(r.parameters)
    pct = r.percent
    if r.illustrative:
        console.print(f"[bold red]ILLUSTRATIVE[/bold red]: {escape(r.heading)}.")
    title = "ILLUSTRATIVE probability" if r.illustrative else "Probability"
    summary = Table("quantity", "p05", "p50", "p95", "mean", title=title)
    for label, q in (
        ("annual", r.annual_probability),
        (f"within {r.years:g} years", r.cumulative_probability),
    ):
        summary.add_row(label, pct(q.p05), pct(q.p50), pct(q.p95), pct(q.mean))
    console.print(summary)
    console.print(
        f"Annual probability with every parameter at its median: {pct(r.probability_at_medians)}"
    )

    tornado = Table("parameter", "at p05", "at p95", "values", title="Tornado (others at medians)")
    for b in r.tornado.bars[: max(top, 0)]:
        tornado.add_row(
            risk_label(b.input),
            f"{pct(b.at_low)} ({b.low:.3g})",
            f"{pct(b.at_high)} ({b.high:.3g})",
            _tag(b.input in r.sourced),
        )
    console.print(tornado)

    if r.interventions:
        table = Table(
            Column("intervention", overflow="fold"),
            "annual p50",
            "change p50 (p05 to p95)",
            "share of samples lower",
            "values",
            title=(
                "Interventions, ILLUSTRATIVE: how the method compares them, not findings"
                if r.illustrative
                else "Interventions (paired with the baseline samples)"
            ),
        )
        for iv in r.interventions:
            c = iv.change
            table.add_row(
                iv.id,
                pct(iv.annual_probability.p50),
                f"{pct(c.p50)} ({pct(c.p05)} to {pct(c.p95)})",
                r.share(iv.probability_lower),
                _tag(iv.sourced),
            )
        console.print(table)
        for iv in r.interventions:
            console.print(escape(f"  {iv.id}: {iv.label}"))

    if show_parameters:
        table = Table("parameter", "distribution", "status", "source or note", title="Parameters")
        for p in r.parameters:
            table.add_row(
                risk_label(p.name),
                p.distribution,
                p.status if p.sourced else "ILLUSTRATIVE",
                escape(", ".join(p.source) or p.note or ""),
            )
        console.print(table)
    else:
        console.print(
            f"Sourced parameters: {len(r.sourced)} of {n_all}; list them all with --parameters."
        )


def register(app: typer.Typer) -> None:
    """Add ``detente risk`` to ``app``."""
    app.command("risk")(risk)
