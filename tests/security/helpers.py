"""Shared pieces of the security tests: a listener that must hear nothing, a real server
process (``sro-graph serve`` on a disk store), and the good initiative to submit."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import psutil

from tests.conftest import STEWARD_TOKEN, TEST_BASE, steward_entry

DATA = Path(__file__).resolve().parents[1] / "data"
SRO_GRAPH = Path(sys.executable).parent / "sro-graph"
AUTH = {"authorization": f"Bearer {STEWARD_TOKEN}"}
WRITE = {**AUTH, "content-type": "text/turtle"}


def good(slug: str = "proef-luchtmeting", title: str = "Proef luchtmeting") -> bytes:
    """The conforming initiative of tests/data, under another slug and title."""
    text = (DATA / "good-initiative.ttl").read_text(encoding="utf-8")
    return (
        text.replace("proef-luchtmeting", slug)
        .replace('"Proef luchtmeting"@nl', f'"{title}"@nl')
        .encode()
    )


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it gets (it should get none)."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self._sock.settimeout(0.1)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.hits: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            conn.settimeout(0.5)
            try:
                self.hits.append(conn.recv(4096) or b"<connected>")
            except OSError:
                self.hits.append(b"<connected>")
            finally:
                conn.close()

    def heard(self, settle_s: float = 0.1) -> list[bytes]:
        """What arrived so far, after giving late connections a moment."""
        time.sleep(settle_s)
        return list(self.hits)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()


@contextmanager
def listening() -> Iterator[Listener]:
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``sro-graph serve`` as a real process on loopback over an embedded disk store."""

    def __init__(self, store: Path, log: Path, **env: str) -> None:
        self.store = store
        self.log = log
        self.extra_env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready_timeout_s: float = 120) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SRO_")}
        env.update(
            {
                "SRO_BASE_URI": TEST_BASE,
                "SRO_STORE": str(self.store),
                "SRO_STEWARDS": steward_entry(),
                "SRO_VALIDATION_WORKERS": "2",
                "SRO_LOG_LEVEL": "WARNING",
                **self.extra_env,
            }
        )
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(SRO_GRAPH), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + ready_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sro-graph serve exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"sro-graph serve did not become ready: {self.log.read_text()[-3000:]}")

    def rss(self) -> int:
        """Resident memory of the server and its children (query and validation workers)."""
        assert self.process is not None
        root = psutil.Process(self.process.pid)
        total = 0
        for proc in [root, *root.children(recursive=True)]:
            with suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def kill_hard(self) -> None:
        """``kill -9`` of the server and everything it started."""
        assert self.process is not None
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill_hard()


@contextmanager
def serving(store: Path, log: Path, **env: str) -> Iterator[Server]:
    server = Server(store, log, **env)
    server.start()
    try:
        yield server
    finally:
        server.stop()
