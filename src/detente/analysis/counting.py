"""The counting engine: a force against a treaty, limit by limit and ban by ban.

:func:`count` is a pure function of its arguments. Each limit sums, over the holdings its
filter selects, the holding's contribution to the limit's quantity (definitions in
:data:`detente.model.treaty.QUANTITIES`, rules and sources in ``docs/treaties.md`` and
the treaty files' source ids). Holdings whose contribution the data cannot decide (unknown range
under a range band, unknown loading) are listed as ``undetermined``, never silently counted 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detente.display import Display
from detente.errors import InputError
from detente.model.force import Force, Holding, System
from detente.model.provenance import Provenance
from detente.model.treaty import Counting, Limit, Treaty, is_mirved

if TYPE_CHECKING:
    import pandas as pd


def _num(x: float) -> int | float:
    """``x`` as an int when it is whole (JSON and tables show 675, not 675.0)."""
    return int(x) if float(x).is_integer() else float(x)


@dataclass(frozen=True)
class Contribution:
    """What one holding adds to a count (or, for a ban, its offending launchers) [count]."""

    holding: str
    system: str | None
    count: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {"holding": self.holding, "system": self.system, "count": _num(self.count)}


@dataclass(frozen=True)
class LimitCount:
    """The count of one limit.

    Attributes
    ----------
    count : float
        Sum of the contributions [count].
    sources : tuple of str
        Source ids of the ceiling and the limit.
    limit : float
        The treaty's ceiling (``Limit.max``) [count].
    minimum : float or None
        Low end of a ranged limit (SORT 1,700–2,200), informational.
    undetermined : tuple of str
        Holdings the data could not decide; they are not in ``count``.
    """

    id: str
    quantity: str
    count: float
    limit: float
    contributions: tuple[Contribution, ...] = ()
    undetermined: tuple[str, ...] = ()
    minimum: float | None = None
    description: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def margin(self) -> float:
        """Headroom under the ceiling; negative when over [count]."""
        return self.limit - self.count

    @property
    def ok(self) -> bool:
        """The count is at most the ceiling."""
        return self.count <= self.limit

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "id": self.id,
            "quantity": self.quantity,
            "description": self.description,
            "count": _num(self.count),
            "limit": _num(self.limit),
            "min": None if self.minimum is None else _num(self.minimum),
            "margin": _num(self.margin),
            "ok": self.ok,
            "contributions": [c.to_dict() for c in self.contributions],
            "undetermined": list(self.undetermined),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class BanCount:
    """The holdings that offend one ban (count: their launchers, all statuses)."""

    id: str
    offending: tuple[Contribution, ...] = ()
    undetermined: tuple[str, ...] = ()
    description: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """No holding offends."""
        return not self.offending

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "id": self.id,
            "description": self.description,
            "ok": self.ok,
            "offending": [c.to_dict() for c in self.offending],
            "undetermined": list(self.undetermined),
            "sources": list(self.sources),
        }


@dataclass(frozen=True, repr=False)
class CountResult(Display):
    """A force counted against a treaty."""

    force: str
    treaty: str
    limits: tuple[LimitCount, ...] = ()
    bans: tuple[BanCount, ...] = ()

    @property
    def compliant(self) -> bool:
        """Every limit met and no ban offended (undetermined holdings aside)."""
        return all(x.ok for x in (*self.limits, *self.bans))

    def limit(self, limit_id: str) -> LimitCount:
        """The count of the limit with id ``limit_id``."""
        for x in self.limits:
            if x.id == limit_id:
                return x
        raise KeyError(f"no limit {limit_id!r}; limits: {', '.join(x.id for x in self.limits)}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: force, treaty, limits, bans, compliant."""
        return {
            "force": self.force,
            "treaty": self.treaty,
            "limits": [x.to_dict() for x in self.limits],
            "bans": [x.to_dict() for x in self.bans],
            "compliant": self.compliant,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CountResult:
        """Inverse of :meth:`to_dict` (derived keys such as ``margin`` are recomputed)."""

        def contributions(items: list) -> tuple[Contribution, ...]:
            return tuple(Contribution(c["holding"], c["system"], c["count"]) for c in items)

        return cls(
            force=d["force"],
            treaty=d["treaty"],
            limits=tuple(
                LimitCount(
                    id=x["id"],
                    quantity=x["quantity"],
                    count=x["count"],
                    limit=x["limit"],
                    contributions=contributions(x["contributions"]),
                    undetermined=tuple(x["undetermined"]),
                    minimum=x["min"],
                    description=x["description"],
                    sources=tuple(x["sources"]),
                )
                for x in d["limits"]
            ),
            bans=tuple(
                BanCount(
                    id=x["id"],
                    offending=contributions(x["offending"]),
                    undetermined=tuple(x["undetermined"]),
                    description=x["description"],
                    sources=tuple(x["sources"]),
                )
                for x in d["bans"]
            ),
        )

    def summary(self) -> str:
        """The force, the treaty, and the limits and bans it counts."""
        return (
            f"{self.force} counted under {self.treaty}: {len(self.limits)} limit(s), "
            f"{len(self.bans)} ban(s); see to_frame() for each count and its verdict"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per limit and ban: kind, id, quantity, count, limit, min, margin, ok.

        A ban's row counts the offending launchers against a limit of 0.
        """
        rows = [
            {
                "kind": "limit",
                "id": x.id,
                "quantity": x.quantity,
                "count": _num(x.count),
                "limit": _num(x.limit),
                "min": None if x.minimum is None else _num(x.minimum),
                "margin": _num(x.margin),
                "ok": x.ok,
                "undetermined": len(x.undetermined),
            }
            for x in self.limits
        ]
        for b in self.bans:
            n = _num(sum(c.count for c in b.offending))
            rows.append(
                {
                    "kind": "ban",
                    "id": b.id,
                    "quantity": "launchers",
                    "count": n,
                    "limit": 0,
                    "min": None,
                    "margin": -n,
                    "ok": b.ok,
                    "undetermined": len(b.undetermined),
                }
            )
        columns = ["kind", "id", "quantity", "count", "limit", "min", "margin", "ok"]
        import pandas as pd  # lazy: keeps CLI start-up fast

        return pd.DataFrame(rows, columns=[*columns, "undetermined"])


def _sources(listed: tuple[str, ...], provenance: Provenance | None) -> tuple[str, ...]:
    """Source ids of a limit or ban: those of its number first, then its own list."""
    cited = (*(provenance.source if provenance else ()), *listed)
    return tuple(dict.fromkeys(cited))


def _actual(holding: Holding) -> float | None:
    """Warheads on the deployed launchers; ``None`` when deployed but of unknown loading."""
    if holding.launchers.deployed and holding.loading is None and holding.warheads is None:
        return None
    return holding.deployed_warheads


def attributed_bomber_warheads(
    force: Force, systems: Mapping[str, System], counting: Counting
) -> dict[int, float | None]:
    """Warheads of each deployed heavy-bomber holding under the ``attribution`` rule.

    START I (FAS, "START: Central Limits", 1996): the first ``bombers`` deployed bombers
    equipped for long-range nuclear ALCMs of a party with a discount count ``warheads`` each,
    taken in the order of the holdings; later ALCM bombers count the ALCMs they are equipped
    for (``counting.attribution`` for the type, else the holding's loading); a bomber not
    equipped for ALCMs counts ``bombs_only_bomber_warheads`` (else as equipped).

    Returns
    -------
    dict
        Holding index -> warheads [count] (``None``: loading unknown), heavy bombers only.
    """
    discount = counting.discounts.get(force.party)
    left = discount.bombers if discount else 0
    attributed = counting.attributed
    out: dict[int, float | None] = {}
    for i, holding in enumerate(force.holdings):
        system = systems[holding.system]
        if system.category != "heavy_bomber":
            continue
        n = holding.launchers.deployed
        if not system.alcm and counting.bombs_only_bomber_warheads is not None:
            out[i] = n * counting.bombs_only_bomber_warheads
            continue
        discounted = min(n, left) if (system.alcm and discount) else 0
        left -= discounted
        rest = n - discounted
        per_bomber = attributed.get(system.id)
        if per_bomber is None and rest:
            if holding.loading is None and holding.warheads is None:
                out[i] = None
                continue
            per_bomber = holding.mean_loading
        base = discounted * discount.warheads if discount else 0.0
        out[i] = base + rest * (per_bomber or 0.0)
    return out


def _contribution(
    quantity: str,
    i: int,
    holding: Holding,
    system: System,
    counting: Counting,
    bombers: dict[int, float | None],
) -> float | None:
    launchers = holding.launchers
    if system.category == "heavy_bomber" and quantity in {
        "deployed_warheads",
        "accountable_warheads",
    }:
        rule = counting.bomber_warheads
        if rule == "one_per_bomber":
            return float(launchers.deployed)
        if rule == "loading":
            return _actual(holding)
        return bombers[i]
    if quantity == "launchers":
        return float(launchers.total)
    if quantity == "deployed_launchers":
        return float(launchers.deployed)
    if quantity == "non_deployed_launchers":
        return float(launchers.non_deployed + launchers.test)
    if quantity in {"deployed_warheads", "operationally_deployed_warheads"}:
        return _actual(holding)
    if quantity == "accountable_warheads":
        attributed = counting.attributed
        if system.id in attributed:
            return attributed[system.id] * launchers.deployed
        return _actual(holding)
    if quantity == "mirved_launchers":
        mirved = is_mirved(holding, system)
        return None if mirved is None else float(launchers.deployed if mirved else 0)
    if quantity == "interceptors":
        return float(launchers.deployed if system.category == "interceptor" else 0)
    raise ValueError(f"quantity {quantity!r} is not counted per holding")


def _count_limit(
    force: Force,
    limit: Limit,
    systems: Mapping[str, System],
    counting: Counting,
    bombers: dict[int, float | None],
) -> LimitCount:
    common = {"id": limit.id, "quantity": limit.quantity, "limit": limit.max}
    common |= {"minimum": limit.min, "description": limit.description}
    common["sources"] = _sources(limit.sources, limit.provenance.get("max"))
    if limit.quantity == "all_warheads":
        total = force.stockpile.total
        if total is None:
            raise InputError(
                f"force {force.name!r} gives no stockpile total, which the all_warheads "
                f"limit {limit.id!r} counts",
                field="stockpile.total",
            )
        return LimitCount(
            count=float(total),
            contributions=(Contribution("stockpile", None, float(total)),),
            **common,
        )
    contributions: list[Contribution] = []
    undetermined: list[str] = []
    for i, holding in enumerate(force.holdings):
        system = systems[holding.system]
        selected = limit.filter.matches(holding, system)
        if selected is False:
            continue
        value = (
            None
            if selected is None
            else _contribution(limit.quantity, i, holding, system, counting, bombers)
        )
        if value is None:
            undetermined.append(holding.name)
        elif value:
            contributions.append(Contribution(holding.name, system.id, value))
    return LimitCount(
        count=float(sum(c.count for c in contributions)),
        contributions=tuple(contributions),
        undetermined=tuple(undetermined),
        **common,
    )


def count(force: Force, treaty: Treaty, systems: Mapping[str, System]) -> CountResult:
    """Count ``force`` against every limit and ban of ``treaty``.

    Parameters
    ----------
    force : Force
        The holdings to count.
    treaty : Treaty
        Limits, bans and counting rules.
    systems : mapping of str to System
        System of each holding by id (``detente.model.catalog.system_table(force)``).

    Returns
    -------
    CountResult
        Per limit: count, limit, margin, pass/fail and contributing holdings; per ban: the
        offending holdings.

    Raises
    ------
    InputError
        A holding's system is not in ``systems``, or an ``all_warheads`` limit meets a force
        without a stockpile total.

    Examples
    --------
    New START counts a deployed heavy bomber as one warhead, whatever it carries:

    >>> from detente.model.treaty import Treaty
    >>> mm3 = System(id="mm3", name="Minuteman III", party="US", category="icbm",
    ...              basing="silo", delivery="ballistic", max_loading=3)
    >>> b52 = System(id="b52", name="B-52H", party="US", category="heavy_bomber",
    ...              basing="air_base", delivery="aircraft", alcm=True)
    >>> force = Force(name="demo", party="US", as_of="2020-09-01", holdings=[
    ...     {"system": "mm3", "launchers": {"deployed": 400, "non_deployed": 50}, "loading": 1},
    ...     {"system": "b52", "launchers": {"deployed": 40}, "loading": 20}])
    >>> treaty = Treaty(id="demo", name="Demo", status="hypothetical",
    ...     counting={"bomber_warheads": "one_per_bomber"},
    ...     limits=[{"id": "w", "quantity": "deployed_warheads", "max": 1550},
    ...             {"id": "l", "quantity": "launchers", "max": 450}])
    >>> result = count(force, treaty, {"mm3": mm3, "b52": b52})
    >>> [(x.id, x.count, x.margin, x.ok) for x in result.limits]
    [('w', 440.0, 1110.0, True), ('l', 490.0, -40.0, False)]
    >>> result.compliant
    False
    """
    for i, holding in enumerate(force.holdings):
        if holding.system not in systems:
            raise InputError(f"unknown system {holding.system!r}", field=f"holdings.{i}.system")
    counting = treaty.counting
    bombers = attributed_bomber_warheads(force, systems, counting)
    limits = tuple(_count_limit(force, x, systems, counting, bombers) for x in treaty.limits)
    bans = []
    for ban in treaty.bans:
        offending: list[Contribution] = []
        undetermined: list[str] = []
        for holding in force.holdings:
            n = holding.launchers.total
            selected = ban.filter.matches(holding, systems[holding.system])
            if n and selected:
                offending.append(Contribution(holding.name, holding.system, float(n)))
            elif n and selected is None:
                undetermined.append(holding.name)
        bans.append(
            BanCount(
                ban.id,
                tuple(offending),
                tuple(undetermined),
                ban.description,
                _sources(ban.sources, ban.provenance.get("filter")),
            )
        )
    return CountResult(force.name, treaty.id, limits, tuple(bans))
