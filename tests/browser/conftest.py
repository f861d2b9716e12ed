"""A real uvicorn server in a thread and Debian's Chromium driven by Playwright.

No browser is downloaded: Playwright launches Debian's ``/usr/bin/chromium`` (``make test``
installs it where it is missing). Screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from sro_graph.config import PROJECT_ROOT
from sro_graph.web.app import create_app
from tests.conftest import make_settings
from tests.linkeddata_sample import load_sample
from tests.oxigraph_server import free_port

SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: `apt-get install chromium` (make test does this)")
    return found


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The app on a free port, its base URI being its own URL; yields that URL. It holds the
    example initiatives, asked for explicitly (the pages under test show initiatives)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(make_settings(base_uri=url, load_examples=True))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-browser-tests", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    load_sample(app.state.runtime)
    yield url
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
