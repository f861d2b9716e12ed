"""Issue 17.3: the catalogue is rebuilt incrementally after a write, and the incremental build
is the same catalogue a fresh build makes of the same store.

Each step writes (a submission, a publication request, a replacement, a withdrawal, a change
to an organisation), then compares the service's catalogue, built on from the previous one,
with a catalogue built from nothing over the same store version.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from sro_graph.catalog import Catalog
from sro_graph.catalog.model import CatalogSnapshot
from sro_graph.catalog.views import render_catalog, render_statements
from sro_graph.formats import RdfFormat
from sro_graph.knowledge import LOADED_PREDICATE
from sro_graph.store import GraphWrite
from sro_graph.vocab import DCAT, DCTERMS, SCHEMA, SKOS, XSD, Uris
from tests.conftest import STEWARD_TOKEN, TEST_BASE
from tests.integration.test_api_catalog import (
    _ask_to_publish,
    _initiative_body,
    _submit_initiative,
)

URIS = Uris(TEST_BASE)


def _fresh(client: TestClient) -> CatalogSnapshot:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return Catalog(runtime.store, runtime.uris).snapshot()


def _service(client: TestClient) -> tuple[Catalog, CatalogSnapshot]:
    catalog: Catalog = client.app.state.runtime.catalog  # type: ignore[attr-defined]
    return catalog, catalog.snapshot()


def _assert_same_catalogue(built_on: CatalogSnapshot, fresh: CatalogSnapshot) -> None:
    assert built_on.version == fresh.version
    assert list(built_on.triples()) == list(fresh.triples())  # same statements, same order
    assert dict(built_on.dumps) == dict(fresh.dumps)


def test_incremental_builds_equal_fresh_builds_through_a_series_of_writes(
    client: TestClient,
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    _assert_same_catalogue(_service(client)[1], _fresh(client))

    first = _submit_initiative(client, "stap-een", declared=True)
    _ask_to_publish(client, first, URIS.thing("dataset", "stap-een-metingen"))
    second = _submit_initiative(client, "stap-twee", declared=True)
    _ask_to_publish(client, second, URIS.thing("dataset", "stap-twee-metingen"))
    catalog, snapshot = _service(client)
    _assert_same_catalogue(snapshot, _fresh(client))
    declared = {URIS.thing("dataset", f"stap-{n}-metingen") for n in ("een", "twee")}
    assert declared <= {e.resource for e in snapshot.entries}

    # A replacement that changes the dataset's title: that entry is made again.
    record = client.get(f"/submissions/{first}")
    body = _initiative_body("stap-een", declared=True).replace(
        '"Metingen stap-een"@nl', '"Nieuwe metingen stap-een"@nl'
    )
    response = client.put(
        f"/submissions/{first}",
        content=body.encode(),
        headers={
            "Content-Type": "text/turtle",
            "Authorization": f"Bearer {STEWARD_TOKEN}",
            "If-Match": record.headers["etag"],
        },
    )
    assert response.status_code == 200, response.text
    _ask_to_publish(client, first, URIS.thing("dataset", "stap-een-metingen"))
    catalog, snapshot = _service(client)
    _assert_same_catalogue(snapshot, _fresh(client))
    assert Literal("Nieuwe metingen stap-een", lang="nl") in set(
        snapshot.full_graph().objects(URIS.thing("dataset", "stap-een-metingen"), DCTERMS.title)
    )

    # A withdrawal: the dataset leaves the catalogue.
    etag = client.get(f"/submissions/{second}").headers["etag"]
    response = client.delete(
        f"/submissions/{second}",
        headers={"Authorization": f"Bearer {STEWARD_TOKEN}", "If-Match": etag},
    )
    assert response.status_code in (200, 204), response.text
    catalog, snapshot = _service(client)
    _assert_same_catalogue(snapshot, _fresh(client))
    assert URIS.thing("dataset", "stap-twee-metingen") not in {e.resource for e in snapshot.entries}

    # A change to an organisation (the publisher's name), in a graph that does not type it:
    # every entry is made again, and the organisations' dumps too.
    renamed = Graph()
    renamed.add(
        (
            URIS.thing("organisatie", "smart-region-office"),
            SKOS.prefLabel,
            Literal("Slimme Regio Kantoor", lang="nl"),
        )
    )
    runtime.store.write(
        GraphWrite(add={f"{TEST_BASE}/graph/test-hernoemd": renamed}), new_version=uuid.uuid4().hex
    )
    catalog, snapshot = _service(client)
    _assert_same_catalogue(snapshot, _fresh(client))
    assert catalog.reuse.entries.reused == 0
    assert Literal("Slimme Regio Kantoor", lang="nl") in set(snapshot.full_graph().objects())


def test_a_submission_rebuilds_only_the_entries_it_changed(client: TestClient) -> None:
    for n in range(3):
        submission = _submit_initiative(client, f"vast-{n}", declared=True)
        _ask_to_publish(client, submission, URIS.thing("dataset", f"vast-{n}-metingen"))
    catalog, _ = _service(client)
    skipped = catalog.reuse.declared.whole_reads_skipped
    _submit_initiative(client, "nog-een")  # declares no dataset
    catalog, snapshot = _service(client)
    assert catalog.reuse.entries.made == 0
    assert catalog.reuse.entries.reused == 3
    # No graph the declared datasets come from changed: they were not read again.
    assert catalog.reuse.declared.whole_reads_skipped == skipped + 1
    _assert_same_catalogue(snapshot, _fresh(client))

    submission = _submit_initiative(client, "vast-nieuw", declared=True)
    _ask_to_publish(client, submission, URIS.thing("dataset", "vast-nieuw-metingen"))
    catalog, snapshot = _service(client)
    assert catalog.reuse.entries.made == 1
    assert catalog.reuse.entries.reused == 3
    _assert_same_catalogue(snapshot, _fresh(client))


@pytest.mark.parametrize("fmt", list(RdfFormat), ids=lambda f: f.name)
def test_a_harvest_from_kept_statements_is_byte_for_byte_the_rdflib_serialisation(
    client: TestClient, fmt: RdfFormat
) -> None:
    """The whole catalogue is written from each entry's kept pyoxigraph statements; it is
    the same document as writing its rdflib triples."""
    submission = _submit_initiative(client, "bytes", declared=True)
    _ask_to_publish(client, submission, URIS.thing("dataset", "bytes-metingen"))
    _, snapshot = _service(client)
    assert render_statements(snapshot.statements(), fmt) == render_catalog(snapshot.triples(), fmt)


def test_a_fact_from_a_graph_without_a_known_change_time_is_read_again(
    client: TestClient,
) -> None:
    """Fail closed: a graph the catalogue cannot date is never taken to be unchanged."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    submission = _submit_initiative(client, "ongedateerd", declared=True)
    dataset = URIS.thing("dataset", "ongedateerd-metingen")
    _ask_to_publish(client, submission, dataset)
    _service(client)
    for title in ("Eerste extra titel", "Tweede extra titel"):
        extra = Graph()
        extra.add((dataset, DCTERMS.title, Literal(title, lang="de")))
        runtime.store.write(
            GraphWrite(replace={f"{TEST_BASE}/graph/test-ongedateerd": extra}),
            new_version=uuid.uuid4().hex,
        )
        _, snapshot = _service(client)
        _assert_same_catalogue(snapshot, _fresh(client))
        titles = set(snapshot.full_graph().objects(dataset, DCTERMS.title))
        assert Literal(title, lang="de") in titles


def _write_dated(client: TestClient, name: str, graph: Graph | None) -> None:
    """Replace (or, with ``None``, drop) graph ``name`` with a change time in the system
    graph, as the base knowledge is written: a graph the catalogue can date."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    system = str(runtime.uris.system_graph)
    times = Graph()
    for row in runtime.store.select(
        f"SELECT ?t WHERE {{ GRAPH <{system}> {{ <{name}> <{LOADED_PREDICATE}> ?t }} }}"
    ):
        times.add((URIRef(name), LOADED_PREDICATE, row["t"]))
    stamp = Graph()
    if graph is not None:
        stamp.add(
            (URIRef(name), LOADED_PREDICATE, Literal(datetime.now(UTC), datatype=XSD.dateTime))
        )
    runtime.store.write(
        GraphWrite(
            replace={name: graph} if graph is not None else {},
            drop=[name] if graph is None else [],
            remove={system: times},
            add={system: stamp},
        ),
        new_version=uuid.uuid4().hex,
    )


def test_a_change_to_one_declared_dataset_reads_that_dataset_alone(client: TestClient) -> None:
    """A dated graph that adds to one published dataset's facts (its own keyword, its
    initiative's contact e-mail) makes that dataset, and no other, be read again, when it is
    written, changed and dropped; the catalogue is always the one a fresh build makes."""
    datasets = [URIS.thing("dataset", f"apart-{n}-metingen") for n in range(3)]
    for n, dataset in enumerate(datasets):
        _ask_to_publish(client, _submit_initiative(client, f"apart-{n}", declared=True), dataset)
    catalog, _ = _service(client)
    name = f"{TEST_BASE}/graph/test-aanvulling"
    contact = URIRef(f"{TEST_BASE}/id/contactpunt/apart-1")
    for keyword in ("aanvulling", "andere aanvulling", None):  # written, changed, dropped
        extra = None
        if keyword is not None:
            extra = Graph()
            extra.add((datasets[1], DCAT.keyword, Literal(keyword, lang="nl")))
            extra.add((URIS.thing("initiatief", "apart-1"), SCHEMA.contactPoint, contact))
            extra.add((contact, SCHEMA.email, Literal(f"{keyword.split()[0]}@sro.test")))
        read = catalog.reuse.declared.datasets_read
        _write_dated(client, name, extra)
        catalog, snapshot = _service(client)
        assert catalog.reuse.declared.datasets_read == read + 1
        _assert_same_catalogue(snapshot, _fresh(client))
        keywords = {str(k) for k in snapshot.full_graph().objects(datasets[1], DCAT.keyword)}
        assert {"aanvulling", "andere aanvulling"} & keywords == ({keyword} - {None})
