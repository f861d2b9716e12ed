"""``create_app(settings)``: the FastAPI application of sro-graph.

The lifespan opens the runtime (the store, loading the base knowledge) and closes it: the
threads and query worker processes of the runtime live only between the two. Routers, error
handlers and middleware are registered here and nowhere else; a plain ``GET /sparql`` is
answered before the middleware (``web/fastpath.py``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from sro_graph import __version__
from sro_graph.config import Settings
from sro_graph.logs import configure_logging
from sro_graph.runtime import open_runtime
from sro_graph.web.csp import ContentSecurityPolicyMiddleware
from sro_graph.web.encoding import RefuseEncodedBodiesMiddleware
from sro_graph.web.errors import install_error_handlers
from sro_graph.web.examples import EXAMPLES_HEADER, ExamplesFlagMiddleware
from sro_graph.web.fastpath import answer_fast, takes_fast_path
from sro_graph.web.openapi import install_openapi
from sro_graph.web.routers import ROUTERS, queries
from sro_graph.web.steward_cors import StewardCorsMiddleware
from sro_graph.web.templating import STATIC_DIR

log = logging.getLogger(__name__)


class SroGraphApp(FastAPI):
    """FastAPI with the hot read path (``web/fastpath.py``) in front of its middleware."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if takes_fast_path(scope):
            scope["app"] = self
            await answer_fast(self, scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings) -> FastAPI:
    """The application for ``settings``; nothing is opened until the lifespan starts."""
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await run_in_threadpool(open_runtime, settings)
        app.state.runtime = runtime
        try:
            yield
        finally:
            await run_in_threadpool(runtime.close)

    app = SroGraphApp(
        title="sro-graph",
        summary="Linked-data knowledge graph of the Flemish Smart Region Office",
        description=(
            "Smart-city initiatives, actors, the 9 challenges and 7 strategic objectives of the "
            "Smart Region Office as OSLO-aligned RDF: SPARQL, named queries, SHACL validation, "
            "submissions and a DCAT-AP Vlaanderen catalogue."
        ),
        version=__version__,
        lifespan=lifespan,
    )
    # The public read API is open to any origin, without credentials (STYLE.md §4.2).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "If-Match"],
        expose_headers=[
            "ETag",
            "Link",
            "Location",
            "Retry-After",
            "X-SRO-Truncated",
            EXAMPLES_HEADER,
        ],
    )
    # Every answer says whether the store holds illustrative example data (issue 14).
    app.add_middleware(ExamplesFlagMiddleware)
    # Added after, so it runs first: /submissions answers only the configured origins.
    app.add_middleware(StewardCorsMiddleware, origins=settings.steward_cors_origins)
    app.add_middleware(RefuseEncodedBodiesMiddleware)  # no zip bombs in request bodies
    app.add_middleware(ContentSecurityPolicyMiddleware)  # every HTML page (issue 13.6)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(queries.build_router(settings))  # one operation per queries/*.rq
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_openapi(app)  # one operation id per operation (GET and HEAD routes)
    return app
