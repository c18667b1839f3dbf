"""The API's calculators: request models in, the analysis layer's JSON out.

Each function is synchronous and pure (bundled data comes from :mod:`detente.web.bundled`);
the routes run them in a worker thread under the request's time budget.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from detente.analysis.counting import count
from detente.analysis.stability import (
    Side,
    StabilityParams,
    defense_from_force,
    evaluate,
    make_defense,
    make_sides,
)
from detente.errors import InputError
from detente.model.catalog import force_from_document, system_table
from detente.model.force import Force
from detente.model.notional import NotionalForce
from detente.model.scenario import Defense
from detente.model.treaties import treaty_from_document
from detente.model.treaty import Treaty
from detente.model.yamlio import Document
from detente.web import bundled
from detente.web.schemas import (
    MAX_OPEN_SKIES_WORK,
    BoundIn,
    CountRequest,
    DefenseIn,
    DetectIn,
    ForceRef,
    OpenSkiesIn,
    ParametersIn,
    PlanIn,
    RegimesIn,
    RiskIn,
    StabilityParamsIn,
    StabilityRequest,
    UploadIn,
)

REQUEST = "<request>"


def stability_params(p: ParametersIn) -> StabilityParams:
    """The calculus constants a request gives, the sourced defaults for the rest."""
    given = p.model_dump(include=set(ParametersIn.model_fields), exclude_none=True)
    if isinstance(p, StabilityParamsIn):
        given["weapons"] = p.weapons
    return StabilityParams(**given)


def side_force(ref: ForceRef, i: int) -> Force | NotionalForce:
    """A bundled force by name, or an inline notional force."""
    if isinstance(ref, str):
        return bundled.force(ref, field=f"forces.{i}")
    return NotionalForce.model_validate(ref.model_dump(exclude_none=True))


def _per_side(value: Any, labels: list[str], name: str) -> None:
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(labels))
        if unknown:
            raise InputError(
                f"unknown side {unknown[0]!r}; the sides are {', '.join(labels)}",
                field=f"params.{name}",
            )


def _key(value: Any) -> Any:
    """A hashable form of a per-side option (a value, or a mapping by side label)."""
    return tuple(sorted(value.items())) if isinstance(value, dict) else value


def _option(key: Any) -> Any:
    return dict(key) if isinstance(key, tuple) else key


@functools.lru_cache(maxsize=1024)
def _bundled_sides(names: tuple[str, ...], posture: Any, lua: Any, w80: Any) -> tuple[Side, ...]:
    """Sides of bundled forces, kept: the default w80 (EMT of every warhead) is the costly
    part of a stability request, and the same forces come back request after request."""
    forces = [bundled.force(name) for name in names]
    sides = make_sides(forces, posture=_option(posture), lua=_option(lua), w80=_option(w80))
    for side in sides:  # shared between requests: make any write fail loudly
        for arr in (side.elements.n, side.elements.m, side.elements.fixed, side.elements.alert):
            arr.setflags(write=False)
    return tuple(sides)


def stability_sides(req: StabilityRequest) -> list[Side]:
    """The two sides of a stability request, with posture, launch under attack and w80."""
    p = req.params
    if all(isinstance(ref, str) for ref in req.forces):
        names = tuple(
            bundled.check_force_name(ref, f"forces.{i}") for i, ref in enumerate(req.forces)
        )
        sides = list(_bundled_sides(names, _key(p.posture), _key(p.lua), _key(p.w80)))
    else:
        forces = [side_force(ref, i) for i, ref in enumerate(req.forces)]
        sides = make_sides(forces, posture=p.posture, lua=p.lua, w80=p.w80)
    labels = [s.label for s in sides]
    for name in ("posture", "lua", "w80", "defense"):
        _per_side(getattr(p, name), labels, name)
    for label, given in (p.defense or {}).items():
        i = labels.index(label)
        sides[i] = replace(
            sides[i], defense=missile_defense(given, sides[i], f"params.defense.{label}")
        )
    return sides


def missile_defense(given: DefenseIn, side: Side, field: str) -> Defense:
    """The :class:`~detente.model.scenario.Defense` a request gives for ``side``."""
    figures = given.model_dump(exclude_none=True, exclude={"interceptors"})
    if given.interceptors == "holdings":
        if not isinstance(side.force, Force):
            raise InputError("interceptors 'holdings' needs a bundled force", field=field)
        return defense_from_force(side.force, **figures)
    return make_defense(given.interceptors, **figures, note="given in the request")


def stability(req: StabilityRequest) -> dict[str, Any]:
    """The JSON of ``detente stability --format json`` for a request."""
    return evaluate(stability_sides(req), stability_params(req.params)).to_dict()


def _inline(data: dict[str, Any], parse: Any, field: str) -> Any:
    try:
        return parse(Document(data, REQUEST))
    except InputError as exc:
        where = field + (f".{exc.field}" if exc.field else "")
        raise InputError(exc.message, file=REQUEST, field=where) from None


#: A treaty sent in a request: validated like a file, but it may not read a table from disk.
_treaty_without_tables = functools.partial(treaty_from_document, read_tables=False)


def count_force(req: CountRequest) -> dict[str, Any]:
    """A force counted against a treaty (bundled names or inline objects)."""
    force: Force = (
        bundled.force(req.force, field="force")
        if isinstance(req.force, str)
        else _inline(req.force, force_from_document, "force")
    )
    treaty: Treaty = (
        bundled.treaty(req.treaty, field="treaty")
        if isinstance(req.treaty, str)
        else _inline(
            req.treaty, functools.partial(treaty_from_document, read_tables=False), "treaty"
        )
    )
    return count(force, treaty, system_table(force)).to_dict()


def verify_detect(req: DetectIn) -> dict[str, Any]:
    """Detection probability of over-loading, with the inspection game when G and L are given."""
    from detente.analysis import verification as av

    return av.detect(**req.model_dump()).to_dict()


def verify_bound(req: BoundIn) -> dict[str, Any]:
    """The largest violation clean inspections cannot rule out."""
    from detente.analysis import verification as av

    return av.clean_inspection_bound(**req.model_dump()).to_dict()


def verify_plan(req: PlanIn) -> dict[str, Any]:
    """Inspections a year needed for a target detection probability."""
    from detente.analysis import verification as av

    return av.plan_inspections(**req.model_dump()).to_dict()


def verify_regimes(req: RegimesIn) -> dict[str, Any]:
    """The bundled regimes side by side."""
    from detente.analysis import verification as av

    return av.compare_regimes(**req.model_dump()).to_dict()


def verify_open_skies(req: OpenSkiesIn) -> dict[str, Any]:
    """Open Skies coverage over notional layouts, bundled parameters."""
    from detente.analysis import verification as av

    params = av.load_open_skies()
    quota = params.passive_quota_per_year.get(req.party)
    flights = req.quota if req.quota is not None else (quota.value if quota else 0)
    sites = req.sites if req.sites is not None else params.sites.value
    work = req.replicates * req.years * max(int(flights), 1) * int(sites)
    if work > MAX_OPEN_SKIES_WORK:
        raise InputError(
            f"replicates x years x flights x sites = {work:,} is above the web app's cap of "
            f"{MAX_OPEN_SKIES_WORK:,}; use fewer replicates or years, or detente verify",
            field="replicates",
        )
    return av.open_skies(params, **req.model_dump()).to_dict()


def risk(req: RiskIn) -> dict[str, Any]:
    """Inadvertent-war risk over the bundled illustrative parameter set."""
    from detente.analysis import risk as ar

    return ar.run_risk(samples=req.samples, seed=req.seed, years=req.years).to_dict()


def upload(req: UploadIn) -> dict[str, Any]:
    """The upload timeline of ``detente upload`` (bundled forces)."""
    from detente.analysis.upload import upload_timeline

    common = {"months": req.months, "start": req.start, "posture": req.posture}
    force = bundled.force(req.force, field="force")
    opponent = None
    if req.against is not None:
        other = bundled.force(req.against, field="against")
        opponent = (
            other if req.hold else upload_timeline(other, rate_scale=req.rate_scale, **common)
        )
    elif req.hold:
        raise InputError("hold needs against", field="hold")
    timeline = upload_timeline(force, rate_scale=req.rate_scale, opponent=opponent, **common)
    return timeline.to_dict()
