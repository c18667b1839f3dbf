"""The proposal explorer of the web app: a compact sweep request -> the zone of possible agreement.

A request (:class:`~detente.web.schemas.AgreementIn`) becomes a grid sweep of the stability
model (``model: stability``, docs/sweeps.md) over ``treaty.warhead_cap`` x
``treaty.launcher_cap`` x ``treaty.mirv`` (x ``treaty.interceptor_cap`` when given), with the
parties' criteria as the sweep's acceptance criteria. It is validated by
:func:`detente.sweep.spec.spec_from_document`, sampled and evaluated in this process by
:func:`detente.sweep.evaluate.evaluate_spec` (as ``detente sweep`` evaluates) and analysed by
:func:`detente.sweep.agreement.agreement_zone` and
:func:`~detente.sweep.agreement.pareto_frontier`: the same code as ``detente sweep`` and
``detente sweep-report``, without a store. Forces are bundled names; no file is named by the
request.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from detente.errors import InputError
from detente.model.yamlio import Document
from detente.sweep.agreement import acceptance, pareto_frontier
from detente.sweep.evaluate import evaluate_spec
from detente.sweep.spec import SweepSpec, spec_from_document
from detente.web import bundled
from detente.web.schemas import MAX_AGREEMENT_POINTS, AgreementIn, CapRangeIn

REQUEST = "<request>"
#: Points per evaluated chunk (does not change results).
CHUNK = 1_000
#: A criterion's bounds on the proposal itself: the sweep column and the side of the bound.
INPUT_BOUNDS = {
    "warhead_cap_max": ("treaty.warhead_cap", "max"),
    "launcher_cap_max": ("treaty.launcher_cap", "max"),
    "interceptor_cap_min": ("treaty.interceptor_cap", "min"),
    "interceptor_cap_max": ("treaty.interceptor_cap", "max"),
}


def _levels(r: CapRangeIn) -> list[float]:
    return np.linspace(r.low, r.high, r.levels).tolist()


def grid_points(req: AgreementIn) -> int:
    """Number of proposals the request's grid holds.

    Examples
    --------
    >>> from detente.web.schemas import AgreementCriterionIn
    >>> req = AgreementIn(criteria=[AgreementCriterionIn(party="US", fsi_min=0.7)])
    >>> grid_points(req)  # 15 warhead caps x 5 launcher caps x 3 MIRV rules
    225
    """
    return (
        req.warhead_cap.levels
        * req.launcher_cap.levels
        * len(req.mirv)
        * max(1, len(req.interceptor_caps))
    )


def _labels(req: AgreementIn) -> list[str]:
    return [
        bundled.force(p.force, field=f"parties.{i}.force").party for i, p in enumerate(req.parties)
    ]


def sweep_spec(req: AgreementIn) -> SweepSpec:
    """The request as a resolved grid sweep of the stability model.

    Raises
    ------
    InputError
        Above :data:`~detente.web.schemas.MAX_AGREEMENT_POINTS` points, for a force that is
        not bundled, criteria naming an unknown or repeated party, or interceptor caps
        without a missile defence; each naming the request's field.
    """
    n = grid_points(req)
    if n > MAX_AGREEMENT_POINTS:
        raise InputError(
            f"the grid has {n:,} proposals, above the web app's cap of "
            f"{MAX_AGREEMENT_POINTS:,}; use fewer levels, or detente sweep",
            field="warhead_cap.levels",
        )
    labels = _labels(req)
    if len(set(labels)) != len(labels):
        raise InputError(
            f"both forces belong to {labels[0]}; choose one force of each party", field="parties"
        )
    seen: set[str] = set()
    for i, c in enumerate(req.criteria):
        if c.party not in labels:
            raise InputError(
                f"unknown party {c.party!r}; the parties are {', '.join(labels)}",
                field=f"criteria.{i}.party",
            )
        if c.party in seen:
            raise InputError(f"party {c.party} has two criteria", field=f"criteria.{i}.party")
        seen.add(c.party)
        if not req.interceptor_caps and (
            c.interceptor_cap_min is not None or c.interceptor_cap_max is not None
        ):
            raise InputError(
                "a criterion on the interceptor cap needs interceptor caps to sweep",
                field=f"criteria.{i}",
            )
    if req.interceptor_caps and all(p.defense is None for p in req.parties):
        raise InputError(
            "interceptor caps need a party with a missile defence", field="interceptor_caps"
        )
    parties = []
    for p in req.parties:
        party: dict[str, Any] = {"force": p.force, "posture": p.posture, "lua": p.lua}
        if p.w80 is not None:
            party["w80"] = p.w80
        if p.defense is not None:
            party["defense"] = p.defense.model_dump(exclude_none=True)
        parties.append(party)
    parameters: list[dict[str, Any]] = [
        {"name": "treaty.warhead_cap", "values": _levels(req.warhead_cap)},
        {"name": "treaty.launcher_cap", "values": _levels(req.launcher_cap)},
        {"name": "treaty.mirv", "values": list(req.mirv)},
    ]
    if req.interceptor_caps:
        parameters.append({"name": "treaty.interceptor_cap", "values": req.interceptor_caps})
    criteria = []
    for c in req.criteria:
        if c.fsi_min is not None:
            criteria.append({"party": c.party, "output": "fsi", "min": c.fsi_min})
        if c.arriving_min is not None:
            criteria.append(
                {"party": c.party, "output": f"arriving.{c.party}", "min": c.arriving_min}
            )
        for name, bound in INPUT_BOUNDS.items():
            value = getattr(c, name)
            if value is not None:
                column, side = bound
                criteria.append({"party": c.party, "input": column, side: value})
    data = {
        "model": "stability",
        "base": {
            "scenario": {"name": "web-agreement", "parties": parties},
            "caps": {
                "fill": [label for label, p in zip(labels, req.parties, strict=True) if p.fill],
                "launcher_rule": req.launcher_rule,
                "bomber_rule": req.bomber_rule,
            },
        },
        "sampler": "grid",
        "parameters": parameters,
        "chunk_size": CHUNK,
        "criteria": criteria,
        "objectives": objectives(labels),
    }
    return spec_from_document(Document(data, REQUEST))


def objectives(labels: list[str]) -> dict[str, str]:
    """The frontier's objectives: the index and each party's retaliation up, the caps down.

    Examples
    --------
    >>> objectives(["US", "RU"])  # doctest: +NORMALIZE_WHITESPACE
    {'fsi': 'max', 'arriving.US': 'max', 'arriving.RU': 'max',
     'treaty.warhead_cap': 'min', 'treaty.launcher_cap': 'min'}
    """
    return {
        "fsi": "max",
        **{f"arriving.{label}": "max" for label in labels},
        "treaty.warhead_cap": "min",
        "treaty.launcher_cap": "min",
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.drop(columns="point_id").to_dict(orient="records")
    return [
        {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()} for row in rows
    ]


def zone(req: AgreementIn) -> dict[str, Any]:
    """The accepted proposals of the request's grid and their Pareto frontier.

    Returns
    -------
    dict
        ``points`` (evaluated), ``parties`` (labels), ``accepted_by`` (points each party
        with criteria accepts),
        ``accepted_count``, ``objectives``, ``accepted`` and ``frontier`` (records: the
        caps, ``fsi``, and per party ``r.P``, ``surviving.P``, ``arriving.P``,
        ``deployed_warheads.P``, ``deployed_launchers.P``, ``interceptors.P`` with a
        defence); NaN as None is left to the route.
    """
    spec = sweep_spec(req)
    parts = list(evaluate_spec(spec))
    frame = pd.concat([pd.DataFrame(p) for p in parts], ignore_index=True)
    accepts = acceptance(frame, spec.criteria)
    accepted = frame[accepts.all(axis=1).to_numpy()]
    frontier = pareto_frontier(accepted, spec.objectives) if len(accepted) else accepted
    frontier = frontier.sort_values(["treaty.warhead_cap", "treaty.launcher_cap"])
    return {
        "points": spec.n_points,
        "parties": _labels(req),
        "accepted_by": {k: int(v) for k, v in accepts.sum().items()},
        "accepted_count": len(accepted),
        "objectives": dict(spec.objectives),
        "accepted": _records(accepted),
        "frontier": _records(frontier),
    }
