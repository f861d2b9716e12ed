"""The query inspector: read-only, FROM on the store or the allow-list, keywords in strings and
comments ignored, except SERVICE, which refuses wherever it appears (issue 12.1)."""

from __future__ import annotations

import contextlib
import gc
import time

import pytest

from sro_graph.errors import QueryRejectedError, QuerySyntaxError
from sro_graph.sparql import SERVICE_REFUSAL, inspect_query, tokenize, with_prefixes


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


def test_inspect_query_update_keywords_in_strings_iris_and_comments_are_ignored() -> None:
    query = (
        'SELECT ?s WHERE { ?s <http://ex/DELETE> "WITH <http://evil/> INSERT" . '
        "# DROP ALL\n FILTER(?s != 'LOAD') "
        '?s <http://ex/p> """multi\nline CLEAR <http://x/> { }""" }'
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


@pytest.mark.parametrize(
    "query",
    [
        # Was allowed before issue 12.1: a string or comment is no longer trusted to be one.
        'SELECT * WHERE { ?s ?p ?o FILTER(?o = "customer service") }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE\nGROUP BY",
        "SELECT * WHERE { ?s <http://ex/webservice> ?o }",
        'SELECT * WHERE { ?s ?p "\\u0073\\U00000065rvIce" }',
        "SELECT * WHERE { ?s ?p '\u017fervice' }",  # long s: folds to 's'
    ],
)
def test_inspect_query_the_word_service_is_refused_anywhere(query: str) -> None:
    with pytest.raises(QueryRejectedError) as refused:
        inspect_query(query)
    assert str(refused.value) == SERVICE_REFUSAL


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <https://allowed.example/sparql> { ?s ?p ?o } } # service",
        "SELECT * WHERE { SERVICE <https://allowed.example/sparql> { ?s ?p 'service' } }",
        "SELECT * WHERE { SERVICE #\n<https://allowed.example/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <https://allowed.example.evil/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <https://evil/https://allowed.example/> { ?s ?p ?o } }",
        "PREFIX a: <https://allowed.example/> SELECT * WHERE { SERVICE a:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?e { ?s ?p ?o } VALUES ?e { <https://allowed.example/> } }",
    ],
)
def test_inspect_query_with_an_allowlist_service_is_only_allowed_as_service_iri(
    query: str,
) -> None:
    with pytest.raises(QueryRejectedError):
        inspect_query(query, allowlist=["https://allowed.example/"])


def test_inspect_query_allowed_service_iri_may_contain_the_word() -> None:
    info = inspect_query(
        "SELECT * WHERE { SERVICE SILENT <https://allowed.example/service/sparql> { ?s ?p ?o } "
        "service <https://allowed.example/b> { ?s ?p ?o } }",
        allowlist=["https://allowed.example/"],
    )
    assert info.services == (
        "https://allowed.example/service/sparql",
        "https://allowed.example/b",
    )


def test_inspect_query_relative_allowlist_entries_allow_nothing() -> None:
    with pytest.raises(QueryRejectedError):
        inspect_query("SELECT * WHERE { SERVICE <x:y> { ?s ?p ?o } }", allowlist=["", "x"])


def _inspection_cpu_s(unit: str, size: int) -> float:
    """CPU seconds to inspect a query of about ``size`` bytes of ``unit`` repeated, best of
    five, without the garbage collector (its full passes depend on the whole process)."""
    query = "SELECT * WHERE { ?s ?p ?o " + unit * (size // len(unit)) + "}"
    best = float("inf")
    for attempt in range(5):
        gc.disable()
        try:
            start = time.process_time()
            with contextlib.suppress(QueryRejectedError, QuerySyntaxError):
                inspect_query(query + " " * attempt)  # a new text each time: nothing cached
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best


@pytest.mark.parametrize("unit", ["a.", "<a", '"\\"', "\\u0053", "@a-", "'''\\", "ex:a."])
def test_inspect_query_cost_is_linear_in_the_text(unit: str) -> None:
    """Issue 12.4: 100 KB of ``a.`` took 41 s (the prefixed-name pattern rescanned the rest of
    the text at each token). Ten times the text must cost about ten times, not a hundred,
    also for unterminated strings and IRIs, escapes and language tags."""
    small, large = _inspection_cpu_s(unit, 20_000), _inspection_cpu_s(unit, 200_000)
    assert large < 20 * max(small, 1e-3), (small, large)


def test_runner_adds_only_the_predeclared_prefixes_a_query_uses_and_lacks() -> None:
    info = inspect_query("PREFIX a: <urn:mine#> SELECT * WHERE { ?s a:p ?o ; b:q ?x }")
    text = with_prefixes(
        "PREFIX a: <urn:mine#> SELECT * WHERE { ?s a:p ?o ; b:q ?x }",
        info,
        {"a": "urn:a#", "b": "urn:b#", "c": "urn:c#"},
    )
    assert text == "PREFIX b: <urn:b#> PREFIX a: <urn:mine#> SELECT * WHERE { ?s a:p ?o ; b:q ?x }"


def test_blank_node_labels_are_not_prefixes() -> None:
    info = inspect_query("SELECT * WHERE { _:b <urn:p> ?o }")
    assert info.used_prefixes == ()
