"""The Smart Region Office's instruments as pages: partners, lighthouses (+ Atom feed), joint
procurement, funding, municipality coverage and the objective x challenge matrix.

Handlers are plain ``def`` (store calls block); each makes one call into
:class:`~sro_graph.instruments.Instruments` and lays the values out. The same answers are
named queries under ``/queries/{name}`` for developers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sro_graph.formats import MediaType, content_type
from sro_graph.instruments import Coverage, Lighthouse
from sro_graph.vocab import Uris
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.heatmap import matrix_context
from sro_graph.web.templating import request_lang, templates

router = APIRouter(prefix="/instrumenten", tags=["instruments"], include_in_schema=False)

TILE = 16
TILE_GAP = 3
TILES_PER_ROW = 16


def _href(uris: Uris, iri: str) -> str:
    """Our own ``/id/`` URIs link to their page on this site; others to themselves."""
    doc = uris.doc_for(iri)
    return doc.removeprefix(uris.base) if doc else iri


def _page(request: Request, name: str, context: dict[str, object]) -> Response:
    return templates.TemplateResponse(request, name, context)


@router.get("")
def index(request: Request) -> Response:
    """The instruments of the Smart Region Office."""
    return _page(request, "instruments_index.html", {})


@router.get("/partners")
def partners(
    request: Request, runtime: RuntimeDep, initiatief: str = "", gemeente: str = ""
) -> Response:
    """Partners for an initiative or a municipality, ranked by shared challenges, problem
    domains and kinds of data use."""
    lang = request_lang(request)
    tools = runtime.instruments
    found = None
    if initiatief or gemeente:
        found = tools.partners(
            initiative=initiatief or None, municipality=gemeente or None, lang=lang
        )
    municipalities = sorted(tools.coverage(), key=lambda c: c.name)
    return _page(
        request,
        "instruments_partners.html",
        {
            "partners": found,
            "initiatief": initiatief,
            "gemeente": gemeente,
            "initiatives": tools.initiative_choices(lang),
            "municipalities": municipalities,
            "href": lambda iri: _href(runtime.uris, iri),
        },
    )


@router.get("/vuurtorens")
def lighthouses(request: Request, runtime: RuntimeDep) -> Response:
    """Lighthouse initiatives with what makes them reusable, newest first."""
    items = runtime.instruments.lighthouses(request_lang(request))
    return _page(
        request,
        "instruments_lighthouses.html",
        {
            "items": items,
            "href": lambda iri: _href(runtime.uris, iri),
        },
    )


@router.get("/vuurtorens.atom")
def lighthouses_feed(request: Request, runtime: RuntimeDep) -> Response:
    """An Atom feed of the lighthouse initiatives, newest first."""
    lang = request_lang(request)
    items = runtime.instruments.lighthouses(lang)
    # Every link from the configured base, never from the request's Host header (12.7).
    body = _atom(items, base=runtime.uris.base, site=runtime.uris.base, lang=lang)
    return Response(body, media_type=content_type(MediaType.ATOM))


def _atom(items: Sequence[Lighthouse], *, base: str, site: str, lang: str) -> bytes:
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    updated = max((i.start for i in items if i.start), default=epoch)
    title = "Lighthouse initiatives" if lang == "en" else "Vuurtorenprojecten"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">',
        f"<title>{escape(title)} · sro-graph</title>",
        f"<id>{escape(base)}/instrumenten/vuurtorens</id>",
        f'<link rel="self" href="{escape(site)}/instrumenten/vuurtorens.atom"/>',
        f'<link rel="alternate" type="text/html" href="{escape(site)}/instrumenten/vuurtorens"/>',
        f"<updated>{updated.isoformat()}</updated>",
        "<author><name>sro-graph (project)</name></author>",
    ]
    for item in items:
        summary = item.description
        if item.building_blocks:
            summary += " · " + ", ".join(item.building_blocks)
        label = ("Example: " if lang == "en" else "Voorbeeld: ") if item.example else ""
        lines += [
            "<entry>",
            f"<title>{escape(label + item.title)}</title>",
            f"<id>{escape(item.iri)}</id>",
            f'<link rel="alternate" href="{escape(item.iri)}"/>',
            f"<updated>{(item.start or epoch).isoformat()}</updated>",
            f"<summary>{escape(summary)}</summary>",
            *(
                ['<category term="voorbeeld" label="illustratief voorbeeld"/>']
                if item.example
                else []
            ),
            "</entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


@router.get("/gezamenlijke-aankoop")
def joint_procurement(request: Request, runtime: RuntimeDep) -> Response:
    """Clusters of local governments that could procure a solution together."""
    clusters = runtime.instruments.procurement_clusters(request_lang(request))
    return _page(
        request,
        "instruments_procurement.html",
        {
            "clusters": clusters,
            "href": lambda iri: _href(runtime.uris, iri),
        },
    )


@router.get("/financiering")
def funding(request: Request, runtime: RuntimeDep) -> Response:
    """Per programme: the initiatives, municipalities, budgets, challenges and objectives."""
    programmes = runtime.instruments.funding(request_lang(request))
    return _page(
        request,
        "instruments_funding.html",
        {
            "programmes": programmes,
            "href": lambda iri: _href(runtime.uris, iri),
        },
    )


@dataclass(frozen=True)
class Tile:
    municipality: Coverage
    x: int
    y: int
    css: str


@dataclass(frozen=True)
class ProvinceTiles:
    name: str
    tiles: tuple[Tile, ...]
    width: int
    height: int
    total: int
    covered: int
    initiatives: int


def _tile_css(count: int) -> str:
    return "t0" if count == 0 else "t1" if count == 1 else "t2" if count == 2 else "t3"


def province_tiles(rows: Sequence[Coverage]) -> list[ProvinceTiles]:
    """One tile per municipality, grouped by province, alphabetically within it."""
    provinces: dict[str, list[Coverage]] = {}
    for row in rows:
        provinces.setdefault(row.province_name, []).append(row)
    out = []
    for name in sorted(provinces):
        members = sorted(provinces[name], key=lambda c: c.name)
        step = TILE + TILE_GAP
        tiles = tuple(
            Tile(m, (i % TILES_PER_ROW) * step, (i // TILES_PER_ROW) * step, _tile_css(m.count))
            for i, m in enumerate(members)
        )
        rows_needed = (len(members) + TILES_PER_ROW - 1) // TILES_PER_ROW
        out.append(
            ProvinceTiles(
                name=name,
                tiles=tiles,
                width=TILES_PER_ROW * step,
                height=max(1, rows_needed) * step,
                total=len(members),
                covered=sum(1 for m in members if m.count),
                initiatives=sum(m.count for m in members),
            )
        )
    return out


@router.get("/dekking")
def coverage(request: Request, runtime: RuntimeDep) -> Response:
    """Every Flemish municipality with its number of initiatives, those with none first,
    and a tile chart per province."""
    rows = runtime.instruments.coverage()
    return _page(
        request,
        "instruments_coverage.html",
        {
            "rows": rows,
            "provinces": province_tiles(rows),
            "without": sum(1 for r in rows if r.count == 0),
        },
    )


@router.get("/matrix")
def matrix(request: Request, runtime: RuntimeDep) -> Response:
    """The 7 strategic objectives against the 9 challenges, counting initiatives."""
    return _page(
        request,
        "instruments_matrix.html",
        matrix_context(runtime.instruments, request_lang(request)),
    )
