"""The dataset a user query runs on (issue 12.2): the protocol's graph parameters override the
query's FROM / FROM NAMED (SPARQL 1.1 Protocol §2.1.4), which override the service's union."""

from __future__ import annotations

import pytest

from sro_graph.errors import QueryRejectedError
from sro_graph.sparql import inspect_query, query_dataset, without_dataset_clauses

G1, G2, G3 = "http://g/1", "http://g/2", "http://g/3"


def test_a_query_without_dataset_clauses_gets_the_service_default() -> None:
    assert query_dataset(None) == ([], [])
    assert query_dataset(inspect_query("SELECT * WHERE { ?s ?p ?o }")) == ([], [])


def test_the_query_s_clauses_are_its_dataset() -> None:
    info = inspect_query(f"SELECT * FROM <{G1}> FROM NAMED <{G2}> WHERE {{ ?s ?p ?o }}")
    assert query_dataset(info) == ([G1], [G2])
    info = inspect_query("PREFIX g: <http://g/> SELECT * FROM NAMED g:2 WHERE { ?s ?p ?o }")
    assert query_dataset(info) == ([], [G2])


def test_protocol_graphs_override_the_whole_query_dataset() -> None:
    info = inspect_query(f"SELECT * FROM <{G1}> FROM NAMED <{G2}> WHERE {{ ?s ?p ?o }}")
    assert query_dataset(info, default_graphs=[G3]) == ([G3], [])
    assert query_dataset(info, named_graphs=[G3]) == ([], [G3])


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
