"""Pure parts of linked data: labels, the /id → /doc mapping, elements, extensions, charts."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from sro_graph.linkeddata import Bar, Elements, href_for, local_name, pick_label
from sro_graph.vocab import Uris
from sro_graph.web.charts import bar_chart, network, shorten
from sro_graph.web.routers.linkeddata import split_extension
from sro_graph.web.templating import request_lang

URIS = Uris("https://sro.test")


def test_pick_label_prefers_the_asked_language_then_dutch() -> None:
    labels = [(1, "en", "Challenge"), (1, "nl", "Uitdaging"), (3, None, "plain")]
    assert pick_label(labels, "en") == "Challenge"
    assert pick_label(labels, "nl") == "Uitdaging"
    assert pick_label(labels, "fr") == "Uitdaging"


def test_pick_label_prefers_preflabel_over_title_within_a_language() -> None:
    assert pick_label([(2, "nl", "titel"), (1, "nl", "voorkeur")], "nl") == "voorkeur"


def test_pick_label_without_candidates_is_none() -> None:
    assert pick_label([], "nl") is None


@pytest.mark.parametrize(
    ("iri", "name"),
    [
        ("https://sro.test/ns/smartregio#uitdaging", "uitdaging"),
        ("http://purl.org/dc/terms/title", "title"),
        ("https://sro.test/id/concept/uitdaging/8", "8"),
    ],
)
def test_local_name_is_the_last_segment(iri: str, name: str) -> None:
    assert local_name(iri) == name


@pytest.mark.parametrize(
    ("iri", "href"),
    [
        ("https://sro.test/id/initiatief/x", "/doc/initiatief/x"),
        ("https://sro.test/ns/smartregio#uitdaging", "/ns/smartregio#uitdaging"),
        (
            "https://data.vlaanderen.be/id/gemeente/11002",
            "https://data.vlaanderen.be/id/gemeente/11002",
        ),
        ("https://sro.test.evil/id/x", "https://sro.test.evil/id/x"),
    ],
)
def test_href_maps_our_ids_to_their_documents(iri: str, href: str) -> None:
    assert href_for(URIS, iri) == href


def test_elements_core_only_when_all_four_hold() -> None:
    every = Elements(
        {"lokale-overheid": True, "samenwerking": True, "probleem": True, "data": True}
    )
    assert every.core
    assert every.missing == ()
    partial = Elements({"lokale-overheid": True, "samenwerking": False, "probleem": True})
    assert not partial.core
    assert partial.missing == ("samenwerking", "data")


@pytest.mark.parametrize(
    ("path", "stem", "media"),
    [
        ("initiatief/x.ttl", "initiatief/x", "text/turtle"),
        ("initiatief/x.jsonld", "initiatief/x", "application/ld+json"),
        ("initiatief/x.RDF", "initiatief/x", "application/rdf+xml"),
        ("initiatief/x", "initiatief/x", None),
        ("initiatief/v1.2", "initiatief/v1.2", None),
        ("a.ttl/b", "a.ttl/b", None),
    ],
)
def test_split_extension_only_takes_known_extensions(
    path: str, stem: str, media: str | None
) -> None:
    assert split_extension(path) == (stem, media)


def _request(query: str = "", accept_language: str | None = None) -> Request:
    headers = [(b"accept-language", accept_language.encode())] if accept_language else []
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "query_string": query.encode(),
            "headers": headers,
        }
    )


@pytest.mark.parametrize(
    ("query", "header", "lang"),
    [
        ("", None, "nl"),
        ("lang=en", None, "en"),
        ("lang=en", "nl", "en"),
        ("lang=de", "en", "en"),
        ("", "en-GB,en;q=0.9,nl;q=0.8", "en"),
        ("", "fr,nl;q=0.5,en;q=0.4", "nl"),
        ("", "en;q=0", "nl"),
    ],
)
def test_request_lang_parameter_then_accept_language_then_dutch(
    query: str, header: str | None, lang: str
) -> None:
    assert request_lang(_request(query, header)) == lang


def test_bar_chart_scales_to_the_largest_value() -> None:
    chart = bar_chart([Bar("a", 2), Bar("b", 4), Bar("c", 0)])
    widths = [row.width for row in chart.rows]
    assert widths[1] == 2 * widths[0] > 0
    assert widths[2] == 0
    assert chart.total == 6
    assert [row.y for row in chart.rows] == sorted(row.y for row in chart.rows)


def test_bar_chart_of_zeros_draws_no_bars() -> None:
    assert [row.width for row in bar_chart([Bar("a", 0)]).rows] == [0]


def test_shorten_keeps_short_labels_and_marks_cut_ones() -> None:
    assert shorten("kort") == "kort"
    assert shorten("x" * 80).endswith("…")
    assert len(shorten("x" * 80)) == 40


def test_network_links_only_placed_nodes() -> None:
    net = network(
        [Bar("overheid", 3), Bar("bedrijf", 1)],
        [("bedrijf", "overheid", 1), ("bedrijf", "burger", 2)],
    )
    assert {n.label for n in net.nodes} == {"overheid", "bedrijf"}
    assert [(e.a, e.b, e.value) for e in net.edges] == [("bedrijf", "overheid", 1)]
    big, small = net.nodes
    assert big.r > small.r
