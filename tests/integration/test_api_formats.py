"""The ``_format`` parameter reads the same, strictly, on every route that takes it (issue 16).

``_format`` overrides Accept for download links on ``/sparql`` (GET, POST form) and on
``/queries/{name}``. Given twice it is a 400, like a repeated ``query``: before issue 16
``/sparql`` took the last value and ``/queries`` the first. A value that names no format is a
400 too, instead of silently falling back to the default format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx2
import pytest
from fastapi.testclient import TestClient

from sro_graph.web.app import create_app
from tests.conftest import make_settings

SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
NAMED = "/queries/initiatives-per-challenge"


@pytest.fixture(scope="module")
def shared() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as client:
        yield client


Send = Callable[[TestClient, list[tuple[str, str]]], httpx2.Response]


def _sparql_get(client: TestClient, formats: list[tuple[str, str]]) -> httpx2.Response:
    return client.get("/sparql", params=(("query", SELECT), *formats))


def _sparql_post_form(client: TestClient, formats: list[tuple[str, str]]) -> httpx2.Response:
    return client.post("/sparql", data={"query": SELECT, "_format": [v for _, v in formats]})


def _sparql_post_url_and_form(
    client: TestClient, formats: list[tuple[str, str]]
) -> httpx2.Response:
    # The first value in the URL, the others in the form body.
    first, *rest = formats or [("", "")]
    params = (first,) if formats else ()
    return client.post(
        "/sparql", params=params, data={"query": SELECT, "_format": [v for _, v in rest]}
    )


def _sparql_post_query_body(client: TestClient, formats: list[tuple[str, str]]) -> httpx2.Response:
    return client.post(
        "/sparql",
        params=tuple(formats),
        content=SELECT,
        headers={"content-type": "application/sparql-query"},
    )


def _named_query(client: TestClient, formats: list[tuple[str, str]]) -> httpx2.Response:
    return client.get(NAMED, params=tuple(formats))


ROUTES: dict[str, Send] = {
    "sparql GET": _sparql_get,
    "sparql POST form": _sparql_post_form,
    "sparql POST URL and form": _sparql_post_url_and_form,
    "sparql POST query body": _sparql_post_query_body,
    "named query GET": _named_query,
}


@pytest.mark.parametrize("send", ROUTES.values(), ids=ROUTES.keys())
def test_format_parameter_once_overrides_accept(shared: TestClient, send: Send) -> None:
    """A single ``_format`` picks the representation, whatever Accept says."""
    r = send(shared, [("_format", "csv")])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("send", ROUTES.values(), ids=ROUTES.keys())
@pytest.mark.parametrize("values", [("csv", "json"), ("csv", "csv"), ("tsv", "xml", "csv")])
def test_format_parameter_repeated_is_400(
    shared: TestClient, send: Send, values: tuple[str, ...]
) -> None:
    """Issue 16: a repeated ``_format`` is refused on every route, identical values too."""
    r = send(shared, [("_format", v) for v in values])
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "bad-input"
    assert "_format" in r.json()["detail"]


@pytest.mark.parametrize("send", ROUTES.values(), ids=ROUTES.keys())
@pytest.mark.parametrize("value", ["csvx", "", "html please", "x" * 5000])
def test_format_parameter_naming_no_format_is_400(
    shared: TestClient, send: Send, value: str
) -> None:
    """Issue 16: an unknown ``_format`` is a 400, not the default format (fail closed)."""
    r = send(shared, [("_format", value)])
    assert r.status_code == 400, r.text
    assert len(r.json()["detail"]) < 300  # the echo of the value is cut


@pytest.mark.parametrize("send", ROUTES.values(), ids=ROUTES.keys())
def test_format_parameter_with_a_media_type_not_offered_is_406(
    shared: TestClient, send: Send
) -> None:
    r = send(shared, [("_format", "image/png")])
    assert r.status_code == 406, r.text


def test_format_parameter_accepts_a_media_type_as_well_as_a_short_name(
    shared: TestClient,
) -> None:
    by_name = _sparql_get(shared, [("_format", "tsv")])
    by_type = _sparql_get(shared, [("_format", "text/tab-separated-values")])
    assert by_name.status_code == by_type.status_code == 200
    assert by_name.headers["content-type"] == by_type.headers["content-type"]
    assert by_name.content == by_type.content
