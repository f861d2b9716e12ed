"""The HTML pages: home, listings, resource pages, scheme trees, the dashboard, languages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sro_graph.web.app import create_app
from tests.conftest import make_settings
from tests.linkeddata_sample import THINGS, load_sample

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html"}
INITIATIVES = (
    "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE "
    "{ ?i a <https://sro.test/ns/smartregio#SmartCityInitiatief> }"
)


@pytest.fixture(scope="module")
def site() -> Iterator[TestClient]:
    """A client over the base knowledge plus the linked-data sample (read-only use)."""
    with TestClient(create_app(make_settings())) as client:
        load_sample(client.app.state.runtime)  # type: ignore[attr-defined]
        yield client


def _count(client: TestClient, query: str) -> int:
    rows = client.app.state.runtime.store.select(query)  # type: ignore[attr-defined]
    return int(rows[0]["n"])


def test_home_shows_the_counts_of_the_graph(site: TestClient) -> None:
    page = site.get("/", headers=HTML)
    assert page.status_code == 200
    n = _count(
        site,
        "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://www.w3.org/ns/org#Organization> }",
    )
    assert re.search(r'data-count="organisations"><span class="count">' + str(n) + "<", page.text)
    n = _count(site, INITIATIVES)
    assert f'data-count="initiatives"><span class="count">{n}<' in page.text
    assert 'href="/doc/conceptscheme/uitdaging"' in page.text


def test_every_page_has_landmarks_a_skip_link_and_the_menu(site: TestClient) -> None:
    for url in ("/", "/dashboard", "/initiatieven", "/organisaties", f"/doc/{THINGS['scheme']}"):
        text = site.get(url, headers=HTML).text
        assert '<a class="skip-link" href="#main">' in text, url
        assert '<main id="main"' in text, url
        assert '<nav aria-label="Hoofdmenu">' in text, url
        for href in ("/dashboard", "/sparql", "/queries", "/validate", "/catalog"):
            assert f'href="{href}"' in text, (url, href)


def test_initiative_page_shows_badge_partners_challenges_datasets(site: TestClient) -> None:
    text = site.get(f"/doc/{THINGS['initiative']}", headers=HTML).text
    assert 'data-badge="core"' in text
    assert 'href="/doc/bestuurseenheid/11002"' in text
    assert 'href="/doc/organisatie/kenniscentrum-vlaamse-steden"' in text
    assert 'href="/doc/concept/uitdaging/8"' in text
    assert 'href="/doc/concept/strategische-doelstelling/3"' in text
    assert 'href="/doc/dataset/ld-test-metingen"' in text
    assert 'href="/doc/programma/ld-test-programma"' in text
    assert "Stad Antwerpen" in text


def test_related_initiative_names_its_missing_elements(site: TestClient) -> None:
    text = site.get("/doc/initiatief/ld-test-zonder-data", headers=HTML).text
    assert 'data-badge="related"' in text
    missing = set(re.findall(r'data-missing="([a-z-]+)"', text))
    assert missing == {"samenwerking", "probleem", "data"}


def test_organisation_page_lists_initiatives_and_partners(site: TestClient) -> None:
    text = site.get(f"/doc/{THINGS['organisation']}", headers=HTML).text
    assert 'href="/doc/initiatief/ld-test-luchtmeting"' in text
    assert 'href="/doc/bestuurseenheid/11002"' in text


def test_concept_page_lists_its_initiatives(site: TestClient) -> None:
    text = site.get("/doc/concept/uitdaging/8", headers=HTML).text
    assert 'href="/doc/initiatief/ld-test-luchtmeting"' in text
    assert 'href="/doc/initiatief/ld-test-zonder-data"' in text


def test_scheme_page_is_a_tree_with_initiatives_under_concepts(site: TestClient) -> None:
    text = site.get("/doc/conceptscheme/uitdaging", headers=HTML).text
    assert text.count("data-concept=") == 9
    eight = text.split('data-concept="https://sro.test/id/concept/uitdaging/8"')[1]
    eight = eight.split("data-concept=")[0]
    assert "ld-test-luchtmeting" in eight


def test_dashboard_numbers_match_sparql(site: TestClient) -> None:
    text = site.get("/dashboard", headers=HTML).text
    for key in (
        "per-challenge",
        "per-objective",
        "per-focus-domain",
        "core-related",
        "per-province",
        "cooperation",
    ):
        assert f'data-chart="{key}"' in text
    per_challenge = text.split('data-chart="per-challenge"')[1].split("</figure>")[0]
    n = _count(
        site,
        "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i "
        "<https://sro.test/ns/smartregio#uitdaging> "
        "<https://sro.test/id/concept/uitdaging/8> }",
    )
    values = dict(re.findall(r'data-label="([^"]+)" data-value="(\d+)"', per_challenge))
    assert len(values) == 9
    assert int(values[_label_of(site, "uitdaging/8")]) == n >= 2
    assert 'role="img"' in text
    assert "<title id=" in text


def _label_of(client: TestClient, concept: str) -> str:
    rows = client.app.state.runtime.store.select(  # type: ignore[attr-defined]
        f"SELECT ?l WHERE {{ <https://sro.test/id/concept/{concept}> "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(lang(?l) = 'nl') }"
    )
    return str(rows[0]["l"])


def test_core_related_counts_follow_the_four_elements(site: TestClient) -> None:
    text = site.get("/dashboard", headers=HTML).text
    chart = text.split('data-chart="core-related"')[1].split("</figure>")[0]
    core, related = (int(v) for v in re.findall(r'data-value="(\d+)"', chart))
    assert core >= 1
    assert related >= 1
    assert core + related == _count(site, INITIATIVES)


def test_english_labels_with_lang_parameter_or_accept_language(site: TestClient) -> None:
    by_param = site.get("/doc/concept/uitdaging/8?lang=en", headers=HTML).text
    by_header = site.get(
        "/doc/concept/uitdaging/8", headers={**HTML, "Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}
    ).text
    dutch = site.get("/doc/concept/uitdaging/8", headers=HTML).text
    assert '<html lang="en">' in by_param
    assert '<html lang="en">' in by_header
    assert '<html lang="nl">' in dutch
    assert "Skip to content" in by_param
    assert "Naar de inhoud" in dutch
    assert "Need for a high-performance data infrastructure" in by_param
    assert "Nood aan performante data-infrastructuur" in dutch


def test_listings_show_initiatives_and_organisations(site: TestClient) -> None:
    initiatives = site.get("/initiatieven", headers=HTML).text
    assert "LD-test luchtmeting" in initiatives
    assert "LD-test zonder data" in initiatives
    organisations = site.get("/organisaties", headers=HTML).text
    assert 'href="/doc/organisatie/smart-region-office"' in organisations


def test_static_css_is_served_and_traversal_is_refused(site: TestClient) -> None:
    assert site.get("/static/site/site.css").status_code == 200
    assert site.get("/static/../pyproject.toml").status_code == 404
    assert site.get("/static/%2e%2e/%2e%2e/templating.py").status_code == 404


def test_pages_escape_data(site: TestClient) -> None:
    text = site.get("/initiatieven", headers=HTML).text
    assert "<script" not in text
