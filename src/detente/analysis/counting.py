"""The counting engine: a force against a treaty, limit by limit and ban by ban.

:func:`count` is a pure function of its arguments. Each limit sums, over the holdings its
filter selects, the holding's contribution to the limit's quantity (definitions in
:data:`detente.model.treaty.QUANTITIES`, rules and sources in ``docs/treaties.md`` and
``research/treaties.md``). Every count carries its *basis*, the weakest provenance status of
the figures it sums (``official`` < ``derived`` < ``estimate`` < ``assumption`` < ``unstated``),
and a low-high range from those figures' ranges; a count that matches the party's declared
count for the force's date (a treaty data exchange) is ``official``. Holdings whose
contribution the data cannot decide (unknown range under a range band, unknown loading, no
launcher numbers) are listed as ``undetermined`` with the reason, never silently counted 0,
and make the verdict ``undetermined`` unless the count is over the limit without them.

Verdicts, in words (:attr:`LimitCount.status_text`): ``within`` (the whole range is at most
the ceiling), ``above`` (the whole range is over it), ``uncertain`` (the range spans it),
``undetermined``. A ban is ``violated`` (a matching holding has launchers), ``respected``
(the force has data on the banned kind of system and none is held) or ``undetermined`` (a
holding cannot be judged, or the force has no data on the banned kind at all).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from detente.analysis.count_results import (
    BASES,
    BASIS_WORDS,
    TREATY_DATES,
    BanCount,
    Contribution,
    CountResult,
    LimitCount,
    Undetermined,
    weakest,
)
from detente.errors import InputError
from detente.model.force import Force, Holding, System
from detente.model.provenance import Provenance
from detente.model.treaty import (
    Counting,
    DeclaredCount,
    Filter,
    Limit,
    Treaty,
    is_mirved,
)

__all__ = [
    "BASES",
    "BASIS_WORDS",
    "TREATY_DATES",
    "BanCount",
    "Contribution",
    "CountResult",
    "LimitCount",
    "Undetermined",
    "attributed_bomber_warheads",
    "count",
    "launchers_given",
]

#: Reasons a holding's contribution cannot be decided.
UNKNOWN_LAUNCHERS = "launcher numbers not given"
UNKNOWN_RANGE = "range not known"
UNKNOWN_MIRV = "warheads per missile not known"
UNKNOWN_WARHEADS = "warheads not known"
UNKNOWN_BOMBER_WEAPONS = "bomber weapons not known"
UNKNOWN_EQUIPPED = "weapons the bombers are equipped for not known"


@dataclass(frozen=True)
class _Term:
    """A non-negative number with its range and the statuses of the figures it rests on."""

    value: float
    low: float
    high: float
    statuses: frozenset[str]

    def __add__(self, other: _Term) -> _Term:
        return _Term(
            self.value + other.value,
            self.low + other.low,
            self.high + other.high,
            self.statuses | other.statuses,
        )

    def __mul__(self, other: _Term) -> _Term:
        # both factors are non-negative, so the product's bounds are the bounds' products
        return _Term(
            self.value * other.value,
            self.low * other.low,
            self.high * other.high,
            self.statuses | other.statuses,
        )


def _figure(value: float, provenance: Provenance | None) -> _Term:
    """A figure with its stated range (the value itself where no bound is stated)."""
    p = provenance or Provenance()
    low = value if p.low is None else min(p.low, value)
    high = value if p.high is None else max(p.high, value)
    return _Term(float(value), float(low), float(high), frozenset({p.status or "unstated"}))


def _zero(statuses: frozenset[str]) -> _Term:
    return _Term(0.0, 0.0, 0.0, statuses)


def _sources(listed: tuple[str, ...], provenance: Provenance | None) -> tuple[str, ...]:
    """Source ids of a limit or ban: those of its number first, then its own list."""
    cited = (*(provenance.source if provenance else ()), *listed)
    return tuple(dict.fromkeys(cited))


def launchers_given(holding: Holding) -> bool:
    """Whether the holding states its launcher numbers (else they are unknown, not zero).

    Examples
    --------
    >>> launchers_given(Holding(system="df-26")), launchers_given(
    ...     Holding(system="df-26", launchers={"deployed": 0}))
    (False, True)
    """
    launchers = holding.launchers
    given = launchers.model_fields_set - {"provenance"}
    # a number written as null (not found) is not given either
    return bool(given) and all(getattr(launchers, name) is not None for name in given)


def _launchers(holding: Holding, *statuses: str) -> _Term:
    """The holding's launchers of the given statuses, summed, with their provenance."""
    launchers = holding.launchers
    terms = [_figure(getattr(launchers, s), launchers.provenance.get(s)) for s in statuses]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def _actual(holding: Holding, unknown: str) -> _Term | str:
    """Warheads on the deployed launchers, with provenance; ``unknown`` when deployed but of
    unknown loading."""
    deployed = _launchers(holding, "deployed")
    if holding.warheads is not None:
        return _figure(holding.warheads, holding.provenance.get("warheads"))
    if holding.loading is not None:
        return _figure(holding.loading, holding.provenance.get("loading")) * deployed
    return _zero(deployed.statuses) if deployed.value == 0 else unknown


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


def _attributed(counting: Counting, system_id: str) -> _Term | None:
    """The treaty's attributed warheads per deployed launcher of a type, with provenance."""
    for a in counting.attribution:
        if a.system == system_id:
            return _figure(a.warheads, a.provenance.get("warheads"))
    return None


def _bomber_term(
    i: int, holding: Holding, system: System, counting: Counting, bombers: dict[int, float | None]
) -> _Term | str:
    """A deployed heavy-bomber holding's warheads under the treaty's bomber rule."""
    deployed = _launchers(holding, "deployed")
    rule = counting.bomber_warheads
    if rule == "one_per_bomber":
        return deployed
    if rule == "loading":
        return _actual(holding, UNKNOWN_BOMBER_WEAPONS)
    if rule == "equipped":
        per_bomber = _attributed(counting, system.id)
        if per_bomber is None and system.max_loading is not None:
            per_bomber = _figure(system.max_loading, system.provenance.get("max_loading"))
        if per_bomber is None:
            return _zero(deployed.statuses) if deployed.value == 0 else UNKNOWN_EQUIPPED
        return per_bomber * deployed
    value = bombers[i]
    if value is None:
        return UNKNOWN_BOMBER_WEAPONS
    # START I's discount depends on the order of the bombers: the count is kept exact (no
    # range), resting on the launcher figures and the treaty's attribution.
    return _Term(value, value, value, deployed.statuses)


def _term(
    quantity: str,
    i: int,
    holding: Holding,
    system: System,
    counting: Counting,
    bombers: dict[int, float | None],
) -> _Term | str:
    """A holding's contribution to ``quantity``, or the reason it cannot be decided."""
    if not launchers_given(holding):
        return UNKNOWN_LAUNCHERS
    if system.category == "heavy_bomber" and quantity in {
        "deployed_warheads",
        "accountable_warheads",
    }:
        return _bomber_term(i, holding, system, counting, bombers)
    deployed = _launchers(holding, "deployed")
    if quantity == "launchers":
        return _launchers(holding, "deployed", "non_deployed", "test")
    if quantity == "deployed_launchers":
        return deployed
    if quantity == "non_deployed_launchers":
        return _launchers(holding, "non_deployed", "test")
    unknown = UNKNOWN_BOMBER_WEAPONS if system.category == "heavy_bomber" else UNKNOWN_WARHEADS
    if quantity in {"deployed_warheads", "operationally_deployed_warheads"}:
        return _actual(holding, unknown)
    if quantity == "accountable_warheads":
        per_launcher = _attributed(counting, system.id)
        return _actual(holding, unknown) if per_launcher is None else per_launcher * deployed
    if quantity == "mirved_launchers":
        mirved = is_mirved(holding, system)
        if mirved is None:
            return UNKNOWN_MIRV
        return deployed if mirved else _zero(deployed.statuses)
    if quantity == "interceptors":
        return deployed if system.category == "interceptor" else _zero(deployed.statuses)
    raise ValueError(f"quantity {quantity!r} is not counted per holding")


def _filter_reason(f: Filter, system: System) -> str:
    """Why ``f`` cannot judge a holding of ``system``."""
    return UNKNOWN_RANGE if f.range_km is not None and system.range_km is None else UNKNOWN_MIRV


def _count_limit(
    force: Force,
    limit: Limit,
    systems: Mapping[str, System],
    counting: Counting,
    bombers: dict[int, float | None],
    declared: DeclaredCount | None,
) -> LimitCount:
    common: dict[str, Any] = {"id": limit.id, "quantity": limit.quantity, "limit": limit.max}
    common |= {"minimum": limit.min, "description": limit.description}
    common["label"] = limit.name
    common["sources"] = _sources(limit.sources, limit.provenance.get("max"))
    if limit.quantity == "all_warheads":
        total = force.stockpile.total
        if total is None:
            raise InputError(
                f"force {force.name!r} gives no stockpile total, which the all_warheads "
                f"limit {limit.id!r} counts",
                field="stockpile.total",
            )
        term = _figure(total, force.stockpile.provenance.get("total"))
        basis = weakest(term.statuses)
        return LimitCount(
            count=term.value,
            low=term.low,
            high=term.high,
            basis=basis,
            contributions=(
                Contribution("stockpile", None, term.value, term.low, term.high, basis),
            ),
            **common,
        )
    force.require_holdings(f"the limit {limit.id!r} ({limit.quantity})")
    contributions: list[Contribution] = []
    undetermined: list[Undetermined] = []
    total = _zero(frozenset())
    for i, holding in enumerate(force.holdings):
        system = systems[holding.system]
        selected = limit.filter.matches(holding, system)
        if selected is False:
            continue
        term = (
            _filter_reason(limit.filter, system)
            if selected is None
            else _term(limit.quantity, i, holding, system, counting, bombers)
        )
        if isinstance(term, str):
            undetermined.append(Undetermined(holding.name, system.id, term))
            continue
        total = total + term
        if term.value:
            contributions.append(
                Contribution(
                    holding.name, system.id, term.value, term.low, term.high, weakest(term.statuses)
                )
            )
    # a sum over no holding rests on no figure at all
    basis = weakest(total.statuses) if total.statuses else "unstated"
    low, high = total.low, total.high
    value = declared.count if declared is not None else None
    if value is not None and value == total.value and not undetermined:
        # the sum is the party's own declared count: the treaty's count, exactly
        basis, low, high = "official", value, value
        common["sources"] = (*common["sources"], *declared.provenance["count"].source)
    return LimitCount(
        count=total.value,
        low=low,
        high=high,
        basis=basis,
        declared=value,
        contributions=tuple(contributions),
        undetermined=tuple(undetermined),
        **common,
    )


def _scope(f: Filter) -> Filter:
    """The kind of system a ban is about: its category, delivery and launch criteria.

    A force with a holding of that kind has data on it: its other criteria (basing, range,
    MIRV, system) then tell the banned holdings from the rest, and a force whose holdings of
    that kind all fall outside them respects the ban.
    """
    return Filter(category=f.category, delivery=f.delivery, ground_launched=f.ground_launched)


def _count_ban(ban, force: Force, systems: Mapping[str, System]) -> BanCount:
    force.require_holdings(f"the ban {ban.id!r}")
    offending: list[Contribution] = []
    undetermined: list[Undetermined] = []
    scope = _scope(ban.filter)
    covered = False
    for holding in force.holdings:
        system = systems[holding.system]
        covered = covered or scope.matches(holding, system) is True
        selected = ban.filter.matches(holding, system)
        if selected is False:
            continue
        if not launchers_given(holding):
            undetermined.append(Undetermined(holding.name, system.id, UNKNOWN_LAUNCHERS))
            continue
        term = _launchers(holding, "deployed", "non_deployed", "test")
        if not term.value:
            continue
        if selected is None:
            undetermined.append(
                Undetermined(holding.name, system.id, _filter_reason(ban.filter, system))
            )
        else:
            offending.append(
                Contribution(
                    holding.name, system.id, term.value, term.low, term.high, weakest(term.statuses)
                )
            )
    return BanCount(
        id=ban.id,
        label=ban.name,
        offending=tuple(offending),
        undetermined=tuple(undetermined),
        description=ban.description,
        sources=_sources(ban.sources, ban.provenance.get("filter")),
        covered=covered,
        scope=_scope_text(scope),
    )


def _scope_text(f: Filter) -> str:
    """The kind of system a ban is about, in words.

    Examples
    --------
    >>> _scope_text(Filter(category="non_strategic", ground_launched=True,
    ...                    delivery=["ballistic", "cruise"]))
    'ground-launched non-strategic ballistic or cruise missiles'
    >>> _scope_text(Filter(category="icbm", basing="rail"))
    'rail-based ICBMs'
    """
    words = []
    if f.ground_launched is not None:
        words.append("ground-launched" if f.ground_launched else "sea- or air-launched")
    words += [f"{b.replace('_', '-')}-based" for b in f.basing]
    nouns = [_CATEGORY_NOUNS[c] for c in f.category if c != "non_strategic"]
    if "non_strategic" in f.category:
        words.append("non-strategic")
    if not nouns:
        missiles = f.delivery and set(f.delivery) <= {"ballistic", "cruise"}
        nouns = [f"{' or '.join(f.delivery)} missiles" if missiles else "systems"]
    return " ".join([*words, " or ".join(nouns)])


_CATEGORY_NOUNS = {
    "icbm": "ICBMs",
    "slbm": "SLBMs",
    "heavy_bomber": "heavy bombers",
    "interceptor": "interceptors",
}


def count(force: Force, treaty: Treaty, systems: Mapping[str, System]) -> CountResult:
    """Count ``force`` against every limit and ban of ``treaty``.

    Parameters
    ----------
    force : Force
        The holdings to count.
    treaty : Treaty
        Limits, bans, counting rules, dates and the parties' declared counts.
    systems : mapping of str to System
        System of each holding by id (``detente.model.catalog.system_table(force)``).

    Returns
    -------
    CountResult
        Per limit: count, its basis and range, limit, margin, verdict and contributing
        holdings; per ban: the offending holdings and the verdict; the treaty's standing.

    Raises
    ------
    InputError
        A holding's system is not in ``systems``, an ``all_warheads`` limit meets a force
        without a stockpile total, or a force without holdings (known by its warhead total
        only) meets any other limit or a ban.

    Examples
    --------
    New START counts a deployed heavy bomber as one warhead, whatever it carries:

    >>> from detente.model.treaty import Treaty
    >>> mm3 = System(id="mm3", name="Minuteman III", party="US", category="icbm",
    ...              basing="silo", delivery="ballistic", max_loading=3)
    >>> b52 = System(id="b52", name="B-52H", party="US", category="heavy_bomber",
    ...              basing="air_base", delivery="aircraft", alcm=True)
    >>> force = Force(name="demo", party="US", as_of="2020-09-01", holdings=[
    ...     {"system": "mm3", "launchers": {"deployed": 400, "non_deployed": 50},
    ...      "loading": {"value": 1, "status": "estimate", "low": 1, "high": 3}},
    ...     {"system": "b52", "launchers": {"deployed": 40}, "loading": 20}])
    >>> treaty = Treaty(id="demo", name="Demo", status="hypothetical",
    ...     counting={"bomber_warheads": "one_per_bomber"},
    ...     limits=[{"id": "w", "quantity": "deployed_warheads", "max": 1550},
    ...             {"id": "l", "quantity": "launchers", "max": 450}])
    >>> result = count(force, treaty, {"mm3": mm3, "b52": b52})
    >>> [(x.id, x.count, x.margin, x.verdict) for x in result.limits]
    [('w', 440.0, 1110.0, 'within'), ('l', 490.0, -40.0, 'above')]
    >>> result.limit("w").status_text
    'within (unsourced figures; 440–1,240)'
    >>> result.compliant
    False
    """
    for i, holding in enumerate(force.holdings):
        if holding.system not in systems:
            raise InputError(f"unknown system {holding.system!r}", field=f"holdings.{i}.system")
    counting = treaty.counting
    bombers = attributed_bomber_warheads(force, systems, counting)
    declared = treaty.declared_for(force.party, force.as_of)
    limits = tuple(
        _count_limit(force, x, systems, counting, bombers, declared.get(x.id))
        for x in treaty.limits
    )
    bans = tuple(_count_ban(b, force, systems) for b in treaty.bans)
    dates = tuple(
        (k, getattr(treaty, k).isoformat()) for k in TREATY_DATES if getattr(treaty, k) is not None
    )
    return CountResult(
        force=force.name,
        treaty=treaty.id,
        limits=limits,
        bans=bans,
        treaty_name=treaty.name,
        treaty_status=treaty.status,
        in_force=treaty.in_force,
        standing=treaty.standing(force.as_of),
        dates=dates,
    )
