"""The SPARQL 1.1 Protocol endpoint, queries only; the query page for browsers.

Protocol parameters are read strictly: ``query`` given twice, or in the URL and the body, is a
400; an ``update`` parameter or an ``application/sparql-update`` body is refused and changes
nothing. The handlers are ``async`` only to read the body; inspection and the query itself
run in the threadpool.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sro_graph.errors import (
    QueryRejectedError,
    QuerySyntaxError,
    TooLargeError,
    UnsupportedFormatError,
)
from sro_graph.rdfio import RdfFormat, serialize_graph
from sro_graph.runtime import Runtime
from sro_graph.sparql import GRAPH_MEDIA_TYPES, SHORT_FORMATS, service_description
from sro_graph.store import RawResult
from sro_graph.store.results import JSON, RESULT_MEDIA_TYPES
from sro_graph.web.conneg import negotiate, prefers_html
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.templating import templates

router = APIRouter(tags=["sparql"])

DESCRIPTION_MEDIA_TYPES = GRAPH_MEDIA_TYPES
TRUNCATED_HEADER = "X-SRO-Truncated"

_QUERY_DOC = {
    "parameters": [
        {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE). Without it: "
         "the service description, or the query page for browsers."},
        {"name": "default-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}},
         "description": "Graphs of the store forming the default graph (else: their union)."},
        {"name": "named-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}},
         "description": "Graphs of the store available to GRAPH."},
        {"name": "_format", "in": "query", "required": False,
         "schema": {"type": "string", "enum": sorted(SHORT_FORMATS)},
         "description": "Overrides Accept (for download links)."},
    ],
}


@dataclass
class ProtocolRequest:
    queries: list[str] = field(default_factory=list)
    updates: int = 0
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)

    def take(self, pairs: list[tuple[str, str]]) -> None:
        for key, value in pairs:
            if key == "query":
                self.queries.append(value)
            elif key == "update":
                self.updates += 1
            elif key == "default-graph-uri":
                self.default_graphs.append(value)
            elif key == "named-graph-uri":
                self.named_graphs.append(value)
            elif key == "_format":
                self.formats.append(value)


def _url_pairs(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


def _check(proto: ProtocolRequest) -> None:
    if proto.updates:
        raise QueryRejectedError(
            "This endpoint is read-only: SPARQL Update requests are refused.")
    if len(proto.queries) > 1:
        raise QuerySyntaxError("The 'query' parameter must be given exactly once.")


@router.get("/sparql", openapi_extra=_QUERY_DOC, response_class=Response)
async def sparql_get(request: Request, runtime: RuntimeDep) -> Response:
    """Run a SPARQL query over the union of all graphs (SPARQL 1.1 Protocol, GET)."""
    proto = ProtocolRequest()
    proto.take(_url_pairs(request))
    _check(proto)
    return await run_in_threadpool(_answer, request, runtime, proto)


@router.post("/sparql", openapi_extra={
    **_QUERY_DOC,
    "requestBody": {"content": {
        "application/sparql-query": {"schema": {"type": "string"}},
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
            "query": {"type": "string"}, "default-graph-uri": {"type": "string"},
            "named-graph-uri": {"type": "string"}}}},
    }},
}, response_class=Response)
async def sparql_post(request: Request, runtime: RuntimeDep) -> Response:
    """Run a SPARQL query sent as a form or as ``application/sparql-query`` (POST)."""
    cap = runtime.settings.max_body_bytes
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > cap:
        raise TooLargeError(f"The request body is larger than {cap} bytes.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise TooLargeError(f"The request body is larger than {cap} bytes.")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    proto = ProtocolRequest()
    url_pairs = _url_pairs(request)
    if media_type == "application/sparql-update":
        raise QueryRejectedError(
            "This endpoint is read-only: SPARQL Update requests are refused.")
    if media_type == "application/x-www-form-urlencoded":
        try:
            form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise QuerySyntaxError("The form is not UTF-8.") from None
        if any(k == "query" for k, _ in url_pairs) and any(k == "query" for k, _ in form):
            raise QuerySyntaxError("'query' is given both in the URL and in the body.")
        proto.take(url_pairs)
        proto.take(form)
    elif media_type == "application/sparql-query":
        proto.take(url_pairs)
        if proto.queries:
            raise QuerySyntaxError("'query' is given both in the URL and in the body.")
        try:
            proto.queries.append(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise QuerySyntaxError("The query is not UTF-8.") from None
    else:
        raise UnsupportedFormatError(
            "POST a query as application/sparql-query or application/x-www-form-urlencoded.")
    _check(proto)
    if not proto.queries:
        raise QuerySyntaxError("The request has no 'query'.")
    return await run_in_threadpool(_answer, request, runtime, proto)


def _answer(request: Request, runtime: RuntimeDep, proto: ProtocolRequest) -> Response:
    accept = request.headers.get("accept")
    if proto.formats:
        short = proto.formats[-1].lower()
        accept = SHORT_FORMATS.get(short, short)
    if not proto.queries:
        if request.method == "GET" and prefers_html(accept):
            return query_page(request, runtime)
        media_type = negotiate(accept, DESCRIPTION_MEDIA_TYPES)
        endpoint = str(request.url_for("sparql_get"))
        body = serialize_graph(service_description(endpoint), RdfFormat(media_type),
                               prefixes={"sd": "http://www.w3.org/ns/sparql-service-description#"})
        return Response(body, media_type=media_type, headers={"Vary": "Accept"})
    query = proto.queries[0]
    info = runtime.sparql.inspect(query, default_graphs=proto.default_graphs,
                                  named_graphs=proto.named_graphs)
    offers = GRAPH_MEDIA_TYPES if info.returns_graph else RESULT_MEDIA_TYPES
    media_type = negotiate(accept, offers)
    result = runtime.sparql.run(query, accept=media_type, default_graphs=proto.default_graphs,
                                named_graphs=proto.named_graphs)
    return result_response(result)


def result_response(result: RawResult, headers: dict[str, str] | None = None) -> Response:
    """The response for a serialised result, with the truncation signal when it was cut."""
    out = {"Vary": "Accept", **(headers or {})}
    body = result.body
    if result.truncated:
        out[TRUNCATED_HEADER] = "true"
        if result.media_type == JSON:
            data = json.loads(body)
            data["truncated"] = True
            body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    media_type = result.media_type
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    return Response(body, media_type=media_type, headers=out)


def query_page(request: Request, runtime: Runtime) -> Response:
    """The query page: an editor, the named queries as examples, a results table."""
    examples = runtime.queries.examples()
    default = examples[0]["text"] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10\n"
    return templates.TemplateResponse(
        request, "sparql.html",
        {"examples": examples, "default_query": default,
         "row_cap": runtime.settings.query_row_cap,
         "timeout_s": runtime.settings.query_timeout_s},
        headers={"Vary": "Accept"},
    )
