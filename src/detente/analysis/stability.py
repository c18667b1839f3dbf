"""First-strike stability of real or notional forces: model objects in, typed results out.

This layer turns forces into the element arrays of :mod:`detente.kernels.stability`, calls the
batched kernel once for both directions and wraps the result with party names, draw-down
curves and surviving / arriving warheads by element and leg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analysis.elements import Elements, elements_from_force, elements_from_notional
from detente.errors import InputError
from detente.kernels.effects import equivalent_megatons
from detente.kernels.exchange import counterforce_segments, drawdown_breakpoints
from detente.kernels.stability import LN5, stability_index
from detente.model import parameters
from detente.model.catalog import force_path, load_force, system_table
from detente.model.force import Force, Posture
from detente.model.notional import NotionalForce
from detente.model.yamlio import load_yaml, validate

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class StabilityParams:
    """Constants of the Kent–Thaler calculus (defaults and sources in ``data/parameters.yaml``).

    Attributes
    ----------
    de : float
        Damage expectancy of one warhead against one targetable launcher [-].
    kmax : int
        Salvo levels per target class [-].
    alpha, surcharge : float
        Cost exponent α and surcharge k [-] (R-3765-AF App. C).
    avail : float
        Share of survivable-force weapons a striker can use [-].
    lua_escape : float
        Share of fixed-force weapons launched under attack [-].
    """

    de: float = field(default_factory=lambda: parameters.default("kent_thaler", "de"))
    kmax: int = field(default_factory=lambda: parameters.default("kent_thaler", "kmax"))
    alpha: float = field(default_factory=lambda: parameters.default("kent_thaler", "alpha"))
    surcharge: float = field(default_factory=lambda: parameters.default("kent_thaler", "surcharge"))
    avail: float = field(default_factory=lambda: parameters.default("kent_thaler", "avail"))
    lua_escape: float = field(
        default_factory=lambda: parameters.default("kent_thaler", "lua_escape")
    )

    def kernel_kwargs(self) -> dict[str, Any]:
        """Keyword arguments shared by both directions of the kernel."""
        return {
            "alpha": self.alpha,
            "surcharge": self.surcharge,
            "avail": self.avail,
            "kmax": self.kmax,
            "lua_escape": self.lua_escape,
        }


@dataclass(frozen=True)
class Side:
    """One party in an exchange: its elements, its ``w80`` and whether it launches under attack.

    Attributes
    ----------
    label : str
        Key of this side in results (the party, or the force name when both parties agree).
    elements : Elements
    w80 : float
        Arriving weapons that destroy 80 % of this side's value [warheads].
    lua : bool
        This side launches its fixed force under attack.
    w80_note : str
        Where ``w80`` comes from.
    force : Force or NotionalForce
    """

    label: str
    elements: Elements
    w80: float
    lua: bool = False
    w80_note: str = ""
    force: Force | NotionalForce | None = field(default=None, repr=False, compare=False)


def mean_warhead_emt(force: Force) -> float | None:
    """Mean equivalent megatonnage per deployed strategic warhead of ``force`` [Mt].

    Each holding's warheads are weighted by its deployed warheads; a system with several
    warhead types counts their mean EMT (the mix on deployed missiles is not public). Types
    without a known yield are skipped; ``None`` when no yield is known at all.
    """
    from detente.analysis.elements import strategic_holdings

    table = system_table(force)
    total = weight = 0.0
    for i, system in strategic_holdings(force):
        yields = [w.yield_kt for w in table[system.id].warheads if w.yield_kt]
        n = force.holdings[i].deployed_warheads
        if yields and n > 0:
            total += n * float(np.mean(equivalent_megatons(np.asarray(yields))))
            weight += n
    return total / weight if weight else None


def default_w80(attacker: Force) -> tuple[float, str]:
    """Default ``w80`` of the side that ``attacker`` strikes, and how it was made.

    w80 = assured-destruction EMT / mean EMT per arriving warhead of the attacker
    (``data/parameters.yaml``, ``value_damage.assured_destruction_emt``: an assumption).
    """
    emt = parameters.default("value_damage", "assured_destruction_emt")
    per_warhead = mean_warhead_emt(attacker)
    if per_warhead is None:
        raise InputError(
            f"no warhead yields known for {attacker.name}: give w80 explicitly",
            field="w80",
        )
    w80 = emt / per_warhead
    note = (
        f"assumption: {emt:g} EMT (assured-destruction yardstick) / {per_warhead:.4f} EMT per "
        f"{attacker.name} warhead = {w80:.1f} warheads"
    )
    return w80, note


def load_side_force(name_or_path: str | Path) -> Force | NotionalForce:
    """A bundled force, a force file, or a notional force file (one with ``elements``)."""
    path = force_path(name_or_path)
    doc = load_yaml(path)
    if isinstance(doc.data, dict) and "elements" in doc.data:
        return validate(NotionalForce, doc)
    return load_force(path)


def make_sides(
    forces: list[Force | NotionalForce],
    *,
    posture: Posture | dict[str, Posture] = "day_to_day",
    lua: bool | dict[str, bool] = False,
    w80: dict[str, float] | None = None,
) -> list[Side]:
    """Sides for the kernel; real forces get their posture's alert fractions and default w80.

    ``posture``, ``lua`` and ``w80`` may be given per label (party, or force name when two
    forces share a party).
    """
    parties = [f.party for f in forces]
    labels = [
        f.party if parties.count(f.party) == 1 else getattr(f, "name", f.party) for f in forces
    ]
    if len(set(labels)) != len(labels):
        raise InputError(f"two sides share the label(s) {labels}; give distinct forces")
    sides = []
    for i, (label, force) in enumerate(zip(labels, forces, strict=True)):
        pos = posture.get(label, "day_to_day") if isinstance(posture, dict) else posture
        own_lua = lua.get(label, False) if isinstance(lua, dict) else lua
        if isinstance(force, NotionalForce):
            elems, value, note = elements_from_notional(force), force.w80, "given in the file"
        else:
            elems = elements_from_force(force, pos)
            others = [f for j, f in enumerate(forces) if j != i and isinstance(f, Force)]
            value, note = default_w80(others[0]) if others else (math.nan, "")
        if w80 and label in w80:
            value, note = w80[label], "given"
        if not value > 0:
            raise InputError(f"side {label}: w80 must be given for a notional opponent")
        sides.append(Side(label, elems, float(value), bool(own_lua), note, force))
    return sides


@dataclass(frozen=True)
class StabilityResult:
    """First-strike stability of two sides, keyed by side label.

    Attributes
    ----------
    labels : tuple of str
        The two sides (A, B).
    C1, C2, r, r_uncapped : dict
        Cost of striking first, cost of being struck, min(1, C1/C2) and C1/C2, per side [-].
    fsi : float
        First-strike stability index [-] in [0, 1].
    x_star, arriving, surviving : dict
        Per striker: counterforce warheads spent; per side: its warheads that arrive on the
        other's value after being struck first (retaliation) and its warheads surviving by
        element [warheads].
    drawdown : dict
        Per striker: breakpoints ``{"x": [...], "K": [...]}`` of the draw-down curve.
    params : StabilityParams
    sides : tuple of Side
    """

    labels: tuple[str, str]
    C1: dict[str, float]
    C2: dict[str, float]
    r: dict[str, float]
    r_uncapped: dict[str, float]
    fsi: float
    x_star: dict[str, float]
    arriving: dict[str, float]
    surviving: dict[str, dict[str, float]]
    drawdown: dict[str, dict[str, list[float]]]
    params: StabilityParams
    sides: tuple[Side, Side] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary; the first five keys are those of ``detente stability``."""
        return {
            "C1": self.C1,
            "C2": self.C2,
            "r": self.r,
            "r_uncapped": {k: _finite(v) for k, v in self.r_uncapped.items()},
            "fsi": self.fsi,
            "x_star": self.x_star,
            "arriving_retaliation": self.arriving,
            "surviving_by_element": self.surviving,
            "w80": {s.label: s.w80 for s in self.sides},
            "params": self.params.__dict__,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per side: C1, C2, r, r_uncapped, x*, arriving retaliation."""
        import pandas as pd

        rows = [
            {
                "side": k,
                "C1": self.C1[k],
                "C2": self.C2[k],
                "r": self.r[k],
                "r_uncapped": self.r_uncapped[k],
                "x_star": self.x_star[k],
                "arriving_retaliation": self.arriving[k],
                "fsi": self.fsi,
            }
            for k in self.labels
        ]
        return pd.DataFrame(rows).set_index("side")


def _finite(v: float) -> float | str:
    return v if math.isfinite(v) else "inf"


def _pad(sides: list[Side]) -> list[np.ndarray]:
    """Element arrays of two sides, each with a batch axis of 1."""
    return [
        arr[None, :]
        for s in sides
        for arr in (s.elements.n, s.elements.m, s.elements.fixed, s.elements.alert)
    ]


def _surviving(victim: Side, striker: Side, x_star: float, params: StabilityParams) -> dict:
    """Victim warheads surviving per element after the striker spends ``x_star``."""
    e = victim.elements
    kmax = params.kmax
    cost = np.where(e.fixed, e.n, e.n * (1 - e.alert))
    eff = e.m * params.de * np.where(e.fixed & victim.lua, 1 - params.lua_escape, 1.0)
    segs = [(eff[i] * (1 - params.de) ** k, i, cost[i]) for i in range(len(e)) for k in range(kmax)]
    segs.sort(key=lambda s: -s[0])
    destroyed = np.zeros(len(e))
    left = x_star
    for efficiency, i, c in segs:
        spend = min(c, left)
        destroyed[i] += spend * efficiency
        left -= spend
        if left <= 0:
            break
    return {name: float(w - d) for name, w, d in zip(e.names, e.warheads, destroyed, strict=True)}


def evaluate(sides: list[Side], params: StabilityParams | None = None) -> StabilityResult:
    """Kent–Thaler first-strike stability of two sides.

    Examples
    --------
    >>> from detente.model.catalog import DATA_DIR
    >>> t1 = DATA_DIR.parent.parent.parent / "examples" / "notional"
    >>> a, b = (load_side_force(t1 / f"t1-{x}.yaml") for x in "ab")
    >>> round(evaluate(make_sides([a, b])).fsi, 4)
    0.2871
    """
    if len(sides) != 2:
        raise InputError(f"stability needs exactly two sides, got {len(sides)}")
    params = params or StabilityParams()
    a, b = sides
    si = stability_index(
        *_pad(sides),
        a.w80,
        b.w80,
        params.de,
        params.de,
        lua_A=a.lua,
        lua_B=b.lua,
        **params.kernel_kwargs(),
    )
    la, lb = a.label, b.label
    x_a, x_b = float(si.x_star_A[0]), float(si.x_star_B[0])
    curves = {}
    for striker, victim in ((a, b), (b, a)):
        v = victim.elements
        cost, eff = counterforce_segments(
            v.n[None],
            v.m[None],
            v.fixed[None],
            v.alert[None],
            params.de,
            kmax=params.kmax,
            lua=victim.lua,
            lua_escape=params.lua_escape,
        )
        x, k = drawdown_breakpoints(cost, eff)
        curves[striker.label] = {"x": x[0].tolist(), "K": k[0].tolist()}
    return StabilityResult(
        labels=(la, lb),
        C1={la: float(si.C1_A[0]), lb: float(si.C1_B[0])},
        C2={la: float(si.C2_A[0]), lb: float(si.C2_B[0])},
        r={la: float(si.r_A_capped[0]), lb: float(si.r_B_capped[0])},
        r_uncapped={la: float(si.r_A[0]), lb: float(si.r_B[0])},
        fsi=float(si.fsi[0]),
        x_star={la: x_a, lb: x_b},
        arriving={la: float(si.b_first.R[0]), lb: float(si.a_first.R[0])},
        surviving={la: _surviving(a, b, x_b, params), lb: _surviving(b, a, x_a, params)},
        drawdown=curves,
        params=params,
        sides=(a, b),
    )


def with_lua(sides: list[Side], lua: bool) -> list[Side]:
    """The same sides, all launching under attack (or none)."""
    return [replace(s, lua=lua) for s in sides]


def w0(w80: float) -> float:
    """Value-damage scale w0 = w80 / ln 5 [warheads]."""
    return w80 / LN5
