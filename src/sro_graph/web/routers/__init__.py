"""One router per user-facing area, assembled in ``web.app``."""

from __future__ import annotations

from fastapi import APIRouter

from sro_graph.web.routers import (
    catalog,
    health,
    instruments,
    ldes,
    linkeddata,
    pages,
    queries,
    sparql,
    steward,
    submissions,
    validate,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    catalog.router,
    sparql.router,
    queries.router,
    validate.router,
    submissions.router,
    steward.router,
    linkeddata.router,
    pages.router,
    instruments.router,
    ldes.router,
)
