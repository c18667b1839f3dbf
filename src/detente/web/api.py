"""JSON API routes (``/api/...``), documented in the OpenAPI schema at ``/api/openapi.json``.

Lookups of bundled data answer from memory; calculations run in a worker process under the
request's time budget (:class:`detente.web.workers.ProcessWorkers`). Bad input is a 422 with the
field it concerns, an unknown name in a path a 404 listing the allowed names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse as StarletteJSONResponse
from fastapi.responses import Response

import detente
from detente import jsonio
from detente.errors import InputError
from detente.web import bundled, charts, compute, page
from detente.web.batching import StabilityBatcher
from detente.web.schemas import (
    AgreementIn,
    AgreementOut,
    AssessIn,
    BoundIn,
    CountRequest,
    DetectIn,
    ExploreOut,
    ExploreRequest,
    ForceSummary,
    Health,
    OpenSkiesIn,
    PlanIn,
    Preset,
    Problem,
    RegimesIn,
    RiskIn,
    ScenarioIn,
    SourceEntry,
    StabilityOut,
    StabilityRequest,
    StateOut,
    TreatySummary,
    UploadIn,
    YamlIn,
    YamlOut,
)
from detente.web.security import TimeBudgetError

ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": Problem, "description": "Request body too large"},
    422: {"model": Problem, "description": "Invalid input; `field` names the offending field"},
    503: {
        "model": Problem,
        "description": "The calculation ran past the time budget, or every worker is busy",
    },
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Unknown name; the message lists the allowed names"}
}

router = APIRouter(prefix="/api")


class NotFoundError(Exception):
    """A path names something that does not exist."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _lookup(name: str, allowed: tuple[str, ...], kind: str) -> str:
    if name not in allowed:
        raise NotFoundError(f"unknown {kind} {name!r}; available: {', '.join(allowed)}")
    return name


class JSONResponse(StarletteJSONResponse):
    """An answer written by :func:`detente.jsonio.dumps` (a non-finite number is ``null``)."""

    def render(self, content: Any) -> bytes:
        return jsonio.dumps(content).encode("utf-8")


async def _compute(
    request: Request, func: Callable[..., Any], *args: Any, pool: str = "heavy"
) -> JSONResponse:
    """``func(*args)`` in a worker process of ``pool`` under the request's time budget, which
    starts when a worker takes the work and stops the work when it ends (503)."""
    settings = request.app.state.settings
    try:
        body = await request.app.state.pools[pool].run(
            json_bytes, func, *args, budget_s=settings.time_budget_s
        )
    except TimeoutError:
        raise TimeBudgetError(settings.time_budget_s) from None
    return Response(body, media_type="application/json")


def json_bytes(func: Callable[..., Any], *args: Any) -> bytes:
    """``func(*args)`` as the JSON body of the answer, encoded where it is computed (a worker
    process), so that the server's event loop only forwards bytes."""
    return jsonio.dumps(func(*args)).encode("utf-8")


# The hot path first: routes are matched in order.
@router.post("/stability", response_model=StabilityOut, responses=ERRORS, tags=["calculate"])
async def stability(request: Request, body: StabilityRequest) -> JSONResponse:
    """First-strike stability of two forces: exactly ``detente stability --format json``.

    Concurrent requests are evaluated together through the kernel's batch axis.
    """
    batcher: StabilityBatcher = request.app.state.batcher
    result = await batcher.submit(body)
    return JSONResponse(result)


# --- bundled data --------------------------------------------------------------------------------


@router.get("/health", response_model=Health, tags=["meta"])
async def health() -> JSONResponse:
    """Liveness: the server answers."""
    return JSONResponse({"status": "ok", "version": detente.__version__})


@router.get("/forces", response_model=list[ForceSummary], tags=["data"])
async def list_forces() -> JSONResponse:
    """The bundled forces: name, party and date."""
    return JSONResponse(list(bundled.force_summaries()))


@router.get("/forces/{name}", response_model=dict[str, Any], responses=NOT_FOUND, tags=["data"])
async def show_force(name: str) -> JSONResponse:
    """One bundled force with every number's provenance."""
    return JSONResponse(bundled.force_json(_lookup(name, bundled.forces(), "force")))


@router.get("/systems", response_model=list[dict[str, Any]], tags=["data"])
async def list_systems() -> JSONResponse:
    """The systems catalogue."""
    return JSONResponse(list(bundled.systems_json().values()))


@router.get("/systems/{id}", response_model=dict[str, Any], responses=NOT_FOUND, tags=["data"])
async def show_system(id: str) -> JSONResponse:
    """One system of the catalogue."""
    table = bundled.systems_json()
    return JSONResponse(table[_lookup(id, tuple(table), "system")])


@router.get("/treaties", response_model=list[TreatySummary], tags=["data"])
async def list_treaties() -> JSONResponse:
    """The bundled treaties."""
    return JSONResponse(list(bundled.treaty_summaries()))


@router.get(
    "/treaties/{name:path}", response_model=dict[str, Any], responses=NOT_FOUND, tags=["data"]
)
async def show_treaty(name: str) -> JSONResponse:
    """One bundled (or example) treaty: limits, bans, counting rules, sources."""
    return JSONResponse(bundled.treaty_json(_lookup(name, bundled.treaties(), "treaty")))


@router.get("/sources", response_model=list[SourceEntry], tags=["data"])
async def list_sources() -> JSONResponse:
    """The bibliography every bundled number points to."""
    return JSONResponse(list(bundled.source_list()))


@router.get("/history", response_model=dict[str, Any], responses=ERRORS, tags=["data"])
def show_history(
    quantity: str = "stockpile",
    party: list[str] = Query(default=[]),
    producer: list[str] = Query(default=[]),
    editions: str = "latest",
) -> JSONResponse:
    """Nuclear forces over time (as ``detente data history --format json``) with the chart.

    One quantity (``stockpile``, ``deployed_strategic``, ``deployed_non_strategic``,
    ``reserve``, ``retired``, ``inventory``, ``first_strike``, ``emt``); ``party`` and
    ``producer`` repeatable (all by default); ``editions`` ``latest`` or ``all``. The answer
    holds every value with its producer, edition, source and status, the treaty milestones,
    the sources cited and ``figure`` (plotly JSON).
    """
    if len(party) > 20 or len(producer) > 10:
        raise InputError("too many parties or producers", field="party")
    return JSONResponse(bundled.history_json(tuple(party), quantity, tuple(producer), editions))


# --- calculators ---------------------------------------------------------------------------------


@router.post("/count", response_model=dict[str, Any], responses=ERRORS, tags=["calculate"])
async def count(request: Request, body: CountRequest) -> JSONResponse:
    """A force counted against a treaty (as ``detente count --format json``)."""
    return await _compute(request, compute.count_force, body)


@router.post("/verify/detect", response_model=dict[str, Any], responses=ERRORS, tags=["verify"])
async def verify_detect(request: Request, body: DetectIn) -> JSONResponse:
    """Probability that random inspections catch over-loaded missiles (models.md §5)."""
    return await _compute(request, compute.verify_detect, body)


@router.post("/verify/bound", response_model=dict[str, Any], responses=ERRORS, tags=["verify"])
async def verify_bound(request: Request, body: BoundIn) -> JSONResponse:
    """The largest over-loading that clean inspections cannot rule out."""
    return await _compute(request, compute.verify_bound, body)


@router.post("/verify/plan", response_model=dict[str, Any], responses=ERRORS, tags=["verify"])
async def verify_plan(request: Request, body: PlanIn) -> JSONResponse:
    """Inspections a year needed for a target detection probability."""
    return await _compute(request, compute.verify_plan, body)


@router.post("/verify/regimes", response_model=dict[str, Any], responses=ERRORS, tags=["verify"])
async def verify_regimes(request: Request, body: RegimesIn) -> JSONResponse:
    """The bundled inspection regimes side by side."""
    return await _compute(request, compute.verify_regimes, body)


@router.post("/verify/open-skies", response_model=dict[str, Any], responses=ERRORS, tags=["verify"])
async def verify_open_skies(request: Request, body: OpenSkiesIn) -> JSONResponse:
    """Open Skies coverage by simulation (replicates capped)."""
    return await _compute(request, compute.verify_open_skies, body)


@router.post("/risk", response_model=dict[str, Any], responses=ERRORS, tags=["risk"])
async def risk(request: Request, body: RiskIn) -> JSONResponse:
    """Inadvertent-war risk by Monte Carlo over the bundled parameter set (samples capped)."""
    return await _compute(request, compute.risk, body)


@router.post("/upload", response_model=dict[str, Any], responses=ERRORS, tags=["calculate"])
async def upload(request: Request, body: UploadIn) -> JSONResponse:
    """Deployed warheads month by month after a treaty lapses (as ``detente upload``)."""
    return await _compute(request, compute.upload, body)


@router.post("/assess", response_model=dict[str, Any], responses=ERRORS, tags=["calculate"])
async def assess(request: Request, body: AssessIn) -> JSONResponse:
    """Assess a scenario (object or YAML text): ``results.json`` of ``detente assess``."""
    return await _compute(request, page.assess_scenario, body)


@router.post("/agreement", response_model=AgreementOut, responses=ERRORS, tags=["calculate"])
async def agreement_zone(request: Request, body: AgreementIn) -> JSONResponse:
    """Proposals every party accepts on a bounded grid of caps, and their Pareto frontier
    (the sweep machinery of ``detente sweep``, in process; at most 5,000 points), with the
    chart as plotly JSON (``figure``), its caption and its data as CSV."""
    return await _compute(request, charts.agreement_chart, body)


# --- the page ------------------------------------------------------------------------------------


@router.post("/explore", response_model=ExploreOut, responses=ERRORS, tags=["page"])
async def explore(request: Request, body: ExploreRequest) -> JSONResponse:
    """What the page draws for its state: index, draw-down curves, compliance, holdings."""
    return await _compute(request, page.explore, body, pool="page")


@router.post("/chart", response_model=dict[str, Any], responses=ERRORS, tags=["page"])
async def chart(request: Request, body: charts.ChartIn) -> JSONResponse:
    """One of the page's charts as plotly JSON (``figure``), built by the reports' and the
    API's own figure builders, with its ``caption``, its data as ``csv`` and a ``summary``.

    ``drawdown``, ``domain`` and ``weapons`` (the index over both sides' force sizes) take the
    page state; ``sweep`` (the index against one input) also takes ``input`` (a dotted path,
    as under a scenario's ``uncertain:``), ``low``, ``high`` and ``points``, and draws the 5th
    to 95th percentile band of a Monte Carlo over ``preset``'s (an example's) or
    ``uncertain``'s distributions. Sweep and weapons domain are one batched call each. Charts
    run in the calculators' worker pool, so that they never queue the page's first number.
    """
    return await _compute(request, charts.chart, body)


@router.post("/scenario/yaml", response_model=YamlOut, responses=ERRORS, tags=["page"])
async def scenario_yaml(request: Request, body: ScenarioIn) -> JSONResponse:
    """The page state as a scenario YAML file."""
    return await _compute(request, page.scenario_yaml, body, pool="page")


@router.post("/scenario/parse", response_model=StateOut, responses=ERRORS, tags=["page"])
async def scenario_parse(request: Request, body: YamlIn) -> JSONResponse:
    """A scenario file's text (safe YAML, bundled names only) as the page state."""
    return await _compute(request, page.state_from_yaml, body.text, pool="page")


@router.get("/presets", response_model=list[Preset], tags=["page"])
async def list_presets() -> JSONResponse:
    """The bundled example scenarios the page can show."""
    return JSONResponse(list(page.preset_list()))


@router.get(
    "/presets/{name}", response_model=StateOut, responses={**NOT_FOUND, **ERRORS}, tags=["page"]
)
async def show_preset(request: Request, name: str) -> JSONResponse:
    """The page state of one example scenario."""
    allowed = tuple(p["name"] for p in page.preset_list())
    return await _compute(request, page.preset_state, _lookup(name, allowed, "preset"), pool="page")
