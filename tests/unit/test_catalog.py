"""Pure parts of the catalogue: paging arithmetic, Hydra views, rendering, identifiers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from rdflib import Graph, Literal, URIRef

from sro_graph.catalog import (
    DCAT_PREFIX_LINE,
    CatalogEntry,
    CatalogSnapshot,
    Page,
    PageUrl,
    catalog_view,
    page_triples,
    render_catalog,
)
from sro_graph.catalog.declared import lead_agent
from sro_graph.catalog.describe import record_uuid
from sro_graph.rdfio import RdfFormat
from sro_graph.vocab import DCAT, DCTERMS, HYDRA, RDF

CAT = URIRef("https://sro.test/id/catalogus/sro-graph")


def _snapshot(n: int) -> CatalogSnapshot:
    header = ((CAT, RDF.type, DCAT.Catalog),)
    entries = []
    for i in range(n):
        iri = URIRef(f"https://sro.test/id/dataset/d{i:02d}")
        triples = ((iri, RDF.type, DCAT.Dataset), (iri, DCTERMS.title, Literal(f"d{i}", lang="nl")))
        when = datetime(2026, 1, 1 + i, tzinfo=UTC)
        entries.append(CatalogEntry(iri, "dataset", when, triples, frozenset()))
    return CatalogSnapshot("v1", CAT, header, frozenset(), tuple(entries), {})


def test_page_last_rounds_up_and_is_at_least_one() -> None:
    assert Page(1, 7, 22).last == 4
    assert Page(1, 7, 21).last == 3
    assert Page(1, 20, 0).last == 1


def test_page_url_is_absolute_and_keeps_filters() -> None:
    url = PageUrl("https://sro.test/catalog", 5, {"modified_since": "2026-01-01T00:00:00+00:00"})
    assert url(2) == (
        "https://sro.test/catalog?modified_since=2026-01-01T00%3A00%3A00%2B00%3A00"
        "&page=2&pageSize=5"
    )


def test_build_page_graph_middle_page_has_all_links_new_and_legacy() -> None:
    snap = _snapshot(5)
    urls = PageUrl("https://sro.test/catalog", 2)
    graph = Graph()
    for triple in page_triples(snap, list(snap.entries), Page(2, 2, 5), urls):
        graph.add(triple)
    view = URIRef(urls(2))
    assert (view, RDF.type, HYDRA.PartialCollectionView) in graph
    assert (view, RDF.type, HYDRA.PagedCollection) in graph
    for new, legacy, number in (
        (HYDRA.next, HYDRA.nextPage, 3),
        (HYDRA.previous, HYDRA.previousPage, 1),
        (HYDRA.last, HYDRA.lastPage, 3),
    ):
        assert graph.value(view, new) == URIRef(urls(number))
        assert graph.value(view, legacy) == URIRef(urls(number))
    assert graph.value(CAT, HYDRA.totalItems) == Literal(5)
    assert set(graph.objects(CAT, DCAT.dataset)) == {
        snap.entries[2].resource,
        snap.entries[3].resource,
    }


def test_catalog_view_unpaged_has_no_links_and_every_entry() -> None:
    view = catalog_view(_snapshot(3), RdfFormat.NTRIPLES, base_url="https://sro.test/catalog")
    assert view.links == {}
    assert view.total_items == 3
    assert view.body.count(b"<http://www.w3.org/ns/dcat#dataset>") == 3


def test_catalog_view_modified_since_keeps_only_later_entries() -> None:
    view = catalog_view(
        _snapshot(4),
        RdfFormat.NTRIPLES,
        base_url="x",
        modified_since=datetime(2026, 1, 2, tzinfo=UTC),
    )
    assert view.total_items == 2


def test_catalog_view_last_page_has_prev_not_next() -> None:
    view = catalog_view(
        _snapshot(5), RdfFormat.TURTLE, base_url="https://sro.test/catalog", page=3, page_size=2
    )
    assert set(view.links) == {"first", "last", "prev"}


def test_render_catalog_turtle_has_explicit_dcat_prefix_line() -> None:
    body = render_catalog(_snapshot(1).triples(), RdfFormat.TURTLE)
    assert DCAT_PREFIX_LINE in body


def test_render_catalog_is_byte_stable() -> None:
    snap = _snapshot(3)
    assert render_catalog(snap.triples(), RdfFormat.TURTLE) == render_catalog(
        _snapshot(3).triples(), RdfFormat.TURTLE
    )


def test_record_identifier_is_uuid5_of_resource_iri() -> None:
    iri = "https://sro.test/id/dataset/kennisgraaf-initiatieven"
    assert record_uuid(iri) == str(uuid.uuid5(uuid.NAMESPACE_URL, iri))


def test_lead_agent_prefers_trekker_then_initiatiefnemer_then_first() -> None:
    a, b, c = (URIRef(f"https://sro.test/id/organisatie/{x}") for x in "abc")
    role = "https://sro.test/id/concept/rol-lokaal-bestuur/"
    rows = [
        {"agent": a},
        {"agent": b, "role": URIRef(role + "initiatiefnemer")},
        {"agent": c, "role": URIRef(role + "trekker")},
    ]
    assert lead_agent(rows) == c  # type: ignore[arg-type]
    assert lead_agent(rows[:2]) == b  # type: ignore[arg-type]
    assert lead_agent(rows[:1]) == a  # type: ignore[arg-type]
    assert lead_agent([]) is None
