"""Parser attacks against a real server process: each is refused (or answered) with a clear 4xx
within the client's time limit, and the server's memory (with its workers) stays bounded.

The server is ``sro-graph serve`` on a disk store; its resident memory, children included, is
sampled while each request runs, and the peak growth over the warmed-up baseline is bounded.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.security.helpers import AUTH, Server, good, serving

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MB = 1024 * 1024
CAP = 10 * MB  # the default max_body_bytes
MEMORY_BOUND = 400 * MB  # peak growth of the server and its workers while one attack runs
TIME_BOUND_S = 60.0  # the client gives up (and the test fails) after this

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    + f']>\n<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="urn:x:">'
    '<rdf:Description rdf:about="urn:x:a"><ex:p>&lol9;</ex:p></rdf:Description></rdf:RDF>'
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="urn:x:">'
    '<rdf:Description rdf:about="urn:x:a"><ex:p>&x;</ex:p></rdf:Description></rdf:RDF>'
)
PARAMETER_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd">'
    ' %p;]>\n<rdf:RDF xmlns:rdf="' + RDF + '"/>'
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("parser")
    with serving(tmp / "store", tmp / "server.log") as running:
        # Warm up: a validation starts the worker pool, a submission the write path.
        httpx.post(
            f"{running.url}/validate",
            content=good(),
            headers={"content-type": "text/turtle"},
            timeout=TIME_BOUND_S,
        )
        yield running


def _peak_growth(server: Server, call: Callable[[], httpx.Response]) -> tuple[httpx.Response, int]:
    """The response of ``call`` and the peak RSS growth of the server while it ran."""
    baseline = server.rss()
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, server.rss())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        response = call()
    finally:
        done.set()
        sampler.join()
    return response, peak - baseline


def _post(
    server: Server, path: str, body: bytes, media_type: str, **headers: str
) -> Callable[[], httpx.Response]:
    def call() -> httpx.Response:
        return httpx.post(
            f"{server.url}{path}",
            content=body,
            timeout=TIME_BOUND_S,
            headers={**AUTH, "content-type": media_type, **headers},
        )

    return call


def _check(
    server: Server,
    response: httpx.Response,
    growth: int,
    statuses: tuple[int, ...],
    error: str | None = None,
) -> None:
    assert response.status_code in statuses, response.text[:500]
    if error is not None:
        assert response.json()["error"] == error
    assert growth < MEMORY_BOUND, f"server memory grew by {growth // MB} MB"
    assert "Traceback" not in response.text
    assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200
    assert server.process is not None
    assert server.process.poll() is None


# -- XML entities ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [LAUGHS, XXE, PARAMETER_ENTITY],
    ids=["billion-laughs", "external-entity", "parameter-entity"],
)
@pytest.mark.parametrize("path", ["/validate", "/submissions"])
def test_xml_entity_attacks_are_refused_400(server: Server, body: str, path: str) -> None:
    response, growth = _peak_growth(
        server, _post(server, path, body.encode(), "application/rdf+xml")
    )
    _check(server, response, growth, (400,), "unsafe-input")
    assert "root:" not in response.text


def test_xml_doctype_in_a_multipart_shapes_part_is_refused(server: Server) -> None:
    def call() -> httpx.Response:
        return httpx.post(
            f"{server.url}/validate",
            timeout=TIME_BOUND_S,
            files={
                "data": ("data.ttl", good(), "text/turtle"),
                "shapes": ("shapes.rdf", LAUGHS.encode(), "application/rdf+xml"),
            },
        )

    response, growth = _peak_growth(server, call)
    _check(server, response, growth, (400,), "unsafe-input")


# -- JSON-LD nesting ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100, 100_000, 2_000_000])
def test_deeply_nested_jsonld_is_refused_400(server: Server, depth: int) -> None:
    body = ('{"@id": "urn:x:a", "urn:x:p": ' * depth + '"x"' + "}" * depth).encode()
    if len(body) > CAP:
        body = ("[" * (CAP - 10)).encode()
    response, growth = _peak_growth(server, _post(server, "/validate", body, "application/ld+json"))
    _check(server, response, growth, (400,))


# -- big terms ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [CAP - 4096, CAP + 1])
def test_huge_literal_is_answered_or_refused_413(server: Server, size: int) -> None:
    head = b'<urn:x:a> <http://purl.org/dc/terms/title> "'
    body = head + b"a" * (size - len(head) - 3) + b'" .'
    response, growth = _peak_growth(server, _post(server, "/validate", body, "text/turtle"))
    _check(server, response, growth, (413,) if size > CAP else (200,))


def test_huge_literal_in_a_submission_is_not_a_server_error(server: Server) -> None:
    body = (
        good("lange-tekst")
        + (
            "\n<https://sro.test/id/initiatief/lange-tekst> "
            '<http://purl.org/dc/terms/abstract> "' + "b" * (CAP // 2) + '"@nl .\n'
        ).encode()
    )
    response, growth = _peak_growth(server, _post(server, "/submissions", body, "text/turtle"))
    _check(server, response, growth, (201, 400, 413, 422))


@pytest.mark.parametrize("where", ["subject", "object"])
def test_long_iri_is_answered_without_a_server_error(server: Server, where: str) -> None:
    iri = "<urn:x:" + "i" * (CAP - 200) + ">"
    body = (
        f"{iri} <urn:x:p> <urn:x:o> ." if where == "subject" else f"<urn:x:s> <urn:x:p> {iri} ."
    ).encode()
    response, growth = _peak_growth(server, _post(server, "/validate", body, "text/turtle"))
    _check(server, response, growth, (200, 400))


@pytest.mark.parametrize("length", [8_000, 60_000])
def test_long_iri_in_a_url_is_refused_without_a_server_error(server: Server, length: int) -> None:
    """Long paths get a 4xx from the app, or the HTTP layer drops the request line; either
    way the server stays up and answers the next request."""
    try:
        response = httpx.get(
            f"{server.url}/doc/initiatief/{'x' * length}",
            timeout=TIME_BOUND_S,
            headers={"accept": "text/turtle"},
        )
    except httpx.RemoteProtocolError:
        pass  # the server closed the connection on an over-long request line
    else:
        assert 400 <= response.status_code < 500, response.text[:300]
    assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200


# -- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/validate", "text/turtle"),
        ("/validate", "application/n-triples"),
        ("/validate", "application/ld+json"),
        ("/validate", "application/rdf+xml"),
        ("/submissions", "text/turtle"),
        ("/submissions", "application/ld+json"),
        ("/sparql", "application/sparql-query"),
        ("/sparql", "application/x-www-form-urlencoded"),
    ],
)
def test_invalid_utf8_is_refused_400(server: Server, path: str, media_type: str) -> None:
    bodies = {
        "application/ld+json": b'{"@id": "urn:x:a", "urn:x:p": "\xff\xfe"}',
        "application/rdf+xml": (
            f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="urn:x:"><rdf:Description '
            'rdf:about="urn:x:a"><ex:p>\xff</ex:p></rdf:Description>'
            "</rdf:RDF>"
        ).encode("latin-1"),
        "application/sparql-query": b'SELECT * WHERE { ?s ?p "\xc3\x28" }',
        "application/x-www-form-urlencoded": b"query=SELECT%20*%20WHERE%20%7B%7D\xff",
    }
    body = bodies.get(media_type, b'<urn:x:a> <urn:x:p> "caf\xe9" .')
    response, growth = _peak_growth(server, _post(server, path, body, media_type))
    _check(server, response, growth, (400,))


# -- compressed bodies -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """About 200 KB of gzip that expands to 200 MB of Turtle-looking zeros."""
    return gzip.compress(b"\0" * (200 * MB), compresslevel=9)


@pytest.mark.parametrize("path", ["/validate", "/submissions", "/sparql"])
def test_gzip_bomb_body_is_refused_415_unread(server: Server, gzip_bomb: bytes, path: str) -> None:
    media_type = "application/sparql-query" if path == "/sparql" else "text/turtle"
    response, growth = _peak_growth(
        server, _post(server, path, gzip_bomb, media_type, **{"content-encoding": "gzip"})
    )
    _check(server, response, growth, (415,), "unsupported-encoding")


@pytest.mark.parametrize("coding", ["deflate", "br", "identity, gzip", "x-gzip"])
def test_any_request_content_encoding_is_refused_415(server: Server, coding: str) -> None:
    body = good()
    response = httpx.post(
        f"{server.url}/validate",
        content=body,
        timeout=TIME_BOUND_S,
        headers={"content-type": "text/turtle", "content-encoding": coding},
    )
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported-encoding"


def test_identity_content_encoding_is_accepted(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/validate",
        content=good(),
        timeout=TIME_BOUND_S,
        headers={"content-type": "text/turtle", "content-encoding": "identity"},
    )
    assert response.status_code == 200


def test_server_log_holds_no_traceback_after_the_attacks(server: Server) -> None:
    """Runs last in this module: every attack was an expected refusal, none a crash."""
    text = Path(server.log).read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
