"""The DCAT-AP Vlaanderen catalogue over HTTP: harvest, change tracking, paging, caching, dumps."""

from __future__ import annotations

import gzip
import hashlib
import re
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from sro_graph.formats import RdfFormat
from sro_graph.rdfio import parse_rdf
from sro_graph.store import GraphWrite
from sro_graph.vocab import DCAT, DCTERMS, FOAF, HYDRA, MDCAT, RDF, SPDX, XSD, Uris
from sro_graph.web.app import create_app
from tests.conftest import STEWARD_TOKEN, TEST_BASE, make_settings

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
URIS = Uris(TEST_BASE)


@pytest.fixture(scope="module")
def reader() -> Iterator[TestClient]:
    """One app for the read-only tests of this module (tests that write use ``client``)."""
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def _graph(body: bytes, fmt: RdfFormat) -> Graph:
    return parse_rdf(body, fmt, base_iri=TEST_BASE + "/").graph


def _catalog(client: TestClient, path: str = "/catalog", **headers: str) -> Graph:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return _graph(response.content, RdfFormat(response.headers["content-type"].split(";")[0]))


def _modified_by_resource(graph: Graph) -> dict[URIRef, datetime]:
    out: dict[URIRef, datetime] = {}
    for record in graph.subjects(RDF.type, DCAT.CatalogRecord):
        topic = graph.value(record, FOAF.primaryTopic)
        modified = graph.value(record, DCTERMS.modified)
        assert isinstance(topic, URIRef)
        assert isinstance(modified, Literal)
        out[topic] = modified.toPython()
    return out


def _initiative_body(ref: str, *, declared: bool = False, access: str | None = "PUBLIC") -> str:
    """A small valid initiative in Turtle. With ``declared``, it declares a dataset with Dutch
    and English titles and descriptions and (unless ``access`` is None) the access rights
    ``access``."""
    rights = (
        f" ; dct:accessRights <http://publications.europa.eu/resource/authority/access-right/{access}>"
        if access
        else ""
    )
    dataset = (
        (
            f"prov:generated </id/dataset/{ref}-metingen> .\n"
            f'</id/dataset/{ref}-metingen> a dcat:Dataset ; dct:title "Metingen {ref}"@nl , '
            f'"Measurements {ref}"@en ; dct:description "Alle metingen van {ref}."@nl , '
            f'"All measurements of {ref}."@en ; dcat:keyword "luchtkwaliteit"@nl{rights} .'
        )
        if declared
        else "."
    )
    return f"""
@prefix dct: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix sr: </ns/smartregio#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
</id/initiatief/{ref}> a sr:SmartCityInitiatief, prov:Activity ;
  dct:title "Testinitiatief {ref}"@nl ; dct:description "Een initiatief voor de test."@nl ;
  prov:wasAssociatedWith </id/organisatie/smart-region-office> ;
  sr:uitdaging </id/concept/uitdaging/8> ;
  sr:draagtBijTot </id/concept/strategische-doelstelling/6> {";" if declared else ""}
  {dataset}
"""


def _submit_initiative(
    client: TestClient, ref: str, *, declared: bool = False, access: str | None = "PUBLIC"
) -> str:
    """POST :func:`_initiative_body` to /submissions; returns the submission id."""
    response = client.post(
        "/submissions",
        content=_initiative_body(ref, declared=declared, access=access).encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {STEWARD_TOKEN}"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _ask_to_publish(client: TestClient, submission_id: str, dataset: URIRef) -> None:
    """Record that the steward asks to publish ``dataset`` on the submission's current
    revision, as the submission service does (``sr:publiceertDataset`` in the provenance
    graph: the contract of issues 13.10 and 15.3)."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    etag = client.get(f"/submissions/{submission_id}").json()["etag"]
    revision = URIRef(f"{URIS.submission(submission_id)}/versie/{etag}")
    record = Graph()
    record.add((revision, URIS.publishes_dataset, dataset))
    runtime.store.write(
        GraphWrite(add={str(URIS.provenance_graph): record}), new_version=uuid.uuid4().hex
    )


def test_catalog_harvest_turtle_and_rdfxml_find_every_resource_with_record(
    reader: TestClient,
) -> None:
    turtle = reader.get("/catalog")
    assert turtle.headers["content-type"].startswith("text/turtle")
    # The harvester's format detection (notes §5.2): '@prefix ' and the literal dcat IRI.
    assert "@prefix " in turtle.text
    assert "<http://www.w3.org/ns/dcat#>" in turtle.text
    assert "@prefix dcat: <http://www.w3.org/ns/dcat#> ." in turtle.text
    rdfxml = reader.get("/catalog", headers={"Accept": "application/rdf+xml"})
    assert rdfxml.headers["content-type"].startswith("application/rdf+xml")
    first_element = re.search(
        r"<([A-Za-z_][\w.-]*:)?([\w.-]+)[\s>]", re.sub(r"<\?xml[^>]*\?>", "", rdfxml.text)
    )
    assert first_element is not None
    assert first_element.group(0).startswith("<rdf:RDF")
    for graph in (
        _graph(turtle.content, RdfFormat.TURTLE),
        _graph(rdfxml.content, RdfFormat.RDFXML),
    ):
        catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
        assert len(catalogs) == 1
        catalog = catalogs[0]
        resources = [*graph.objects(catalog, DCAT.dataset), *graph.objects(catalog, DCAT.service)]
        kinds = {graph.value(r, RDF.type) for r in graph.objects(catalog, DCAT.service)}
        # The SPARQL endpoint, the named-query API, the change stream (issue 15.4).
        assert len(list(graph.objects(catalog, DCAT.service))) == 3
        assert DCAT.DataService in {
            t for r in graph.objects(catalog, DCAT.service) for t in graph.objects(r, RDF.type)
        }
        assert kinds
        titles = {str(graph.value(r, DCTERMS.title)) for r in resources}
        assert "Smart-city-initiatieven" in titles
        assert "Organisaties en organen" in titles
        assert any(t.startswith("Begrippenkader: ") for t in titles)
        records = {
            graph.value(r, FOAF.primaryTopic): r for r in graph.objects(catalog, DCAT.record)
        }
        for resource in resources:
            assert graph.value(resource, DCTERMS.identifier) is not None
            record = records[resource]
            assert UUID.match(str(graph.value(record, DCTERMS.identifier)))
            assert str(graph.value(record, DCTERMS.identifier)) == str(
                uuid.uuid5(uuid.NAMESPACE_URL, str(resource))
            )
            modified = graph.value(record, DCTERMS.modified)
            assert isinstance(modified, Literal)
            assert modified.datatype == XSD.dateTime
            assert modified.toPython().tzinfo is not None


def test_catalog_uses_no_custom_namespace_and_http_schema_org(reader: TestClient) -> None:
    graph = _catalog(reader)
    terms = {p for _, p, _ in graph} | set(graph.objects(None, RDF.type))
    assert not [t for t in terms if str(t).startswith(TEST_BASE)]
    assert "https://schema.org/" not in reader.get("/catalog.nt").text


def test_catalog_after_submission_only_changed_dataset_is_newer(client: TestClient) -> None:
    before = _modified_by_resource(_catalog(client))
    etag = client.get("/catalog").headers["etag"]
    assert client.get("/catalog", headers={"If-None-Match": etag}).status_code == 304
    cutoff = max(before.values())
    _submit_initiative(client, "test-catalogus")
    after = _modified_by_resource(_catalog(client))
    initiatives = URIS.thing("dataset", "kennisgraaf-initiatieven")
    stream = URIS.thing("dataset", "kennisgraaf-wijzigingen")
    changed = {r for r in after if after[r] != before.get(r)}
    # The submission is a new version in the change stream too (issue 15.4).
    assert changed == {initiatives, stream}
    assert after[initiatives] > before[initiatives]
    since = client.get("/catalog", params={"modified_since": cutoff.isoformat()})
    listed = set(_graph(since.content, RdfFormat.TURTLE).objects(None, DCAT.dataset)) | set(
        _graph(since.content, RdfFormat.TURTLE).objects(None, DCAT.service)
    )
    assert listed == {initiatives, stream}
    response = client.get("/catalog", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["etag"] != etag


def test_catalog_after_withdrawal_initiatives_dataset_is_newer(client: TestClient) -> None:
    submission = _submit_initiative(client, "wordt-ingetrokken")
    before = _modified_by_resource(_catalog(client))
    etag = client.get(f"/submissions/{submission}").headers["etag"]
    response = client.delete(
        f"/submissions/{submission}",
        headers={"Authorization": f"Bearer {STEWARD_TOKEN}", "If-Match": etag},
    )
    assert response.status_code in (200, 204), response.text
    after = _modified_by_resource(_catalog(client))
    changed = {r for r in after if after[r] != before.get(r)}
    assert changed == {
        URIS.thing("dataset", "kennisgraaf-initiatieven"),
        URIS.thing("dataset", "kennisgraaf-wijzigingen"),  # a tombstone in the stream
    }


def test_catalog_declared_dataset_is_not_published_unless_the_steward_asks(
    client: TestClient,
) -> None:
    """Issue 15.3: a dataset a submission declares stays out of the catalogue until the
    submission's current revision asks to publish it."""
    _submit_initiative(client, "niet-gevraagd", declared=True)
    dataset = URIS.thing("dataset", "niet-gevraagd-metingen")
    assert (None, DCAT.dataset, dataset) not in _catalog(client)


def test_catalog_declared_dataset_asked_for_carries_the_stewards_metadata(
    client: TestClient,
) -> None:
    """Issue 15.3: titles in every language given, the real description, access rights as
    declared, the initiative's lead as publisher."""
    submission = _submit_initiative(client, "met-dataset", declared=True)
    dataset = URIS.thing("dataset", "met-dataset-metingen")
    _ask_to_publish(client, submission, dataset)
    graph = _catalog(client)
    assert (None, DCAT.dataset, dataset) in graph
    assert set(graph.objects(dataset, DCTERMS.title)) == {
        Literal("Metingen met-dataset", lang="nl"),
        Literal("Measurements met-dataset", lang="en"),
    }
    assert set(graph.objects(dataset, DCTERMS.description)) == {
        Literal("Alle metingen van met-dataset.", lang="nl"),
        Literal("All measurements of met-dataset.", lang="en"),
    }
    assert set(graph.objects(dataset, DCTERMS.accessRights)) == {
        URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
    }
    assert graph.value(dataset, DCTERMS.publisher) == URIS.thing(
        "organisatie", "smart-region-office"
    )


def test_catalog_declared_non_public_dataset_keeps_its_access_rights(client: TestClient) -> None:
    submission = _submit_initiative(client, "besloten", declared=True, access="NON_PUBLIC")
    dataset = URIS.thing("dataset", "besloten-metingen")
    _ask_to_publish(client, submission, dataset)
    graph = _catalog(client)
    assert set(graph.objects(dataset, DCTERMS.accessRights)) == {
        URIRef("http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC")
    }
    assert graph.value(dataset, MDCAT.statuut) is None  # not marked Flemish open data


def test_catalog_declared_dataset_without_access_rights_is_left_out(client: TestClient) -> None:
    """Fail closed: the catalogue never guesses access rights the steward did not declare."""
    submission = _submit_initiative(client, "zonder-rechten", declared=True, access=None)
    dataset = URIS.thing("dataset", "zonder-rechten-metingen")
    _ask_to_publish(client, submission, dataset)
    assert (None, DCAT.dataset, dataset) not in _catalog(client)


def test_catalog_declared_dataset_follows_the_current_revision(client: TestClient) -> None:
    """A replacement whose revision does not ask again takes the dataset out."""
    submission = _submit_initiative(client, "vervangen", declared=True)
    dataset = URIS.thing("dataset", "vervangen-metingen")
    _ask_to_publish(client, submission, dataset)
    assert (None, DCAT.dataset, dataset) in _catalog(client)
    record = client.get(f"/submissions/{submission}")
    response = client.put(
        f"/submissions/{submission}",
        content=_initiative_body("vervangen", declared=True).encode(),
        headers={
            "Content-Type": "text/turtle",
            "Authorization": f"Bearer {STEWARD_TOKEN}",
            "If-Match": record.headers["etag"],
        },
    )
    assert response.status_code == 200, response.text
    assert (None, DCAT.dataset, dataset) not in _catalog(client)


def test_catalog_never_holds_example_initiatives_or_their_datasets(client: TestClient) -> None:
    """Issue 14.1: example initiatives (sr:isVoorbeeld) and the datasets only they declare are
    not in the published catalogue, not even in the initiatives dump."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    example = URIS.thing("initiatief", "voorbeeld-catalogustest")
    dataset = URIS.thing("dataset", "voorbeeld-catalogustest")
    data = parse_rdf(
        f"""
        @prefix sr: </ns/smartregio#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix prov: <http://www.w3.org/ns/prov#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
        <{example}> a sr:SmartCityInitiatief ; dct:title "Voorbeeld"@nl ;
          sr:isVoorbeeld true ; prov:generated <{dataset}> .
        <{dataset}> a dcat:Dataset ; dct:title "Voorbeelddata"@nl ;
          dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> .
        """.encode(),
        RdfFormat.TURTLE,
        base_iri=TEST_BASE + "/",
    ).graph
    runtime.store.write(
        GraphWrite(replace={f"{TEST_BASE}/graph/basis/voorbeeld-catalogustest": data}),
        new_version=uuid.uuid4().hex,
    )
    _submit_initiative(client, "echt-initiatief")
    graph = _catalog(client)
    assert (None, DCAT.dataset, dataset) not in graph
    dump = _graph(client.get("/dumps/initiatieven.ttl").content, RdfFormat.TURTLE)
    assert (URIS.thing("initiatief", "echt-initiatief"), None, None) in dump
    assert (example, None, None) not in dump
    flag = URIRef(f"{TEST_BASE}/ns/smartregio#isVoorbeeld")
    assert not [s for s, o in dump.subject_objects(flag) if str(o) in ("true", "1")]


@pytest.mark.parametrize("page_size", [1, 7, None])
def test_catalog_paging_union_of_pages_is_unpaged_catalog(
    reader: TestClient, page_size: int | None
) -> None:
    whole = _catalog(reader)
    params = {"page": "1"} | ({"pageSize": str(page_size)} if page_size else {})
    response = reader.get("/catalog", params=params)
    union = Graph()
    seen = 0
    while True:
        assert response.status_code == 200
        page = _graph(response.content, RdfFormat.TURTLE)
        assert any(page.triples((None, HYDRA.totalItems, None)))
        assert (None, RDF.type, HYDRA.PartialCollectionView) in page
        for s, p, o in page:
            if str(p).startswith(str(HYDRA)) or str(o).startswith(str(HYDRA)):
                continue
            union.add((s, p, o))
        seen += 1
        links = dict(
            (rel, url)
            for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["link"])
        )
        assert links["first"].startswith(TEST_BASE + "/catalog?")
        if "next" not in links:
            break
        response = reader.get(links["next"].removeprefix(TEST_BASE))
    assert seen > 1 or page_size is None
    assert isomorphic(union, whole)


def test_catalog_page_size_above_maximum_is_refused(reader: TestClient) -> None:
    assert reader.get("/catalog", params={"pageSize": "100000"}).status_code == 422


def test_catalog_bad_modified_since_is_refused(reader: TestClient) -> None:
    response = reader.get("/catalog", params={"modified_since": "gisteren"})
    assert response.status_code == 422
    assert response.json()["error"] == "bad-parameter"


def test_catalog_conditional_get_by_date_is_304(reader: TestClient) -> None:
    response = reader.get("/catalog")
    again = reader.get("/catalog", headers={"If-Modified-Since": response.headers["last-modified"]})
    assert again.status_code == 304
    assert again.content == b""


def test_catalog_head_has_headers_without_body(reader: TestClient) -> None:
    response = reader.head("/catalog", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 1000
    assert response.headers["etag"]


def test_catalog_gzip_when_asked(reader: TestClient) -> None:
    response = reader.get("/catalog", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    plain = reader.get("/catalog", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


@pytest.mark.parametrize(
    ("path", "accept", "fmt"),
    [
        ("/catalog.ttl", None, RdfFormat.TURTLE),
        ("/catalog.rdf", None, RdfFormat.RDFXML),
        ("/catalog.jsonld", None, RdfFormat.JSONLD),
        ("/catalog.nt", None, RdfFormat.NTRIPLES),
        ("/catalog", "application/ld+json", RdfFormat.JSONLD),
        ("/catalog", "application/n-triples", RdfFormat.NTRIPLES),
    ],
)
def test_catalog_formats_by_extension_and_accept_are_the_same_graph(
    reader: TestClient, path: str, accept: str | None, fmt: RdfFormat
) -> None:
    response = reader.get(path, headers={"Accept": accept} if accept else {})
    assert response.headers["content-type"].split(";")[0] == fmt.value
    assert isomorphic(_graph(response.content, fmt), _catalog(reader))


def test_catalog_unacceptable_format_is_406(reader: TestClient) -> None:
    assert reader.get("/catalog", headers={"Accept": "image/png"}).status_code == 406


def test_dump_matches_its_distribution_size_and_checksum(reader: TestClient) -> None:
    graph = _catalog(reader)
    downloads = list(graph.subject_objects(DCAT.downloadURL))
    assert len(downloads) >= 9
    for distribution, url in downloads:
        response = reader.get(
            str(url).removeprefix(TEST_BASE), headers={"Accept-Encoding": "identity"}
        )
        assert response.status_code == 200, url
        assert int(str(graph.value(distribution, DCAT.byteSize))) == len(response.content)
        checksum = graph.value(distribution, SPDX.checksum)
        assert (
            str(graph.value(checksum, SPDX.checksumValue))
            == hashlib.sha256(response.content).hexdigest()
        )
        if str(url).endswith(".nt.gz"):
            # rdflib's reader: the initiatives dump is empty while no real initiative is in
            # (the service's own parser refuses an empty body).
            Graph().parse(data=gzip.decompress(response.content), format="nt")


@pytest.mark.parametrize("dataset", ["organisaties", "begrippenkader-uitdaging"])
def test_dump_formats_hold_the_same_statements(reader: TestClient, dataset: str) -> None:
    """The three files of a dump are one graph in three syntaxes, none of them empty."""
    turtle = _graph(reader.get(f"/dumps/{dataset}.ttl").content, RdfFormat.TURTLE)
    ntriples = _graph(
        gzip.decompress(
            reader.get(f"/dumps/{dataset}.nt.gz", headers={"Accept-Encoding": "identity"}).content
        ),
        RdfFormat.NTRIPLES,
    )
    jsonld = _graph(reader.get(f"/dumps/{dataset}.jsonld").content, RdfFormat.JSONLD)
    assert len(ntriples) > 100
    assert isomorphic(turtle, ntriples)
    assert isomorphic(jsonld, ntriples)


def test_dump_scheme_parses_and_holds_its_concepts(reader: TestClient) -> None:
    response = reader.get("/dumps/begrippenkader-uitdaging.ttl")
    graph = _graph(response.content, RdfFormat.TURTLE)
    assert (
        len(
            set(
                graph.subjects(
                    URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), URIS.scheme("uitdaging")
                )
            )
        )
        == 9
    )


@pytest.mark.parametrize(
    "name",
    ["..%2F..%2Fetc%2Fpasswd.ttl", "initiatieven.exe", "Initiatieven.ttl", "nope.ttl", "..ttl"],
)
def test_dump_unknown_or_hostile_name_is_404(reader: TestClient, name: str) -> None:
    assert reader.get(f"/dumps/{name}").status_code == 404


def test_catalog_is_cached_by_store_version(reader: TestClient) -> None:
    catalog = reader.app.state.runtime.catalog  # type: ignore[attr-defined]
    assert catalog.snapshot() is catalog.snapshot()


def test_catalog_snapshot_younger_than_the_refresh_interval_is_reused() -> None:
    """Under a stream of writes a harvest is served from a recent snapshot, not rebuilt."""
    from rdflib import Graph, Literal, URIRef

    from sro_graph.catalog import Catalog
    from sro_graph.runtime import open_runtime
    from sro_graph.store import GraphWrite
    from tests.conftest import make_settings

    runtime = open_runtime(make_settings())
    try:
        lagging = Catalog(runtime.store, runtime.uris, refresh_s=3600)
        current = Catalog(runtime.store, runtime.uris, refresh_s=0)
        first = lagging.snapshot()
        assert current.snapshot().version == first.version
        change = Graph()
        change.add((URIRef("https://sro.test/id/x/1"), URIRef("https://sro.test/p"), Literal("1")))
        runtime.store.write(
            GraphWrite(add={"https://sro.test/graph/extra": change}), new_version="after-write"
        )
        assert lagging.snapshot() is first
        assert current.snapshot().version == "after-write"
    finally:
        runtime.close()
