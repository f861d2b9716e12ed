"""POST/GET/PUT/DELETE /submissions: the validation-gated, authenticated write API."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sro_graph.config import hash_token
from sro_graph.web.app import create_app
from tests.conftest import STEWARD_TOKEN, TEST_BASE, make_settings, steward_entry

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


# -- authentication -------------------------------------------------------------------------------


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


# -- create, read, list ---------------------------------------------------------------------------


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
        ("wrong-media-type.csv", "image/png", 415),
        # text/csv is the spreadsheet template now (issue 13.8): a CSV that is not the
        # template is unusable input, no longer an unknown media type.
        ("wrong-media-type.csv", "text/csv", 400),
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


@pytest.mark.parametrize("suffix", ["%0A", "%0D%0A", "%0a%0a", "%20", "%00", "A"])
def test_submission_id_with_trailing_bytes_404_on_every_method(
    client: TestClient, suffix: str
) -> None:
    """Issue 12.7: ``/submissions/<32 hex>%0A`` was a 500 (``$`` accepts a trailing newline);
    ids are matched with fullmatch, so it is a plain 404 for read, replace and withdraw."""
    created = client.post("/submissions", content=good(), headers=WRITE)
    sid, etag = created.json()["id"], created.headers["etag"]
    path = f"/submissions/{sid}{suffix}"
    assert client.get(path).status_code == 404
    put = client.put(path, content=good(title="X"), headers={**WRITE, "if-match": etag})
    assert put.status_code == 404
    assert client.delete(path, headers={**AUTH, "if-match": etag}).status_code == 404
    assert client.get(f"/submissions/{sid}").json()["etag"] == created.json()["etag"]


# -- concurrency ----------------------------------------------------------------------------------


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


# -- replace and withdraw -------------------------------------------------------------------------


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


def test_replace_with_stale_etag_412(client: TestClient) -> None:
    created = client.post("/submissions", content=good(), headers=WRITE)
    location = created.headers["location"]
    stale = client.put(location, content=good(title="X"), headers={**WRITE, "if-match": '"0000"'})
    assert stale.status_code == 412
    assert client.get(location).json()["etag"] == created.json()["etag"]


def test_replace_without_if_match_428(client: TestClient) -> None:
    """Issue 13.4: a PUT without If-Match is 428 Precondition Required (was 412)."""
    created = client.post("/submissions", content=good(), headers=WRITE)
    location = created.headers["location"]
    missing = client.put(location, content=good(title="X"), headers=WRITE)
    assert missing.status_code == 428
    assert missing.json()["error"] == "precondition-required"
    assert "If-Match" in missing.json()["detail"]
    assert client.get(location).json()["etag"] == created.json()["etag"]


def test_withdraw_without_if_match_428(client: TestClient) -> None:
    """Issue 13.4: DELETE needs If-Match as PUT does; without it nothing is withdrawn."""
    created = client.post("/submissions", content=good(), headers=WRITE)
    location = created.headers["location"]
    response = client.delete(location, headers=AUTH)
    assert response.status_code == 428
    assert client.get(location).json()["withdrawn"] is None
    stale = client.delete(location, headers={**AUTH, "if-match": '"0000"'})
    assert stale.status_code == 412
    assert len(submission_graphs(client)) == 1


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
    if_match = {"if-match": created.headers["etag"]}
    assert client.delete(location, headers=if_match).status_code == 401
    response = client.delete(location, headers={**AUTH, **if_match})
    assert response.status_code == 200
    assert response.json()["withdrawn"] is not None
    assert submission_graphs(client) == set()
    record = client.get(location).json()
    assert record["withdrawn"] is not None
    assert len(record["provenance"]) == 1
    assert record["provenance"][0]["current"] is False
    assert client.delete(location, headers={**AUTH, **if_match}).status_code == 404
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


# -- several stewards (issue 13.4) ----------------------------------------------------------------

OTHER_TOKEN = "other-steward-token-9876543210"
ADMIN_TOKEN = "admin-steward-token-5555555555"
SECOND_TOKEN = "steward-second-token-of-the-same-steward"
OTHER = {"authorization": f"Bearer {OTHER_TOKEN}"}
ADMIN = {"authorization": f"Bearer {ADMIN_TOKEN}"}
GENT = f"{TEST_BASE}/id/bestuurseenheid/44021"
SRO = f"{TEST_BASE}/id/organisatie/smart-region-office"


@pytest.fixture
def tenants() -> Iterator[TestClient]:
    """Steward A (Antwerp, two tokens), steward B (Ghent) and an admin (the SRO)."""
    stewards = [
        steward_entry(),
        steward_entry(SECOND_TOKEN),
        steward_entry(OTHER_TOKEN, "Data Gent", GENT),
        steward_entry(ADMIN_TOKEN, "SRO beheer", SRO, admin=True),
    ]
    with TestClient(create_app(make_settings(stewards=stewards))) as test_client:
        yield test_client


def test_submission_names_its_steward_and_organisation_not_the_token(
    tenants: TestClient,
) -> None:
    created = tenants.post("/submissions", content=good(), headers=WRITE)
    assert created.status_code == 201, created.text
    record = tenants.get(created.headers["location"]).json()
    assert record["owner"] == "test-steward-antwerpen"
    assert record["steward"] == {
        "id": "test-steward-antwerpen",
        "name": "Test Steward Antwerpen",
        "organisation": f"{TEST_BASE}/id/bestuurseenheid/11002",
    }
    assert record["submitter"] == "urn:sro-graph:steward:test-steward-antwerpen"
    token_hash = hash_token(STEWARD_TOKEN).removeprefix("sha256:")
    for start in range(0, len(token_hash) - 8):
        assert token_hash[start : start + 8] not in str(record)


def test_other_steward_may_read_but_not_replace_or_withdraw(tenants: TestClient) -> None:
    created = tenants.post("/submissions", content=good(), headers=WRITE)
    location, etag = created.headers["location"], created.headers["etag"]
    assert tenants.get(location, headers=OTHER).json()["owner"] == "test-steward-antwerpen"
    put = tenants.put(
        location,
        content=good(title="Overgenomen"),
        headers={**OTHER, **TURTLE, "if-match": etag},
    )
    assert put.status_code == 403
    assert "test-steward-antwerpen" in put.json()["detail"]
    delete = tenants.delete(location, headers={**OTHER, "if-match": etag})
    assert delete.status_code == 403
    record = tenants.get(location).json()
    assert record["etag"] == created.json()["etag"]
    assert record["withdrawn"] is None
    assert len(submission_graphs(tenants)) == 1


def test_other_steward_cannot_preview_a_replace_of_it(tenants: TestClient) -> None:
    created = tenants.post("/submissions", content=good(), headers=WRITE)
    response = tenants.post(
        "/submissions/check",
        params={"replaces": created.json()["id"]},
        content=good(title="Overgenomen"),
        headers={**OTHER, **TURTLE},
    )
    assert response.status_code == 403


def test_admin_may_replace_and_withdraw_any_submission(tenants: TestClient) -> None:
    created = tenants.post("/submissions", content=good(), headers=WRITE)
    location = created.headers["location"]
    replaced = tenants.put(
        location,
        content=good(title="Door beheer"),
        headers={**ADMIN, **TURTLE, "if-match": created.headers["etag"]},
    )
    assert replaced.status_code == 200, replaced.text
    record = tenants.get(location).json()
    assert record["owner"] == "test-steward-antwerpen"  # ownership stays with the creator
    assert record["provenance"][-1]["steward"]["id"] == "sro-beheer"
    withdrawn = tenants.delete(location, headers={**ADMIN, "if-match": replaced.headers["etag"]})
    assert withdrawn.status_code == 200
    assert submission_graphs(tenants) == set()


def test_second_token_of_the_same_steward_owns_the_same_submissions(
    tenants: TestClient,
) -> None:
    created = tenants.post("/submissions", content=good(), headers=WRITE)
    second = {"authorization": f"Bearer {SECOND_TOKEN}"}
    replaced = tenants.put(
        created.headers["location"],
        content=good(title="Met het tweede token"),
        headers={**second, **TURTLE, "if-match": created.headers["etag"]},
    )
    assert replaced.status_code == 200, replaced.text
    mine = tenants.get("/submissions", params={"mine": "true"}, headers=second).json()
    assert [item["id"] for item in mine["items"]] == [created.json()["id"]]


def test_my_submissions_lists_only_mine(tenants: TestClient) -> None:
    a = tenants.post("/submissions", content=good("van-a", "Van A"), headers=WRITE).json()
    b = tenants.post(
        "/submissions", content=good("van-b", "Van B"), headers={**OTHER, **TURTLE}
    ).json()
    mine_a = tenants.get("/submissions", params={"mine": "true"}, headers=AUTH).json()
    mine_b = tenants.get("/submissions", params={"mine": "true"}, headers=OTHER).json()
    assert [i["id"] for i in mine_a["items"]] == [a["id"]]
    assert [i["id"] for i in mine_b["items"]] == [b["id"]]
    assert mine_a["items"][0]["titles"] == ["Van A"]
    assert mine_a["items"][0]["status"] == "current"
    assert mine_a["total"] == 1
    everyone = tenants.get("/submissions").json()
    assert {i["id"] for i in everyone["items"]} == {a["id"], b["id"]}
    public = tenants.get("/submissions", params={"steward": "data-gent"}).json()
    assert [i["id"] for i in public["items"]] == [b["id"]]


def test_my_submissions_needs_a_token(tenants: TestClient) -> None:
    assert tenants.get("/submissions", params={"mine": "true"}).status_code == 401
    wrong = {"authorization": "Bearer nobody"}
    assert tenants.get("/submissions", params={"mine": "true"}, headers=wrong).status_code == 403


def test_me_names_each_steward(tenants: TestClient) -> None:
    assert tenants.get("/submissions/me", headers=AUTH).json()["id"] == "test-steward-antwerpen"
    other = tenants.get("/submissions/me", headers=OTHER).json()
    assert other == {"id": "data-gent", "name": "Data Gent", "organisation": GENT, "admin": False}
    assert tenants.get("/submissions/me", headers=ADMIN).json()["admin"] is True
    assert tenants.get("/submissions/me").status_code == 401


def test_withdrawn_submission_keeps_title_and_status_in_my_list(tenants: TestClient) -> None:
    created = tenants.post("/submissions", content=good(), headers=WRITE)
    tenants.delete(
        created.headers["location"], headers={**AUTH, "if-match": created.headers["etag"]}
    )
    item = tenants.get("/submissions", params={"mine": "true"}, headers=AUTH).json()["items"][0]
    assert item["status"] == "withdrawn"
    assert item["titles"] == ["Proef luchtmeting"]


# -- consistency across submissions (issue 13.5) --------------------------------------------------

PARTNER = f"{TEST_BASE}/id/organisatie/sensorbedrijf-x"


def organisation(label: str = "Sensorbedrijf X") -> bytes:
    return (
        f"<{PARTNER}> a <http://www.w3.org/ns/org#Organization> ;\n"
        f'  <http://www.w3.org/2004/02/skos/core#prefLabel> "{label}"@nl ;\n'
        f"  <{TEST_BASE}/ns/smartregio#actortype> <{TEST_BASE}/id/concept/actortype/bedrijf> .\n"
    ).encode()


def initiative_with_partner() -> bytes:
    return good("met-partner", "Met partner").replace(
        b"<https://sro.test/id/organisatie/vlaio>", f"<{PARTNER}>".encode()
    )


def test_withdrawing_what_another_submission_references_is_refused_with_dependents(
    tenants: TestClient,
) -> None:
    org = tenants.post("/submissions", content=organisation(), headers=WRITE)
    assert org.status_code == 201, org.text
    uses = tenants.post(
        "/submissions", content=initiative_with_partner(), headers={**OTHER, **TURTLE}
    )
    assert uses.status_code == 201, uses.text
    before = submission_graphs(tenants)

    refused = tenants.delete(
        org.headers["location"], headers={**AUTH, "if-match": org.headers["etag"]}
    )

    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "has-dependents"
    assert body["dependents"] == [
        {
            "submission": uses.json()["id"],
            "href": f"/submissions/{uses.json()['id']}",
            "subject": f"{TEST_BASE}/id/initiatief/met-partner",
            "predicate": "http://www.w3.org/ns/prov#wasAssociatedWith",
            "object": PARTNER,
        }
    ]
    assert submission_graphs(tenants) == before
    assert tenants.get(org.headers["location"]).json()["withdrawn"] is None
    # An admin is refused too: no stored report may claim conformance of dangling data.
    admin = tenants.delete(
        org.headers["location"], headers={**ADMIN, "if-match": org.headers["etag"]}
    )
    assert admin.status_code == 409


def test_replacing_away_a_referenced_subject_is_refused_keeping_it_is_not(
    tenants: TestClient,
) -> None:
    org = tenants.post("/submissions", content=organisation(), headers=WRITE)
    tenants.post("/submissions", content=initiative_with_partner(), headers={**OTHER, **TURTLE})
    elsewhere = good("iets-anders", "Iets anders")
    dropped = tenants.put(
        org.headers["location"],
        content=elsewhere,
        headers={**WRITE, "if-match": org.headers["etag"]},
    )
    assert dropped.status_code == 409
    assert dropped.json()["dependents"][0]["object"] == PARTNER
    kept = tenants.put(
        org.headers["location"],
        content=organisation("Sensorbedrijf X (nieuwe naam)"),
        headers={**WRITE, "if-match": org.headers["etag"]},
    )
    assert kept.status_code == 200, kept.text


def test_withdrawal_allowed_once_the_dependents_are_gone(tenants: TestClient) -> None:
    org = tenants.post("/submissions", content=organisation(), headers=WRITE)
    uses = tenants.post(
        "/submissions", content=initiative_with_partner(), headers={**OTHER, **TURTLE}
    )
    tenants.delete(uses.headers["location"], headers={**OTHER, "if-match": uses.headers["etag"]})
    response = tenants.delete(
        org.headers["location"], headers={**AUTH, "if-match": org.headers["etag"]}
    )
    assert response.status_code == 200, response.text


def test_preview_of_a_replace_lists_the_dependents(tenants: TestClient) -> None:
    org = tenants.post("/submissions", content=organisation(), headers=WRITE)
    tenants.post("/submissions", content=initiative_with_partner(), headers={**OTHER, **TURTLE})
    response = tenants.post(
        "/submissions/check",
        params={"replaces": org.json()["id"]},
        content=good("iets-anders", "Iets anders"),
        headers=WRITE,
    )
    assert response.status_code == 409
    assert response.json()["dependents"]


# -- hostile content (issue 13.6) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "iri",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<b>x</b>".replace("<", "%3C").replace(">", "%3E"),
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "urn:x:y",
        "ftp://example.org/x",
    ],
)
@pytest.mark.parametrize("position", ["object", "subject", "datatype"])
def test_iris_of_other_schemes_are_refused_nothing_stored(
    client: TestClient, iri: str, position: str
) -> None:
    extra = {
        "object": f"<{TEST_BASE}/id/initiatief/proef-luchtmeting> "
        f"<http://xmlns.com/foaf/0.1/homepage> <{iri}> .\n",
        "subject": f"<{iri}> <http://www.w3.org/ns/org#memberOf> "
        f"<{TEST_BASE}/id/organisatie/vlaio> .\n",
        "datatype": f"<{TEST_BASE}/id/initiatief/proef-luchtmeting> "
        f'<{TEST_BASE}/ns/smartregio#resultaat> "x"^^<{iri}> .\n',
    }[position]
    response = client.post("/submissions", content=good() + extra.encode(), headers=WRITE)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "unsafe-input"
    assert "http, https and mailto" in response.json()["detail"]
    assert submission_graphs(client) == set()


def test_mailto_iris_are_accepted(client: TestClient) -> None:
    extra = (
        f"<{TEST_BASE}/id/initiatief/proef-luchtmeting> <http://schema.org/contactPoint> "
        f"<{TEST_BASE}/id/initiatief/proef-luchtmeting#contact> .\n"
        f"<{TEST_BASE}/id/initiatief/proef-luchtmeting#contact>"
        " a <http://schema.org/ContactPoint> ;"
        ' <http://schema.org/email> "data@antwerpen.be" ;'
        " <http://xmlns.com/foaf/0.1/mbox> <mailto:data@antwerpen.be> .\n"
    )
    response = client.post("/submissions", content=good() + extra.encode(), headers=WRITE)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("predicate", "target"),
    [
        ("skos:inScheme", "conceptscheme/uitdaging"),
        ("skos:topConceptOf", "conceptscheme/uitdaging"),
        ("skos:broader", "concept/uitdaging/8"),
        ("skos:narrower", "concept/focusdomein/mobility"),
        ("skos:broaderTransitive", "concept/uitdaging/1"),
        ("skos:member", "conceptscheme/bouwsteen"),
    ],
)
def test_submissions_may_not_add_members_to_base_concept_schemes(
    client: TestClient, predicate: str, target: str
) -> None:
    """Issue 13.6: a submission added "Uitdaging 10" to the nine challenges."""
    data = (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        f"<{TEST_BASE}/id/eigen/uitdaging-10> a skos:Concept ;\n"
        '  skos:prefLabel "Uitdaging 10"@nl ;\n'
        f"  {predicate} <{TEST_BASE}/id/{target}> .\n"
    ).encode()
    response = client.post("/submissions", content=data, headers=WRITE)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "conflicting-data"
    assert "concept scheme" in response.json()["detail"]
    assert submission_graphs(client) == set()
    scheme = client.get(
        "/sparql",
        params={
            "query": "SELECT (COUNT(?c) AS ?n) WHERE { ?c <http://www.w3.org/2004/02/skos/core#"
            f"inScheme> <{TEST_BASE}/id/conceptscheme/uitdaging> }}"
        },
        headers={"accept": "application/sparql-results+json"},
    ).json()
    assert scheme["results"]["bindings"][0]["n"]["value"] == "9"


def test_own_concepts_outside_the_base_schemes_are_accepted(client: TestClient) -> None:
    """Typed, so that the gate checks them (issue 13.1: untyped data is never accepted)."""
    data = (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://example.org/thema> a skos:ConceptScheme ; skos:prefLabel "Thema\'s"@nl ;\n'
        '  <http://purl.org/dc/terms/title> "Thema\'s"@nl ;\n'
        "  skos:hasTopConcept <https://example.org/thema/b> .\n"
        '<https://example.org/thema/b> a skos:Concept ; skos:prefLabel "B"@nl ;\n'
        "  skos:inScheme <https://example.org/thema> ;\n"
        "  skos:topConceptOf <https://example.org/thema> .\n"
        '<https://example.org/thema/a> a skos:Concept ; skos:prefLabel "A"@nl ;\n'
        "  skos:inScheme <https://example.org/thema> ;\n"
        "  skos:broader <https://example.org/thema/b> ;\n"
        f"  skos:exactMatch <{TEST_BASE}/id/concept/uitdaging/8> .\n"
    ).encode()
    response = client.post("/submissions", content=data, headers=WRITE)
    assert response.status_code == 201, response.text


# -- datasets: published only on request (issue 13.10, with the catalogue's 15.3) -----------------

DATASET = f"{TEST_BASE}/id/dataset/proef-luchtmeting-metingen"


def with_dataset() -> bytes:
    return (
        good()
        + (
            f"<{TEST_BASE}/id/initiatief/proef-luchtmeting> "
            f"<http://www.w3.org/ns/prov#generated> <{DATASET}> .\n"
            f"<{DATASET}> a <http://www.w3.org/ns/dcat#Dataset> ;"
            ' <http://purl.org/dc/terms/title> "Metingen"@nl .\n'
        ).encode()
    )


def published(client: TestClient, submission_id: str) -> list[str]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    rows = runtime.store.select(
        "SELECT ?d WHERE { GRAPH ?g { ?rev <http://www.w3.org/ns/prov#specializationOf> "
        f"<{TEST_BASE}/id/inzending/{submission_id}> ; "
        f"<{TEST_BASE}/ns/smartregio#publiceertDataset> ?d "
        "FILTER NOT EXISTS { ?rev <http://www.w3.org/ns/prov#invalidatedAtTime> ?t } } }"
    )
    return [str(r["d"]) for r in rows]


def test_declared_dataset_is_not_published_unless_asked_and_the_report_says_how(
    client: TestClient,
) -> None:
    created = client.post("/submissions", content=with_dataset(), headers=WRITE)
    assert created.status_code == 201, created.text
    [note] = created.json()["report"]["datasets"]
    assert note["iri"] == DATASET
    assert note["published"] is False
    assert "publish=" in note["how"]["en"]
    assert "dataset_publiceren" in note["how"]["nl"]
    assert published(client, created.json()["id"]) == []


@pytest.mark.parametrize("publish", [DATASET, "all"])
def test_steward_asks_to_publish_a_declared_dataset(client: TestClient, publish: str) -> None:
    created = client.post(
        "/submissions", params={"publish": publish}, content=with_dataset(), headers=WRITE
    )
    assert created.status_code == 201, created.text
    assert created.json()["report"]["datasets"][0]["published"] is True
    assert created.json()["publishedDatasets"] == [DATASET]
    assert published(client, created.json()["id"]) == [DATASET]
    # A replace that does not ask again leaves the current revision without the request.
    replaced = client.put(
        created.headers["location"],
        content=with_dataset(),
        headers={**WRITE, "if-match": created.headers["etag"]},
    )
    assert replaced.status_code == 200
    assert published(client, created.json()["id"]) == []


def test_publishing_a_dataset_the_submission_does_not_declare_is_refused(
    client: TestClient,
) -> None:
    response = client.post(
        "/submissions",
        params={"publish": f"{TEST_BASE}/id/dataset/niet-hier"},
        content=with_dataset(),
        headers=WRITE,
    )
    assert response.status_code == 422
    assert response.json()["error"] == "bad-parameter"
    assert DATASET in response.json()["detail"]
    assert submission_graphs(client) == set()


# -- the gate's dry run ---------------------------------------------------------------------------


def test_check_reports_without_storing(client: TestClient) -> None:
    response = client.post("/submissions/check", content=good(), headers=WRITE)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] is True
    broken = client.post(
        "/submissions/check",
        content=(DATA / "broken-initiative.ttl").read_bytes(),
        headers=WRITE,
    )
    assert broken.status_code == 200
    assert broken.json()["accepted"] is False
    assert broken.json()["counts"]["violation"] >= 4
    assert submission_graphs(client) == set()
    assert client.get("/submissions").json()["total"] == 0
