"""``detente stability A B``: the Kent–Thaler first-strike stability of two forces.

Its plain form (two bundled forces, ``--de``, ``--kmax``, ``--posture``, ``--lua``,
``--format``) is usually answered by the light start (:mod:`detente.cli.quick`) before this
command is built; both print with :mod:`detente.cli.stability_text`.
"""

from __future__ import annotations

import enum
from dataclasses import replace
from typing import Any

import typer
from rich.markup import escape

from detente.analysis.stability import (
    DEFENSE_FIGURES,
    StabilityParams,
    defense_from_force,
    evaluate,
    load_side_force,
    make_defense,
    make_sides,
)
from detente.cli.stability_text import DEFAULTS, FORMATS, emit, render
from detente.errors import InputError
from detente.model import parameters
from detente.model.defense import Defense
from detente.model.force import POSTURES, Force
from detente.model.notional import NotionalForce

#: Output formats of ``detente stability``.
Format = enum.StrEnum("Format", {name: name for name in FORMATS})


class WeaponsChoice(enum.StrEnum):
    """How DE is set: one value for all (``--de``) or by weapon type from the catalogue."""

    uniform = "uniform"
    data = "data"


#: Posture of real forces.
PostureChoice = enum.StrEnum("PostureChoice", {name: name for name in POSTURES})


def calculus(de: float | None, kmax: int | None, **more: Any) -> StabilityParams:
    """:class:`StabilityParams` from ``--de`` and ``--kmax`` (omitted: the defaults of
    ``data/parameters.yaml``) and ``more`` fields; a value out of range names its option."""
    return parameters.calculus(de=de, kmax=kmax, **more)


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


def stability_command(
    a: str = typer.Argument(help="Side A: bundled force name or force / notional YAML path."),
    b: str = typer.Argument(help="Side B: bundled force name or force / notional YAML path."),
    de: float = typer.Option(None, "--de", help=escape(parameters.option_help("de"))),
    kmax: int = typer.Option(None, "--kmax", help=escape(parameters.option_help("kmax"))),
    lua: bool = typer.Option(
        DEFAULTS["lua"], "--lua", help="Both sides launch their silos under attack."
    ),
    posture: PostureChoice = typer.Option(
        PostureChoice(DEFAULTS["posture"]), "--posture", help="Posture of real forces."
    ),
    w80_a: float = typer.Option(
        None, "--w80-a", min=1e-9, help=escape("Override A's w80 [warheads].")
    ),
    w80_b: float = typer.Option(
        None, "--w80-b", min=1e-9, help=escape("Override B's w80 [warheads].")
    ),
    weapons: WeaponsChoice = typer.Option(
        WeaponsChoice.uniform,
        "--weapons",
        help="DE: 'uniform' (--de for every warhead) or 'data' (by weapon type, from the "
        "systems catalogue's yield, CEP and reliability and the targets' hardness).",
    ),
    defense_a: str = typer.Option(
        None,
        "--defense-a",
        help=escape(
            "A's missile defence: I[,p_kill[,shots_per_rv[,availability]]], I a number of "
            "interceptors or 'holdings'; omitted figures are assumptions (data/parameters.yaml)."
        ),
    ),
    defense_b: str = typer.Option(
        None, "--defense-b", help="B's missile defence (as --defense-a)."
    ),
    format: Format = typer.Option(Format(DEFAULTS["format"]), "--format", "-f"),
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
    emit(render(evaluate(sides, params), format.value))


def register(app: typer.Typer) -> None:
    """Add ``stability`` to ``app``."""
    app.command("stability")(stability_command)
