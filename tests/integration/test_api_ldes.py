"""The change stream (issue 15.4): a client that replays the Linked Data Event Stream from the
start ends with exactly the current initiatives and organisations; after submissions,
replacements and withdrawals, after restarts, and on every backend (this file is one of the
service tests the Makefile runs on Oxigraph and Virtuoso too).

The replaying client here follows the TREE hypermedia from the stream's URL only: the view,
every relation, every fragment; it orders version objects by ``prov:generatedAtTime`` and
applies tombstones (``as:Delete``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from sro_graph.formats import RdfFormat
from sro_graph.rdfio import parse_rdf
from sro_graph.store import GraphWrite
from sro_graph.vocab import DCAT, DCTERMS, PROV, RDF, Uris
from sro_graph.web.app import create_app
from tests.conftest import STEWARD_TOKEN, TEST_BASE, make_settings

LDES = Namespace("https://w3id.org/ldes#")
TREE = Namespace("https://w3id.org/tree#")
AS = Namespace("https://www.w3.org/ns/activitystreams#")
URIS = Uris(TEST_BASE)
STREAM = "/ldes/kennisgraaf"
AUTH = {"Authorization": f"Bearer {STEWARD_TOKEN}"}
MEMBERS = """
PREFIX sr: <https://sro.test/ns/smartregio#>
PREFIX org: <http://www.w3.org/ns/org#>
CONSTRUCT { ?m ?p ?o . ?o ?p2 ?o2 } WHERE {
  VALUES ?class { sr:SmartCityInitiatief org:Organization org:OrganizationalCollaboration }
  GRAPH ?g {
    ?m a ?class ; ?p ?o .
    FILTER(isIRI(?m))
    OPTIONAL { FILTER(isBlank(?o)) ?o ?p2 ?o2 }
  }
}
"""


def _get_graph(client: TestClient, url: str) -> Graph:
    response = client.get(url.removeprefix(TEST_BASE), headers={"Accept": "text/turtle"})
    assert response.status_code == 200, (url, response.text[:200])
    return parse_rdf(response.content, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph


def replay(client: TestClient) -> tuple[dict[URIRef, Graph], int]:
    """Follow the stream from its URL; the state it ends with (entity → its statements) and
    the number of version objects read."""
    stream = URIRef(TEST_BASE + STREAM)
    described = _get_graph(client, STREAM)
    assert (stream, RDF.type, LDES.EventStream) in described
    assert described.value(stream, LDES.timestampPath) == PROV.generatedAtTime
    assert described.value(stream, LDES.versionOfPath) == DCTERMS.isVersionOf
    todo = [str(v) for v in described.objects(stream, TREE.view)]
    seen: set[str] = set()
    members: dict[Node, Graph] = {}
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        page = _get_graph(client, url)
        for relation in page.objects(URIRef(url), TREE.relation):
            todo.append(str(page.value(relation, TREE.node)))
        for member in page.objects(stream, TREE.member):
            if member not in members:  # a member once read is never read again
                members[member] = _closure(page, member)
    events = sorted(members.items(), key=lambda kv: _when(kv[1], kv[0]))
    state: dict[URIRef, Graph] = {}
    for version, graph in events:
        entity = graph.value(version, DCTERMS.isVersionOf)
        assert isinstance(entity, URIRef)
        if (version, RDF.type, AS.Delete) in graph:
            state.pop(entity, None)
            continue
        own = Graph()
        for s, p, o in graph:
            if s == version and p in (DCTERMS.isVersionOf, PROV.generatedAtTime):
                continue
            own.add((entity if s == version else s, p, o))
        state[entity] = own
    return state, len(members)


def _time(term: Node | None) -> datetime:
    assert isinstance(term, Literal)
    value = term.toPython()
    assert isinstance(value, datetime)
    return value


def _when(graph: Graph, version: Node) -> datetime:
    return _time(graph.value(version, PROV.generatedAtTime))


def _closure(page: Graph, node: Node) -> Graph:
    out = Graph()
    todo, done = [node], set()
    while todo:
        subject = todo.pop()
        if subject in done:
            continue
        done.add(subject)
        for p, o in page.predicate_objects(subject):
            out.add((subject, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return out


def current(client: TestClient) -> dict[URIRef, Graph]:
    """The members as the store holds them now, read through /sparql."""
    response = client.post(
        "/sparql",
        content=MEMBERS.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/turtle"},
    )
    assert response.status_code == 200, response.text
    whole = parse_rdf(response.content, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph
    subjects = {s for s in whole.subjects() if isinstance(s, URIRef)}
    return {s: _closure(whole, s) for s in subjects}


def _values(graph: Graph) -> Graph:
    """``graph`` with typed literals written by their value: stores keep their own lexical
    forms ("380000.00" and "380000" are the same xsd:decimal), so states are compared as
    RDF values."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None:
            value = o.toPython()
            if isinstance(value, Decimal):
                value = value.normalize()
            if value is not o:
                o = Literal(str(value), datatype=o.datatype)
        out.add((s, p, o))
    return out


def assert_replay_is_current(client: TestClient) -> int:
    replayed, count = replay(client)
    now = current(client)
    assert set(replayed) == set(now)
    different = [e for e in now if not isomorphic(_values(replayed[e]), _values(now[e]))]
    assert different == []
    return count


def _initiative(ref: str, title: str) -> bytes:
    return f"""
@prefix dct: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix sr: </ns/smartregio#> . @prefix schema: <http://schema.org/> .
</id/initiatief/{ref}> a sr:SmartCityInitiatief, prov:Activity ;
  dct:title "{title}"@nl ; dct:description "Een initiatief voor de stroom."@nl ;
  prov:wasAssociatedWith </id/organisatie/smart-region-office> ;
  sr:uitdaging </id/concept/uitdaging/8> ;
  sr:draagtBijTot </id/concept/strategische-doelstelling/6> ;
  schema:contactPoint [ a schema:ContactPoint ; schema:email "{ref}@example.org" ] .
""".encode()


def submit(client: TestClient, ref: str, title: str = "Stroom") -> tuple[str, str]:
    response = client.post(
        "/submissions",
        content=_initiative(ref, title),
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"], response.headers["etag"]


def replace(client: TestClient, submission: str, etag: str, ref: str, title: str) -> str:
    response = client.put(
        f"/submissions/{submission}",
        content=_initiative(ref, title),
        headers={"Content-Type": "text/turtle", "If-Match": etag, **AUTH},
    )
    assert response.status_code == 200, response.text
    return response.headers["etag"]


def withdraw(client: TestClient, submission: str, etag: str) -> None:
    response = client.delete(f"/submissions/{submission}", headers={"If-Match": etag, **AUTH})
    assert response.status_code in (200, 204), response.text


def versions_of(client: TestClient, entity: URIRef) -> list[Graph]:
    _, _ = replay(client)
    out = []
    for fragment in _fragments(client):
        page = _get_graph(client, fragment)
        for version in page.subjects(DCTERMS.isVersionOf, entity):
            out.append(_closure(page, version))
    return out


def _fragments(client: TestClient) -> list[str]:
    view = _get_graph(client, STREAM + "/tijd")
    return sorted(
        (
            str(view.value(r, TREE.node))
            for r in view.objects(URIRef(TEST_BASE + STREAM + "/tijd"), TREE.relation)
        ),
        key=lambda url: int(url.rsplit("/", 1)[1]),
    )


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def test_replay_from_the_start_ends_with_the_current_initiatives_and_organisations(
    client: TestClient,
) -> None:
    """Issue 15.4: submissions, a replacement and a withdrawal, replayed from the stream."""
    assert_replay_is_current(client)
    a, etag_a = submit(client, "stroom-a", "Eerste titel")
    b, etag_b = submit(client, "stroom-b")
    replace(client, a, etag_a, "stroom-a", "Tweede titel")
    withdraw(client, b, etag_b)
    replayed, _ = replay(client)
    assert URIRef(TEST_BASE + "/id/initiatief/stroom-b") not in replayed
    title = replayed[URIRef(TEST_BASE + "/id/initiatief/stroom-a")].value(
        URIRef(TEST_BASE + "/id/initiatief/stroom-a"), DCTERMS.title
    )
    assert title == Literal("Tweede titel", lang="nl")
    assert_replay_is_current(client)


def test_every_accepted_revision_and_withdrawal_is_a_version_object(client: TestClient) -> None:
    entity = URIRef(TEST_BASE + "/id/initiatief/stroom-c")
    c, etag = submit(client, "stroom-c", "Een")
    etag = replace(client, c, etag, "stroom-c", "Twee")
    etag = replace(client, c, etag, "stroom-c", "Drie")
    withdraw(client, c, etag)
    versions = versions_of(client, entity)
    titles = sorted(str(t) for v in versions for t in v.objects(None, DCTERMS.title))
    assert titles == ["Drie", "Een", "Twee"]
    tombstones = [v for v in versions if (None, RDF.type, AS.Delete) in v]
    assert len(tombstones) == 1
    times = [_time(t) for v in versions for t in v.objects(None, PROV.generatedAtTime)]
    assert len(set(times)) == 4  # four distinct moments


def test_a_version_object_dereferences(client: TestClient) -> None:
    submit(client, "stroom-d")
    versions = versions_of(client, URIRef(TEST_BASE + "/id/initiatief/stroom-d"))
    version = next(iter(versions[0].subjects(DCTERMS.isVersionOf, None)))
    response = client.get(str(version).removeprefix(TEST_BASE), headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = parse_rdf(response.content, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph
    assert (version, DCTERMS.isVersionOf, URIRef(TEST_BASE + "/id/initiatief/stroom-d")) in graph


def test_full_fragments_are_immutable_and_cached_long_the_last_short(client: TestClient) -> None:
    fragments = _fragments(client)
    while len(fragments) < 2:  # base knowledge alone may fill less than one fragment
        submit(client, f"vuller-{uuid.uuid4().hex[:8]}")
        fragments = _fragments(client)
    first = client.get(fragments[0].removeprefix(TEST_BASE))
    last = client.get(fragments[-1].removeprefix(TEST_BASE))
    assert "immutable" in first.headers["cache-control"]
    assert "max-age=31536000" in first.headers["cache-control"]
    assert "immutable" not in last.headers["cache-control"]
    assert "max-age=10" in last.headers["cache-control"]
    submit(client, "stroom-na")
    again = client.get(fragments[0].removeprefix(TEST_BASE))
    assert again.content == first.content  # an immutable fragment never changes
    assert (
        client.get(
            fragments[0].removeprefix(TEST_BASE), headers={"If-None-Match": first.headers["etag"]}
        ).status_code
        == 304
    )


def test_relations_hold_for_everything_behind_them(client: TestClient) -> None:
    """A GreaterThanOrEqualTo relation's value is at most every member time it leads to."""
    for _ in range(3):
        submit(client, f"tijd-{uuid.uuid4().hex[:8]}")
    fragments = _fragments(client)
    times_from: list[list[datetime]] = []
    for url in fragments:
        page = _get_graph(client, url)
        times_from.append([_time(t) for t in page.objects(None, PROV.generatedAtTime)])
    view = _get_graph(client, STREAM + "/tijd")
    for relation in view.objects(URIRef(TEST_BASE + STREAM + "/tijd"), TREE.relation):
        assert view.value(relation, RDF.type) == TREE.GreaterThanOrEqualToRelation
        assert view.value(relation, TREE.path) == PROV.generatedAtTime
        value = _time(view.value(relation, TREE.value))
        number = int(str(view.value(relation, TREE.node)).rsplit("/", 1)[1])
        for later in times_from[number - 1 :]:
            assert all(t >= value for t in later)


def test_example_data_in_the_stream_is_flagged(client: TestClient) -> None:
    """Examples are in the stream only when they are in the store (loaded on request), and
    then each version says so (sr:isVoorbeeld)."""
    example = URIRef(TEST_BASE + "/id/initiatief/voorbeeld-stroom")
    data = parse_rdf(
        f"""@prefix sr: </ns/smartregio#> . @prefix dct: <http://purl.org/dc/terms/> .
        <{example}> a sr:SmartCityInitiatief ; dct:title "Voorbeeld"@nl ; sr:isVoorbeeld true .
        """.encode(),
        RdfFormat.TURTLE,
        base_iri=TEST_BASE + "/",
    ).graph
    client.app.state.runtime.store.write(  # type: ignore[attr-defined]
        GraphWrite(replace={TEST_BASE + "/graph/basis/voorbeeld-stroom": data}),
        new_version=uuid.uuid4().hex,
    )
    versions = versions_of(client, example)
    assert len(versions) == 1
    flag = URIRef(TEST_BASE + "/ns/smartregio#isVoorbeeld")
    assert [str(o) for o in versions[0].objects(None, flag)] == ["true"]


def test_a_write_past_the_recorder_is_caught_up_at_the_next_start(tmp_path: Path) -> None:
    """A bulk load (or any write that bypassed the recorder) is recorded when the store is
    next opened, so the replay still ends with the current state."""
    settings = make_settings()
    if settings.store == "memory":  # the embedded store: keep it on disk across restarts
        settings = make_settings(store=str(tmp_path / "store"))
    with TestClient(create_app(settings)) as first:
        runtime = first.app.state.runtime  # type: ignore[attr-defined]
        bypass = parse_rdf(
            _initiative("omweg", "Buiten de recorder om"),
            RdfFormat.TURTLE,
            base_iri=TEST_BASE + "/",
        ).graph
        runtime.store.inner.write(
            GraphWrite(replace={TEST_BASE + "/graph/basis/omweg": bypass}),
            new_version=uuid.uuid4().hex,
        )
    with TestClient(create_app(settings)) as second:
        replayed, _ = replay(second)
        assert URIRef(TEST_BASE + "/id/initiatief/omweg") in replayed
        assert_replay_is_current(second)


def test_replay_after_restarts_on_the_same_store(tmp_path: Path) -> None:
    """The version objects live in the store: a restarted service serves the same stream and
    goes on appending to it."""
    settings = make_settings()
    if settings.store == "memory":  # the embedded store: keep it on disk across restarts
        settings = make_settings(store=str(tmp_path / "store"))
    with TestClient(create_app(settings)) as first:
        a, etag_a = submit(first, "herstart-a", "Voor")
        b, etag_b = submit(first, "herstart-b")
        _, before = replay(first)
    with TestClient(create_app(settings)) as second:
        _, after_restart = replay(second)
        assert after_restart == before  # a restart adds no versions
        replace(second, a, etag_a, "herstart-a", "Na")
        withdraw(second, b, etag_b)
    with TestClient(create_app(settings)) as third:
        assert assert_replay_is_current(third) == before + 2


def test_the_catalogue_describes_the_stream(client: TestClient) -> None:
    response = client.get("/catalog")
    graph = parse_rdf(response.content, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph
    dataset = URIS.thing("dataset", "kennisgraaf-wijzigingen")
    service = URIS.thing("dataservice", "wijzigingsstroom")
    assert (None, DCAT.dataset, dataset) in graph
    assert (service, DCAT.servesDataset, dataset) in graph
    assert (service, DCAT.endpointURL, URIRef(TEST_BASE + STREAM)) in graph
    access = {graph.value(d, DCAT.accessURL) for d in graph.objects(dataset, DCAT.distribution)}
    assert URIRef(TEST_BASE + STREAM) in access


@pytest.mark.parametrize("number", ["0", "01", "+1", "%0A1", "1%0A", "-1", "10000001", "1e3"])
def test_a_fragment_has_one_name_other_spellings_are_refused(
    client: TestClient, number: str
) -> None:
    assert client.get(f"/ldes/kennisgraaf/tijd/{number}").status_code == 422
