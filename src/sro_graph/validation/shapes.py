"""Shapes and vocabulary graphs: the server's own from files, uploaded ones checked first."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, URIRef

from sro_graph.errors import UnsafeInputError
from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.validation.labels import local_name
from sro_graph.vocab import SH

_SPARQL_PREDICATES = tuple(
    URIRef(f"{SH}{name}")
    for name in (
        "sparql",
        "select",
        "ask",
        "construct",
        "update",
        "target",
        "targetValidator",
        "validator",
        "nodeValidator",
        "propertyValidator",
        "rule",
        "jsLibrary",
        "jsFunctionName",
    )
)


def refuse_unsafe_shapes(shapes: Graph) -> None:
    """Refuse uploaded shapes that would make pySHACL run SPARQL or code we did not write.

    rdflib evaluates ``SERVICE`` and ``FROM`` in SPARQL by fetching URLs, so SHACL-SPARQL
    (and SHACL-AF/JS) is only allowed in the server's own shapes. Prefix declarations
    (``sh:declare``, ``sh:prefixes``) run nothing and are allowed.

    Raises:
        UnsafeInputError: the shapes use SHACL-SPARQL, custom targets, rules or JavaScript.
    """
    for predicate in _SPARQL_PREDICATES:
        if (None, predicate, None) in shapes:
            raise UnsafeInputError(
                "Uploaded shapes may use SHACL Core only: SHACL-SPARQL, custom targets, rules "
                f"and JavaScript are refused (found sh:{local_name(predicate)})."
            )


def load_graphs(paths: Iterable[Path], base_uri: str) -> Graph:
    """One graph of the Turtle files at ``paths`` (our own shapes and ontology)."""
    graph = Graph()
    for path in paths:
        parsed = parse_rdf(path.read_bytes(), RdfFormat.TURTLE, base_iri=base_uri + "/")
        for triple in parsed.graph:
            graph.add(triple)
    return graph
