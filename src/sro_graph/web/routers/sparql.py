"""The SPARQL 1.1 Protocol endpoint, queries only; the query page for browsers.

Protocol parameters are read strictly: ``query`` given twice, or in the URL and the body, is a
400; an ``update`` parameter or an ``application/sparql-update`` body is refused and changes
nothing. GET and POST take one path (:func:`_answer`): a short plain text is inspected on the
event loop (pure and cached), anything else in a thread; the query then waits for one of the
runner's slots (the only "busy" decision, 503 + Retry-After) and its answer is awaited on the
loop.
"""

from __future__ import annotations

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
from sro_graph.formats import (
    GRAPH_RESULT_FORMATS,
    RESULT_FORMATS,
    SHORT_NAMES,
    MediaType,
    RdfFormat,
    essence,
)
from sro_graph.rdfio import serialize_graph
from sro_graph.runtime import Runtime
from sro_graph.sparql import service_description
from sro_graph.web.conneg import FORMAT_PARAMETER, negotiate, prefers_html, wanted
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.http import read_capped, result_response
from sro_graph.web.templating import templates

router = APIRouter(tags=["sparql"])

DESCRIPTION_MEDIA_TYPES = GRAPH_RESULT_FORMATS

_QUERY_DOC = {
    "parameters": [
        {
            "name": "query",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE). Without it: "
            "the service description, or the query page for browsers.",
        },
        {
            "name": "default-graph-uri",
            "in": "query",
            "required": False,
            "schema": {"type": "array", "items": {"type": "string"}},
            "description": "Graphs of the store forming the default graph (else: their union).",
        },
        {
            "name": "named-graph-uri",
            "in": "query",
            "required": False,
            "schema": {"type": "array", "items": {"type": "string"}},
            "description": "Graphs of the store available to GRAPH.",
        },
        {
            "name": FORMAT_PARAMETER,
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": sorted(SHORT_NAMES)},
            "description": "Overrides Accept (for download links); at most once.",
        },
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
            elif key == FORMAT_PARAMETER:
                self.formats.append(value)


def _url_pairs(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


def _check(proto: ProtocolRequest, runtime: Runtime) -> None:
    if proto.updates:
        raise QueryRejectedError("This endpoint is read-only: SPARQL Update requests are refused.")
    if len(proto.queries) > 1:
        raise QuerySyntaxError("The 'query' parameter must be given exactly once.")
    # The cap bounds the cost of inspecting the text, before any time limit applies (12.4).
    limit = runtime.settings.sparql_max_query_bytes
    if proto.queries and len(proto.queries[0]) * 4 > limit:  # 4: the most bytes of a char
        size = len(proto.queries[0].encode("utf-8", "surrogatepass"))
        if size > limit:
            raise TooLargeError(f"The query is {size} bytes; the limit is {limit} bytes.")


@router.get("/sparql", openapi_extra=_QUERY_DOC, response_class=Response)
async def sparql_get(request: Request) -> Response:
    """Run a SPARQL query over the union of all graphs (SPARQL 1.1 Protocol, GET)."""
    proto = ProtocolRequest()
    proto.take(_url_pairs(request))
    runtime = request.app.state.runtime
    _check(proto, runtime)
    return await _answer(request, runtime, proto)


@router.post(
    "/sparql",
    openapi_extra={
        **_QUERY_DOC,
        "requestBody": {
            "content": {
                MediaType.SPARQL_QUERY: {"schema": {"type": "string"}},
                MediaType.FORM: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "default-graph-uri": {"type": "string"},
                            "named-graph-uri": {"type": "string"},
                        },
                    }
                },
            }
        },
    },
    response_class=Response,
)
async def sparql_post(request: Request, runtime: RuntimeDep) -> Response:
    """Run a SPARQL query sent as a form or as ``application/sparql-query`` (POST)."""
    body = await read_capped(request, runtime.settings.max_body_bytes)
    media_type = essence(request.headers.get("content-type", ""))
    proto = ProtocolRequest()
    url_pairs = _url_pairs(request)
    if media_type == MediaType.SPARQL_UPDATE:
        raise QueryRejectedError("This endpoint is read-only: SPARQL Update requests are refused.")
    if media_type == MediaType.FORM:
        try:
            form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise QuerySyntaxError("The form is not UTF-8.") from None
        if any(k == "query" for k, _ in url_pairs) and any(k == "query" for k, _ in form):
            raise QuerySyntaxError("'query' is given both in the URL and in the body.")
        proto.take(url_pairs)
        proto.take(form)
    elif media_type == MediaType.SPARQL_QUERY:
        proto.take(url_pairs)
        if proto.queries:
            raise QuerySyntaxError("'query' is given both in the URL and in the body.")
        try:
            proto.queries.append(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise QuerySyntaxError("The query is not UTF-8.") from None
    else:
        raise UnsupportedFormatError(
            "POST a query as application/sparql-query or application/x-www-form-urlencoded."
        )
    _check(proto, runtime)
    if not proto.queries:
        raise QuerySyntaxError("The request has no 'query'.")
    return await _answer(request, runtime, proto)


def _accept(request: Request, proto: ProtocolRequest) -> str | None:
    """The Accept header, or the media type that ``_format`` (given once) names instead."""
    return wanted(request.headers.get("accept"), proto.formats).accept


async def _answer(request: Request, runtime: Runtime, proto: ProtocolRequest) -> Response:
    """The one path of a protocol request: inspect (on the loop when the text is short and
    plain, else in a thread), negotiate, then run through the runner's slots."""
    accept = _accept(request, proto)
    if not proto.queries:
        return await run_in_threadpool(_describe_service, request, runtime, accept)
    query = proto.queries[0]
    runner = runtime.sparql
    defaults, named = proto.default_graphs, proto.named_graphs
    info = runner.inspect_if_cheap(query, default_graphs=defaults, named_graphs=named)
    if info is None:  # in the framework's threads, like every page: not the query slots'
        info = await run_in_threadpool(
            runner.inspect, query, default_graphs=defaults, named_graphs=named
        )
    offers = GRAPH_RESULT_FORMATS if info.returns_graph else RESULT_FORMATS
    result = await runner.run_async(
        query, accept=negotiate(accept, offers), default_graphs=defaults, named_graphs=named
    )
    return result_response(result)


def _describe_service(request: Request, runtime: Runtime, accept: str | None) -> Response:
    """Without a query: the query page for a browser, else the service description."""
    if request.method == "GET" and prefers_html(accept):
        return query_page(request, runtime)
    media_type = negotiate(accept, DESCRIPTION_MEDIA_TYPES)
    endpoint = runtime.uris.base + "/sparql"  # never the request's Host (12.7)
    body = serialize_graph(
        service_description(endpoint, runtime.sparql.prefixes),
        RdfFormat(media_type),
        prefixes={"sd": "http://www.w3.org/ns/sparql-service-description#"},
    )
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


def query_page(request: Request, runtime: Runtime) -> Response:
    """The query page: an editor, the named queries as examples, a results table."""
    examples = runtime.queries.examples()
    default = examples[0]["text"] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10\n"
    return templates.TemplateResponse(
        request,
        "sparql.html",
        {
            "examples": examples,
            "default_query": default,
            "row_cap": runtime.settings.query_row_cap,
            "timeout_s": runtime.settings.query_timeout_s,
        },
        headers={"Vary": "Accept"},
    )
