"""The site in a real browser: navigation, the dashboard's numbers, screenshots."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _sparql_count(base: str, query: str) -> int:
    response = httpx.get(
        f"{base}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_browser_navigates_home_challenge_initiative_organisation(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    page.goto(live_server + "/")
    expect(page.locator("h1")).to_contain_text("Smart Region Office")
    page.screenshot(path=screenshots / "01-home.png", full_page=True)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Uitdagingen").click()
    expect(page).to_have_url(f"{live_server}/doc/conceptscheme/uitdaging")
    page.screenshot(path=screenshots / "02-uitdagingen.png", full_page=True)

    page.locator('li[data-concept$="/id/concept/uitdaging/8"] > a').first.click()
    expect(page).to_have_url(f"{live_server}/doc/concept/uitdaging/8")
    expect(page.locator("h1")).to_contain_text("Nood aan performante data-infrastructuur")
    page.screenshot(path=screenshots / "03-uitdaging-8.png", full_page=True)

    page.get_by_role("link", name="LD-test luchtmeting").first.click()
    expect(page).to_have_url(f"{live_server}/doc/initiatief/ld-test-luchtmeting")
    expect(page.locator("[data-badge=core]")).to_be_visible()
    page.screenshot(path=screenshots / "04-initiatief.png", full_page=True)

    page.locator("#partners-h + ul").get_by_role(
        "link", name="Kenniscentrum Vlaamse Steden"
    ).click()
    expect(page).to_have_url(f"{live_server}/doc/organisatie/kenniscentrum-vlaamse-steden")
    expect(page.locator("#initiatives-h + ul")).to_contain_text("LD-test luchtmeting")
    page.screenshot(path=screenshots / "05-organisatie.png", full_page=True)


def test_browser_dashboard_charts_show_the_sparql_numbers(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    page.goto(live_server + "/dashboard")
    for key in (
        "per-challenge",
        "per-objective",
        "per-focus-domain",
        "core-related",
        "per-province",
        "cooperation",
    ):
        expect(page.locator(f'[data-chart="{key}"] svg')).to_be_visible()
    page.screenshot(path=screenshots / "06-dashboard.png", full_page=True)

    sr = f"{live_server}/ns/smartregio#"
    for code in range(1, 10):
        concept = f"{live_server}/id/concept/uitdaging/{code}"
        expected = _sparql_count(
            live_server,
            (
                f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?i a <{sr}SmartCityInitiatief> ; "
                f"<{sr}uitdaging> <{concept}> }}"
            ),
        )
        row = page.locator(
            f'[data-chart="per-challenge"] g.bar-row:has(a[href="/doc/concept/uitdaging/{code}"])'
        )
        assert row.get_attribute("data-value") == str(expected), code
        expect(row.locator("text.value")).to_have_text(str(expected))
        width = float(row.locator("rect").get_attribute("width") or "0")
        assert (width > 0) == (expected > 0)

    total = _sparql_count(
        live_server,
        (f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?i a <{sr}SmartCityInitiatief> }}"),
    )
    values = page.locator('[data-chart="core-related"] g.bar-row').evaluate_all(
        "rows => rows.map(r => Number(r.dataset.value))"
    )
    assert sum(values) == total

    antwerpen = _sparql_count(
        live_server,
        (
            f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?i a <{sr}SmartCityInitiatief> ; "
            "<http://purl.org/dc/terms/spatial> ?m . "
            "?m <http://purl.org/dc/terms/isPartOf> "
            "<http://vocab.belgif.be/auth/refnis2025/10000> }"
        ),
    )
    row = page.locator('[data-chart="per-province"] g.bar-row[data-label="Provincie Antwerpen"]')
    assert row.get_attribute("data-value") == str(antwerpen)
    assert antwerpen >= 1


def test_browser_english_pages_and_vocabulary_anchor(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    page.goto(live_server + "/doc/conceptscheme/strategische-doelstelling?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.screenshot(path=screenshots / "07-objectives-en.png", full_page=True)
    page.goto(live_server + "/id/initiatief/ld-test-zonder-data")
    expect(page).to_have_url(f"{live_server}/doc/initiatief/ld-test-zonder-data")
    expect(page.locator("[data-badge=related]")).to_be_visible()
    expect(page.locator("[data-missing=data]")).to_be_visible()
    page.screenshot(path=screenshots / "08-related-initiative.png", full_page=True)
    page.goto(live_server + "/ns/smartregio#SmartCityInitiatief")
    expect(page.locator("#SmartCityInitiatief")).to_be_visible()
    page.screenshot(path=screenshots / "09-vocabulary.png")


def test_browser_validate_page_reports_a_broken_file(
    live_server: str,
    page: Page,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    # The broken sample is written for the test base; this server's base is its own URL.
    source = Path(__file__).parents[1] / "data" / "broken-initiative.ttl"
    broken = tmp_path / "broken-initiative.ttl"
    broken.write_text(
        source.read_text(encoding="utf-8").replace("https://sro.test", live_server),
        encoding="utf-8",
    )
    page.goto(live_server + "/validate")
    page.set_input_files("#data", broken)
    page.locator("form[action='/validate'] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Validatierapport")
    expect(page.locator("[role=alert]")).to_contain_text("Niet conform")
    expect(page.locator("table").last).to_contain_text("kapot-voorbeeld")
    page.screenshot(path=screenshots / "10-validatierapport.png", full_page=True)


def test_browser_sparql_page_runs_a_named_query_into_a_table(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    page.goto(live_server + "/sparql")
    options = page.locator("#example option")
    expect(options.nth(1)).to_be_attached()
    page.select_option("#example", index=1)
    expect(page.locator("#query")).not_to_have_value("")
    page.locator("#sparql-form button[type=submit]").click()
    table = page.locator("#results table")
    expect(table).to_be_visible()
    expect(table.locator("thead th").first).to_be_visible()
    page.screenshot(path=screenshots / "11-sparql.png", full_page=True)


def test_browser_founding_text_page_shows_the_sro_programme_and_the_examples_banner(
    live_server: str,
    page: Page,
    screenshots: Path,
) -> None:
    """Issue 14: the founding text's programme is a page, each statement with its passage;
    the examples this server holds are announced on every page."""
    page.goto(live_server + "/")
    expect(page.locator("[data-examples=true]")).to_be_visible()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Stichtingstekst"
    ).click()
    expect(page).to_have_url(f"{live_server}/stichtingstekst")
    expect(page.locator("ul[data-tasks=A] > li")).to_have_count(7)
    expect(page.locator("ul[data-tasks=B] > li")).to_have_count(3)
    expect(page.locator("ul[data-tasks=C] > li")).to_have_count(4)
    expect(page.locator("[data-modality=voorgesteld]")).to_have_count(1)
    page.screenshot(path=screenshots / "12-stichtingstekst.png", full_page=True)

    page.locator("#doelstelling-5 a").click()
    expect(page).to_have_url(f"{live_server}/doc/concept/strategische-doelstelling/5")
    expect(page.locator("ul[data-commitments='5'] > li")).to_have_count(3)
    page.screenshot(path=screenshots / "13-doelstelling-5.png", full_page=True)
