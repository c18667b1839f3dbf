"""``detente stability A B``: the Kent–Thaler first-strike stability of two forces."""

from __future__ import annotations

import enum
import json

import typer
from rich.console import Console
from rich.table import Table

from detente.analysis.stability import (
    StabilityParams,
    StabilityResult,
    evaluate,
    load_side_force,
    make_sides,
)
from detente.errors import InputError
from detente.model import parameters


class Format(enum.StrEnum):
    """Output formats of ``detente stability``."""

    table = "table"
    json = "json"


class PostureChoice(enum.StrEnum):
    """Posture of real forces."""

    day_to_day = "day_to_day"
    generated = "generated"


def _check_fraction(name: str, value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise InputError(f"must be in [0, 1], got {value:g}", field=name)
    return value


def print_result(result: StabilityResult, console: Console) -> None:
    """A rich table of costs and ratios per side, and the index."""
    a, b = result.labels
    table = Table(title=f"First-strike stability, {a} vs {b}")
    for col in ("side", "C1 strike first", "C2 struck first", "r", "r uncapped", "x*", "w80"):
        table.add_column(col, justify="right" if col != "side" else "left")
    for side in result.sides:
        k = side.label
        table.add_row(
            k,
            f"{result.C1[k]:.4f}",
            f"{result.C2[k]:.4f}",
            f"{result.r[k]:.4f}",
            f"{result.r_uncapped[k]:.4f}",
            f"{result.x_star[k]:.1f}",
            f"{side.w80:.1f}",
        )
    console.print(table)
    console.print(f"FSI = {result.fsi:.4f}  (1 = no side gains by striking first)")
    for side in result.sides:
        console.print(f"[dim]w80 {side.label}: {side.w80_note}[/dim]")


def stability_command(
    a: str = typer.Argument(help="Side A: bundled force name or force / notional YAML path."),
    b: str = typer.Argument(help="Side B: bundled force name or force / notional YAML path."),
    de: float = typer.Option(
        None, "--de", help="Damage expectancy per warhead against a launcher [-] (default 0.8)."
    ),
    kmax: int = typer.Option(None, "--kmax", min=1, max=6, help="Salvo levels per target."),
    lua: bool = typer.Option(False, "--lua", help="Both sides launch their silos under attack."),
    posture: PostureChoice = typer.Option(
        PostureChoice.day_to_day, "--posture", help="Posture of real forces."
    ),
    w80_a: float = typer.Option(None, "--w80-a", min=1e-9, help="Override A's w80 [warheads]."),
    w80_b: float = typer.Option(None, "--w80-b", min=1e-9, help="Override B's w80 [warheads]."),
    format: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Could either side gain by striking first? Costs C1, C2, ratios r and the index FSI."""
    params = StabilityParams(
        de=_check_fraction("de", de if de is not None else parameters.default("kent_thaler", "de")),
        kmax=kmax if kmax is not None else parameters.default("kent_thaler", "kmax"),
    )
    forces = [load_side_force(a), load_side_force(b)]
    labels = [f.party for f in forces]
    w80 = {k: v for k, v in zip(labels, (w80_a, w80_b), strict=True) if v is not None}
    sides = make_sides(forces, posture=posture.value, lua=lua, w80=w80)
    result = evaluate(sides, params)
    if format is Format.json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        print_result(result, Console())


def register(app: typer.Typer) -> None:
    """Add ``stability`` to ``app``."""
    app.command("stability")(stability_command)
