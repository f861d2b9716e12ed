"""``bind_values``: values bound as one VALUES block of N-Triples terms (remote store and
named queries)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from sro_graph.store import StoreQueryError
from sro_graph.store.binding import bind_values, where_group_start

S = URIRef("https://sro.test/id/initiatief/a")


def _parses(query: str) -> None:
    ox.Store().query(query)  # raises SyntaxError when the result is not SPARQL


def test_bind_values_select_opens_the_where_group() -> None:
    out = bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": S})
    assert out == f"SELECT ?s WHERE {{ VALUES ?s {{ <{S}> }}  ?s ?p ?o }}"
    _parses(out)


def test_bind_values_writes_one_block_per_variable() -> None:
    """One block per variable: Virtuoso cannot compile a multi-variable block joined into an
    OPTIONAL that BINDs one of its variables."""
    out = bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": S, "o": Literal("nl")})
    assert f'VALUES ?s {{ <{S}> }} VALUES ?o {{ "nl" }}' in out
    _parses(out)


def test_bind_values_construct_skips_the_template() -> None:
    out = bind_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": S})
    assert out.index("VALUES") > out.index("WHERE")
    _parses(out)


def test_bind_values_construct_where_short_form_goes_last() -> None:
    out = bind_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": S})
    assert out.rstrip().endswith(f"VALUES (?s) {{ (<{S}>) }}")
    _parses(out)


def test_bind_values_describe_without_where_goes_last() -> None:
    out = bind_values("DESCRIBE ?s", {"s": S})
    assert out.endswith(f"VALUES (?s) {{ (<{S}>) }}")
    _parses(out)


def test_bind_values_braces_in_strings_iris_and_comments_are_skipped() -> None:
    query = (
        "PREFIX ex: <https://ex.org/x#>\n# a { comment\n"
        'SELECT ?s (\'{\' AS ?b) WHERE { ?s ex:p """ } """ }'
    )
    out = bind_values(query, {"s": S})
    assert out.index("VALUES") > out.index("WHERE")
    _parses(out)


def test_bind_values_hostile_literal_stays_one_term() -> None:
    hostile = Literal('"} ; DROP ALL ; { "\\\n', lang="nl")
    out = bind_values("ASK { ?s ?p ?label }", {"label": hostile})
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(S), ox.NamedNode(S), ox.Literal(str(hostile), language="nl")))
    assert bool(store.query(out)) is True


def test_bind_values_typed_literal_keeps_datatype() -> None:
    out = bind_values("SELECT ?n WHERE { BIND(1 AS ?m) }", {"n": Literal(5)})
    assert '"5"^^<http://www.w3.org/2001/XMLSchema#integer>' in out
    _parses(out)


def test_bind_values_blank_node_is_refused() -> None:
    with pytest.raises(StoreQueryError):
        bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": BNode()})


def test_bind_values_bad_variable_name_is_refused() -> None:
    with pytest.raises(StoreQueryError):
        bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s) } DROP ALL": S})


def test_bind_values_without_bindings_is_unchanged() -> None:
    assert bind_values("ASK {}", None) == "ASK {}"


def test_bind_values_escapes_hostile_strings() -> None:
    hostile = Literal('x" } ; DROP ALL ; SELECT * { "')
    out = bind_values("SELECT ?q WHERE { ?s ?p ?q }", {"q": hostile})
    assert 'VALUES ?q { "x\\" } ; DROP ALL ; SELECT * { \\"" }' in out
    _parses(out)


def test_where_group_start_skips_braces_in_strings() -> None:
    query = 'SELECT * WHERE { ?s ?p "{" }'
    at = where_group_start(query)
    assert at is not None
    assert query[:at].endswith("WHERE {")


def test_where_group_start_without_where_keyword_uses_the_first_group() -> None:
    query = "SELECT * { ?s ?p ?o }"
    at = where_group_start(query)
    assert at is not None
    assert query[at - 1] == "{"


def test_where_group_start_escaped_hash_in_a_name_is_not_a_comment() -> None:
    query = "PREFIX ex: <http://ex/> CONSTRUCT { ?s ex:a\\# ?o } WHERE { ?s ?p ?o }"
    at = where_group_start(query)
    assert at is not None
    assert query[:at].endswith("WHERE {")
