"""Treaties as data: limits on counted quantities, bans, and the rules that count them.

A treaty file (``data/treaties/*.yaml``, format in ``docs/treaties.md``) names its limits, each a
cap on one quantity of :data:`QUANTITIES` over the holdings its :class:`Filter` selects, its bans
(holdings that may not exist at all) and its counting rules (:class:`Counting`): how heavy
bombers count, START I's per-type warhead attribution and its bomber discount.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from detente.model.force import Basing, Category, Delivery, Holding, System
from detente.model.provenance import Sourced

#: Every quantity a limit can cap, with what it counts (per holding, summed over the filter).
QUANTITIES: dict[str, str] = {
    "launchers": "deployed + non-deployed + test launchers",
    "deployed_launchers": "deployed launchers (missiles in launchers, deployed heavy bombers)",
    "non_deployed_launchers": "non-deployed + test launchers",
    "deployed_warheads": (
        "actual warheads on deployed missiles; heavy bombers by the treaty's bomber rule"
    ),
    "accountable_warheads": (
        "warheads attributed per deployed missile (counting.attribution, else actual); "
        "heavy bombers by the treaty's bomber rule"
    ),
    "operationally_deployed_warheads": (
        "warheads on deployed missiles + weapons at bomber bases (the holding's bomber loading)"
    ),
    "mirved_launchers": "deployed launchers of MIRVed ballistic missiles (more than 1 warhead)",
    "interceptors": "deployed launchers of interceptor systems",
    "all_warheads": "the force's stockpile total (stockpile.total), deployed or not",
}
Quantity = Literal[
    "launchers",
    "deployed_launchers",
    "non_deployed_launchers",
    "deployed_warheads",
    "accountable_warheads",
    "operationally_deployed_warheads",
    "mirved_launchers",
    "interceptors",
    "all_warheads",
]
#: Human label of each quantity, for tables and reports.
QUANTITY_LABELS: dict[str, str] = {
    "launchers": "deployed and non-deployed launchers",
    "deployed_launchers": "deployed launchers",
    "non_deployed_launchers": "non-deployed launchers",
    "deployed_warheads": "deployed warheads",
    "accountable_warheads": "accountable warheads",
    "operationally_deployed_warheads": "operationally deployed warheads",
    "mirved_launchers": "MIRVed launchers",
    "interceptors": "interceptors",
    "all_warheads": "all warheads",
}
#: How a deployed heavy bomber counts toward the warhead quantities.
BOMBER_RULES: dict[str, str] = {
    "one_per_bomber": "each deployed heavy bomber counts 1 (New START)",
    "equipped": (
        "each deployed heavy bomber counts the nuclear weapons it is equipped for: the "
        "treaty's attribution for the type, else the type's maximum loading (START II)"
    ),
    "loading": "each deployed heavy bomber counts the weapons assigned to it (its loading)",
    "attribution": (
        "START I: discount for the first ALCM bombers, bombs-only bombers a fixed count, "
        "else the attributed or actual loading"
    ),
}
BomberRule = Literal["one_per_bomber", "equipped", "loading", "attribution"]
TreatyStatus = Literal[
    "in_force", "expired", "superseded", "terminated", "never_in_force", "hypothetical"
]
Slug = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")


class Filter(BaseModel):
    """Which holdings a limit or ban applies to; every criterion given must hold.

    Attributes
    ----------
    category, basing, delivery : tuple of str
        Allowed values (empty: any).
    system : tuple of str
        Allowed system ids (empty: any).
    range_km : (float, float or None) or None
        Inclusive band [lo, hi] of the system's maximum range [km]; ``hi`` null = no upper end.
    ground_launched : bool or None
        Launched from land (silo, mobile or ground launcher) or not.
    mirv : bool or None
        MIRVed ballistic missiles: mean loading above 1 warhead per missile, judged by the
        system's maximum loading where the holding gives no loading.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    category: tuple[Category, ...] = ()
    basing: tuple[Basing, ...] = ()
    delivery: tuple[Delivery, ...] = ()
    system: tuple[str, ...] = ()
    range_km: tuple[float, float | None] | None = None
    ground_launched: bool | None = None
    mirv: bool | None = None

    @field_validator("category", "basing", "delivery", "system", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    @field_validator("range_km")
    @classmethod
    def _band(cls, v: tuple[float, float | None] | None) -> tuple[float, float | None] | None:
        if v is None:
            return v
        lo, hi = v
        if lo < 0:
            raise ValueError(f"range band starts below 0 km ({lo:g})")
        if hi is not None and hi < lo:
            raise ValueError(f"range band [{lo:g}, {hi:g}] km is empty (hi below lo)")
        return v

    @property
    def empty(self) -> bool:
        """True when no criterion is given (the filter selects every holding)."""
        return self == Filter()

    def matches(self, holding: Holding, system: System) -> bool | None:
        """Whether ``holding`` of ``system`` is selected; ``None`` when the data cannot tell.

        A range band cannot be judged for a system of unknown range, nor ``mirv`` for a
        ballistic missile whose loading and maximum loading are both unknown.
        """
        checks = (
            not self.category or system.category in self.category,
            not self.basing or system.basing in self.basing,
            not self.delivery or system.delivery in self.delivery,
            not self.system or system.id in self.system,
            self.ground_launched is None or system.ground_launched == self.ground_launched,
        )
        if not all(checks):
            return False
        undetermined = False
        if self.range_km is not None:
            if system.range_km is None:
                undetermined = True
            else:
                lo, hi = self.range_km
                if not (lo <= system.range_km and (hi is None or system.range_km <= hi)):
                    return False
        if self.mirv is not None:
            mirved = is_mirved(holding, system)
            if mirved is None:
                undetermined = True
            elif mirved != self.mirv:
                return False
        return None if undetermined else True


def is_mirved(holding: Holding, system: System) -> bool | None:
    """Whether ``holding`` is of MIRVed ballistic missiles (``None``: unknown).

    Decided by the holding's warheads per deployed missile where given, else by the system's
    maximum loading; only ballistic missiles can be MIRVed.

    Examples
    --------
    >>> mm3 = System(id="mm3", name="Minuteman III", party="US", category="icbm",
    ...              basing="silo", delivery="ballistic", max_loading=3)
    >>> [is_mirved(Holding(system="mm3", launchers={"deployed": 400}, **kw), mm3)
    ...  for kw in ({"loading": 1}, {"warheads": 500}, {})]
    [False, True, True]
    """
    if system.delivery != "ballistic":
        return False
    if holding.loading is not None or (holding.warheads is not None and holding.launchers.deployed):
        return holding.mean_loading > 1
    if system.max_loading is not None:
        return system.max_loading > 1
    return None


class Limit(Sourced):
    """A cap on one counted quantity over the holdings that ``filter`` selects.

    Attributes
    ----------
    id : str
        Slug, unique within the treaty (New START: ``deployed_launchers`` ...).
    quantity : str
        One of :data:`QUANTITIES`.
    max : float
        The ceiling; the count complies when it is at most this [count].
    min : float or None
        Low end where the treaty gave a range for each party to settle in (SORT's
        1,700–2,200); informational, compliance is judged against ``max``.
    label : str or None
        Human name for tables (``strategic nuclear delivery vehicles``); see :attr:`name`.
    """

    id: str = Slug
    label: str | None = None
    quantity: Quantity
    max: float = Field(ge=0)
    min: float | None = Field(default=None, ge=0)
    filter: Filter = Filter()
    description: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """Human name: the label, else the id with spaces (``deployed warheads``)."""
        return self.label or self.id.replace("_", " ")

    @field_validator("min")
    @classmethod
    def _min_not_above_max(cls, v: float | None, info: ValidationInfo) -> float | None:
        top = info.data.get("max")
        if v is not None and top is not None and v > top:
            raise ValueError(f"min ({v:g}) is above max ({top:g})")
        return v

    @field_validator("filter")
    @classmethod
    def _stockpile_unfiltered(cls, v: Filter, info: ValidationInfo) -> Filter:
        if info.data.get("quantity") == "all_warheads" and not v.empty:
            raise ValueError("all_warheads counts the whole stockpile and takes no filter")
        return v


class Ban(Sourced):
    """Holdings that may not exist at all: any launcher of a matching holding offends."""

    id: str = Slug
    label: str | None = None
    filter: Filter
    description: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """Human name: the label, else the id with spaces."""
        return self.label or self.id.replace("_", " ")

    @field_validator("filter")
    @classmethod
    def _not_everything(cls, v: Filter) -> Filter:
        if v.empty:
            raise ValueError("a ban needs at least one criterion (it would ban every holding)")
        return v


class Attribution(Sourced):
    """Warheads attributed to each deployed missile (or bomber) of one system type [count]."""

    system: str
    warheads: float = Field(ge=0)


class BomberDiscount(Sourced):
    """START I: the first ``bombers`` deployed ALCM heavy bombers of ``party`` count
    ``warheads`` each; later ones count as equipped (attribution or actual loading)."""

    party: str
    bombers: int = Field(ge=0)
    warheads: float = Field(ge=0)


class Counting(Sourced):
    """How a treaty counts warheads.

    Attributes
    ----------
    bomber_warheads : {'one_per_bomber', 'loading', 'attribution'}
        Rule for deployed heavy bombers in ``deployed_warheads`` and ``accountable_warheads``
        (see :data:`BOMBER_RULES`).
    attribution : tuple of Attribution
        Warheads attributed per deployed missile or bomber, by system id, for
        ``accountable_warheads``; systems not listed count their actual loading.
    bomber_discount : tuple of BomberDiscount
        Discount per party for the ``attribution`` bomber rule.
    bombs_only_bomber_warheads : float or None
        Under the ``attribution`` rule, what a heavy bomber not equipped for long-range ALCMs
        counts; ``None``: as equipped.
    """

    bomber_warheads: BomberRule = "loading"
    attribution: tuple[Attribution, ...] = ()
    bomber_discount: tuple[BomberDiscount, ...] = ()
    bombs_only_bomber_warheads: float | None = Field(default=None, ge=0)

    @property
    def attributed(self) -> dict[str, float]:
        """Attributed warheads per deployed launcher, by system id."""
        return {a.system: a.warheads for a in self.attribution}

    @property
    def discounts(self) -> dict[str, BomberDiscount]:
        """Bomber discount rule by party."""
        return {d.party: d for d in self.bomber_discount}


class DeclaredCount(Sourced):
    """A party's declared count of one limit on one date (a treaty data exchange) [count].

    A force of that party and date is judged on the declared figure, which is what the
    treaty counted; the sum over its holdings is shown beside it.
    """

    party: str
    as_of: dt.date
    limit: str
    count: float = Field(ge=0)


class DeclaredTable(BaseModel):
    """A CSV of declared counts: one row per party and date, one column per limit.

    Attributes
    ----------
    file : str
        Path relative to the treaty file; columns ``date``, ``party``, ``source``
        (``;``-separated ids), ``status`` and the count columns.
    columns : dict of str to str
        Limit id -> column holding its declared count (an empty cell: not declared).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    columns: dict[str, str]


class Treaty(Sourced):
    """A treaty (historical or hypothetical): dates, limits, bans and counting rules.

    Attributes
    ----------
    id : str
        Slug; bundled treaties are loaded by it (``new-start``).
    name, title : str
        Short name (``New START``) and full title.
    status : {'in_force', 'expired', 'superseded', 'terminated', 'never_in_force', 'hypothetical'}
    signed, entered_into_force : datetime.date or None
        Date of signature and of entry into force.
    expired : datetime.date or None
        Date the treaty ended by its own terms, or was replaced (``superseded``).
    withdrawn : datetime.date or None
        Date a party's withdrawal ended it, or (never in force) a signatory renounced it.
    withdrawn_by : str or None
        The party that withdrew (``US``).
    limits : tuple of Limit
    bans : tuple of Ban
    counting : Counting
    declared_table : DeclaredTable or None
        Where the parties' declared counts are (read into ``declared`` on loading).
    declared : tuple of DeclaredCount
        Declared counts by party, date and limit.
    """

    id: str = Slug
    name: str
    title: str | None = None
    signed: dt.date | None = None
    entered_into_force: dt.date | None = None
    expired: dt.date | None = None
    withdrawn: dt.date | None = None
    withdrawn_by: str | None = None
    status: TreatyStatus
    summary: str | None = None
    sources: tuple[str, ...] = ()
    limits: tuple[Limit, ...] = ()
    bans: tuple[Ban, ...] = ()
    counting: Counting = Counting()
    declared_table: DeclaredTable | None = None
    declared: tuple[DeclaredCount, ...] = ()
    notes: str | None = None

    @field_validator("withdrawn_by")
    @classmethod
    def _withdrawn_by_needs_a_date(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None and info.data.get("withdrawn") is None:
            raise ValueError("withdrawn_by is given without a withdrawn date")
        return v

    @field_validator("status")
    @classmethod
    def _status_matches_dates(cls, v: str, info: ValidationInfo) -> str:
        dates = [info.data.get(k) for k in ("expired", "withdrawn")]
        ended = min((d for d in dates if d is not None), default=None)
        if v == "in_force" and ended is not None:
            raise ValueError(f"status is in_force but the treaty ended on {ended}")
        if v in {"expired", "superseded", "terminated"} and ended is None:
            raise ValueError(f"status is {v} but no expired or withdrawn date is given")
        if v == "never_in_force" and info.data.get("entered_into_force") is not None:
            raise ValueError("status is never_in_force but entered_into_force is given")
        return v

    @property
    def in_force(self) -> bool:
        """True when the treaty is in force now (its status says so)."""
        return self.status == "in_force"

    @property
    def ended(self) -> dt.date | None:
        """The date the treaty ended: the earlier of ``expired`` and ``withdrawn``."""
        dates = [d for d in (self.expired, self.withdrawn) if d is not None]
        return min(dates) if dates else None

    def in_force_on(self, date: dt.date) -> bool:
        """Whether the treaty was in force on ``date`` (entered into force, not yet ended)."""
        start, end = self.entered_into_force, self.ended
        return start is not None and start <= date and (end is None or date < end)

    def standing(self, on: dt.date | None = None) -> str:
        """One sentence on the treaty's standing, for the head of a count.

        Parameters
        ----------
        on : datetime.date, optional
            The date of the counted force: a treaty in force then (though ended now) is
            said to have been in force on that date.

        Examples
        --------
        >>> t = Treaty(id="t", name="New START", status="expired",
        ...            entered_into_force="2011-02-05", expired="2026-02-05")
        >>> print(t.standing(dt.date(2020, 9, 1)))  # doctest: +NORMALIZE_WHITESPACE
        New START expired on 2026-02-05; shown for comparison (it was in force on 2020-09-01,
        the date of the forces).
        >>> t.standing()
        'New START expired on 2026-02-05; shown for comparison.'
        """
        if self.status == "in_force":
            since = f" since {self.entered_into_force}" if self.entered_into_force else ""
            return f"{self.name} is in force{since}."
        if self.status == "hypothetical":
            return f"{self.name} is a hypothetical treaty; shown for comparison."
        if self.status == "never_in_force":
            signed = f" (signed {self.signed})" if self.signed else ""
            return f"{self.name} never entered into force{signed}; shown for comparison."
        if self.withdrawn is not None and self.withdrawn == self.ended:
            who = f" with the {self.withdrawn_by} withdrawal" if self.withdrawn_by else ""
            end = f"ended on {self.withdrawn}{who}"
        else:
            verb = "was superseded" if self.status == "superseded" else "expired"
            end = f"{verb} on {self.expired}"
        text = f"{self.name} {end}; shown for comparison"
        if on is not None and self.in_force_on(on):
            text += f" (it was in force on {on}, the date of the forces)"
        return text + "."

    def declared_for(self, party: str, as_of: dt.date) -> dict[str, DeclaredCount]:
        """The declared counts of ``party`` on ``as_of``, by limit id."""
        return {d.limit: d for d in self.declared if d.party == party and d.as_of == as_of}
