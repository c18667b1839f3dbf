"""``detente verify``: what inspections catch, what clean inspections prove, how many are
needed, regimes side by side, and Open Skies coverage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from detente import jsonio
from detente.errors import InputError

#: Most Open Skies replicates accepted on the command line.
MAX_REPLICATES = 10_000
FORMATS = ("table", "json")

verify_app = typer.Typer(
    help=(
        "Inspection statistics (models.md §5). With --missiles, --overloaded and --inspections: "
        "detection probability; with --clean-inspections: the largest violation clean "
        "inspections cannot rule out; with --target: inspections needed."
    ),
    invoke_without_command=True,
)


def check_format(fmt: str) -> str:
    """``--format`` of the commands that take a plain string: table or json, else a one-line
    user error (not click's usage box)."""
    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return fmt


def _emit_json(data: dict[str, Any]) -> None:
    typer.echo(jsonio.dumps(data, indent=2))


def _need(**given: Any) -> None:
    missing = [f"--{k.replace('_', '-')}" for k, v in given.items() if v is None]
    if missing:
        raise InputError(f"also give {', '.join(missing)}")


def _kv_table(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table("quantity", "value", title=title)
    for k, v in rows:
        table.add_row(k, v)
    return table


USER_INPUTS = "All inputs are user-given; no bundled data used."


@verify_app.callback()
def verify(
    ctx: typer.Context,
    missiles: int | None = typer.Option(None, help="Declared deployed missiles N."),
    overloaded: int | None = typer.Option(None, help="Over-loaded missiles k."),
    inspections: int | None = typer.Option(None, help="Missiles inspected a year n."),
    years: int = typer.Option(1, help="Years of inspections T."),
    recognition: float = typer.Option(1.0, help="Probability d an inspected violator is seen."),
    clean_inspections: int | None = typer.Option(
        None, help="Clean inspections a year: report the largest undetected violation."
    ),
    confidence: float = typer.Option(0.95, help="Confidence c for --clean-inspections."),
    target: float | None = typer.Option(None, help="Target detection probability: plan."),
    gain: float | None = typer.Option(None, help="Inspection game: gain G of a violation."),
    loss: float | None = typer.Option(None, help="Inspection game: loss L if caught."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Detection probability, clean-inspection bound or inspection planning."""
    from detente.analysis import verification as av

    if ctx.invoked_subcommand is not None:
        return
    fmt = check_format(fmt)
    if missiles is None and clean_inspections is None and target is None:
        raise InputError(
            "give --missiles with --overloaded and --inspections, --clean-inspections or "
            "--target; or a subcommand (regimes, open-skies); see --help"
        )
    if clean_inspections is not None:
        if inspections is not None or target is not None or overloaded is not None:
            raise InputError(
                "--clean-inspections does not combine with --overloaded, --inspections or --target"
            )
        _need(missiles=missiles)
        bound = av.clean_inspection_bound(
            missiles, clean_inspections, confidence=confidence, years=years, recognition=recognition
        )
        _show(bound.to_dict(), fmt, "Largest violation clean inspections cannot rule out")
        return
    if target is not None:
        if inspections is not None:
            raise InputError("--target does not combine with --inspections")
        _need(missiles=missiles, overloaded=overloaded)
        plan = av.plan_inspections(
            missiles, overloaded, target, years=years, recognition=recognition
        )
        _show(plan.to_dict(), fmt, "Inspections a year needed")
        return
    _need(missiles=missiles, overloaded=overloaded, inspections=inspections)
    result = av.detect(
        missiles,
        overloaded,
        inspections,
        years=years,
        recognition=recognition,
        gain=gain,
        loss=loss,
    )
    _show(result.to_dict(), fmt, "Detection of over-loading")


def _show(data: dict[str, Any], fmt: str, title: str) -> None:
    if fmt == "json":
        _emit_json({**data, "provenance": USER_INPUTS})
        return
    rows = [(k, _text(v)) for k, v in data.items() if v is not None]
    console = Console()
    console.print(_kv_table(title, rows))
    console.print(USER_INPUTS + " Assumes a uniform random choice of missiles, independent years.")


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


@verify_app.command("regimes")
def regimes(
    missiles: int = typer.Option(..., help="Declared deployed missiles N."),
    overloaded: int = typer.Option(..., help="Over-loaded missiles k."),
    years: int = typer.Option(1, help="Years of inspections T."),
    recognition: float = typer.Option(1.0, help="Probability d an inspected violator is seen."),
    confidence: float = typer.Option(0.95, help="Confidence c of the clean-inspection bound."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """START I, New START and no inspections side by side for one force."""
    from detente.analysis import verification as av

    fmt = check_format(fmt)
    c = av.compare_regimes(
        missiles, overloaded, years=years, recognition=recognition, confidence=confidence
    )
    if fmt == "json":
        _emit_json(c.to_dict())
        return
    table = Table(
        "regime",
        "missiles checked a year",
        f"P(detect) in {years} yr",
        f"largest undetected at {confidence:g}",
        "quota status",
        "sources",
        title=f"{overloaded} of {missiles} missiles over-loaded, recognition {recognition:g}",
    )
    for r in c.rows:
        table.add_row(
            escape(r.name),
            str(r.missiles_checked_per_year),
            f"{r.detection_probability:.3f}",
            str(r.largest_undetected_violation),
            ", ".join(r.statuses) or "-",
            escape(", ".join(r.sources)) or "-",
        )
    console = Console()
    console.print(table)
    for r in c.rows:
        console.print(escape(f"{r.name}: {r.note}"))


@verify_app.command("open-skies")
def open_skies(
    params: Path | None = typer.Argument(None, help="Open Skies YAML (default: bundled)."),
    party: str = typer.Option(
        "US",
        help="Whose territory is overflown (passive quota): US or RU_BY (Russia and Belarus "
        "share one quota).",
    ),
    quota: int | None = typer.Option(None, help="Flights a year (overrides the quota)."),
    distance_km: float | None = typer.Option(None, help="Maximum flight distance [km]."),
    swath_km: float | None = typer.Option(None, help="Sensor swath [km]."),
    sites: int | None = typer.Option(None, help="Number of notional declared sites."),
    years: int = typer.Option(3, help="Treaty years simulated."),
    replicates: int = typer.Option(200, help=f"Monte Carlo replicates (max {MAX_REPLICATES:,})."),
    seed: int = typer.Option(0, help="Random seed."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Share of declared sites observed and time since last observation (notional layouts)."""
    from detente.analysis import verification as av

    fmt = check_format(fmt)
    if not 1 <= replicates <= MAX_REPLICATES:
        raise InputError(f"--replicates must be from 1 to {MAX_REPLICATES:,}")
    if seed < 0:
        raise InputError("--seed must not be negative")
    p = av.load_open_skies(params) if params is not None else av.load_open_skies()
    r = av.open_skies(
        p,
        party=party,
        quota=quota,
        flight_distance_km=distance_km,
        swath_km=swath_km,
        sites=sites,
        years=years,
        replicates=replicates,
        seed=seed,
    )
    if fmt == "json":
        _emit_json(r.to_dict())
        return
    console = Console()
    share = Table("treaty year", "share observed (mean)", "p05", "p95", title="Sites overflown")
    for y, row in enumerate(r.observed_share, start=1):
        share.add_row(str(y), f"{row['mean']:.3f}", f"{row['p05']:.3f}", f"{row['p95']:.3f}")
    console.print(share)
    age = r.to_dict()["years_since_observation"]
    console.print(
        "Years since last observation at the end: "
        + ", ".join(f"{k} {'never' if v is None else f'{v:.2f}'}" for k, v in age.items())
        + f"; never observed {r.never_observed:.1%} of sites"
    )
    prov = Table("input", "value", "status", "source", title="Inputs (notes in --format json)")
    for u in r.parameters:
        tag = "ILLUSTRATIVE" if u.status == "assumption" else u.status
        prov.add_row(u.name, escape(str(u.value)), tag, escape(", ".join(u.source) or "-"))
    console.print(prov)
    console.print("Territory, sites and airfields are notional: no real coordinates.")


def register(app: typer.Typer) -> None:
    """Add ``detente verify`` (with ``regimes`` and ``open-skies``) to ``app``."""
    app.add_typer(verify_app, name="verify")
