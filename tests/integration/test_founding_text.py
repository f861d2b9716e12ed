"""What the founding text describes is queryable and shown (issue 14.5): the Smart Region
Office's tasks per working mode, its commitments per objective, the announced deliverables,
the proposals and the programmes the text names under each objective — each with its modality
and its passage, on the base knowledge alone."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sro_graph.web.app import create_app
from tests.conftest import make_settings

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as client:
        yield client


def rows(api: TestClient, name: str, **params: Any) -> list[dict[str, str]]:
    r = api.get(f"/queries/{name}", params=params, headers={"accept": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["examples"] is False
    result: list[dict[str, str]] = r.json()["rows"]
    return result


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_what_the_sro_committed_to_for_objective_5(api: TestClient) -> None:
    found = rows(api, "commitments-per-objective", doelstelling="5")
    assert [(r["nr"], r["modaliteit"], r["sectie"]) for r in found] == [
        ("5.1", "vastgesteld", "3.B.5"),
        ("5.2", "vastgesteld", "3.B.5"),
        ("5.3", "aangekondigd", "3.B.5"),
    ]
    assert found[1]["label"] == "Ambassadeur voor de drie rechtstreeks betrokken entiteiten"
    assert found[0]["verantwoordelijken"] == "Smart Region Office"
    assert "verantwoordelijken" not in found[2]  # the text names no one for the platform


def test_every_objective_has_commitments_from_its_own_section(api: TestClient) -> None:
    found = rows(api, "commitments-per-objective", lang="en")
    per_objective = Counter(r["doelstellingNr"] for r in found)
    assert per_objective == {"1": 3, "2": 3, "3": 5, "4": 3, "5": 3, "6": 2, "7": 2}
    for row in found:
        assert row["sectie"] == f"3.B.{row['doelstellingNr']}", row["nr"]


def test_tasks_per_working_mode_are_the_texts_seven_three_and_four(api: TestClient) -> None:
    found = rows(api, "tasks-per-working-mode")
    assert Counter(r["nr"].split(".")[0] for r in found) == {"A": 7, "B": 3, "C": 4, "G": 2}
    assert {r["modaliteit"] for r in found if r["nr"].startswith("A")} == {"mogelijk"}
    assert {r["sectie"] for r in found if r["nr"].startswith("C")} == {"4.C"}
    only_b = rows(api, "tasks-per-working-mode", werkwijze="B")
    assert [r["nr"] for r in only_b] == ["B.1", "B.2", "B.3"]


def test_announced_deliverables(api: TestClient) -> None:
    found = {_local(r["oplevering"]): r for r in rows(api, "announced-deliverables")}
    assert set(found) == {
        "voorstel-van-strategie",
        "instrumentarium",
        "geprioriteerd-programma",
        "nota-actieprogramma",
        "evaluatie-overlegorganen",
        "actieprogramma-administraties",
        "overzicht-overlegstructuren",
    }
    assert _local(found["evaluatie-overlegorganen"]["deelVan"]) == "nota-actieprogramma"
    assert found["voorstel-van-strategie"]["secties"] == "samenvatting"
    assert found["overzicht-overlegstructuren"]["modaliteit"] == "vastgesteld"
    assert {r["modaliteit"] for k, r in found.items() if k != "overzicht-overlegstructuren"} == {
        "aangekondigd"
    }


def test_the_sounding_board_continuation_is_the_only_proposal(api: TestClient) -> None:
    found = rows(api, "proposals")
    assert len(found) == 1
    assert found[0]["voorgesteldeNaam"] == "Smart Region Klankbordgroep"
    assert found[0]["soortWijziging"] == "https://data.vlaanderen.be/ns/organisatie#Vervanging"
    assert _local(found[0]["betreft"]) == "smart-flanders-klankbordgroep"


def test_programmes_the_text_names_under_objectives(api: TestClient) -> None:
    """GzG and City of Things under 2; the practice bank, City of Things and Smart Flanders
    under 5; the building blocks under 6; Lokaal Digitaal under 7."""
    named: dict[str, set[str]] = {}
    for row in rows(api, "named-under-objective"):
        named.setdefault(row["doelstellingNr"], set()).add(_local(row["ding"]))
    assert named["2"] == {"gemeente-zonder-gemeentehuis", "city-of-things"}
    assert named["5"] == {
        "praktijkenbank-vvsg",
        "city-of-things",
        "smart-flanders",
        "ondernemersverhalen-vlaio",
    }
    assert len(named["6"]) == 9
    assert named["7"] == {"lokaal-digitaal", "city-of-things", "gemeente-zonder-gemeentehuis"}


def test_founding_text_page_shows_tasks_commitments_deliverables_and_proposals(
    api: TestClient,
) -> None:
    text = api.get("/stichtingstekst", headers=HTML).text
    assert re.findall(r'data-tasks="(\w)"', text) == ["A", "B", "C", "G"]
    assert re.findall(r'data-commitments="(\d)"', text) == list("1234567")
    assert text.count('data-modality="voorgesteld"') == 1
    assert text.count("data-statement=") == 16 + 21 + 7 + 1
    assert 'href="/doc/bron/mededeling-2020"' in text


def test_objective_page_shows_what_the_text_says_for_it(api: TestClient) -> None:
    text = api.get("/doc/concept/strategische-doelstelling/5", headers=HTML).text
    assert text.count("data-statement=") == 3
    assert 'href="/doc/kennisbron/praktijkenbank-vvsg"' in text


def test_readings_are_marked_on_pages(api: TestClient) -> None:
    """Issue 14.3: the challenges' definitions are sro-graph's reading, and say so."""
    text = api.get("/doc/concept/uitdaging/8", headers=HTML).text
    assert 'data-reading="true"' in text
    label = api.get("/doc/concept/uitdaging/8.ttl").text
    assert "Nood aan performante data-infrastructuur" in label
    programme = api.get("/doc/programma/vlaamse-veerkracht", headers=HTML).text
    assert re.search(
        r"Vlaamse Veerkracht</span>(\s|<small[^>]*>[^<]*</small>)*\s*<span "
        r'class="badge reading"',
        programme,
    )
