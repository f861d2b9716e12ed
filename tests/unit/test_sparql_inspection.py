"""The query inspector: read-only, SERVICE/FROM on the allow-list, strings and comments ignored."""

from __future__ import annotations

import pytest

from sro_graph.errors import QueryRejectedError, QuerySyntaxError
from sro_graph.sparql import inspect_query, tokenize


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX ex: <http://ex/> ASK { ex:a ?p ?o }", "ASK"),
        ("BASE <http://ex/> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("# a comment with SELECT\ndescribe <http://ex/a>", "DESCRIBE"),
    ],
)
def test_inspect_query_forms_are_recognised(query: str, form: str) -> None:
    assert inspect_query(query).form == form


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://a>",
        "CREATE GRAPH <http://a>",
        "COPY <http://a> TO <http://b>",
        "MOVE DEFAULT TO <http://b>",
        "ADD <http://a> TO <http://b>",
        "WITH <http://a> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://a> <http://b> <http://c> }",
        "PREFIX ex: <http://ex/>\ninsert data { ex:a ex:b ex:c }",
    ],
)
def test_inspect_query_update_operations_are_rejected(update: str) -> None:
    with pytest.raises(QueryRejectedError):
        inspect_query(update)


def test_inspect_query_keywords_in_strings_iris_and_comments_are_ignored() -> None:
    query = (
        'SELECT ?s WHERE { ?s <http://ex/DELETE> "SERVICE <http://evil/> INSERT" . '
        "# DROP ALL\n FILTER(?s != 'LOAD') "
        '?s <http://ex/p> """multi\nline SERVICE <http://x/> { }""" }'
    )
    assert inspect_query(query).form == "SELECT"


def test_inspect_query_language_tag_is_not_a_keyword() -> None:
    assert inspect_query('SELECT * WHERE { ?s ?p "x"@add }').form == "SELECT"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "PREFIX e: <http://127.0.0.1:9/> SELECT * WHERE { service e:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <relative> { ?s ?p ?o } }",
    ],
)
def test_inspect_query_service_outside_allowlist_is_rejected(query: str) -> None:
    with pytest.raises(QueryRejectedError):
        inspect_query(query)


def test_inspect_query_service_on_allowlist_is_allowed() -> None:
    info = inspect_query(
        "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
        allowlist=["https://query.wikidata.org/"],
    )
    assert info.services == ("https://query.wikidata.org/sparql",)


def test_inspect_query_allowlist_is_a_prefix_not_a_substring() -> None:
    with pytest.raises(QueryRejectedError):
        inspect_query(
            "SELECT * WHERE { SERVICE <http://evil.example/?https://query.wikidata.org/> {} }",
            allowlist=["https://query.wikidata.org/"],
        )


def test_inspect_query_from_a_graph_of_the_store_is_allowed() -> None:
    info = inspect_query(
        "SELECT * FROM <https://sro.test/graph/basis/organisaties> WHERE { ?s ?p ?o }"
    )
    assert info.from_graphs == ("https://sro.test/graph/basis/organisaties",)


def test_inspect_query_from_outside_the_store_is_allowed() -> None:
    """Issue 12.3: a graph the store lacks is an empty graph, never fetched; not a refusal."""
    info = inspect_query(
        "SELECT * FROM <http://example.org/remote.ttl> FROM NAMED <http://example.org/n.ttl> "
        "WHERE { ?s ?p ?o }"
    )
    assert info.from_graphs == ("http://example.org/remote.ttl",)
    assert info.from_named_graphs == ("http://example.org/n.ttl",)


def test_inspect_query_dataset_parameters_outside_the_store_are_allowed() -> None:
    query = "SELECT * WHERE { ?s ?p ?o }"
    assert inspect_query(query, default_graphs=["http://example.org/remote.ttl"]).form == "SELECT"
    assert inspect_query(query, named_graphs=["http://example.org/remote.ttl"]).form == "SELECT"


def test_inspect_query_without_form_is_a_syntax_error() -> None:
    with pytest.raises(QuerySyntaxError):
        inspect_query("PREFIX ex: <http://ex/>")
    with pytest.raises(QuerySyntaxError):
        inspect_query("   ")


def test_tokenize_distinguishes_iris_from_comparisons() -> None:
    kinds = [t.kind for t in tokenize("FILTER(?a < ?b && ?c > 3) <http://x>")]
    assert kinds.count("iri") == 1


def test_inspect_query_escaped_hash_in_a_name_does_not_hide_a_service() -> None:
    """``ex:a\\#`` is a prefixed name, not the start of a comment, for the engine."""
    query = (
        "PREFIX ex: <http://ex/> SELECT * WHERE { ?s ex:a\\# ?o "
        "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    )
    with pytest.raises(QueryRejectedError):
        inspect_query(query)


def test_inspect_query_stray_backslash_is_refused() -> None:
    with pytest.raises(QuerySyntaxError):
        inspect_query("SELECT * WHERE { ?s ?p ?o \\ }")


def test_inspect_query_service_inside_a_string_is_allowed() -> None:
    info = inspect_query('SELECT * WHERE { ?s ?p ?o FILTER(?o = "customer service") }')
    assert info.services == ()


def test_inspect_query_unverifiable_service_word_is_refused() -> None:
    """The word SERVICE outside code sends the query to a second parser; if that cannot
    read it, the query is refused rather than trusted."""
    with pytest.raises(QueryRejectedError):
        inspect_query("SELECT * WHERE { ?s ?p ?o } # SERVICE\nGROUP BY")


def test_inspect_query_repeated_text_is_judged_against_each_calls_allowlist() -> None:
    # The analysis of a text is cached; the allow-list and graph checks must not be.
    query = "SELECT * WHERE { SERVICE <https://allowed.example/sparql> { ?s ?p ?o } }"
    assert inspect_query(query, allowlist=["https://allowed.example/"]).form == "SELECT"
    with pytest.raises(QueryRejectedError):
        inspect_query(query)


def test_inspect_query_repeated_refusal_is_refused_every_time() -> None:
    for _ in range(3):
        with pytest.raises(QueryRejectedError):
            inspect_query("DELETE WHERE { ?s ?p ?o }")
