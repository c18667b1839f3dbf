"""First-strike stability of real or notional forces: model objects in, typed results out.

This layer turns forces into the element arrays of :mod:`detente.kernels.stability`, calls the
batched kernel once for both directions and wraps the result with party names, draw-down
curves and surviving / arriving warheads by element and leg.

Two extensions of the calculus are switchable here (models.md §2, "Beyond the report"):
DE by weapon type (``StabilityParams(weapons="data")``: each holding's warheads against each
target class, from the systems catalogue; see :func:`weapon_de`) and missile defence (a
:class:`MissileDefense` on a :class:`Side`; from a scenario's ``defense`` block with
:func:`defense_from_spec`, or from a force's interceptor holdings with
:func:`defense_from_force`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analysis.elements import (
    Elements,
    element_hardness,
    element_warheads,
    elements_from_force,
    elements_from_notional,
    interceptors_of,
)
from detente.display import Display
from detente.errors import InputError
from detente.kernels.defense import (
    engagement_capacity,
    intercept_probability,
    penetration_share,
)
from detente.kernels.effects import damage_expectancy, equivalent_megatons
from detente.kernels.exchange import (
    counterforce_segments,
    drawdown_breakpoints,
    striker_weapons,
    weapon_segments,
    weapon_stock,
)
from detente.kernels.stability import LN5, StabilityIndex, stability_index
from detente.model import parameters
from detente.model.catalog import (
    FORCES_DIR,
    force_from_document,
    force_path,
    load_force,
    system_table,
)
from detente.model.force import Force, Posture, needed
from detente.model.limits import MAX_W80, check_range
from detente.model.notional import NotionalForce
from detente.model.yamlio import load_yaml, validate

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go


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
    weapons : {'uniform', 'data'}
        ``uniform``: one DE (``de``) for every warhead against every target (the check cases);
        ``data``: DE by weapon type, each holding's warheads against each target class from
        the systems catalogue (:func:`weapon_de`).
    """

    de: float = field(default_factory=lambda: parameters.default("kent_thaler", "de"))
    kmax: int = field(default_factory=lambda: parameters.default("kent_thaler", "kmax"))
    alpha: float = field(default_factory=lambda: parameters.default("kent_thaler", "alpha"))
    surcharge: float = field(default_factory=lambda: parameters.default("kent_thaler", "surcharge"))
    avail: float = field(default_factory=lambda: parameters.default("kent_thaler", "avail"))
    lua_escape: float = field(
        default_factory=lambda: parameters.default("kent_thaler", "lua_escape")
    )
    weapons: str = "uniform"

    def __post_init__(self) -> None:
        if self.weapons not in WEAPONS:
            raise InputError(
                f"weapons must be one of {', '.join(WEAPONS)}; got {self.weapons!r}",
                field="weapons",
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


#: Choices of :attr:`StabilityParams.weapons`.
WEAPONS = ("uniform", "data")


@dataclass(frozen=True)
class MissileDefense:
    """A side's missile defence (models.md §2, "Missile defence"; :mod:`detente.kernels.defense`).

    Each engaged RV is killed with P = availability·[1 − (1 − p_kill)^shots_per_rv]; at most
    ⌊interceptors / shots_per_rv⌋ RVs are engaged. The defence thins the first strike on its
    side and the retaliation its side suffers after striking first. Defaults of ``p_kill``,
    ``shots_per_rv`` and ``availability``: ``data/parameters.yaml`` (group ``defense``, all
    assumptions).

    Attributes
    ----------
    interceptors : float
        Interceptors available [count], >= 0.
    p_kill : float
        Single-shot kill probability of one interceptor against one RV [-].
    shots_per_rv : int
        Interceptors fired at each engaged RV [-], >= 1.
    availability : float
        Probability that the defence works when needed [-].
    note : str
        Where the figures come from.

    Examples
    --------
    >>> d = MissileDefense(1000, p_kill=0.7, shots_per_rv=2, availability=0.9)
    >>> round(d.intercept_probability, 4), d.capacity
    (0.819, 500.0)
    """

    interceptors: float
    p_kill: float = field(default_factory=lambda: parameters.default("defense", "p_kill"))
    shots_per_rv: int = field(default_factory=lambda: parameters.default("defense", "shots_per_rv"))
    availability: float = field(
        default_factory=lambda: parameters.default("defense", "availability")
    )
    note: str = ""

    def __post_init__(self) -> None:
        checks = (
            ("interceptors", self.interceptors, 0.0, math.inf),
            ("p_kill", self.p_kill, 0.0, 1.0),
            ("availability", self.availability, 0.0, 1.0),
        )
        for name, value, lo, hi in checks:
            if not (math.isfinite(value) and lo <= value <= hi):
                rule = ">= 0" if hi == math.inf else "in [0, 1]"
                raise InputError(
                    f"must be finite and {rule}, got {value:g}", field=f"defense.{name}"
                )
        shots = self.shots_per_rv
        if isinstance(shots, bool) or not float(shots).is_integer() or shots < 1:
            raise InputError(
                f"must be a whole number >= 1, got {shots}", field="defense.shots_per_rv"
            )

    @property
    def intercept_probability(self) -> float:
        """P [-]: probability that an engaged RV is killed (eq. D1)."""
        return float(intercept_probability(self.p_kill, self.shots_per_rv, self.availability))

    @property
    def capacity(self) -> float:
        """Most RVs engaged, ⌊interceptors / shots_per_rv⌋ [RVs] (eq. D2)."""
        return float(engagement_capacity(self.interceptors, self.shots_per_rv))

    def kernel_kwargs(self, suffix: str) -> dict[str, float]:
        """Keyword arguments of :func:`~detente.kernels.stability.stability_index` for side
        ``suffix`` (``"A"`` or ``"B"``)."""
        return {
            f"interceptors_{suffix}": float(self.interceptors),
            f"p_kill_{suffix}": float(self.p_kill),
            f"shots_per_rv_{suffix}": int(self.shots_per_rv),
            f"availability_{suffix}": float(self.availability),
        }

    def to_dict(self) -> dict[str, Any]:
        """The figures, P and the capacity."""
        return {
            "interceptors": float(self.interceptors),
            "p_kill": float(self.p_kill),
            "shots_per_rv": int(self.shots_per_rv),
            "availability": float(self.availability),
            "intercept_probability": self.intercept_probability,
            "capacity": self.capacity,
            "note": self.note,
        }


def defense_from_spec(spec: Any) -> MissileDefense | None:
    """The :class:`MissileDefense` of a scenario party's ``defense`` block, or ``None``.

    ``spec`` is a :class:`detente.model.scenario.Defense` (or anything with its fields
    ``interceptors``, ``p_kill``, ``shots_per_rv`` and ``availability``), or ``None``.

    Examples
    --------
    >>> from detente.model.scenario import Defense
    >>> defense_from_spec(Defense(interceptors=1000, p_kill=0.7, shots_per_rv=2)).capacity
    500.0
    """
    if spec is None:
        return None
    return MissileDefense(
        float(spec.interceptors),
        float(spec.p_kill),
        int(spec.shots_per_rv),
        float(spec.availability),
        note="given in the scenario",
    )


def defense_from_force(force: Force, **given: Any) -> MissileDefense:
    """A defence whose interceptors are the force's interceptor holdings (deployed launchers).

    ``given`` sets ``p_kill``, ``shots_per_rv`` or ``availability``; the others take the
    assumptions of ``data/parameters.yaml``.

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> defense_from_force(load_force("us-2025")).interceptors
    44.0
    """
    count = interceptors_of(force)
    defaults = [k for k in ("p_kill", "shots_per_rv", "availability") if k not in given]
    note = f"{count:g} interceptors: deployed interceptor launchers of {force.name}"
    if defaults:
        note += f"; {', '.join(defaults)} assumed (data/parameters.yaml)"
    return MissileDefense(count, note=note, **given)


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
    defense : MissileDefense or None
        This side's missile defence (none by default).
    """

    label: str
    elements: Elements
    w80: float
    lua: bool = False
    w80_note: str = ""
    force: Force | NotionalForce | None = field(default=None, repr=False, compare=False)
    defense: MissileDefense | None = None


def mean_warhead_emt(force: Force) -> float | None:
    """Mean equivalent megatonnage per deployed strategic warhead of ``force`` [Mt].

    Each holding's warheads are weighted by its deployed warheads; a system with several
    warhead types counts the mean EMT of one warhead of each type, Σ Y_i^(2/3) / n (the mix on
    deployed missiles is not public). Types without a known yield are skipped; ``None`` when
    no yield is known at all.

    Examples
    --------
    Minuteman III carries W87 (300 kt) and W78 (335 kt): one warhead is (0.4481 + 0.4822) / 2
    = 0.4652 EMT, not their sum 0.9303.

    >>> from detente.model.catalog import load_force
    >>> round(mean_warhead_emt(load_force("us-2025")), 4)
    0.3412
    """
    from detente.analysis.elements import strategic_holdings

    table = system_table(force)
    total = weight = 0.0
    for i, system in strategic_holdings(force):
        yields = np.asarray([w.yield_kt for w in table[system.id].warheads if w.yield_kt])
        n = needed(force, i, "warheads", "the default w80 (mean EMT per warhead)")
        if yields.size and n > 0:
            per_type = np.full(yields.size, 1.0 / yields.size)  # one warhead of each type, averaged
            total += n * float(equivalent_megatons(yields, per_type))
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
    if path.parent.resolve() == FORCES_DIR.resolve():
        return load_force(path)  # bundled: cached, never notional
    doc = load_yaml(path)
    if isinstance(doc.data, dict) and "elements" in doc.data:
        return validate(NotionalForce, doc)
    return force_from_document(doc)


def force_labels(forces: Sequence[Force | NotionalForce], what: str = "sides") -> list[str]:
    """Each force's label: its party, or its name where two forces share a party.

    Raises an :class:`InputError` (about two ``what``) where labels still coincide.

    Examples
    --------
    >>> force_labels([load_force("us-2025"), load_force("us-2020-09-01")])
    ['us-2025', 'us-2020-09-01']
    """
    parties = [f.party for f in forces]
    labels = [
        f.party if parties.count(f.party) == 1 else getattr(f, "name", f.party) for f in forces
    ]
    if len(set(labels)) != len(labels):
        raise InputError(f"two {what} share the label(s) {labels}; give distinct forces")
    return labels


def per_label(value: Any, label: str, default: Any) -> Any:
    """A setting given for all (``value``) or by label (a mapping; ``default`` where absent).

    Examples
    --------
    >>> per_label({"US": "generated"}, "RU", "day_to_day"), per_label(True, "RU", False)
    ('day_to_day', True)
    """
    return value.get(label, default) if isinstance(value, Mapping) else value


def make_sides(
    forces: list[Force | NotionalForce],
    *,
    posture: Posture | dict[str, Posture] = "day_to_day",
    lua: bool | dict[str, bool] = False,
    w80: dict[str, float] | None = None,
    defense: dict[str, MissileDefense] | None = None,
) -> list[Side]:
    """Sides for the kernel; real forces get their posture's alert fractions and default w80.

    ``posture``, ``lua`` and ``w80`` may be given per label (party, or force name when two
    forces share a party); ``defense`` gives a side's :class:`MissileDefense` by label (none
    by default, whatever interceptors the force holds: see :func:`defense_from_force`).
    """
    labels = force_labels(forces)
    sides = []
    for i, (label, force) in enumerate(zip(labels, forces, strict=True)):
        pos = per_label(posture, label, "day_to_day")
        own_lua = per_label(lua, label, False)
        if isinstance(force, NotionalForce):
            elems, value, note = elements_from_notional(force), force.w80, "given in the file"
        else:
            elems = elements_from_force(force, pos)
        if w80 and label in w80:
            value, note = w80[label], "given"
            check_range(value, f"w80 of {label}", 0, MAX_W80, unit="warheads", low_open=True)
        elif not isinstance(force, NotionalForce):
            others = [f for j, f in enumerate(forces) if j != i and isinstance(f, Force)]
            value, note = default_w80(others[0]) if others else (math.nan, "")
        if not value > 0:
            raise InputError(f"side {label}: w80 must be given for a notional opponent")
        own = (defense or {}).get(label)
        sides.append(Side(label, elems, float(value), bool(own_lua), note, force, own))
    unknown = set(defense or {}) - set(labels)
    if unknown:
        raise InputError(f"defence given for unknown side(s) {sorted(unknown)}; sides: {labels}")
    return sides


def weapon_de(
    striker: Side, victim: Side, params: StabilityParams
) -> tuple[np.ndarray, tuple[str, ...]]:
    """DE [-] of each of the striker's elements against each of the victim's, shape (E_S, E_V).

    DE = reliability·SSKP(lethal radius(yield, hardness), CEP) per warhead type
    (:func:`~detente.kernels.effects.damage_expectancy`, Brode's blast fit, surface burst),
    averaged over the element's warhead types with a known yield (their mix is not public).
    Targets: a fixed element's silos (its system's hardness, else the assumed silo hardness),
    a survivable element's off-alert launchers (soft). Notional striker elements carry no
    weapon data and keep the uniform ``params.de``. Returns the matrix and the assumptions it
    used.

    Raises
    ------
    InputError
        A striker holding whose system has no warhead yield (no default applies).

    Examples
    --------
    Minuteman III (335 and 300 kt, CEP 200 m, reliability 0.8 assumed) against Russia's four
    silo holdings (2,000 psi assumed), then its seven survivable ones (soft):

    >>> from detente.model.catalog import load_force
    >>> us, ru = make_sides([load_force("us-2025"), load_force("ru-2025")])
    >>> weapon_de(us, ru, StabilityParams())[0][0].round(4).tolist()
    [0.527, 0.527, 0.527, 0.527, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    """
    warheads = element_warheads(striker.force, striker.elements)
    psi, assumed = element_hardness(victim.force, victim.elements)
    rows, notes = [], []
    for name, w in zip(striker.elements.names, warheads, strict=True):
        if w is None:
            rows.append(np.full(psi.shape, float(params.de)))
            notes.append(f"{striker.label} {name}: notional, uniform DE {params.de:g}")
            continue
        de = damage_expectancy(
            np.asarray(w.yield_kt)[:, None],
            np.asarray(w.cep_m)[:, None],
            psi[None, :],
            reliability=np.asarray(w.reliability)[:, None],
        )
        rows.append(de.mean(axis=0))
        notes += [f"{striker.label} {name}: {a}" for a in w.assumed]
    notes += [f"{victim.label} {a}" for a in assumed]
    if not victim.elements.fixed.all():
        soft = parameters.default("weapons", "soft_target_psi")
        notes.append(f"{victim.label} off-alert survivable launchers: {soft:g} psi (assumption)")
    matrix = np.array(rows, dtype=float).reshape(len(striker.elements), len(victim.elements))
    return matrix, tuple(notes)


@dataclass(frozen=True, repr=False)
class StabilityResult(Display):
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
    defense : dict
        Per side with a missile defence: its figures (:meth:`MissileDefense.to_dict`), the
        share of the other's first strike that gets through (``first_strike_through``) and the
        other's retaliation that arrives when this side strikes first
        (``retaliation_arriving``, of ``retaliation_surviving``) [-, warheads].
    weapons : dict
        With DE by weapon type: per striker, the DE matrix (its elements by the victim's) and
        the assumptions it used.
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
    defense: dict[str, dict[str, Any]] = field(default_factory=dict)
    weapons: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary; the first five keys are those of ``detente stability``.

        ``params`` holds the numeric constants; ``defense`` and ``weapons`` (DE by weapon type,
        ``StabilityParams(weapons="data")``) appear only when the result has them.
        """
        out = {
            "C1": self.C1,
            "C2": self.C2,
            "r": self.r,
            "r_uncapped": {k: _finite(v) for k, v in self.r_uncapped.items()},
            "fsi": self.fsi,
            "x_star": self.x_star,
            "arriving_retaliation": self.arriving,
            "surviving_by_element": self.surviving,
            "w80": {s.label: s.w80 for s in self.sides},
            "params": {k: v for k, v in self.params.__dict__.items() if k != "weapons"},
        }
        if self.defense:
            out["defense"] = self.defense
        if self.weapons:
            out["weapons"] = self.weapons
        return out

    def summary(self) -> str:
        """The index and each side's ratio r, in words.

        Examples
        --------
        >>> from detente.model.catalog import DATA_DIR
        >>> t1 = DATA_DIR.parent.parent.parent / "examples" / "notional"
        >>> a, b = (load_side_force(t1 / f"t1-{x}.yaml") for x in "ab")
        >>> evaluate(make_sides([a, b])).summary()  # doctest: +NORMALIZE_WHITESPACE
        'first-strike stability index 0.29 (0 to 1; 1 = neither side gains by striking
        first); r = C1/C2, cost of striking first over cost of being struck: A 0.54, B 0.54'
        """
        ratios = ", ".join(f"{k} {self.r_uncapped[k]:.2f}" for k in self.labels)
        return (
            f"first-strike stability index {self.fsi:.2f} (0 to 1; 1 = neither side gains by "
            f"striking first); r = C1/C2, cost of striking first over cost of being struck: "
            f"{ratios}"
        )

    def plot(self) -> go.Figure:
        """The counterforce draw-down curves with each striker's x*: the figure of the report
        and of the web page (:func:`detente.report.stability_figures.drawdown_figure`)."""
        from detente.report.stability_figures import describe, drawdown_figure

        return drawdown_figure({"": self}, *describe(self.sides))

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


def _through(striker: Side, victim: Side, params: StabilityParams) -> float:
    """Share of the striker's whole first strike that gets through the victim's defence."""
    d = victim.defense
    if d is None:
        return 1.0
    s = striker.elements
    w_s = striker_weapons(s.n[None], s.m[None], s.fixed[None], avail=params.avail)
    return float(
        penetration_share(w_s, d.interceptors, d.p_kill, d.shots_per_rv, d.availability)[0]
    )


def _pieces(striker: Side, victim: Side, params: StabilityParams) -> list[tuple]:
    """Counterforce pieces in spending order: (efficiency [-], victim element, cost [warheads])."""
    e = victim.elements
    rho = _through(striker, victim, params)
    if params.weapons == "data":
        s = striker.elements
        stock = weapon_stock(s.n[None], s.m[None], s.fixed[None], avail=params.avail)
        ws = weapon_segments(
            e.n[None], e.m[None], e.fixed[None], e.alert[None],
            (weapon_de(striker, victim, params)[0] * rho)[None], stock,
            kmax=params.kmax, lua=victim.lua, lua_escape=params.lua_escape,
        )  # fmt: skip
        rows = zip(ws.efficiency[0], ws.target_class[0], ws.cost[0], strict=True)
        return [(float(eff), int(j), float(c)) for eff, j, c in rows if j >= 0]
    de = params.de * rho
    cost = np.where(e.fixed, e.n, e.n * (1 - e.alert))
    eff = e.m * de * np.where(e.fixed & victim.lua, 1 - params.lua_escape, 1.0)
    segs = [(eff[i] * (1 - de) ** k, i, cost[i]) for i in range(len(e)) for k in range(params.kmax)]
    segs.sort(key=lambda s: -s[0])
    return segs


def _surviving(victim: Side, striker: Side, x_star: float, params: StabilityParams) -> dict:
    """Victim warheads surviving per element after the striker spends ``x_star``."""
    e = victim.elements
    destroyed = np.zeros(len(e))
    left = x_star
    for efficiency, i, c in _pieces(striker, victim, params):
        spend = min(c, left)
        destroyed[i] += spend * efficiency
        left -= spend
        if left <= 0:
            break
    return {name: float(w - d) for name, w, d in zip(e.names, e.warheads, destroyed, strict=True)}


def _curve(striker: Side, victim: Side, params: StabilityParams) -> dict[str, list[float]]:
    """Breakpoints of the striker's draw-down curve against the victim."""
    v = victim.elements
    if params.weapons == "data":
        pieces = _pieces(striker, victim, params)
        cost = np.array([[c for _, _, c in pieces]])
        eff = np.array([[e for e, _, _ in pieces]])
    else:
        cost, eff = counterforce_segments(
            v.n[None],
            v.m[None],
            v.fixed[None],
            v.alert[None],
            params.de * _through(striker, victim, params),
            kmax=params.kmax,
            lua=victim.lua,
            lua_escape=params.lua_escape,
        )
    x, k = drawdown_breakpoints(cost.reshape(1, -1), eff.reshape(1, -1))
    return {"x": x[0].tolist(), "K": k[0].tolist()}


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
    de_ab, de_ba, weapons = params.de, params.de, {}
    if params.weapons == "data":
        for striker, victim in ((a, b), (b, a)):
            matrix, notes = weapon_de(striker, victim, params)
            weapons[striker.label] = {"de": matrix.tolist(), "assumed": list(notes)}
        de_ab, de_ba = (np.asarray(weapons[s.label]["de"], float)[None] for s in (a, b))
    defense = {}
    for side, suffix in ((a, "A"), (b, "B")):
        if side.defense is not None:
            defense.update(side.defense.kernel_kwargs(suffix))
    si = stability_index(
        *_pad(sides),
        a.w80,
        b.w80,
        de_ab,
        de_ba,
        lua_A=a.lua,
        lua_B=b.lua,
        **params.kernel_kwargs(),
        **defense,
    )
    curves = {s.label: _curve(s, v, params) for s, v in ((a, b), (b, a))}
    defended = {}
    for side, other, own_first in ((a, b, si.a_first), (b, a, si.b_first)):
        if side.defense is not None:
            defended[side.label] = {
                **side.defense.to_dict(),
                "first_strike_through": _through(other, side, params),
                "retaliation_surviving": float(own_first.R[0]),
                "retaliation_arriving": float(own_first.R_arriving[0]),
            }
    return result_at(si, 0, (a, b), params, drawdown=curves, defense=defended, weapons=weapons)


def result_at(
    si: StabilityIndex,
    i: int,
    sides: tuple[Side, Side],
    params: StabilityParams,
    *,
    drawdown: dict | None = None,
    defense: dict | None = None,
    weapons: dict | None = None,
) -> StabilityResult:
    """The :class:`StabilityResult` of row ``i`` of a batched kernel result for ``sides``."""
    a, b = sides
    la, lb = a.label, b.label
    x_a, x_b = float(si.x_star_A[i]), float(si.x_star_B[i])
    return StabilityResult(
        labels=(la, lb),
        C1={la: float(si.C1_A[i]), lb: float(si.C1_B[i])},
        C2={la: float(si.C2_A[i]), lb: float(si.C2_B[i])},
        r={la: float(si.r_A_capped[i]), lb: float(si.r_B_capped[i])},
        r_uncapped={la: float(si.r_A[i]), lb: float(si.r_B[i])},
        fsi=float(si.fsi[i]),
        x_star={la: x_a, lb: x_b},
        arriving={la: float(si.b_first.R_arriving[i]), lb: float(si.a_first.R_arriving[i])},
        surviving={la: _surviving(a, b, x_b, params), lb: _surviving(b, a, x_a, params)},
        drawdown=drawdown or {},
        params=params,
        sides=(a, b),
        defense=defense or {},
        weapons=weapons or {},
    )


def stack_sides(sides: Sequence[Side]) -> list[np.ndarray]:
    """n, m, fixed, alert of ``sides`` stacked on a batch axis, padded with n = 0 elements.

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> us, ru = make_sides([load_force("us-2025"), load_force("ru-2025")])
    >>> [a.shape for a in stack_sides([us, ru])]
    [(2, 11), (2, 11), (2, 11), (2, 11)]
    """
    width = max(len(s.elements) for s in sides)
    out = []
    for name, fill in (("n", 0.0), ("m", 0.0), ("fixed", False), ("alert", 0.0)):
        rows = [getattr(s.elements, name) for s in sides]
        arr = np.full((len(rows), width), fill, dtype=rows[0].dtype)
        for i, row in enumerate(rows):
            arr[i, : len(row)] = row
        out.append(arr)
    return out


def evaluate_rows(
    pairs: Sequence[Sequence[Side]], params: StabilityParams | Sequence[StabilityParams]
) -> StabilityIndex:
    """The kernel result of many (A, B) side pairs in one batched call, one row per pair.

    For one DE for every warhead (``weapons == "uniform"``) and no missile defence: the cases
    :func:`evaluate` handles without its extensions. ``params`` is shared or given per row;
    rows may differ in ``de`` but must share the other constants. Row ``i`` equals
    ``evaluate(pairs[i], params[i])``; :func:`result_at` turns it into a result.

    Raises
    ------
    InputError
        Weapon types, a missile defence (use :func:`evaluate` per pair), or rows whose
        constants other than ``de`` differ.

    Examples
    --------
    Both sides' launch under attack as four rows of one call:

    >>> from detente.model.catalog import load_force
    >>> sides = make_sides([load_force("us-2025"), load_force("ru-2025")])
    >>> rows = [[replace(sides[0], lua=a), replace(sides[1], lua=b)]
    ...         for a in (False, True) for b in (False, True)]
    >>> si = evaluate_rows(rows, StabilityParams())
    >>> bool(abs(si.fsi[0] - evaluate(sides).fsi) < 1e-12), si.fsi.shape
    (True, (4,))
    """
    rows = [params] * len(pairs) if isinstance(params, StabilityParams) else list(params)
    if any(p.weapons != "uniform" for p in rows) or any(
        s.defense is not None for pair in pairs for s in pair
    ):
        raise InputError("batched rows take one DE for every warhead and no missile defence")
    if len({tuple(sorted(p.kernel_kwargs().items())) for p in rows}) > 1:
        raise InputError("batched rows must share every constant but de")
    a_sides, b_sides = [p[0] for p in pairs], [p[1] for p in pairs]
    de = np.array([p.de for p in rows], dtype=float)
    return stability_index(
        *stack_sides(a_sides),
        *stack_sides(b_sides),
        np.array([s.w80 for s in a_sides]),
        np.array([s.w80 for s in b_sides]),
        de,
        de,
        lua_A=np.array([s.lua for s in a_sides]),
        lua_B=np.array([s.lua for s in b_sides]),
        **rows[0].kernel_kwargs(),
    )


def with_lua(sides: list[Side], lua: bool) -> list[Side]:
    """The same sides, all launching under attack (or none)."""
    return [replace(s, lua=lua) for s in sides]


def w0(w80: float) -> float:
    """Value-damage scale w0 = w80 / ln 5 [warheads]."""
    return w80 / LN5
