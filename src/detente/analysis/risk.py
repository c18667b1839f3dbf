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
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from detente.analysis.uncertainty import Quantiles, Tornado, draw, tornado
from detente.errors import InputError
from detente.kernels import risk as kr
from detente.model.catalog import check_source_ids, iter_inline_source_refs
from detente.model.distribution import Distribution
from detente.model.yamlio import Document, load_yaml, validate

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "InterventionResult",
    "ParameterInfo",
    "Quantiles",
    "RiskDistribution",
    "RiskParameterSet",
    "RiskResult",
    "Tornado",
    "load_risk_parameters",
    "run_risk",
]

DEFAULT_PARAMETERS = (
    Path(__file__).resolve().parent.parent / "data" / "risk" / "bbh2013_illustrative.yaml"
)
CONDITIONS = ("crisis", "low_tension")


def _complete(dist: Any) -> Any:
    """A risk parameter's provenance is complete: a status, a source id unless it is an
    assumption, and for an assumption a note that says why (as
    :class:`~detente.model.provenance.CompleteProvenance`)."""
    if dist.status is None:
        raise ValueError(
            "a risk parameter needs a status (official, estimate, derived, assumption)"
        )
    if dist.status == "assumption" and not dist.note:
        raise ValueError("an assumption needs a note that says why")
    if dist.status != "assumption" and not dist.source:
        raise ValueError(f"a value with status '{dist.status}' needs a source id")
    return dist


#: A risk parameter: the one :data:`~detente.model.distribution.Distribution` with complete
#: provenance (``status``, ``source``/``note``) and an optional ``unit``.
RiskDistribution = Annotated[Distribution, AfterValidator(_complete)]


class ConditionDists(BaseModel):
    """One probability per condition."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    crisis: RiskDistribution
    low_tension: RiskDistribution


class Stage(ConditionDists):
    """An evaluation stage an alarm must pass (e.g. threat assessment, leadership)."""

    name: str


class Stream(BaseModel):
    """False alarms of one alarm type seen by one side."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    side: str
    alarm: str
    rate_per_year: RiskDistribution
    stages: tuple[Stage, ...] = Field(min_length=1)
    launch: ConditionDists


class TimeModel(BaseModel):
    """How added decision time lowers pass and launch probabilities (eq. 6.2)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    pass_scale_min: RiskDistribution
    launch_scale_min: RiskDistribution
    slbm_flight_min_per_km: RiskDistribution


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
    value: RiskDistribution


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
    added_time_min: RiskDistribution | None = None
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
    crisis_fraction: RiskDistribution
    streams: tuple[Stream, ...] = Field(min_length=1)
    time_model: TimeModel
    interventions: tuple[Intervention, ...] = ()


@dataclass(frozen=True)
class _Param:
    name: str
    path: tuple  # location in the YAML document
    dist: RiskDistribution
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
        lo, hi = p.dist.support()
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
    tornado: Tornado
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
        out["tornado"] = self.tornado.to_dict()
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


def _tornado(ps: RiskParameterSet, params: list[_Param]) -> Tornado:
    """Annual probability with each uncertain baseline parameter at its p05 and p95, the
    others at their medians: one batched kernel call (:func:`tornado`)."""
    medians = {p.name: float(p.dist.ppf(0.5)[0]) for p in params}
    moved = {p.name: p.dist for p in params if p.baseline and p.dist.dist != "fixed"}

    def annual(values: dict[str, np.ndarray], n: int) -> np.ndarray:
        rows = {k: np.full(n, m) for k, m in medians.items()}
        return _annual(_hazard_terms(ps, {**rows, **values}))

    return tornado(moved, annual)


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
    v = draw({p.name: p.dist for p in plist}, int(samples), int(seed))
    terms = _hazard_terms(params, v)
    annual = _annual(terms)
    cumulative = kr.cumulative_probability(annual, years)
    sensitivity = _tornado(params, plist)
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
            float(p.dist.ppf(0.5)[0]),
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
        sensitivity.base,
        sensitivity,
        tuple(effects),
        info,
    )
