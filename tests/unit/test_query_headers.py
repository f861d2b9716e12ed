"""Every queries/*.rq file: a valid header, parameters that are variables, runs on base data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import URIRef

from sro_graph.config import PROJECT_ROOT
from sro_graph.queries import (
    PARAM_TYPES,
    QueryHeaderError,
    bound_query,
    load_query_defs,
    parse_query_file,
    read_header,
)
from sro_graph.runtime import Runtime

QUERY_FILES = sorted((PROJECT_ROOT / "queries").glob("*.rq"))


def test_queries_folder_has_the_named_queries_of_issue_4() -> None:
    names = {p.stem for p in QUERY_FILES}
    assert {
        "initiatives-per-challenge",
        "initiatives-per-objective",
        "initiatives-per-focus-domain",
        "initiatives-of-municipality",
        "core-related-overview",
        "cooperation-pairs",
        "coverage-matrix",
        "initiatives-by-building-block",
        "initiatives-by-programme",
        "actors-by-helix-type",
        "keyword-search",
        "lighthouses",
    } <= names


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_header_is_valid(path: Path) -> None:
    qdef = parse_query_file(path.stem, path.read_text(encoding="utf-8"))
    assert qdef.title["nl"]
    assert qdef.title["en"]
    assert qdef.description["nl"]
    assert qdef.description["en"]
    for param in qdef.params:
        assert param.type in PARAM_TYPES
        assert re.search(rf"[?$]{param.name}\b", qdef.text)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_runs_on_base_knowledge(path: Path, runtime: Runtime) -> None:
    qdef = runtime.queries.get(path.stem)
    raw = {
        p.name: _sample(p.name, p.type, p.scheme, p.class_, runtime)
        for p in qdef.params
        if p.required
    }
    values = runtime.queries.bind(qdef.name, raw)
    result = runtime.queries.run(qdef.name, values, accept="application/sparql-results+json")
    assert result.raw.kind in ("bindings", "boolean", "graph")


def _sample(name: str, ptype: str, scheme: str | None, cls: str | None, runtime: Runtime) -> str:
    if scheme:
        rows = runtime.store.select(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "SELECT ?c ?s WHERE { ?c skos:inScheme ?s } LIMIT 1",
            bindings={"s": runtime.uris.scheme(scheme)},
        )
        return str(rows[0]["c"])
    if cls:
        rows = runtime.store.select(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT ?x ?c WHERE { ?x a/rdfs:subClassOf* ?c } LIMIT 1",
            bindings={"c": runtime.queries._class_iri(cls)},
        )
        return str(rows[0]["x"])
    return {
        "iri": "https://data.vlaanderen.be/id/gemeente/44021",
        "integer": "1",
        "date": "2024-01-01",
        "language": "nl",
    }.get(ptype, "data")


def test_read_header_without_header_is_refused() -> None:
    with pytest.raises(QueryHeaderError):
        read_header("SELECT * WHERE { ?s ?p ?o }")


def test_parse_query_file_param_that_is_not_a_variable_is_refused() -> None:
    text = (
        "#+ title: {nl: t, en: t}\n#+ description: {nl: d, en: d}\n"
        "#+ params:\n#+   missing: {type: string}\n"
        "SELECT ?s WHERE { ?s ?p ?o }\n"
    )
    with pytest.raises(QueryHeaderError, match="missing"):
        parse_query_file("sample", text)


def test_parse_query_file_unknown_type_is_refused() -> None:
    text = (
        "#+ title: {nl: t, en: t}\n#+ description: {nl: d, en: d}\n"
        "#+ params:\n#+   s: {type: float}\nSELECT ?s WHERE { ?s ?p ?o }\n"
    )
    with pytest.raises(QueryHeaderError, match="type"):
        parse_query_file("sample", text)


def test_bound_query_places_values_inside_the_where_group(tmp_path: Path) -> None:
    (tmp_path / "sample.rq").write_text(
        "#+ title: {nl: t, en: t}\n#+ description: {nl: d, en: d}\n"
        "#+ params:\n#+   s: {type: iri}\nSELECT ?s WHERE { ?s ?p ?o }\n",
        encoding="utf-8",
    )
    qdef = load_query_defs(tmp_path)["sample"]
    text = bound_query(qdef, {"s": URIRef("http://ex/a")}, base="https://sro.test")
    assert text.startswith("BASE <https://sro.test>\n")
    assert "WHERE { VALUES ?s { <http://ex/a> }  ?s ?p ?o }" in text
