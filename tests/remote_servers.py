"""A real remote store of one kind, started for a test and stopped after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.oxigraph_server import OxigraphServer, oxigraph_binary
from tests.virtuoso_server import VirtuosoServer, virtuoso_binary

REMOTE_KINDS = ("oxigraph", "virtuoso")


@contextmanager
def running_server(kind: str, directory: Path) -> Iterator[OxigraphServer | VirtuosoServer]:
    """An ``oxigraph serve`` (in memory) or a Virtuoso (in ``directory``); skips the test,
    saying why, when that server is not installed."""
    server: OxigraphServer | VirtuosoServer
    if kind == "oxigraph":
        if oxigraph_binary() is None:
            pytest.skip("the oxigraph server (PyPI package 'oxigraph') is not installed")
        server = OxigraphServer(None)
    else:
        if virtuoso_binary() is None:
            pytest.skip("Virtuoso is not installed (Debian package virtuoso-opensource; "
                        ".ci/run installs it)")
        server = VirtuosoServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
