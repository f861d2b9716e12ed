"""The change stream as a Linked Data Event Stream: the stream, its view, its fragments.

Fragments that have a next one never change: they are served with a year's cache lifetime
and ``immutable``; the last fragment, the view and the stream's description grow and are
served with a short one. Turtle by default; JSON-LD and N-Triples by Accept; a page with the
links to follow for browsers.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from rdflib import Graph, URIRef

from sro_graph.formats import MediaType, RdfFormat, content_type
from sro_graph.rdfio import serialize_graph
from sro_graph.web.conneg import AcceptDep
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.http import not_modified, respond, strong_etag
from sro_graph.web.templating import templates

router = APIRouter(tags=["change stream"])

# Turtle first: what a client gets without asking; browsers ask for HTML.
OFFERS = (RdfFormat.TURTLE, RdfFormat.JSONLD, RdfFormat.NTRIPLES, MediaType.HTML)
IMMUTABLE = "public, max-age=31536000, immutable"
GROWING = "public, max-age=10, must-revalidate"
PREFIXES = {
    "ldes": "https://w3id.org/ldes#",
    "tree": "https://w3id.org/tree#",
    "as": "https://www.w3.org/ns/activitystreams#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _page(request: Request, base: str, graph: Graph, headers: dict[str, str]) -> Response:
    """For people: the stream's pages to follow, and the Turtle itself."""
    here = base + request.url.path
    targets = sorted(
        {
            str(term)
            for triple in graph
            for term in (triple[0], triple[2])
            if isinstance(term, URIRef) and str(term).startswith(base + "/ldes/")
        }
        - {here},
        key=lambda url: (len(url), url),
    )
    links = [{"href": url.removeprefix(base), "label": url} for url in targets]
    turtle = serialize_graph(sorted(graph), RdfFormat.TURTLE, prefixes=PREFIXES).decode()
    return templates.TemplateResponse(
        request, "ldes.html", {"links": links, "turtle": turtle}, headers=headers
    )


def _answer(
    request: Request, runtime: RuntimeDep, wants: AcceptDep, graph: Graph, cache: str
) -> Response:
    chosen = wants.choose(OFFERS)
    if chosen == MediaType.HTML:
        headers = {"Vary": "Accept", "Cache-Control": cache}
        return _page(request, runtime.uris.base, graph, headers)
    fmt = RdfFormat(chosen)
    # Sorted: the same statements give the same bytes in every process (stable ETags).
    body = serialize_graph(sorted(graph), fmt, prefixes=PREFIXES)
    etag = strong_etag(body)
    headers = {"ETag": etag, "Cache-Control": cache, "Vary": "Accept, Accept-Encoding"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return respond(request, body, content_type(fmt), headers)


@router.api_route("/ldes/kennisgraaf", methods=["GET", "HEAD"])
def stream(request: Request, runtime: RuntimeDep, wants: AcceptDep) -> Response:
    """The event stream of versions of initiatives and organisations (ldes:EventStream)."""
    return _answer(request, runtime, wants, runtime.change_stream.description(), GROWING)


@router.api_route("/ldes/kennisgraaf/tijd", methods=["GET", "HEAD"])
def view(request: Request, runtime: RuntimeDep, wants: AcceptDep) -> Response:
    """The stream's view: a relation to every fragment, by the time it starts."""
    return _answer(request, runtime, wants, runtime.change_stream.view(), GROWING)


@router.api_route("/ldes/kennisgraaf/tijd/{number}", methods=["GET", "HEAD"])
def fragment(
    request: Request,
    runtime: RuntimeDep,
    wants: AcceptDep,
    number: str = Path(pattern=r"^(?:[1-9][0-9]{0,6}|10000000)$"),
) -> Response:
    """One fragment of the stream: its version objects in time order, and a relation to the
    next fragment once there is one (then it never changes again). Only the canonical
    spelling of its number names it (no '01', '+1' or '\\n1' aliases of a cached fragment)."""
    page = runtime.change_stream.fragment(int(number))
    return _answer(request, runtime, wants, page.graph, IMMUTABLE if page.immutable else GROWING)
