"""Isolation of validations (issue 13, point 7).

Anonymous ``/validate`` uploads run on their own workers (at a lower CPU priority), steward
submissions on theirs; a validation stopped at the time limit kills only its own worker, so
no other request fails; an uploaded ``sh:pattern`` runs with a short limit per value. Each
test drives the real app with real worker processes; none asserts on wall-clock time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sro_graph.validation import Lane
from sro_graph.web.app import create_app
from tests.conftest import STEWARD_TOKEN, make_settings

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[1] / "data"
TURTLE = {"content-type": "text/turtle"}
WRITE = {**TURTLE, "authorization": f"Bearer {STEWARD_TOKEN}"}
EX = "http://example.org/"

# Catastrophic regular expressions: alternatives or nested quantifiers backtrack
# exponentially (in Python's re) on a long run of "a" that ends in a character the pattern
# cannot match. The regex module sees through the first; the second needs the time limit.
NESTED = "^(a+)+$"
ALTERNATIVES = "^(a|aa)+$"
CATASTROPHIC_DATA = b'<http://example.org/a> <http://example.org/name> "' + b"a" * 40 + b'!" .'


def catastrophic_shapes(pattern: str) -> bytes:
    return (
        b"@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        b"<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/a> ;\n"
        b'  sh:property [ sh:path <http://example.org/name> ; sh:pattern "'
        + pattern.encode()
        + b'" ] .'
    )


CATASTROPHIC_SHAPES = catastrophic_shapes(ALTERNATIVES)

# Uploaded shapes whose validation takes seconds: every one of many nodes is checked.
SLOW_SHAPES = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetClass <http://example.org/Widget> ;
  sh:property [ sh:path <http://example.org/p> ; sh:minCount 1 ; sh:maxCount 1 ;
                sh:datatype <http://www.w3.org/2001/XMLSchema#string> ] ."""


def slow_data(n: int) -> bytes:
    return b"".join(
        b'<http://example.org/w%d> a <http://example.org/Widget> ; <http://example.org/p> "x" .\n'
        % i
        for i in range(n)
    )


def upload(client: TestClient, data: bytes, shapes: bytes) -> int:
    response = client.post(
        "/validate",
        files={"data": ("d.ttl", data, "text/turtle"), "shapes": ("s.ttl", shapes, "text/turtle")},
    )
    return response.status_code


@pytest.fixture
def one_worker_each() -> Iterator[TestClient]:
    """One public worker and one steward worker."""
    settings = make_settings(validation_workers=1, validation_steward_workers=1)
    with TestClient(create_app(settings)) as client:
        yield client


def test_uploaded_catastrophic_pattern_is_refused_not_run_for_long(
    one_worker_each: TestClient,
) -> None:
    """Issue 13.7: a catastrophic sh:pattern ran until the validation time limit (30 s, then
    503); it is stopped at its own short limit per value."""
    response = one_worker_each.post(
        "/validate",
        files={
            "data": ("d.ttl", CATASTROPHIC_DATA, "text/turtle"),
            "shapes": ("s.ttl", catastrophic_shapes(ALTERNATIVES), "text/turtle"),
        },
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "unsafe-input"
    assert "sh:pattern" in response.json()["detail"]


def test_uploaded_nested_quantifier_pattern_is_evaluated(one_worker_each: TestClient) -> None:
    """Issue 13.7: the reported pattern, (a+)+, is matched without backtracking at all."""
    response = one_worker_each.post(
        "/validate",
        files={
            "data": ("d.ttl", CATASTROPHIC_DATA, "text/turtle"),
            "shapes": ("s.ttl", catastrophic_shapes(NESTED), "text/turtle"),
        },
    )
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    assert result["constraint"] == "http://www.w3.org/ns/shacl#PatternConstraintComponent"


def public_in_flight(client: TestClient) -> int:
    validator = client.app.state.runtime.validator  # type: ignore[attr-defined]
    return int(validator.in_flight(Lane.PUBLIC))


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll until ``condition`` holds (an event we cannot subscribe to); the bound only
    keeps a broken build from hanging, it is no speed assertion."""
    for _ in range(6000):
        if condition():
            return
        time.sleep(0.01)
    pytest.fail(f"never happened: {what}")


def test_steward_submission_is_not_queued_behind_anonymous_uploads(
    one_worker_each: TestClient,
) -> None:
    """Issue 13.7: anonymous uploads starved steward submissions. With the public worker
    busy and a second upload waiting for it, a submission is answered while both are still
    in flight."""
    client = one_worker_each
    data = slow_data(8_000)
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(upload, client, data, SLOW_SHAPES) for _ in range(2)]
        wait_until(lambda: public_in_flight(client) == 2, "two uploads on the public lane")
        submission = client.post(
            "/submissions", content=(DATA / "good-initiative.ttl").read_bytes(), headers=WRITE
        )
        still_busy = public_in_flight(client)
        statuses = [f.result() for f in futures]
    assert submission.status_code == 201, submission.text
    assert still_busy >= 1, "the steward submission waited for the anonymous uploads"
    assert statuses == [200, 200], statuses


def test_stopped_validation_fails_no_other_request() -> None:
    """Issue 13.7: replacing the pool after a time-out cancelled queued requests into 500.
    Two uploads run past the limit on the only worker while two small ones wait behind them:
    the slow ones are stopped (503), the small ones still answer 200."""
    settings = make_settings(validation_workers=1, validation_timeout_s=1.0)
    slow = slow_data(25_000)
    small = slow_data(2)
    with TestClient(create_app(settings)) as client, ThreadPoolExecutor(4) as pool:
        slow_runs = [pool.submit(upload, client, slow, SLOW_SHAPES) for _ in range(2)]
        wait_until(lambda: public_in_flight(client) == 2, "two slow uploads in flight")
        quick_runs = [pool.submit(upload, client, small, SLOW_SHAPES) for _ in range(2)]
        slow_statuses = [f.result() for f in slow_runs]
        quick_statuses = [f.result() for f in quick_runs]
    assert slow_statuses == [503, 503], slow_statuses
    assert quick_statuses == [200, 200], quick_statuses


def test_catastrophic_uploads_do_not_starve_stewards(one_worker_each: TestClient) -> None:
    """Issue 13.7, the reported case: catastrophic patterns uploaded anonymously while a
    steward submits."""
    client = one_worker_each
    with ThreadPoolExecutor(4) as pool:
        attacks = [
            pool.submit(upload, client, CATASTROPHIC_DATA, CATASTROPHIC_SHAPES) for _ in range(4)
        ]
        submission = client.post(
            "/submissions", content=(DATA / "good-initiative.ttl").read_bytes(), headers=WRITE
        )
        statuses = [f.result() for f in attacks]
    assert submission.status_code == 201, submission.text
    assert set(statuses) <= {400, 503}, statuses
