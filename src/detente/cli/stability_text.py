"""What ``detente stability`` prints: one plain renderer for its light start
(:mod:`detente.cli.quick`) and its typer command (:mod:`detente.cli.stability`).

Plain text, no terminal library: the table of costs and ratios per side, the index with what it
means, a key to the columns and where each w80, defence and DE comes from. The options that
the light start answers are defined here too, so both paths read the same names and choices.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detente.analysis.stability import StabilityResult

#: Output formats (``--format``, ``-f``).
FORMATS = ("table", "json")
#: Options the light start answers, by what the command line says, and the typer parameter
#: each sets; their values are converted as click converts them.
VALUE_OPTIONS = {
    "--de": "de",
    "--kmax": "kmax",
    "--posture": "posture",
    "--format": "format",
    "-f": "format",
}
#: Flags the light start answers and the parameter each sets to True.
FLAG_OPTIONS = {"--lua": "lua"}
#: The values of these parameters when their option is not given.
DEFAULTS = {"posture": "day_to_day", "format": "table", "lua": False, "de": None, "kmax": None}
#: Column headings of the table, with right-aligned number columns.
HEADINGS = ("side", "C1 strike first", "C2 struck first", "r", "r uncapped", "x*", "w80")
#: What the columns mean, printed under the index.
KEY = (
    "C1, C2: a side's cost of striking first, and of being struck first",
    "r = min(1, C1/C2), r uncapped = C1/C2: below 1, striking first costs the side less than "
    "being struck first",
    "x*: warheads a side spends on the other's forces when striking first; "
    "w80: arriving warheads that destroy 80 % of a side's value",
)


def table(result: StabilityResult) -> str:
    """The table of costs and ratios per side, the index, the key and the notes.

    Examples
    --------
    >>> from detente.analysis.stability import evaluate, load_side_force, make_sides
    >>> from detente.model.catalog import DATA_DIR
    >>> t1 = DATA_DIR.parent.parent.parent / "examples" / "notional"
    >>> sides = make_sides([load_side_force(t1 / f"t1-{x}.yaml") for x in "ab"])
    >>> print(table(evaluate(sides)).split("FSI")[0])
    First-strike stability, A vs B
    side  C1 strike first  C2 struck first       r  r uncapped     x*    w80
    A              0.5712           1.0660  0.5358      0.5358  250.0  804.7
    B              0.5712           1.0660  0.5358      0.5358  250.0  804.7
    <BLANKLINE>
    """
    a, b = result.labels
    rows = [HEADINGS]
    for side in result.sides:
        k = side.label
        rows.append(
            (
                k,
                f"{result.C1[k]:.4f}",
                f"{result.C2[k]:.4f}",
                f"{result.r[k]:.4f}",
                f"{result.r_uncapped[k]:.4f}",
                f"{result.x_star[k]:.1f}",
                f"{side.w80:.1f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADINGS))]
    lines = [f"First-strike stability, {a} vs {b}"]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
    lines.append(
        f"FSI = {result.fsi:.4f}  (first-strike stability index, 0 to 1; "
        "1 = no side gains by striking first)"
    )
    lines += KEY
    lines += [f"w80 {side.label}: {side.w80_note}" for side in result.sides]
    for label, d in result.defense.items():
        lines.append(
            f"defence {label}: {d['interceptors']:g} interceptors, P = "
            f"{d['intercept_probability']:.3f} per engaged RV, at most {d['capacity']:g} RVs; "
            f"{d['first_strike_through']:.1%} of a first strike on {label} gets through, "
            f"{d['retaliation_arriving']:.1f} of {d['retaliation_surviving']:.1f} retaliating "
            f"warheads arrive after {label} strikes first ({d['note']})"
        )
    for label, w in result.weapons.items():
        lines.append(
            f"DE by weapon type of {label}: {len(w['assumed'])} assumed figures "
            "(--format json lists them)"
        )
    return "\n".join(lines)


def render(result: StabilityResult, format: str) -> str:
    """The text of ``result`` in ``format`` (:data:`FORMATS`)."""
    if format == "json":
        from detente import jsonio  # json and datetime: not needed for the table

        return jsonio.dumps(result.to_dict(), indent=2)
    return table(result)


def emit(text: str) -> None:
    """Write ``text`` and a newline to standard output."""
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()
