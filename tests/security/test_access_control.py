"""Access control: every write path needs a valid steward token; nothing writes through
/sparql, /validate or a GET; error bodies leak no trace, path or token; path traversal fails.

Write routes are enumerated from ``app.routes``, so a write route added later without the
steward dependency fails here.
"""

from __future__ import annotations

import copy
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from sro_graph.config import PROJECT_ROOT, hash_token
from sro_graph.web.app import create_app
from tests.conftest import STEWARD_TOKEN, make_settings, steward_entry
from tests.security.helpers import Server, good, serving

SAFE = {"GET", "HEAD", "OPTIONS"}
# Writes without storage (validation) or read-only by construction (the SPARQL protocol).
NOT_STORING = {("POST", "/validate"), ("POST", "/sparql")}
WRONG_TOKEN = "wrong-token-that-must-not-echo-7f3a9c"
DUMMY_ID = "0" * 32
LEAKS = [
    re.compile(r"Traceback"),
    re.compile(r'File "'),
    re.compile(r"site-packages"),
    re.compile(re.escape(str(PROJECT_ROOT))),
    re.compile(r"/(?:work|root|home|tmp|usr)/"),
    re.compile(r"\.py\b"),
    re.compile(re.escape(STEWARD_TOKEN)),
    re.compile(WRONG_TOKEN),
    re.compile(r"sha256:[0-9a-f]{16}"),
]


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(make_settings())


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _state(client: TestClient) -> tuple[str, frozenset[str], int]:
    """What a write would change: the store version, its graphs, its statement count."""
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    count = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])
    return store.version(), frozenset(store.graph_names()), count


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every operation of the app, through included routers (newer FastAPI wraps them)."""
    found: list[APIRoute] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                walk(included.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute):
                if prefix:
                    route = copy.copy(route)
                    route.path = prefix + route.path
                found.append(route)

    walk(list(app.routes), "")
    return found


def _write_routes(app: FastAPI) -> list[tuple[str, str]]:
    routes: list[tuple[str, str]] = []
    for route in api_routes(app):
        for method in sorted((route.methods or set()) - SAFE):
            if (method, route.path) not in NOT_STORING:
                routes.append((method, route.path))
    return routes


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", DUMMY_ID, path)


def test_route_enumeration_finds_the_steward_routes(app: FastAPI) -> None:
    routes = set(_write_routes(app))
    assert {
        ("POST", "/submissions"),
        ("PUT", "/submissions/{submission_id}"),
        ("DELETE", "/submissions/{submission_id}"),
    } <= routes


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("", 401),
        ("Bearer", 401),
        ("Bearer    ", 401),
        (f"Basic {STEWARD_TOKEN}", 401),
        (f"Token {STEWARD_TOKEN}", 401),
        (f"Bearer {WRONG_TOKEN}", 403),
        (f"Bearer {hash_token(STEWARD_TOKEN)}", 403),
        (f"Bearer {STEWARD_TOKEN}x", 403),
        (f"Bearer {STEWARD_TOKEN[:-1]}", 403),
    ],
)
def test_every_write_route_needs_a_valid_token(
    app: FastAPI,
    client: TestClient,
    authorization: str | None,
    status: int,
) -> None:
    before = _state(client)
    headers = {"content-type": "text/turtle", "if-match": '"x"'}
    if authorization is not None:
        headers["authorization"] = authorization
    for method, path in _write_routes(app):
        r = client.request(method, _fill(path), content=good("zonder-token"), headers=headers)
        assert r.status_code == status, (method, path, r.status_code, r.text)
        if status == 401:
            assert r.headers["www-authenticate"].startswith("Bearer")
        _assert_no_leak(r.text)
    assert _state(client) == before


OTHER_TOKENS = ("other-steward-token-1", "other-steward-token-2")


@pytest.fixture(scope="module")
def three_stewards() -> Iterator[TestClient]:
    stewards = [
        steward_entry(OTHER_TOKENS[0], "Eerste", "https://example.org/org/1"),
        steward_entry(OTHER_TOKENS[1], "Tweede", "https://example.org/org/2"),
        steward_entry(),
    ]
    with TestClient(create_app(make_settings(stewards=stewards))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("token", "steward"),
    [(OTHER_TOKENS[0], "eerste"), (OTHER_TOKENS[1], "tweede"), (STEWARD_TOKEN, None)],
)
def test_each_configured_token_is_its_own_steward(
    three_stewards: TestClient, token: str, steward: str | None
) -> None:
    """Issue 16: the token check is tested by what it decides, not by spying on the call.
    Whichever entry a token is (first, middle, last), it authenticates as its own steward."""
    me = three_stewards.get("/submissions/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["id"] == (steward or "test-steward-antwerpen")


@pytest.mark.parametrize(
    "offered",
    [
        OTHER_TOKENS[0][:-1],
        OTHER_TOKENS[0] + "1",
        OTHER_TOKENS[0].upper(),
        hash_token(OTHER_TOKENS[0]),
        hash_token(OTHER_TOKENS[0]).removeprefix("sha256:"),
        " ".join(OTHER_TOKENS),
        STEWARD_TOKEN + "\u200b",
    ],
)
def test_near_miss_tokens_are_refused(three_stewards: TestClient, offered: str) -> None:
    response = three_stewards.get(
        "/submissions/me", headers=[(b"authorization", f"Bearer {offered}".encode())]
    )
    assert response.status_code == 403
    _assert_no_leak(response.text)


def test_token_hashes_in_configuration_are_never_accepted_as_raw_tokens() -> None:
    with pytest.raises(ValueError, match="never raw"):
        make_settings(stewards=[f"{STEWARD_TOKEN}=Naam|https://example.org/org"])


# -- no write through reads, /sparql or /validate ----------------------------------------------


UPDATES = [
    "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> <urn:x:o> } }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP ALL",
    "CREATE GRAPH <urn:x:g>",
    "LOAD <file:///etc/passwd>",
    "ADD DEFAULT TO <urn:x:g>",
    "WITH <urn:x:g> INSERT { <urn:x:a> <urn:x:p> 1 } WHERE {}",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "PREFIX x: <urn:x:> INSERT DATA { x:a x:p x:o }",
    "\\u0049NSERT DATA { <urn:x:a> <urn:x:p> <urn:x:o> }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_no_update_changes_the_store_through_sparql(client: TestClient, update: str) -> None:
    before = _state(client)
    attempts = [
        client.get("/sparql", params={"query": update}),
        client.get("/sparql", params={"update": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", data={"update": update}),
        client.post(
            "/sparql", content=update, headers={"content-type": "application/sparql-query"}
        ),
        client.post(
            "/sparql", content=update, headers={"content-type": "application/sparql-update"}
        ),
    ]
    for r in attempts:
        assert 400 <= r.status_code < 500, r.text
        _assert_no_leak(r.text)
    assert _state(client) == before


def test_validate_stores_nothing_even_with_graphs_and_shapes(client: TestClient) -> None:
    before = _state(client)
    trig = b"<urn:x:g> { <urn:x:a> <urn:x:p> <urn:x:o> . }"
    for r in (
        client.post(
            "/validate", content=good("alleen-validatie"), headers={"content-type": "text/turtle"}
        ),
        client.post("/validate", content=trig, headers={"content-type": "application/trig"}),
        client.post(
            "/validate",
            files={
                "data": ("d.ttl", good("v2"), "text/turtle"),
                "shapes": ("s.ttl", good("v3"), "text/turtle"),
            },
        ),
    ):
        assert r.status_code in (200, 400), r.text
    assert _state(client) == before


def test_no_get_route_writes(app: FastAPI, client: TestClient) -> None:
    before = _state(client)
    seen = 0
    for route in api_routes(app):
        if "GET" in (route.methods or set()):
            for path in {_fill(route.path), route.path.replace("{", "").replace("}", "")}:
                r = client.get(path, params={"q": "x", "query": "ASK {}"})
                assert r.status_code < 500, (path, r.status_code, r.text[:300])
                seen += 1
    assert seen > 20
    assert _state(client) == before


# -- error bodies ----------------------------------------------------------------------------


def _assert_no_leak(text: str) -> None:
    for pattern in LEAKS:
        assert not pattern.search(text), f"{pattern.pattern!r} in {text[:400]!r}"


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_error_bodies_leak_no_trace_path_or_token(client: TestClient, accept: str) -> None:
    h = {"accept": accept}
    auth = {**h, "authorization": f"Bearer {WRONG_TOKEN}", "content-type": "text/turtle"}
    responses = [
        client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "}, headers=h),
        client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { <file:///etc/passwd> ?p ?o } GROUP BY ?zz"},
            headers=h,
        ),
        client.get("/sparql", params={"query": "SELECT * FROM <file:///etc/passwd> {}"}, headers=h),
        client.get("/no/such/page", headers=h),
        client.put("/sparql", headers=h),
        client.post("/submissions", content=good(), headers=auth),
        client.post("/submissions", content=good(), headers={**h, "content-type": "text/turtle"}),
        client.post(
            "/validate", content=b"@prefix x: <", headers={**h, "content-type": "text/turtle"}
        ),
        client.post("/validate", content=b"x", headers={**h, "content-type": "image/png"}),
        client.post(
            "/validate",
            content=b"<a> <b> <c> .",
            headers={**h, "content-type": "text/turtle", "content-encoding": "gzip"},
        ),
        client.get(
            "/queries/initiatives-of-municipality", params={"gemeente": "../x y"}, headers=h
        ),
        client.get("/queries/no-such-query", headers=h),
        client.get("/submissions/" + DUMMY_ID, headers=h),
        client.get("/submissions", params={"page": "-1"}, headers=h),
        client.get("/catalog", params={"pageSize": "x"}, headers=h),
        client.get("/dumps/../../pyproject.toml", headers=h),
        client.get("/doc/initiatief/%00", headers=h),
    ]
    for r in responses:
        assert r.status_code >= 400, (r.request.url, r.status_code)
        _assert_no_leak(r.text)


def test_unexpected_error_is_a_500_without_details() -> None:
    app = create_app(make_settings())

    @app.get("/boom-for-test")
    def boom() -> None:
        raise RuntimeError(f"secret {PROJECT_ROOT}/x.py token {STEWARD_TOKEN}")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        for accept in ("application/json", "text/html"):
            r = test_client.get("/boom-for-test", headers={"accept": accept})
            assert r.status_code == 500
            assert "internal-error" in r.text
            _assert_no_leak(r.text)


# -- path traversal ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("traversal")
    with serving(tmp / "store", tmp / "server.log") as running:
        yield running


def _raw_get(server: Server, target: str) -> tuple[int, bytes]:
    """GET with the request target exactly as written (no client-side normalisation)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/turtle\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0
    return status, raw


SECRETS = [
    b"[build-system]",
    b"root:x:0:0",
    b"sro_graph.config",
    b"def create_app",
    b"steward_token_hashes",
    b"stewards:",
]


@pytest.mark.parametrize("prefix", ["/doc/", "/dumps/", "/static/", "/id/", "/ns/"])
@pytest.mark.parametrize(
    "attack",
    [
        "../../../../etc/passwd",
        "..%2f..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
        "....//....//....//etc/passwd",
        "..\\..\\..\\..\\etc\\passwd",
        "..%5c..%5c..%5cpyproject.toml",
        "../../../pyproject.toml",
        "../../../../src/sro_graph/config.py",
        "../web/app.py",
        "/etc/passwd",
        "%2fetc%2fpasswd",
        "..%00/pyproject.toml",
    ],
)
def test_path_traversal_reads_no_file(server: Server, prefix: str, attack: str) -> None:
    status, raw = _raw_get(server, prefix + attack)
    assert status == 0 or 300 <= status < 500, raw[:300]
    for secret in SECRETS:
        assert secret not in raw, (prefix + attack, raw[:300])
