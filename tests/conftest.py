"""Shared fixtures: a clean environment, settings for a test base, an app over a real store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sro_graph.config import PROJECT_ROOT, Settings, hash_token
from sro_graph.runtime import Runtime, open_runtime
from sro_graph.web.app import create_app

TEST_BASE = "https://sro.test"
STEWARD_TOKEN = "steward-test-token-0123456789"
SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SRO_* variable of the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("SRO_"):
            monkeypatch.delenv(key)


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "base_uri": TEST_BASE,
        "store": "memory",
        "steward_token_hashes": [hash_token(STEWARD_TOKEN)],
        # Tests check each change at once; the production default lags at most 2 s.
        "catalog_refresh_s": 0.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture(scope="session")
def runtime() -> Iterator[Runtime]:
    """A runtime over an in-memory store with the base knowledge, shared (read-only use)."""
    rt = open_runtime(make_settings())
    yield rt
    rt.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of a fresh app over a fresh in-memory store (lifespan runs)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The official OSLO files beside the project; skip with a reason where absent."""
    path = SHARED / "reference" / "oslo"
    if not path.is_dir():
        pytest.skip(f"../shared/reference/oslo is absent at {path}: the official-shapes check "
                    "needs it (CI always has it)")
    return path
