"""The one table from error class to HTTP status, and the error body (JSON or HTML).

Service errors (``SroError``) and store errors (``StoreError``) both get their status from
:data:`STATUS`; anything else becomes a logged 500 with a request id: never a trace.
"""

from __future__ import annotations

import html
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from sro_graph import errors as e
from sro_graph.store import StoreBusy, StoreError, StoreMismatch, StoreTimeout, StoreUnavailable
from sro_graph.web.conneg import prefers_html

log = logging.getLogger(__name__)

STATUS: list[tuple[type[Exception], int]] = [
    # First match wins: subclasses before their bases.
    (e.BadParameterError, 422),
    (e.ValidationFailedError, 422),
    (e.DependentsError, 409),
    (e.InputError, 400),
    (e.UnsupportedFormatError, 415),
    (e.NotAcceptableError, 406),
    (e.TooLargeError, 413),
    (e.NotFoundError, 404),
    (e.UnauthorizedError, 401),
    (e.ForbiddenError, 403),
    (e.PreconditionFailedError, 412),
    (e.PreconditionRequiredError, 428),
    (e.BusyError, 503),
    (e.QueryTimeoutError, 503),
    (e.StoreUnavailableError, 503),
    (StoreBusy, 503),
    (StoreTimeout, 503),
    (StoreUnavailable, 503),
    (StoreMismatch, 503),
    (StoreError, 400),  # a query the store refused (its own syntax errors, limits)
]


def status_for(exc: Exception) -> int:
    """The HTTP status of ``exc``: its row in :data:`STATUS`, else 500."""
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def error_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The error body of DESIGN.md §5: ``{"error", "detail"}``, or HTML for browsers."""
    if prefers_html(request.headers.get("accept")):
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{status} {html.escape(code)}</title></head><body><main>"
            f"<h1>{status} {html.escape(code)}</h1><p>{html.escape(detail)}</p>"
            '<p><a href="/">sro-graph</a></p></main></body></html>'
        )
        return HTMLResponse(page, status_code=status, headers=headers)
    body: dict[str, Any] = {"error": code, "detail": detail}
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers)


async def _sro_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, e.SroError)
    status = status_for(exc)
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(exc, e.BusyError):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, e.UnauthorizedError):
        headers["WWW-Authenticate"] = 'Bearer realm="sro-graph"'
    if isinstance(exc, e.UnparseableError) and exc.line is not None:
        extra = {"line": exc.line, "column": exc.column}
    if isinstance(exc, e.NotAcceptableError):
        extra = {"available": exc.available}
    if isinstance(exc, e.DependentsError):
        extra = {"dependents": exc.dependents}
    log.info("%s %s -> %d %s", request.method, request.url.path, status, exc.code)
    return error_response(request, status, exc.code, exc.detail, headers=headers, extra=extra)


async def _store_error(request: Request, exc: Exception) -> Response:
    status = status_for(exc)
    if isinstance(exc, StoreBusy):
        return error_response(
            request,
            status,
            "busy",
            "All query slots are busy; retry shortly.",
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, StoreTimeout):
        return error_response(request, status, "timeout", str(exc))
    if isinstance(exc, StoreUnavailable | StoreMismatch):
        log.error("store unavailable: %s", exc)
        return error_response(
            request,
            status,
            "store-unavailable",
            "The graph store is unavailable; retry later.",
            headers={"Retry-After": "5"},
        )
    return error_response(request, status, "query-failed", str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
    return error_response(request, exc.status_code, code, detail, headers=dict(exc.headers or {}))


async def _request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"where": ".".join(str(p) for p in err.get("loc", ())), "problem": err.get("msg", "")}
        for err in exc.errors()
    ]
    text = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
    return error_response(request, 422, "bad-parameter", text, extra={"problems": problems})


async def _unexpected(request: Request, exc: Exception) -> Response:
    request_id = uuid.uuid4().hex[:12]
    log.error("unhandled error, request %s", request_id, exc_info=exc)
    return error_response(
        request, 500, "internal-error", f"Something went wrong on our side (request {request_id})."
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(e.SroError, _sro_error)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(Exception, _unexpected)
