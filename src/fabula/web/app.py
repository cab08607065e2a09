"""``create_app(settings)``: the FastAPI app. Nothing is registered at import; each call builds a new app with its
own process pool (started and stopped by the app's lifespan).

Errors: a :class:`~fabula.web.errors.Problem` (and FastAPI's own 404/405/422) becomes ``{"status", "error",
"detail"}`` JSON under ``/api`` and an HTML page elsewhere; any other exception is logged and answered with a
fixed line, never a traceback. The interactive docs (which load scripts from a CDN) are off; the OpenAPI document
is at ``/api/openapi.json``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from fabula import __version__
from fabula.web import routes_api, routes_pages
from fabula.web.errors import INTERNAL, Problem, one_line
from fabula.web.jobs import Jobs, Runner
from fabula.web.security import SecurityHeaders
from fabula.web.settings import Settings

log = logging.getLogger(__name__)


def respond(request: Request, problem: Problem) -> Response:
    """``problem`` as JSON for the API, as a page for a browser."""
    if request.url.path.startswith("/api/"):
        return JSONResponse(problem.body(), status_code=problem.status, headers={"cache-control": "no-store"})
    return routes_pages.error_page(problem)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app with ``settings`` (defaults: :class:`Settings`)."""
    settings = settings or Settings()
    runner = Runner(settings)
    jobs = Jobs(runner, settings)
    started = time.time()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner.start()
        try:
            yield
        finally:
            runner.stop()

    app = FastAPI(
        title="fabula",
        version=__version__,
        summary="Analyse fiction: cast, dialogue and speakers, emotions, arcs, relationships.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runner = runner
    app.state.jobs = jobs

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> Response:
        return respond(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        error = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return respond(request, Problem(exc.status_code, error, one_line(str(exc.detail))))

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        errs = exc.errors()
        first = errs[0] if errs else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        detail = one_line(f"{where}: {first.get('msg', 'invalid request')}")
        return respond(request, Problem(422, "invalid_request", detail))

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> Response:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return respond(request, Problem(500, "internal", INTERNAL))

    app.include_router(routes_api.router(settings, runner, jobs, started))
    app.include_router(routes_pages.router(settings, jobs))
    app.add_middleware(SecurityHeaders)
    return app
