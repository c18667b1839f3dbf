"""A scenario made concrete: modified forces per party, treaty, parameters, uncertain inputs.

:func:`resolve` loads each party's force, applies the scenario's modifications (changes by
holding, holdings added and retired), checks them against the systems catalogue (unknown
holdings or systems, loadings above the system's maximum) and maps every uncertain input's
dotted path to the model quantity it moves. Errors name the scenario file, line and field.

Paths of uncertain inputs::

    parameters.<de|alpha|surcharge|avail|lua_escape|assured_destruction_emt|reserve>
    parties.<PARTY>.w80
    parties.<PARTY>.defense.<interceptors|p_kill|availability>
    parties.<PARTY>.holdings.<HOLDING>.<loading|warheads|launchers.deployed|alert.day_to_day|
                                        alert.generated>

``HOLDING`` is a system id (or a holding's label), as in ``modifications.holdings``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from detente.analysis.elements import STRATEGIC_CATEGORIES, elements_from_force
from detente.analysis.stability import Side, StabilityParams, default_w80
from detente.model import limits, parameters
from detente.model.catalog import check_holding, load_force, system_table
from detente.model.distribution import Distribution
from detente.model.force import Force, Holding, Posture, Stockpile
from detente.model.provenance import Provenance
from detente.model.scenario import Defense, HoldingChange, PartySpec, Scenario
from detente.model.treaties import load_treaty
from detente.model.treaty import Treaty

#: Valid range of each parameter of the calculus [-] (kmax is an integer: not uncertain).
PARAMETER_RANGES = {
    "de": (0.0, 1.0),
    "alpha": (0.0, 1.0),
    "surcharge": (0.0, limits.MAX_SURCHARGE),
    "avail": (0.0, 1.0),
    "lua_escape": (0.0, 1.0),
    "assured_destruction_emt": (0.0, limits.MAX_EMT),
    "reserve": (0.0, limits.MAX_RESERVE_W80),
}
HOLDING_FIELDS = (
    "loading",
    "warheads",
    "launchers.deployed",
    "alert.day_to_day",
    "alert.generated",
)
DEFENSE_RANGES = {
    "interceptors": (0.0, limits.MAX_INTERCEPTORS),
    "p_kill": (0.0, 1.0),
    "availability": (0.0, 1.0),
}


@dataclass(frozen=True)
class Target:
    """The model quantity an uncertain input moves.

    Attributes
    ----------
    kind : {'parameter', 'w80', 'holding', 'defense'}
    name : str
        Parameter name, holding field (``loading``, ``alert.generated``, ...) or defence field.
    party : str or None
    holding : int or None
        Index of the holding in the party's modified force.
    low, high : float
        Valid range of the quantity.
    """

    kind: str
    name: str
    party: str | None = None
    holding: int | None = None
    low: float = 0.0
    high: float = math.inf


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input: its dotted path, its distribution and what it moves."""

    path: str
    dist: Distribution
    target: Target


@dataclass(frozen=True)
class Change:
    """One value a scenario changed in a force (for the report)."""

    party: str
    holding: str
    field: str
    before: Any
    after: Any
    provenance: Provenance


@dataclass(frozen=True)
class ResolvedParty:
    """A party of a scenario with its force before and after the modifications.

    Attributes
    ----------
    label : str
        The party (``US``, ``RU``, ``CN``).
    spec : PartySpec
    base : Force
        The force as loaded.
    force : Force
        The force after the scenario's modifications.
    changes : tuple of Change
    """

    label: str
    spec: PartySpec
    base: Force
    force: Force
    changes: tuple[Change, ...] = ()

    @property
    def defense(self) -> Defense | None:
        """The party's missile defence, if the scenario gives one."""
        return self.spec.defense


@dataclass(frozen=True)
class ResolvedScenario:
    """Everything an assessment needs, checked.

    Attributes
    ----------
    scenario : Scenario
    parties : tuple of ResolvedParty
    treaty : Treaty or None
    params : StabilityParams
    inputs : tuple of UncertainInput
        In the order of the file.
    """

    scenario: Scenario
    parties: tuple[ResolvedParty, ...]
    treaty: Treaty | None
    params: StabilityParams
    inputs: tuple[UncertainInput, ...] = field(default=())

    @property
    def labels(self) -> tuple[str, ...]:
        """Party labels in the order of the file."""
        return tuple(p.label for p in self.parties)

    def party(self, label: str) -> ResolvedParty:
        """The party labelled ``label``."""
        for p in self.parties:
            if p.label == label:
                return p
        raise KeyError(label)

    def pairs(self) -> list[tuple[str, str]]:
        """Every unordered pair of parties, in file order."""
        labels = self.labels
        return [(a, b) for i, a in enumerate(labels) for b in labels[i + 1 :]]

    def sides(
        self,
        pair: tuple[str, str],
        posture: Mapping[str, Posture] | None = None,
        lua: Mapping[str, bool] | None = None,
    ) -> list[Side]:
        """The two sides of ``pair`` for the stability kernel.

        Postures and launch under attack default to the scenario's; ``w80`` is the party's own
        when given, else the default through the opponent's warheads.
        """
        parties = [self.party(k) for k in pair]
        scale = self.emt() / default_emt()
        sides = []
        for party, other in zip(parties, parties[::-1], strict=True):
            pos = (posture or {}).get(party.label, party.spec.posture)
            if party.spec.w80 is not None:
                w80, note = party.spec.w80, "given in the scenario"
            else:
                w80, note = default_w80(other.force)
                if scale != 1.0:
                    w80 *= scale
                    note += f"; scaled to the scenario's {self.emt():g} EMT: {w80:.1f} warheads"
            sides.append(
                Side(
                    party.label,
                    elements_from_force(party.force, pos),
                    float(w80),
                    bool((lua or {}).get(party.label, party.spec.lua)),
                    note,
                    party.force,
                )
            )
        return sides

    @property
    def reserve(self) -> float:
        """Multiples of a third party's w80 each striker withholds (three or more parties)."""
        from detente.kernels.multiparty import RESERVE

        given = self.scenario.parameters.reserve
        return RESERVE if given is None else given

    def emt(self) -> float:
        """The assured-destruction yardstick in use [Mt EMT] (scenario's, else the default)."""
        emt = self.scenario.parameters.assured_destruction_emt
        return default_emt() if emt is None else emt


def default_emt() -> float:
    """Default assured-destruction yardstick of ``w80`` [Mt EMT] (``data/parameters.yaml``)."""
    return parameters.default("value_damage", "assured_destruction_emt")


def _scenario_provenance(scenario: Scenario, what: str, given: Provenance | None) -> Provenance:
    """The provenance of a value set by the scenario: the file's own, else an assumption."""
    if given is not None and (given.source or given.status):
        return given
    note = f"set by scenario {scenario.name!r}: {what}"
    if given is not None and given.note:
        note += f" ({given.note})"
    return Provenance(status="assumption", note=note)


def holding_index(force: Force, key: str) -> int | None:
    """Index of the holding named ``key`` (its system id if unique in the force, or its label).

    Examples
    --------
    >>> holding_index(load_force("ru-2025"), "r-30-bulava")
    8
    >>> holding_index(load_force("ru-2025"), "no-such-system") is None
    True
    """
    by_system = [i for i, h in enumerate(force.holdings) if h.system == key]
    if len(by_system) == 1:
        return by_system[0]
    by_label = [i for i, h in enumerate(force.holdings) if h.label == key]
    return by_label[0] if len(by_label) == 1 else None


def _holding_keys(force: Force) -> str:
    return ", ".join(h.system if h.label is None else h.label for h in force.holdings)


def _unknown_holding(scenario: Scenario, at: tuple, key: str, force: Force) -> Exception:
    return scenario.error(
        at, f"unknown holding {key!r} in force {force.name}; holdings: {_holding_keys(force)}"
    )


def _changed_holding(
    scenario: Scenario, label: str, h: Holding, ch: HoldingChange, at: tuple
) -> tuple[Holding, list[Change]]:
    """``h`` with the change ``ch`` applied, validated; and the list of changed values."""
    data = h.model_dump()
    prov = dict(data.get("provenance") or {})
    changes: list[Change] = []

    def note(field: str, before: Any, after: Any, given: Provenance | None) -> Provenance:
        p = _scenario_provenance(scenario, f"{h.name} {field} {before} -> {after}", given)
        changes.append(Change(label, h.name, field, before, after, p))
        return p

    for status in ("deployed", "non_deployed", "test"):
        new = getattr(ch.launchers, status)
        if new is not None:
            before = getattr(h.launchers, status)
            p = note(f"launchers.{status}", before, new, ch.launchers.provenance.get(status))
            data["launchers"][status] = new
            data["launchers"].setdefault("provenance", {})[status] = p.model_dump()
    for posture in ("day_to_day", "generated"):
        new = getattr(ch.alert, posture)
        if new is not None:
            before = getattr(h.alert, posture)
            p = note(f"alert.{posture}", before, new, ch.alert.provenance.get(posture))
            data["alert"][posture] = new
            data["alert"].setdefault("provenance", {})[posture] = p.model_dump()
    if ch.loading is not None or ch.warheads is not None:
        name = "loading" if ch.loading is not None else "warheads"
        other = "warheads" if name == "loading" else "loading"
        new = getattr(ch, name)
        before = getattr(h, name) if getattr(h, name) is not None else h.mean_loading
        prov[name] = note(name, before, new, ch.provenance.get(name)).model_dump()
        prov.pop(other, None)
        data[name], data[other] = new, None
    elif ch.launchers.deployed is not None and h.mean_loading is not None and h.loading is None:
        # Deployed launchers changed, loading not given: keep the warheads per launcher.
        prov["loading"] = Provenance(
            status="derived",
            note=f"{h.name}: warheads per launcher kept at {h.mean_loading:g} when the "
            f"scenario changed the deployed launchers",
        ).model_dump()
        prov.pop("warheads", None)
        data["loading"], data["warheads"] = h.mean_loading, None
    data["provenance"] = prov
    try:
        return Holding.model_validate(data), changes
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = tuple(p for p in err["loc"] if isinstance(p, str))
        raise scenario.error((*at, *where), err["msg"].removeprefix("Value error, ")) from None


def _modified_force(scenario: Scenario, i: int, base: Force) -> tuple[Force, list[Change]]:
    """The force of party ``i`` after its modifications, checked against the catalogue."""
    mods = scenario.parties[i].modifications
    at = ("parties", i, "modifications")
    if mods.empty:
        return base, []
    label = base.party
    table = system_table(base)
    doc = scenario.document
    holdings = list(base.holdings)
    changes: list[Change] = []
    for key, ch in mods.holdings.items():
        j = holding_index(base, key)
        if j is None:
            raise _unknown_holding(scenario, (*at, "holdings", key), key, base)
        holdings[j], done = _changed_holding(
            scenario, label, holdings[j], ch, (*at, "holdings", key)
        )
        check_holding(holdings[j], table[holdings[j].system], (*at, "holdings", key), doc)
        changes += done
    retired = set()
    for k, key in enumerate(mods.retire):
        j = holding_index(base, key)
        if j is None:
            raise _unknown_holding(scenario, (*at, "retire", k), key, base)
        if key in mods.holdings:
            raise scenario.error((*at, "retire", k), f"holding {key!r} is both changed and retired")
        retired.add(j)
        p = _scenario_provenance(scenario, f"{key} retired", None)
        changes.append(Change(label, holdings[j].name, "retired", "held", "retired", p))
    kept = [h for j, h in enumerate(holdings) if j not in retired]
    for k, h in enumerate(mods.add):
        where = (*at, "add", k)
        system = table.get(h.system)
        if system is None:
            raise scenario.error(
                (*where, "system"), f"unknown system {h.system!r} (see `detente data systems`)"
            )
        if any(x.name == h.name for x in kept):
            raise scenario.error(
                (*where, "system"),
                f"force {base.name} already holds {h.name!r}: change it under "
                "modifications.holdings, or give the new holding a label",
            )
        check_holding(h, system, where, doc)
        p = _scenario_provenance(scenario, f"{h.name} added", None)
        changes.append(Change(label, h.name, "added", None, h.deployed_warheads, p))
        kept.append(h)
    stockpile = base.stockpile
    if mods.stockpile.given():
        data = stockpile.model_dump()
        for name, new in mods.stockpile.given().items():
            given = mods.stockpile.provenance.get(name)
            p = _scenario_provenance(scenario, f"stockpile {name} -> {new}", given)
            changes.append(Change(label, "stockpile", name, getattr(stockpile, name), new, p))
            data[name] = new
            data["provenance"][name] = p.model_dump()
        stockpile = Stockpile.model_validate(data)
    force = base.model_copy(
        update={
            "holdings": tuple(kept),
            "stockpile": stockpile,
            "description": f"{base.name} as changed by {scenario.name}",
        }
    )
    return force, changes


def _params(scenario: Scenario) -> StabilityParams:
    return StabilityParams(**scenario.parameters.given())


def _target(scenario: Scenario, path: str, parties: dict[str, ResolvedParty]) -> Target:
    """The quantity the dotted ``path`` addresses, or a located error."""
    at = ("uncertain", path)
    parts = path.split(".")
    if parts[0] == "parameters":
        name = ".".join(parts[1:])
        if name == "kmax":
            raise scenario.error(at, "kmax is an integer and cannot be uncertain")
        if name not in PARAMETER_RANGES:
            raise scenario.error(
                at,
                f"unknown parameter {name!r}; uncertain parameters: {', '.join(PARAMETER_RANGES)}",
            )
        return Target("parameter", name, None, None, *PARAMETER_RANGES[name])
    if parts[0] != "parties" or len(parts) < 3:
        raise scenario.error(at, f"{path!r} must start with parameters. or parties.<PARTY>.")
    label = parts[1]
    if label not in parties:
        raise scenario.error(
            at, f"unknown party {label!r}; parties in this scenario: {', '.join(parties)}"
        )
    party = parties[label]
    rest = parts[2:]
    if rest == ["w80"]:
        return Target("w80", "w80", label, None, 0.0, limits.MAX_W80)
    if rest[0] == "defense" and len(rest) == 2:
        if party.defense is None:
            raise scenario.error(at, f"party {label} has no defense block to make uncertain")
        if rest[1] == "shots_per_rv":
            raise scenario.error(at, "shots_per_rv is an integer and cannot be uncertain")
        if rest[1] not in DEFENSE_RANGES:
            raise scenario.error(
                at, f"unknown defense field {rest[1]!r}; uncertain: {', '.join(DEFENSE_RANGES)}"
            )
        return Target("defense", rest[1], label, None, *DEFENSE_RANGES[rest[1]])
    if rest[0] == "holdings" and len(rest) >= 3:
        tail = ".".join(rest[1:])
        field_ = next((f for f in HOLDING_FIELDS if tail.endswith("." + f)), None)
        if field_ is None:
            raise scenario.error(
                at, f"{path!r}: the field of a holding must be one of {', '.join(HOLDING_FIELDS)}"
            )
        key = tail[: -len(field_) - 1]
        force = party.force
        j = holding_index(force, key)
        if j is None:
            raise _unknown_holding(scenario, at, key, force)
        h = force.holdings[j]
        system = system_table(force)[h.system]
        if system.category not in STRATEGIC_CATEGORIES or h.launchers.deployed == 0:
            raise scenario.error(
                at,
                f"holding {key!r} of {label} does not enter the strategic exchange "
                "(not a strategic system, or no deployed launchers)",
            )
        high = {"loading": limits.MAX_LOADING, "launchers.deployed": limits.MAX_LAUNCHERS}.get(
            field_, limits.MAX_WARHEADS
        )
        if field_ == "loading" and system.max_loading is not None:
            high = system.max_loading
        elif field_ == "warheads" and system.max_loading is not None:
            high = min(high, system.max_loading * h.launchers.deployed)
        elif field_.startswith("alert."):
            if system.fixed:
                raise scenario.error(at, f"{key!r} is silo-based: its alert fraction is unused")
            high = 1.0
        return Target("holding", field_, label, j, 0.0, high)
    raise scenario.error(
        at,
        f"{path!r}: after parties.{label}. expected w80, defense.<field> or holdings.<key>.<field>",
    )


def _check_support(scenario: Scenario, item: UncertainInput) -> None:
    lo, hi = item.dist.reach()
    t = item.target
    if lo < t.low or hi > t.high:
        raise scenario.error(
            ("uncertain", item.path),
            f"the distribution reaches [{lo:g}, {hi:g}], outside the valid range "
            f"[{t.low:g}, {t.high:g}] of {item.path}; set low/high inside it",
        )


def resolve(scenario: Scenario) -> ResolvedScenario:
    """Forces after modifications, the treaty, the parameters and the uncertain inputs.

    Raises
    ------
    InputError
        Located at the scenario's file, line and field: an unknown party, holding or system,
        a loading above the system's maximum after modification, an uncertain input whose
        distribution leaves the quantity's valid range.

    Examples
    --------
    >>> from detente.model.scenario import parse_scenario
    >>> s = parse_scenario('''
    ... name: demo
    ... parties:
    ...   - force: us-2025
    ...     modifications:
    ...       holdings:
    ...         minuteman-iii: {loading: 3}
    ...   - force: ru-2025
    ... ''')
    >>> r = resolve(s)
    >>> r.labels, r.party("US").force.holdings[0].deployed_warheads
    (('US', 'RU'), 1200.0)
    """
    parties: dict[str, ResolvedParty] = {}
    for i, spec in enumerate(scenario.parties):
        base = load_force(scenario.file_ref(spec.force))
        if base.party in parties:
            raise scenario.error(
                ("parties", i, "force"), f"party {base.party} appears twice in the scenario"
            )
        force, changes = _modified_force(scenario, i, base)
        parties[base.party] = ResolvedParty(base.party, spec, base, force, tuple(changes))
    for k, label in enumerate(scenario.upload.parties or ()):
        if label not in parties:
            raise scenario.error(
                ("upload", "parties", k),
                f"unknown party {label!r}; parties in this scenario: {', '.join(parties)}",
            )
    treaty = load_treaty(scenario.file_ref(scenario.treaty)) if scenario.treaty else None
    params = _params(scenario)
    inputs = []
    for path, dist in scenario.uncertain.items():
        item = UncertainInput(path, dist, _target(scenario, path, parties))
        _check_support(scenario, item)
        inputs.append(item)
    return ResolvedScenario(scenario, tuple(parties.values()), treaty, params, tuple(inputs))
