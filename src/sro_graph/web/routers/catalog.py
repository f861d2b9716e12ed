"""The DCAT-AP Vlaanderen catalogue (harvest URL) and the full dumps its distributions name.

``/catalog`` is unpaged by default (the Metadata Vlaanderen harvester reads one URL); paging
with Hydra and RFC 5988 ``Link`` headers is there for API consumers. Responses carry an ETag
derived from the store version and a Last-Modified from the latest real change; conditional
requests get 304. Bodies are gzipped when the client asks for it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sro_graph.catalog import DUMP_FORMATS, MAX_PAGE_SIZE
from sro_graph.errors import BadParameterError, NotFoundError
from sro_graph.formats import MediaType, RdfFormat, content_type
from sro_graph.profiles import DCAT_AP, DCAT_AP_VL, OSLO, Profile
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.http import not_modified, respond, strong_etag, weak_etag
from sro_graph.web.profiles import Offer, UrlFor, alternates_response, negotiate_pair, with_query
from sro_graph.web.templating import request_lang, templates

router = APIRouter(tags=["catalog"])

HTML = MediaType.HTML
XML = MediaType.XML  # RDF/XML, for clients that ask for XML
RDF_MEDIA: tuple[str, ...] = (
    RdfFormat.TURTLE,
    RdfFormat.RDFXML,
    RdfFormat.JSONLD,
    RdfFormat.NTRIPLES,
    XML,
)
# Turtle first: it is what a harvester gets without asking; browsers ask for HTML.
OFFERS = (
    Offer(DCAT_AP_VL, (*RDF_MEDIA, HTML)),
    Offer(DCAT_AP, RDF_MEDIA),
    Offer(OSLO, (RdfFormat.JSONLD,)),
)
EXTENSIONS: dict[str, str] = {
    **{f.extension: f.value for f in map(RdfFormat, RDF_MEDIA[:4])},
    "xml": XML,
    "html": HTML,
}

PageQ = Annotated[int | None, Query(ge=1, le=1_000_000, description="Page number (from 1).")]
PageSizeQ = Annotated[
    int | None,
    Query(
        alias="pageSize",
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Items per page (at most {MAX_PAGE_SIZE}); paging is off without page and "
        "pageSize.",
    ),
]
SinceQ = Annotated[
    str | None,
    Query(description="ISO 8601 date-time: only datasets and services changed after it."),
]


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadParameterError(
            "modified_since must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z."
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _url_for(base: str) -> UrlFor:
    def url_for(profile: Profile, media_type: str) -> str:
        ext = next(e for e, m in EXTENSIONS.items() if m == media_type)
        return with_query(f"{base}/catalog.{ext}", _profile=profile.token)

    return url_for


def _catalog(
    request: Request,
    runtime: RuntimeDep,
    forced: str | None,
    page: int | None,
    page_size: int | None,
    modified_since: str | None,
) -> Response:
    since = _since(modified_since)
    base = runtime.uris.base
    url_for = _url_for(base)
    alternates = alternates_response(request, f"{base}/catalog", OFFERS, DCAT_AP_VL, url_for)
    if alternates is not None:
        return alternates
    chosen = negotiate_pair(request, OFFERS, DCAT_AP_VL, forced_media_type=forced, url_for=url_for)
    headers = dict(chosen.headers)
    if chosen.media_type == HTML:
        lang = request_lang(request)
        return templates.TemplateResponse(
            request, "catalog.html", {"page": runtime.catalog.page(lang)}, headers=headers
        )
    fmt = RdfFormat.RDFXML if chosen.media_type == XML else RdfFormat(chosen.media_type)
    base_url = f"{base}{request.url.path}"
    # The view and the validators come from one snapshot, so they always agree.
    snapshot, view = runtime.catalog.view(
        fmt,
        base_url=base_url,
        page=page,
        page_size=page_size,
        modified_since=since,
        profile=chosen.profile,
    )
    etag = weak_etag(
        snapshot.version,
        chosen.media_type,
        chosen.profile.token,
        str(page),
        str(page_size),
        str(since),
    )
    modified = snapshot.modified
    headers.update(
        {
            "ETag": etag,
            "Last-Modified": format_datetime(modified.astimezone(UTC), usegmt=True),
            "Vary": headers["Vary"] + ", Accept-Encoding",
            "Cache-Control": "public, max-age=60, must-revalidate",
        }
    )
    if not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    if view.links:
        headers["Link"] = ", ".join(
            [*(f'<{url}>; rel="{rel}"' for rel, url in view.links.items()), headers["Link"]]
        )
    media = XML if chosen.media_type == XML else content_type(fmt)
    return respond(request, view.body, media, headers)


@router.api_route("/catalog", methods=["GET", "HEAD"])
def catalog(
    request: Request,
    runtime: RuntimeDep,
    page: PageQ = None,
    page_size: PageSizeQ = None,
    modified_since: SinceQ = None,
) -> Response:
    """The DCAT-AP Vlaanderen 3.0 catalogue: Turtle (default), RDF/XML (also for
    ``application/xml``), JSON-LD or N-Triples by Accept, a readable page for browsers;
    in a profile by ``Accept-Profile`` or ``_profile`` (``dcat-ap-vl``, ``dcat-ap``, ``oslo``;
    ``_profile=alt`` lists them); unpaged unless page or pageSize is given (then Hydra paging
    and Link headers); ``modified_since`` keeps only what changed."""
    return _catalog(request, runtime, None, page, page_size, modified_since)


@router.api_route("/catalog.{ext}", methods=["GET", "HEAD"])
def catalog_with_extension(
    request: Request,
    runtime: RuntimeDep,
    ext: str,
    page: PageQ = None,
    page_size: PageSizeQ = None,
    modified_since: SinceQ = None,
) -> Response:
    """The catalogue in the format of the extension: ``.ttl``, ``.rdf``, ``.jsonld``, ``.nt``,
    ``.xml`` or ``.html``."""
    if ext not in EXTENSIONS:
        raise NotFoundError(
            "The catalogue is available as " + ", ".join(f".{e}" for e in EXTENSIONS) + "."
        )
    return _catalog(request, runtime, EXTENSIONS[ext], page, page_size, modified_since)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"])
def dump(request: Request, runtime: RuntimeDep, name: str) -> Response:
    """A full dump of one catalogue dataset: ``{dataset}.ttl``, ``.nt.gz`` or ``.jsonld``."""
    for key in sorted(DUMP_FORMATS, key=len, reverse=True):
        if name.endswith("." + key):
            found = runtime.catalog.dump(name.removesuffix("." + key), key)
            if found is not None:
                etag = strong_etag(found.body)
                headers = {
                    "ETag": etag,
                    "Content-Disposition": f'attachment; filename="{name}"',
                    "Cache-Control": "public, max-age=60, must-revalidate",
                }
                if not_modified(request, etag):
                    return Response(status_code=304, headers=headers)
                # An .nt.gz dump is already compressed: served as is.
                return respond(
                    request,
                    found.body,
                    found.content_type,
                    headers,
                    compressible=not key.endswith(".gz"),
                )
            break
    raise NotFoundError("No such dump; the catalogue (/catalog) lists every download URL.")
