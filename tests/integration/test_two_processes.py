"""Two ``sro-graph serve`` processes on one ``oxigraph serve``: a write through one is read
through the other at once (docs/deployment.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import STEWARD_TOKEN, TEST_BASE, steward_entry
from tests.oxigraph_server import OxigraphServer, free_port, oxigraph_binary

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SRO_GRAPH = Path(sys.executable).parent / "sro-graph"
DATA = Path(__file__).parents[1] / "data"
INITIATIVE = "https://sro.test/id/initiatief/proef-luchtmeting"


def _start_api(server: OxigraphServer, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRO_")}
    env.update(
        {
            "SRO_BASE_URI": TEST_BASE,
            "SRO_STORE": server.store_location,
            "SRO_STORE_UPDATE": server.update_url,
            "SRO_STEWARDS": steward_entry(),
            "SRO_VALIDATION_WORKERS": "1",
            "SRO_LOG_LEVEL": "WARNING",
        }
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(SRO_GRAPH), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}"


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sro-graph serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"sro-graph serve did not become ready: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def two_apis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server (PyPI package 'oxigraph', dev extra) is not installed")
    tmp = tmp_path_factory.mktemp("two")
    server = OxigraphServer(tmp / "oxigraph")
    server.start()
    started: list[subprocess.Popen[bytes]] = []
    try:
        apis = [_start_api(server, tmp / f"api-{i}.log") for i in range(2)]
        started = [process for process, _ in apis]
        for i, (process, url) in enumerate(apis):
            _wait_ready(process, url, tmp / f"api-{i}.log")
        yield apis[0][1], apis[1][1]
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        server.stop()


def _ask(url: str, query: str) -> bool:
    response = httpx.get(
        f"{url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    response.raise_for_status()
    return bool(response.json()["boolean"])


def test_two_processes_submission_through_one_is_visible_through_the_other(
    two_apis: tuple[str, str],
) -> None:
    first, second = two_apis
    ask = f"ASK {{ <{INITIATIVE}> ?p ?o }}"
    assert _ask(second, ask) is False
    response = httpx.post(
        f"{first}/submissions",
        content=(DATA / "good-initiative.ttl").read_bytes(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {STEWARD_TOKEN}"},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    assert _ask(second, ask) is True
    location = response.headers["Location"]
    assert httpx.get(f"{second}{location}", timeout=30).status_code == 200


def test_two_processes_share_the_base_knowledge_loaded_once(two_apis: tuple[str, str]) -> None:
    first, second = two_apis
    ask = "ASK { <https://sro.test/id/concept/uitdaging/1> ?p ?o }"
    assert _ask(first, ask) is True
    assert _ask(second, ask) is True
