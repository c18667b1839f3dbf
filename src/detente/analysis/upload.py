"""Upload and breakout timelines: forces and upload defaults in, month-by-month results out.

One force's strategic holdings (those of :func:`~detente.analysis.elements.strategic_holdings`)
become the systems of :func:`detente.kernels.upload.upload`: capacity from the upload file's
maximum loading, capable share and reloadable launchers, rate = units x rate per unit, and one
reserve pool per leg of the party (docs/upload.md). With an opponent, the forces of both sides
in every month become one batch of :func:`detente.kernels.stability.stability_index`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analysis.elements import LEG, strategic_holdings
from detente.analysis.stability import StabilityParams, make_sides
from detente.display import Display
from detente.errors import InputError
from detente.kernels.upload import launchers_in_use, upload
from detente.model.force import POSTURES, Force, Posture, needed
from detente.model.limits import MAX_RATE_SCALE, check_date, check_range
from detente.model.upload import (
    RESERVE_LEGS,
    UploadDefaults,
    load_upload_defaults,
    upload_defaults,
)

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

LEGS: tuple[str, ...] = ("ICBM", "SLBM", "bomber")


@dataclass(frozen=True)
class UploadInputs:
    """One force's upload systems as kernel arrays of shape (S,) and pools of shape (P,).

    Attributes
    ----------
    force : Force
    names, systems, legs : tuple of str
        Holding label, system id and leg per system.
    warheads : ndarray
        Deployed warheads at the lapse [warheads].
    deployed : ndarray
        Deployed launchers at the lapse [launchers].
    existing_capacity : ndarray
        Most warheads the deployed launchers can carry [warheads].
    capacity : ndarray
        ``existing_capacity`` plus the reloadable launchers' [warheads].
    max_loading : ndarray
        Warheads per reloaded launcher [warheads/launcher].
    rate : ndarray
        Warheads added per month once started [warheads/month].
    start_delay : ndarray
        Months before upload starts [month].
    pool : ndarray of int
        Index into ``pools`` per system.
    pools : tuple of str
        Legs with a reserve pool.
    reserve : ndarray
        Stored warheads per pool [warheads].
    provenance : tuple of dict
        The upload defaults used, each ``{item, value, source, status, low, high, note}``.
    """

    force: Force
    names: tuple[str, ...]
    systems: tuple[str, ...]
    legs: tuple[str, ...]
    warheads: np.ndarray
    deployed: np.ndarray
    existing_capacity: np.ndarray
    capacity: np.ndarray
    max_loading: np.ndarray
    rate: np.ndarray
    start_delay: np.ndarray
    pool: np.ndarray
    pools: tuple[str, ...]
    reserve: np.ndarray
    provenance: tuple[dict[str, Any], ...] = field(repr=False, default=())


def _resolve_defaults(defaults: UploadDefaults | str | Path | None) -> UploadDefaults:
    if defaults is None:
        return upload_defaults()
    if isinstance(defaults, UploadDefaults):
        return defaults
    return load_upload_defaults(defaults)


def _override(table: Mapping[str, float] | None, system: str, leg: str, name: str) -> float | None:
    if not table:
        return None
    value = table.get(system, table.get(leg))
    if value is None:
        return None
    value = float(value)
    if not (np.isfinite(value) and value >= 0):
        raise InputError(f"must be finite and >= 0, got {value:g}", field=f"{name}.{system}")
    return value


def _check_keys(table: Mapping[str, float] | None, known: set[str], name: str) -> None:
    unknown = sorted(set(table or ()) - known)
    if unknown:
        raise InputError(
            f"unknown key(s) {', '.join(unknown)}; expected a system id of the force or one of "
            f"{', '.join(LEGS)}",
            field=name,
        )


def _prov_rows(prefix: str, model: Any) -> list[dict[str, Any]]:
    rows = []
    for path, value, prov in model.sourced_values():
        row: dict[str, Any] = {"item": f"{prefix}.{path}", "value": value}
        if prov is not None:
            row.update(prov.model_dump(exclude_none=True))
            row["source"] = list(prov.source)
        rows.append(row)
    return rows


def upload_inputs(
    force: Force,
    *,
    rates: Mapping[str, float] | None = None,
    rate_scale: float = 1.0,
    delays: Mapping[str, float] | None = None,
    reserves: Mapping[str, float] | None = None,
    defaults: UploadDefaults | str | Path | None = None,
) -> UploadInputs:
    """Kernel inputs for one force.

    Parameters
    ----------
    force : Force
    rates : mapping, optional
        Upload rate [warheads/month] by system id, or by leg (``ICBM``, ``SLBM``, ``bomber``)
        for every system of that leg; replaces the default units x rate per unit.
    rate_scale : float
        Multiplies every rate [-] (0: nothing is uploaded).
    delays : mapping, optional
        Start delay [month] by system id or leg.
    reserves : mapping, optional
        Stored warheads [warheads] by leg; replaces the party's default reserve.
    defaults : UploadDefaults, path or None
        Upload file (default: the bundled ``data/upload.yaml``).

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> u = upload_inputs(load_force("us-2025"))
    >>> u.legs, u.capacity.tolist()
    (('ICBM', 'SLBM', 'bomber', 'bomber'), [950.0, 1920.0, 720.0, 192.0])
    >>> u.pools, u.reserve.tolist(), u.rate.tolist()
    (('ICBM', 'SLBM', 'bomber'), [550.0, 950.0, 430.0], [60.0, 276.0, 200.0, 100.0])
    """
    force.require_holdings("the upload model")
    table = _resolve_defaults(defaults)
    if not (np.isfinite(rate_scale) and rate_scale >= 0):
        raise InputError(f"must be finite and >= 0, got {rate_scale:g}", field="rate_scale")
    held = strategic_holdings(force)
    known = {s.id for _, s in held} | set(LEGS)
    _check_keys(rates, known, "rates")
    _check_keys(delays, known, "delays")
    _check_keys(reserves, set(LEGS), "reserves")
    launchers_of: dict[str, int] = {}
    for i, system in held:
        launchers_of[system.id] = (
            launchers_of.get(system.id, 0) + force.holdings[i].launchers.deployed
        )

    cols: dict[str, list[float]] = {k: [] for k in ("w", "n", "c0", "c", "m", "rate", "delay")}
    names, sids, legs = [], [], []
    prov: list[dict[str, Any]] = []
    cited: set[str] = set()
    for i, system in held:
        h = force.holdings[i]
        leg = LEG[system.category]
        w0 = needed(force, i, "warheads", "the upload timeline")
        n, load = float(h.launchers.deployed), needed(force, i, "loading", "the upload timeline")
        entry = table.systems.get(system.id)
        if entry is None:
            c0 = c = w0
            m_max, rate, delay = load, 0.0, 0.0
        else:
            capable = entry.capable_share * n
            c0 = max(entry.max_loading * capable + load * (n - capable), w0)
            share = n / launchers_of[system.id]
            reload = min(entry.reloadable_launchers * share, h.launchers.non_deployed)
            c = c0 + entry.max_loading * reload
            m_max, rate, delay = entry.max_loading, entry.rate * share, entry.start_delay_months
            if system.id not in cited:
                cited.add(system.id)
                prov += _prov_rows(f"systems.{system.id}", entry)
        given = _override(rates, system.id, leg, "rates")
        rate = given if given is not None else rate
        given = _override(delays, system.id, leg, "delays")
        delay = given if given is not None else delay
        for key, value in zip(cols, (w0, n, c0, c, m_max, rate * rate_scale, delay), strict=True):
            cols[key].append(value)
        names.append(h.name)
        sids.append(system.id)
        legs.append(leg)

    pools = tuple(leg for leg in LEGS if leg in legs)
    party = table.parties.get(force.party)
    default_reserve = party.reserve.by_leg() if party else dict.fromkeys(LEGS, 0.0)
    reserve = []
    for leg in pools:
        if reserves and leg in reserves:
            value = float(reserves[leg])
            if not (np.isfinite(value) and value >= 0):
                raise InputError(f"must be finite and >= 0, got {value:g}", field=f"reserves.{leg}")
            reserve.append(value)
            prov.append(
                {"item": f"parties.{force.party}.reserve.{leg}", "value": value, "note": "given"}
            )
        else:
            reserve.append(default_reserve[leg])
            if party is not None:
                key = {v: k for k, v in RESERVE_LEGS.items()}[leg]
                rows = _prov_rows(f"parties.{force.party}.reserve", party.reserve)
                prov += [r for r in rows if r["item"].endswith(f".{key}")]
    arr = {k: np.asarray(v, dtype=float) for k, v in cols.items()}
    return UploadInputs(
        force=force,
        names=tuple(names),
        systems=tuple(sids),
        legs=tuple(legs),
        warheads=arr["w"],
        deployed=arr["n"],
        existing_capacity=arr["c0"],
        capacity=arr["c"],
        max_loading=arr["m"],
        rate=arr["rate"],
        start_delay=arr["delay"],
        pool=np.asarray([pools.index(leg) for leg in legs], dtype=int),
        pools=pools,
        reserve=np.asarray(reserve, dtype=float),
        provenance=tuple(prov),
    )


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` moved by whole calendar months, the day clipped to the month's length.

    Examples
    --------
    >>> add_months(dt.date(2026, 2, 5), 11), add_months(dt.date(2026, 1, 31), 1)
    (datetime.date(2027, 1, 5), datetime.date(2026, 2, 28))
    """
    import calendar

    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Stability:
    """The stability index along a timeline, arrays of shape (T + 1,) keyed by side label.

    Attributes
    ----------
    fsi : ndarray
        First-strike stability index [-].
    r, r_uncapped, C1, C2 : dict of ndarray
        Per side: min(1, C1/C2), C1/C2, cost of striking first, cost of being struck [-].
    w80 : dict of float
        Held fixed along the timeline [warheads].
    params : StabilityParams
    """

    fsi: np.ndarray
    r: dict[str, np.ndarray]
    r_uncapped: dict[str, np.ndarray]
    C1: dict[str, np.ndarray]
    C2: dict[str, np.ndarray]
    w80: dict[str, float]
    params: StabilityParams


@dataclass(frozen=True, repr=False)
class UploadTimeline(Display):
    """Deployed warheads of one force month by month after a lapse, and optionally the
    stability index against an opponent's timeline.

    Attributes
    ----------
    label : str
        Side label (the party, or the force name when both sides share a party).
    inputs : UploadInputs
    months : ndarray of int, shape (T + 1,)
    dates : tuple of datetime.date or None
        Calendar month ends when ``start`` was given.
    deployed : ndarray, shape (T + 1, S)
        Deployed warheads per system [warheads].
    launchers : ndarray, shape (T + 1, S)
        Launchers in use per system (reloaded ones included) [launchers].
    reserve : ndarray, shape (T + 1, P)
        Stored warheads left per pool [warheads].
    posture : str
    opponent : UploadTimeline or None
    stability : Stability or None
    """

    label: str
    inputs: UploadInputs
    months: np.ndarray
    dates: tuple[dt.date, ...] | None
    deployed: np.ndarray
    launchers: np.ndarray
    reserve: np.ndarray
    posture: Posture = "day_to_day"
    opponent: UploadTimeline | None = field(default=None, repr=False)
    stability: Stability | None = None

    @property
    def force(self) -> Force:
        """The force that uploads."""
        return self.inputs.force

    def by_leg(self) -> dict[str, np.ndarray]:
        """Deployed warheads per leg, arrays of shape (T + 1,) [warheads]."""
        legs = np.asarray(self.inputs.legs)
        return {leg: self.deployed[:, legs == leg].sum(axis=1) for leg in LEGS if leg in legs}

    @property
    def total(self) -> np.ndarray:
        """Deployed strategic warheads, shape (T + 1,) [warheads]."""
        return self.deployed.sum(axis=1)

    def capacity_by_leg(self) -> dict[str, float]:
        """Upload maximum per leg: min(launcher capacity, start + reserve) [warheads]."""
        return _maxima(self.inputs)

    def sides(self) -> list[UploadTimeline]:
        """This timeline and the opponent's, if any."""
        return [self] if self.opponent is None else [self, self.opponent]

    def summary(self) -> str:
        """Deployed warheads at the start and the end of the timeline, per side."""
        parts = [
            f"{s.label} {s.total[0]:,.0f} to {s.total[-1]:,.0f} deployed strategic warheads"
            for s in self.sides()
        ]
        return f"upload over {int(self.months[-1])} months: " + "; ".join(parts)

    def plot(self) -> go.Figure:
        """Deployed warheads by leg and side per month, and the index below when known: the
        figure of the report (:func:`detente.report.upload_figures.upload_timeline_figure`)."""
        from detente.report.upload_figures import upload_timeline_figure

        return upload_timeline_figure(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per month: ``date``, ``<side>_<leg>``, ``<side>_total`` and, with an
        opponent, ``fsi`` and ``r_<side>``."""
        import pandas as pd

        cols: dict[str, Any] = {}
        if self.dates is not None:
            cols["date"] = [d.isoformat() for d in self.dates]
        for side in self.sides():
            for leg, values in side.by_leg().items():
                cols[f"{side.label}_{leg}"] = values
            cols[f"{side.label}_total"] = side.total
        if self.stability is not None:
            cols["fsi"] = self.stability.fsi
            for label, r in self.stability.r.items():
                cols[f"r_{label}"] = r
        return pd.DataFrame(cols, index=pd.Index(self.months, name="month"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: months, dates, per side legs / totals / systems / maxima, the stability
        index along the timeline, and the provenance of every default used."""
        out: dict[str, Any] = {
            "months": self.months.tolist(),
            "dates": None if self.dates is None else [d.isoformat() for d in self.dates],
            "posture": self.posture,
            "sides": {s.label: _side_dict(s) for s in self.sides()},
            "stability": None,
        }
        if self.stability is not None:
            st = self.stability
            out["stability"] = {
                "fsi": st.fsi.tolist(),
                "r": {k: v.tolist() for k, v in st.r.items()},
                "r_uncapped": {k: v.tolist() for k, v in st.r_uncapped.items()},
                "C1": {k: v.tolist() for k, v in st.C1.items()},
                "C2": {k: v.tolist() for k, v in st.C2.items()},
                "w80": st.w80,
                "params": st.params.__dict__,
            }
        return out


def _side_dict(t: UploadTimeline) -> dict[str, Any]:
    u = t.inputs
    return {
        "force": u.force.name,
        "party": u.force.party,
        "legs": {leg: v.tolist() for leg, v in t.by_leg().items()},
        "total": t.total.tolist(),
        "maximum": _maxima(u),
        "reserve_left": {p: t.reserve[:, j].tolist() for j, p in enumerate(u.pools)},
        "systems": {
            name: {
                "system": u.systems[k],
                "leg": u.legs[k],
                "deployed": t.deployed[:, k].tolist(),
                "launchers": t.launchers[:, k].tolist(),
                "capacity": float(u.capacity[k]),
                "rate": float(u.rate[k]),
                "start_delay_months": float(u.start_delay[k]),
            }
            for k, name in enumerate(u.names)
        },
        "provenance": list(u.provenance),
    }


def _maxima(u: UploadInputs) -> dict[str, float]:
    legs = np.asarray(u.legs)
    out = {}
    for j, leg in enumerate(u.pools):
        sel = legs == leg
        out[leg] = float(min(u.capacity[sel].sum(), u.warheads[sel].sum() + u.reserve[j]))
    return out


def capacity_by_leg(force: Force, **kwargs: Any) -> dict[str, float]:
    """Upload maxima per leg: the most deployed warheads each leg can reach [warheads].

    min(Σ capacity, Σ current warheads + reserve) over the leg's systems; keyword arguments
    as in :func:`upload_inputs`.

    Examples
    --------
    FAS's anchors (Korda & Kristensen, 2023): US ICBMs up to 950, SLBMs about 1,920.

    >>> from detente.model.catalog import load_force
    >>> capacity_by_leg(load_force("us-2025"))
    {'ICBM': 950.0, 'SLBM': 1920.0, 'bomber': 730.0}
    """
    return _maxima(upload_inputs(force, **kwargs))


def upload_timeline(
    force: Force,
    *,
    months: int = 36,
    start: dt.date | None = None,
    rates: Mapping[str, float] | None = None,
    posture: Posture = "day_to_day",
    opponent: UploadTimeline | Force | None = None,
    params: StabilityParams | None = None,
    rate_scale: float = 1.0,
    delays: Mapping[str, float] | None = None,
    reserves: Mapping[str, float] | None = None,
    defaults: UploadDefaults | str | Path | None = None,
    lua: bool = False,
    w80: Mapping[str, float] | None = None,
) -> UploadTimeline:
    """Deployed warheads of ``force`` month by month after a treaty lapses.

    Parameters
    ----------
    force : Force
    months : int
        Months T after the lapse (month 0 is the lapse itself).
    start : datetime.date, optional
        Date of the lapse; gives the timeline calendar dates.
    rates, rate_scale, delays, reserves, defaults
        Upload inputs, see :func:`upload_inputs`.
    posture : {'day_to_day', 'generated'}
        Alert fractions used for the stability index (both sides).
    opponent : UploadTimeline or Force, optional
        The other side: a timeline with the same months, or a force that does not upload.
        With an opponent the stability index is computed for every month, in one batched
        call of :func:`detente.kernels.stability.stability_index`.
    params : StabilityParams, optional
    lua : bool
        Both sides launch their fixed forces under attack.
    w80 : mapping, optional
        ``w80`` per side label [warheads]; default as in
        :func:`detente.analysis.stability.make_sides`, from the forces at the lapse, held fixed.

    Returns
    -------
    UploadTimeline

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> t = upload_timeline(load_force("us-2025"), months=12)
    >>> {leg: int(v[-1]) for leg, v in t.by_leg().items()}
    {'ICBM': 940, 'SLBM': 1920, 'bomber': 730}
    >>> race = upload_race(load_force("us-2025"), load_force("ru-2025"), months=12)
    >>> race.stability.fsi[[0, 1, 12]].round(3).tolist()
    [0.687, 0.543, 0.573]
    """
    if posture not in POSTURES:
        raise InputError(f"unknown posture {posture!r}; expected one of {', '.join(POSTURES)}")
    check_range(rate_scale, "rate_scale", 0, MAX_RATE_SCALE)
    check_date(start, "start")
    if not isinstance(months, int) or isinstance(months, bool) or not 0 <= months <= 1200:
        raise InputError(
            f"must be a whole number of months in 0..1200, got {months!r}", field="months"
        )
    inputs = upload_inputs(
        force,
        rates=rates,
        rate_scale=rate_scale,
        delays=delays,
        reserves=reserves,
        defaults=defaults,
    )
    out = upload(
        inputs.warheads[None],
        inputs.capacity,
        inputs.reserve,
        inputs.pool,
        inputs.rate,
        inputs.start_delay,
        months=months,
    )
    deployed = out.deployed[0]
    timeline = UploadTimeline(
        label=force.party,
        inputs=inputs,
        months=np.arange(months + 1),
        dates=None if start is None else tuple(add_months(start, t) for t in range(months + 1)),
        deployed=deployed,
        launchers=launchers_in_use(
            deployed, inputs.deployed, inputs.existing_capacity, inputs.max_loading
        ),
        reserve=out.reserve[0],
        posture=posture,
    )
    if opponent is None:
        return timeline
    if isinstance(opponent, Force):
        opponent = upload_timeline(
            opponent,
            months=months,
            start=start,
            rate_scale=0.0,
            posture=posture,
            defaults=defaults,
        )
    if not isinstance(opponent, UploadTimeline):
        raise InputError(f"opponent must be a Force or an UploadTimeline, got {type(opponent)}")
    if len(opponent.months) != months + 1:
        raise InputError(
            f"opponent timeline has {len(opponent.months) - 1} months, expected {months}",
            field="months",
        )
    return _with_stability(timeline, opponent, posture, params, lua, w80)


def upload_race(
    force_a: Force, force_b: Force, *, months: int = 36, **kwargs: Any
) -> UploadTimeline:
    """Both forces upload; A's timeline with B's as opponent and the stability index.

    Keyword arguments go to :func:`upload_timeline` for both sides (``rates``, ``delays``
    and ``reserves`` keyed by system id apply to whichever force holds that system).
    """
    shared = {k: kwargs.pop(k) for k in ("params", "lua", "w80") if k in kwargs}
    b = upload_timeline(force_b, months=months, **_for_force(force_b, kwargs))
    return upload_timeline(
        force_a, months=months, opponent=b, **_for_force(force_a, kwargs), **shared
    )


def _for_force(force: Force, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keep only the system-id keys of ``rates`` / ``delays`` that ``force`` holds."""
    ids = {s.id for _, s in strategic_holdings(force)} | set(LEGS)
    out = dict(kwargs)
    for name in ("rates", "delays"):
        if out.get(name):
            out[name] = {k: v for k, v in out[name].items() if k in ids}
    return out


def _with_stability(
    a: UploadTimeline,
    b: UploadTimeline,
    posture: Posture,
    params: StabilityParams | None,
    lua: bool,
    w80: Mapping[str, float] | None,
) -> UploadTimeline:
    from dataclasses import replace

    from detente.kernels.exchange import Forces
    from detente.kernels.stability import stability_index

    params = params or StabilityParams()
    sides = make_sides([a.force, b.force], posture=posture, lua=lua, w80=dict(w80 or {}))
    forces = []
    for side, t in zip(sides, (a, b), strict=True):
        e = side.elements
        n = t.launchers
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.where(n > 0, t.deployed / n, 0.0)
        batch = n.shape[0]
        fixed, alert = (np.broadcast_to(x, (batch, len(e))) for x in (e.fixed, e.alert))
        forces.append(Forces(n, m, fixed, alert))
    si = stability_index(
        *forces,
        sides[0].w80,
        sides[1].w80,
        params.de,
        params.de,
        lua_A=sides[0].lua,
        lua_B=sides[1].lua,
        **params.kernel_kwargs(),
    )
    la, lb = sides[0].label, sides[1].label
    stability = Stability(
        fsi=si.fsi,
        r={la: si.r_A, lb: si.r_B},
        r_uncapped={la: si.r_uncapped_A, lb: si.r_uncapped_B},
        C1={la: si.C1_A, lb: si.C1_B},
        C2={la: si.C2_A, lb: si.C2_B},
        w80={la: sides[0].w80, lb: sides[1].w80},
        params=params,
    )
    b = replace(b, label=lb, opponent=None, stability=None)
    return replace(a, label=la, opponent=b, stability=stability)
