"""Inadvertent-war risk by Monte Carlo: annual and cumulative probability, tornado
sensitivity and interventions (models.md §6).

A risk parameter set (``detente/data/risk/*.yaml``) gives every parameter of the
Barrett-Baum-Hostetler structure as a distribution with its provenance. The work follows
SALib's order: sample a matrix of uniforms with an explicit seed, map it through each
parameter's quantile function, evaluate the kernel, then summarise. Interventions are
evaluated on the same samples as the baseline (paired), so "the probability that an
intervention lowers risk" is the share of samples in which it does.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import stats

from detente.errors import InputError
from detente.kernels import risk as kr
from detente.model.catalog import check_source_ids, iter_inline_source_refs
from detente.model.provenance import CompleteProvenance
from detente.model.yamlio import Document, load_yaml, validate

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Dist",
    "InterventionResult",
    "ParameterInfo",
    "Quantiles",
    "RiskParameterSet",
    "RiskResult",
    "TornadoBar",
    "load_risk_parameters",
    "run_risk",
]

DEFAULT_PARAMETERS = (
    Path(__file__).resolve().parent.parent / "data" / "risk" / "bbh2013_illustrative.yaml"
)
CONDITIONS = ("crisis", "low_tension")
_SHAPE_FIELDS = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "loguniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("median", "gsd"),
}


class Dist(CompleteProvenance):
    """A parameter as a distribution, with its provenance.

    ``dist`` is one of ``fixed`` (``value``), ``uniform`` and ``loguniform`` (``low``,
    ``high``), ``triangular`` (``low``, ``mode``, ``high``) and ``lognormal`` (``median``,
    geometric standard deviation ``gsd``).
    """

    dist: Literal["fixed", "uniform", "loguniform", "triangular", "lognormal"]
    value: float | None = None
    mode: float | None = None
    median: float | None = None
    gsd: float | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Dist:
        needed = _SHAPE_FIELDS[self.dist]
        for name in ("value", "low", "high", "mode", "median", "gsd"):
            given = getattr(self, name) is not None
            if name in needed and not given:
                raise ValueError(f"dist '{self.dist}' needs {', '.join(needed)}")
            if name not in needed and given:
                raise ValueError(f"'{name}' is not used by dist '{self.dist}'")
        if any(not math.isfinite(getattr(self, n)) for n in needed):
            raise ValueError("distribution parameters must be finite")
        lo, hi = self.low, self.high
        if self.dist in ("uniform", "loguniform", "triangular") and not lo < hi:
            raise ValueError("low must be below high")
        if self.dist == "loguniform" and lo <= 0:
            raise ValueError("loguniform needs low > 0")
        if self.dist == "triangular" and not lo <= self.mode <= hi:
            raise ValueError("triangular needs low <= mode <= high")
        if self.dist == "lognormal" and not (self.median > 0 and self.gsd > 1):
            raise ValueError("lognormal needs median > 0 and gsd > 1")
        return self

    def _frozen(self) -> Any:
        lo, hi = self.low, self.high
        if self.dist == "uniform":
            return stats.uniform(loc=lo, scale=hi - lo)
        if self.dist == "loguniform":
            return stats.loguniform(lo, hi)
        if self.dist == "triangular":
            return stats.triang((self.mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        return stats.lognorm(s=math.log(self.gsd), scale=self.median)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        """Quantile function at ``q`` (uniforms in [0, 1))."""
        q = np.asarray(q, dtype=float)
        if self.dist == "fixed":
            return np.full(q.shape, float(self.value))
        return np.asarray(self._frozen().ppf(q), dtype=float)

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can take."""
        if self.dist == "fixed":
            return float(self.value), float(self.value)
        if self.dist == "lognormal":
            return 0.0, math.inf
        return float(self.low), float(self.high)

    def describe(self) -> str:
        """Short text such as ``uniform(0.01, 0.1)``."""
        args = ", ".join(f"{getattr(self, n):g}" for n in _SHAPE_FIELDS[self.dist])
        return f"{self.dist}({args})"


class ConditionDists(BaseModel):
    """One probability per condition."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    crisis: Dist
    low_tension: Dist


class Stage(ConditionDists):
    """An evaluation stage an alarm must pass (e.g. threat assessment, leadership)."""

    name: str


class Stream(BaseModel):
    """False alarms of one alarm type seen by one side."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    side: str
    alarm: str
    rate_per_year: Dist
    stages: tuple[Stage, ...] = Field(min_length=1)
    launch: ConditionDists


class TimeModel(BaseModel):
    """How added decision time lowers pass and launch probabilities (eq. 6.2)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    pass_scale_min: Dist
    launch_scale_min: Dist
    slbm_flight_min_per_km: Dist


class Selector(BaseModel):
    """Which streams an intervention acts on; an omitted field matches every stream."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    side: str | None = None
    alarm: str | None = None

    def matches(self, stream: Stream) -> bool:
        return self.side in (None, stream.side) and self.alarm in (None, stream.alarm)


Target = Literal[
    "rate_per_year",
    "pass.crisis",
    "pass.low_tension",
    "launch.crisis",
    "launch.low_tension",
    "crisis_fraction",
]


class Factor(BaseModel):
    """Multiply one quantity of the selected streams by an uncertain factor."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    target: Target
    value: Dist


class Intervention(BaseModel):
    """A risk-reduction measure acting on parameters.

    ``standoff_km`` (extra distance of submarines from the other side's coast) becomes added
    warning time through ``time_model.slbm_flight_min_per_km``; with ``added_time_min`` it
    scales pass and launch probabilities by eq. (6.2). ``factors`` multiply other quantities.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str
    label: str
    note: str = ""
    streams: Selector = Selector()
    standoff_km: float | None = Field(default=None, ge=0)
    added_time_min: Dist | None = None
    factors: tuple[Factor, ...] = ()

    @model_validator(mode="after")
    def _acts(self) -> Intervention:
        if self.standoff_km is None and self.added_time_min is None and not self.factors:
            raise ValueError("an intervention needs standoff_km, added_time_min or factors")
        return self


class RiskParameterSet(BaseModel):
    """Every parameter of the risk model as a distribution, plus interventions."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: Literal["risk_parameters"]
    id: str
    name: str
    note: str = ""
    crisis_fraction: Dist
    streams: tuple[Stream, ...] = Field(min_length=1)
    time_model: TimeModel
    interventions: tuple[Intervention, ...] = ()


@dataclass(frozen=True)
class _Param:
    name: str
    path: tuple  # location in the YAML document
    dist: Dist
    role: str  # probability, rate, positive, nonnegative
    baseline: bool  # enters the baseline annual probability


def _parameters(ps: RiskParameterSet) -> Iterator[_Param]:
    yield _Param("crisis_fraction", ("crisis_fraction",), ps.crisis_fraction, "probability", True)
    for i, s in enumerate(ps.streams):
        at, key = ("streams", i), f"{s.side}.{s.alarm}"
        yield _Param(f"{key}.rate_per_year", (*at, "rate_per_year"), s.rate_per_year, "rate", True)
        for j, stage in enumerate(s.stages):
            for c in CONDITIONS:
                yield _Param(
                    f"{key}.stages.{stage.name}.{c}",
                    (*at, "stages", j, c),
                    getattr(stage, c),
                    "probability",
                    True,
                )
        for c in CONDITIONS:
            yield _Param(
                f"{key}.launch.{c}", (*at, "launch", c), getattr(s.launch, c), "probability", True
            )
    for name in TimeModel.model_fields:
        role = "nonnegative" if name == "slbm_flight_min_per_km" else "positive"
        yield _Param(
            f"time_model.{name}", ("time_model", name), getattr(ps.time_model, name), role, False
        )
    for i, iv in enumerate(ps.interventions):
        at = ("interventions", i)
        if iv.added_time_min is not None:
            yield _Param(
                f"interventions.{iv.id}.added_time_min",
                (*at, "added_time_min"),
                iv.added_time_min,
                "nonnegative",
                False,
            )
        for j, f in enumerate(iv.factors):
            yield _Param(
                f"interventions.{iv.id}.factors.{j}",
                (*at, "factors", j, "value"),
                f.value,
                "nonnegative",
                False,
            )


def _check_meaning(ps: RiskParameterSet, doc: Document) -> None:
    """Supports that fit each parameter's role, unique names, selectors that select."""
    seen: set[str] = set()
    for p in _parameters(ps):
        lo, hi = p.dist.support
        bad = {
            "probability": lo < 0 or hi > 1,
            "rate": lo < 0,
            "positive": lo <= 0,
            "nonnegative": lo < 0,
        }[p.role]
        if bad:
            need = {
                "probability": "within [0, 1] (use uniform, loguniform, triangular or fixed)",
                "rate": ">= 0",
                "positive": "> 0",
                "nonnegative": ">= 0",
            }[p.role]
            raise doc.error(p.path, f"{p.name} must take values {need}")
        if p.name in seen:
            raise doc.error(p.path, f"parameter {p.name!r} is defined twice")
        seen.add(p.name)
    ids: set[str] = set()
    for i, iv in enumerate(ps.interventions):
        if iv.id in ids:
            raise doc.error(("interventions", i, "id"), f"intervention id {iv.id!r} is used twice")
        ids.add(iv.id)
        if not any(iv.streams.matches(s) for s in ps.streams):
            raise doc.error(("interventions", i, "streams"), "selects no stream")


def load_risk_parameters(path: str | Path = DEFAULT_PARAMETERS) -> RiskParameterSet:
    """Read and check a risk parameter set; errors name the file, line and field.

    Examples
    --------
    >>> ps = load_risk_parameters()
    >>> [f"{s.side}.{s.alarm}" for s in ps.streams]
    ['US.icbm', 'US.slbm', 'RU.icbm', 'RU.slbm']
    """
    doc = load_yaml(path)
    ps = validate(RiskParameterSet, doc)
    check_source_ids(doc, iter_inline_source_refs(doc.data))
    _check_meaning(ps, doc)
    return ps


@dataclass(frozen=True)
class Quantiles:
    """p05, p50, p95 and mean of a Monte Carlo sample."""

    p05: float
    p50: float
    p95: float
    mean: float

    @classmethod
    def of(cls, x: np.ndarray) -> Quantiles:
        q = np.quantile(x, [0.05, 0.5, 0.95])
        return cls(float(q[0]), float(q[1]), float(q[2]), float(np.mean(x)))


@dataclass(frozen=True)
class ParameterInfo:
    """A parameter's distribution and provenance; ``sourced`` is False for illustrative ones."""

    name: str
    distribution: str
    median: float
    status: str
    sourced: bool
    source: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class TornadoBar:
    """Annual probability with one parameter at its p05 and p95, the others at medians."""

    parameter: str
    value_p05: float
    value_p95: float
    probability_at_p05: float
    probability_at_p95: float
    sourced: bool

    @property
    def swing(self) -> float:
        return abs(self.probability_at_p95 - self.probability_at_p05)


@dataclass(frozen=True)
class InterventionResult:
    """An intervention evaluated on the baseline's samples.

    ``change`` summarises the paired difference (intervention minus baseline) of the annual
    probability; ``probability_lower`` is the share of samples in which it is negative.
    ``sourced`` is False when any of the intervention's own parameters is illustrative.
    """

    id: str
    label: str
    annual_probability: Quantiles
    change: Quantiles
    probability_lower: float
    sourced: bool


#: Significant figures of a probability computed from illustrative parameters.
ILLUSTRATIVE_FIGURES = 1


def risk_percent(probability: float, figures: int = 3) -> str:
    """A probability [-] as a percentage to ``figures`` significant figures, never in
    scientific notation, with a true minus sign.

    Examples
    --------
    >>> risk_percent(0.00515, 1), risk_percent(0.0182, 1), risk_percent(-0.000103, 1)
    ('0.5 %', '2 %', '−0.01 %')
    >>> risk_percent(0.000516), risk_percent(0.0)
    ('0.0516 %', '0 %')
    """
    return f"{significant(100 * float(probability), figures)} %"


def significant(value: float, figures: int) -> str:
    """``value`` to ``figures`` significant figures, positional, with a true minus sign.

    Examples
    --------
    >>> significant(0.42, 1), significant(1.0, 1), significant(-0.0137, 2)
    ('0.4', '1', '−0.014')
    """
    text = np.format_float_positional(
        float(value), precision=figures, unique=True, fractional=False, trim="-"
    )
    return text.replace("-", "−")


@dataclass(frozen=True)
class RiskResult:
    """Monte Carlo result for one parameter set."""

    parameter_set: str
    name: str
    samples: int
    seed: int
    years: float
    annual_probability: Quantiles
    cumulative_probability: Quantiles
    probability_at_medians: float
    tornado: tuple[TornadoBar, ...]
    interventions: tuple[InterventionResult, ...]
    parameters: tuple[ParameterInfo, ...]

    @property
    def illustrative(self) -> tuple[str, ...]:
        """Names of the parameters that are assumptions (illustrative values)."""
        return tuple(p.name for p in self.parameters if not p.sourced)

    @property
    def sourced(self) -> tuple[str, ...]:
        """Names of the parameters that carry a source."""
        return tuple(p.name for p in self.parameters if p.sourced)

    @property
    def significant_figures(self) -> int:
        """Significant figures the probabilities deserve: :data:`ILLUSTRATIVE_FIGURES` while
        any parameter is illustrative (a demonstration, never an estimate), else 3."""
        return ILLUSTRATIVE_FIGURES if self.illustrative else 3

    def percent(self, probability: float) -> str:
        """A probability of this result as a percentage to :attr:`significant_figures`."""
        return risk_percent(probability, self.significant_figures)

    def share(self, value: float) -> str:
        """A share [-] (of samples) to :attr:`significant_figures`."""
        return significant(value, self.significant_figures)

    @property
    def heading(self) -> str:
        """What the numbers are: an ILLUSTRATIVE demonstration while any parameter is
        illustrative (one significant figure), else a sourced estimate."""
        if self.illustrative:
            return (
                f"{len(self.illustrative)} of {len(self.parameters)} parameter values are "
                "ILLUSTRATIVE assumptions, so these numbers demonstrate the method and are not "
                "an estimate of the risk or a finding about any intervention (shown to one "
                "significant figure)"
            )
        return "every parameter value carries a source"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary, with the sourced and illustrative parameter names and
        the significant figures to show (``significant_figures``)."""
        out = asdict(self)
        out["sourced_parameters"] = list(self.sourced)
        out["illustrative_parameters"] = list(self.illustrative)
        out["significant_figures"] = self.significant_figures
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per summarised quantity (columns quantity, p05, p50, p95, mean)."""
        import pandas as pd

        rows = [
            {"quantity": "annual_probability", **asdict(self.annual_probability)},
            {
                "quantity": f"cumulative_probability_{self.years:g}yr",
                **asdict(self.cumulative_probability),
            },
        ]
        rows += [
            {"quantity": f"intervention:{iv.id}", **asdict(iv.annual_probability)}
            for iv in self.interventions
        ]
        return pd.DataFrame(rows)


def _hazard_terms(ps: RiskParameterSet, v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Kernel inputs, shape (samples, streams x conditions), columns stream-major."""
    cf = v["crisis_fraction"]
    lam, f, p_pass, p_launch = [], [], [], []
    for s in ps.streams:
        key = f"{s.side}.{s.alarm}"
        for c in CONDITIONS:
            lam.append(v[f"{key}.rate_per_year"])
            f.append(cf if c == "crisis" else 1.0 - cf)
            p_pass.append(np.prod([v[f"{key}.stages.{st.name}.{c}"] for st in s.stages], axis=0))
            p_launch.append(v[f"{key}.launch.{c}"])
    return {
        "rate_per_year": np.stack(lam, axis=-1),
        "condition_fraction": np.stack(f, axis=-1),
        "pass_probability": np.stack(p_pass, axis=-1),
        "launch_probability": np.stack(p_launch, axis=-1),
    }


def _with_intervention(
    ps: RiskParameterSet, iv: Intervention, v: dict[str, np.ndarray], terms: dict
) -> dict[str, np.ndarray]:
    """Kernel inputs after an intervention, on the same samples."""
    out = {k: a.copy() for k, a in terms.items()}
    cols = np.array([iv.streams.matches(s) for s in ps.streams for _ in CONDITIONS])
    crisis = np.array([c == "crisis" for _ in ps.streams for c in CONDITIONS])
    added = np.zeros_like(v["crisis_fraction"])
    if iv.added_time_min is not None:
        added = added + v[f"interventions.{iv.id}.added_time_min"]
    if iv.standoff_km is not None:
        added = added + iv.standoff_km * v["time_model.slbm_flight_min_per_km"]
    out["pass_probability"][:, cols] *= kr.time_factor(added, v["time_model.pass_scale_min"])[
        :, None
    ]
    out["launch_probability"][:, cols] *= kr.time_factor(added, v["time_model.launch_scale_min"])[
        :, None
    ]
    for j, fac in enumerate(iv.factors):
        x = v[f"interventions.{iv.id}.factors.{j}"][:, None]
        if fac.target == "crisis_fraction":
            cf = np.clip(v["crisis_fraction"][:, None] * x, 0.0, 1.0)
            out["condition_fraction"] = np.where(crisis, cf, 1.0 - cf)
            continue
        quantity, _, condition = fac.target.partition(".")
        key = {"rate_per_year": "rate_per_year", "pass": "pass_probability"}.get(
            quantity, "launch_probability"
        )
        mask = cols & (crisis if condition == "crisis" else ~crisis) if condition else cols
        out[key][:, mask] *= x
        if key != "rate_per_year":
            np.clip(out[key], 0.0, 1.0, out=out[key])
    return out


def _annual(terms: dict[str, np.ndarray]) -> np.ndarray:
    return kr.annual_probability(**terms)


def _tornado(ps: RiskParameterSet, params: list[_Param]) -> tuple[float, list[TornadoBar]]:
    base = {p.name: p.dist.ppf(np.array([0.5])) for p in params}
    at_medians = float(_annual(_hazard_terms(ps, base))[0])
    bars = []
    for p in params:
        if not p.baseline or p.dist.dist == "fixed":
            continue
        lo, hi = p.dist.ppf(np.array([0.05, 0.95]))
        probs = [
            float(_annual(_hazard_terms(ps, {**base, p.name: np.array([x])}))[0]) for x in (lo, hi)
        ]
        bars.append(TornadoBar(p.name, float(lo), float(hi), *probs, p.dist.sourced))
    bars.sort(key=lambda b: b.swing, reverse=True)
    return at_medians, bars


def run_risk(
    params: RiskParameterSet | None = None,
    *,
    samples: int = 10_000,
    seed: int = 0,
    years: float = 10.0,
) -> RiskResult:
    """Monte Carlo annual and cumulative probability, tornado and interventions.

    Parameters
    ----------
    params : RiskParameterSet, optional
        Parameter set; the bundled illustrative set by default.
    samples : int
        Monte Carlo samples, at least 1 (memory grows by about 1 kB a sample).
    seed : int
        Seed of the ``numpy.random.Generator``; equal seeds give equal results bit for bit.
    years : float
        Horizon [yr] of the cumulative probability.

    Examples
    --------
    >>> r = run_risk(samples=2000, seed=1)
    >>> r.annual_probability.p05 < r.annual_probability.p50 < r.annual_probability.p95
    True
    >>> r.cumulative_probability.p50 > r.annual_probability.p50
    True
    """
    params = load_risk_parameters() if params is None else params
    if isinstance(samples, bool) or int(samples) != samples or samples < 1:
        raise InputError("samples must be a whole number >= 1")
    if not (math.isfinite(years) and years >= 0):
        raise InputError("years must be a finite number >= 0")
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise InputError("seed must be a whole number >= 0")
    plist = list(_parameters(params))
    u = np.random.default_rng(int(seed)).random((int(samples), len(plist)))
    v = {p.name: p.dist.ppf(u[:, j]) for j, p in enumerate(plist)}
    terms = _hazard_terms(params, v)
    annual = _annual(terms)
    cumulative = kr.cumulative_probability(annual, years)
    at_medians, bars = _tornado(params, plist)
    effects = []
    for iv in params.interventions:
        p_iv = _annual(_with_intervention(params, iv, v, terms))
        own = [p for p in plist if p.name.startswith(f"interventions.{iv.id}.")]
        if iv.standoff_km is not None:
            own.append(next(p for p in plist if p.name == "time_model.slbm_flight_min_per_km"))
        if iv.standoff_km is not None or iv.added_time_min is not None:
            own += [p for p in plist if p.name.endswith("_scale_min")]
        effects.append(
            InterventionResult(
                iv.id,
                iv.label,
                Quantiles.of(p_iv),
                Quantiles.of(p_iv - annual),
                float(np.mean(p_iv < annual)),
                all(p.dist.sourced for p in own),
            )
        )
    info = tuple(
        ParameterInfo(
            p.name,
            p.dist.describe(),
            float(p.dist.ppf(np.array([0.5]))[0]),
            p.dist.status,
            p.dist.sourced,
            p.dist.source,
            p.dist.note,
        )
        for p in plist
    )
    return RiskResult(
        params.id,
        params.name,
        int(samples),
        int(seed),
        float(years),
        Quantiles.of(annual),
        Quantiles.of(cumulative),
        at_medians,
        tuple(bars),
        tuple(effects),
        info,
    )
