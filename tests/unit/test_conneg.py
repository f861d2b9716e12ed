"""Content negotiation follows RFC 9110: q-values, wildcards, q=0 refuses, 406 when nothing fits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sro_graph.errors import InputError, NotAcceptableError
from sro_graph.web.conneg import Wanted, negotiate, prefers_html, wanted

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


def test_wanted_without_format_is_the_accept_header() -> None:
    assert wanted("text/csv", []) == Wanted("text/csv", forced=False)
    assert wanted(None).choose(OFFERS) == OFFERS[0]


@pytest.mark.parametrize(
    ("value", "media_type"),
    [("csv", "text/csv"), ("TTL", "text/turtle"), ("text/csv; q=0.1", "text/csv")],
)
def test_wanted_format_names_the_media_type_over_accept(value: str, media_type: str) -> None:
    got = wanted("application/sparql-results+json", [value])
    assert got == Wanted(media_type, forced=True)


@pytest.mark.parametrize("values", [["csv", "json"], ["csv", "csv"]])
def test_wanted_format_given_twice_is_refused(values: list[str]) -> None:
    """Issue 16: one rule for ``_format`` everywhere, the strict one."""
    with pytest.raises(InputError, match="_format"):
        wanted(None, values)


@pytest.mark.parametrize("value", ["", "csvx", "text/", "/csv", "a b", "x/" + "y" * 300])
def test_wanted_format_naming_no_format_is_refused(value: str) -> None:
    with pytest.raises(InputError) as info:
        wanted(None, [value])
    assert len(info.value.detail) < 300


@given(st.lists(st.text(max_size=30), max_size=3), st.one_of(st.none(), st.text(max_size=60)))
def test_wanted_either_refuses_or_chooses_an_offer(formats: list[str], accept: str | None) -> None:
    """Whatever the client sends: an input error, a 406, or one of the offers."""
    try:
        chosen = wanted(accept, formats).choose(OFFERS)
    except (InputError, NotAcceptableError):
        return
    assert chosen in OFFERS
