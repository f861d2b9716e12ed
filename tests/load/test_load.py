"""A bounded load test in ``make test``: 32 clients for 20 s on loopback (60 s with
``python -m tests.load.run_load``): no errors, no lost submission."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.load.run_load import MIX, run_load
from tests.security.helpers import serving

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECONDS = float(os.environ.get("SRO_TEST_LOAD_SECONDS", "20"))
CLIENTS = 32


def test_load_mixed_clients_no_errors_no_lost_submissions(tmp_path: Path) -> None:
    with serving(tmp_path / "store", tmp_path / "server.log", SRO_QUERY_CONCURRENCY="8") as server:
        result = run_load(server.url, seconds=SECONDS, clients=CLIENTS)
        log = (tmp_path / "server.log").read_text(errors="replace")
    print(result.table())  # noqa: T201 - the figures, with -s
    assert result.error_count == 0, dict(result.errors)
    assert result.lost == []
    for kind, _ in MIX:
        assert result.latencies[kind], f"no successful {kind} request"
    assert len(result.acknowledged) > 0
    assert "Traceback" not in log
