"""Request and response models of the web API (they make its OpenAPI schema).

Every request model forbids unknown fields and bounds every number and list, so a request can
neither name a file nor ask for unbounded work. Forces and treaties are bundled names (checked
against the bundled lists by the routes) or inline objects in the format of the YAML files.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from detente.model.limits import W80, Interceptors, Seed
from detente.model.notional import NotionalElement, NotionalForce
from detente.model.parameters import StabilityParams
from detente.model.scenario import (
    Defense,
    Modifications,
    PartySpec,
    RiskPlan,
    Scenario,
    UploadPlan,
)
from detente.web.tighten import tightened

#: Most elements of one inline notional force.
MAX_ELEMENTS = 64
#: Most missiles in a verification request (the hypergeometric sums grow with it) [count].
MAX_MISSILES = 100_000
#: Most years of inspections in a verification request [yr].
MAX_YEARS = 100
#: Most Monte Carlo samples of the risk calculator in one web request.
MAX_RISK_SAMPLES = 20_000
#: Most Open Skies replicates in one web request.
MAX_REPLICATES = 1_000
#: Most simulated Open Skies treaty years in one web request.
MAX_OPEN_SKIES_YEARS = 20
#: Most notional Open Skies sites in one web request.
MAX_SITES = 200
#: Most Open Skies work (replicates x years x flights a year x sites) in one web request: the
#: simulation takes up to about 1 s at the cap on this project's 2-core machine.
MAX_OPEN_SKIES_WORK = 400_000
#: Most Monte Carlo samples of an assessment in one web request.
MAX_ASSESS_SAMPLES = 20_000
#: Longest upload timeline in one web request [months].
MAX_UPLOAD_MONTHS = 240
#: Longest YAML text accepted by the parse endpoints [characters].
MAX_YAML_CHARS = 100_000

#: Bounds of a name (a force, party, treaty or element) in a request.
NAME_BOUNDS = {"min_length": 1, "max_length": 100}
Name = Annotated[str, Field(**NAME_BOUNDS)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Posture = Literal["day_to_day", "generated"]
#: w80 below one arriving warhead means nothing (and drives the kernel's search to the
#: limits of floating point): the web app takes 1 to 1e9.
MIN_W80 = 1
PositiveWarheads = Annotated[W80, Field(ge=MIN_W80)]
#: Largest what-if treaty ceiling on the page [warheads, launchers or interceptors].
MAX_CEILING = 1e7


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --- forces, systems, treaties ---------------------------------------------------------------


class ForceSummary(BaseModel):
    """A bundled force in a listing."""

    name: str
    party: str
    as_of: str
    description: str | None = None


class TreatySummary(BaseModel):
    """A bundled treaty in a listing."""

    id: str
    name: str
    status: str
    signed: str | None = None
    limits: list[str]
    bans: list[str]


class ViaEntry(BaseModel):
    """A copy a source's text was read in (repost, mirror, summary), kept apart from it."""

    publisher: str
    title: str | None = None
    date: str | None = None
    url: str | None = None


class SourceEntry(BaseModel):
    """One entry of the bibliography: the primary publication and where it was read."""

    id: str
    publisher: str
    title: str
    date: str | None = None
    url: str | None = None
    authors: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    via: list[ViaEntry] = []
    notes: str | None = None


class Health(BaseModel):
    """Liveness answer."""

    status: Literal["ok"]
    version: str


class Problem(BaseModel):
    """An error: what is wrong and, where known, the field."""

    detail: str
    field: str | None = None


# --- notional forces and stability ------------------------------------------------------------


#: A notional force element and force (:mod:`detente.model.notional`, the shape of
#: ``examples/notional/*.yaml``), derived with the page's name and size bounds.
NotionalElementIn = tightened(NotionalElement, "NotionalElementIn", __name__, name=NAME_BOUNDS)
NotionalForceIn = tightened(
    NotionalForce,
    "NotionalForceIn",
    __name__,
    types={NotionalElement: NotionalElementIn},
    party=NAME_BOUNDS,
    w80={"ge": MIN_W80},
    elements={"max_length": MAX_ELEMENTS},
    description={"max_length": 2_000},
)


class DefenseIn(Defense):
    """A side's missile defence (:class:`detente.model.scenario.Defense`): omitted figures take
    the labelled assumptions of ``data/parameters.yaml`` (group ``defense``); ``interceptors``
    may also be ``"holdings"``, the force's own interceptor holdings (bundled forces only)."""

    interceptors: Interceptors | Literal["holdings"]


class StabilityParamsIn(StabilityParams):
    """Parameters of ``detente stability``: the calculus constants of
    :class:`~detente.model.parameters.StabilityParams` (omitted: the table defaults) and, per
    side, launch under attack, posture, w80 and missile defence.

    ``lua``, ``posture`` and ``w80`` are one value for both sides or a mapping by side label
    (the party, or the force name when both forces have the same party).
    """

    lua: bool | dict[Name, bool] = False
    posture: Posture | dict[Name, Posture] = "day_to_day"
    w80: dict[Name, PositiveWarheads] | None = None
    defense: dict[Name, DefenseIn] | None = Field(default=None, max_length=2)

    @model_validator(mode="after")
    def _two_party_constants(self) -> StabilityParamsIn:
        for name in ("assured_destruction_emt", "reserve"):
            if name in self.model_fields_set:
                raise ValueError(
                    f"{name} is a scenario parameter (the default w80 yardstick, the reserve "
                    "against third parties): give w80 per side here, or use /api/explore"
                )
        return self


ForceRef = Name | NotionalForceIn


class StabilityRequest(_Strict):
    """Two forces (bundled names or notional objects) and the calculus parameters."""

    forces: list[ForceRef] = Field(min_length=2, max_length=2)
    params: StabilityParamsIn = StabilityParamsIn()


class StabilityOut(BaseModel):
    """Exactly the JSON of ``detente stability --format json``, keyed by side label."""

    C1: dict[str, float]
    C2: dict[str, float]
    r: dict[str, float]
    r_uncapped: dict[str, float | str]
    fsi: float
    x_star: dict[str, float]
    arriving_retaliation: dict[str, float]
    surviving_by_element: dict[str, dict[str, float]]
    w80: dict[str, float]
    params: dict[str, float]
    defense: dict[str, dict[str, Any]] | None = None
    weapons: dict[str, dict[str, Any]] | None = None


# --- counting ----------------------------------------------------------------------------------


class CountRequest(_Strict):
    """A force and a treaty: bundled names, or inline objects in the format of the YAML files."""

    force: Name | dict[str, Any]
    treaty: Name | dict[str, Any]


# --- the page: scenario state -----------------------------------------------------------------


#: Most holdings a page state changes, retires or adds, and most uncertain inputs.
MAX_CHANGES = 64

UploadPlanIn = tightened(
    UploadPlan, "UploadPlanIn", __name__, months={"le": MAX_UPLOAD_MONTHS}, rate_scale={"le": 100}
)
RiskPlanIn = tightened(RiskPlan, "RiskPlanIn", __name__, samples={"le": MAX_RISK_SAMPLES})
ModificationsIn = tightened(
    Modifications,
    "ModificationsIn",
    __name__,
    holdings={"max_length": MAX_CHANGES},
    add={"max_length": MAX_CHANGES},
    retire={"max_length": MAX_CHANGES},
)
PartyIn = tightened(
    PartySpec,
    "PartyIn",
    __name__,
    types={Modifications: ModificationsIn},
    force=NAME_BOUNDS,
    w80={"ge": MIN_W80},
)
#: The page's state: a scenario (:class:`detente.model.scenario.Scenario`) of two parties on
#: bundled forces, its numbers held to the web app's caps. Every field of a scenario file is
#: here, so a new one reaches the web API without a second edit.
ScenarioIn = tightened(
    Scenario,
    "ScenarioIn",
    __name__,
    types={PartySpec: PartyIn, UploadPlan: UploadPlanIn, RiskPlan: RiskPlanIn},
    defaults={"name": "web"},
    name=NAME_BOUNDS,
    description={"max_length": 2_000},
    notes={"max_length": 2_000},
    treaty=NAME_BOUNDS,
    parties={"max_length": 2},
    uncertain={"max_length": MAX_CHANGES},
    samples={"le": MAX_ASSESS_SAMPLES},
)


class ExploreRequest(_Strict):
    """The page's state: a scenario and what-if treaty ceilings by limit id [count]."""

    scenario: ScenarioIn
    caps: dict[Name, Annotated[float, Field(ge=0, le=MAX_CEILING, allow_inf_nan=False)]] = Field(
        default_factory=dict, max_length=32
    )


class HoldingView(BaseModel):
    """One holding as the page shows it: its current and bundled values."""

    key: str
    name: str
    system: str
    system_name: str
    category: str
    leg: str | None
    fixed: bool
    strategic: bool
    deployed: int
    loading: float | None
    max_loading: float | None
    alert: dict[str, float]
    base: dict[str, Any]
    sources: list[str]


class SideView(BaseModel):
    """One side of the page."""

    label: str
    force: str
    party: str
    as_of: str
    w80: float | None
    w80_note: str
    defense: dict[str, Any] | None
    holdings: list[HoldingView]
    sources: list[str]


class ExploreOut(BaseModel):
    """What the page draws: the stability JSON, draw-down curves, compliance and the sides.

    ``stability`` and ``drawdown`` are null when ``needs`` lists holdings in the exchange whose
    loading is not known (null is never zero: the page asks for them)."""

    stability: StabilityOut | None
    drawdown: dict[str, dict[str, list[float]]] | None
    sides: list[SideView]
    needs: list[dict[str, Any]]
    treaty: dict[str, Any] | None
    compliance: dict[str, dict[str, Any]] | None
    parameter_sources: list[str]
    defense_sources: list[str]


class YamlIn(_Strict):
    """YAML text (safe-loaded; no file is read)."""

    text: str = Field(max_length=MAX_YAML_CHARS)


class StateOut(BaseModel):
    """The page state read from a scenario file, and what the page could not show."""

    scenario: ScenarioIn
    ignored: list[str]
    notes: list[str] = []


class YamlOut(BaseModel):
    """A scenario file as YAML text."""

    text: str
    filename: str


class Preset(BaseModel):
    """A bundled example scenario."""

    name: str
    description: str | None = None
    partial: bool = False


# --- verification and risk ---------------------------------------------------------------------

Missiles = Annotated[int, Field(ge=0, le=MAX_MISSILES)]
Years = Annotated[int, Field(ge=1, le=MAX_YEARS)]


class DetectIn(_Strict):
    """Random inspections of ``inspections`` of ``missiles`` a year, ``overloaded`` cheating."""

    missiles: Missiles
    overloaded: Missiles
    inspections: Missiles
    years: Years = 1
    recognition: Fraction = 1.0
    gain: float | None = Field(default=None, ge=0, le=1e9, allow_inf_nan=False)
    loss: float | None = Field(default=None, ge=0, le=1e9, allow_inf_nan=False)


class BoundIn(_Strict):
    """Clean inspections: the largest over-loading they cannot rule out."""

    missiles: Missiles
    clean_inspections: Missiles
    confidence: Fraction = 0.95
    years: Years = 1
    recognition: Fraction = 1.0


class PlanIn(_Strict):
    """Inspections a year needed for a target detection probability."""

    missiles: Missiles
    overloaded: Missiles
    target: Fraction
    years: Years = 1
    recognition: Fraction = 1.0


class RegimesIn(_Strict):
    """The bundled inspection regimes side by side."""

    missiles: Missiles
    overloaded: Missiles
    years: Years = 1
    recognition: Fraction = 1.0
    confidence: Fraction = 0.95


class OpenSkiesIn(_Strict):
    """Open Skies coverage by simulation (bundled parameters, notional layouts).

    The work, replicates x years x flights a year x sites, is capped for the web app.
    """

    party: Name = "US"
    quota: int | None = Field(default=None, ge=0, le=200)
    flight_distance_km: float | None = Field(default=None, gt=0, le=1e5, allow_inf_nan=False)
    swath_km: float | None = Field(default=None, gt=0, le=1e3, allow_inf_nan=False)
    sites: int | None = Field(default=None, ge=1, le=MAX_SITES)
    years: int = Field(default=3, ge=1, le=MAX_OPEN_SKIES_YEARS)
    replicates: int = Field(default=50, ge=1, le=MAX_REPLICATES)
    seed: Seed = 0


class AssessIn(_Strict):
    """A scenario (an object in the format of the scenario files, or YAML text) to assess.

    Forces and treaties must be bundled names. ``samples`` (default: the scenario's own) is
    capped for the web app.
    """

    scenario: dict[str, Any] | None = None
    yaml: str | None = Field(default=None, max_length=MAX_YAML_CHARS)
    samples: int | None = Field(default=None, ge=1, le=MAX_ASSESS_SAMPLES)
    seed: Seed | None = None


class UploadIn(_Strict):
    """An upload timeline after a treaty lapses (as ``detente upload``), bundled forces."""

    force: Name
    months: int = Field(default=36, ge=0, le=MAX_UPLOAD_MONTHS)
    against: Name | None = None
    hold: bool = False
    start: dt.date | None = None
    rate_scale: float = Field(default=1.0, ge=0, le=100, allow_inf_nan=False)
    posture: Posture = "day_to_day"


class RiskIn(_Strict):
    """Monte Carlo of the bundled inadvertent-war parameter set."""

    samples: int = Field(default=10_000, ge=1, le=MAX_RISK_SAMPLES)
    seed: Seed = 0
    years: float = Field(default=10.0, ge=0, le=1_000, allow_inf_nan=False)


# --- the zone of possible agreement --------------------------------------------------------------

#: Most proposals one agreement request may evaluate (the grid is evaluated in the request;
#: 5,000 points take about 0.1 s on this project's 2-core machine).
MAX_AGREEMENT_POINTS = 5_000
#: Most levels of one swept cap.
MAX_CAP_LEVELS = 100
#: Largest cap value accepted [warheads, launchers or interceptors].
MAX_CAP = 1e6
MirvRule = Literal["allowed", "icbm_ban", "full_ban"]
Cap = Annotated[float, Field(ge=0, le=MAX_CAP, allow_inf_nan=False)]


def _unique(values: list[Any], what: str) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError(f"{what} must not repeat")
    return values


class CapRangeIn(_Strict):
    """Evenly spaced levels of a cap from ``low`` to ``high`` (one level: ``low == high``)."""

    low: Cap
    high: Cap
    levels: int = Field(ge=1, le=MAX_CAP_LEVELS)

    @model_validator(mode="after")
    def _ordered(self) -> CapRangeIn:
        if self.levels == 1 and self.low != self.high:
            raise ValueError("one level needs low == high")
        if self.levels > 1 and not self.low < self.high:
            raise ValueError("low must be below high")
        return self


class AgreementPartyIn(_Strict):
    """One party of a proposal sweep: a bundled force, its posture and missile defence.

    ``fill``: the party uploads to the warhead cap within its upload capacity (worst-case
    planning); otherwise it keeps its force where it is under the cap. ``w80`` (blank: the
    default from the opponent's warheads' EMT) is needed for forces without warhead yields.
    """

    force: Name
    posture: Posture = "day_to_day"
    lua: bool = False
    w80: PositiveWarheads | None = None
    fill: bool = True
    defense: Defense | None = None


class AgreementCriterionIn(_Strict):
    """What one party (by label, e.g. ``US``) accepts: FSI at least ``fsi_min``, at least
    ``arriving_min`` of its own warheads arriving in retaliation after being struck first, and
    bounds on the proposal itself (a sweep file's ``input`` criteria): a warhead or launcher cap
    at most ``*_max``, an interceptor cap between ``interceptor_cap_min`` and ``..._max``."""

    party: Name
    fsi_min: Fraction | None = None
    arriving_min: float | None = Field(default=None, ge=0, le=1e6, allow_inf_nan=False)
    warhead_cap_max: Cap | None = None
    launcher_cap_max: Cap | None = None
    interceptor_cap_min: Cap | None = None
    interceptor_cap_max: Cap | None = None

    @model_validator(mode="after")
    def _something(self) -> AgreementCriterionIn:
        if all(getattr(self, name) is None for name in CRITERION_BOUNDS):
            raise ValueError("give at least one of " + ", ".join(CRITERION_BOUNDS))
        return self


#: The bounds a party's criterion may set.
CRITERION_BOUNDS = (
    "fsi_min",
    "arriving_min",
    "warhead_cap_max",
    "launcher_cap_max",
    "interceptor_cap_min",
    "interceptor_cap_max",
)


class AgreementIn(_Strict):
    """A compact proposal sweep: caps binding both parties alike, on a grid, and each party's
    acceptance criteria. The grid (warhead levels x launcher levels x MIRV rules x interceptor
    caps) is capped at :data:`MAX_AGREEMENT_POINTS` points."""

    parties: list[AgreementPartyIn] = Field(
        default_factory=lambda: [
            AgreementPartyIn(force="us-2025"),
            AgreementPartyIn(force="ru-2025"),
        ],
        min_length=2,
        max_length=2,
    )
    warhead_cap: CapRangeIn = CapRangeIn(low=600, high=2000, levels=15)
    launcher_cap: CapRangeIn = CapRangeIn(low=400, high=800, levels=5)
    mirv: list[MirvRule] = Field(
        default_factory=lambda: ["allowed", "icbm_ban", "full_ban"], min_length=1, max_length=3
    )
    interceptor_caps: list[Cap] = Field(default_factory=list, max_length=20)
    criteria: list[AgreementCriterionIn] = Field(min_length=1, max_length=2)
    launcher_rule: Literal["proportional", "silos_first"] = "proportional"
    bomber_rule: Literal["one_per_bomber", "loading"] = "one_per_bomber"

    @field_validator("mirv")
    @classmethod
    def _mirv_unique(cls, v: list[str]) -> list[str]:
        return _unique(v, "MIRV rules")

    @field_validator("interceptor_caps")
    @classmethod
    def _caps_unique(cls, v: list[float]) -> list[float]:
        return _unique(v, "interceptor caps")


class AgreementOut(BaseModel):
    """The accepted proposals and their Pareto frontier (records keyed by sweep column)."""

    points: int
    parties: list[str]
    accepted_by: dict[str, int]
    accepted_count: int
    objectives: dict[str, str]
    accepted: list[dict[str, Any]]
    frontier: list[dict[str, Any]]
