"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sro_graph.store import StoreError
from sro_graph.web.deps import StoreDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(store: StoreDep) -> JSONResponse:
    """Liveness and readiness: 200 when the store answers, 503 when it does not."""
    try:
        version = store.version()
    except StoreError:
        return JSONResponse(
            {"status": "unavailable", "store": "down"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "ok", "store": "up", "version": version})
