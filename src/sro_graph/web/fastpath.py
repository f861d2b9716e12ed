"""The hot read path: ``GET /sparql?query=...`` answered by its one handler before the
middleware stack, when the request needs none of the middleware.

Each middleware is skipped only where it would do nothing: no ``Origin`` (CORS adds nothing),
no request body or ``Content-Encoding`` (nothing to refuse), not asked for HTML (no page, no
CSP), not ``/submissions`` (steward CORS). The answer still carries ``X-SRO-Examples``, and
errors get the app's own handlers, so the response is the one the full stack would give.
Everything else goes through the full stack.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sro_graph.runtime import Runtime
from sro_graph.web.conneg import prefers_html
from sro_graph.web.examples import EXAMPLES_HEADER, examples_state
from sro_graph.web.routers.sparql import sparql_get

_SKIP_HEADERS = frozenset({b"origin", b"content-encoding", b"content-length", b"transfer-encoding"})


def takes_fast_path(scope: Scope) -> bool:
    """Whether ``scope`` is a plain GET /sparql with a query that no middleware would touch."""
    if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/sparql":
        return False
    if b"query=" not in scope.get("query_string", b""):
        return False  # the service description or the query page: the full stack
    accept = None
    for key, value in scope["headers"]:
        if key in _SKIP_HEADERS:
            return False
        if key == b"accept":
            accept = value.decode("latin-1")
    return not prefers_html(accept)


async def answer_fast(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run the ``GET /sparql`` handler directly; errors through the app's handlers."""
    request = Request(scope, receive)
    runtime: Runtime = request.app.state.runtime
    try:
        response = await sparql_get(request)
    except Exception as exc:  # the app's own handler for it, as the full stack would
        response = await _handle(request, exc)
    known = runtime.examples_known()
    flag = ("true" if known else "false") if known is not None else await examples_state(runtime)
    response.headers[EXAMPLES_HEADER] = flag
    await response(scope, receive, send)


async def _handle(request: Request, exc: Exception) -> Response:
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        handler = handlers.get(cls)
        if handler is not None:
            response: Response = await handler(request, exc)
            return response
    raise exc
