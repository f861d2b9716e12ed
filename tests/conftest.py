"""Shared fixtures: a clean environment, settings for a test base, an app over a real store.

The store behind :func:`make_settings` is chosen with ``--backend``:

- ``memory`` (default): a fresh in-memory pyoxigraph store per app;
- ``oxigraph``: a real ``oxigraph serve`` (in memory) per live app;
- ``virtuoso``: a real Virtuoso (``virtuoso-t``, Debian ``virtuoso-opensource``) per live app.
  Not in ``make test``: Virtuoso 7.2 refuses our one-request writes (blank nodes in
  ``INSERT DATA``, and its SPARQL compiler's size limits), so every app fails to load the base
  knowledge; the option reproduces that (issue 7).

Remote servers come from a pool: each :func:`make_settings` call without a ``store`` override
leases one emptied server, and the lease ends with the scope (test, module, session) in which it
was taken, when the server is emptied again and goes back to the pool. So every app starts
on an empty dataset, as it does in memory, and tests stay independent.
Tests marked ``embedded_only(reason)`` are skipped on remote backends with that reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from fastapi.testclient import TestClient

from sro_graph.config import PROJECT_ROOT, Settings, hash_token
from sro_graph.runtime import Runtime, open_runtime
from sro_graph.web.app import create_app

TEST_BASE = "https://sro.test"
STEWARD_TOKEN = "steward-test-token-0123456789"
STEWARD_NAME = "Test Steward Antwerpen"
STEWARD_ORGANISATION = f"{TEST_BASE}/id/bestuurseenheid/11002"
SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SRO_* variable of the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("SRO_"):
            monkeypatch.delenv(key)


BACKENDS = ("memory", "oxigraph", "virtuoso")


class RealServer(Protocol):
    """What the pool needs of a real SPARQL server started for tests."""

    user: str | None
    password: str | None

    @property
    def store_location(self) -> str: ...
    @property
    def update_url(self) -> str: ...

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def clear(self) -> None: ...


class ServerPool:
    """Real servers of one backend, leased per scope and emptied between leases."""

    def __init__(self, backend: str, root: Path) -> None:
        self.backend = backend
        self.root = root
        self.free: list[RealServer] = []
        self.leases: list[RealServer] = []
        self.started: list[RealServer] = []

    def lease(self) -> RealServer:
        server = self.free.pop() if self.free else self._start()
        self.leases.append(server)
        return server

    def mark(self) -> int:
        return len(self.leases)

    def release_since(self, mark: int) -> None:
        """End the leases taken after ``mark``: empty each server and pool it again."""
        while len(self.leases) > mark:
            server = self.leases.pop()
            server.clear()
            self.free.append(server)

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()
        self.started.clear()
        self.free.clear()
        self.leases.clear()

    def _start(self) -> RealServer:
        from tests.remote_servers import missing, new_server

        reason = missing(self.backend)
        if reason is not None:
            pytest.fail(f"--backend {self.backend}: {reason}")
        server: RealServer = new_server(
            self.backend, self.root / f"{self.backend}-{len(self.started)}"
        )
        server.start()
        self.started.append(server)
        return server


_POOL: ServerPool | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=BACKENDS,
        default="memory",
        help="store behind make_settings(): memory (default), or a real "
        "oxigraph serve / Virtuoso started by the tests",
    )


def pytest_configure(config: pytest.Config) -> None:
    global _POOL
    backend = config.getoption("--backend")
    if backend != "memory":
        _POOL = ServerPool(backend, Path(tempfile.mkdtemp(prefix=f"sro-{backend}-")))


def pytest_unconfigure(config: pytest.Config) -> None:
    global _POOL
    if _POOL is not None:
        _POOL.stop_all()
        shutil.rmtree(_POOL.root, ignore_errors=True)
        _POOL = None


def pytest_report_header(config: pytest.Config) -> str:
    return f"store backend: {config.getoption('--backend')}"


SHARED_ABSENT = (
    "../shared/reference is absent beside the project ({path}): the tests that run the "
    "official reference files cannot run here (CI always has it)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "shared_reference" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.needs_shared)
    backend = config.getoption("--backend")
    if backend == "memory":
        return
    for item in items:
        marker = item.get_closest_marker("embedded_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(
                pytest.mark.skip(reason=f"embedded store only, not on {backend}: {reason}")
            )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``needs_shared`` skip where ../shared/reference is absent: from this one
    place, so the summary says it once for all of them (issue 16)."""
    reference = SHARED / "reference"
    if item.get_closest_marker("needs_shared") is not None and not reference.is_dir():
        pytest.skip(SHARED_ABSENT.format(path=reference))


def _leases_of_scope() -> Iterator[None]:
    if _POOL is None:
        yield
        return
    mark = _POOL.mark()
    yield
    _POOL.release_since(mark)


# Autouse fixtures run first within their scope, so a lease taken by a module-scoped fixture
# is ended by the module's scope after that fixture's teardown, and likewise per test.
@pytest.fixture(scope="session", autouse=True)
def _session_leases() -> Iterator[None]:
    yield from _leases_of_scope()


@pytest.fixture(scope="module", autouse=True)
def _module_leases() -> Iterator[None]:
    yield from _leases_of_scope()


@pytest.fixture(autouse=True)
def _test_leases() -> Iterator[None]:
    yield from _leases_of_scope()


def backend_store() -> dict[str, object]:
    """The store settings of the selected backend: a fresh dataset on each call."""
    if _POOL is None:
        return {"store": "memory"}
    server = _POOL.lease()
    values: dict[str, object] = {"store": server.store_location, "store_update": server.update_url}
    if server.user:
        values.update(store_user=server.user, store_password=server.password)
    return values


def steward_entry(
    token: str = STEWARD_TOKEN,
    name: str = STEWARD_NAME,
    organisation: str = STEWARD_ORGANISATION,
    *,
    admin: bool = False,
) -> str:
    """One ``SRO_STEWARDS`` entry: the token's hash, the steward's name and organisation."""
    return f"{hash_token(token)}={name}|{organisation}" + ("|admin" if admin else "")


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "base_uri": TEST_BASE,
        "stewards": [steward_entry()],
        # Tests check each change at once; the production default lags at most 2 s.
        "catalog_refresh_s": 0.0,
    }
    if "store" not in overrides:
        values.update(backend_store())
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture(scope="session")
def runtime() -> Iterator[Runtime]:
    """A runtime over a fresh store with the base knowledge, shared (read-only use)."""
    rt = open_runtime(make_settings())
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def runtime_with_examples() -> Iterator[Runtime]:
    """A runtime over a fresh store with the base knowledge and, asked for explicitly, the
    illustrative example initiatives of data/voorbeelden/ (shared, read-only use)."""
    rt = open_runtime(make_settings(load_examples=True))
    yield rt
    rt.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of a fresh app over a fresh store of the backend (lifespan runs)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def examples_client() -> Iterator[TestClient]:
    """A client of a fresh app whose store also holds the example initiatives, asked for
    explicitly (``load_examples``): answers carry the examples flag."""
    with TestClient(create_app(make_settings(load_examples=True))) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The official OSLO files beside the project; skip with a reason where absent."""
    path = SHARED / "reference" / "oslo"
    if not path.is_dir():
        pytest.skip(
            f"../shared/reference/oslo is absent at {path}: the official-shapes check "
            "needs it (CI always has it)"
        )
    return path
