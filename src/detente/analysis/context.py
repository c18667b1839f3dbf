"""Context measures next to the first-strike stability index, for two forces.

Schelling's penalty for waiting, arriving retaliatory warheads (ARW), generation stability and
launch-on-warning stability (:mod:`detente.kernels.context`; docs/multiparty.md). Every
exchange the switched-on measures need goes through one kernel call.

Each side X is struck by the other side Y under four conditions: X day-to-day or generated,
riding out the attack or launching its silo ICBMs on warning (launch under attack). Y's own
posture does not matter to Y's strike (a striker uses a fixed share of its survivable
weapons, whatever their alert).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analysis.stability import Side, StabilityParams, make_sides, per_label
from detente.errors import InputError
from detente.kernels.context import (
    STRIKES,
    generation_stability,
    low_stability,
    penalty_for_waiting,
    schelling_index,
    strike_outcome,
)
from detente.model.force import POSTURES, Force, Posture
from detente.model.notional import NotionalForce

if TYPE_CHECKING:
    import pandas as pd

#: Launch settings of a struck side: riding out the attack, or launching on warning.
LAUNCH = {False: "ride_out", True: "launch_on_warning"}


@dataclass(frozen=True)
class ContextParams:
    """Which context measures to compute, and against which first strike.

    Attributes
    ----------
    schelling : bool
        Penalty for waiting per side and their joint index.
    arw : bool
        Arriving retaliatory warheads per side, in its posture, and all four conditions.
    generation : bool
        Generation stability, ARW(day-to-day) / ARW(generated), at the side's launch setting.
    low : bool
        Launch-on-warning stability, ARW(ride out) / ARW(LOW), in the side's posture.
    strike : {'kent_thaler', 'counterforce'}
        The attacker's cost-minimising strike (the exchange of the index) or its largest
        counterforce strike.
    """

    schelling: bool = True
    arw: bool = True
    generation: bool = True
    low: bool = True
    strike: str = "kent_thaler"

    def __post_init__(self) -> None:
        if self.strike not in STRIKES:
            raise InputError(
                f"strike must be one of {', '.join(STRIKES)}; got {self.strike!r}",
                field="strike",
            )


@dataclass(frozen=True)
class ContextResult:
    """Context measures of two sides, keyed by side label; ``None`` where switched off.

    Attributes
    ----------
    labels : tuple of str
    measures : ContextParams
    posture, lua : dict
        Per side: its posture and whether it launches under attack.
    penalty : dict or None
        Penalty for waiting p = 1 − D2/D1 per side [-] (D1: damage if the other strikes
        first, D2: damage if it strikes first).
    schelling : float or None
        max(0, p_A)·max(0, p_B) [-]; 0 = stable, 1 = each side loses everything by waiting.
    arw : dict or None
        Per side: its arriving retaliatory warheads after the other's first strike, in its
        posture and launch setting [warheads].
    arw_conditions : dict or None
        Per side: ARW under ``"<posture>/<ride_out|launch_on_warning>"`` [warheads].
    generation : dict or None
        Per side: ARW(day-to-day) / ARW(generated) at its launch setting [-] (NaN for a
        notional force, which has one alert fraction).
    low : dict or None
        Per side: ARW(ride out) / ARW(launch on warning) in its posture [-].
    params : StabilityParams
    """

    labels: tuple[str, str]
    measures: ContextParams
    posture: dict[str, str]
    lua: dict[str, bool]
    penalty: dict[str, float] | None
    schelling: float | None
    arw: dict[str, float] | None
    arw_conditions: dict[str, dict[str, float]] | None
    generation: dict[str, float] | None
    low: dict[str, float] | None
    params: StabilityParams = field(repr=False)

    def penalty_meaning(self, side: str) -> str:
        """What side ``side``'s penalty for waiting says, in words.

        p > 0: striking first spares the side that share of the damage of waiting, so it
        gains by striking first (less stable); p <= 0: it gains nothing by striking first.
        """
        if self.penalty is None:
            return ""
        p = self.penalty[side]
        return "gains by striking first" if p > 0 else "gains nothing by striking first"

    def schelling_meaning(self) -> str:
        """Schelling's joint index in words: why it has its value, and its polarity.

        The clipped product is 0 when *either* side gains nothing by striking first, and
        positive only when both do (a reciprocal fear of surprise attack); its polarity is
        the reverse of the FSI's (FSI 1 = stable; here 0 = no reciprocal fear).

        Examples
        --------
        >>> from detente.model.catalog import load_force
        >>> c = context_measures(load_force("us-2025"), load_force("ru-2025"))
        >>> print(c.schelling_meaning())  # doctest: +NORMALIZE_WHITESPACE
        Schelling's joint index max(0, p_US)·max(0, p_RU) = 0.000: 0 because RU gains nothing
        by striking first (p_RU = −0.288), although US does (p_US = 0.474); it is above 0 only when
        both sides gain by striking first (a reciprocal fear of surprise attack) and 1 when
        each would lose everything by waiting. Polarity: the reverse of the FSI's (FSI 1 is
        stable; here 0 is).
        """
        if self.schelling is None or self.penalty is None:
            return ""
        a, b = self.labels
        p = self.penalty
        head = f"Schelling's joint index max(0, p_{a})·max(0, p_{b}) = {self.schelling:.3f}: "
        gain = [k for k in self.labels if p[k] > 0]
        none = [k for k in self.labels if p[k] <= 0]
        values = ", ".join(f"p_{k} = {_signed(p[k])}" for k in none)
        if not none:
            why = "above 0 because both sides gain by striking first (a reciprocal fear of "
            why += "surprise attack); 1 would mean each loses everything by waiting."
        else:
            if gain:
                g = gain[0]
                why = f"0 because {none[0]} gains nothing by striking first ({values}), "
                why += f"although {g} does (p_{g} = {_signed(p[g])})"
            else:
                why = f"0 because neither side gains by striking first ({values})"
            why += (
                "; it is above 0 only when both sides gain by striking first (a reciprocal "
                "fear of surprise attack) and 1 when each would lose everything by waiting."
            )
        return head + why + " Polarity: the reverse of the FSI's (FSI 1 is stable; here 0 is)."

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (non-finite numbers stay floats; JSON: ``null``, :mod:`detente.jsonio`)."""
        return {
            "schelling": self.schelling,
            "schelling_meaning": self.schelling_meaning(),
            "penalty_for_waiting": self.penalty,
            "arriving_retaliation": self.arw,
            "arriving_by_condition": self.arw_conditions,
            "generation_stability": self.generation,
            "low_stability": self.low,
            "strike": self.measures.strike,
            "posture": self.posture,
            "lua": self.lua,
            "params": self.params.__dict__,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per side: the switched-on measures as columns."""
        import pandas as pd

        columns = {
            "penalty_for_waiting": self.penalty,
            "arriving_retaliation": self.arw,
            "generation_stability": self.generation,
            "low_stability": self.low,
        }
        rows = []
        for k in self.labels:
            row: dict[str, Any] = {"side": k}
            row.update({name: v[k] for name, v in columns.items() if v is not None})
            for cond, value in (self.arw_conditions or {}).get(k, {}).items():
                row[f"arw {cond}"] = value
            if self.schelling is not None:
                row["schelling"] = self.schelling
            rows.append(row)
        return pd.DataFrame(rows).set_index("side")


def _signed(x: float) -> str:
    """A value to 3 decimals with a true minus sign."""
    return f"{x:.3f}".replace("-", "−")


def _conditions(label: str, posture: str, lua: bool, m: ContextParams) -> set[tuple[str, bool]]:
    """(posture, launch) conditions under which side ``label`` must be struck."""
    out = set()
    if m.schelling or m.arw:
        out.add((posture, lua))
    if m.arw:
        out.update((p, launch) for p in POSTURES for launch in (False, True))
    if m.generation:
        out.update((p, lua) for p in POSTURES)
    if m.low:
        out.update((posture, launch) for launch in (False, True))
    return out


def _pad(rows: list[tuple[Side, Side]]) -> list[np.ndarray]:
    """Striker and victim element arrays (R, E) of (striker, victim) rows, padded with n = 0."""
    width = max(1, *(len(s.elements) for row in rows for s in row))
    out = []
    for pick in (0, 1):
        arrays = [np.zeros((len(rows), width)) for _ in range(4)]
        arrays[2] = arrays[2].astype(bool)
        for i, row in enumerate(rows):
            e = row[pick].elements
            for arr, values in zip(arrays, (e.n, e.m, e.fixed, e.alert), strict=True):
                arr[i, : len(e)] = values
        out += arrays
    return out


def context_measures(
    force_a: Force | NotionalForce,
    force_b: Force | NotionalForce,
    params: StabilityParams | None = None,
    *,
    measures: ContextParams | None = None,
    posture: Posture | Mapping[str, Posture] = "day_to_day",
    lua: bool | Mapping[str, bool] = False,
    w80: Mapping[str, float] | None = None,
) -> ContextResult:
    """Schelling's penalty for waiting, ARW, generation and LOW stability of two forces.

    Parameters
    ----------
    force_a, force_b : Force or NotionalForce
    params : StabilityParams, optional
        The calculus (DE, kmax, α, k, avail, lua_escape).
    measures : ContextParams, optional
        Which measures (default: all, against the cost-minimising strike).
    posture, lua : str or bool, or dict by side label
        Each side's posture and launch under attack, as in
        :func:`~detente.analysis.stability.make_sides`.
    w80 : dict, optional
        w80 by side label [warheads] (default as in ``make_sides``).

    Returns
    -------
    ContextResult

    Examples
    --------
    Check case T1 (models.md §2): waiting costs each side D1 = 1 − e^−2.4, striking first
    D2 = 1 − e^−0.6, so p = 0.5038; 300 of 1500 warheads arrive in retaliation, and 1164 if
    the side launches its silos on warning.

    >>> from detente.analysis.stability import load_side_force
    >>> from detente.model.catalog import DATA_DIR
    >>> folder = DATA_DIR.parent.parent.parent / "examples" / "notional"
    >>> a, b = (load_side_force(folder / f"t1-{x}.yaml") for x in "ab")
    >>> c = context_measures(a, b, measures=ContextParams(strike="counterforce"))
    >>> round(c.penalty["A"], 4), round(c.schelling, 4), c.arw["A"]
    (0.5038, 0.2538, 300.0)
    >>> round(c.low["A"], 4), c.arw_conditions["A"]["day_to_day/launch_on_warning"]
    (0.2577, 1164.0)
    """
    params = params or StabilityParams()
    m = measures or ContextParams()
    by_posture = {
        p: make_sides([force_a, force_b], posture=p, lua=False, w80=w80) for p in POSTURES
    }
    labels = tuple(s.label for s in by_posture["day_to_day"])
    own = {k: per_label(posture, k, "day_to_day") for k in labels}
    launch = {k: bool(per_label(lua, k, False)) for k in labels}
    for k, p in own.items():
        if p not in POSTURES:
            raise InputError(f"posture of {k} must be one of {', '.join(POSTURES)}; got {p!r}")
    notional = {
        k: isinstance(f, NotionalForce) for k, f in zip(labels, (force_a, force_b), strict=True)
    }
    rows: list[tuple[str, str, bool]] = sorted(
        (victim, p, low)
        for victim in labels
        for p, low in _conditions(victim, own[victim], launch[victim], m)
    )
    pairs = []
    for victim, p, _ in rows:
        i = labels.index(victim)
        striker = by_posture[p][1 - i]  # the striker's posture does not enter its strike
        pairs.append((striker, by_posture[p][i]))
    out = strike_outcome(
        *_pad(pairs),
        np.array([s.w80 for s, _ in pairs]),
        np.array([v.w80 for _, v in pairs]),
        params.de,
        strike=m.strike,
        lua=np.array([low for _, _, low in rows]),
        **params.kernel_kwargs(),
    )
    at = {row: i for i, row in enumerate(rows)}

    def arw(victim: str, p: str, low: bool) -> float:
        return float(out.arriving[at[victim, p, low]])

    penalty = schelling = None
    if m.schelling:
        values = {}
        for i, k in enumerate(labels):
            other = labels[1 - i]
            wait = out.D_V[at[k, own[k], launch[k]]]  # the other strikes k first
            strike = out.D_S[at[other, own[other], launch[other]]]  # k strikes first
            values[k] = float(penalty_for_waiting(wait, strike))
        penalty = values
        schelling = float(schelling_index(values[labels[0]], values[labels[1]]))
    arw_own = conditions = generation = low = None
    if m.arw:
        arw_own = {k: arw(k, own[k], launch[k]) for k in labels}
        conditions = {
            k: {f"{p}/{LAUNCH[x]}": arw(k, p, x) for p in POSTURES for x in (False, True)}
            for k in labels
        }
    if m.generation:
        generation = {}
        for k in labels:
            ratio = generation_stability(
                arw(k, "day_to_day", launch[k]), arw(k, "generated", launch[k])
            )
            generation[k] = math.nan if notional[k] else float(ratio)
    if m.low:
        low = {k: float(low_stability(arw(k, own[k], False), arw(k, own[k], True))) for k in labels}
    return ContextResult(
        labels=labels,  # type: ignore[arg-type]
        measures=m,
        posture=own,
        lua=launch,
        penalty=penalty,
        schelling=schelling,
        arw=arw_own,
        arw_conditions=conditions,
        generation=generation,
        low=low,
        params=params,
    )
