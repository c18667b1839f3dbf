"""The page's engine: its state (a scenario) in, what it draws out; scenario YAML both ways.

The page's state is the part of a scenario file it can show and edit (:class:`ScenarioIn`)
plus what-if treaty ceilings. :func:`explore` resolves it with the assessment's own scenario
layer (:func:`detente.analysis.scenario.resolve`), so the page and ``detente assess`` apply
modifications the same way. Forces and treaties are checked against the bundled names before
the scenario layer sees them: a request never reaches a file path.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import yaml

from detente.analysis.counting import count
from detente.analysis.elements import LEG, STRATEGIC_CATEGORIES
from detente.analysis.scenario import ResolvedParty, holding_index, resolve
from detente.analysis.stability import evaluate
from detente.errors import InputError
from detente.model import parameters
from detente.model.catalog import system_table
from detente.model.force import POSTURES, Holding
from detente.model.scenario import Scenario, scenario_from_document
from detente.model.treaty import Treaty
from detente.model.yamlio import Document, parse_yaml
from detente.web import bundled
from detente.web.schemas import ExploreRequest, ScenarioIn

#: Model constants whose sources the page cites next to the index.
PARAMETER_SOURCES = (
    ("kent_thaler", "de"),
    ("kent_thaler", "alpha"),
    ("kent_thaler", "kmax"),
    ("value_damage", "assured_destruction_emt"),
)
YAML_HEADER = (
    "# detente scenario saved from the web page (detente serve).\n"
    "# Run it with: detente assess FILE\n"
)


def _check_refs(data: Any, file: str) -> None:
    """Raise unless every force and treaty in raw scenario data is a bundled name."""
    if not isinstance(data, Mapping):
        return
    doc = Document(data, file)
    parties = data.get("parties")
    for i, party in enumerate(parties if isinstance(parties, list) else []):
        name = party.get("force") if isinstance(party, Mapping) else None
        if isinstance(name, str) and name not in bundled.forces():
            raise doc.error(
                ("parties", i, "force"),
                f"unknown force {name!r}; the web app takes bundled forces only: "
                + ", ".join(bundled.forces()),
            )
    treaty = data.get("treaty")
    if isinstance(treaty, str) and treaty not in bundled.treaties():
        raise doc.error(
            ("treaty",),
            f"unknown treaty {treaty!r}; the web app takes bundled treaties only: "
            + ", ".join(bundled.treaties()),
        )


def to_scenario(state: ScenarioIn, file: str = "<request>") -> Scenario:
    """The scenario of a page state (forces and treaty checked to be bundled names)."""
    data = state.model_dump(exclude_none=True)
    _check_refs(data, file)
    return scenario_from_document(Document(data, file))


def with_caps(treaty: Treaty, caps: Mapping[str, float]) -> Treaty:
    """``treaty`` with the ceilings of some limits replaced (a what-if, not the treaty)."""
    ids = [x.id for x in treaty.limits]
    for key in caps:
        if key not in ids:
            raise InputError(
                f"treaty {treaty.id} has no limit {key!r}; limits: {', '.join(ids)}",
                field=f"caps.{key}",
            )
    limits = tuple(
        x
        if x.id not in caps
        else x.model_copy(
            update={
                "max": float(caps[x.id]),
                "min": None if x.min is not None and x.min > caps[x.id] else x.min,
            }
        )
        for x in treaty.limits
    )
    return treaty.model_copy(update={"limits": limits})


def _holding_key(party: ResolvedParty, i: int) -> str:
    """The key of base holding ``i`` in ``modifications.holdings`` (system id, or label)."""
    h = party.base.holdings[i]
    if holding_index(party.base, h.system) == i:
        return h.system
    return h.label or h.system


def _sources_of(*provenances: Any) -> list[str]:
    out: list[str] = []
    for prov in provenances:
        for p in prov.values():
            out += [s for s in p.source if s not in out]
    return out


def _values(h: Holding) -> dict[str, Any]:
    return {
        "deployed": h.launchers.deployed,
        "loading": h.mean_loading,
        "alert": {p: h.alert_fraction(p) for p in POSTURES},
    }


def _holdings(party: ResolvedParty) -> list[dict[str, Any]]:
    """Each holding of the modified force with its bundled values (``base``) and sources."""
    table = system_table(party.force)
    base_index = {h.name: i for i, h in enumerate(party.base.holdings)}
    out = []
    for h in party.force.holdings:
        i = base_index.get(h.name)
        base = h if i is None else party.base.holdings[i]
        system = table[h.system]
        out.append(
            {
                "key": h.name if i is None else _holding_key(party, i),
                "name": h.name,
                "system": system.id,
                "system_name": system.name,
                "category": system.category,
                "leg": LEG.get(system.category),
                "fixed": system.fixed,
                "strategic": system.category in STRATEGIC_CATEGORIES,
                "max_loading": system.max_loading,
                **_values(h),
                "base": _values(base),
                "sources": _sources_of(
                    base.provenance, base.launchers.provenance, base.alert.provenance
                ),
            }
        )
    return out


@functools.cache
def parameter_sources() -> tuple[str, ...]:
    """Source ids behind the calculus' default constants and the default w80."""
    out: list[str] = []
    for group, name in PARAMETER_SOURCES:
        out += [s for s in parameters.provenance(group, name).source if s not in out]
    return tuple(out)


def explore(req: ExploreRequest) -> dict[str, Any]:
    """Index, draw-down curves, compliance and the sides' holdings for the page's state."""
    resolved = resolve(to_scenario(req.scenario))
    pair = resolved.labels
    sides = resolved.sides((pair[0], pair[1]))
    result = evaluate(sides, resolved.params)
    treaty = compliance = None
    if resolved.treaty is not None:
        t = with_caps(resolved.treaty, req.caps)
        treaty = {
            "id": t.id,
            "name": t.name,
            "status": t.status,
            "limits": [
                {"id": x.id, "max": x.max, "base": b.max, "description": x.description}
                for x, b in zip(t.limits, resolved.treaty.limits, strict=True)
            ],
            "sources": list(t.sources),
        }
        compliance = {
            p.label: count(p.force, t, system_table(p.force)).to_dict() for p in resolved.parties
        }
    elif req.caps:
        raise InputError("treaty ceilings need a treaty", field="caps")
    views = []
    for side, party in zip(sides, resolved.parties, strict=True):
        views.append(
            {
                "label": side.label,
                "force": party.base.name,
                "party": party.base.party,
                "as_of": party.base.as_of.isoformat(),
                "w80": side.w80,
                "w80_note": side.w80_note,
                "holdings": _holdings(party),
                "sources": list(party.base.sources),
            }
        )
    return {
        "stability": result.to_dict(),
        "drawdown": result.drawdown,
        "sides": views,
        "treaty": treaty,
        "compliance": compliance,
        "notes": [],
        "parameter_sources": list(parameter_sources()),
    }


def _prune(value: Any) -> Any:
    """Drop empty mappings and lists (a readable file keeps only what is set)."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def scenario_yaml(state: ScenarioIn) -> dict[str, str]:
    """The page's state as a scenario file (checked to load back), and a file name."""
    to_scenario(state)
    data = _prune(state.model_dump(exclude_none=True, exclude_defaults=True))
    data = {"name": state.name, **data}
    text = YAML_HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return {"text": text, "filename": f"{state.name}.yaml"}


def _ignored(scenario: Scenario) -> list[str]:
    """What a scenario sets that the page neither shows nor keeps."""
    out = []
    if len(scenario.parties) > 2:
        extra = ", ".join(p.force for p in scenario.parties[2:])
        out.append(f"the page shows the first two parties; not shown: {extra}")
    for i, p in enumerate(scenario.parties[:2]):
        if p.defense is not None:
            out.append(f"parties.{i}.defense (missile defence is not in the page's model yet)")
        if p.modifications.add:
            out.append(f"parties.{i}.modifications.add (holdings added)")
    if scenario.uncertain:
        out.append("uncertain (the page shows central values; use detente assess)")
    for key in ("seed", "samples"):
        if getattr(scenario, key) is not None:
            out.append(key)
    return out


def _state(scenario: Scenario) -> ScenarioIn:
    data = scenario.model_dump(exclude_none=True)
    parties = []
    for p in data["parties"][:2]:
        mods = p.get("modifications", {})
        parties.append(
            {
                **{k: p[k] for k in ("force", "posture", "lua", "w80") if k in p},
                "modifications": {
                    "holdings": _strip(mods.get("holdings", {})),
                    "retire": list(mods.get("retire", ())),
                },
            }
        )
    return ScenarioIn.model_validate(
        {
            "name": scenario.name,
            "parties": parties,
            **({"treaty": scenario.treaty} if scenario.treaty else {}),
            "parameters": _strip(data.get("parameters", {})),
        }
    )


def _strip(value: Any) -> Any:
    """Plain data without provenance entries."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "provenance"}
    return value


def state_from_yaml(text: str, file: str = "<upload>") -> dict[str, Any]:
    """The page state of a scenario file's text (safe YAML; bundled forces and treaties only)."""
    doc = parse_yaml(text, file)
    _check_refs(doc.data, file)
    scenario = scenario_from_document(doc)
    resolve(scenario)
    state = _state(scenario)
    data = _prune(state.model_dump(exclude_none=True, exclude_defaults=True))
    return {"scenario": {"name": state.name, **data}, "ignored": _ignored(scenario)}


@functools.cache
def preset_list() -> tuple[dict[str, Any], ...]:
    """The example scenarios (``examples/*.yaml``) that load as page states, in name order."""
    out = []
    for name, text in bundled.example_texts().items():
        try:
            state_from_yaml(text, f"examples/{name}.yaml")
        except InputError:
            continue  # not a two-party scenario on bundled data (e.g. a sweep or a treaty)
        doc = parse_yaml(text, name)
        out.append({"name": name, "description": doc.data.get("description")})
    return tuple(out)


@functools.cache
def preset_state(name: str) -> dict[str, Any]:
    """The page state of the example ``name`` (a name from :func:`preset_list`)."""
    return state_from_yaml(bundled.example_texts()[name], f"examples/{name}.yaml")
