"""Dereferenceable URIs: ``/id/...`` answers 303 to ``/doc/...``, which negotiates HTML and RDF.

Also the vocabulary (``/ns/smartregio``, HTML with ``#Term`` anchors) and the JSON-LD context
(``/ns/context.jsonld``). Unknown things are 404 in the negotiated format.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import URIRef

from sro_graph.errors import NotFoundError
from sro_graph.formats import MediaType, RdfFormat, content_type
from sro_graph.profiles import DCAT_AP, DCAT_AP_VL, OSLO, Profile
from sro_graph.web.conneg import AcceptDep, Wanted
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.profiles import Offer, UrlFor, alternates_response, negotiate_pair, with_query
from sro_graph.web.templating import templates
from sro_graph.web.views import render_resource, render_vocabulary

router = APIRouter(tags=["linked data"])

HTML = MediaType.HTML
# HTML pages follow Accept-Language (nl first), RDF follows Accept.
VARY = "Accept, Accept-Language"
JSON = MediaType.JSON
RDF_OFFERS = (RdfFormat.TURTLE, RdfFormat.JSONLD, RdfFormat.RDFXML, RdfFormat.NTRIPLES)
# Offers in the server's order of preference: browsers get HTML, machines pick an RDF syntax.
OFFERS: tuple[str, ...] = (HTML, *RDF_OFFERS, JSON)
EXTENSIONS: dict[str, str] = {"html": HTML, **{f.extension: f for f in RDF_OFFERS}}


def split_extension(path: str) -> tuple[str, str | None]:
    """``initiatief/x.ttl`` → (``initiatief/x``, ``text/turtle``); other paths unchanged."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext.lower() in EXTENSIONS:
        return stem, EXTENSIONS[ext.lower()]
    return path, None


def _choose(wants: Wanted, forced: str | None) -> str:
    if forced is not None:
        return forced
    return wants.choose(OFFERS)


def header_path(path: str) -> str:
    """``path`` as it may stand in a header (Location, Link): non-ASCII and reserved bytes
    percent-encoded (headers are Latin-1; a raw 'Ā' would be a server error)."""
    return quote(path, safe="/:@!$&'()*+,;=-._~")


def _link_header(doc_path: str) -> str:
    return ", ".join(
        f'<{doc_path}.{ext}>; rel="alternate"; type="{media}"' for ext, media in EXTENSIONS.items()
    )


def _not_found(
    request: Request, media: str, exc: NotFoundError, headers: dict[str, str]
) -> Response:
    """A 404 in the negotiated format: an HTML page, a JSON body, or an empty RDF document
    whose comment says why."""
    detail = " ".join(exc.detail.split())
    if media == HTML:
        return templates.TemplateResponse(
            request, "not_found.html", {"detail": detail}, status_code=404, headers=headers
        )
    if media in (JSON, RdfFormat.JSONLD.value):
        body = json.dumps({"error": exc.code, "detail": detail}).encode("utf-8")
    elif media == RdfFormat.RDFXML.value:
        # A fixed comment: request text in an XML comment could end it ("--->", 12.7).
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f"<!-- {exc.code}: nothing is described at this address -->\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        ).encode()
    else:
        body = f"# {exc.code}: {detail}\n".encode()
    return Response(body, status_code=404, media_type=content_type(media), headers=headers)


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], include_in_schema=True)
def dereference(path: str, request: Request) -> Response:
    """A thing's URI: 303 See Other to the document that describes it."""
    target = header_path(f"/doc/{path}")
    if request.url.query:
        target += f"?{request.url.query}"
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


@router.api_route("/doc/{path:path}", methods=["GET", "HEAD"])
def document(path: str, request: Request, runtime: RuntimeDep) -> Response:
    """The document about ``/id/{path}``: HTML, Turtle, JSON-LD, RDF/XML or N-Triples
    (by Accept, or by an extension such as ``.ttl``), in a profile by ``Accept-Profile`` or
    ``_profile`` (``oslo``; ``dcat-ap-vl`` and ``dcat-ap`` for what the catalogue
    describes; ``_profile=alt`` lists them)."""
    ld = runtime.linkeddata
    stem, forced = split_extension(path)
    doc_path = header_path(f"/doc/{stem}")
    iri = ld.iri_for_path(stem)
    offers = [Offer(OSLO, OFFERS)]
    if runtime.catalog.describe(iri):
        offers += [Offer(DCAT_AP_VL, RDF_OFFERS), Offer(DCAT_AP, RDF_OFFERS)]
    url_for = _doc_url_for(ld.uris.base + doc_path)
    alternates = alternates_response(request, str(iri), offers, OSLO, url_for)
    if alternates is not None:
        return alternates
    chosen = negotiate_pair(request, offers, OSLO, forced_media_type=forced, url_for=url_for)
    media = chosen.media_type
    headers = dict(chosen.headers)
    headers["Link"] = ", ".join((headers["Link"], _link_header(doc_path)))
    if chosen.profile != OSLO:
        fmt = RdfFormat(media)
        body = runtime.catalog.render_resource(iri, chosen.profile, fmt)
        return Response(body, media_type=content_type(media), headers=headers)
    try:
        graph = ld.describe(iri)
    except NotFoundError as exc:
        return _not_found(request, media, exc, headers)
    if media == HTML:
        return render_resource(
            request, ld, iri, graph, headers=headers, texts=runtime.founding_text
        )
    fmt = RdfFormat.JSONLD if media == JSON else RdfFormat(media)
    if forced is None:
        ext = next(e for e, m in EXTENSIONS.items() if m == fmt.value)
        headers["Content-Location"] = f"{doc_path}.{ext}"
    return Response(ld.serialize(graph, fmt), media_type=content_type(media), headers=headers)


def _doc_url_for(doc_url: str) -> UrlFor:
    """Alternates of a document: its extension for the media type, ``_profile`` for the
    profile."""

    def url_for(profile: Profile, media_type: str) -> str:
        ext = next((e for e, m in EXTENSIONS.items() if m == media_type), None)
        return with_query(f"{doc_url}.{ext}" if ext else doc_url, _profile=profile.token)

    return url_for


@router.api_route("/ns/context.jsonld", methods=["GET", "HEAD"])
def context(runtime: RuntimeDep) -> Response:
    """The project's JSON-LD context, with this deployment's base filled in."""
    body = json.dumps(runtime.linkeddata.context_document(), ensure_ascii=False, indent=2)
    return Response(
        body.encode("utf-8"),
        media_type=RdfFormat.JSONLD,
        headers={"Access-Control-Allow-Origin": "*"},
    )


@router.api_route("/ns/{name}", methods=["GET", "HEAD"])
def vocabulary(name: str, request: Request, runtime: RuntimeDep, wants: AcceptDep) -> Response:
    """The project vocabulary (``/ns/smartregio``): an HTML page with ``#Term`` anchors, or
    its RDF."""
    ld = runtime.linkeddata
    stem, forced = split_extension(name)
    media = _choose(wants, forced)
    doc_path = header_path(f"/ns/{stem}")
    headers = {"Vary": VARY, "Link": _link_header(doc_path)}
    try:
        if stem != "smartregio":
            raise NotFoundError(f"There is no vocabulary /ns/{stem}.")
        graph = ld.vocabulary()
    except NotFoundError as exc:
        return _not_found(request, media, exc, headers)
    if media == HTML:
        return render_vocabulary(request, ld, URIRef(ld.uris.ontology), graph, headers=headers)
    fmt = RdfFormat.JSONLD if media == JSON else RdfFormat(media)
    return Response(ld.serialize(graph, fmt), media_type=content_type(media), headers=headers)
