"""Systems, holdings and forces: what a party has, by system, on a date.

Units are in the field names (conventions in ``docs/data.md``): ``range_km``, ``yield_kt``,
``cep_m``, ``hardness_psi``. A ``None`` number means the figure was not found in the sources
consulted; it is never a stand-in for zero.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from detente.errors import InputError
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
    launchers: Launchers = Field(default_factory=Launchers)
    loading: Loading | None = None
    warheads: Warheads | None = None
    alert: Alert = Field(default_factory=Alert)
    notes: str | None = None

    @property
    def name(self) -> str:
        """Label if given, else the system id."""
        return self.label or self.system

    @property
    def deployed_warheads(self) -> float | None:
        """Warheads on deployed launchers [count]: ``warheads``, else loading × deployed
        launchers; 0 with no deployed launchers. ``None`` (unknown, never 0) when launchers
        are deployed but neither loading nor warheads is known: a model that needs it asks
        :func:`needed`, which stops with the force, holding and field.

        Examples
        --------
        >>> Holding(system="x", launchers={"deployed": 10}, loading=3).deployed_warheads
        30.0
        >>> Holding(system="x", launchers={"deployed": 10}).deployed_warheads is None
        True
        """
        if self.warheads is not None:
            return float(self.warheads)
        if self.loading is not None:
            return float(self.loading) * self.launchers.deployed
        return 0.0 if self.launchers.deployed == 0 else None

    @property
    def mean_loading(self) -> float | None:
        """Warheads per deployed launcher [-]; ``None`` when not known (never 0)."""
        if self.loading is not None:
            return float(self.loading)
        n = self.launchers.deployed
        return float(self.warheads) / n if (self.warheads is not None and n) else None

    def alert_fraction(self, posture: Posture) -> float | None:
        """Alert fraction in ``posture`` [-]; ``None`` when not given (never 0)."""
        return getattr(self.alert, posture)


#: Figures of a holding that a model can need, and the fields that give them.
NEEDED = {
    "warheads": "loading or warheads",
    "loading": "loading or warheads",
    "alert.day_to_day": "alert.day_to_day",
    "alert.generated": "alert.generated",
}


def needed(force: Force, index: int, what: str, model: str) -> float:
    """A figure of holding ``index`` of ``force`` that ``model`` needs; null is never zero.

    Parameters
    ----------
    force : Force
    index : int
        The holding's index in ``force.holdings``.
    what : {'warheads', 'loading', 'alert.day_to_day', 'alert.generated'}
        Warheads on the deployed launchers, warheads per deployed launcher, or an alert
        fraction.
    model : str
        What needs it, for the message (``the strategic exchange``, ``the upload timeline``).

    Raises
    ------
    InputError
        The figure is null: one line naming the force, the holding and the field, and how to
        give it (in the force file or a scenario's ``modifications``, as an assumption with
        ``low`` and ``high`` where it was not found).

    Examples
    --------
    >>> f = Force(name="x-2030", party="X", as_of="2030-01-01",
    ...           holdings=[{"system": "icbm-x", "launchers": {"deployed": 10}}])
    >>> try:
    ...     needed(f, 0, "warheads", "the strategic exchange")
    ... except InputError as e:
    ...     print(e.field, "|", e.message.split(";")[0])
    holdings.0.loading | x-2030, holding icbm-x: loading and warheads are both null (not found), \
and the strategic exchange needs them
    """
    h = force.holdings[index]
    if what == "warheads":
        value = h.deployed_warheads
    elif what == "loading":
        value = h.mean_loading
    elif what in NEEDED:
        value = h.alert_fraction(what.split(".", 1)[1])  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown figure {what!r}; expected one of {', '.join(NEEDED)}")
    if value is not None:
        return float(value)
    field = NEEDED[what]
    nulls = "loading and warheads are both null" if " or " in field else f"{field} is null"
    raise InputError(
        f"{force.name}, holding {h.name}: {nulls} (not found), and {model} needs "
        f"{'them' if ' or ' in field else 'it'}; null is never zero: give "
        f"{'one' if ' or ' in field else 'it'} in the force file or a scenario's "
        "modifications (an assumption with low and high if it was not found)",
        field=f"holdings.{index}.{field.split(' or ')[0]}",
    )


class Stockpile(Sourced):
    """Warhead totals of a party [count].

    Attributes
    ----------
    total : int or None
        Military stockpile: deployed + reserve (retired warheads are not in it).
    deployed, reserve : int or None
        Warheads on launchers or at bases with operational forces, and those in storage.
    retired : int or None
        Retired warheads awaiting dismantlement, outside ``total``.
    non_strategic : int or None
        Warheads for non-strategic (shorter-range) weapons, deployed or stored; part of
        ``total``, and not among the strategic holdings.
    non_strategic_deployed : int or None
        The part of ``non_strategic`` deployed with operational forces (US bombs in Europe).
    """

    total: WarheadCount | None = None
    deployed: WarheadCount | None = None
    reserve: WarheadCount | None = None
    retired: WarheadCount | None = None
    non_strategic: WarheadCount | None = None
    non_strategic_deployed: WarheadCount | None = None

    @model_validator(mode="after")
    def _deployed_part_of_non_strategic(self) -> Stockpile:
        n, d = self.non_strategic, self.non_strategic_deployed
        if n is not None and d is not None and d > n:
            raise ValueError(f"non_strategic_deployed ({d}) is above non_strategic ({n})")
        return self


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
    stockpile: Stockpile = Field(default_factory=Stockpile)
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
