"""The SRO's instruments on the example data (data/voorbeelden/, asked for explicitly with
``load_examples``, issue 14): each named query's known answer, and each page under /instrumenten
with those numbers in its HTML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from sro_graph.config import PROJECT_ROOT
from sro_graph.errors import BadParameterError
from sro_graph.instruments import Instruments
from sro_graph.runtime import Runtime, open_runtime
from sro_graph.store import GraphWrite
from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings

INITIATIVE = f"{TEST_BASE}/id/initiatief/"
GENT_AIR = INITIATIVE + "gent-luchtkwaliteit-sensoren"
ANTWERP_NOISE = INITIATIVE + "antwerpen-geluidsmeetnet"
GENT = "https://data.vlaanderen.be/id/gemeente/44021"


def _refnis_municipalities() -> int:
    text = (PROJECT_ROOT / "data" / "gemeenten.ttl").read_text(encoding="utf-8")
    return len(re.findall(r"\ba generiek:Gemeente\b", text))


@pytest.fixture(scope="module")
def example() -> Graph:
    """The example initiatives and local governments read straight from the files, as an
    independent oracle for the totals (the store is not involved)."""
    graph = Graph()
    for name in (
        "voorbeelden/initiatieven.ttl",
        "voorbeelden/lokale-besturen.ttl",
        "lokale-besturen.ttl",
    ):
        graph.parse(PROJECT_ROOT / "data" / name, format="turtle", publicID=TEST_BASE + "/")
    return graph


def _initiatives(example: Graph) -> set[URIRef]:
    sr_class = URIRef(f"{TEST_BASE}/ns/smartregio#SmartCityInitiatief")
    return {s for s in example.subjects(RDF.type, sr_class) if isinstance(s, URIRef)}


@pytest.fixture(scope="module")
def tools(runtime_with_examples: Runtime) -> Instruments:
    runtime = runtime_with_examples
    return Instruments(runtime.queries, runtime.store, runtime.uris)


@pytest.fixture(scope="module")
def site() -> Iterator[TestClient]:
    """One app for the page tests (read-only), so the base knowledge loads once."""
    with TestClient(create_app(make_settings(load_examples=True))) as client:
        yield client


# --- find-partners -----------------------------------------------------------------------


def test_find_partners_for_gent_air_quality_ranks_antwerp_noise_first(tools: Instruments) -> None:
    found = tools.partners(initiative=GENT_AIR)
    assert found[0].iri == ANTWERP_NOISE
    assert found[0].overlap == 4
    assert "Soorten datagebruik: Sensoren" in found[0].reasons
    assert "Probleemdomeinen: Levenskwaliteit" in found[0].reasons
    assert found[0].governments == ("Stad Antwerpen",)
    assert [p.overlap for p in found] == sorted((p.overlap for p in found), reverse=True)
    assert GENT_AIR not in {p.iri for p in found}


def test_find_partners_reasons_follow_the_language(tools: Instruments) -> None:
    found = tools.partners(initiative=GENT_AIR, lang="en")
    assert "Kinds of data use: Sensors" in found[0].reasons
    assert found[0].governments == ("City of Antwerp",)


def test_find_partners_for_municipality_gent_matches_its_initiative(tools: Instruments) -> None:
    by_municipality = {p.iri for p in tools.partners(municipality=GENT)}
    assert by_municipality == {p.iri for p in tools.partners(initiative=GENT_AIR)}
    assert all("Gent" not in p.municipalities for p in tools.partners(municipality=GENT))


def test_find_partners_without_a_source_is_refused(tools: Instruments) -> None:
    with pytest.raises(BadParameterError):
        tools.partners()
    with pytest.raises(BadParameterError):
        tools.partners(initiative=GENT_AIR, municipality=GENT)


def test_find_partners_leaves_out_governments_already_cooperating() -> None:
    """Once Stad Gent and Stad Antwerpen work together, Antwerp's initiative is no longer
    proposed to Gent."""
    runtime = open_runtime(make_settings(load_examples=True))
    try:
        tools = Instruments(runtime.queries, runtime.store, runtime.uris)
        assert tools.partners(initiative=GENT_AIR)[0].iri == ANTWERP_NOISE
        joint = URIRef(INITIATIVE + "test-gent-antwerpen")
        graph = Graph()
        graph.add((joint, RDF.type, runtime.uris.sr.SmartCityInitiatief))
        graph.add((joint, DCTERMS.title, Literal("Samenwerking Gent-Antwerpen", lang="nl")))
        for nis in ("44021", "11002"):
            graph.add(
                (joint, PROV.wasAssociatedWith, URIRef(f"{TEST_BASE}/id/bestuurseenheid/{nis}"))
            )
        runtime.store.write(
            GraphWrite(replace={f"{TEST_BASE}/graph/test-joint": graph}), new_version="test-joint"
        )
        partners = {p.iri for p in tools.partners(initiative=GENT_AIR)}
        assert ANTWERP_NOISE not in partners
        assert INITIATIVE + "brugge-bezoekersspreiding" in partners
    finally:
        runtime.close()


# --- lighthouses-feed ----------------------------------------------------------------------


def test_lighthouses_are_newest_first_with_what_makes_them_reusable(tools: Instruments) -> None:
    items = tools.lighthouses()
    assert [i.iri.removeprefix(INITIATIVE) for i in items] == [
        "brugge-bezoekersspreiding",
        "kortrijk-roeselare-druktemetingen",
        "leuven-digitale-tweeling",
        "gent-luchtkwaliteit-sensoren",
        "antwerpen-geluidsmeetnet",
    ]
    gent = next(i for i in items if i.iri == GENT_AIR)
    assert {"OSLO", "Vlaamse Sensordataspace"} <= set(gent.building_blocks)
    assert gent.datasets == ("Luchtkwaliteitsmetingen van het Gentse burgermeetnet",)
    assert "Stad Gent" in gent.partners
    assert "Universiteit Gent" in gent.partners
    assert gent.results
    assert gent.municipalities == ("Gent",)


# --- joint-procurement-candidates ----------------------------------------------------------


def test_joint_procurement_clusters_small_municipalities_on_welfare(tools: Instruments) -> None:
    clusters = {c.key: c for c in tools.procurement_clusters()}
    welfare = clusters["Welzijn + Bevragingen"]
    assert set(welfare.governments) == {
        "Gemeente Zwalm",
        "Gemeente Herzele",
        "Gemeente Lierde",
        "Gemeente Retie",
        "Gemeente Dessel",
        "Gemeente Kasterlee",
    }
    assert welfare.size == 6
    assert welfare.initiative_count == 2


def test_joint_procurement_largest_cluster_first_and_never_one_initiative(
    tools: Instruments,
) -> None:
    clusters = tools.procurement_clusters()
    assert clusters[0].key == "Mobiliteit + OSLO"
    assert clusters[0].size == 11
    assert all(c.initiative_count >= 2 and c.size >= 2 for c in clusters)
    assert [c.size for c in clusters] == sorted((c.size for c in clusters), reverse=True)


# --- funding-overview ----------------------------------------------------------------------


def test_funding_city_of_things_funds_three_initiatives(tools: Instruments) -> None:
    programmes = {p.iri.rsplit("/", 1)[1]: p for p in tools.funding()}
    cot = programmes["city-of-things"]
    assert cot.initiatives == (
        "Gedeelde druktemetingen in de binnensteden van Kortrijk, Roeselare en Izegem",
        "Luchtkwaliteitsmeetnet met burgers in Gent",
        "Open parkeerdata in Aalst, Sint-Niklaas en Lokeren",
    )
    assert cot.municipality_count == 7
    assert cot.budget == Decimal("935000")
    assert cot.challenges == ("2", "3", "5", "8", "9")
    assert cot.objectives == ("1", "3", "6", "7")


def test_funding_budgets_only_where_known(tools: Instruments) -> None:
    programmes = {p.iri.rsplit("/", 1)[1]: p for p in tools.funding()}
    assert programmes["gemeente-zonder-gemeentehuis"].budget == Decimal("395000")
    assert programmes["lokaal-digitaal"].with_budget == 1
    assert programmes["lokaal-digitaal"].initiative_count == 2
    assert programmes["vlaamse-veerkracht"].budget is None
    assert programmes["smart-flanders"].initiative_count == 0


# --- municipality-coverage -----------------------------------------------------------------


def test_coverage_lists_every_refnis_municipality_with_none_first(
    tools: Instruments, example: Graph
) -> None:
    rows = tools.coverage()
    assert len(rows) == _refnis_municipalities() == 285
    counts = [r.count for r in rows]
    assert counts == sorted(counts)
    assert rows[0].count == 0
    by_name = {r.name: r for r in rows}
    assert by_name["Gent"].count == 1
    assert by_name["Gent"].province_name == "Provincie Oost-Vlaanderen"
    assert by_name["Aartselaar"].count == 0
    werkingsgebied = URIRef("http://data.vlaanderen.be/ns/besluit#werkingsgebied")
    reached: set[str] = set()
    for initiative in _initiatives(example):
        reached |= {str(o) for o in example.objects(initiative, DCTERMS.spatial)}
        for agent in example.objects(initiative, PROV.wasAssociatedWith):
            reached |= {str(o) for o in example.objects(agent, werkingsgebied)}
    assert {r.iri for r in rows if r.count > 0} == reached & {r.iri for r in rows}


# --- coverage-matrix (reused) --------------------------------------------------------------


def test_matrix_has_nine_challenges_by_seven_objectives(tools: Instruments, example: Graph) -> None:
    matrix = tools.matrix()
    assert [c.notation for c in matrix.challenges] == [str(n) for n in range(1, 10)]
    assert [o.notation for o in matrix.objectives] == [str(n) for n in range(1, 8)]
    assert len(matrix.counts) == 63
    assert matrix.counts[("8", "6")] == matrix.top == 7
    sr = f"{TEST_BASE}/ns/smartregio#"
    pairs = {
        (str(u).rsplit("/", 1)[1], str(d).rsplit("/", 1)[1])
        for i in _initiatives(example)
        for u in example.objects(i, URIRef(sr + "uitdaging"))
        for d in example.objects(i, URIRef(sr + "draagtBijTot"))
    }
    assert {k for k, v in matrix.counts.items() if v > 0} == pairs


# --- pages ----------------------------------------------------------------------------------


def test_page_index_links_every_instrument(site: TestClient) -> None:
    page = site.get("/instrumenten")
    assert page.status_code == 200
    for path in (
        "partners",
        "vuurtorens",
        "gezamenlijke-aankoop",
        "financiering",
        "dekking",
        "matrix",
    ):
        assert f'href="/instrumenten/{path}"' in page.text


def test_page_partners_shows_ranked_reasons(site: TestClient) -> None:
    page = site.get("/instrumenten/partners", params={"initiatief": GENT_AIR})
    assert page.status_code == 200
    assert "Geluidsmeetnet rond nachtleven en verkeer in Antwerpen" in page.text
    assert "Soorten datagebruik: Sensoren" in page.text
    assert '<td class="num">4</td>' in page.text


def test_page_partners_for_a_municipality(site: TestClient) -> None:
    page = site.get("/instrumenten/partners", params={"gemeente": GENT, "lang": "en"})
    assert page.status_code == 200
    assert "Possible partners (" in page.text
    assert "Noise monitoring network for nightlife and traffic in Antwerp" in page.text


def test_page_partners_with_a_bad_iri_is_422(site: TestClient) -> None:
    assert site.get("/instrumenten/partners", params={"initiatief": "geen iri"}).status_code == 422


def test_page_lighthouses_and_atom_feed(site: TestClient) -> None:
    page = site.get("/instrumenten/vuurtorens")
    assert page.status_code == 200
    assert "Vuurtorens (5)" in page.text
    assert "Luchtkwaliteitsmetingen van het Gentse burgermeetnet" in page.text
    feed = site.get("/instrumenten/vuurtorens.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.fromstring(feed.content).findall(f"{atom}entry")
    assert len(entries) == 5
    assert entries[0].findtext(f"{atom}id") == INITIATIVE + "brugge-bezoekersspreiding"


def test_page_joint_procurement_shows_clusters(site: TestClient) -> None:
    page = site.get("/instrumenten/gezamenlijke-aankoop")
    assert page.status_code == 200
    assert "Welzijn + Bevragingen" in page.text
    assert "Mobiliteit + OSLO" in page.text


def test_page_funding_shows_budgets(site: TestClient) -> None:
    page = site.get("/instrumenten/financiering")
    assert page.status_code == 200
    assert "935.000" in page.text
    assert "395.000" in page.text
    assert "City of Things" in page.text


def test_page_coverage_table_and_province_tiles(site: TestClient) -> None:
    page = site.get("/instrumenten/dekking")
    assert page.status_code == 200
    assert "<strong>285</strong>" in page.text
    assert re.search(r"<strong>2[0-9][0-9]</strong> nog geen enkel initiatief", page.text)
    assert page.text.count("<svg") == 5
    assert "Gent: 1" in page.text
    assert page.text.index("Aartselaar") < page.text.index(">Gent<")


def test_page_matrix_heat_map_with_numbers(site: TestClient) -> None:
    page = site.get("/instrumenten/matrix")
    assert page.status_code == 200
    assert re.search(r"<strong>[0-9]+</strong> van de 63", page.text)
    assert re.search(
        r'class="cell dark" style="background: hsl\(212, 70%, 30%\)"[^>]*>7<', page.text
    )
