"""The vocabulary check: unknown terms of owned or reused namespaces, with the closest term."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef

from sro_graph.config import PROJECT_ROOT
from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.validation.shapes import load_graphs
from sro_graph.validation.vocabulary import (
    MAX_FINDINGS,
    Vocabulary,
    find_term_problems,
    load_vocabulary,
    term_message,
)
from sro_graph.vocab import DCTERMS, RDF, Uris

BASE = "https://sro.test"
URIS = Uris(BASE)
SR = URIS.sr
INI = URIRef(f"{BASE}/id/initiatief/x")


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    ontology = load_graphs(sorted((PROJECT_ROOT / "ontology").rglob("*.ttl")), BASE)
    return load_vocabulary(ontology, URIS)


def one(triples: list[tuple[object, object, object]]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)  # type: ignore[arg-type]
    return graph


def test_vocabulary_unknown_property_names_the_closest_term(vocabulary: Vocabulary) -> None:
    """Issue 13, point 1: sr:buget is reported with sr:budget as the likely meaning."""
    data = one([(INI, SR.buget, Literal(5))])
    (finding,) = find_term_problems(data, vocabulary)
    assert finding.term == SR.buget
    assert finding.problem == "unknown"
    assert finding.suggestion == str(SR.budget)
    nl, en = term_message(finding, vocabulary)
    assert en == "sr:buget is not a term of the vocabulary; did you mean sr:budget?"
    assert nl == "sr:buget is geen term van het vocabularium; bedoelde u sr:budget?"


def test_vocabulary_class_typo_suggests_the_class(vocabulary: Vocabulary) -> None:
    """Issue 13, point 1: a SmartcityInitiatief typo is a class of no vocabulary."""
    data = one([(INI, RDF.type, SR.SmartcityInitiatief)])
    (finding,) = find_term_problems(data, vocabulary)
    assert finding.path == RDF.type
    assert finding.suggestion == str(SR.SmartCityInitiatief)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        (URIRef("http://purl.org/dc/terms/titel"), "http://purl.org/dc/terms/title"),
        (  # a case slip
            URIRef("http://www.w3.org/ns/prov#wasAssociatedwith"),
            "http://www.w3.org/ns/prov#wasAssociatedWith",
        ),
        (
            URIRef("http://purl.org/dc/terms/prefLabel"),
            "http://www.w3.org/2004/02/skos/core#prefLabel",
        ),
        (URIRef("http://www.w3.org/ns/dcat#keywords"), "http://www.w3.org/ns/dcat#keyword"),
    ],
)
def test_vocabulary_unknown_reused_terms_are_reported(
    vocabulary: Vocabulary, term: URIRef, expected: str | None
) -> None:
    (finding,) = find_term_problems(one([(INI, term, Literal("x"))]), vocabulary)
    assert finding.problem == "unknown"
    assert finding.suggestion == expected


def test_vocabulary_class_used_as_property_is_reported(vocabulary: Vocabulary) -> None:
    (finding,) = find_term_problems(one([(INI, SR.SmartCityInitiatief, Literal(1))]), vocabulary)
    assert finding.problem == "not-a-property"


def test_vocabulary_property_used_as_class_is_reported(vocabulary: Vocabulary) -> None:
    (finding,) = find_term_problems(one([(INI, RDF.type, SR.budget)]), vocabulary)
    assert finding.problem == "not-a-class"


def test_vocabulary_other_base_points_at_this_deployment(vocabulary: Vocabulary) -> None:
    """Issue 13, point 1: IRIs on another base are named, with this base's term."""
    other = URIRef("https://elders.example/ns/smartregio#SmartCityInitiatief")
    (finding,) = find_term_problems(one([(INI, RDF.type, other)]), vocabulary)
    assert finding.problem == "other-base"
    assert finding.suggestion == str(SR.SmartCityInitiatief)


def test_vocabulary_undeclared_prefix_is_reported(vocabulary: Vocabulary) -> None:
    """A JSON-LD key 'sr:budget' without an 'sr' prefix becomes the IRI 'sr:budget'."""
    (finding,) = find_term_problems(one([(INI, URIRef("sr:budget"), Literal(1))]), vocabulary)
    assert finding.problem == "undeclared-prefix"
    assert finding.suggestion == str(SR.budget)


def test_vocabulary_unchecked_namespaces_pass(vocabulary: Vocabulary) -> None:
    data = one(
        [
            (INI, URIRef("http://data.europa.eu/m8g/anything"), Literal(1)),
            (INI, URIRef("http://example.org/own#term"), Literal(1)),
            (INI, DCTERMS.title, Literal("x", lang="nl")),
        ]
    )
    assert find_term_problems(data, vocabulary) == []


def test_vocabulary_base_knowledge_uses_only_known_terms(vocabulary: Vocabulary) -> None:
    """Everything the project ships (ontology, data, shapes) passes its own check."""
    graph = Graph()
    for folder in ("ontology", "data", "shapes"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.ttl")):
            graph += parse_rdf(path.read_bytes(), RdfFormat.TURTLE, base_iri=BASE + "/").graph
    problems = find_term_problems(graph, vocabulary)
    assert problems == [], [term_message(p, vocabulary)[1] for p in problems[:10]]


def test_vocabulary_findings_are_bounded(vocabulary: Vocabulary) -> None:
    """A cost attack (100k distinct unknown terms) gives a bounded list."""
    data = Graph()
    for i in range(5_000):
        data.add((INI, SR[f"onbekend{i}"], Literal(i)))
    findings = find_term_problems(data, vocabulary)
    assert len(findings) == MAX_FINDINGS


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=24
    )
)
def test_vocabulary_check_finds_exactly_the_undefined_terms(name: str) -> None:
    """Generated local names: reported exactly when the vocabulary lacks them."""
    ontology = load_graphs(sorted((PROJECT_ROOT / "ontology").rglob("*.ttl")), BASE)
    vocabulary = _cached(ontology)
    term = SR[name]
    findings = find_term_problems(one([(BNode(), term, Literal(1))]), vocabulary)
    known = str(term) in vocabulary.terms and vocabulary.terms[str(term)] != "class"
    assert (findings == []) == known


_CACHE: dict[str, Vocabulary] = {}


def _cached(ontology: Graph) -> Vocabulary:
    if "v" not in _CACHE:
        _CACHE["v"] = load_vocabulary(ontology, URIS)
    return _CACHE["v"]


def test_vocabulary_term_lists_have_their_sources() -> None:
    folder = (
        Path(__file__).resolve().parents[2] / "src" / "sro_graph" / "validation" / "vocabularies"
    )
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    for path in folder.glob("*.nt"):
        assert f"`{path.name}`" in sources or path.stem in sources, path.name
