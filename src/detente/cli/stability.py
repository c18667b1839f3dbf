"""``detente stability A B``: the Kent–Thaler first-strike stability of two forces."""

from __future__ import annotations

import enum
import json
from dataclasses import replace
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from detente.analysis.stability import (
    DEFENSE_FIGURES,
    StabilityParams,
    StabilityResult,
    defense_from_force,
    evaluate,
    load_side_force,
    make_defense,
    make_sides,
)
from detente.errors import InputError
from detente.model import parameters
from detente.model.force import Force
from detente.model.notional import NotionalForce
from detente.model.scenario import Defense


class Format(enum.StrEnum):
    """Output formats of ``detente stability``."""

    table = "table"
    json = "json"


class WeaponsChoice(enum.StrEnum):
    """How DE is set: one value for all (``--de``) or by weapon type from the catalogue."""

    uniform = "uniform"
    data = "data"


class PostureChoice(enum.StrEnum):
    """Posture of real forces."""

    day_to_day = "day_to_day"
    generated = "generated"


def _check_fraction(name: str, value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise InputError(f"must be in [0, 1], got {value:g}", field=name)
    return value


def calculus(de: float | None, kmax: int | None, **more: Any) -> StabilityParams:
    """:class:`StabilityParams` from ``--de`` and ``--kmax`` (omitted: the defaults of
    ``data/parameters.yaml``) and ``more`` fields."""
    if de is None:
        de = parameters.default("kent_thaler", "de")
    if kmax is None:
        kmax = parameters.default("kent_thaler", "kmax")
    return StabilityParams(de=_check_fraction("de", de), kmax=kmax, **more)


def parse_defense(text: str, force: Force | NotionalForce, option: str) -> Defense:
    """A :class:`~detente.model.scenario.Defense` from
    ``I[,p_kill[,shots_per_rv[,availability]]]``.

    ``I`` is a number of interceptors or ``holdings`` (the force's interceptor launchers);
    omitted figures take the assumptions of ``data/parameters.yaml`` (group ``defense``).

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> d = parse_defense("1000,0.7,2", load_force("us-2025"), "--defense-a")
    >>> d.interceptors, d.p_kill, d.shots_per_rv, d.availability
    (1000.0, 0.7, 2, 0.9)
    """
    parts = [p.strip() for p in text.split(",")]
    usage = "expected I[,p_kill[,shots_per_rv[,availability]]] with I a number or 'holdings'"
    if not 1 <= len(parts) <= 4 or not all(parts):
        raise InputError(f"{usage}; got {text!r}", field=option)
    given: dict[str, float | int] = {}
    try:
        for name, part in zip(DEFENSE_FIGURES, parts[1:], strict=False):
            value = float(part)
            given[name] = int(value) if name == "shots_per_rv" and value.is_integer() else value
        interceptors = None if parts[0] == "holdings" else float(parts[0])
    except ValueError:
        raise InputError(f"{usage}; got {text!r}", field=option) from None
    if interceptors is None and not isinstance(force, Force):
        raise InputError("a notional force holds no interceptors", field=option)
    try:
        if interceptors is None:
            return defense_from_force(force, **given)
        return make_defense(interceptors, note="given on the command line", **given)
    except InputError as exc:
        raise InputError(exc.message, field=f"{option} ({exc.field})") from None


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
    for label, d in result.defense.items():
        console.print(
            f"[dim]defence {label}: {d['interceptors']:g} interceptors, P = "
            f"{d['intercept_probability']:.3f} per engaged RV, at most {d['capacity']:g} RVs; "
            f"{d['first_strike_through']:.1%} of a first strike on {label} gets through, "
            f"{d['retaliation_arriving']:.1f} of {d['retaliation_surviving']:.1f} retaliating "
            f"warheads arrive after {label} strikes first ({d['note']})[/dim]"
        )
    for label, w in result.weapons.items():
        console.print(
            f"[dim]DE by weapon type of {label}: {len(w['assumed'])} assumed figures "
            "(--format json lists them)[/dim]"
        )


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
    weapons: WeaponsChoice = typer.Option(
        WeaponsChoice.uniform,
        "--weapons",
        help="DE: 'uniform' (--de for every warhead) or 'data' (by weapon type, from the "
        "systems catalogue's yield, CEP and reliability and the targets' hardness).",
    ),
    defense_a: str = typer.Option(
        None,
        "--defense-a",
        help="A's missile defence: I[,p_kill[,shots_per_rv[,availability]]], I a number of "
        "interceptors or 'holdings'; omitted figures are assumptions (data/parameters.yaml).",
    ),
    defense_b: str = typer.Option(
        None, "--defense-b", help="B's missile defence (as --defense-a)."
    ),
    format: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Could either side gain by striking first? Costs C1, C2, ratios r and the index FSI."""
    params = calculus(de, kmax, weapons=weapons.value)
    forces = [load_side_force(a), load_side_force(b)]
    labels = [f.party for f in forces]
    w80 = {k: v for k, v in zip(labels, (w80_a, w80_b), strict=True) if v is not None}
    sides = make_sides(forces, posture=posture.value, lua=lua, w80=w80)
    options = ((defense_a, "--defense-a"), (defense_b, "--defense-b"))
    for i, (text, option) in enumerate(options):
        if text is not None:
            sides[i] = replace(sides[i], defense=parse_defense(text, forces[i], option))
    result = evaluate(sides, params)
    if format is Format.json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        print_result(result, Console())


def register(app: typer.Typer) -> None:
    """Add ``stability`` to ``app``."""
    app.command("stability")(stability_command)
