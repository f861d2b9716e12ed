"""Build the term lists of the reused vocabularies that validation checks against.

Reads the official vocabulary files (W3C, DCMI, schema.org as packaged by the npm packages
``@vocabulary/<prefix>``, and OSLO's own files from ``../shared/reference/oslo/``) and writes,
for each checked namespace, one N-Triples file
``src/sro_graph/validation/vocabularies/<prefix>.nt`` listing every term of the namespace as
``<term> rdf:type rdfs:Class | rdf:Property | rdfs:Resource``.

Usage (the npm tarballs unpacked into one folder each, e.g. ``npm pack @vocabulary/dcterms``)::

    python tools/build_vocabularies.py --npm DIR --oslo ../shared/reference/oslo
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

OUT = Path(__file__).resolve().parents[1] / "src" / "sro_graph" / "validation" / "vocabularies"

# prefix -> (namespace, source kind, file name)
SOURCES: dict[str, tuple[str, str, str]] = {
    "dct": ("http://purl.org/dc/terms/", "npm", "dcterms"),
    "prov": ("http://www.w3.org/ns/prov#", "npm", "prov"),
    "skos": ("http://www.w3.org/2004/02/skos/core#", "npm", "skos"),
    "dcat": ("http://www.w3.org/ns/dcat#", "npm", "dcat"),
    "foaf": ("http://xmlns.com/foaf/0.1/", "npm", "foaf"),
    "org": ("http://www.w3.org/ns/org#", "npm", "org"),
    "vcard": ("http://www.w3.org/2006/vcard/ns#", "npm", "vcard"),
    "locn": ("http://www.w3.org/ns/locn#", "npm", "locn"),
    "schema": ("http://schema.org/", "npm", "schema"),
    "owl": ("http://www.w3.org/2002/07/owl#", "npm", "owl"),
    "rdf": ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "npm", "rdf"),
    "rdfs": ("http://www.w3.org/2000/01/rdf-schema#", "npm", "rdfs"),
    "xsd": ("http://www.w3.org/2001/XMLSchema#", "npm", "xsd"),
    "rov": ("http://www.w3.org/ns/regorg#", "oslo", "organisatie.ttl"),
    "organisatie": ("https://data.vlaanderen.be/ns/organisatie#", "oslo", "organisatie.ttl"),
    "generiek": ("https://data.vlaanderen.be/ns/generiek#", "oslo", "generiek.ttl"),
}

CLASS_TYPES = {RDFS.Class, OWL.Class, RDFS.Datatype}
PROPERTY_TYPES = {
    RDF.Property,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    URIRef("http://schema.org/Property"),
}
# DCAT 3 terms missing from the packaged (DCAT 2) file: W3C Recommendation "Data Catalog
# Vocabulary (DCAT) - Version 3", 22 August 2024, section 6 (the ones DCAT-AP 3.0.1 uses are
# in ../shared/reference/dcat-ap-3.0.1/dcat-ap-SHACL.ttl).
DCAT3_CLASSES = ("DatasetSeries",)
DCAT3_PROPERTIES = (
    "inSeries",
    "seriesMember",
    "first",
    "last",
    "prev",
    "next",
    "hasVersion",
    "hasCurrentVersion",
    "previousVersion",
    "version",
)
PROPERTY_HINTS = {RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf}
CLASS_HINTS = {RDFS.subClassOf, OWL.equivalentClass}


def read_npm(folder: Path, name: str) -> Graph:
    found = sorted(folder.glob(f"vocabulary-{name}-*/package/{name}.nq"))
    if not found:
        sys.exit(f"no unpacked @vocabulary/{name} under {folder}")
    dataset = Dataset()
    dataset.parse(found[-1], format="nquads")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def terms_of(graph: Graph, namespace: str) -> Graph:
    out = Graph()
    for subject in set(graph.subjects()):
        if not isinstance(subject, URIRef) or not str(subject).startswith(namespace):
            continue
        if str(subject) == namespace or len(str(subject)) == len(namespace):
            continue
        types = set(graph.objects(subject, RDF.type))
        predicates = set(graph.predicates(subject))
        if types & CLASS_TYPES or predicates & CLASS_HINTS:
            kind = RDFS.Class
        elif types & PROPERTY_TYPES or predicates & PROPERTY_HINTS:
            kind = RDF.Property
        else:
            kind = RDFS.Resource
        out.add((subject, RDF.type, kind))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--npm", type=Path, required=True, help="Unpacked @vocabulary packages.")
    parser.add_argument("--oslo", type=Path, required=True, help="shared/reference/oslo")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for prefix, (namespace, kind, name) in SOURCES.items():
        if kind == "npm":
            graph = read_npm(args.npm, name)
        else:
            graph = Graph().parse(args.oslo / name, format="turtle")
        terms = terms_of(graph, namespace)
        if prefix == "dcat":
            for name in DCAT3_CLASSES:
                terms.add((URIRef(namespace + name), RDF.type, RDFS.Class))
            for name in DCAT3_PROPERTIES:
                terms.add((URIRef(namespace + name), RDF.type, RDF.Property))
        terms.bind(prefix, Namespace(namespace))
        lines = sorted(terms.serialize(format="nt").splitlines())
        (OUT / f"{prefix}.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        sys.stdout.write(f"{prefix}: {len(terms)} terms\n")


if __name__ == "__main__":
    main()
