"""The page's engine: its state (a scenario) in, what it draws out; scenario YAML both ways.

The page's state is a scenario of two parties (:data:`~detente.web.schemas.ScenarioIn`, the
scenario model held to the web app's caps) plus what-if treaty ceilings. :func:`explore`
resolves it with the assessment's own scenario layer (:func:`detente.analysis.scenario.
resolve`), so the page and ``detente assess`` apply modifications the same way. Forces and
treaties are checked against the bundled names before the scenario layer sees them: a request
never reaches a file path.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import yaml
from pydantic import BaseModel

from detente.analysis.counting import TREATY_DATES, count
from detente.analysis.elements import LEG, STRATEGIC_CATEGORIES
from detente.analysis.scenario import ResolvedParty, ResolvedScenario, holding_index, resolve
from detente.analysis.stability import Side, StabilityResult, defense_summary, evaluate
from detente.errors import InputError
from detente.model import limits, parameters
from detente.model.catalog import system_table
from detente.model.force import POSTURES, Holding
from detente.model.glossary import parties as party_names
from detente.model.glossary import party_colours
from detente.model.glossary import terms as glossary_terms
from detente.model.scenario import RISK_DIR, Scenario, scenario_from_document
from detente.model.treaty import Treaty
from detente.model.yamlio import Document, parse_yaml, validate
from detente.report import publish
from detente.report.words import input_label, stability_sentence
from detente.web import bundled
from detente.web.schemas import (
    MAX_ASSESS_SAMPLES,
    MAX_CEILING,
    MAX_CHANGES,
    MAX_RISK_SAMPLES,
    MIN_W80,
    AssessIn,
    ExploreRequest,
    ScenarioIn,
)

#: Model constants whose sources the page cites next to the index.
PARAMETER_SOURCES = publish.CALCULUS_PARAMETERS
#: The assumed figures of a missile defence the page does not ask for.
DEFENSE_SOURCES = (("defense", "p_kill"), ("defense", "shots_per_rv"), ("defense", "availability"))
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
    _check_risk(data.get("risk"), doc)


def _check_risk(risk: Any, doc: Document) -> None:
    """A scenario's risk block names a bundled parameter set and stays within the web caps.

    The scenario layer would read any ``.yaml`` path given there; the web app never reads a
    file named by a request.
    """
    if not isinstance(risk, Mapping):
        return
    sets = sorted(p.stem for p in RISK_DIR.glob("*.yaml"))
    ref = risk.get("parameters")
    if ref is not None and ref not in sets:
        raise doc.error(
            ("risk", "parameters"),
            f"unknown risk parameter set {ref!r}; the web app takes bundled sets only: "
            + ", ".join(sets),
        )
    samples = risk.get("samples")
    if isinstance(samples, int | float) and samples > MAX_RISK_SAMPLES:
        raise doc.error(
            ("risk", "samples"),
            f"at most {MAX_RISK_SAMPLES:,} risk samples in one web request, got {samples:,}",
        )


def load_checked(doc: Document) -> tuple[Scenario, Treaty | None]:
    """The scenario of raw data and its treaty, read by the web app itself.

    Forces and the treaty must be bundled names (or an example treaty, ``treaties/x.yaml``);
    the treaty is taken out before the scenario layer sees the data, so that layer never
    resolves a path.
    """
    _check_refs(doc.data, doc.file)
    data, treaty = doc.data, None
    if isinstance(data, Mapping) and isinstance(data.get("treaty"), str):
        treaty = bundled.treaty(data["treaty"], field="treaty")
        doc = Document({k: v for k, v in data.items() if k != "treaty"}, doc.file, doc.lines)
    return scenario_from_document(doc), treaty


def to_scenario(state: ScenarioIn, file: str = "<request>") -> tuple[Scenario, Treaty | None]:
    """The scenario and treaty of a page state."""
    return load_checked(Document(state.model_dump(exclude_none=True), file))


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


def _display_name(h: Holding, system_name: str) -> str:
    """One name per holding across the page: its label where the force gives one (a system
    held twice), else the system's name."""
    return h.label or system_name


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
                "display": _display_name(h, system.name),
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
def parameter_sources(names: tuple[tuple[str, str], ...] = PARAMETER_SOURCES) -> tuple[str, ...]:
    """Source ids behind default model constants (by default: the calculus and the w80)."""
    return publish.parameter_sources(names)


def _sides(resolved: ResolvedScenario) -> list[Side]:
    """The first two parties' sides, each with its missile defence."""
    pair = resolved.labels
    return [
        replace(side, defense=resolved.party(side.label).spec.defense)
        for side in resolved.sides((pair[0], pair[1]))
    ]


def evaluate_state(
    state: ScenarioIn,
) -> tuple[ResolvedScenario, list[Side], StabilityResult, Treaty | None]:
    """The page state resolved and evaluated: scenario, sides, stability result, treaty.

    Raises :class:`~detente.errors.InputError` where a figure the index needs is not known.
    """
    scenario, base_treaty = to_scenario(state)
    resolved = resolve(scenario)
    sides = _sides(resolved)
    return resolved, sides, evaluate(sides, resolved.params), base_treaty


def _treaty_view(base_treaty: Treaty | None, caps: Mapping[str, float]) -> Treaty | None:
    """The treaty with the page's what-if ceilings, or ``None`` (ceilings need a treaty)."""
    if base_treaty is None:
        if caps:
            raise InputError("treaty ceilings need a treaty", field="caps")
        return None
    return with_caps(base_treaty, caps)


def _treaty_dict(t: Treaty, base_treaty: Treaty) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "status": t.status,
        "in_force": t.in_force,
        **{k: None if getattr(t, k) is None else str(getattr(t, k)) for k in TREATY_DATES},
        "standing": t.standing(),
        "limits": [
            {"id": x.id, "label": x.name, "max": x.max, "base": b.max, "description": x.description}
            for x, b in zip(t.limits, base_treaty.limits, strict=True)
        ],
        "sources": list(t.sources),
    }


def _unknown_loadings(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The holdings in the exchange whose loading is null: the index needs them (null is never
    zero), the page asks for them."""
    return [
        {
            "side": view["label"],
            "key": h["key"],
            "field": "loading",
            "detail": f"{h['display']} ({view['force']}): warheads per launcher not known; "
            "needed for the strategic exchange",
        }
        for view in views
        for h in view["holdings"]
        if h["strategic"] and h["deployed"] and h["loading"] is None
    ]


def explore(req: ExploreRequest) -> dict[str, Any]:
    """Index, draw-down curves, compliance and the sides' holdings for the page's state.

    Where a holding in the exchange has no known loading the index cannot be computed: the
    answer then has ``stability`` null and ``needs`` listing those holdings, with the sides'
    holdings (loading null) so that the page can ask for them.
    """
    scenario, base_treaty = to_scenario(req.scenario)
    resolved = resolve(scenario)
    t = _treaty_view(base_treaty, req.caps)
    views = [
        {
            "label": party.label,
            "force": party.base.name,
            "party": party.base.party,
            "as_of": party.base.as_of.isoformat(),
            "w80": None,
            "w80_note": "not computed: a figure the index needs is not known",
            "defense": None,
            "holdings": _holdings(party),
            "sources": list(party.base.sources),
        }
        for party in resolved.parties[:2]
    ]
    labels = [view["label"] for view in views]
    answer: dict[str, Any] = {
        "names": {label: party_names().get(label, label) for label in labels},
        "sides": views,
        "treaty": None if t is None else _treaty_dict(t, base_treaty),
        "compliance": None
        if t is None
        else {
            p.label: count(p.force, t, system_table(p.force)).to_dict() for p in resolved.parties
        },
        "parameter_sources": list(parameter_sources()),
        "defense_sources": list(parameter_sources(DEFENSE_SOURCES)),
        "needs": _unknown_loadings(views),
    }
    if answer["needs"]:
        return {**answer, "reading": None, "stability": None, "drawdown": None}
    sides = _sides(resolved)
    result = evaluate(sides, resolved.params)
    for view, side in zip(views, sides, strict=True):
        view["w80"], view["w80_note"] = side.w80, side.w80_note
        view["defense"] = None if side.defense is None else defense_summary(side.defense)
    return {
        **answer,
        "reading": stability_sentence(result.fsi, result.r_uncapped, labels),
        "stability": result.to_dict(),
        "drawdown": result.drawdown,
    }


def page_context() -> dict[str, Any]:
    """What the page templates show besides the app's own: the glossary, party names and the
    bounds of the page's fields and permalink (:func:`page_limits`)."""
    return {
        "glossary": glossary_terms(),
        "parties": {"names": party_names(), "colours": party_colours()},
        "limits": page_limits(),
    }


@functools.cache
def page_limits() -> dict[str, Any]:
    """The bounds of the page's fields and permalink: the model's (``data/parameters.yaml``,
    :mod:`detente.model.limits`) held to the web app's caps, the same the API applies.

    The seed's largest value is text: it is past the integers a JavaScript number holds.
    ``defaults`` are the table's values of the page's model controls.
    """
    kmax = parameters.constant("kmax")
    return {
        "de": list(parameters.bounds("de")),
        "kmax": [int(kmax.min), int(kmax.max)],
        "w80": [MIN_W80, limits.MAX_W80],
        "interceptors": limits.MAX_INTERCEPTORS,
        "loading": limits.MAX_LOADING,
        "launchers": limits.MAX_LAUNCHERS,
        "warheads": limits.MAX_WARHEADS,
        "cap": MAX_CEILING,
        "risk_samples": MAX_RISK_SAMPLES,
        "samples": MAX_ASSESS_SAMPLES,
        "changes": MAX_CHANGES,
        "seed": str(limits.MAX_SEED),
        "defaults": {"de": parameters.constant("de").value, "kmax": kmax.value},
    }


def _prune(value: Any) -> Any:
    """Drop empty mappings and lists (a readable file keeps only what is set)."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _strip(value: Any) -> Any:
    """Plain data without provenance entries."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "provenance"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _plain(scenario: BaseModel) -> dict[str, Any]:
    """A scenario (or page state) as the plain data of a readable file: what it sets, without
    provenance entries or the defence figures the scenario layer fills in as assumptions."""
    data = _prune(
        _strip(scenario.model_dump(mode="json", exclude_none=True, exclude_defaults=True))
    )
    for party in data.get("parties", []):
        _drop_assumed_defense(party)
    return {"name": scenario.name, **data}


def scenario_yaml(state: ScenarioIn) -> dict[str, str]:
    """The page's state as a scenario file (checked to load back), and a file name."""
    to_scenario(state)
    text = YAML_HEADER + yaml.safe_dump(_plain(state), sort_keys=False, allow_unicode=True)
    return {"text": text, "filename": f"{state.name}.yaml"}


def _drop_assumed_defense(party: dict[str, Any]) -> None:
    """Leave out defence figures equal to the labelled assumptions the scenario fills in."""
    defense = party.get("defense")
    if isinstance(defense, dict):
        for _, name in DEFENSE_SOURCES:
            if name in defense and defense[name] == parameters.default("defense", name):
                del defense[name]


def state_from_yaml(text: str, file: str = "<upload>") -> dict[str, Any]:
    """The page state of a scenario file's text (safe YAML; bundled forces and treaties only).

    The state is the whole scenario held to the web app's caps (:data:`ScenarioIn`); ``ignored``
    lists, as dotted paths, what the page cannot hold: parties after the first two, and the
    uncertain inputs and uploads of those parties. ``notes`` says in words what the page does
    not show (those, and an upload timeline, which the page holds but does not draw), and where
    the whole scenario is shown: ``detente assess FILE``.
    """
    doc = parse_yaml(text, file)
    scenario, treaty = load_checked(doc)
    kept = [p.label for p in resolve(scenario).parties[:2]]
    state = _plain(scenario)
    ignored = [f"parties.{i}" for i in range(2, len(state["parties"]))]
    state["parties"] = state["parties"][:2]
    for key in list(state.get("uncertain", {})):
        if key.startswith("parties.") and key.split(".")[1] not in kept:
            del state["uncertain"][key]
            ignored.append(f"uncertain.{key}")
    uploading = state.get("upload", {}).get("parties", [])
    ignored += [f"upload.parties.{i}" for i, p in enumerate(uploading) if p not in kept]
    if uploading:
        state["upload"]["parties"] = [p for p in uploading if p in kept]
    state = _prune(state)
    if treaty is not None:
        state["treaty"] = doc.data["treaty"]
    validate(ScenarioIn, Document(state, file))
    return {"scenario": state, "ignored": ignored, "notes": _notes(ignored, scenario, file)}


def _notes(ignored: list[str], scenario: Scenario, file: str) -> list[str]:
    """What the page does not show of ``scenario``, in words (:func:`state_from_yaml`)."""
    names = party_names()
    notes = []
    for path in ignored:
        parts = path.split(".")
        if parts[0] == "parties":
            i = int(parts[1])
            force = bundled.force(scenario.parties[i].force)
            notes.append(f"party {i + 1}, {names.get(force.party, force.party)} ({force.name})")
        elif parts[0] == "uncertain":
            notes.append(f"the uncertain input {input_label(path.split('.', 1)[1])}")
        else:
            notes.append(f"the upload of {names.get(parts[-1], parts[-1])}")
    if "upload" in scenario.model_fields_set:
        notes.append("the upload timeline (the page shows the forces before any upload)")
    if notes:
        name = "the file" if file.startswith("<") else file  # an upload's name is the browser's
        notes.append(f"the whole scenario: detente assess {name}")
    return notes


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
        partial = bool(preset_state(name)["notes"])
        out.append({"name": name, "description": doc.data.get("description"), "partial": partial})
    return tuple(out)


@functools.cache
def preset_state(name: str) -> dict[str, Any]:
    """The page state of the example ``name`` (a name from :func:`preset_list`)."""
    return state_from_yaml(bundled.example_texts()[name], f"examples/{name}.yaml")


def assess_scenario(req: AssessIn) -> dict[str, Any]:
    """``detente assess`` of a scenario object or YAML text, as ``results.json``."""
    from detente.analysis.assess import assess

    if (req.scenario is None) == (req.yaml is None):
        raise InputError("give the scenario as an object (scenario) or as YAML text (yaml)")
    if req.yaml is not None:
        doc = parse_yaml(req.yaml, "<request>")
    else:
        doc = Document(req.scenario, "<request>")
    _check_refs(doc.data, doc.file)
    treaty = doc.data.get("treaty") if isinstance(doc.data, Mapping) else None
    if treaty in bundled.example_treaties():
        raise doc.error(("treaty",), "the assessment takes bundled treaties only")
    scenario = scenario_from_document(doc)
    samples = req.samples if req.samples is not None else scenario.samples
    if samples is not None and samples > MAX_ASSESS_SAMPLES:
        raise InputError(
            f"the web app draws at most {MAX_ASSESS_SAMPLES:,} samples (the scenario asks for "
            f"{samples:,}); give a smaller samples, or run detente assess",
            field="samples",
        )
    return assess(scenario, samples=samples, seed=req.seed).to_dict()
