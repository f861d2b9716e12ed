"""The instrument pages in a real browser: every figure on them equals the named query's
answer (fetched from ``/queries/{name}`` on the same server), plus screenshots."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"
FLEMISH_MUNICIPALITIES = 285  # REFNIS 2025, after the mergers of 1 January 2025


def _rows(base: str, name: str, **params: Any) -> list[dict[str, str]]:
    """The named query's rows as the API returns them (plain JSON)."""
    response = httpx.get(
        f"{base}/queries/{name}", params=params, headers={"Accept": "application/json"}, timeout=30
    )
    response.raise_for_status()
    rows: list[dict[str, str]] = response.json()["rows"]
    return rows


def _texts(page: Page, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def test_browser_home_links_to_the_instruments_and_their_pages(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    page.goto(live_server + "/")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link", name="Instrumenten")).to_have_attribute("href", "/instrumenten")
    page.locator("main a[href='/instrumenten']").first.click()
    expect(page).to_have_url(f"{live_server}/instrumenten")
    expect(page.locator("h1")).to_contain_text("Instrumenten")
    expect(menu.get_by_role("link", name="Instrumenten")).to_have_attribute("aria-current", "page")
    hrefs = page.locator("ul.cards > li > a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert hrefs == [
        f"/instrumenten/{p}"
        for p in (
            "partners",
            "vuurtorens",
            "gezamenlijke-aankoop",
            "financiering",
            "dekking",
            "matrix",
        )
    ]
    page.screenshot(path=screenshots / "20-instrumenten.png", full_page=True)

    for href in hrefs:
        page.goto(live_server + "/instrumenten")
        page.locator(f"ul.cards a[href='{href}']").click()
        expect(page).to_have_url(live_server + href)
        expect(page.locator("h1")).to_be_visible()


def test_browser_partners_for_a_chosen_initiative_match_find_partners(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    page.goto(live_server + "/instrumenten/partners")
    options = page.locator("select[name=initiatief] option").evaluate_all(
        "os => os.map(o => [o.value, o.textContent.trim()]).filter(p => p[0])"
    )
    assert options, "the form offers no initiatives"
    # The first initiative (in the form's order) that has candidate partners at all.
    chosen, expected = None, []
    for iri, title in options:
        expected = _rows(live_server, "find-partners", initiatief=iri)
        if expected:
            chosen = (iri, title)
            break
    assert chosen is not None, "no initiative in the data has a possible partner"

    page.select_option("select[name=initiatief]", label=chosen[1])
    page.locator("form.partners button[type=submit]").click()
    page.wait_for_url("**/instrumenten/partners?*")
    assert httpx.URL(page.url).params["initiatief"] == chosen[0]
    expect(page.locator("h2")).to_contain_text(f"({len(expected)})")
    expect(page.locator("select[name=initiatief]")).to_have_value(chosen[0])
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(expected))
    assert _texts(page, "main table tbody tr td:nth-child(1)") == [
        r.get("titel") or r["partner"] for r in expected
    ]
    assert _texts(page, "main table tbody tr td:nth-child(2)") == [r["overlap"] for r in expected]
    page.screenshot(path=screenshots / "21-partners.png", full_page=True)


def test_browser_lighthouses_page_and_atom_feed_list_the_lighthouses(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    expected = _rows(live_server, "lighthouses-feed")
    assert expected, "the data has no lighthouse (sr:isVuurtoren true)"
    page.goto(live_server + "/instrumenten/vuurtorens")
    expect(page.locator("h1")).to_contain_text(f"({len(expected)})")
    titles = [r.get("titel") or r["initiatief"] for r in expected]
    assert _texts(page, "article.lighthouse h2 > a") == titles
    # Issue 14.1: every invented lighthouse is badged on the page and named so in the feed.
    invented = [r.get("voorbeeld") == "true" for r in expected]
    assert all(invented)
    assert page.locator("article.lighthouse h2 [data-example=true]").count() == len(expected)
    feed_href = page.locator("link[rel=alternate][type='application/atom+xml']").get_attribute(
        "href"
    )
    assert feed_href is not None
    page.screenshot(path=screenshots / "22-vuurtorens.png", full_page=True)

    response = httpx.get(live_server + feed_href, timeout=30)
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [r["initiatief"] for r in expected]
    assert [e.findtext(f"{ATOM}title") for e in entries] == [f"Voorbeeld: {t}" for t in titles]
    assert feed.findtext(f"{ATOM}updated")


def test_browser_joint_procurement_lists_the_candidate_clusters(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    expected = _rows(live_server, "joint-procurement-candidates", minimum=2)
    assert expected, "the data has no joint procurement cluster"
    page.goto(live_server + "/instrumenten/gezamenlijke-aankoop")
    expect(page.locator("h1")).to_contain_text(f"({len(expected)})")
    expect(page.locator("main table tbody tr")).to_have_count(len(expected))
    assert _texts(page, "main table tbody tr td:nth-child(1)") == [r["sleutel"] for r in expected]
    assert _texts(page, "main table tbody tr td:nth-child(3)") == [
        r["aantalBesturen"] for r in expected
    ]
    page.screenshot(path=screenshots / "23-gezamenlijke-aankoop.png", full_page=True)


def test_browser_funding_lists_each_programme_with_its_initiative_count(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    expected = _rows(live_server, "funding-overview")
    assert expected, "the data has no programme"
    assert any(int(r["aantalInitiatieven"]) > 0 for r in expected)
    page.goto(live_server + "/instrumenten/financiering")
    expect(page.locator("main table tbody tr")).to_have_count(len(expected))
    assert _texts(page, "main table tbody tr td:nth-child(1) > a") == [r["naam"] for r in expected]
    assert _texts(page, "main table tbody tr td:nth-child(2)") == [
        r["aantalInitiatieven"] for r in expected
    ]
    assert _texts(page, "main table tbody tr td:nth-child(3)") == [
        r["aantalGemeenten"] for r in expected
    ]
    page.screenshot(path=screenshots / "24-financiering.png", full_page=True)


def test_browser_coverage_lists_all_municipalities_those_without_initiative_first(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    expected = _rows(live_server, "municipality-coverage")
    assert len(expected) == FLEMISH_MUNICIPALITIES
    without = sum(1 for r in expected if int(r["aantal"]) == 0)
    assert 0 < without < FLEMISH_MUNICIPALITIES
    page.goto(live_server + "/instrumenten/dekking")
    expect(page.locator("main table tbody tr")).to_have_count(FLEMISH_MUNICIPALITIES)
    expect(page.locator("p.lead strong").nth(1)).to_have_text(str(without))
    counts = [int(c) for c in _texts(page, "main table tbody tr td:nth-child(4)")]
    assert counts == [int(r["aantal"]) for r in expected]
    assert counts[:without] == [0] * without
    assert min(counts[without:]) > 0
    assert _texts(page, "main table tbody tr td:nth-child(1)")[:5] == [
        r["naam"] for r in expected[:5]
    ]
    expect(page.locator(".tiles svg rect")).to_have_count(FLEMISH_MUNICIPALITIES)
    expect(page.locator(".tiles svg rect.t0")).to_have_count(without)
    page.screenshot(path=screenshots / "25-dekking.png", full_page=True)


def test_browser_matrix_heat_map_cells_equal_the_coverage_matrix(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    expected = {
        (r["uitdagingNr"], r["doelstellingNr"]): int(r["aantal"])
        for r in _rows(live_server, "coverage-matrix")
    }
    assert len(expected) == 9 * 7
    assert any(expected.values())
    page.goto(live_server + "/instrumenten/matrix")
    cells = page.locator("table.heat td.cell").evaluate_all(
        "cs => cs.map(c => [c.dataset.challenge, c.dataset.objective, Number(c.textContent)])"
    )
    shown = {(challenge, objective): n for challenge, objective, n in cells}
    assert len(cells) == len(expected)
    assert shown == expected
    empty = sum(1 for n in expected.values() if n == 0)
    expect(page.locator("p.lead strong")).to_have_text(str(empty))
    page.screenshot(path=screenshots / "26-matrix.png", full_page=True)


def test_browser_dashboard_shows_the_objective_challenge_heat_map(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    """Issue 9: the matrix is a heat map on the dashboard too, with the query's numbers."""
    expected = {
        (r["uitdagingNr"], r["doelstellingNr"]): int(r["aantal"])
        for r in _rows(live_server, "coverage-matrix")
    }
    page.goto(live_server + "/dashboard")
    section = page.locator("section[aria-labelledby=h-matrix]")
    expect(section.locator("h2")).to_have_text("Strategische doelstellingen x uitdagingen")
    cells = section.locator("table.heat td.cell").evaluate_all(
        "cs => cs.map(c => [c.dataset.challenge, c.dataset.objective, Number(c.textContent)])"
    )
    assert {(challenge, objective): n for challenge, objective, n in cells} == expected
    section.screenshot(path=screenshots / "28-dashboard-matrix.png")


def test_browser_validate_form_is_a_site_page(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    page.goto(live_server + "/validate")
    expect(page.locator("h1")).to_have_text("Valideren")
    expect(
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Valideren")
    ).to_have_attribute("aria-current", "page")
    expect(page.get_by_label("RDF-bestand", exact=False)).to_be_attached()
    expect(page.locator("form[action='/validate'] button[type=submit]")).to_be_visible()
    page.screenshot(path=screenshots / "27-validate-form.png", full_page=True)
