"""A real ``oxigraph serve`` (PyPI ``oxigraph``) for tests: started, waited for, stopped by pid."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` executable of this venv (or on PATH), if installed."""
    if OXIGRAPH.is_file():
        return str(OXIGRAPH)
    return shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OxigraphServer:
    """One ``oxigraph serve --location <dir> --bind 127.0.0.1:<port>`` process.

    Without a location the server keeps its data in memory (gone when it stops).
    """

    def __init__(
        self, location: Path | None, *, port: int | None = None, extra_args: tuple[str, ...] = ()
    ) -> None:
        binary = oxigraph_binary()
        if binary is None:
            raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
        self.binary = binary
        self.location = location
        self.port = port or free_port()
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None
        self.user: str | None = None
        self.password: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store_location(self) -> str:
        """The ``SRO_STORE`` value for this server."""
        return f"sparql+{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    def start(self) -> None:
        where = ["--location", str(self.location)] if self.location is not None else []
        self.process = subprocess.Popen(
            [self.binary, "serve", *where, "--bind", f"127.0.0.1:{self.port}", *self.extra_args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {self.process.returncode}")
            try:
                httpx.get(f"{self.url}/query", params={"query": "ASK {}"}, timeout=1.0)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def clear(self) -> None:
        """Remove every graph (between tests sharing one server)."""
        httpx.post(
            self.update_url,
            content=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
            timeout=10.0,
        ).raise_for_status()
