"""``detente stability-system A B C ...``: first-strike stability of three or more parties."""

from __future__ import annotations

import enum
import math

import typer
from rich.console import Console
from rich.table import Table

from detente import jsonio
from detente.analysis.multiparty import ReserveRule, SystemResult, evaluate_system
from detente.analysis.stability import load_side_force
from detente.cli.stability import Format, PostureChoice, calculus
from detente.errors import InputError
from detente.kernels.multiparty import RESERVE, RESERVE_MODE


class ReserveMode(enum.StrEnum):
    """How the reserve against each third party is sized."""

    w80 = "w80"
    share = "share"
    warheads = "warheads"


def parse_w80(items: list[str]) -> dict[str, float]:
    """``PARTY=VALUE`` items as a dict, or an InputError naming the bad item.

    Examples
    --------
    >>> parse_w80(["US=595.9", "RU=1172.5"])
    {'US': 595.9, 'RU': 1172.5}
    """
    out = {}
    for item in items:
        party, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not party or not number > 0 or not math.isfinite(number):
            raise InputError(f"expected PARTY=VALUE with VALUE > 0; got {item!r}", field="--w80")
        out[party] = number
    return out


def _num(value: float) -> str:
    return f"{value:.4f}" if math.isfinite(value) else "∞"


def print_result(result: SystemResult, console: Console) -> None:
    """A rich table of every pair, then the system index and where each w80 comes from."""
    table = Table(title=f"First-strike stability of {', '.join(result.labels)}")
    for col in ("pair", "FSI", "side", "C1", "C2", "r uncapped", "reserve", "x*"):
        table.add_column(col, justify="left" if col in ("pair", "side") else "right")
    for tag, p in result.pairs.items():
        for i, side in enumerate(p.pair):
            table.add_row(
                tag if i == 0 else "",
                f"{p.fsi:.4f}" if i == 0 else "",
                side,
                f"{p.C1[side]:.4f}",
                f"{p.C2[side]:.4f}",
                _num(p.r_uncapped[side]),
                f"{p.reserve[side]:.1f}",
                f"{p.x_star[side]:.1f}",
            )
    console.print(table)
    console.print(
        f"System FSI: min {result.fsi_min:.4f} (weakest pair {result.weakest}), "
        f"product {result.fsi_product:.4f}"
    )
    console.print(f"Reserve when striking first: {result.reserve.describe()}.")
    for label, note in result.w80_notes.items():
        console.print(f"[dim]w80 {label}: {note}[/dim]")


def system_command(
    parties: list[str] = typer.Argument(
        help="Two or more parties: bundled force names or force / notional YAML paths."
    ),
    reserve: float = typer.Option(
        RESERVE,
        "--reserve",
        min=0.0,
        help="Reserve against each armed third party: a multiple of its w80 (--reserve-mode "
        "w80, default 1), a FRACTION of usable weapons (share) or warheads.",
    ),
    reserve_mode: ReserveMode = typer.Option(
        ReserveMode(RESERVE_MODE), "--reserve-mode", help="How --reserve is counted."
    ),
    w80: list[str] = typer.Option(
        [], "--w80", help="w80 of a party against every attacker, PARTY=VALUE (warheads)."
    ),
    de: float = typer.Option(
        None, "--de", help="Damage expectancy per warhead against a launcher [-] (default 0.8)."
    ),
    kmax: int = typer.Option(None, "--kmax", min=1, max=6, help="Salvo levels per target."),
    lua: bool = typer.Option(False, "--lua", help="Every party launches its silos under attack."),
    posture: PostureChoice = typer.Option(
        PostureChoice.day_to_day, "--posture", help="Posture of real forces."
    ),
    format: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Pairwise first-strike stability with reserves held against third parties, and the
    system index (the least and the product of the pairwise indices)."""
    params = calculus(de, kmax)
    forces = [load_side_force(p) for p in parties]
    result = evaluate_system(
        forces,
        params,
        ReserveRule(reserve_mode.value, reserve),
        posture=posture.value,
        lua=lua,
        w80=parse_w80(w80),
    )
    if format is Format.json:
        typer.echo(jsonio.dumps(result.to_dict(), indent=2))
    else:
        print_result(result, Console())


def register(app: typer.Typer) -> None:
    """Add ``stability-system`` to ``app``."""
    app.command("stability-system")(system_command)
