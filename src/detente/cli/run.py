"""``detente run``: the main job of ``make run``."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from detente.analysis.counting import count
from detente.analysis.stability import evaluate, make_sides, with_lua
from detente.model.catalog import load_force, system_table
from detente.model.treaties import load_treaty

LATEST = ("us-2025", "ru-2025")


def run_command() -> None:
    """Treaty counts and first-strike stability of the latest bundled US and Russian forces."""
    console = Console()
    forces = [load_force(name) for name in LATEST]
    treaty = load_treaty("new-start")
    table = Table(title="Latest forces counted under New START rules (expired 2026-02-05)")
    for col in ("force", "limit", "count", "ceiling", "margin", "within"):
        table.add_column(col, justify="left" if col in ("force", "limit") else "right")
    for force in forces:
        result = count(force, treaty, system_table(force))
        for lim in result.limits:
            table.add_row(
                force.name,
                lim.id,
                f"{lim.count:,.0f}",
                f"{lim.limit:,.0f}",
                f"{lim.margin:,.0f}",
                "yes" if lim.ok else "[red]no[/red]",
            )
    console.print(table)
    fsi = Table(title="First-strike stability index (Kent–Thaler), US vs Russia")
    for col in ("posture", "FSI", "FSI with launch under attack"):
        fsi.add_column(col)
    for posture in ("day_to_day", "generated"):
        sides = make_sides(forces, posture=posture)
        fsi.add_row(
            posture,
            f"{evaluate(sides).fsi:.4f}",
            f"{evaluate(with_lua(sides, True)).fsi:.4f}",
        )
    console.print(fsi)


def register(app: typer.Typer) -> None:
    """Add ``run`` to ``app``."""
    app.command("run")(run_command)
