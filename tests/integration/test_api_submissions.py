"""POST/GET/PUT/DELETE /submissions: the validation-gated, authenticated write API."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sro_graph.web.app import create_app
from tests.conftest import STEWARD_TOKEN, TEST_BASE, make_settings

DATA = Path(__file__).resolve().parents[1] / "data"
AUTH = {"authorization": f"Bearer {STEWARD_TOKEN}"}
TURTLE = {"content-type": "text/turtle"}
WRITE = {**AUTH, **TURTLE}


def good(slug: str = "proef-luchtmeting", title: str = "Proef luchtmeting") -> bytes:
    text = (DATA / "good-initiative.ttl").read_text(encoding="utf-8")
    return (
        text.replace("proef-luchtmeting", slug)
        .replace('"Proef luchtmeting"@nl', f'"{title}"@nl')
        .encode()
    )


def submission_graphs(client: TestClient) -> set[str]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return {g for g in runtime.store.graph_names() if "/graph/inzending/" in g}


def triples_about(client: TestClient, iri: str) -> int:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    rows = runtime.store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <" + iri + "> ?p ?o } }"
    )
    return int(rows[0]["n"])


# -- authentication -----------------------------------------------------------------------------


def test_submit_without_token_401(client: TestClient) -> None:
    response = client.post("/submissions", content=good(), headers=TURTLE)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert submission_graphs(client) == set()


def test_submit_with_wrong_token_403(client: TestClient) -> None:
    response = client.post(
        "/submissions", content=good(), headers={**TURTLE, "authorization": "Bearer not-the-token"}
    )
    assert response.status_code == 403
    assert submission_graphs(client) == set()


# -- create, read, list -------------------------------------------------------------------------


def test_submit_good_initiative_201_with_provenance(client: TestClient) -> None:
    data = good()
    response = client.post("/submissions", content=data, headers=WRITE)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/submissions/{created['id']}"
    assert response.headers["etag"] == f'"{created["etag"]}"'
    assert created["report"]["counts"]["violation"] == 0
    assert submission_graphs(client) == {created["graph"]}
    record = client.get(response.headers["location"]).json()
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["mediaType"] == "text/turtle"
    assert record["submitter"].startswith("urn:sro-graph:steward:")
    assert STEWARD_TOKEN not in str(record)
    assert record["report"]["initiatives"][0]["category"] == "core"
    assert len(record["provenance"]) == 1
    assert triples_about(client, f"{TEST_BASE}/id/initiatief/proef-luchtmeting") > 5


def test_submit_with_warnings_is_accepted_and_flagged(client: TestClient) -> None:
    data = good().replace(
        b"    dct:spatial <https://data.vlaanderen.be/id/gemeente/11002> ;\n", b""
    )
    response = client.post("/submissions", content=data, headers=WRITE)
    assert response.status_code == 201, response.text
    assert response.json()["warnings"] >= 1
    assert response.json()["report"]["initiatives"][0]["category"] == "related"


def test_submit_violations_422_with_report_nothing_stored(client: TestClient) -> None:
    response = client.post(
        "/submissions", content=(DATA / "broken-initiative.ttl").read_bytes(), headers=WRITE
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["error"] == "validation-failed"
    assert problem["report"]["counts"]["violation"] >= 4
    assert submission_graphs(client) == set()
    assert client.get("/submissions").json()["total"] == 0


def test_submit_conflict_with_base_knowledge_refused(client: TestClient) -> None:
    response = client.post(
        "/submissions",
        content=(DATA / "conflicting-base-knowledge.ttl").read_bytes(),
        headers=WRITE,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "conflicting-data"
    assert "base knowledge" in response.json()["detail"]
    assert submission_graphs(client) == set()


def test_submit_conflict_with_base_organisation_refused(client: TestClient) -> None:
    data = (
        b"<" + TEST_BASE.encode() + b"/id/organisatie/vlaio> "
        b'<http://www.w3.org/2004/02/skos/core#altLabel> "Overgenomen"@nl .'
    )
    response = client.post("/submissions", content=data, headers=WRITE)
    assert response.status_code == 400
    assert response.json()["error"] == "conflicting-data"


def test_submit_conflict_with_other_submission_refused(client: TestClient) -> None:
    assert client.post("/submissions", content=good(), headers=WRITE).status_code == 201
    response = client.post("/submissions", content=good(title="Andere titel"), headers=WRITE)
    assert response.status_code == 400
    assert "another submission" in response.json()["detail"]
    assert len(submission_graphs(client)) == 1


@pytest.mark.parametrize(
    ("name", "media_type", "status"),
    [
        ("broken-syntax.ttl", "text/turtle", 400),
        ("wrong-media-type.csv", "text/csv", 415),
        ("doctype.rdf", "application/rdf+xml", 400),
        ("remote-context.jsonld", "application/ld+json", 400),
        ("invalid-utf8.ttl", "text/turtle", 400),
    ],
)
def test_submit_bad_input_refused_nothing_stored(
    client: TestClient, name: str, media_type: str, status: int
) -> None:
    response = client.post(
        "/submissions",
        content=(DATA / name).read_bytes(),
        headers={**AUTH, "content-type": media_type},
    )
    assert response.status_code == status
    assert set(response.json()) >= {"error", "detail"}
    assert submission_graphs(client) == set()


def test_submit_empty_body_400(client: TestClient) -> None:
    response = client.post("/submissions", content=b"", headers=WRITE)
    assert response.status_code == 400


def test_list_submissions_paged(client: TestClient) -> None:
    for i in range(3):
        assert (
            client.post(
                "/submissions", content=good(f"lijst-{i}", f"Lijst {i}"), headers=WRITE
            ).status_code
            == 201
        )
    first = client.get("/submissions", params={"per_page": 2}).json()
    assert first["total"] == 3
    assert len(first["items"]) == 2
    assert first["next"] == "/submissions?page=2&per_page=2"
    second = client.get(first["next"]).json()
    assert len(second["items"]) == 1
    ids = {item["id"] for item in first["items"] + second["items"]}
    assert len(ids) == 3


def test_read_unknown_submission_404(client: TestClient) -> None:
    assert client.get("/submissions/" + "0" * 32).status_code == 404
    assert client.get("/submissions/not-an-id").status_code == 404


# -- concurrency ---------------------------------------------------------------------------------


def test_submit_twenty_concurrent_each_lands_exactly_once(client: TestClient) -> None:
    def post(i: int) -> tuple[int, str]:
        response = client.post(
            "/submissions", content=good(f"gelijktijdig-{i}", f"Nr {i}"), headers=WRITE
        )
        return response.status_code, response.json().get("id", "")

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(post, range(20)))
    assert [status for status, _ in outcomes] == [201] * 20
    assert len({sid for _, sid in outcomes}) == 20
    assert len(submission_graphs(client)) == 20
    assert client.get("/submissions").json()["total"] == 20
    for i in range(20):
        iri = f"{TEST_BASE}/id/initiatief/gelijktijdig-{i}"
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        rows = runtime.store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { <" + iri + "> a ?t } }")
        assert len(rows) == 1


# -- replace and withdraw ------------------------------------------------------------------------


def test_replace_with_current_etag_200(client: TestClient) -> None:
    created = client.post("/submissions", content=good(), headers=WRITE)
    location, etag = created.headers["location"], created.headers["etag"]
    response = client.put(
        location, content=good(title="Nieuwe titel"), headers={**WRITE, "if-match": etag}
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] != etag
    record = client.get(location).json()
    assert [r["current"] for r in record["provenance"]] == [False, True]
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    rows = runtime.store.select(
        "SELECT ?t WHERE { GRAPH ?g { <" + TEST_BASE + "/id/initiatief/proef-luchtmeting> "
        "<http://purl.org/dc/terms/title> ?t FILTER(lang(?t) = 'nl') } }"
    )
    assert [str(r["t"]) for r in rows] == ["Nieuwe titel"]


def test_replace_with_stale_or_missing_etag_412(client: TestClient) -> None:
    created = client.post("/submissions", content=good(), headers=WRITE)
    location = created.headers["location"]
    stale = client.put(location, content=good(title="X"), headers={**WRITE, "if-match": '"0000"'})
    assert stale.status_code == 412
    missing = client.put(location, content=good(title="X"), headers=WRITE)
    assert missing.status_code == 412
    assert client.get(location).json()["etag"] == created.json()["etag"]


def test_replace_race_one_wins_other_412(client: TestClient) -> None:
    created = client.post("/submissions", content=good(), headers=WRITE)
    location, etag = created.headers["location"], created.headers["etag"]

    def put(title: str) -> int:
        return client.put(
            location, content=good(title=title), headers={**WRITE, "if-match": etag}
        ).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(put, ["Eerste", "Tweede"]))
    assert statuses == [200, 412]
    assert len(client.get(location).json()["provenance"]) == 2


def test_replace_with_violations_422_keeps_old(client: TestClient) -> None:
    created = client.post("/submissions", content=good(), headers=WRITE)
    broken = good().replace(b'"Proef luchtmeting"@nl, ', b"")
    response = client.put(
        created.headers["location"],
        content=broken,
        headers={**WRITE, "if-match": created.headers["etag"]},
    )
    assert response.status_code == 422
    assert client.get(created.headers["location"]).json()["etag"] == created.json()["etag"]


def test_replace_needs_token(client: TestClient) -> None:
    created = client.post("/submissions", content=good(), headers=WRITE)
    response = client.put(created.headers["location"], content=good(), headers=TURTLE)
    assert response.status_code == 401


def test_withdraw_removes_graph_keeps_history(client: TestClient) -> None:
    created = client.post("/submissions", content=good(), headers=WRITE)
    location = created.headers["location"]
    assert client.delete(location).status_code == 401
    response = client.delete(location, headers=AUTH)
    assert response.status_code == 200
    assert response.json()["withdrawn"] is not None
    assert submission_graphs(client) == set()
    record = client.get(location).json()
    assert record["withdrawn"] is not None
    assert len(record["provenance"]) == 1
    assert record["provenance"][0]["current"] is False
    assert client.delete(location, headers=AUTH).status_code == 404
    # The subject is free again once withdrawn.
    assert client.post("/submissions", content=good(), headers=WRITE).status_code == 201


# -- steward CORS ---------------------------------------------------------------------------------

STEWARD_ORIGIN = "https://steward.example"


@pytest.fixture
def cors_client() -> Iterator[TestClient]:
    app = create_app(make_settings(steward_cors_origins=[STEWARD_ORIGIN]))
    with TestClient(app) as test_client:
        yield test_client


def test_steward_cors_preflight_allows_listed_origin(cors_client: TestClient) -> None:
    response = cors_client.options(
        "/submissions",
        headers={
            "origin": STEWARD_ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == STEWARD_ORIGIN
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers


def test_steward_cors_refuses_other_origin(cors_client: TestClient) -> None:
    preflight = cors_client.options(
        "/submissions",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    listed = cors_client.get("/submissions", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in listed.headers


def test_public_paths_keep_the_open_policy(cors_client: TestClient) -> None:
    response = cors_client.get("/health", headers={"origin": "https://anyone.example"})
    assert response.headers.get("access-control-allow-origin") == "*"
