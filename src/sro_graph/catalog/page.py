"""The catalogue for people: plain values the ``/catalog`` HTML page lays out.

Each dataset and data service with its title and description in the asked language (Dutch
first), its publisher, last change, page and downloads; no RDF reaches the template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rdflib import Literal, URIRef
from rdflib.term import Node

from sro_graph.catalog.model import CatalogEntry, CatalogSnapshot
from sro_graph.vocab import DCAT, DCTERMS, FOAF, Uris

__all__ = ["CatalogPage", "Download", "PageEntry", "catalog_page"]


@dataclass(frozen=True)
class Download:
    title: str
    url: str
    media_type: str
    size: int | None


@dataclass(frozen=True)
class PageEntry:
    iri: str
    href: str
    kind: str
    title: str
    description: str
    publisher: str
    modified: datetime
    downloads: tuple[Download, ...]
    endpoint: str | None


@dataclass(frozen=True)
class CatalogPage:
    title: str
    description: str
    modified: datetime
    datasets: tuple[PageEntry, ...]
    services: tuple[PageEntry, ...]


def _text(values: list[Node], lang: str) -> str:
    literals = [v for v in values if isinstance(v, Literal)]
    for wanted in (lang, "nl", "en", None):
        for literal in literals:
            if literal.language == wanted:
                return str(literal)
    return str(literals[0]) if literals else ""


def catalog_page(snapshot: CatalogSnapshot, uris: Uris, lang: str) -> CatalogPage:
    """The catalogue's page in ``lang`` (``nl`` or ``en``)."""
    index: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in snapshot.triples():
        index.setdefault(s, {}).setdefault(p, []).append(o)

    def facts(node: Node) -> dict[Node, list[Node]]:
        return index.get(node, {})

    def entry(e: CatalogEntry) -> PageEntry:
        own = facts(e.resource)
        publisher = next(iter(own.get(DCTERMS.publisher, [])), None)
        downloads = []
        for distribution in sorted(own.get(DCAT.distribution, []), key=str):
            d = facts(distribution)
            url = next(iter(d.get(DCAT.downloadURL, [])), None)
            size = next(iter(d.get(DCAT.byteSize, [])), None)
            media = next(iter(d.get(DCAT.mediaType, [])), None)
            if url is not None:
                downloads.append(
                    Download(
                        title=_text(d.get(DCTERMS.title, []), lang),
                        url=str(url).removeprefix(uris.base),
                        media_type=str(media or "").rsplit("/media-types/", 1)[-1],
                        size=int(str(size)) if size is not None else None,
                    )
                )
        endpoint = next(iter(own.get(DCAT.endpointURL, [])), None)
        return PageEntry(
            iri=str(e.resource),
            href=(uris.doc_for(str(e.resource)) or str(e.resource)).removeprefix(uris.base),
            kind=e.kind,
            title=_text(own.get(DCTERMS.title, []), lang),
            description=_text(own.get(DCTERMS.description, []), lang),
            publisher=_text(facts(publisher).get(FOAF.name, []), lang) if publisher else "",
            modified=e.modified,
            downloads=tuple(downloads),
            endpoint=str(endpoint).removeprefix(uris.base) if endpoint else None,
        )

    header = facts(URIRef(snapshot.catalog))
    entries = [entry(e) for e in snapshot.entries]
    return CatalogPage(
        title=_text(header.get(DCTERMS.title, []), lang),
        description=_text(header.get(DCTERMS.description, []), lang),
        modified=snapshot.modified,
        datasets=tuple(e for e in entries if e.kind == "dataset"),
        services=tuple(e for e in entries if e.kind == "service"),
    )
