"""The thinnest Python SPARQL server: the ceiling for any Python service (issue 17.1).

``GET /sparql?query=...`` runs the query in-process on a read-only pyoxigraph store and answers
N-Triples (or SPARQL JSON). No query check, no time limit, no sandbox, no middleware, no
FastAPI: none of what sro-graph owes its users. ``python -m bench.point --floor`` serves it
with uvicorn, as sro-graph is served, beside raw ``oxigraph serve``: its ratio to raw is the
most a Python service on this machine can reach, and so says whether a target is reachable.

Never part of sro-graph; the store folder comes from ``SRO_FLOOR_STORE``.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox

_STORE = ox.Store.read_only(os.environ["SRO_FLOOR_STORE"])


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A bare ASGI app: the lifespan is accepted, every request is a query."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    query = parse_qs(scope["query_string"].decode()).get("query", ["ASK {}"])[0]
    result = _STORE.query(query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryTriples):
        body = ox.serialize(list(result), format=ox.RdfFormat.N_TRIPLES) or b""
        kind = b"application/n-triples"
    else:
        body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
        kind = b"application/sparql-results+json"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", kind)]})
    await send({"type": "http.response.body", "body": body})
