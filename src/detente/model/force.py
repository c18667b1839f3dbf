"""Systems, holdings and forces: what a party has, by system, on a date.

Units are in the field names (glossary in ``docs/design.md``): ``range_km``, ``yield_kt``,
``cep_m``, ``hardness_psi``. A ``None`` number means the figure was not found in the sources
consulted; it is never a stand-in for zero.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from detente.model.limits import (
    MAX_DATE,
    MIN_DATE,
    LauncherCount,
    Loading,
    WarheadCount,
    Warheads,
)
from detente.model.provenance import Sourced

Category = Literal["icbm", "slbm", "heavy_bomber", "non_strategic", "interceptor"]
Basing = Literal["silo", "road_mobile", "rail", "ssbn", "air_base", "ground"]
Delivery = Literal["ballistic", "cruise", "aircraft", "interceptor"]
Posture = Literal["day_to_day", "generated"]
POSTURES: tuple[Posture, ...] = ("day_to_day", "generated")
GROUND_BASINGS = frozenset({"silo", "road_mobile", "rail", "ground"})
Party = str

NonNegative = Field(default=None, ge=0)
Fraction = Field(default=None, ge=0, le=1)


class Warhead(Sourced):
    """A warhead (or reentry-vehicle) type carried by a system.

    Attributes
    ----------
    name : str
        Designation, e.g. ``W87/Mk21``.
    yield_kt : float or None
        Explosive yield [kt].
    cep_m : float or None
        Circular error probable of the delivering system with this RV [m].
    reliability : float or None
        Probability that the weapon arrives and detonates as planned [-].
    """

    name: str
    yield_kt: float | None = Field(default=None, gt=0)
    cep_m: float | None = Field(default=None, gt=0)
    reliability: float | None = Fraction


class System(Sourced):
    """A delivery-system type and its characteristics.

    Attributes
    ----------
    id : str
        Short slug used by holdings, e.g. ``minuteman-iii``.
    name : str
        Full designation.
    party : str
        Party that fields it (``US``, ``RU``, ``CN``, ``UK``, ``FR``).
    category : {'icbm', 'slbm', 'heavy_bomber', 'non_strategic', 'interceptor'}
    basing : {'silo', 'road_mobile', 'rail', 'ssbn', 'air_base', 'ground'}
    delivery : {'ballistic', 'cruise', 'aircraft', 'interceptor'}
        How the weapon flies; with basing and range it decides INF-type bans.
    range_km : float or None
        Maximum range [km].
    max_loading : float or None
        Most warheads one missile (bomber: weapons one aircraft) can carry [-].
    hardness_psi : float or None
        Peak overpressure the launcher withstands [psi] (silos; soft targets leave it empty).
    alcm : bool
        Heavy bomber equipped for long-range nuclear air-launched cruise missiles.
    warheads : tuple of Warhead
        Warhead types carried.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    party: Party
    category: Category
    basing: Basing
    delivery: Delivery
    range_km: float | None = Field(default=None, gt=0)
    max_loading: float | None = Field(default=None, gt=0)
    hardness_psi: float | None = Field(default=None, gt=0)
    alcm: bool = False
    warheads: tuple[Warhead, ...] = ()
    notes: str | None = None

    @property
    def fixed(self) -> bool:
        """Always targetable (silo-based); everything else is survivable when on alert."""
        return self.basing == "silo"

    @property
    def ground_launched(self) -> bool:
        """Launched from land (silo, mobile or fixed ground launcher)."""
        return self.basing in GROUND_BASINGS


class Launchers(Sourced):
    """Launchers of one holding by treaty status [count]."""

    deployed: LauncherCount = 0
    non_deployed: LauncherCount = 0
    test: LauncherCount = 0

    @property
    def total(self) -> int:
        """Deployed + non-deployed + test launchers."""
        return self.deployed + self.non_deployed + self.test


class Alert(Sourced):
    """Alert fraction by posture: the share of launchers that cannot be targeted [-]."""

    day_to_day: float | None = Fraction
    generated: float | None = Fraction

    @model_validator(mode="after")
    def _generated_not_lower(self) -> Alert:
        if (
            self.day_to_day is not None
            and self.generated is not None
            and self.generated < self.day_to_day
        ):
            raise ValueError("generated alert fraction is below the day-to-day one")
        return self


class Holding(Sourced):
    """How many of one system a party has, by status, with its loading and alert fractions.

    Give ``loading`` (warheads per deployed missile; bombers: weapons per aircraft) or
    ``warheads`` (total on the deployed launchers); the other is derived.
    """

    system: str
    label: str | None = None
    launchers: Launchers = Launchers()
    loading: Loading | None = None
    warheads: Warheads | None = None
    alert: Alert = Alert()
    notes: str | None = None

    @property
    def name(self) -> str:
        """Label if given, else the system id."""
        return self.label or self.system

    @property
    def deployed_warheads(self) -> float:
        """Warheads on deployed launchers [count] (0 when neither loading nor warheads is known)."""
        if self.warheads is not None:
            return self.warheads
        return (self.loading or 0.0) * self.launchers.deployed

    @property
    def mean_loading(self) -> float:
        """Warheads per deployed launcher [-]."""
        if self.loading is not None:
            return self.loading
        n = self.launchers.deployed
        return self.deployed_warheads / n if n else 0.0

    def alert_fraction(self, posture: Posture) -> float:
        """Alert fraction in ``posture`` (0 when not given)."""
        return getattr(self.alert, posture) or 0.0


class Stockpile(Sourced):
    """Warhead totals of a party [count]."""

    total: WarheadCount | None = None
    deployed: WarheadCount | None = None
    reserve: WarheadCount | None = None
    retired: WarheadCount | None = None


class Force(Sourced):
    """A party's forces on a date.

    Attributes
    ----------
    name : str
        ``<party>-<date>``, e.g. ``us-2025``.
    party : str
    as_of : datetime.date
    holdings : tuple of Holding
    stockpile : Stockpile
    systems : tuple of System
        Systems defined in this file in addition to the bundled catalogue (hypothetical or
        not yet catalogued types); an id here shadows the catalogue's.
    holdings_known : bool
        False when launchers per system were not found (a force known by its warhead total
        only): its empty holdings mean "not known", not "none".
    """

    name: str
    party: Party
    as_of: dt.date = Field(ge=MIN_DATE, le=MAX_DATE)
    description: str | None = None
    holdings: tuple[Holding, ...] = ()
    stockpile: Stockpile = Stockpile()
    systems: tuple[System, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str | None = None
    holdings_known: bool = True

    @model_validator(mode="after")
    def _unknown_means_empty(self) -> Force:
        if not self.holdings_known and self.holdings:
            raise ValueError("holdings are given, but holdings_known is false")
        return self

    def require_holdings(self, purpose: str) -> None:
        """Raise a one-line :class:`~detente.errors.InputError` when the holdings are not known.

        A force known only by its warhead total (India, Pakistan, Israel, North Korea in the
        bundled data) has no launchers per system; counting, stability and upload need them.

        Examples
        --------
        >>> force = Force(name="x-2025", party="XX", as_of="2025-01-01", holdings_known=False)
        >>> force.require_holdings("counting")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        detente.errors.InputError: field 'holdings': force 'x-2025' (XX) has no holdings: ...
        """
        if not self.holdings_known:
            from detente.errors import InputError

            raise InputError(
                f"force {self.name!r} ({self.party}) has no holdings: launchers per system are "
                f"not known, so {purpose} cannot use it; give a force file with holdings",
                field="holdings",
            )
