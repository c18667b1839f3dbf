"""The stability section of an assessment: the index of each pair, of the system, and of every
pair under every posture.

:func:`stability_section` evaluates each pair alone (:func:`~detente.analysis.stability.
evaluate`) and, with three or more parties or a missile defence, the system at the scenario's
values (:func:`~detente.analysis.uncertainty.evaluate_batch`); :func:`posture_cases` puts every
pair under every combination of day-to-day / generated and launch under attack, and
:func:`own_r_notes` says in words why a side's own r falls when it alone changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analysis.stability import StabilityResult, evaluate, row_values, select
from detente.analysis.uncertainty import evaluate_batch, flat_outputs, side_of
from detente.model.force import POSTURES

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from detente.analysis.scenario import ResolvedScenario


@dataclass(frozen=True)
class PostureCase:
    """The stability of one pair under one combination of postures and launch under attack."""

    pair: tuple[str, str]
    posture: dict[str, str]
    lua: dict[str, bool]
    fsi: float
    r: dict[str, float]

    def row(self) -> dict[str, Any]:
        """Flat dict for a table."""
        a, b = self.pair
        return {
            "pair": f"{a}-{b}",
            f"posture_{a}": self.posture[a],
            f"posture_{b}": self.posture[b],
            f"lua_{a}": self.lua[a],
            f"lua_{b}": self.lua[b],
            "fsi": self.fsi,
            f"r_{a}": self.r[a],
            f"r_{b}": self.r[b],
        }


@dataclass(frozen=True)
class StabilitySection:
    """The stability of the scenario (the ``stability`` section of an assessment).

    Attributes
    ----------
    pairs : dict
        :class:`StabilityResult` per pair (``"US-RU"``) in the scenario's postures, each pair
        alone (no reserve against third parties).
    fsi : float
        The scenario's first-strike stability index [-]: the pair's, or with three or more
        parties the system index (the smallest pairwise index with reserves).
    batch : xarray.Dataset or None
        With three or more parties or a missile defence (what the two-party results leave
        out): :func:`evaluate_batch` at the scenario's values, one ``case`` over ``pair`` and
        ``side`` [-, warheads].
    postures : tuple of PostureCase
        Every pair under every combination of day-to-day / generated and launch under attack.
    """

    pairs: dict[str, StabilityResult]
    fsi: float
    batch: xr.Dataset | None
    postures: tuple[PostureCase, ...]

    @cached_property
    def system(self) -> dict[str, float] | None:
        """:attr:`batch` by flat names (``fsi``, ``fsi.A-B``, ``r.A-B.A``,
        ``surviving.A-B.A``, ``arriving.A-B.A``, ...; :func:`flat_outputs`), as
        ``results.json`` and the CLI show it."""
        if self.batch is None:
            return None
        return {k: float(v[0]) for k, v in flat_outputs(self.batch).items()}

    def system_rows(self, resolved: ResolvedScenario) -> list[dict[str, Any]]:
        """One row per pair and side of :attr:`batch`: pair FSI, r, surviving, arriving."""
        if self.batch is None:
            return []
        rows = []
        for pair in resolved.pairs():
            for side in pair:
                row: dict[str, Any] = {"pair": tag(pair), "side": side}
                row["fsi"] = float(select(self.batch["fsi"], pair=tag(pair))[0])
                for kind in ("r", "surviving", "arriving"):
                    row[kind] = float(side_of(self.batch, kind, pair, side)[0])
                rows.append(row)
        return rows

    def postures_frame(self) -> pd.DataFrame:
        """The FSI of every pair under every posture and launch-under-attack combination."""
        import pandas as pd

        return pd.DataFrame([c.row() for c in self.postures])

    def drawdown_frame(self) -> pd.DataFrame:
        """Breakpoints of each striker's draw-down curve K(x)."""
        import pandas as pd

        rows = [
            {"pair": pair, "striker": striker, "x": x, "K": k}
            for pair, result in self.pairs.items()
            for striker, curve in result.drawdown.items()
            for x, k in zip(curve["x"], curve["K"], strict=True)
        ]
        return pd.DataFrame(rows, columns=["pair", "striker", "x", "K"])


def tag(pair: tuple[str, str]) -> str:
    """A pair as text (``"US-RU"``)."""
    return "-".join(pair)


def stability_section(resolved: ResolvedScenario) -> StabilitySection:
    """Each pair alone, the system where the pairs leave something out, and the postures."""
    pairs = {tag(p): evaluate(resolved.sides(p), resolved.params) for p in resolved.pairs()}
    batch = None
    if needs_batch(resolved):
        batch = evaluate_batch(resolved, {}, 1)
        fsi = float(batch["fsi_system"][0])
    else:
        fsi = pairs[tag(resolved.pairs()[0])].fsi
    return StabilitySection(pairs, fsi, batch, tuple(posture_cases(resolved)))


def needs_batch(resolved: ResolvedScenario) -> bool:
    """Three or more parties or a missile defence: results come from :func:`evaluate_batch`
    (the two-party :func:`evaluate` models neither)."""
    return len(resolved.parties) > 2 or any(p.defense for p in resolved.parties)


def posture_cases(resolved: ResolvedScenario) -> list[PostureCase]:
    """Every pair under every combination of postures and launch under attack.

    With two parties, the 16 cases are rows of one kernel call (:func:`row_values`), with the
    parties' missile defences and DE by weapon type where the scenario has them. With three
    or more parties the other parties keep the scenario's postures and every striker withholds
    its reserve against them: the 16 cases of every pair are rows of one
    :func:`evaluate_batch` call (posture and launch under attack are row inputs). ``r`` is
    capped.
    """
    grid = [
        (postures, luas)
        for postures in itertools.product(POSTURES, repeat=2)
        for luas in itertools.product((False, True), repeat=2)
    ]
    if len(resolved.parties) > 2:
        return _system_posture_cases(resolved, grid)
    cases = []
    for pair in resolved.pairs():
        grid_pair = [
            (dict(zip(pair, p, strict=True)), dict(zip(pair, q, strict=True))) for p, q in grid
        ]
        rows = [
            [replace(s, defense=resolved.party(s.label).defense) for s in resolved.sides(pair, *c)]
            for c in grid_pair
        ]
        values = row_values(rows, resolved.params)
        for i, (posture, lua) in enumerate(grid_pair):
            r = dict(zip(pair, map(float, values["r"][i]), strict=True))
            cases.append(PostureCase(pair, posture, lua, float(values["fsi"][i]), r))
    return cases


def _system_posture_cases(resolved: ResolvedScenario, grid: list[tuple]) -> list[PostureCase]:
    """The posture grid of three or more parties: every pair's cases as rows of one call."""
    pairs = resolved.pairs()
    size = len(pairs) * len(grid)
    posture = {p.label: np.full(size, p.spec.posture, dtype=object) for p in resolved.parties}
    lua = {p.label: np.full(size, p.spec.lua) for p in resolved.parties}
    for i, (pair, (p, q)) in enumerate(itertools.product(pairs, grid)):
        for k, label in enumerate(pair):
            posture[label][i], lua[label][i] = p[k], q[k]
    ds = evaluate_batch(resolved, {}, size, posture=posture, lua=lua)
    cases = []
    for i, (pair, (p, q)) in enumerate(itertools.product(pairs, grid)):
        fsi = float(select(ds["fsi"], pair=tag(pair))[i])
        r = {k: float(side_of(ds, "r", pair, k)[i]) for k in pair}
        cases.append(
            PostureCase(
                pair, dict(zip(pair, p, strict=True)), dict(zip(pair, q, strict=True)), fsi, r
            )
        )
    return cases


#: A side's own r must fall by more than this for :func:`own_r_notes` to explain it [-].
OWN_R_TOLERANCE = 5e-5


def own_r_notes(
    cases: Sequence[PostureCase], posture: Mapping[str, str], lua: Mapping[str, bool]
) -> list[str]:
    """Why a side's own r falls when it alone generates or launches under attack.

    Starting from the scenario's ``posture`` and ``lua`` (by party), each side's unilateral
    change (day-to-day to generated; riding out to launch under attack) is looked up in
    ``cases``. Where it lowers that side's own r, the sentence says why: with fewer of its
    launchers open to attack, the other side's cost-minimising first strike moves warheads
    from counterforce to the side's value, so being struck first costs it more (its C2
    rises; its C1 does not change, since a striker's own alert does not enter its strike).
    This is a property of the Kent–Thaler calculus (docs/stability.md, "Unilateral changes"),
    not an error; the other side's r does not fall.

    Examples
    --------
    >>> from detente.analysis.assess import assess
    >>> from detente.model.scenario import parse_scenario
    >>> a = assess(parse_scenario("name: x\\nparties: [{force: us-2025}, {force: ru-2025}]"))
    >>> for line in own_r_notes(a.postures, {"US": "day_to_day", "RU": "day_to_day"},
    ...                         {"US": False, "RU": False}):
    ...     print(line.split(";")[0])
    US-RU: US launching under attack lowers its own r (0.687 → 0.671
    US-RU: RU generating lowers its own r (1.000 → 0.853
    US-RU: RU launching under attack lowers its own r (1.000 → 0.962
    """
    by_key = {
        (c.pair, tuple(c.posture[k] for k in c.pair), tuple(c.lua[k] for k in c.pair)): c
        for c in cases
    }
    notes = []
    for pair in dict.fromkeys(c.pair for c in cases):
        base_p = tuple(posture[k] for k in pair)
        base_l = tuple(bool(lua[k]) for k in pair)
        base = by_key[(pair, base_p, base_l)]
        for i, side in enumerate(pair):
            other = pair[1 - i]
            changes = []
            if base_p[i] == "day_to_day":
                p = tuple("generated" if j == i else v for j, v in enumerate(base_p))
                changes.append(("generating", by_key[(pair, p, base_l)]))
            if not base_l[i]:
                q = tuple(True if j == i else v for j, v in enumerate(base_l))
                changes.append(("launching under attack", by_key[(pair, base_p, q)]))
            for what, case in changes:
                before, after = base.r[side], case.r[side]
                if after < before - OWN_R_TOLERANCE:
                    theirs = f"{base.r[other]:.3f} → {case.r[other]:.3f}"
                    notes.append(
                        f"{'-'.join(pair)}: {side} {what} lowers its own r ({before:.3f} → "
                        f"{after:.3f}; {other}'s r {theirs}). {other}'s first strike then "
                        f"finds fewer {side} launchers to attack and moves warheads from "
                        f"counterforce to {side}'s value, so being struck first costs {side} "
                        "more (its C2 rises): a property of the calculus, not an error."
                    )
    return notes
