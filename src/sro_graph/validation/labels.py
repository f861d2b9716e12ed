"""Labels for reports: names of focus nodes and properties in Dutch and English.

Looked up in the data, the store context, the ontology and the shapes (``sh:name``), in that
order; a property without a label is shown by its local name, a complex path as SPARQL-like
text.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from sro_graph.validation.report import Text
from sro_graph.vocab import DCTERMS, FOAF, RDF, RDFS, ROV, SH, SKOS

_LABEL_PROPERTIES = (SKOS.prefLabel, DCTERMS.title, RDFS.label, SH.name, FOAF.name, ROV.legalName)


class Labels:
    """Label lookups over the graphs a report is about."""

    def __init__(self, data: Graph, context: Graph | None, shapes: Graph, vocabulary: Graph):
        self._graphs = [g for g in (data, context, vocabulary, shapes) if g is not None]
        self.shapes = shapes
        self.vocabulary = vocabulary

    def of(self, node: Node | None) -> Text | None:
        """A node's name in nl and en (either falls back on the other, or on an untagged one)."""
        if node is None:
            return None
        found: dict[str, str] = {}
        for prop in _LABEL_PROPERTIES:
            for graph in self._graphs:
                for value in graph.objects(node, prop):
                    if isinstance(value, Literal):
                        lang = value.language or ""
                        for wanted in ("nl", "en"):
                            if wanted not in found and (
                                lang == wanted or lang.startswith(wanted + "-")
                            ):
                                found[wanted] = str(value)
                        if not lang:
                            found.setdefault("", str(value))
        if not found:
            return None
        plain = found.pop("", None)
        if plain is not None:
            found.setdefault("nl", plain)
            found.setdefault("en", plain)
        if "nl" not in found:
            found["nl"] = found["en"]
        if "en" not in found:
            found["en"] = found["nl"]
        return found

    def path(self, path: Node | None, shape: Node | None, graph: Graph) -> Text | None:
        """A result path's name: the property shape's ``sh:name``, the ontology's label, or
        the path itself."""
        if path is None:
            return None
        if shape is not None and (self.shapes.value(shape, SH.path) is not None):
            named = texts(self.shapes, shape, SH.name)
            if named:
                return named
        if isinstance(path, URIRef):
            return texts(self.vocabulary, path, RDFS.label) or {
                "nl": local_name(path),
                "en": local_name(path),
            }
        rendered = render_path(graph, path)
        return {"nl": rendered, "en": rendered}


def texts(graph: Graph, node: Node, prop: URIRef) -> Text | None:
    """The nl and en values of ``prop`` on ``node`` (untagged values serve both)."""
    found: dict[str, str] = {}
    for value in graph.objects(node, prop):
        if isinstance(value, Literal):
            lang = (value.language or "").split("-")[0]
            if lang in ("nl", "en"):
                found.setdefault(lang, str(value))
            elif not lang:
                found.setdefault("", str(value))
    if not found:
        return None
    plain = found.pop("", None)
    nl = found.get("nl") or plain or found.get("en")
    en = found.get("en") or plain or found.get("nl")
    assert nl is not None
    assert en is not None
    return {"nl": nl, "en": en}


def local_name(iri: URIRef) -> str:
    """The part of an IRI after its last ``#`` or ``/``."""
    text = str(iri)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[1] or text
    return text


def render_path(graph: Graph, path: Node) -> str:
    """A SHACL property path as SPARQL-like text (``<a>/^<b>``)."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if graph.value(path, RDF.first) is not None:
        return "/".join(render_path(graph, p) for p in Collection(graph, path))
    for prop, fmt in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, prop)
        if inner is not None:
            return fmt.format(render_path(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(render_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    return "?"


def term_text(term: Node | None) -> str | None:
    """A term as report text: IRIs and literals as themselves, blank nodes as ``_:id``."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return "_:" + str(term)
    return str(term)
