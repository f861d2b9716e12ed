"""One router per user-facing area, assembled in ``web.app``."""

from __future__ import annotations

from fastapi import APIRouter

from sro_graph.web.routers import health, sparql

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    sparql.router,
)
