"""Verification questions as typed results: detection, clean-inspection bounds, planning,
regime comparison and Open Skies coverage (models.md §5).

Bundled data lives in ``detente/data/verification``: one YAML file per inspection regime
(``kind: inspection_regime``) and the Open Skies coverage inputs (``kind: open_skies``). Every
number there carries a provenance (status, source id, note); the results repeat it so that a
table can say what is sourced and what is illustrative.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from detente.display import Display
from detente.errors import InputError
from detente.kernels import verification as kv
from detente.model import limits
from detente.model.catalog import check_source_ids, iter_inline_source_refs
from detente.model.limits import check_range
from detente.model.provenance import CompleteProvenance
from detente.model.yamlio import load_yaml, validate

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BoundResult",
    "DetectionResult",
    "InspectionRegime",
    "OpenSkiesParameters",
    "OpenSkiesResult",
    "PlanResult",
    "RegimeComparison",
    "RegimeRow",
    "clean_inspection_bound",
    "compare_regimes",
    "detect",
    "load_open_skies",
    "load_regimes",
    "open_skies",
    "plan_inspections",
]

VERIFICATION_DATA = Path(__file__).resolve().parent.parent / "data" / "verification"


class Inspection(CompleteProvenance):
    """One inspection type of a regime and its annual quota."""

    name: str
    label: str
    per_year: int = Field(ge=0)
    counts_reentry_vehicles: bool
    missiles_per_inspection: int = Field(ge=0)


class InspectionRegime(BaseModel):
    """An on-site inspection regime (START I, New START, none) as data."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: Literal["inspection_regime"]
    id: str
    name: str
    note: str = ""
    inspections: tuple[Inspection, ...]

    @property
    def missiles_checked_per_year(self) -> int:
        """Missiles whose reentry vehicles are counted each year [-]."""
        return sum(
            i.per_year * i.missiles_per_inspection
            for i in self.inspections
            if i.counts_reentry_vehicles
        )


class Quantity(CompleteProvenance):
    """A number with its provenance."""

    value: float


class Quota(CompleteProvenance):
    """A whole number with its provenance."""

    value: int = Field(ge=0)


class Airfields(CompleteProvenance):
    """Notional airfield positions [km] with their provenance."""

    value: tuple[tuple[float, float], ...] = Field(min_length=1)


class OpenSkiesParameters(BaseModel):
    """Inputs of the Open Skies coverage model; territory, sites and airfields are notional."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: Literal["open_skies"]
    id: str
    name: str
    passive_quota_per_year: dict[str, Quota] = Field(min_length=1)
    flight_distance_km: Quantity
    swath_km: Quantity
    sites: Quota
    territory_width_km: Quantity
    territory_height_km: Quantity
    airfields_km: Airfields


def _load(path: Path, model: type[BaseModel]) -> BaseModel:
    doc = load_yaml(path)
    result = validate(model, doc)
    check_source_ids(doc, iter_inline_source_refs(doc.data))
    return result


def _kind(path: Path) -> str | None:
    doc = load_yaml(path)
    return doc.data.get("kind") if isinstance(doc.data, dict) else None


def load_regimes(directory: str | Path = VERIFICATION_DATA) -> dict[str, InspectionRegime]:
    """Every ``kind: inspection_regime`` file in ``directory``, keyed by id.

    Examples
    --------
    >>> regimes = load_regimes()
    >>> sorted(regimes)
    ['new_start', 'none', 'start1']
    >>> regimes["new_start"].missiles_checked_per_year
    10
    """
    regimes: dict[str, InspectionRegime] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        if _kind(path) == "inspection_regime":
            regime = _load(path, InspectionRegime)
            if regime.id in regimes:
                raise InputError(f"duplicate regime id {regime.id!r}", file=path, field="id")
            regimes[regime.id] = regime
    return regimes


def load_open_skies(
    path: str | Path = VERIFICATION_DATA / "open_skies.yaml",
) -> OpenSkiesParameters:
    """Read Open Skies coverage inputs (bundled file by default)."""
    return _load(Path(path), OpenSkiesParameters)


class _Result:
    """Shared ``to_dict`` / ``to_frame`` of the flat frozen results below."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One-row frame of :meth:`to_dict`."""
        import pandas as pd

        return pd.DataFrame([self.to_dict()])


def _check_counts(**given: float | None) -> None:
    """Bound the arguments of an inspection calculation (:mod:`detente.model.limits`):
    missile and inspection counts up to ``MAX_MISSILES``, years up to
    ``MAX_INSPECTION_YEARS``, gains and losses finite."""
    for name, value in given.items():
        if name in {"years"}:
            check_range(value, name, 1, limits.MAX_INSPECTION_YEARS, unit="yr")
        elif name in {"gain", "loss"}:
            check_range(value, name, 0, limits.MAX_GAIN)
        else:
            check_range(value, name, 0, limits.MAX_MISSILES)


def _user_error(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a kernel, turning its ValueError on bad input into an :class:`InputError`."""
    try:
        return func(*args, **kwargs)
    except ValueError as exc:
        raise InputError(str(exc)) from None


@dataclass(frozen=True, repr=False)
class DetectionResult(Display, _Result):
    """Probability that random inspections catch over-loading, with the inspection game.

    ``deterrence_threshold`` and ``deterred`` are ``None`` unless a gain and a loss were given.
    """

    missiles: int
    overloaded: int
    inspections: int
    years: int
    recognition: float
    detection_probability: float
    gain: float | None = None
    loss: float | None = None
    deterrence_threshold: float | None = None
    deterred: bool | None = None

    def summary(self) -> str:
        """The detection probability in words."""
        return (
            f"{self.inspections} inspection(s) a year of {self.missiles:,} missiles, "
            f"{self.overloaded:,} of them over-loaded: probability "
            f"{self.detection_probability:.3f} of finding at least one in {self.years} year(s)"
        )


def detect(
    missiles: int,
    overloaded: int,
    inspections: int,
    *,
    years: int = 1,
    recognition: float = 1.0,
    gain: float | None = None,
    loss: float | None = None,
) -> DetectionResult:
    """Detection probability of over-loading, and whether it deters (eqs. 5.1, 5.2).

    Examples
    --------
    >>> r = detect(400, 40, 10, gain=1, loss=4)
    >>> round(r.detection_probability, 4), r.deterrence_threshold, r.deterred
    (0.6557, 0.2, True)
    """
    if (gain is None) != (loss is None):
        raise InputError("give both gain and loss for the inspection game, or neither")
    _check_counts(
        missiles=missiles,
        overloaded=overloaded,
        inspections=inspections,
        years=years,
        gain=gain,
        loss=loss,
    )
    p = float(
        _user_error(
            kv.detection_probability,
            missiles,
            overloaded,
            inspections,
            years=years,
            recognition=recognition,
        )
    )
    threshold = deterred = None
    if gain is not None:
        threshold = float(_user_error(kv.deterrence_threshold, gain, loss))
        deterred = p >= threshold
    return DetectionResult(
        missiles, overloaded, inspections, years, recognition, p, gain, loss, threshold, deterred
    )


@dataclass(frozen=True)
class BoundResult(_Result):
    """Largest over-loading consistent with clean inspections at a confidence.

    ``next_detection_probability`` is the chance that one more over-loaded missile than the
    bound would have been caught (``None`` when the bound is every missile).
    """

    missiles: int
    clean_inspections: int
    years: int
    confidence: float
    recognition: float
    largest_undetected_violation: int
    next_detection_probability: float | None


def clean_inspection_bound(
    missiles: int,
    clean_inspections: int,
    *,
    confidence: float = 0.95,
    years: int = 1,
    recognition: float = 1.0,
) -> BoundResult:
    """What clean inspections prove: the largest violation they cannot rule out.

    Examples
    --------
    >>> r = clean_inspection_bound(400, 10, years=5)
    >>> r.largest_undetected_violation, round(r.next_detection_probability, 4)
    (22, 0.95)
    """
    _check_counts(missiles=missiles, clean_inspections=clean_inspections, years=years)
    k = int(
        _user_error(
            kv.largest_undetected_violation,
            missiles,
            clean_inspections,
            confidence=confidence,
            years=years,
            recognition=recognition,
        )
    )
    nxt = None
    if k < missiles:
        nxt = float(
            kv.detection_probability(
                missiles, k + 1, clean_inspections, years=years, recognition=recognition
            )
        )
    return BoundResult(missiles, clean_inspections, years, confidence, recognition, k, nxt)


@dataclass(frozen=True)
class PlanResult(_Result):
    """Fewest inspections a year for a target detection probability.

    ``inspections_needed`` is ``None`` when even inspecting every missile falls short.
    """

    missiles: int
    overloaded: int
    target: float
    years: int
    recognition: float
    inspections_needed: int | None
    achieved_probability: float


def plan_inspections(
    missiles: int,
    overloaded: int,
    target: float,
    *,
    years: int = 1,
    recognition: float = 1.0,
) -> PlanResult:
    """Inspections a year needed to catch ``overloaded`` missiles with probability ``target``.

    Examples
    --------
    >>> r = plan_inspections(400, 40, 0.9)
    >>> r.inspections_needed, round(r.achieved_probability, 3)
    (22, 0.908)
    """
    _check_counts(missiles=missiles, overloaded=overloaded, years=years)
    n = int(
        _user_error(
            kv.inspections_needed,
            missiles,
            overloaded,
            target,
            years=years,
            recognition=recognition,
        )
    )
    achieved = float(
        kv.detection_probability(
            missiles, overloaded, n if n >= 0 else missiles, years=years, recognition=recognition
        )
    )
    return PlanResult(
        missiles, overloaded, target, years, recognition, n if n >= 0 else None, achieved
    )


@dataclass(frozen=True)
class RegimeRow:
    """One regime in a comparison; ``sources`` and ``statuses`` give its quotas' provenance."""

    regime: str
    name: str
    missiles_checked_per_year: int
    detection_probability: float
    largest_undetected_violation: int
    statuses: tuple[str, ...]
    sources: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class RegimeComparison:
    """Inspection regimes side by side for one force size and violation."""

    missiles: int
    overloaded: int
    years: int
    recognition: float
    confidence: float
    rows: tuple[RegimeRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary, one entry per regime under ``regimes``."""
        out = asdict(self)
        out["regimes"] = [asdict(r) for r in self.rows]
        del out["rows"]
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per regime."""
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self.rows])


def compare_regimes(
    missiles: int,
    overloaded: int,
    *,
    years: int = 1,
    recognition: float = 1.0,
    confidence: float = 0.95,
    regimes: dict[str, InspectionRegime] | None = None,
) -> RegimeComparison:
    """Detection probability and clean-inspection bound under each regime.

    Rows are ordered by missiles checked a year, most first. A regime's missiles checked a
    year are capped at ``missiles`` (inspections draw distinct missiles within a year).

    Examples
    --------
    >>> c = compare_regimes(400, 40, years=3)
    >>> [(r.regime, r.missiles_checked_per_year, round(r.detection_probability, 3))
    ...  for r in c.rows]
    [('new_start', 10, 0.959), ('start1', 10, 0.959), ('none', 0, 0.0)]
    """
    _check_counts(missiles=missiles, overloaded=overloaded, years=years)
    regimes = load_regimes() if regimes is None else regimes
    rows = []
    for regime in regimes.values():
        n = min(regime.missiles_checked_per_year, max(int(missiles), 0))
        p = _user_error(
            kv.detection_probability,
            missiles,
            overloaded,
            n,
            years=years,
            recognition=recognition,
        )
        k = _user_error(
            kv.largest_undetected_violation,
            missiles,
            n,
            confidence=confidence,
            years=years,
            recognition=recognition,
        )
        used = [i for i in regime.inspections if i.counts_reentry_vehicles]
        rows.append(
            RegimeRow(
                regime.id,
                regime.name,
                n,
                float(p),
                int(k),
                tuple(sorted({i.status for i in used})),
                tuple(sorted({s for i in used for s in i.source})),
                regime.note,
            )
        )
    rows.sort(key=lambda r: (-r.missiles_checked_per_year, r.name))
    return RegimeComparison(missiles, overloaded, years, recognition, confidence, tuple(rows))


@dataclass(frozen=True)
class ParameterUse:
    """A model input as used, with its provenance."""

    name: str
    value: Any
    status: str
    source: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class OpenSkiesResult:
    """Open Skies coverage by simulation over notional site layouts.

    ``observed_share`` holds, per treaty year, the mean, p05 and p95 over replicates of the
    share of sites overflown that year. ``years_since_observation`` summarises, over all sites
    and replicates at the end of the last year, the time since each site was last overflown;
    ``never_observed`` is the share of sites never overflown.
    """

    party: str
    years: int
    replicates: int
    seed: int
    observed_share: tuple[dict[str, float], ...]
    years_since_observation: dict[str, float]
    never_observed: float
    parameters: tuple[ParameterUse, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (infinite times become ``None``)."""
        out = asdict(self)
        out["years_since_observation"] = {
            k: (v if math.isfinite(v) else None) for k, v in self.years_since_observation.items()
        }
        return out

    def to_frame(self) -> pd.DataFrame:
        """Share observed per treaty year (columns year, mean, p05, p95)."""
        import pandas as pd

        return pd.DataFrame([{"year": y + 1, **row} for y, row in enumerate(self.observed_share)])


def _use(name: str, q: CompleteProvenance, value: Any) -> ParameterUse:
    return ParameterUse(name, value, q.status, q.source, q.note)


def open_skies(
    params: OpenSkiesParameters | None = None,
    *,
    party: str = "US",
    quota: int | None = None,
    flight_distance_km: float | None = None,
    swath_km: float | None = None,
    sites: int | None = None,
    years: int = 3,
    replicates: int = 200,
    seed: int = 0,
) -> OpenSkiesResult:
    """Share of declared sites observed and time since last observation, by simulation.

    ``party`` picks whose territory (passive quota) is overflown; any of ``quota``,
    ``flight_distance_km``, ``swath_km`` and ``sites`` overrides the file and is then
    reported with status ``user``.

    Examples
    --------
    >>> r = open_skies(years=2, replicates=20, seed=1)
    >>> 0.8 < r.observed_share[-1]["mean"] <= 1.0
    True
    """
    params = load_open_skies() if params is None else params
    if party not in params.passive_quota_per_year:
        known = sorted(params.passive_quota_per_year)
        groups = [k for k in known if party.upper() in k.split("_")]
        hint = (
            f"{party} shares one passive quota with its group: use {groups[0]}; " if groups else ""
        )
        raise InputError(
            f"unknown party {party!r}: {hint}parties with a quota: {', '.join(known)}",
            field="party",
        )
    check_range(replicates, "replicates", 1, limits.MAX_REPLICATES)
    check_range(years, "years", 1, limits.MAX_OPEN_SKIES_YEARS, unit="yr")
    check_range(quota, "quota", 0, limits.MAX_QUOTA)
    check_range(sites, "sites", 1, limits.MAX_SITES)
    check_range(flight_distance_km, "flight_distance_km", 0, limits.MAX_DISTANCE_KM, unit="km")
    check_range(swath_km, "swath_km", 0, limits.MAX_DISTANCE_KM, unit="km")
    check_range(seed, "seed", 0, limits.MAX_SEED)

    def pick(name: str, given: Any, q: Quantity | Quota) -> tuple[Any, ParameterUse]:
        if given is None:
            return q.value, _use(name, q, q.value)
        return given, ParameterUse(name, given, "user", (), "given by the user")

    flights, u_quota = pick("quota", quota, params.passive_quota_per_year[party])
    distance, u_distance = pick("flight_distance_km", flight_distance_km, params.flight_distance_km)
    swath, u_swath = pick("swath_km", swath_km, params.swath_km)
    n_sites, u_sites = pick("sites", sites, params.sites)
    for name, value in (("quota", flights), ("sites", n_sites)):
        if int(value) != value or value < 0:
            raise InputError(f"{name} must be a whole number >= 0")
    if n_sites < 1:
        raise InputError("sites must be at least 1")
    work = replicates * years * max(int(flights), 1) * int(n_sites)
    if work > limits.MAX_OPEN_SKIES_WORK:
        raise InputError(
            f"replicates x years x flights x sites = {work:,} is above the limit of "
            f"{limits.MAX_OPEN_SKIES_WORK:,}; use fewer replicates, years or sites",
            field="replicates",
        )
    width, height = params.territory_width_km.value, params.territory_height_km.value
    rng = np.random.default_rng(seed)
    layout = _user_error(kv.notional_sites, rng, replicates, int(n_sites), width, height)
    sample = _user_error(
        kv.open_skies_coverage,
        layout,
        np.array(params.airfields_km.value),
        flights_per_year=int(flights),
        flight_distance_km=float(distance),
        swath_km=float(swath),
        years=years,
        rng=rng,
    )
    share = [
        {
            "mean": float(col.mean()),
            "p05": float(np.quantile(col, 0.05)),
            "p95": float(np.quantile(col, 0.95)),
        }
        for col in sample.observed_share.T
    ]
    ages = sample.years_since_observation
    seen = ages[np.isfinite(ages)]
    age = {
        "median": float(np.median(ages)),
        "p95": float(np.quantile(ages, 0.95)),
        "mean_observed": float(seen.mean()) if seen.size else math.inf,
    }
    used = (
        u_quota,
        u_distance,
        u_swath,
        u_sites,
        _use("territory_width_km", params.territory_width_km, width),
        _use("territory_height_km", params.territory_height_km, height),
        _use("airfields_km", params.airfields_km, [list(a) for a in params.airfields_km.value]),
    )
    return OpenSkiesResult(
        party,
        years,
        replicates,
        seed,
        tuple(share),
        age,
        float(np.mean(~np.isfinite(ages))),
        used,
    )
