"""Issue 12, "done when": under 8 concurrent hostile requests of each kind (long query text,
remote cross product, byte explosion), ``/health`` and a cached named query keep answering
and the API process stays under 1 GB. A real ``sro-graph serve`` over a real ``oxigraph serve
--timeout-s`` (bench/abuse.py, which ``python -m bench abuse`` runs with the same figures).

Checked with events, not clocks where possible: the probes counted are those made while a
hostile request was in flight; every probe must be answered 200; the resident memory of the
API process is sampled throughout. The latency bound is on the 90th percentile here (a
single sample on a shared two-CPU runner is noise); the bench prints the maximum.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bench.abuse import HOSTILE, AbuseResult, percentile, run_abuse, stack

from tests.oxigraph_server import oxigraph_binary

pytestmark = [pytest.mark.integration, pytest.mark.slow]

GIB = 1024**3
# How a hostile request may end: cut and flagged, stopped at the time limit, or refused.
SIGNALLED = {"200 cut at rows", "200 cut at bytes", "503 timeout", "503 busy", "413 too-large"}
# The long text (``a.`` repeated) is no SPARQL: once inspected, in linear time (12.4), the
# clear answer is the engine's syntax refusal.
SIGNALLED_BY_KIND = {"long-text": SIGNALLED | {"400 query-syntax"}}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server (PyPI package 'oxigraph') is not installed")
    with stack(tmp_path_factory.mktemp("abuse")) as running:
        yield running


@pytest.fixture(scope="module")
def embedded_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    with stack(tmp_path_factory.mktemp("abuse-embedded"), store="embedded") as running:
        yield running


def _assert_usable(result: AbuseResult) -> None:
    assert result.hostile_errors == [], result.hostile_errors[:3]
    unsignalled = {
        (kind, outcome)
        for (kind, outcome) in result.hostile
        if outcome not in SIGNALLED_BY_KIND.get(kind, SIGNALLED)
    }
    assert not unsignalled, result.hostile
    assert result.probe_failures == [], result.probe_failures[:3]
    assert result.probes_in_flight >= 4, "probes ran while hostile requests were in flight"
    assert percentile(result.health, 0.9) <= 1.0, sorted(result.health)[-5:]
    assert percentile(result.named, 0.9) <= 1.0, sorted(result.named)[-5:]
    assert result.peak_rss < GIB, result.peak_rss


@pytest.mark.parametrize("kind", ["cross-product", "byte-explosion"])
def test_eight_hostile_requests_of_one_kind_leave_the_service_usable(
    api: tuple[str, int], kind: str
) -> None:
    result = run_abuse(*api, per_kind=8, kinds=(kind,))
    result.report()
    _assert_usable(result)


def test_on_the_embedded_store_the_byte_explosion_stays_in_the_workers(
    embedded_api: tuple[str, int],
) -> None:
    """The 128 MB rows are built by query workers (other processes); the API process only
    ever receives answers cut at the byte cap."""
    result = run_abuse(*embedded_api, per_kind=8, kinds=("byte-explosion", "cross-product"))
    result.report()
    _assert_usable(result)


def test_eight_of_every_hostile_kind_at_once_leave_the_service_usable(
    api: tuple[str, int],
) -> None:
    """All three kinds, 24 requests in flight (the long text needs issue 12.4's linear check
    and length cap: the check runs on the API process)."""
    result = run_abuse(*api, per_kind=8, kinds=tuple(HOSTILE))
    result.report()
    _assert_usable(result)
