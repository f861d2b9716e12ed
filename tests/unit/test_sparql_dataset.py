"""The dataset a user query runs on (issue 12.2): the query's FROM / FROM NAMED, resolved as
the engine resolves them, unless the protocol's graph parameters override them (SPARQL 1.1
Protocol §2.1.4); neither: the service's union."""

from __future__ import annotations

import pytest

from sro_graph.errors import QueryRejectedError
from sro_graph.sparql import dataset_clauses, inspect_query, without_dataset_clauses

G1, G2, G3 = "http://g/1", "http://g/2", "http://g/3"


def test_a_query_without_dataset_clauses_names_no_graphs() -> None:
    assert dataset_clauses('SELECT * WHERE { ?s ?p "FROM <http://g/1>" }') == ([], [])


def test_the_query_s_clauses_are_its_dataset() -> None:
    query = f"SELECT * FROM <{G1}> FROM NAMED <{G2}> FROM <{G3}> WHERE {{ ?s ?p ?o }}"
    assert dataset_clauses(query) == ([G1, G3], [G2])


def test_prefixed_and_relative_iris_are_resolved_as_the_engine_does() -> None:
    query = "PREFIX g: <http://g/> SELECT * FROM NAMED g:2 FROM <x.ttl> WHERE { ?s ?p ?o }"
    assert dataset_clauses(query, base="http://base/dir/q.rq") == (
        ["http://base/dir/x.ttl"],
        [G2],
    )
    query = "BASE <http://other/> SELECT * FROM <x.ttl> WHERE { ?s ?p ?o }"
    assert dataset_clauses(query, base="http://base/") == (["http://other/x.ttl"], [])


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM undeclared:g WHERE { ?s ?p ?o }",
        "SELECT * FROM <relative.ttl> WHERE { ?s ?p ?o }",
    ],
)
def test_a_clause_that_names_no_absolute_iri_is_refused(query: str) -> None:
    with pytest.raises(QueryRejectedError, match="absolute IRI"):
        dataset_clauses(query)


def test_overridden_clauses_are_taken_out_of_the_text_and_nothing_else() -> None:
    query = f'SELECT ?from FROM <{G1}> FROM NAMED <{G2}> WHERE {{ ?s ?p "FROM <{G3}>" }}'
    stripped = without_dataset_clauses(query)
    assert len(stripped) == len(query)
    assert G1 not in stripped
    assert G2 not in stripped
    assert f'"FROM <{G3}>"' in stripped
    assert "SELECT ?from" in stripped


def test_a_clause_that_cannot_be_taken_out_is_refused() -> None:
    with pytest.raises(QueryRejectedError):
        without_dataset_clauses("SELECT * FROM ?g WHERE { ?s ?p ?o }")


@pytest.mark.parametrize(
    "query",
    [
        'define get:soft "soft" SELECT * FROM <http://x/g> WHERE { ?s ?p ?o }',
        'SELECT * FROM <http://x/g> OPTION (get:soft "replace") WHERE { ?s ?p ?o }',
        'BASE <http://x/> \\u0044EFINE input:grab-all "yes" SELECT * WHERE { ?s ?p ?o }',
    ],
)
def test_virtuoso_extensions_that_fetch_are_refused(query: str) -> None:
    with pytest.raises(QueryRejectedError, match=r"not SPARQL 1\.1"):
        inspect_query(query)


def test_the_words_define_and_option_elsewhere_are_fine() -> None:
    query = 'SELECT ?option WHERE { ?s ?p "define OPTION" } # DEFINE'
    assert inspect_query(query).form == "SELECT"
    assert inspect_query("SELECT * WHERE { OPTIONAL { ?s ?p ?o } }").form == "SELECT"
