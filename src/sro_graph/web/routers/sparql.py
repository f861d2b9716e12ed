"""The SPARQL 1.1 Protocol endpoint (queries only)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sro_graph.store.embedded import GRAPH_MEDIA_TYPES
from sro_graph.store.results import RESULT_MEDIA_TYPES
from sro_graph.web.conneg import negotiate
from sro_graph.web.deps import SettingsDep, StoreDep

router = APIRouter(tags=["sparql"])


@router.get("/sparql")
def sparql_get(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    query: str = Query(..., description="A SPARQL 1.1 query."),
) -> Response:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the union of all graphs."""
    accept = request.headers.get("accept")
    is_graph = query.lstrip().upper().startswith(("CONSTRUCT", "DESCRIBE"))
    media_type = negotiate(accept, GRAPH_MEDIA_TYPES if is_graph else RESULT_MEDIA_TYPES)
    result = store.query_raw(query, accept=media_type, row_cap=settings.query_row_cap)
    return Response(result.body, media_type=result.media_type)
