"""Real remote stores for tests: one factory for both kinds, and a started-and-stopped one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.oxigraph_server import OxigraphServer, oxigraph_binary
from tests.virtuoso_server import VirtuosoServer, virtuoso_binary

REMOTE_KINDS = ("oxigraph", "virtuoso")


def missing(kind: str) -> str | None:
    """Why a server of ``kind`` cannot be started here, or ``None`` when it can."""
    if kind == "oxigraph":
        if oxigraph_binary() is None:
            return "the oxigraph server (PyPI package 'oxigraph') is not installed"
        return None
    if virtuoso_binary() is None:
        return "Virtuoso is not installed (Debian package virtuoso-opensource; .ci/run installs it)"
    return None


def new_server(kind: str, directory: Path) -> OxigraphServer | VirtuosoServer:
    """A server of ``kind``, not yet started: Oxigraph in memory, Virtuoso in ``directory``."""
    return OxigraphServer(None) if kind == "oxigraph" else VirtuosoServer(directory)


@contextmanager
def running_server(kind: str, directory: Path) -> Iterator[OxigraphServer | VirtuosoServer]:
    """A started server of ``kind``; skips the test, saying why, when it is not installed."""
    reason = missing(kind)
    if reason is not None:
        pytest.skip(reason)
    server = new_server(kind, directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
