"""Scenario files: parties, their modified forces, a treaty, model parameters and uncertainty.

A scenario names the forces of two or more parties (bundled names or paths), changes them
(counts, loadings, alert fractions, systems added or retired), sets each side's posture,
launch under attack, ``w80`` and missile defence, the treaty to check, the model constants of
the stability calculus and the inputs that are uncertain, as distributions addressed by dotted
paths. The format is documented with examples in ``docs/scenarios.md``::

    name: new-start-expiry
    date: 2026-02-05
    parties:
      - force: us-2025
        posture: day_to_day
        modifications:
          holdings:
            minuteman-iii: {loading: 3}
      - force: ru-2025
    treaty: new-start
    parameters: {de: 0.8}
    uncertain:
      parameters.de: {dist: uniform, low: 0.6, high: 0.95}
    verification: {overloaded_share: 0.1, years: 5}
    risk: {samples: 10000, years: 10}
    seed: 20260205

Loading checks the schema and that the forces and the treaty exist; whether the modifications
and uncertain paths fit the forces is checked when they are applied
(:func:`detente.analysis.scenario.resolve`), with errors located the same way (file, line,
field).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)

from detente.errors import InputError
from detente.model.catalog import DATA_DIR, check_source_ids, force_path, looks_like_path, sources
from detente.model.defense import Defense
from detente.model.distribution import Distribution
from detente.model.force import Holding, Posture
from detente.model.limits import (
    MAX_DATE,
    MAX_MISSILES,
    MAX_PARTIES,
    MAX_RATE_SCALE,
    MAX_RISK_YEARS,
    MIN_DATE,
    W80,
    LauncherCount,
    Loading,
    Seed,
    WarheadCount,
    Warheads,
    count_type,
    real_type,
)
from detente.model.parameters import StabilityParams
from detente.model.provenance import Sourced
from detente.model.treaties import treaty_path
from detente.model.yamlio import Document, load_yaml, parse_yaml, validate

#: Most Monte Carlo samples one assessment may draw (memory and time stay bounded).
MAX_SAMPLES = 5_000_000
_PATH = re.compile(r"^[A-Za-z0-9_-]+(\.[^.]+)+$")

#: Bundled risk parameter sets (``kind: risk_parameters``), one file each.
RISK_DIR = DATA_DIR / "risk"
#: Most risk Monte Carlo samples (about 1 kB of memory a sample; ``detente risk``'s cap).
MAX_RISK_SAMPLES = 200_000
#: Share of deployed missiles the verification section assumes over-loaded when the scenario
#: does not say [-]: a hypothesis to test, not an estimate [ours].
DEFAULT_OVERLOADED_SHARE = 0.1

Fraction = Field(default=None, ge=0, le=1)


class LauncherChange(Sourced):
    """New launcher counts of a holding by status [count]; omitted statuses are kept."""

    deployed: LauncherCount | None = None
    non_deployed: LauncherCount | None = None
    test: LauncherCount | None = None


class AlertChange(Sourced):
    """New alert fractions of a holding by posture [-]; an omitted posture is kept."""

    day_to_day: float | None = Fraction
    generated: float | None = Fraction


class HoldingChange(Sourced):
    """Changes to one holding; every field is optional and replaces the force's value.

    ``loading`` (warheads per deployed launcher) and ``warheads`` (total on the deployed
    launchers) are alternatives. When only the deployed launchers change, the holding keeps
    its warheads per launcher.
    """

    launchers: LauncherChange = LauncherChange()
    loading: Loading | None = None
    warheads: Warheads | None = None
    alert: AlertChange = AlertChange()

    @model_validator(mode="after")
    def _one_of_loading_or_warheads(self) -> HoldingChange:
        if self.loading is not None and self.warheads is not None:
            raise ValueError("give loading or warheads, not both")
        return self


class StockpileChange(Sourced):
    """New stockpile totals of a party [count]; omitted ones are kept."""

    total: WarheadCount | None = None
    deployed: WarheadCount | None = None
    reserve: WarheadCount | None = None
    retired: WarheadCount | None = None

    def given(self) -> dict[str, int]:
        """The totals the scenario sets."""
        names = ("total", "deployed", "reserve", "retired")
        return {k: getattr(self, k) for k in names if getattr(self, k) is not None}


class Modifications(BaseModel):
    """Changes to a party's force.

    Attributes
    ----------
    holdings : dict
        Changes by holding, keyed by system id (or by the holding's label when a force holds
        one system twice).
    add : tuple of Holding
        New holdings (systems from the catalogue or the force file).
    retire : tuple of str
        Holdings removed, by the same keys as ``holdings``.
    stockpile : StockpileChange
        New stockpile totals (dismantlement, production).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    holdings: dict[str, HoldingChange] = Field(default_factory=dict)
    add: tuple[Holding, ...] = ()
    retire: tuple[str, ...] = ()
    stockpile: StockpileChange = StockpileChange()

    @property
    def empty(self) -> bool:
        """Nothing changes."""
        return not (self.holdings or self.add or self.retire or self.stockpile.given())


class PartySpec(Sourced):
    """One party of a scenario.

    Attributes
    ----------
    force : str
        Bundled force name (``us-2025``) or a path to a force file (relative paths are read
        from the scenario's folder).
    posture : {'day_to_day', 'generated'}
    lua : bool
        The party launches its silo ICBMs under attack.
    w80 : float or None
        Arriving warheads that destroy 80 % of this party's value [warheads]; default: the
        assured-destruction yardstick through the opponent's warheads
        (:func:`detente.analysis.stability.default_w80`).
    modifications : Modifications
    defense : Defense or None
    """

    force: str
    posture: Posture = "day_to_day"
    lua: bool = False
    w80: W80 | None = None
    modifications: Modifications = Modifications()
    defense: Defense | None = None


class UploadPlan(BaseModel):
    """The upload timeline shown with a scenario: who uploads, how fast, for how long.

    Attributes
    ----------
    months : int
        Months after the scenario's date [months].
    parties : tuple of str or None
        Parties that upload (default: every party); the others keep their forces.
    rate_scale : float
        Multiplies every upload rate of ``data/upload.yaml`` [-] (0: nobody uploads).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    months: int = Field(default=36, ge=0, le=1200)
    parties: tuple[str, ...] | None = None
    rate_scale: real_type(MAX_RATE_SCALE) = 1.0


class VerificationPlan(Sourced):
    """What the report asks of inspections for each party (docs/verification.md).

    Each party's deployed ICBMs and SLBMs are the missiles N; the section tests the
    hypothesis that ``overloaded`` of them (or the share ``overloaded_share``; neither given:
    :data:`DEFAULT_OVERLOADED_SHARE`) carry more warheads than declared.

    Attributes
    ----------
    regimes : tuple of str or None
        Inspection regimes compared (ids in ``data/verification``; default: every one).
    overloaded_share : float or None
        Share of each party's deployed missiles assumed over-loaded [-].
    overloaded : int or None
        Number of each party's deployed missiles assumed over-loaded [missiles].
    years : int
        The comparison runs over 1 to ``years`` years of inspections [yr].
    recognition : float
        Probability that an inspected over-loaded missile is recognised [-].
    confidence : float
        Confidence of the clean-inspection bound [-].
    target : float
        Detection probability that the planning question asks for [-].
    clean_regime : str
        The regime of the year of clean inspections that bounds a violation.
    """

    regimes: tuple[str, ...] | None = Field(default=None, min_length=1)
    overloaded_share: float | None = Field(default=None, gt=0, le=1)
    overloaded: count_type(MAX_MISSILES, low=1) | None = None
    years: int = Field(default=5, ge=1, le=50)
    recognition: float = Field(default=1.0, gt=0, le=1)
    confidence: float = Field(default=0.95, gt=0, lt=1)
    target: float = Field(default=0.9, gt=0, lt=1)
    clean_regime: str = "new_start"

    @model_validator(mode="after")
    def _share_or_count(self) -> VerificationPlan:
        if self.overloaded_share is not None and self.overloaded is not None:
            raise ValueError("give overloaded_share or overloaded, not both")
        return self

    @property
    def share(self) -> float | None:
        """The over-loaded share tested, unless a count is given [-]."""
        if self.overloaded is not None:
            return None
        return DEFAULT_OVERLOADED_SHARE if self.overloaded_share is None else self.overloaded_share


class RiskPlan(BaseModel):
    """The inadvertent-war risk Monte Carlo shown with a scenario (docs/risk.md).

    Attributes
    ----------
    parameters : str or None
        A bundled risk parameter set (file stem in ``data/risk``) or the path of a
        ``kind: risk_parameters`` file, relative to the scenario's folder (default: the
        bundled illustrative set).
    samples : int
        Monte Carlo samples [-]; the seed is the assessment's.
    years : float
        Horizon of the cumulative probability [yr].
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    parameters: str | None = None
    samples: int = Field(default=10_000, ge=1, le=MAX_RISK_SAMPLES)
    years: real_type(MAX_RISK_YEARS) = 10.0


class Scenario(BaseModel):
    """A scenario file.

    Attributes
    ----------
    name : str
    description : str or None
    date : datetime.date or None
        The date the scenario describes.
    parties : tuple of PartySpec
        Two or more parties, one force each.
    treaty : str or None
        Bundled treaty name or path whose limits are checked.
    parameters : StabilityParams
        The constants of the calculus (:class:`detente.model.parameters.StabilityParams`).
    uncertain : dict
        Distributions by dotted path (``parameters.de``, ``parties.US.w80``,
        ``parties.RU.holdings.rs-24-yars-mobile.alert.day_to_day``, ...).
    upload : UploadPlan
    verification : VerificationPlan
    risk : RiskPlan
    seed : int or None
        Seed of the Monte Carlo.
    samples : int or None
        Monte Carlo samples drawn when the command line does not say.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str
    description: str | None = None
    date: dt.date | None = Field(default=None, ge=MIN_DATE, le=MAX_DATE)
    parties: tuple[PartySpec, ...] = Field(min_length=2, max_length=MAX_PARTIES)
    treaty: str | None = None
    parameters: StabilityParams = StabilityParams()
    uncertain: dict[str, Distribution] = Field(default_factory=dict)
    upload: UploadPlan = UploadPlan()
    verification: VerificationPlan = VerificationPlan()
    risk: RiskPlan = RiskPlan()
    seed: Seed | None = None
    samples: count_type(MAX_SAMPLES, low=1) | None = None
    notes: str | None = None

    _doc: Document | None = PrivateAttr(default=None)

    @property
    def document(self) -> Document:
        """The parsed file, for errors located at its file, line and field."""
        return self._doc if self._doc is not None else Document(None, f"<scenario {self.name}>")

    @property
    def folder(self) -> Path:
        """Folder that relative force and treaty paths are read from."""
        file = self.document.file
        return Path(file).parent if file.endswith((".yaml", ".yml")) else Path.cwd()

    def error(self, path: tuple, message: str) -> InputError:
        """An :class:`~detente.errors.InputError` located at ``path`` of the file."""
        return self.document.error(path, message)

    def file_ref(self, ref: str) -> str:
        """A force or treaty reference, relative paths taken from the scenario's folder."""
        p = Path(ref)
        if looks_like_path(ref) and not p.is_absolute():
            return str(self.folder / p)
        return ref

    def risk_file(self) -> Path:
        """The risk parameter file of the ``risk:`` block (default: the bundled
        illustrative set)."""
        return risk_parameters_path(self.file_ref(self.risk.parameters or DEFAULT_RISK_SET))


#: The bundled risk parameter set used when a scenario names none.
DEFAULT_RISK_SET = "bbh2013_illustrative"


def risk_parameters_path(ref: str | Path) -> Path:
    """The file behind a bundled risk parameter set name or a path.

    Examples
    --------
    >>> risk_parameters_path("bbh2013_illustrative").name
    'bbh2013_illustrative.yaml'
    """
    path = Path(ref)
    if looks_like_path(ref):
        if not path.is_file():
            raise InputError(f"risk parameter file {str(ref)!r} not found", file=path)
        return path
    bundled = RISK_DIR / f"{ref}.yaml"
    if bundled.is_file():
        return bundled
    names = ", ".join(sorted(p.stem for p in RISK_DIR.glob("*.yaml")))
    raise InputError(
        f"unknown risk parameter set {str(ref)!r}; bundled: {names} (or give a .yaml path)"
    )


def scenario_from_document(doc: Document) -> Scenario:
    """Validate a parsed scenario: schema, source ids, forces and treaty that exist, paths.

    Examples
    --------
    >>> text = "name: demo\\nparties:\\n  - force: us-2025\\n  - force: ru-2025\\n"
    >>> s = scenario_from_document(parse_yaml(text, "demo.yaml"))
    >>> [p.force for p in s.parties], s.parties[0].posture
    (['us-2025', 'ru-2025'], 'day_to_day')
    """
    check_source_ids(doc)
    data = doc.data
    if isinstance(data, Mapping) and "name" not in data and doc.file.endswith((".yaml", ".yml")):
        doc = Document({**data, "name": Path(doc.file).stem}, doc.file, doc.lines)
    scenario = validate(Scenario, doc)
    scenario._doc = doc
    _check_distribution_sources(scenario, doc)
    for i, party in enumerate(scenario.parties):
        _exists(scenario, ("parties", i, "force"), force_path, party.force)
    if scenario.treaty is not None:
        _exists(scenario, ("treaty",), treaty_path, scenario.treaty)
    if scenario.risk.parameters is not None:
        _exists(scenario, ("risk", "parameters"), risk_parameters_path, scenario.risk.parameters)
    for key in scenario.uncertain:
        if not _PATH.match(key):
            raise scenario.error(
                ("uncertain", key),
                f"{key!r} is not a dotted path such as parameters.de or parties.US.w80",
            )
    return scenario


def _check_distribution_sources(scenario: Scenario, doc: Document) -> None:
    """Each ``uncertain`` entry's source ids exist in ``data/sources.yaml``."""
    known = sources()
    for key, dist in scenario.uncertain.items():
        for i, ref in enumerate(dist.source):
            if ref not in known:
                entry = doc.data["uncertain"][key]
                at = ("uncertain", key, "source") + (
                    () if isinstance(entry["source"], str) else (i,)
                )
                raise doc.error(at, f"unknown source id {ref!r} (see data/sources.yaml)")


def _exists(scenario: Scenario, at: tuple, resolve: Any, ref: str) -> None:
    try:
        resolve(scenario.file_ref(ref))
    except InputError as exc:
        raise scenario.error(at, exc.message) from None


def load_scenario(path: str | Path) -> Scenario:
    """A scenario from a YAML file (errors name the file, line and field)."""
    return scenario_from_document(load_yaml(path))


def parse_scenario(text: str, file: str = "<scenario>") -> Scenario:
    """A scenario from YAML text (the web app and tests)."""
    return scenario_from_document(parse_yaml(text, file))
