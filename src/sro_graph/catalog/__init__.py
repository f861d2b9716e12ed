"""The DCAT-AP Vlaanderen 3.0 catalogue of the knowledge graph, as Datavindplaats harvests it.

Our datasets (initiatives, organisations and bodies, each concept scheme) with full-dump
distributions, the datasets initiatives declare, and our data services, each with a catalogue
record; official namespaces only. docs/catalog.md tells what is published and why.

Modules: ``reference`` (official IRIs, labels and texts, from ``reference.ttl``), ``sources``
and ``declared`` (what is read from the store), ``describe`` (the DCAT statements), ``dumps``,
``build`` (one snapshot), ``views`` (whole or paged, serialised), ``service`` (caching).
"""

from __future__ import annotations

from sro_graph.catalog.dumps import DUMP_FORMATS, DumpFormat
from sro_graph.catalog.model import CatalogEntry, CatalogSnapshot, Dump, Triple
from sro_graph.catalog.service import Catalog
from sro_graph.catalog.views import (
    CATALOG_PREFIXES,
    DCAT_PREFIX_LINE,
    MAX_PAGE_SIZE,
    CatalogView,
    Page,
    PageUrl,
    catalog_view,
    page_triples,
    render_catalog,
)

__all__ = [
    "CATALOG_PREFIXES",
    "DCAT_PREFIX_LINE",
    "DUMP_FORMATS",
    "MAX_PAGE_SIZE",
    "Catalog",
    "CatalogEntry",
    "CatalogSnapshot",
    "CatalogView",
    "Dump",
    "DumpFormat",
    "Page",
    "PageUrl",
    "Triple",
    "catalog_view",
    "page_triples",
    "render_catalog",
]
