"""The stewards' pages in a real browser (issue 13.9): sign in with the token, upload a
spreadsheet or RDF, see the report by cell, submit, "my submissions" with titles, status and
history, replace, withdraw; every page under its Content-Security-Policy (issue 13.6); an
initiative's page names its submission (issue 13.10)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, expect
from rdflib import Graph, Literal, URIRef

from sro_graph.store import GraphWrite
from sro_graph.submissions.sheets.columns import COLUMNS
from sro_graph.vocab import ORG, SKOS
from sro_graph.web.app import create_app
from tests.conftest import make_settings, steward_entry
from tests.oxigraph_server import free_port
from tests.spreadsheets import row, sheet_csv, sheet_xlsx

pytestmark = pytest.mark.browser

TOKEN_A = "browser-steward-a-token-31415"
TOKEN_B = "browser-steward-b-token-27182"


class Site:
    def __init__(self, url: str, app: FastAPI) -> None:
        self.url = url
        self.app = app


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """The app on a free port (its base is its own URL), with two stewards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stewards = [
        steward_entry(TOKEN_A, "Data Antwerpen", f"{url}/id/bestuurseenheid/11002"),
        steward_entry(TOKEN_B, "Data Gent", f"{url}/id/bestuurseenheid/44021"),
    ]
    app = create_app(make_settings(base_uri=url, stewards=stewards))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-steward-pages", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield Site(url, app)
    server.should_exit = True
    thread.join(timeout=30)


def _sign_in(page: Page, site: Site, token: str) -> None:
    page.goto(site.url + "/inzenden")
    page.fill("#token", token)
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("#workspace")).to_be_visible()


def _upload(page: Page, path: Path, *, publish: bool = False) -> None:
    page.set_input_files("#file", str(path))
    if publish:
        page.check("#publish")
    page.locator("#check").click()


def _csp_violations(page: Page) -> list[str]:
    found: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(message.text)

    page.on("console", note)
    return found


def test_steward_signs_in_checks_and_submits_a_spreadsheet(
    site: Site, page: Page, screenshots: Path, tmp_path: Path
) -> None:
    violations = _csp_violations(page)
    _sign_in(page, site, TOKEN_A)
    expect(page.locator("#who-name")).to_have_text("Data Antwerpen")
    expect(page.locator("#who-id")).to_have_text("data-antwerpen")
    page.screenshot(path=screenshots / "20-inzenden-aangemeld.png", full_page=True)

    sheet = tmp_path / "initiatieven.xlsx"
    sheet.write_bytes(
        sheet_xlsx([row(id="pagina-luchtmeting", titel="Via de pagina", dataset_titel="Metingen")])
    )
    _upload(page, sheet, publish=True)
    expect(page.locator("[data-verdict=accepted]")).to_be_visible()
    expect(page.locator("[data-report=datasets] [data-published=true]")).to_contain_text("Metingen")
    expect(page.locator("#submit")).to_be_enabled()
    page.locator("#submit").click()
    stored = page.locator("[data-verdict=stored] a[data-submission]")
    expect(stored).to_be_visible()
    submission = stored.get_attribute("data-submission")
    assert submission
    mine = page.locator(f'#mine tr[data-id="{submission}"]')
    expect(mine.locator("[data-title]")).to_have_text("Via de pagina")
    expect(mine.locator("[data-status]")).to_have_attribute("data-status", "current")
    page.screenshot(path=screenshots / "21-inzenden-opgeslagen.png", full_page=True)
    assert violations == []

    # 13.10: the initiative's page says where it came from.
    page.goto(site.url + "/doc/initiatief/pagina-luchtmeting")
    origin = page.locator("[data-origin=submission]")
    expect(origin).to_contain_text(submission)
    expect(origin.locator("[data-steward]")).to_have_text("Data Antwerpen")
    expect(origin.locator("[data-organisation]")).to_have_text("Stad Antwerpen")
    page.screenshot(path=screenshots / "22-initiatief-herkomst.png", full_page=True)
    assert violations == []


def test_report_points_at_the_bad_cells_and_submit_stays_off(
    site: Site, page: Page, screenshots: Path, tmp_path: Path
) -> None:
    _sign_in(page, site, TOKEN_A)
    sheet = tmp_path / "met-fouten.csv"
    sheet.write_bytes(sheet_csv([row(id="met-fouten", uitdagingen="1; 10", budget="275.000")]))
    _upload(page, sheet)
    expect(page.locator("[data-verdict=refused]")).to_be_visible()
    cells = page.locator("[data-report=cells] tbody tr")
    expect(cells).to_have_count(2)
    expect(cells.nth(0)).to_contain_text("F2")
    expect(cells.nth(0)).to_contain_text("uitdagingen")
    expect(cells.nth(1)).to_contain_text("R2")
    expect(page.locator("#submit")).to_be_disabled()
    page.screenshot(path=screenshots / "23-inzenden-rapport-cellen.png", full_page=True)


def test_replace_then_withdraw_from_my_submissions_with_history(
    site: Site, page: Page, screenshots: Path, tmp_path: Path
) -> None:
    _sign_in(page, site, TOKEN_A)
    first = tmp_path / "eerste.ttl"
    first.write_bytes(
        (Path(__file__).parents[1] / "data" / "good-initiative.ttl")
        .read_bytes()
        .replace(b"https://sro.test", site.url.encode())
        .replace(b"proef-luchtmeting", b"pagina-vervangen")
    )
    _upload(page, first)
    page.locator("#submit").click()
    submission = page.locator("[data-verdict=stored] a[data-submission]").get_attribute(
        "data-submission"
    )
    item = page.locator(f'#mine tr[data-id="{submission}"]')
    expect(item).to_be_visible()

    item.locator("[data-action=replace]").click()
    expect(page.locator("#replacing-id")).to_have_text(str(submission))
    second = tmp_path / "tweede.ttl"
    second.write_bytes(
        first.read_bytes().replace(b'"Proef luchtmeting"@nl', b'"Vervangen titel"@nl')
    )
    _upload(page, second)
    expect(page.locator("[data-verdict=accepted]")).to_be_visible()
    page.locator("#submit").click()
    expect(page.locator("[data-verdict=stored]")).to_contain_text(str(submission))
    expect(item.locator("[data-title]")).to_have_text("Vervangen titel")
    item.locator("[data-action=history]").click()
    expect(page.locator(f'[data-history="{submission}"] li')).to_have_count(2)
    page.screenshot(path=screenshots / "24-inzenden-geschiedenis.png", full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    item.locator("[data-action=withdraw]").click()
    expect(page.locator("[data-verdict=withdrawn]")).to_be_visible()
    expect(item.locator("[data-status]")).to_have_attribute("data-status", "withdrawn")
    expect(item.locator("[data-action=withdraw]")).to_have_count(0)


def test_token_stays_in_the_tab_and_out_of_every_url(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context()
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    authorised: list[Request] = []
    page.on(
        "request",
        lambda request: authorised.append(request) if "authorization" in request.headers else None,
    )
    _sign_in(page, site, TOKEN_A)
    sheet = tmp_path / "x.csv"
    sheet.write_bytes(sheet_csv([row(id="token-test")]))
    _upload(page, sheet)
    expect(page.locator("[data-verdict=accepted]")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('sro-steward-token')") == TOKEN_A
    assert page.evaluate("localStorage.length") == 0
    assert context.cookies() == []
    assert authorised, "the token travels in the Authorization header"
    assert all(TOKEN_A not in url for url in urls)
    page.reload()
    expect(page.locator("#workspace")).to_be_visible()  # still signed in in this tab
    page.locator("#signout").click()
    assert page.evaluate("sessionStorage.getItem('sro-steward-token')") is None
    other = context.new_page()
    other.goto(site.url + "/inzenden")
    expect(other.locator("#signin")).to_be_visible()  # a new tab signs in again
    context.close()


def test_wrong_token_is_refused_at_sign_in(site: Site, page: Page) -> None:
    page.goto(site.url + "/inzenden")
    page.fill("#token", "not-a-steward")
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("#signin-error")).to_contain_text("This token may not write")
    expect(page.locator("#workspace")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('sro-steward-token')") is None


def test_another_steward_sees_only_own_submissions(site: Site, page: Page, tmp_path: Path) -> None:
    sheet = tmp_path / "van-a.csv"
    sheet.write_bytes(sheet_csv([row(id="alleen-van-a", titel="Alleen van A")]))
    response = httpx.post(
        site.url + "/submissions",
        content=sheet.read_bytes(),
        headers={"authorization": f"Bearer {TOKEN_A}", "content-type": "text/csv"},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    _sign_in(page, site, TOKEN_B)
    expect(page.locator("#who-name")).to_have_text("Data Gent")
    expect(page.locator("#mine-empty")).to_be_visible()
    expect(page.locator("#mine tbody tr")).to_have_count(0)


def test_how_to_page_explains_the_model_and_links_the_templates(
    site: Site, page: Page, screenshots: Path
) -> None:
    violations = _csp_violations(page)
    page.goto(site.url + "/inzenden/uitleg")
    expect(page.locator("h1")).to_have_text("Zo dien je in")
    expect(page.locator("[data-columns] tbody tr")).to_have_count(len(COLUMNS))
    for href in ("/submissions/template.xlsx", "/submissions/template.csv", "/inzenden"):
        expect(page.locator(f'a[href="{href}"]').first).to_be_visible()
    with page.expect_download() as download:
        page.locator('a[href="/submissions/template.xlsx"]').first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.screenshot(path=screenshots / "25-zo-dien-je-in.png", full_page=True)
    assert violations == []


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/dashboard",
        "/initiatieven",
        "/instrumenten/matrix",
        "/validate",
        "/queries",
        "/inzenden",
    ],
)
def test_pages_send_the_policy_and_break_none_of_it(site: Site, page: Page, path: str) -> None:
    violations = _csp_violations(page)
    response = page.goto(site.url + path)
    assert response is not None
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    page.wait_for_load_state("load")
    assert violations == []


def test_query_page_runs_under_the_policy(site: Site, page: Page) -> None:
    violations = _csp_violations(page)
    page.goto(site.url + "/sparql")
    page.select_option("#example", index=1)
    page.locator("#sparql-form button[type=submit]").click()
    expect(page.locator("#results table")).to_be_visible()
    assert violations == []


def test_javascript_iri_in_the_store_is_never_a_link(site: Site, page: Page) -> None:
    """Issue 13.6, the second layer: even an IRI that reached the store some other way (here
    written directly) is shown as text, and the policy would not run it anyway."""
    runtime = site.app.state.runtime
    vlaio = URIRef(f"{site.url}/id/organisatie/vlaio")
    evil = URIRef("javascript:alert(document.domain)")
    graph = Graph()
    graph.add((evil, ORG.memberOf, vlaio))
    graph.add((evil, SKOS.prefLabel, Literal("Klik mij", lang="nl")))
    graph.add((vlaio, SKOS.related, URIRef("data:text/html,x")))
    runtime.store.write(
        GraphWrite(add={f"{site.url}/graph/test/vijandig": graph}), new_version="vijandig"
    )
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(site.url + "/doc/organisatie/vlaio")
    expect(page.locator("main")).to_contain_text("javascript:alert(document.domain)")
    assert page.locator('a[href^="javascript:"], a[href^="data:"]').count() == 0
    assert dialogs == []
