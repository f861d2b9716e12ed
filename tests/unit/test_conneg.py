"""Content negotiation follows RFC 9110: q-values, wildcards, q=0 refuses, 406 when nothing fits."""

from __future__ import annotations

import pytest

from sro_graph.errors import NotAcceptableError
from sro_graph.web.conneg import negotiate, prefers_html

OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("application/sparql-results+xml;q=0.9, text/csv;q=0.5", "application/sparql-results+xml"),
        ("text/csv;q=0.4, */*;q=0.1", "text/csv"),
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        ("TEXT/CSV", "text/csv"),
        ("garbage, text/csv", "text/csv"),
    ],
)
def test_negotiate_picks_the_preferred_offer(accept: str | None, expected: str) -> None:
    assert negotiate(accept, OFFERS) == expected


def test_negotiate_without_acceptable_offer_is_406() -> None:
    with pytest.raises(NotAcceptableError) as info:
        negotiate("image/png", OFFERS)
    assert info.value.available == OFFERS


def test_q_zero_refuses_even_with_a_wildcard_elsewhere() -> None:
    with pytest.raises(NotAcceptableError):
        negotiate("text/csv;q=0", ["text/csv"])


def test_browsers_prefer_html() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert prefers_html(browser)
    assert not prefers_html("application/json")
    assert not prefers_html(None)
