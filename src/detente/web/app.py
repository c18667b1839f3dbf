"""The web app: :func:`create_app` builds the FastAPI application behind ``detente serve``.

One page (``/``), a sources page (``/sources``), static assets (plotly.js from the installed
``plotly`` package: no CDN, the app works offline) and the JSON API under ``/api`` with its
OpenAPI schema at ``/api/openapi.json``. The interactive API docs pages are off: they would
load scripts from a CDN.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import gzip
import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

import detente
from detente.errors import InputError
from detente.web import api, bundled, page
from detente.web.batching import StabilityBatcher
from detente.web.security import (
    MAX_BODY_BYTES,
    TIME_BUDGET_S,
    SecurityMiddleware,
    TimeBudgetError,
    Workers,
    content_security_policy,
)
from detente.web.workers import BusyError, OutOfMemoryError, ProcessWorkers, default_size

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Settings:
    """Limits of one app.

    Attributes
    ----------
    max_body_bytes : int
        Largest request body [bytes] (413 above).
    time_budget_s : float
        Seconds a calculation may take before the request is answered with 503 [s].
    workers : int
        Worker threads of the stability batcher.
    processes : int
        Worker processes of the calculators (:class:`~detente.web.workers.ProcessWorkers`);
        a calculation past its time budget is stopped by killing its process.
    page_processes : int
        Worker processes of the page's own endpoints (explore, scenario files, presets), kept
        apart so that heavy calculations never queue the page.
    max_waiting : int
        Requests that may wait for a worker process of each pool; more get 503 at once.
    max_wait_s : float
        Longest wait for a worker process [s]; then 503.
    memory_bytes : int or None
        Address-space cap of each worker process [bytes].
    """

    max_body_bytes: int = MAX_BODY_BYTES
    time_budget_s: float = TIME_BUDGET_S
    workers: int = 4
    processes: int = field(default_factory=default_size)
    page_processes: int = 1
    max_waiting: int = 8
    max_wait_s: float = 5.0
    memory_bytes: int | None = 4 * 1024**3


@functools.cache
def plotly_js() -> tuple[str, bytes, bytes]:
    """Version, text and gzipped text of the plotly.js bundled with the ``plotly`` package."""
    from plotly.offline import get_plotlyjs_version

    body = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    return get_plotlyjs_version(), body, gzip.compress(body, compresslevel=6, mtime=0)


@functools.cache
def plotly_style_hashes() -> tuple[str, ...]:
    """CSP hashes of the fixed style texts the served plotly.js injects (maplibre's CSS)."""
    _, body, _ = plotly_js()
    texts = re.findall(rb"\.textContent='([^'\\]*)',document\.head\.appendChild", body)
    return tuple("sha256-" + base64.b64encode(hashlib.sha256(t).digest()).decode() for t in texts)


@functools.cache
def asset_version() -> str:
    """Short hash of the page's own static files (cache busting)."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.glob("*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _problem(status: int, detail: str, field: str | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, "field": field, **extra}, status_code=status)


def _field(loc: tuple | list) -> str:
    parts = list(loc)
    if parts and parts[0] in {"body", "path", "query"}:
        parts = parts[1:]
    return ".".join(str(p) for p in parts)


async def _on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": _field(e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    detail = f"field '{first['field']}': {first['message']}" if first["field"] else first["message"]
    return _problem(422, detail, first["field"] or None, errors=errors)


async def _on_input_error(_: Request, exc: InputError) -> JSONResponse:
    return _problem(422, str(exc), exc.field)


async def _on_value_error(_: Request, exc: ValueError) -> JSONResponse:
    # A kernel refusing its input (the documented ValueError of a public function), or a
    # model refusing data: one line, with the field where pydantic names it.
    if isinstance(exc, ValidationError):
        err = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        message = err["msg"].removeprefix("Value error, ")
        return _problem(422, f"field '{field}': {message}" if field else message, field)
    return _problem(422, str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid")


async def _on_http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:  # FastAPI could not parse the body: bad UTF-8, nested too deep
        return _problem(422, "the body is not valid JSON (bad UTF-8, or nested too deep)")
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _on_not_found(_: Request, exc: api.NotFoundError) -> JSONResponse:
    return _problem(404, exc.message)


async def _on_budget(_: Request, exc: TimeBudgetError) -> JSONResponse:
    return _problem(503, f"{exc}; try smaller inputs")


async def _on_busy(_: Request, exc: BusyError) -> JSONResponse:
    response = _problem(503, str(exc))
    response.headers["retry-after"] = "5"
    return response


async def _on_memory(_: Request, exc: OutOfMemoryError) -> JSONResponse:
    return _problem(503, f"{exc}; try smaller inputs")


def _safe_url(url: str | None) -> str | None:
    """``url`` if it is http(s), else ``None`` (never render a script URL as a link)."""
    return url if url and urlparse(url).scheme in {"http", "https"} else None


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web application (a new, independent instance per call).

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> client = TestClient(create_app())
    >>> client.get("/api/health").json()["status"]
    'ok'
    """
    settings = settings or Settings()
    workers = Workers(settings.workers)
    batcher = StabilityBatcher(workers, budget_s=settings.time_budget_s)
    pools = {
        name: ProcessWorkers(
            size,
            max_waiting=settings.max_waiting,
            max_wait_s=settings.max_wait_s,
            memory_bytes=settings.memory_bytes,
        )
        for name, size in (("heavy", settings.processes), ("page", settings.page_processes))
    }

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Start the worker processes before taking requests: the first start imports the
        # calculators (seconds on a small machine), which no request should wait for.
        await asyncio.gather(*(pool.warm() for pool in pools.values()))
        yield
        for pool in pools.values():
            pool.close()

    app = FastAPI(
        title="detente",
        version=detente.__version__,
        description=(
            "An open workbench for nuclear arms-control and strategic-stability analysis: "
            "bundled forces, systems and treaties; treaty counting; the Kent–Thaler "
            "first-strike stability index; verification and risk calculators."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pools = pools
    app.state.workers = workers
    app.state.batcher = batcher
    app.add_middleware(
        SecurityMiddleware,
        max_body_bytes=settings.max_body_bytes,
        csp=content_security_policy(plotly_style_hashes()),
    )
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(InputError, _on_input_error)
    app.add_exception_handler(ValueError, _on_value_error)
    app.add_exception_handler(api.NotFoundError, _on_not_found)
    app.add_exception_handler(TimeBudgetError, _on_budget)
    app.add_exception_handler(BusyError, _on_busy)
    app.add_exception_handler(OutOfMemoryError, _on_memory)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.include_router(api.router)
    _add_pages(app)
    return app


def _add_pages(app: FastAPI) -> None:
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(request: Request) -> Response:
        version, _, _ = plotly_js()
        return templates.TemplateResponse(
            request,
            "index.html",
            {"plotly_version": version, "asset_version": asset_version(), **page.page_context()},
        )

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    async def sources_page(request: Request) -> Response:
        entries = [{**s, "url": _safe_url(s.get("url"))} for s in bundled.source_list()]
        return templates.TemplateResponse(
            request,
            "sources.html",
            {
                "sources": entries,
                "asset_version": asset_version(),
                "parameter_sources": page.parameter_sources(),
                **page.page_context(),
            },
        )

    @app.get("/static/vendor/plotly-{version}.min.js", include_in_schema=False)
    async def plotly(version: str, request: Request) -> Response:
        current, body, zipped = plotly_js()
        if version != current:
            raise api.NotFoundError(f"plotly.js {version} is not served; this server has {current}")
        headers = {"cache-control": IMMUTABLE, "vary": "accept-encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["content-encoding"] = "gzip"
            body = zipped
        return Response(body, media_type="text/javascript", headers=headers)

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
