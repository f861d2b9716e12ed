"""The core/related rule is stated three times — SHACL (validation reports), the public
named query, and the pages' internal query — and all three agree on every initiative."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph

from sro_graph.config import PROJECT_ROOT
from sro_graph.runtime import Runtime
from sro_graph.vocab import RDF

pytestmark = pytest.mark.integration


def _initiatives_graph(runtime: Runtime) -> Graph:
    graph = Graph()
    for path in sorted((PROJECT_ROOT / "data").glob("*.ttl")):
        graph.parse(path, format="turtle", publicID=runtime.uris.base + "/")
    return graph


def _by_named_query(runtime: Runtime) -> dict[str, set[str]]:
    result = runtime.queries.run(
        "core-related-overview", {}, accept="application/sparql-results+json"
    )
    bindings = json.loads(result.raw.body)["results"]["bindings"]
    out: dict[str, set[str]] = {}
    for row in bindings:
        missing = row.get("ontbreekt", {}).get("value", "")
        out[row["initiatief"]["value"]] = {m.strip() for m in missing.split(",") if m.strip()}
    return out


def test_shacl_named_query_and_pages_agree_on_every_initiative(
    runtime: Runtime,
) -> None:
    by_pages = {iri: set(e.missing) for iri, e in runtime.linkeddata.elements().items()}
    by_query = _by_named_query(runtime)
    data = _initiatives_graph(runtime)
    report = runtime.validator.validate(data, context=Graph())
    by_shacl = {i.iri: {m["code"] for m in i.to_json()["missing"]} for i in report.initiatives}
    initiatives = {str(s) for s in data.subjects(RDF.type, runtime.uris.sr.SmartCityInitiatief)}
    assert len(initiatives) >= 16
    assert set(by_pages) >= initiatives
    for iri in sorted(initiatives):
        assert by_pages[iri] == by_query[iri] == by_shacl[iri], iri
    assert any(by_pages[i] for i in initiatives)
    assert any(not by_pages[i] for i in initiatives)
