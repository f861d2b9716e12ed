"""Base knowledge: loaded into its own graphs, idempotently, refusing a store of another base."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from sro_graph.config import PROJECT_ROOT
from sro_graph.knowledge import base_knowledge_files, load_base_knowledge
from sro_graph.runtime import Runtime
from sro_graph.store import StoreMismatch, open_store
from sro_graph.vocab import SKOS, Uris
from tests.conftest import TEST_BASE

pytestmark = pytest.mark.integration

URIS = Uris(TEST_BASE)


def test_every_base_file_gets_its_own_graph(runtime: Runtime) -> None:
    files = base_knowledge_files(PROJECT_ROOT, URIS)
    assert files, "ontology/, shapes/ and data/ hold Turtle files"
    names = runtime.store.graph_names()
    for item in files:
        assert item.graph in names, item.path


def test_loading_twice_changes_nothing(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s"), system_graph=str(URIS.system_graph))
    files = base_knowledge_files(PROJECT_ROOT, URIS)
    first = load_base_knowledge(store, URIS, files)
    dump_after_first = store.dump()
    version = store.version()
    second = load_base_knowledge(store, URIS, files)
    assert first.loaded
    assert not first.unchanged
    assert second.loaded == []
    assert len(second.unchanged) == len(files)
    assert store.version() == version
    assert store.dump() == dump_after_first


def test_a_changed_file_is_reloaded_alone(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    a, b = root / "data" / "a.ttl", root / "data" / "b.ttl"
    a.write_text('</id/x/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "a"@nl .\n')
    b.write_text('</id/x/b> <http://www.w3.org/2004/02/skos/core#prefLabel> "b"@nl .\n')
    store = open_store("memory", system_graph=str(URIS.system_graph))
    load_base_knowledge(store, URIS, base_knowledge_files(root, URIS))
    b.write_text('</id/x/b> <http://www.w3.org/2004/02/skos/core#prefLabel> "B"@nl .\n')
    report = load_base_knowledge(store, URIS, base_knowledge_files(root, URIS))
    assert report.loaded == ["b.ttl"]
    assert report.unchanged == ["a.ttl"]
    rows = store.select("SELECT ?l WHERE { <https://sro.test/id/x/b> ?p ?l }")
    assert [str(r["l"]) for r in rows] == ["B"]


def test_a_removed_file_drops_its_graph(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    a = root / "data" / "a.ttl"
    a.write_text('</id/x/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "a"@nl .\n')
    store = open_store("memory", system_graph=str(URIS.system_graph))
    load_base_knowledge(store, URIS, base_knowledge_files(root, URIS))
    a.unlink()
    report = load_base_knowledge(store, URIS, base_knowledge_files(root, URIS))
    assert report.removed == [str(URIS.base_graph("a"))]
    assert str(URIS.base_graph("a")) not in store.graph_names()


def test_a_store_filled_for_another_base_is_refused(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s"), system_graph=str(URIS.system_graph))
    load_base_knowledge(store, URIS, [])
    with pytest.raises(StoreMismatch, match=r"https://sro\.test"):
        load_base_knowledge(store, Uris("https://other.test"), [])


def test_the_nine_challenges_have_the_seed_texts_labels(runtime: Runtime) -> None:
    rows = _concepts(runtime, "uitdaging")
    assert [label for _, label in rows] == [
        "Nood aan een duidelijke richting",
        "Nood aan opschaling en verduurzaming",
        "Nood aan samenwerking en kennisdeling",
        "Nood aan inclusie en een sociale dimensie",
        "Nood aan focus en participatie",
        "Nood aan meer zichtbaarheid en impact",
        "Nood aan communicatie over maatschappelijke voordelen",
        "Nood aan performante data-infrastructuur",
        "Nood aan betaalbare oplossingen",
    ]


def test_the_seven_objectives_have_the_seed_texts_labels(runtime: Runtime) -> None:
    labels = [label for _, label in _concepts(runtime, "strategische-doelstelling")]
    assert labels == [
        "Ondersteuning van lokale actoren rond hun concrete uitdagingen",
        "Niet enkel technologie-gericht werken en versterken van de sociale dimensie",
        "Samenwerken met de partners in een netwerkmodel",
        "Nastreven van een heldere rolverdeling binnen de VO",
        "Inzetten op een vuurtorenmodel",
        "Opzetten van een Vlaamse dataspace",
        "Onderzoeken van een aankoopcentrale om de vraagzijde te ontzorgen en "
        "marktpotentieel te creëren",
    ]


def _concepts(runtime: Runtime, scheme: str) -> list[tuple[str, str]]:
    """(notation, Dutch label) of every concept in a scheme, by the SPARQL endpoint's engine."""
    from sro_graph import rq

    rows = runtime.store.select(
        rq.load("scheme-concepts"), bindings={"scheme": URIS.scheme(scheme)}
    )
    assert all(isinstance(r["concept"], URIRef) for r in rows)
    assert all(r["concept"] != SKOS.Concept for r in rows)
    return [(str(r["notation"]), str(r["label"])) for r in rows]
