"""First-strike stability of real or notional forces: model objects in, typed results out.

This layer turns forces into the element arrays of :mod:`detente.kernels.stability`, calls the
batched kernel once for both directions and wraps the result with party names, draw-down
curves and surviving / arriving warheads by element and leg.

Two extensions of the calculus are switchable here (models.md §2, "Beyond the report"):
DE by weapon type (``StabilityParams(weapons="data")``: each holding's warheads against each
target class, from the systems catalogue; see :func:`weapon_de`) and missile defence (the
model's :class:`~detente.model.defense.Defense` on a :class:`Side`: a scenario's ``defense``
block, :func:`make_defense`, or a force's interceptor holdings with
:func:`defense_from_force`). :func:`kernel_defense` is the one place where it becomes the
kernel's :class:`~detente.kernels.defense.Defense`.
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
from detente.kernels import defense as kd
from detente.kernels.effects import damage_expectancy, equivalent_megatons
from detente.kernels.exchange import Forces, striker_weapons
from detente.kernels.stability import LN5, StabilityIndex, drawdown_curve, stability_index

# The data model (pydantic) is imported where used: evaluating sides already built (the
# one-off answer of detente.cli.quick, from prepared inputs) needs none of it.
if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    import xarray as xr

    from detente.model.defense import Defense
    from detente.model.force import Force, Posture
    from detente.model.notional import NotionalForce
    from detente.model.parameters import StabilityParams


DEFENSE_FIGURES = ("p_kill", "shots_per_rv", "availability")


def __getattr__(name: str) -> Any:
    """:class:`~detente.model.parameters.StabilityParams`, imported from here by many callers,
    loaded on first use."""
    if name == "StabilityParams":
        from detente.model.parameters import StabilityParams

        return StabilityParams
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make_defense(interceptors: float, *, note: str = "", **given: Any) -> Defense:
    """A :class:`~detente.model.defense.Defense` of ``interceptors`` and the ``given``
    figures (``p_kill``, ``shots_per_rv``, ``availability``; omitted ones take the assumptions
    of ``data/parameters.yaml``, group ``defense``); ``note`` says where the count comes from.

    Raises
    ------
    InputError
        A figure out of range, naming the field (``defense.p_kill``, ...).

    Examples
    --------
    >>> d = make_defense(1000, p_kill=0.7, shots_per_rv=2)
    >>> d.interceptors, d.availability, round(intercept_probability(d), 4), capacity(d)
    (1000.0, 0.9, 0.819, 500.0)
    """
    from pydantic import ValidationError

    from detente.model.defense import Defense

    count = {"value": interceptors, "note": note} if note else interceptors
    try:
        return Defense(interceptors=count, **given)
    except ValidationError as exc:
        name = str(exc.errors()[0]["loc"][0])
        value = given.get(name, interceptors)
        rule = _DEFENSE_RULES[name]
        raise InputError(f"must be {rule}, got {value}", field=f"defense.{name}") from None


#: What each figure of a defence must be (the bounds of :class:`~detente.model.defense.Defense`).
_DEFENSE_RULES = {
    "interceptors": "finite and >= 0",
    "p_kill": "finite and in [0, 1]",
    "shots_per_rv": "a whole number >= 1",
    "availability": "finite and in [0, 1]",
}


def kernel_defense(defense: Defense | None) -> kd.Defense | None:
    """The kernel's :class:`~detente.kernels.defense.Defense` of a model-level defence: the
    one boundary between the two (None stays None)."""
    if defense is None:
        return None
    return kd.Defense(
        float(defense.interceptors),
        float(defense.p_kill),
        int(defense.shots_per_rv),
        float(defense.availability),
    )


def intercept_probability(defense: Defense) -> float:
    """P [-]: probability that an engaged RV is killed (eq. D1)."""
    d = kernel_defense(defense)
    return float(kd.intercept_probability(d.p_kill, d.shots_per_rv, d.availability))


def capacity(defense: Defense) -> float:
    """Most RVs engaged, ⌊interceptors / shots_per_rv⌋ [RVs] (eq. D2)."""
    d = kernel_defense(defense)
    return float(kd.engagement_capacity(d.interceptors, d.shots_per_rv))


def defense_note(defense: Defense) -> str:
    """Where a defence's figures come from: the note on its interceptors ("given" without
    one) and which figures are the assumptions of ``data/parameters.yaml``.

    Examples
    --------
    >>> defense_note(make_defense(400, p_kill=0.7, note="given on the command line"))
    'given on the command line; shots_per_rv, availability assumed (data/parameters.yaml)'
    """
    from detente.model import parameters

    own = defense.provenance.get("interceptors")
    note = own.note if own is not None and own.note else "given"
    assumed = [
        k
        for k in DEFENSE_FIGURES
        if defense.provenance.get(k) == parameters.provenance("defense", k)
    ]
    if assumed:
        note += f"; {', '.join(assumed)} assumed (data/parameters.yaml)"
    return note


def defense_summary(defense: Defense) -> dict[str, Any]:
    """JSON-safe figures of a defence, its P and capacity, and :func:`defense_note`."""
    d = kernel_defense(defense)
    return {
        **dict(zip(kd.Defense._fields, d, strict=True)),
        "intercept_probability": intercept_probability(defense),
        "capacity": capacity(defense),
        "note": defense_note(defense),
    }


def defense_from_force(force: Force, **given: Any) -> Defense:
    """A defence whose interceptors are the force's interceptor holdings (deployed launchers).

    ``given`` sets ``p_kill``, ``shots_per_rv`` or ``availability``; the others take the
    assumptions of ``data/parameters.yaml``.

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> gbi = defense_from_force(load_force("us-2025"), p_kill=0.5)
    >>> gbi.interceptors, defense_note(gbi)  # doctest: +NORMALIZE_WHITESPACE
    (44.0, '44 interceptors: deployed interceptor launchers of us-2025; shots_per_rv,
    availability assumed (data/parameters.yaml)')
    """
    count = interceptors_of(force)
    note = f"{count:g} interceptors: deployed interceptor launchers of {force.name}"
    return make_defense(count, note=note, **given)


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
    defense : Defense or None
        This side's missile defence (:class:`~detente.model.defense.Defense`; none by
        default).
    """

    label: str
    elements: Elements
    w80: float
    lua: bool = False
    w80_note: str = ""
    force: Force | NotionalForce | None = field(default=None, repr=False, compare=False)
    defense: Defense | None = None

    @property
    def forces(self) -> Forces:
        """The kernel's :class:`~detente.kernels.exchange.Forces` of this side, batch of one."""
        e = self.elements
        return Forces(e.n[None], e.m[None], e.fixed[None], e.alert[None])


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
    from detente.model.catalog import system_table
    from detente.model.force import needed

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
    from detente.model import parameters

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
    from detente.model.catalog import FORCES_DIR, force_from_document, force_path, load_force
    from detente.model.notional import NotionalForce
    from detente.model.yamlio import load_yaml, validate

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
    >>> from detente.model.catalog import load_force
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
    defense: Mapping[str, Defense] | None = None,
) -> list[Side]:
    """Sides for the kernel; real forces get their posture's alert fractions and default w80.

    ``posture``, ``lua`` and ``w80`` may be given per label (party, or force name when two
    forces share a party); ``defense`` gives a side's
    :class:`~detente.model.defense.Defense` by label (none by default, whatever interceptors
    the force holds: see :func:`defense_from_force`).
    """
    from detente.model.force import Force
    from detente.model.limits import MAX_W80, check_range
    from detente.model.notional import NotionalForce

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
    >>> from detente.model.parameters import StabilityParams
    >>> us, ru = make_sides([load_force("us-2025"), load_force("ru-2025")])
    >>> weapon_de(us, ru, StabilityParams())[0][0].round(4).tolist()
    [0.527, 0.527, 0.527, 0.527, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    """
    from detente.model import parameters

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
        Per side with a missile defence: its figures (:func:`defense_summary`), the
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
        """Summary; the first five keys are those of ``detente stability``. An unbounded
        ``r_uncapped`` stays ``inf`` (JSON: ``null``, :mod:`detente.jsonio`).

        ``params`` holds the numeric constants; ``defense`` and ``weapons`` (DE by weapon type,
        ``StabilityParams(weapons="data")``) appear only when the result has them.
        """
        out = {
            "C1": self.C1,
            "C2": self.C2,
            "r": self.r,
            "r_uncapped": self.r_uncapped,
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


#: Per-side variables of a batch result (:func:`index_dataset`) and what each means.
SIDE_VARIABLES = {
    "C1": "cost to this side of striking first [-]",
    "C2": "cost to this side of being struck first [-]",
    "r": "min(1, C1/C2) [-]: 1 = this side gains nothing by striking first",
    "r_uncapped": "C1/C2 [-]",
    "x_star": "warheads this side spends on counterforce when striking first [warheads]",
    "surviving": "this side's warheads that survive the other's first strike [warheads]",
    "arriving": "this side's retaliating warheads that arrive after being struck [warheads]",
}
FSI_DESCRIPTION = (
    "first-strike stability index [-]: 1 = neither side gains by striking first, "
    "0 = at least one side gains nothing by waiting"
)
KILLED_DESCRIPTION = "this side's warheads destroyed per element when struck first [warheads]"


def side_values(si: StabilityIndex) -> dict[str, np.ndarray]:
    """The variables of a batched kernel result by side, plain numpy: ``fsi`` of shape (B,),
    each of :data:`SIDE_VARIABLES` of shape (B, 2) (side A, side B) and, with kills per
    element (``kills=True``), ``killed`` of shape (B, 2, E): a side's warheads destroyed per
    element when the other strikes first (NaN past the side's elements)."""
    struck = (si.b_first, si.a_first)  # A is struck when B strikes first
    per_side = {
        "C1": (si.C1_A, si.C1_B),
        "C2": (si.C2_A, si.C2_B),
        "r": (si.r_A, si.r_B),
        "r_uncapped": (si.r_uncapped_A, si.r_uncapped_B),
        "x_star": (si.x_star_A, si.x_star_B),
        "surviving": tuple(fs.R for fs in struck),
        "arriving": tuple(fs.R_arriving for fs in struck),
    }
    out = {"fsi": np.asarray(si.fsi, float)}
    out.update({k: np.stack(v, axis=-1).astype(float) for k, v in per_side.items()})
    if si.a_first.killed is not None:
        width = max(fs.killed.shape[1] for fs in struck)
        killed = np.full((si.fsi.size, 2, width), np.nan)
        for k, fs in enumerate(struck):
            killed[:, k, : fs.killed.shape[1]] = fs.killed
        out["killed"] = killed
    return out


def variable(dims: tuple[str, ...], data: Any, attrs: dict | None = None) -> xr.Variable:
    """An :class:`xarray.Variable` of numpy ``data`` over ``dims``, made without xarray's search
    for other array types: that search imports ``dask.array`` wherever dask is installed
    (seconds once per process, paid by every sweep and the first result over cases)."""
    import xarray as xr

    return xr.Variable(dims, np.asarray(data), attrs, fastpath=True)


def dimension(name: str, labels: Sequence[Any]) -> xr.Coordinates:
    """The coordinate of dimension ``name`` with its index, made without xarray's search for
    dask collections: building an index from a numpy array imports ``dask`` wherever it is
    installed (0.2 s once per process, paid by the first result over cases); from a
    :class:`pandas.Index` it does not.

    Parameters
    ----------
    name : str
        The dimension (``"side"``, ``"pair"``).
    labels : sequence
        Its labels, in order (``["A", "B"]``, ``["US-RU", "US-CN"]``).

    Returns
    -------
    xarray.Coordinates
        The coordinate and its index, with the labels' numpy dtype (as xarray makes it from
        the array), for :class:`xarray.Dataset` or ``assign_coords``.

    Examples
    --------
    >>> dimension("side", ["US", "RU"])["side"].values
    array(['US', 'RU'], dtype='<U2')
    """
    import pandas as pd
    import xarray as xr

    values = np.asarray(labels)
    index = xr.indexes.PandasIndex(pd.Index(values), name, coord_dtype=values.dtype)
    return xr.Coordinates(index.create_variables(), indexes={name: index})


def select(data: xr.DataArray, **labels: Any) -> xr.DataArray:
    """``data.sel(**labels)`` for one label per dimension, found by position: the same values
    and attributes over the other dimensions, without coordinates.

    xarray's label selection rebuilds each selected dimension coordinate as a new variable,
    which imports ``dask.array`` wherever dask is installed (:func:`variable`; about 0.4 s
    once per process, paid by the first report, assessment or chart that selects a pair or a
    side). Here the label's position comes from the coordinate's pandas index and
    only the data variable is indexed.

    Parameters
    ----------
    data : xarray.DataArray
        A variable of an :func:`index_dataset` or a batch result.
    **labels
        One label per dimension (``pair="US-RU"``, ``side="A"``).

    Returns
    -------
    xarray.DataArray
        ``data`` at those labels, over its other dimensions (same units as ``data``).

    Raises
    ------
    KeyError
        A dimension without labels, or a label that is not on its dimension (naming the
        labels there are).

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> from detente.model.parameters import StabilityParams
    >>> sides = make_sides([load_force("us-2025"), load_force("ru-2025")])
    >>> ds = evaluate_rows([sides], StabilityParams())
    >>> bool(select(ds["r"], side="B")[0] == evaluate(sides).r["RU"])
    True
    >>> select(ds["r"], side="C")
    Traceback (most recent call last):
    ...
    KeyError: "no side 'C' in r: the sides are A, B"
    """
    import xarray as xr

    at = {}
    for dim, label in labels.items():
        if dim not in data.indexes:
            raise KeyError(f"{data.name} has no labelled dimension {dim!r}")
        index = data.indexes[dim]
        if label not in index:
            known = ", ".join(map(str, index))
            raise KeyError(f"no {dim} {label!r} in {data.name}: the {dim}s are {known}")
        at[dim] = index.get_loc(label)
    return xr.DataArray(data.variable.isel(at), name=data.name)


def index_dataset(
    values: Mapping[str, np.ndarray],
    labels: Sequence[tuple[str, str]],
    pairs: Sequence[str] | None = None,
) -> xr.Dataset:
    """:func:`side_values` as an :class:`xarray.Dataset` over ``case`` and ``side``.

    ``fsi`` over ``case``; :data:`SIDE_VARIABLES` over ``case`` and ``side`` (``"A"``,
    ``"B"``, the kernel's sides); ``killed`` (where present) over ``case``, ``side`` and
    ``element``. ``labels`` (one pair per case) become the ``label`` coordinate over ``case``
    and ``side``. With ``pairs`` (one name per pair of parties, ``"US-RU"``), every variable
    has a ``pair`` axis after ``case`` and ``labels`` gives the two sides of each pair (the
    ``label`` coordinate is then over ``pair`` and ``side``). Names are flattened only at the
    JSON and DuckDB edges (:func:`flatten`).
    """
    import xarray as xr

    lead = ("case",) if pairs is None else ("case", "pair")
    dims = {"fsi": lead, "killed": (*lead, "side", "element")}
    described = {**SIDE_VARIABLES, "fsi": FSI_DESCRIPTION, "killed": KILLED_DESCRIPTION}
    data = {
        k: variable(dims.get(k, (*lead, "side")), v, {"description": described[k]})
        for k, v in values.items()
    }
    label = np.array([list(pair) for pair in labels], dtype=object).reshape(-1, 2)
    ds = xr.Dataset(data, coords=dimension("side", ["A", "B"]))
    ds = ds.assign_coords(label=variable((lead[-1], "side"), label))
    return ds if pairs is None else ds.assign_coords(dimension("pair", pairs))


def flatten(
    values: Mapping[str, Any], labels: Sequence[str], tag: str = "", sep: str = "."
) -> dict[str, np.ndarray]:
    """The JSON and DuckDB names of a batch result: ``fsi`` and ``<variable>.<label>``
    arrays over the cases (``tag`` goes between: ``r.US-RU.US``; ``sep`` "_" gives the table
    columns ``r_US`` of the front door).

    The one place where names are flattened. ``values``: :func:`side_values` or an
    :func:`index_dataset`; ``labels``: the two sides.

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> from detente.model.parameters import StabilityParams
    >>> sides = make_sides([load_force("us-2025"), load_force("ru-2025")])
    >>> out = flatten(evaluate_rows([sides], StabilityParams()), ("US", "RU"), "US-RU")
    >>> sorted(out)[:4]
    ['C1.US-RU.RU', 'C1.US-RU.US', 'C2.US-RU.RU', 'C2.US-RU.US']
    >>> bool(out["fsi.US-RU"][0] == evaluate(sides).fsi)
    True
    """
    mid = f"{tag}{sep}" if tag else ""
    out = {f"fsi{sep}{tag}" if tag else "fsi": np.asarray(values["fsi"])}
    for name in SIDE_VARIABLES:
        column = np.asarray(values[name])
        for k, label in enumerate(labels):
            out[f"{name}{sep}{mid}{label}"] = column[:, k]
    return out


def stack_sides(sides: Sequence[Side]) -> Forces:
    """The kernel's :class:`~detente.kernels.exchange.Forces` of ``sides`` stacked on a batch
    axis, padded with n = 0 elements.

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
    return Forces(*out)


def _defense_rows(sides: Sequence[Side]) -> kd.Defense | None:
    """The sides' defences as one kernel :class:`~detente.kernels.defense.Defense` over the
    rows (a row without one: no interceptors, which leaves it exactly undefended), or None."""
    rows = [kernel_defense(s.defense) for s in sides]
    if all(d is None for d in rows):
        return None
    filled = [d or kd.Defense(0.0, 0.0) for d in rows]
    return kd.Defense(*(np.array(f) for f in zip(*filled, strict=True)))


def _typed_de(pairs: Sequence[Sequence[Side]], rows: Sequence[StabilityParams]) -> tuple:
    """DE by weapon type of every pair, both directions, padded: (R, E_A, E_B), (R, E_B, E_A),
    and per pair the matrices with their notes (:func:`weapon_de`)."""
    typed = [
        (weapon_de(a, b, p), weapon_de(b, a, p)) for (a, b), p in zip(pairs, rows, strict=True)
    ]
    width = [max(len(pair[k].elements) for pair in pairs) for k in (0, 1)]
    out = []
    for k in (0, 1):
        de = np.full((len(pairs), width[k], width[1 - k]), rows[0].de)
        for i, row in enumerate(typed):
            matrix = row[k][0]
            de[i, : matrix.shape[0], : matrix.shape[1]] = matrix
        out.append(de)
    return out[0], out[1], typed


def evaluate_rows(
    pairs: Sequence[Sequence[Side]], params: StabilityParams | Sequence[StabilityParams]
) -> xr.Dataset:
    """Many (A, B) side pairs in one batched kernel call: an :func:`index_dataset`, one
    ``case`` per pair, with the kills per element.

    ``params`` is shared or given per row; rows may differ in ``de`` but must share the other
    constants and the DE mode (``weapons``). Sides may have missile defences. Case ``i``
    equals ``evaluate(pairs[i], params[i])``; :func:`result_at` turns it into a result.

    Raises
    ------
    InputError
        Rows whose constants other than ``de`` differ.

    Examples
    --------
    Both sides' launch under attack as four rows of one call:

    >>> from detente.model.catalog import load_force
    >>> from detente.model.parameters import StabilityParams
    >>> sides = make_sides([load_force("us-2025"), load_force("ru-2025")])
    >>> rows = [[replace(sides[0], lua=a), replace(sides[1], lua=b)]
    ...         for a in (False, True) for b in (False, True)]
    >>> ds = evaluate_rows(rows, StabilityParams())
    >>> bool(ds.fsi[0] == evaluate(sides).fsi), dict(ds.sizes)
    (True, {'case': 4, 'side': 2, 'element': 11})
    """
    return index_dataset(row_values(pairs, params), [(a.label, b.label) for a, b in pairs])


def row_values(
    pairs: Sequence[Sequence[Side]], params: StabilityParams | Sequence[StabilityParams]
) -> dict[str, np.ndarray]:
    """:func:`evaluate_rows` as plain :func:`side_values` (no xarray, which takes a second
    to import: for the callers inside the package that only index it)."""
    return _evaluate_rows(pairs, params)[0]


def _evaluate_rows(pairs, params):
    """:func:`row_values` and, by weapon type, each pair's DE matrices and notes."""
    rows = list(params) if isinstance(params, Sequence) else [params] * len(pairs)
    if len({(p.weapons, *sorted(p.kernel_kwargs().items())) for p in rows}) > 1:
        raise InputError("batched rows must share every constant but de")
    a_sides, b_sides = [p[0] for p in pairs], [p[1] for p in pairs]
    typed = None
    if rows[0].weapons == "data":
        de_ab, de_ba, typed = _typed_de(pairs, rows)
    else:
        de_ab = de_ba = np.array([p.de for p in rows], dtype=float)
    si = stability_index(
        stack_sides(a_sides),
        stack_sides(b_sides),
        np.array([s.w80 for s in a_sides]),
        np.array([s.w80 for s in b_sides]),
        de_ab,
        de_ba,
        lua_A=np.array([s.lua for s in a_sides]),
        lua_B=np.array([s.lua for s in b_sides]),
        defense_A=_defense_rows(a_sides),
        defense_B=_defense_rows(b_sides),
        kills=True,
        **rows[0].kernel_kwargs(),
    )
    return side_values(si), typed


def _curve(striker: Side, victim: Side, params: StabilityParams, de: Any) -> dict[str, list]:
    """Breakpoints of the striker's draw-down curve against the victim (the kernel's).

    With DE by weapon type, points where one type runs out and the next goes on at the same
    efficiency are no breakpoints and are left out.
    """
    dc = drawdown_curve(
        striker.forces, victim.forces, striker.w80, victim.w80, de, lua=victim.lua,
        defense_S=kernel_defense(striker.defense), defense_V=kernel_defense(victim.defense),
        num=2, **params.kernel_kwargs(),
    )  # fmt: skip
    x, k = dc.x_break[0], dc.K_break[0]
    if np.ndim(de) == 3:
        keep = np.r_[True, x[1:] > x[:-1]]
        x, k = x[keep], k[keep]
    return {"x": x.tolist(), "K": k.tolist()}


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
    if params is None:
        from detente.model.parameters import StabilityParams

        params = StabilityParams()
    a, b = sides
    values, typed = _evaluate_rows([sides], params)
    de = {a.label: params.de, b.label: params.de}
    weapons = {}
    if typed:
        for striker, (matrix, notes) in zip(sides, typed[0], strict=True):
            weapons[striker.label] = {"de": matrix.tolist(), "assumed": list(notes)}
            de[striker.label] = matrix[None]
    curves = {s.label: _curve(s, v, params, de[s.label]) for s, v in ((a, b), (b, a))}
    defended = {}
    for k, (side, other) in enumerate(((a, b), (b, a))):
        if side.defense is not None:
            w_s = striker_weapons(*other.forces[:3], avail=params.avail)
            through = kd.penetration_share(w_s, *kernel_defense(side.defense))
            defended[side.label] = {
                **defense_summary(side.defense),
                "first_strike_through": float(through[0]),
                "retaliation_surviving": float(values["surviving"][0, 1 - k]),
                "retaliation_arriving": float(values["arriving"][0, 1 - k]),
            }
    return result_at(values, 0, (a, b), params, drawdown=curves, defense=defended, weapons=weapons)


def result_at(
    values: Mapping[str, Any],
    i: int,
    sides: Sequence[Side],
    params: StabilityParams,
    *,
    drawdown: dict | None = None,
    defense: dict | None = None,
    weapons: dict | None = None,
) -> StabilityResult:
    """The :class:`StabilityResult` of case ``i`` of a batch result for ``sides`` (an
    :func:`evaluate_rows` dataset or its :func:`side_values`)."""
    a, b = sides
    labels = (a.label, b.label)
    row = {
        k: np.asarray(values[k])[i] for k in ("C1", "C2", "r", "r_uncapped", "x_star", "arriving")
    }

    def by_side(name: str) -> dict[str, float]:
        return {label: float(v) for label, v in zip(labels, row[name], strict=True)}

    surviving = {}
    for k, side in enumerate(sides):
        e = side.elements
        killed = np.asarray(values["killed"])[i, k, : len(e)]
        surviving[side.label] = {
            name: float(w - d) for name, w, d in zip(e.names, e.warheads, killed, strict=True)
        }
    return StabilityResult(
        labels=labels,
        C1=by_side("C1"),
        C2=by_side("C2"),
        r=by_side("r"),
        r_uncapped=by_side("r_uncapped"),
        fsi=float(np.asarray(values["fsi"])[i]),
        x_star=by_side("x_star"),
        arriving=by_side("arriving"),
        surviving=surviving,
        drawdown=drawdown or {},
        params=params,
        sides=(a, b),
        defense=defense or {},
        weapons=weapons or {},
    )


def with_lua(sides: list[Side], lua: bool) -> list[Side]:
    """The same sides, all launching under attack (or none)."""
    return [replace(s, lua=lua) for s in sides]


def w0(w80: float) -> float:
    """Value-damage scale w0 = w80 / ln 5 [warheads]."""
    return w80 / LN5
