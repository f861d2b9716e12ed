"""The app under a real uvicorn on a free port, for tests that need real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn

from sro_graph.web.app import create_app
from tests.conftest import make_settings
from tests.oxigraph_server import free_port


@contextmanager
def live_app(name: str) -> Iterator[str]:
    """Serve the app (in-memory store, its base URI its own URL) in a thread; yield the URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(make_settings(base_uri=url))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{name}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
