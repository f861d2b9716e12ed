"""Validation service: pySHACL parity, messages, labels, context, initiatives, the pool."""

from __future__ import annotations

import csv
import io
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from sro_graph.config import PROJECT_ROOT
from sro_graph.errors import QueryTimeoutError
from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.runtime import Runtime
from sro_graph.validation import Report, Validator, fetch_context, make_validator, partition
from sro_graph.vocab import RDF, SH, Uris

DATA = Path(__file__).resolve().parents[1] / "data"
CORE = DATA / "shacl-core"
BASE = "https://sro.test"
EX = "http://example.org/"

# sh:property is exercised too (ex:PropertyShapeRef), but by the spec its results carry the
# property shape's own component (here sh:MinCountConstraintComponent), never sh:property's.
CORE_COMPONENTS = [
    "Class",
    "Datatype",
    "NodeKind",
    "MinCount",
    "MaxCount",
    "MinExclusive",
    "MinInclusive",
    "MaxExclusive",
    "MaxInclusive",
    "MinLength",
    "MaxLength",
    "Pattern",
    "LanguageIn",
    "UniqueLang",
    "Equals",
    "Disjoint",
    "LessThan",
    "LessThanOrEquals",
    "Not",
    "And",
    "Or",
    "Xone",
    "Node",
    "QualifiedMinCount",
    "QualifiedMaxCount",
    "Closed",
    "HasValue",
    "In",
]


def read(path: Path) -> Graph:
    return parse_rdf(path.read_bytes(), RdfFormat.TURTLE, base_iri=BASE + "/").graph


def plain_validator(shapes: Graph, *, workers: int = 0, timeout_s: float = 30) -> Validator:
    return Validator(shapes, Graph(), Uris(BASE), workers=workers, timeout_s=timeout_s)


def result_keys(report_graph: Graph) -> Counter[tuple[str, str, str, str]]:
    keys: Counter[tuple[str, str, str, str]] = Counter()
    for node in report_graph.objects(None, SH.result):
        path = report_graph.value(node, SH.resultPath)
        keys[
            (
                str(report_graph.value(node, SH.focusNode)),
                str(path) if isinstance(path, URIRef) else ("complex" if path is not None else ""),
                str(report_graph.value(node, SH.sourceConstraintComponent)),
                str(report_graph.value(node, SH.resultSeverity)),
            )
        ] += 1
    return keys


@pytest.fixture(scope="module")
def server_validator() -> Validator:
    return make_validator(
        PROJECT_ROOT / "shapes", PROJECT_ROOT / "ontology", Uris(BASE), workers=0, timeout_s=30
    )


def test_validate_core_components_match_pyshacl_in_process() -> None:
    data, shapes = read(CORE / "data.ttl"), read(CORE / "shapes.ttl")
    conforms, expected, _ = pyshacl.validate(Graph() + data, shacl_graph=shapes)
    report = plain_validator(shapes).validate(data)
    assert report.conforms is conforms is False
    assert result_keys(report.graph()) == result_keys(expected)


@pytest.mark.parametrize("component", CORE_COMPONENTS)
def test_validate_core_component_each_reported(component: str) -> None:
    report = plain_validator(read(CORE / "shapes.ttl")).validate(read(CORE / "data.ttl"))
    iri = f"{SH}{component}ConstraintComponent"
    found = [r for r in report.results if r.constraint == iri]
    assert found, f"no result for sh:{component}ConstraintComponent"
    assert all(r.message["nl"] and r.message["en"] for r in found)
    assert all(r.message["nl"] != r.message["en"] for r in found)


def test_validate_without_sh_message_generates_dutch_and_english() -> None:
    report = plain_validator(read(CORE / "shapes.ttl")).validate(read(CORE / "data.ttl"))
    mincount = next(r for r in report.results if r.focus == EX + "mincount-bad")
    assert "minstens 2" in mincount.message["nl"]
    assert "at least 2" in mincount.message["en"]


def test_validate_shape_message_used_per_language(server_validator: Validator) -> None:
    report = server_validator.validate(read(DATA / "broken-initiative.ttl"))
    title = next(r for r in report.results if r.path == "http://purl.org/dc/terms/title")
    assert "titel" in title.message["nl"]
    assert "title" in title.message["en"]
    assert title.path_label == {"nl": "titel", "en": "title"}
    assert title.focus_label is not None
    assert title.focus_label["en"] == "Broken sensors"


def test_validate_broken_initiative_reports_related_with_missing_elements(
    server_validator: Validator,
) -> None:
    report = server_validator.validate(read(DATA / "broken-initiative.ttl"))
    assert not report.conforms
    assert report.counts["violation"] >= 4
    (initiative,) = report.initiatives
    assert initiative.category == "related"
    assert {m.code for m in initiative.missing} == {
        "lokale-overheid",
        "samenwerking",
        "probleem",
        "data",
    }
    assert all(m.label["nl"] and m.label["en"] for m in initiative.missing)


def test_validate_results_about_context_only_nodes_are_left_out() -> None:
    shapes = Graph()
    shape = URIRef(EX + "S")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, URIRef(EX + "T")))
    prop = URIRef(EX + "S-p")
    shapes.add((shape, SH.property, prop))
    shapes.add((prop, SH.path, URIRef(EX + "p")))
    shapes.add((prop, SH.minCount, Literal(1)))
    data = Graph()
    data.add((URIRef(EX + "mine"), RDF.type, URIRef(EX + "T")))
    data.add((URIRef(EX + "mine"), URIRef(EX + "knows"), URIRef(EX + "stored")))
    context = Graph()
    context.add((URIRef(EX + "stored"), RDF.type, URIRef(EX + "T")))
    report = plain_validator(shapes).validate(data, context=context)
    assert [r.focus for r in report.results] == [EX + "mine"]
    assert len(list(report.graph().objects(None, SH.result))) == 1


def test_report_csv_has_one_row_per_result() -> None:
    report = plain_validator(read(CORE / "shapes.ttl")).validate(read(CORE / "data.ttl"))
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(rows) == len(report.results)
    assert {"severity", "focus", "path", "message_nl", "message_en"} <= set(rows[0])


def test_report_serialize_turtle_is_a_validation_report() -> None:
    report = plain_validator(read(CORE / "shapes.ttl")).validate(read(CORE / "data.ttl"))
    graph = parse_rdf(
        report.serialize(RdfFormat.TURTLE), RdfFormat.TURTLE, base_iri=BASE + "/"
    ).graph
    assert (None, RDF.type, SH.ValidationReport) in graph
    assert (None, SH.conforms, Literal(False)) in graph


def test_report_json_counts_match_results() -> None:
    report: Report = plain_validator(read(CORE / "shapes.ttl")).validate(read(CORE / "data.ttl"))
    body = report.to_json()
    assert sum(body["counts"].values()) == len(body["results"])
    # Issue 13.3 added the causes (details), a fix hint, documentation links and the other
    # components a value failed for the same cause (alsoViolates).
    assert set(body["results"][0]) == {
        "focus",
        "focusLabel",
        "path",
        "pathLabel",
        "value",
        "severity",
        "constraint",
        "message",
        "shape",
        "details",
        "hint",
        "help",
        "alsoViolates",
    }


def test_pool_concurrent_validations_are_isolated() -> None:
    shapes, data = read(CORE / "shapes.ttl"), read(CORE / "data.ttl")
    validator = plain_validator(shapes, workers=2)
    try:
        with ThreadPoolExecutor(6) as pool:
            reports = list(pool.map(lambda _: validator.validate(data), range(6)))
    finally:
        validator.close()
    expected = [r.to_json() for r in reports[0].results]
    assert all([r.to_json() for r in rep.results] == expected for rep in reports)


def test_pool_runaway_validation_is_stopped_and_pool_recovers() -> None:
    shapes = read(CORE / "shapes.ttl")
    big = Graph()
    widget = URIRef(EX + "Widget")
    for i in range(20_000):
        big.add((URIRef(f"{EX}w{i}"), RDF.type, widget))
    validator = plain_validator(shapes, workers=1, timeout_s=0.05)
    try:
        with pytest.raises(QueryTimeoutError):
            validator.validate(big)
    finally:
        validator.close()


# -- the engine: shapes prepared once, focus on the submission, SPARQL parsed once ------------

ASSOCIATION_TTL = """
@prefix sr:   <https://sro.test/ns/smartregio#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://sro.test/id/initiatief/rol-zonder-actor>
    a sr:SmartCityInitiatief ;
    dct:title "Rol zonder actor"@nl ;
    dct:description "Een actor met een rol die niet betrokken is."@nl ;
    sr:uitdaging <https://sro.test/id/concept/uitdaging/1> ;
    prov:wasAssociatedWith <https://sro.test/id/organisatie/vlaio> ;
    prov:qualifiedAssociation [ a prov:Association ;
        prov:agent <https://sro.test/id/bestuurseenheid/11002> ] .
"""


def stock_pyshacl_keys(data: Graph, context: Graph, shapes: Graph) -> Counter[tuple[str, ...]]:
    """pySHACL as shipped, over data plus context, keeping results about the data's nodes."""
    _, expected, _ = pyshacl.validate(
        Graph() + data + context,
        shacl_graph=Graph() + shapes,
        inference="none",
        allow_infos=True,
        allow_warnings=True,
    )
    mine = {str(s) for s in data.subjects()}
    return Counter({k: n for k, n in result_keys(expected).items() if k[0] in mine})


@pytest.mark.parametrize("source", ["broken-initiative.ttl", "good-initiative.ttl", "association"])
def test_validate_server_shapes_with_context_match_stock_pyshacl(
    server_validator: Validator,
    runtime: Runtime,
    source: str,
) -> None:
    if source == "association":
        data = parse_rdf(ASSOCIATION_TTL.encode(), RdfFormat.TURTLE, base_iri=BASE + "/").graph
    else:
        data = read(DATA / source)
    context = fetch_context(runtime.store, data)
    assert len(context) > 0 or source == "broken-initiative.ttl"  # it only names unknowns
    report = server_validator.validate(data, context=context)
    expected = stock_pyshacl_keys(data, context, server_validator.shapes)
    assert result_keys(report.graph()) == expected
    if source == "association":  # the SHACL-SPARQL constraint ran (prepared query)
        assert any(k[2] == str(SH.SPARQLConstraintComponent) for k in expected)


def test_validate_engine_reused_keeps_no_state_between_runs(server_validator: Validator) -> None:
    broken, good = read(DATA / "broken-initiative.ttl"), read(DATA / "good-initiative.ttl")
    first = server_validator.validate(broken).to_json()
    server_validator.validate(good)
    assert server_validator.validate(broken).to_json() == first


def test_validate_target_node_outside_the_data_subjects_still_validated() -> None:
    shapes = Graph()
    shape = URIRef(EX + "S")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetNode, URIRef(EX + "elsewhere")))
    prop = URIRef(EX + "S-p")
    shapes.add((shape, SH.property, prop))
    shapes.add((prop, SH.path, URIRef(EX + "p")))
    shapes.add((prop, SH.minCount, Literal(1)))
    data = Graph()
    data.add((URIRef(EX + "mine"), URIRef(EX + "knows"), URIRef(EX + "elsewhere")))
    report = plain_validator(shapes).validate(data)
    assert [r.focus for r in report.results] == [EX + "elsewhere"]


# -- batch validation ---------------------------------------------------------------------------


def renamed(path: Path, old: str, new: str) -> Graph:
    text = path.read_text(encoding="utf-8").replace(old, new)
    return parse_rdf(text.encode(), RdfFormat.TURTLE, base_iri=BASE + "/").graph


def batch_graph() -> tuple[Graph, list[Graph]]:
    parts = [
        renamed(DATA / "good-initiative.ttl", "proef-luchtmeting", f"goed-{i}") for i in range(3)
    ]
    parts += [
        renamed(DATA / "broken-initiative.ttl", "kapot-voorbeeld", f"kapot-{i}") for i in range(2)
    ]
    parts.append(parse_rdf(ASSOCIATION_TTL.encode(), RdfFormat.TURTLE, base_iri=BASE + "/").graph)
    whole = Graph()
    for part in parts:
        whole += part
    return whole, parts


def test_partition_puts_every_subject_in_exactly_one_chunk() -> None:
    whole, _ = batch_graph()
    chunks = partition(whole, Graph(), chunk_size=2)
    owned = [t[0] for own, _ in chunks for t in own]
    assert len(chunks) > 1
    assert sorted(set(owned), key=str) == sorted(set(whole.subjects()), key=str)
    assert sum(len(own) for own, _ in chunks) == len(whole)
    for own, seen in chunks:  # a chunk carries what its subjects reach (the blank node)
        subjects = {t[0] for t in own + seen}
        assert all(o in subjects for _, _, o in own if isinstance(o, BNode))


@pytest.mark.parametrize("workers", [0, 1])
def test_validate_batch_equals_one_validation_per_initiative(
    server_validator: Validator,
    runtime: Runtime,
    workers: int,
) -> None:
    whole, parts = batch_graph()
    context = fetch_context(runtime.store, whole)
    expected: Counter[tuple[str, ...]] = Counter()
    for part in parts:
        expected += result_keys(
            server_validator.validate(part, context=fetch_context(runtime.store, part)).graph()
        )
    validator = make_validator(
        PROJECT_ROOT / "shapes",
        PROJECT_ROOT / "ontology",
        Uris(BASE),
        workers=workers,
        timeout_s=30,
    )
    try:
        report = validator.validate_batch(whole, context=context, chunk_size=2)
    finally:
        validator.close()
    assert result_keys(report.graph()) == expected
    assert not report.conforms
    assert len(list(report.graph().subjects(RDF.type, SH.ValidationReport))) == 1
    assert {i.iri for i in report.initiatives} == {
        str(s)
        for s in whole.subjects(RDF.type, URIRef(BASE + "/ns/smartregio#SmartCityInitiatief"))
    }


# -- batch validation against one stock pySHACL run (issue 17, point 2) ---------------------


def generated_batch(runtime: Runtime) -> tuple[Graph, Graph]:
    """Generated initiatives (bench.generate), three of them broken, with their context."""
    from bench.generate import generate

    data = parse_rdf(
        generate(40, base=BASE, project_root=PROJECT_ROOT, seed=3),
        RdfFormat.NTRIPLES,
        base_iri=BASE + "/",
    ).graph
    data += renamed(DATA / "broken-initiative.ttl", "kapot-voorbeeld", "kapot-batch")
    data += parse_rdf(ASSOCIATION_TTL.encode(), RdfFormat.TURTLE, base_iri=BASE + "/").graph
    initiatives = sorted(
        data.subjects(RDF.type, URIRef(BASE + "/ns/smartregio#SmartCityInitiatief")), key=str
    )
    data.set((initiatives[0], URIRef(BASE + "/ns/smartregio#budget"), Literal("veel")))
    return data, fetch_context(runtime.store, data)


@pytest.mark.parametrize("workers", [0, 2])
def test_validate_batch_gives_the_report_of_one_stock_pyshacl_run(
    runtime: Runtime, workers: int
) -> None:
    """Issue 17.2: batch validation (chunks, workers, memoised shapes) reports the same
    conformance and the same (focus, path, component, severity) results as one pySHACL run
    over the whole graph and its context."""
    data, context = generated_batch(runtime)
    validator = make_validator(
        PROJECT_ROOT / "shapes",
        PROJECT_ROOT / "ontology",
        Uris(BASE),
        workers=workers,
        timeout_s=120,
    )
    try:
        report = validator.validate_batch(data, context=context, chunk_size=7)
    finally:
        validator.close()
    conforms, expected, _ = pyshacl.validate(
        Graph() + data + context,
        shacl_graph=Graph() + validator.shapes,
        inference="none",
        allow_infos=False,
        allow_warnings=False,
    )
    mine = {str(s) for s in data.subjects()}
    expected_keys = Counter({k: n for k, n in result_keys(expected).items() if k[0] in mine})
    assert result_keys(report.graph()) == expected_keys
    assert sum(expected_keys.values()) >= 10  # the broken ones were reported
    assert report.conforms is bool(conforms) is False
    assert report.accepted is False
