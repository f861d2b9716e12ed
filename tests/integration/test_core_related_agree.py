"""The core/related rule is stated three times — SHACL (validation reports), the public
named query, and the pages' internal query — and all three agree, on every example initiative
and on one case per branch of the rule (issue 14.2: a local government is a Gemeente, OCMW or
District; another local government counts as collaboration)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from sro_graph.config import PROJECT_ROOT
from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.runtime import Runtime, open_runtime
from sro_graph.store import GraphWrite
from sro_graph.vocab import RDF
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

PREFIXES = """
@prefix sr:      </ns/smartregio#> .
@prefix ini:     </id/initiatief/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dct:     <http://purl.org/dc/terms/> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix besluit: <http://data.vlaanderen.be/ns/besluit#> .
@prefix code:    <http://data.vlaanderen.be/id/concept/BestuurseenheidClassificatieCode/> .
@prefix gemeente: <https://data.vlaanderen.be/id/gemeente/> .
@prefix refnis:  <http://vocab.belgif.be/auth/refnis2025/> .
"""

# Agents the cases need besides the base knowledge's local governments (Gent 44021 and
# Antwerpen 11002, both classified Gemeente): an OCMW sharing Gent's werkingsgebied, a district,
# a province, an intercommunale, an unclassified bestuurseenheid and a company.
AGENTS = """
</id/bestuurseenheid/ocmw-gent> a besluit:Bestuurseenheid , org:Organization ;
    skos:prefLabel "OCMW Gent (test)"@nl ; org:classification code:5ab0e9b8a3b2ca7c5e000002 ;
    besluit:werkingsgebied gemeente:44021 .
</id/bestuurseenheid/district-test> a besluit:Bestuurseenheid , org:Organization ;
    skos:prefLabel "District (test)"@nl ; org:classification code:5ab0e9b8a3b2ca7c5e000003 ;
    besluit:werkingsgebied </id/gebied/district-test> .
</id/bestuurseenheid/provincie-test> a besluit:Bestuurseenheid , org:Organization ;
    skos:prefLabel "Provincie (test)"@nl ; org:classification code:5ab0e9b8a3b2ca7c5e000000 ;
    besluit:werkingsgebied refnis:40000 .
</id/bestuurseenheid/intercommunale-test> a besluit:Bestuurseenheid , org:Organization ;
    skos:prefLabel "Opdrachthoudende vereniging (test)"@nl ;
    org:classification code:cd93f147-3ece-4308-acab-5c5ada3ec63d ;
    besluit:werkingsgebied refnis:40000 .
</id/bestuurseenheid/zonder-classificatie> a besluit:Bestuurseenheid , org:Organization ;
    skos:prefLabel "Bestuurseenheid zonder classificatie (test)"@nl ;
    besluit:werkingsgebied gemeente:24062 .
</id/organisatie/bedrijf-test> a org:Organization , foaf:Agent ;
    skos:prefLabel "Bedrijf (test)"@nl .
"""

GENT = "</id/bestuurseenheid/44021>"
ANTWERPEN = "</id/bestuurseenheid/11002>"
OCMW = "</id/bestuurseenheid/ocmw-gent>"
DISTRICT = "</id/bestuurseenheid/district-test>"
PROVINCE = "</id/bestuurseenheid/provincie-test>"
INTERCOMMUNALE = "</id/bestuurseenheid/intercommunale-test>"
UNCLASSIFIED = "</id/bestuurseenheid/zonder-classificatie>"
COMPANY = "</id/organisatie/bedrijf-test>"

# (slug, agents, missing elements): every case has a problem domain, a place and data use, so
# only elements 1 and 2 vary.
RULE_CASES: list[tuple[str, tuple[str, ...], set[str]]] = [
    ("gemeente-alleen", (GENT,), {"samenwerking"}),
    ("gemeente-en-bedrijf", (GENT, COMPANY), set()),
    ("twee-gemeenten-interbestuurlijk", (GENT, ANTWERPEN), set()),
    ("gemeente-en-eigen-ocmw", (GENT, OCMW), {"samenwerking"}),
    ("ocmw-en-bedrijf", (OCMW, COMPANY), set()),
    ("district-en-bedrijf", (DISTRICT, COMPANY), set()),
    ("provincie-en-bedrijf", (PROVINCE, COMPANY), {"lokale-overheid"}),
    ("provincie-alleen", (PROVINCE,), {"lokale-overheid"}),
    ("gemeente-en-provincie", (GENT, PROVINCE), set()),
    ("intercommunale-en-bedrijf", (INTERCOMMUNALE, COMPANY), {"lokale-overheid"}),
    ("gemeente-en-intercommunale", (GENT, INTERCOMMUNALE), set()),
    ("ongeclassificeerd-en-bedrijf", (UNCLASSIFIED, COMPANY), {"lokale-overheid"}),
    ("bedrijf-alleen", (COMPANY,), {"lokale-overheid"}),
]


def _case_turtle() -> str:
    parts = [PREFIXES, AGENTS]
    for slug, agents, _ in RULE_CASES:
        parts.append(
            f"ini:regel-{slug} a sr:SmartCityInitiatief ;\n"
            f'    dct:title "Regeltest {slug}"@nl ;\n'
            f"    prov:wasAssociatedWith {' , '.join(agents)} ;\n"
            "    sr:probleemdomein </id/concept/probleemdomein/mobiliteit> ;\n"
            "    sr:datagebruik </id/concept/datagebruik/sensoren> ;\n"
            "    dct:spatial gemeente:44021 .\n"
        )
    return "\n".join(parts)


@pytest.fixture(scope="module")
def rule_runtime() -> Iterator[tuple[Runtime, Graph]]:
    """A runtime over the base knowledge plus the rule cases (in a graph of their own)."""
    runtime = open_runtime(make_settings())
    base = runtime.uris.base
    cases = parse_rdf(_case_turtle().encode(), RdfFormat.TURTLE, base_iri=base + "/").graph
    runtime.store.write(GraphWrite(add={f"{base}/graph/test/kernregel": cases}), new_version="t")
    try:
        yield runtime, cases
    finally:
        runtime.close()


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


def _by_shacl(runtime: Runtime, data: Graph) -> dict[str, set[str]]:
    report = runtime.validator.validate(data, context=Graph())
    return {i.iri: {m["code"] for m in i.to_json()["missing"]} for i in report.initiatives}


def _by_pages(runtime: Runtime) -> dict[str, set[str]]:
    return {iri: set(e.missing) for iri, e in runtime.linkeddata.elements().items()}


def test_every_branch_of_the_rule_gives_the_same_answer_in_shacl_query_and_pages(
    rule_runtime: tuple[Runtime, Graph],
) -> None:
    """Issue 14.2: element 1 is a Gemeente, OCMW or District (not a province, intercommunale
    or unclassified bestuurseenheid); element 2 also holds for local governments of two
    different werkingsgebieden, not for a municipality with its own OCMW."""
    runtime, cases = rule_runtime
    data = Graph()
    data += cases
    data.parse(PROJECT_ROOT / "data" / "lokale-besturen.ttl", publicID=runtime.uris.base + "/")
    by_query = _by_named_query(runtime)
    by_pages = _by_pages(runtime)
    by_shacl = _by_shacl(runtime, data)
    for slug, _, expected in RULE_CASES:
        iri = f"{runtime.uris.base}/id/initiatief/regel-{slug}"
        assert by_query[iri] == expected, ("named query", slug)
        assert by_pages[iri] == expected, ("pages", slug)
        assert by_shacl[iri] == expected, ("SHACL", slug)


def test_shacl_named_query_and_pages_agree_on_every_example_initiative(
    runtime_with_examples: Runtime,
) -> None:
    runtime = runtime_with_examples
    data = Graph()
    for path in sorted((PROJECT_ROOT / "data").rglob("*.ttl")):
        data.parse(path, format="turtle", publicID=runtime.uris.base + "/")
    by_pages = _by_pages(runtime)
    by_query = _by_named_query(runtime)
    by_shacl = _by_shacl(runtime, data)
    initiatives = {str(s) for s in data.subjects(RDF.type, runtime.uris.sr.SmartCityInitiatief)}
    assert len(initiatives) >= 16
    assert set(by_pages) >= initiatives
    for iri in sorted(initiatives):
        assert by_pages[iri] == by_query[iri] == by_shacl[iri], iri
    assert any(by_pages[i] for i in initiatives)
    assert any(not by_pages[i] for i in initiatives)


def test_base_knowledge_alone_holds_no_initiative(runtime: Runtime) -> None:
    """Issue 14.1: without the examples asked for, there is no (invented) initiative."""
    assert _by_pages(runtime) == {}
    assert _by_named_query(runtime) == {}


AGENT_KINDS: dict[str, tuple[bool, str | None]] = {
    # agent -> (is a local government, werkingsgebied)
    GENT: (True, "44021"),
    ANTWERPEN: (True, "11002"),
    OCMW: (True, "44021"),
    DISTRICT: (True, "district"),
    PROVINCE: (False, "40000"),
    INTERCOMMUNALE: (False, "40000"),
    UNCLASSIFIED: (False, "24062"),
    COMPANY: (False, None),
}


def _oracle(agents: frozenset[str], problem: bool, place: bool, data: bool) -> set[str]:
    """The rule of docs/model.md, written out once more as the test's independent oracle."""
    missing = set()
    if not any(AGENT_KINDS[a][0] for a in agents):
        missing.add("lokale-overheid")
    others = any(not AGENT_KINDS[a][0] for a in agents)
    areas = {AGENT_KINDS[a][1] for a in agents if AGENT_KINDS[a][1]}
    if not (others or len(areas) >= 2):
        missing.add("samenwerking")
    if not (problem and place):
        missing.add("probleem")
    if not data:
        missing.add("data")
    return missing


initiative_shapes = st.tuples(
    st.frozensets(st.sampled_from(sorted(AGENT_KINDS)), max_size=4),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cases=st.lists(initiative_shapes, min_size=1, max_size=6))
def test_generated_initiatives_get_the_same_answer_from_all_three_and_the_oracle(
    rule_runtime: tuple[Runtime, Graph],
    cases: list[tuple[frozenset[str], bool, bool, bool]],
) -> None:
    """Differential test over generated initiatives (issue 14.2): SHACL, the named query, the
    pages' query and the written-out rule agree, whatever the mix of actors and elements."""
    runtime, _ = rule_runtime
    base = runtime.uris.base
    parts = [PREFIXES]
    for n, (agents, problem, place, data) in enumerate(cases):
        lines = [f"ini:gegenereerd-{n} a sr:SmartCityInitiatief", f'dct:title "Gegenereerd {n}"@nl']
        if agents:
            lines.append(f"prov:wasAssociatedWith {' , '.join(sorted(agents))}")
        if problem:
            lines.append("sr:probleemdomein </id/concept/probleemdomein/mobiliteit>")
        if place:
            lines.append("dct:spatial gemeente:44021")
        if data:
            lines.append("sr:datagebruik </id/concept/datagebruik/sensoren>")
        parts.append(" ;\n    ".join(lines) + " .")
    generated = parse_rdf("\n".join(parts).encode(), RdfFormat.TURTLE, base_iri=base + "/").graph
    graph = f"{base}/graph/test/gegenereerd"
    # A new store version per example, so no cached answer of an earlier example is reused.
    runtime.store.write(GraphWrite(replace={graph: generated}), new_version=uuid.uuid4().hex)
    data_graph = Graph()
    data_graph += generated
    data_graph += _case_context(runtime)
    by_query = _by_named_query(runtime)
    by_pages = _by_pages(runtime)
    by_shacl = _by_shacl(runtime, data_graph)
    for n, (agents, problem, place, data) in enumerate(cases):
        iri = f"{base}/id/initiatief/gegenereerd-{n}"
        expected = _oracle(agents, problem, place, data)
        assert by_query[iri] == by_pages[iri] == by_shacl[iri] == expected, (agents, iri)


def _case_context(runtime: Runtime) -> Graph:
    """The agents' descriptions (the case file's and the base local governments')."""
    context = parse_rdf(
        (PREFIXES + AGENTS).encode(), RdfFormat.TURTLE, base_iri=runtime.uris.base + "/"
    ).graph
    context.parse(PROJECT_ROOT / "data" / "lokale-besturen.ttl", publicID=runtime.uris.base + "/")
    return context
