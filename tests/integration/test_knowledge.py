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


# -- issue 14: sources, readings and provenance ----------------------------------------------

SR = f"{TEST_BASE}/ns/smartregio#"
KIND = f"{TEST_BASE}/id/concept/kennissoort/"
PROJECT = f"{TEST_BASE}/id/agent/sro-graph"
SRO_TEXT = f"{TEST_BASE}/id/bron/mededeling-sro"
SRO = f"{TEST_BASE}/id/organisatie/smart-region-office"
PREFIXES = """
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org:  <http://www.w3.org/ns/org#>
"""


def _graph_kinds(runtime: Runtime) -> dict[str, str]:
    rows = runtime.store.select(
        PREFIXES + "SELECT ?g ?kind WHERE { GRAPH ?g { ?g dct:type ?kind } }"
    )
    return {str(r["g"]): str(r["kind"]).removeprefix(KIND) for r in rows}


def test_every_base_graph_says_what_kind_of_knowledge_it_holds(runtime: Runtime) -> None:
    """Issue 14.3: text, reading, reference or model; published by the project, never the SRO."""
    kinds = _graph_kinds(runtime)
    files = [
        f for f in base_knowledge_files(PROJECT_ROOT, URIS) if "/graph/basis/vormen-" not in f.graph
    ]
    for item in files:
        assert kinds.get(item.graph) in {"tekst", "lezing", "referentie", "model"}, item.path
        assert runtime.store.ask(
            PREFIXES
            + f"ASK {{ GRAPH <{item.graph}> {{ <{item.graph}> dct:publisher <{PROJECT}> }} }}"
        ), item.path
    by_kind = {kind: {g for g, k in kinds.items() if k == kind} for kind in set(kinds.values())}
    for graph in by_kind["tekst"]:
        assert runtime.store.ask(
            PREFIXES + f"ASK {{ GRAPH <{graph}> {{ <{graph}> prov:wasDerivedFrom <{SRO_TEXT}> }} }}"
        ), graph
    for graph in by_kind["lezing"] | by_kind["model"]:
        assert runtime.store.ask(
            PREFIXES + f"ASK {{ GRAPH <{graph}> {{ <{graph}> prov:wasAttributedTo <{PROJECT}> }} }}"
        ), graph
    assert not runtime.store.ask(PREFIXES + f"ASK {{ ?x dct:publisher <{SRO}> }}")
    assert not runtime.store.ask(PREFIXES + f"ASK {{ ?x prov:wasAttributedTo <{SRO}> }}")


def test_vocabulary_and_schemes_are_published_by_the_project(runtime: Runtime) -> None:
    rows = runtime.store.select(
        PREFIXES + "SELECT ?thing ?publisher WHERE { { ?thing a skos:ConceptScheme } UNION "
        f"{{ BIND(<{URIS.ontology}> AS ?thing) }} ?thing dct:publisher ?publisher }}"
    )
    assert len(rows) >= 15
    assert {str(r["publisher"]) for r in rows} >= {PROJECT}
    assert all(str(r["publisher"]) != SRO for r in rows)


def _graphs_of(runtime: Runtime, pattern: str) -> set[str]:
    rows = runtime.store.select(
        PREFIXES + f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {pattern} }} }}"
    )
    return {str(r["g"]) for r in rows}


def test_readings_live_only_in_graphs_attributed_to_the_project(runtime: Runtime) -> None:
    """Issue 14.3: the challenge-objective links, the challenges' definitions and the name
    'Vlaamse Veerkracht' are not in the text."""
    kinds = _graph_kinds(runtime)
    uitdaging = f"{TEST_BASE}/id/concept/uitdaging/"
    doel = f"{TEST_BASE}/id/concept/strategische-doelstelling/"
    cases = {
        "skos:related": f"?a skos:related ?b FILTER(STRSTARTS(STR(?a), '{uitdaging}') "
        f"|| STRSTARTS(STR(?a), '{doel}'))",
        "definitions of challenges": "?c skos:definition ?d "
        f"FILTER(STRSTARTS(STR(?c), '{uitdaging}'))",
        "Vlaamse Veerkracht": '?p ?label "Vlaamse Veerkracht"@nl',
    }
    for what, pattern in cases.items():
        graphs = _graphs_of(runtime, pattern)
        assert graphs, what
        assert {kinds.get(g) for g in graphs} == {"lezing"}, what


def test_the_texts_own_cross_references_are_the_texts(runtime: Runtime) -> None:
    """Objective 1 says 'zie ook doelstelling 6' (§3.B.1); 6 refers to the previous one."""
    kinds = _graph_kinds(runtime)
    doel = f"{TEST_BASE}/id/concept/strategische-doelstelling/"
    for source, target in (("1", "6"), ("6", "5")):
        graphs = _graphs_of(runtime, f"<{doel}{source}> rdfs:seeAlso <{doel}{target}>")
        assert {kinds.get(g) for g in graphs} == {"tekst"}, (source, target)


def test_every_thing_of_the_text_links_to_its_passage(runtime: Runtime) -> None:
    """Issue 14.4: every resource in a text graph names the passage it comes from."""
    rows = runtime.store.select(
        PREFIXES
        + f"""SELECT DISTINCT ?g ?thing WHERE {{
            GRAPH ?g {{ ?g dct:type <{KIND}tekst> . ?thing ?p ?o }}
            FILTER(isIRI(?thing) && ?thing != ?g)
            FILTER NOT EXISTS {{ ?thing dct:isPartOf <{SRO_TEXT}> }}
            FILTER NOT EXISTS {{
                GRAPH ?g {{ ?thing dct:source ?passage }}
                ?passage dct:isPartOf ?document .
            }}
        }}"""
    )
    assert not rows, sorted(str(r["thing"]) for r in rows)
    passages = runtime.store.select(
        PREFIXES + f"SELECT ?p WHERE {{ ?p dct:isPartOf <{SRO_TEXT}> ; dct:identifier ?id }}"
    )
    assert (
        len(passages) == 20
    )  # summary, 1 (+ footnote), 2.A-B, 3.A, 3.B, 3.B.1-7, 4, 4.A-C, 5, signatures


def test_the_sources_are_resources_with_title_date_and_authors(runtime: Runtime) -> None:
    bron = f"{TEST_BASE}/id/bron/"
    rows = runtime.store.select(
        PREFIXES + "SELECT ?doc ?title WHERE { ?doc a foaf:Document , dct:BibliographicResource ;"
        " dct:title ?title FILTER(lang(?title) = 'nl') }"
    )
    titles = {str(r["doc"]).removeprefix(bron): str(r["title"]) for r in rows}
    assert titles["mededeling-sro"] == "Missie en programma van de Smart Region Office"
    assert titles["studie-2019"].startswith("De verdere ontwikkeling en activatie van een Vlaams")
    assert set(titles) == {"mededeling-sro", "mededeling-2020", "studie-2019", "regeerakkoord"}
    assert runtime.store.ask(
        PREFIXES + f'ASK {{ <{bron}mededeling-2020> dct:identifier "VR 2020 1707 MED.0265-1" ;'
        ' dct:date "2020-07-17"^^<http://www.w3.org/2001/XMLSchema#date> }'
    )
    assert runtime.store.ask(
        PREFIXES + f"ASK {{ <{bron}studie-2019> dct:creator <{TEST_BASE}/id/organisatie/kpmg> }}"
    )
    # The text dates neither itself nor the coalition agreement: nothing is invented.
    assert not runtime.store.ask(PREFIXES + f"ASK {{ <{SRO_TEXT}> dct:date ?d }}")
    assert not runtime.store.ask(PREFIXES + f"ASK {{ <{bron}regeerakkoord> dct:date ?d }}")


def test_the_signing_ministers_are_agents_with_their_portfolios(runtime: Runtime) -> None:
    rows = runtime.store.select(
        PREFIXES
        + f"""SELECT ?name ?post WHERE {{
            <{SRO_TEXT}> dct:creator ?minister .
            ?minister a foaf:Person ; foaf:name ?name ; org:holds ?p .
            ?p skos:prefLabel ?post FILTER(lang(?post) = 'nl')
        }}"""
    )
    assert {(str(r["name"]), str(r["post"])) for r in rows} == {
        (
            "Jan Jambon",
            "Vlaams minister van Buitenlandse Zaken, Cultuur, Digitalisering en "
            "Facilitair Management",
        ),
        (
            "Bart Somers",
            "Vlaams minister van Binnenlands Bestuur, Bestuurszaken, Inburgering en Gelijke Kansen",
        ),
        (
            "Jo Brouns",
            "Vlaams minister van Economie, Innovatie, Werk, Sociale economie en Landbouw",
        ),
    }


def test_the_sounding_board_is_a_proposal_not_an_organisation(runtime: Runtime) -> None:
    """Issue 14.5: 'Er wordt voorgesteld deze voort te zetten als de Smart Region
    Klankbordgroep' is a proposal; no organisation of that name is claimed."""
    assert not runtime.store.ask(
        PREFIXES + 'ASK { ?o a org:Organization ; skos:prefLabel "Smart Region Klankbordgroep"@nl }'
    )
    assert runtime.store.ask(
        PREFIXES
        + f"""ASK {{ ?proposal a <{SR}Voorstel> ;
            <{SR}voorgesteldeNaam> "Smart Region Klankbordgroep"@nl ;
            <{SR}modaliteit> <{TEST_BASE}/id/concept/modaliteit/voorgesteld> ;
            <{SR}betreft> <{TEST_BASE}/id/organisatie/smart-flanders-klankbordgroep> }}"""
    )


# -- issue 14.6: OSLO and LBLOD identity ------------------------------------------------------


def test_local_governments_point_at_locations_linked_to_lblod(
    runtime: Runtime, shared_reference: Path
) -> None:
    """werkingsgebied and dct:spatial are dct:Locations; a municipality is owl:sameAs the LBLOD
    werkingsgebied of the reference file exactly when REFNIS 2025 says its territory is the
    2019 one (merged municipalities, such as Antwerpen and Hasselt, are not linked)."""
    from rdflib import Graph
    from rdflib.namespace import OWL, SKOS

    lblod = Graph().parse(shared_reference / "20220816085700-lblod_to_nis.ttl")
    refnis = Graph().parse(shared_reference / "20250107101800-refnis2025.ttl")
    by_2019 = {str(o).rsplit("/", 1)[1]: str(s) for s, o in lblod.subject_objects(SKOS.exactMatch)}
    rows = runtime.store.select(
        PREFIXES
        + """PREFIX besluit: <http://data.vlaanderen.be/ns/besluit#>
        SELECT ?gov ?area ?spatial WHERE {
            ?gov a besluit:Bestuurseenheid ; besluit:werkingsgebied ?area ; dct:spatial ?spatial .
            ?area a dct:Location . ?spatial a dct:Location }"""
    )
    assert len(rows) == 13
    linked = 0
    for row in rows:
        nis = str(row["area"]).rsplit("/", 1)[1]
        same = {
            str(r["x"])
            for r in runtime.store.select(
                f"SELECT ?x WHERE {{ <{row['area']}> <{OWL.sameAs}> ?x }}"
            )
        }
        unchanged = (
            URIRef(f"http://vocab.belgif.be/auth/refnis2025/{nis}"),
            SKOS.exactMatch,
            URIRef(f"http://vocab.belgif.be/auth/refnis2019/{nis}"),
        ) in refnis
        expected = {by_2019[nis]} if unchanged and nis in by_2019 else set()
        assert same == expected, nis
        linked += bool(same)
    assert linked == 11  # the 13 central cities but Antwerpen and Hasselt (merged in 2025)


def test_publisher_types_are_on_dct_type_and_code_lists_on_org_classification(
    runtime: Runtime,
) -> None:
    adms = "http://purl.org/adms/publishertype/"
    assert not runtime.store.ask(
        PREFIXES + f"ASK {{ ?o org:classification ?c FILTER(STRSTARTS(STR(?c), '{adms}')) }}"
    )
    assert runtime.store.ask(PREFIXES + f"ASK {{ <{SRO}> dct:type <{adms}RegionalAuthority> }}")
    # Every classification is a concept of a loaded code list.
    assert not runtime.store.ask(
        PREFIXES + "ASK { ?o org:classification ?c FILTER NOT EXISTS { ?c a skos:Concept ;"
        " skos:inScheme ?scheme } }"
    )


def test_aiv_becoming_digitaal_vlaanderen_is_an_oslo_change_event(runtime: Runtime) -> None:
    assert runtime.store.ask(
        PREFIXES
        + f"""ASK {{ ?change a <https://data.vlaanderen.be/ns/organisatie#Vervanging> ;
            org:originalOrganization <{TEST_BASE}/id/organisatie/aiv> ;
            org:resultingOrganization <https://data.vlaanderen.be/id/organisatie/OVO002949> ;
            dct:source ?passage }}"""
    )


@pytest.mark.parametrize("examples", [False, True], ids=["base", "with-examples"])
def test_every_thing_the_base_knowledge_links_to_is_described(
    examples: bool, runtime: Runtime, runtime_with_examples: Runtime
) -> None:
    """No dangling link: each of our /id/ IRIs used as an object has a description."""
    rows = (runtime_with_examples if examples else runtime).store.select(
        f"""SELECT DISTINCT ?thing WHERE {{
            ?s ?p ?thing .
            FILTER(isIRI(?thing) && STRSTARTS(STR(?thing), "{TEST_BASE}/id/"))
            FILTER NOT EXISTS {{ ?thing ?p2 ?o2 }}
        }}"""
    )
    assert not rows, sorted(str(r["thing"]) for r in rows)
