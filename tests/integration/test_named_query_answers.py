"""Each named query of issue 4 has a known answer on the example initiatives.

The answers come from the oracle table in the header of data/voorbeelden/initiatieven.ttl and
from reading that file. The examples are asked for explicitly (``load_examples``, issue 14): the
base knowledge itself holds no initiative.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings

INITIATIVE = f"{TEST_BASE}/id/initiatief/"
ORG = f"{TEST_BASE}/id/organisatie/"


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(load_examples=True))) as client:
        yield client


def rows(api: TestClient, name: str, **params: Any) -> list[dict[str, str]]:
    r = api.get(f"/queries/{name}", params=params, headers={"accept": "application/json"})
    assert r.status_code == 200, r.text
    result: list[dict[str, str]] = r.json()["rows"]
    return result


def slugs(found: list[dict[str, str]]) -> set[str]:
    return {row["initiatief"].removeprefix(INITIATIVE) for row in found}


def test_initiatives_per_challenge_counts(api: TestClient) -> None:
    counts = {r["notation"]: int(r["aantal"]) for r in rows(api, "initiatives-per-challenge")}
    assert counts == {"1": 2, "2": 5, "3": 6, "4": 4, "5": 2, "6": 2, "7": 2, "8": 7, "9": 8}


def test_initiatives_per_objective_counts(api: TestClient) -> None:
    counts = {r["notation"]: int(r["aantal"]) for r in rows(api, "initiatives-per-objective")}
    assert counts == {"1": 7, "2": 4, "3": 4, "4": 1, "5": 3, "6": 8, "7": 4}


def test_initiatives_per_focus_domain_counts_most_first(api: TestClient) -> None:
    found = rows(api, "initiatives-per-focus-domain", lang="en")
    counts = {r["notation"]: int(r["aantal"]) for r in found}
    assert counts == {
        "economy": 4,
        "environment": 6,
        "government": 7,
        "living": 4,
        "mobility": 3,
        "people": 5,
    }
    assert found[0]["notation"] == "government"


def test_initiatives_of_municipality_gent(api: TestClient) -> None:
    found = rows(
        api, "initiatives-of-municipality", gemeente="https://data.vlaanderen.be/id/gemeente/44021"
    )
    assert slugs(found) == {"gent-luchtkwaliteit-sensoren"}


def test_core_related_overview_matches_the_oracle(api: TestClient) -> None:
    found = {
        r["initiatief"].removeprefix(INITIATIVE): r for r in rows(api, "core-related-overview")
    }
    assert len(found) == 18
    assert sum(1 for r in found.values() if r["soort"] == "kern") == 12
    missing = {slug: r["ontbreekt"] for slug, r in found.items() if r["soort"] == "gerelateerd"}
    assert missing == {
        "demer-waterpeil-sensordataspace": "lokale-overheid",
        "oostende-digitale-vergunningen": "samenwerking, probleem",
        "kempen-lerend-netwerk": "data",
        "marktconsultatie-slimme-sensoren": "lokale-overheid, probleem, data",
        "lommel-energiedashboard": "samenwerking",
        "vilvoorde-halle-open-data": "probleem",
    }


def test_core_related_overview_filter_on_kind(api: TestClient) -> None:
    assert len(rows(api, "core-related-overview", status="gerelateerd")) == 6
    assert len(rows(api, "core-related-overview", status="kern")) == 12


def test_cooperation_pairs_most_shared_first(api: TestClient) -> None:
    found = rows(api, "cooperation-pairs")
    assert len(found) == 120
    top = found[0]
    assert (top["organisatie1"], top["organisatie2"], top["gedeeld"]) == (
        ORG + "vlaamse-milieumaatschappij",
        ORG + "voorbeeld-sensolux",
        "2",
    )
    assert len(rows(api, "cooperation-pairs", minimum=2)) == 1


def test_coverage_matrix_has_every_cell(api: TestClient) -> None:
    found = rows(api, "coverage-matrix")
    assert len(found) == 9 * 7
    assert sum(int(r["aantal"]) for r in found) == 68


def test_initiatives_by_building_block_oslo(api: TestClient) -> None:
    assert slugs(rows(api, "initiatives-by-building-block", bouwsteen="oslo")) == {
        "aalst-sint-niklaas-lokeren-parkeren",
        "brugge-bezoekersspreiding",
        "demer-waterpeil-sensordataspace",
        "gent-luchtkwaliteit-sensoren",
        "kortrijk-roeselare-druktemetingen",
        "leuven-digitale-tweeling",
        "vilvoorde-halle-open-data",
        "westhoek-vervoer-op-maat",
    }


def test_initiatives_by_building_block_accepts_the_concept_iri(api: TestClient) -> None:
    found = rows(
        api,
        "initiatives-by-building-block",
        bouwsteen=f"{TEST_BASE}/id/concept/bouwsteen/vlaamse-sensordataspace",
    )
    assert slugs(found) == {
        "antwerpen-geluidsmeetnet",
        "demer-waterpeil-sensordataspace",
        "gent-luchtkwaliteit-sensoren",
        "leuven-digitale-tweeling",
    }


@pytest.mark.parametrize(
    ("programme", "expected"),
    [
        (
            "city-of-things",
            {
                "gent-luchtkwaliteit-sensoren",
                "kortrijk-roeselare-druktemetingen",
                "aalst-sint-niklaas-lokeren-parkeren",
            },
        ),
        ("lokaal-digitaal", {"kempen-loket-aan-huis", "marktconsultatie-slimme-sensoren"}),
        ("programma-innovatie-overheidsopdrachten", {"noord-limburg-slimme-verlichting"}),
    ],
)
def test_initiatives_by_programme(api: TestClient, programme: str, expected: set[str]) -> None:
    found = rows(api, "initiatives-by-programme", programma=f"{TEST_BASE}/id/programma/{programme}")
    assert slugs(found) == expected


def test_initiatives_by_programme_refuses_a_non_programme(api: TestClient) -> None:
    r = api.get(
        "/queries/initiatives-by-programme",
        params={"programma": f"{INITIATIVE}gent-luchtkwaliteit-sensoren"},
    )
    assert r.status_code == 422


def test_actors_by_helix_type_companies(api: TestClient) -> None:
    found = rows(api, "actors-by-helix-type", actortype="bedrijf")
    assert {r["actortype"] for r in found} == {f"{TEST_BASE}/id/concept/actortype/bedrijf"}
    by_org = {r["organisatie"]: int(r["initiatieven"]) for r in found}
    assert by_org[ORG + "voorbeeld-sensolux"] == 4


def test_keyword_search_dutch_and_english(api: TestClient) -> None:
    assert slugs(rows(api, "keyword-search", q="Tweeling")) == {"leuven-digitale-tweeling"}
    assert slugs(rows(api, "keyword-search", q="digital twin", taal="en")) == {
        "leuven-digitale-tweeling"
    }
    assert rows(api, "keyword-search", q="digital twin", taal="nl") == []


def test_lighthouses(api: TestClient) -> None:
    assert slugs(rows(api, "lighthouses")) == {
        "gent-luchtkwaliteit-sensoren",
        "kortrijk-roeselare-druktemetingen",
        "leuven-digitale-tweeling",
        "antwerpen-geluidsmeetnet",
        "brugge-bezoekersspreiding",
    }
