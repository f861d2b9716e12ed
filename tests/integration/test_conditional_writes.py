"""Two API processes on one remote store cannot overwrite each other's submissions.

A replace checks the submission's ETag, then writes; another process may write in between. The
write is conditional on the store's version (a compare-and-swap inside the store), so the late
writer sees the change, checks again and answers 412. Here the other process's write is put
exactly into that gap, deterministically, on real Oxigraph and Virtuoso servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sro_graph.web.app import create_app
from tests.conftest import make_settings
from tests.integration.test_api_submissions import (
    AUTH,
    PARTNER,
    WRITE,
    good,
    initiative_with_partner,
    organisation,
)
from tests.remote_servers import REMOTE_KINDS, running_server

pytestmark = pytest.mark.integration


@pytest.fixture(params=REMOTE_KINDS)
def two_apps(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[TestClient, TestClient]]:
    with running_server(request.param, tmp_path / request.param) as server:
        settings = make_settings(store=server.store_location, store_update=server.update_url)
        with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
            yield first, second


def _write_first(client: TestClient, before: Any) -> None:
    """Run ``before`` right before the next store write of ``client``'s process."""
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    write = store.write
    done: list[bool] = []

    def interleaved(*args: Any, **kwargs: Any) -> None:
        if not done:
            done.append(True)
            before()
        write(*args, **kwargs)

    store.write = interleaved


def test_replace_that_lost_a_race_with_another_process_is_412(
    two_apps: tuple[TestClient, TestClient],
) -> None:
    first, second = two_apps
    created = first.post("/submissions", content=good(), headers=WRITE)
    assert created.status_code == 201, created.text
    location, etag = created.headers["location"], created.headers["etag"]
    winner: list[int] = []
    _write_first(
        first,
        lambda: winner.append(
            second.put(
                location,
                content=good(title="Door het tweede proces"),
                headers={**WRITE, "if-match": etag},
            ).status_code
        ),
    )

    late = first.put(
        location, content=good(title="Door het eerste proces"), headers={**WRITE, "if-match": etag}
    )

    assert winner == [200]
    assert late.status_code == 412, late.text
    record = second.get(location).json()
    assert len(record["provenance"]) == 2
    titles = first.get(
        "/sparql",
        params={
            "query": (
                "SELECT ?t WHERE { ?i <http://purl.org/dc/terms/title> ?t FILTER(lang(?t) = 'nl') "
                "FILTER(CONTAINS(STR(?t), 'proces')) }"
            )
        },
        headers={"accept": "application/sparql-results+json"},
    ).json()
    assert [b["t"]["value"] for b in titles["results"]["bindings"]] == ["Door het tweede proces"]


def test_submission_that_raced_an_unrelated_write_is_stored_once(
    two_apps: tuple[TestClient, TestClient],
) -> None:
    """A write by another process in between that touches something else: the late writer
    tries again and lands, once."""
    first, second = two_apps
    _write_first(
        first,
        lambda: second.post(
            "/submissions",
            content=good(slug="ander-initiatief", title="Ander initiatief"),
            headers=WRITE,
        ),
    )
    created = first.post("/submissions", content=good(), headers=WRITE)
    assert created.status_code == 201, created.text
    listing = second.get("/submissions").json()
    assert listing["total"] == 2
    assert len(second.get(created.headers["location"]).json()["provenance"]) == 1


def test_withdrawal_that_lost_a_race_with_a_replace_is_412(
    two_apps: tuple[TestClient, TestClient],
) -> None:
    """Issue 13.4: a withdrawal is conditional as a replace is, across processes too."""
    first, second = two_apps
    created = first.post("/submissions", content=good(), headers=WRITE)
    location, etag = created.headers["location"], created.headers["etag"]
    winner: list[int] = []
    _write_first(
        first,
        lambda: winner.append(
            second.put(
                location, content=good(title="Vervangen"), headers={**WRITE, "if-match": etag}
            ).status_code
        ),
    )

    late = first.delete(location, headers={**AUTH, "if-match": etag})

    assert winner == [200]
    assert late.status_code == 412, late.text
    record = second.get(location).json()
    assert record["withdrawn"] is None
    assert record["titles"] == ["Vervangen"]


def test_submission_naming_an_organisation_withdrawn_meanwhile_is_refused(
    two_apps: tuple[TestClient, TestClient],
) -> None:
    """Issue 13.5: the organisation an initiative names is withdrawn by another process
    between the initiative's validation and its write: the write validates again and refuses,
    so no stored report claims conformance of data that points at nothing."""
    first, second = two_apps
    org = second.post("/submissions", content=organisation(), headers=WRITE)
    assert org.status_code == 201, org.text
    withdrawn: list[int] = []
    _write_first(
        first,
        lambda: withdrawn.append(
            second.delete(
                org.headers["location"], headers={**AUTH, "if-match": org.headers["etag"]}
            ).status_code
        ),
    )

    late = first.post("/submissions", content=initiative_with_partner(), headers=WRITE)

    assert withdrawn == [200]
    assert late.status_code == 422, late.text
    assert any(
        r["path"] == "http://www.w3.org/ns/prov#wasAssociatedWith"
        for r in late.json()["report"]["results"]
    )
    assert second.get("/submissions", params={"per_page": 10}).json()["total"] == 1


def test_withdrawal_racing_a_new_dependent_is_refused(
    two_apps: tuple[TestClient, TestClient],
) -> None:
    """Issue 13.5: another process stores an initiative naming the organisation right before
    the organisation's withdrawal writes: the withdrawal reads again and lists it."""
    first, second = two_apps
    org = first.post("/submissions", content=organisation(), headers=WRITE)
    stored: list[int] = []
    _write_first(
        first,
        lambda: stored.append(
            second.post(
                "/submissions", content=initiative_with_partner(), headers=WRITE
            ).status_code
        ),
    )

    late = first.delete(org.headers["location"], headers={**AUTH, "if-match": org.headers["etag"]})

    assert stored == [201]
    assert late.status_code == 409, late.text
    assert late.json()["dependents"][0]["object"] == PARTNER
    assert second.get(org.headers["location"]).json()["withdrawn"] is None
