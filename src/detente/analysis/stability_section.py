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
from typing import TYPE_CHECKING, Any

from detente.analysis.stability import StabilityResult, evaluate, row_values
from detente.analysis.uncertainty import evaluate_batch, output_name
from detente.model.force import POSTURES

if TYPE_CHECKING:
    import pandas as pd

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
    system : dict or None
        With three or more parties or a missile defence (what the two-party results leave
        out): the outputs of :func:`evaluate_batch` at the scenario's values (``fsi``,
        ``fsi.A-B``, ``r.A-B.A``, ``surviving.A-B.A``, ``arriving.A-B.A``, ...) [-, warheads].
    postures : tuple of PostureCase
        Every pair under every combination of day-to-day / generated and launch under attack.
    """

    pairs: dict[str, StabilityResult]
    fsi: float
    system: dict[str, float] | None
    postures: tuple[PostureCase, ...]

    def system_rows(self, resolved: ResolvedScenario) -> list[dict[str, Any]]:
        """One row per pair and side of :attr:`system`: pair FSI, r, surviving, arriving."""
        if self.system is None:
            return []
        rows = []
        for pair in resolved.pairs():
            for side in pair:
                row = {"pair": tag(pair), "side": side}
                for kind in ("fsi", "r", "surviving", "arriving"):
                    row[kind] = self.system[output_name(resolved, kind, pair, side)]
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
    system = None
    if needs_batch(resolved):
        system = {k: float(v[0]) for k, v in evaluate_batch(resolved, {}, 1).items()}
        fsi = system["fsi"]
    else:
        fsi = pairs[tag(resolved.pairs()[0])].fsi
    return StabilitySection(pairs, fsi, system, tuple(posture_cases(resolved)))


def needs_batch(resolved: ResolvedScenario) -> bool:
    """Three or more parties or a missile defence: results come from :func:`evaluate_batch`
    (the two-party :func:`evaluate` models neither)."""
    return len(resolved.parties) > 2 or any(p.defense for p in resolved.parties)


def posture_cases(resolved: ResolvedScenario) -> list[PostureCase]:
    """Every pair under every combination of postures and launch under attack.

    With two parties, the 16 cases are rows of one kernel call (:func:`row_values`), with the
    parties' missile defences and DE by weapon type where the scenario has them. With three
    or more parties the other parties keep the scenario's postures and every striker withholds
    its reserve against them: each case comes from :func:`evaluate_batch` (the multiparty
    kernel takes one posture and launch setting per party). ``r`` is capped.
    """
    cases = []
    for pair in resolved.pairs():
        grid = [
            (dict(zip(pair, postures, strict=True)), dict(zip(pair, luas, strict=True)))
            for postures in itertools.product(POSTURES, repeat=2)
            for luas in itertools.product((False, True), repeat=2)
        ]
        if len(resolved.parties) > 2:
            for posture, lua in grid:
                out = evaluate_batch(resolved, {}, 1, posture=posture, lua=lua)
                fsi = float(out[output_name(resolved, "fsi", pair)][0])
                r = {k: float(out[output_name(resolved, "r", pair, k)][0]) for k in pair}
                cases.append(PostureCase(pair, posture, lua, fsi, r))
            continue
        rows = [
            [replace(s, defense=resolved.party(s.label).defense) for s in resolved.sides(pair, *c)]
            for c in grid
        ]
        values = row_values(rows, resolved.params)
        for i, (posture, lua) in enumerate(grid):
            r = dict(zip(pair, map(float, values["r"][i]), strict=True))
            cases.append(PostureCase(pair, posture, lua, float(values["fsi"][i]), r))
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
