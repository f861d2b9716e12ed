"""Serialised views of a snapshot: the whole catalogue, or one Hydra page of it.

Harvesters read the whole catalogue from one URL; API consumers may page it with Hydra (the
``PartialCollectionView`` terms and the legacy ``PagedCollection`` ones) and absolute URLs
built from the configured base, so paging links are right behind a proxy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from sro_graph.catalog.model import CatalogEntry, CatalogSnapshot, Triple
from sro_graph.catalog.profiles import in_profile
from sro_graph.catalog.reference import Reference
from sro_graph.formats import RdfFormat
from sro_graph.profiles import DCAT_AP, DCAT_AP_VL, OSLO, Profile
from sro_graph.rdfio import serialize_graph, write_statements
from sro_graph.vocab import HYDRA, RDF, SPDX, official_prefixes

__all__ = [
    "CATALOG_PREFIXES",
    "DCAT_PREFIX_LINE",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "CatalogView",
    "Page",
    "PageUrl",
    "catalog_view",
    "page_triples",
    "render_catalog",
    "render_statements",
]

JsonLdContext = tuple[Mapping[str, Any], str]
"""A JSON-LD context (used locally, never fetched) and the URL it is served at."""

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
DCAT_PREFIX_LINE = b"@prefix dcat: <http://www.w3.org/ns/dcat#> ."

# The catalogue's prefixes: official namespaces only (schema is http://schema.org/).
CATALOG_PREFIXES = {
    **{
        k: v
        for k, v in official_prefixes().items()
        if k
        in (
            "rdf",
            "rdfs",
            "xsd",
            "skos",
            "dct",
            "foaf",
            "dcat",
            "adms",
            "vcard",
            "mdcat",
            "hydra",
            "org",
            "schema",
        )
    },
    "spdx": str(SPDX),
}


@dataclass(frozen=True)
class Page:
    """One page of the catalogue, for Hydra views and Link headers."""

    number: int
    size: int
    total_items: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total_items // self.size))


class PageUrl:
    """Absolute page URLs from the configured base (right behind a proxy)."""

    def __init__(self, base_url: str, size: int, extra: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.size = size
        self.extra = extra or {}

    def __call__(self, number: int) -> str:
        params = {**self.extra, "page": str(number), "pageSize": str(self.size)}
        return f"{self.base_url}?{urlencode(params)}"


@dataclass(frozen=True)
class CatalogView:
    """A serialised catalogue (whole or one page) and its page links (rel → absolute URL)."""

    body: bytes
    links: dict[str, str]
    total_items: int


def page_triples(
    snapshot: CatalogSnapshot, entries: list[CatalogEntry], page: Page, page_url: PageUrl
) -> Iterator[Triple]:
    """A page of entries with a Hydra view (new terms and the legacy PagedCollection ones)."""
    start = (page.number - 1) * page.size
    yield from snapshot.triples(entries[start : start + page.size])
    view = URIRef(page_url(page.number))
    collection = snapshot.catalog
    total = Literal(page.total_items)
    yield (collection, RDF.type, HYDRA.Collection)
    yield (collection, HYDRA.totalItems, total)
    yield (collection, HYDRA.view, view)
    yield (view, RDF.type, HYDRA.PartialCollectionView)
    yield (view, RDF.type, HYDRA.PagedCollection)
    yield (view, HYDRA.totalItems, total)
    yield (view, HYDRA.itemsPerPage, Literal(page.size))
    links = {"first": 1, "last": page.last}
    if page.number > 1:
        links["previous"] = page.number - 1
    if page.number < page.last:
        links["next"] = page.number + 1
    legacy = {
        "first": HYDRA.firstPage,
        "last": HYDRA.lastPage,
        "previous": HYDRA.previousPage,
        "next": HYDRA.nextPage,
    }
    for rel, number in links.items():
        target = URIRef(page_url(number))
        yield (view, HYDRA[rel], target)
        yield (view, legacy[rel], target)


def render_catalog(
    triples: Iterable[Triple], fmt: RdfFormat, *, context: JsonLdContext | None = None
) -> bytes:
    """Serialise for harvesters: Turtle always carries the explicit ``@prefix dcat:`` line
    (the harvester's format detection needs it, notes §5.2). The snapshot states its triples
    in a fixed order, so the same catalogue gives the same bytes. With a ``context``, JSON-LD
    is compacted with it (the OSLO JSON-LD form)."""
    if context is not None and fmt == RdfFormat.JSONLD:
        return _compact(triples, context)
    body = serialize_graph(triples, fmt, prefixes=CATALOG_PREFIXES)
    if fmt == RdfFormat.TURTLE and DCAT_PREFIX_LINE not in body:
        body = DCAT_PREFIX_LINE + b"\n" + body
    return body


def render_statements(statements: Iterable[ox.Triple], fmt: RdfFormat) -> bytes:
    """:func:`render_catalog` for statements already in pyoxigraph's terms (the same bytes)."""
    body = write_statements(statements, fmt, prefixes=CATALOG_PREFIXES)
    if fmt == RdfFormat.TURTLE and DCAT_PREFIX_LINE not in body:
        body = DCAT_PREFIX_LINE + b"\n" + body
    return body


def catalog_view(
    snapshot: CatalogSnapshot,
    fmt: RdfFormat,
    *,
    base_url: str,
    page: int | None = None,
    page_size: int | None = None,
    modified_since: datetime | None = None,
    profile: Profile = DCAT_AP_VL,
    ref: Reference | None = None,
    context: JsonLdContext | None = None,
) -> CatalogView:
    """The catalogue (``page`` and ``page_size`` None: whole and unpaged, for harvesters) or
    one Hydra page of it, in ``profile``; ``modified_since`` keeps only entries changed after
    it. ``context`` compacts JSON-LD in the OSLO profile."""
    entries = snapshot.select(modified_since)
    compact = context if profile == OSLO else None

    def render(triples: Iterable[Triple]) -> bytes:
        chosen = in_profile(triples, profile, ref) if ref is not None else triples
        return render_catalog(chosen, fmt, context=compact)

    if page is None and page_size is None:
        if profile != DCAT_AP and compact is None:  # the catalogue as built, in any syntax
            return CatalogView(
                render_statements(snapshot.statements(entries), fmt), {}, len(entries)
            )
        return CatalogView(render(snapshot.triples(entries)), {}, len(entries))
    size = min(max(1, page_size or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    extra = {"modified_since": modified_since.isoformat()} if modified_since else {}
    urls = PageUrl(base_url, size, extra)
    info = Page(number=max(1, page or 1), size=size, total_items=len(entries))
    body = render(page_triples(snapshot, entries, info, urls))
    links = {"first": urls(1), "last": urls(info.last)}
    if info.number > 1:
        links["prev"] = urls(info.number - 1)
    if info.number < info.last:
        links["next"] = urls(info.number + 1)
    return CatalogView(body, links, len(entries))


def _compact(triples: Iterable[Triple], context: JsonLdContext) -> bytes:
    """JSON-LD compacted with a local context, then pointing at the served one."""
    local, url = context
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    doc = json.loads(graph.serialize(format="json-ld", context=dict(local)))
    if isinstance(doc, dict):
        doc["@context"] = url
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
