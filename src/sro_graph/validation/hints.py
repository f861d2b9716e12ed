"""Fix hints and documentation links for report results.

A result says what is wrong; a hint says what would be right: the concepts a scheme holds
when a value is not one of them, how to name a municipality of REFNIS 2025, how to describe a
local government the base knowledge lacks. Every result links to the documentation of the
term it is about (the term's own IRI: OSLO, W3C and DCMI terms dereference to their
specifications, ``sr:`` terms to this service's vocabulary page).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from sro_graph.validation.report import Text
from sro_graph.vocab import GEMEENTE_CLASSIFICATION, GEMEENTE_PREFIX, REFNIS_PREFIX, SH, SKOS, Uris

_MAX_LISTED = 25
_CLASS = SH.ClassConstraintComponent
_HAS_VALUE = SH.HasValueConstraintComponent
_NODE = SH.NodeConstraintComponent


def scheme_of_shape(shapes: Graph, shape: Node | None) -> Node | None:
    """The concept scheme a shape demands (``sh:node`` to a shape whose ``skos:inScheme``
    property has ``sh:hasValue`` the scheme), or the scheme of such a property shape itself."""
    if shape is None:
        return None
    candidates = [shape, *shapes.objects(shape, SH.node)]
    for candidate in candidates:
        if shapes.value(candidate, SH.path) == SKOS.inScheme:
            found = shapes.value(candidate, SH.hasValue)
            if found is not None:
                return found
        for prop in shapes.objects(candidate, SH.property):
            if shapes.value(prop, SH.path) == SKOS.inScheme:
                found = shapes.value(prop, SH.hasValue)
                if found is not None:
                    return found
    return None


def concepts_hint(vocabulary: Graph, scheme: Node, value: Node | None) -> Text | None:
    """The concepts of ``scheme`` (notation, IRI and name), when ``value`` is not one."""
    if value is not None and (value, SKOS.inScheme, scheme) in vocabulary:
        return None
    concepts = sorted(
        set(vocabulary.subjects(SKOS.inScheme, scheme)),
        key=lambda c: (_sort_key(vocabulary.value(c, SKOS.notation)), str(c)),
    )
    if not concepts:
        return None
    name = str(scheme).rstrip("/").rsplit("/", 1)[-1]
    items_nl, items_en = [], []
    for concept in concepts[:_MAX_LISTED]:
        items_nl.append(f"<{concept}> ({_label(vocabulary, concept, 'nl')})")
        items_en.append(f"<{concept}> ({_label(vocabulary, concept, 'en')})")
    more = len(concepts) - _MAX_LISTED
    tail_nl = f"; en nog {more}" if more > 0 else ""
    tail_en = f"; and {more} more" if more > 0 else ""
    return {
        "nl": f"Toegelaten waarden uit het schema '{name}': " + "; ".join(items_nl) + tail_nl,
        "en": f"Allowed values from the scheme '{name}': " + "; ".join(items_en) + tail_en,
    }


def municipality_hint(value: Node | None) -> Text | None:
    """For a municipality IRI that REFNIS 2025 does not hold."""
    if not isinstance(value, URIRef) or not str(value).startswith(GEMEENTE_PREFIX):
        return None
    code = str(value).removeprefix(GEMEENTE_PREFIX)
    return {
        "nl": f"'{code}' is geen NIS-code van een Vlaamse gemeente in REFNIS 2025. Gebruik "
        f"{GEMEENTE_PREFIX}{{NIS-code}} met de vijfcijferige code van de gemeente "
        f"(de lijst: {REFNIS_PREFIX}).",
        "en": f"'{code}' is not the NIS code of a Flemish municipality in REFNIS 2025. Use "
        f"{GEMEENTE_PREFIX}{{NIS code}} with the municipality's five-digit code "
        f"(the list: {REFNIS_PREFIX}).",
    }


def local_government_hint(value: Node | None, uris: Uris) -> Text | None:
    """For a local government IRI of ours that the base knowledge does not describe."""
    prefix = f"{uris.base}/id/bestuurseenheid/"
    if not isinstance(value, URIRef) or not str(value).startswith(prefix):
        return None
    code = str(value).removeprefix(prefix)
    example = (
        f"<{value}> a besluit:Bestuurseenheid, org:Organization ; "
        'skos:prefLabel "…"@nl ; '
        f"org:classification <{GEMEENTE_CLASSIFICATION}> ; "
        f"besluit:werkingsgebied <{GEMEENTE_PREFIX}{code}> ; "
        f"dct:spatial <{GEMEENTE_PREFIX}{code}> ."
    )
    return {
        "nl": "Dit lokaal bestuur staat nog niet in de basiskennis. Beschrijf het in uw "
        f"inzending, bijvoorbeeld: {example}",
        "en": "This local government is not in the base knowledge yet. Describe it in your "
        f"submission, for example: {example}",
    }


def hint_for(
    *,
    component: Node | None,
    path: Node | None,
    value: Node | None,
    shape: Node | None,
    detail_components: list[Node],
    shapes: Graph,
    vocabulary: Graph,
    uris: Uris,
) -> Text | None:
    """The fix hint of one result, if one applies."""
    scheme = scheme_of_shape(shapes, shape)
    if scheme is not None and (component in (_NODE, _HAS_VALUE, _CLASS) or detail_components):
        found = concepts_hint(vocabulary, scheme, value)
        if found is not None:
            return found
    if component == _CLASS:
        return municipality_hint(value) or local_government_hint(value, uris)
    return None


def help_links(*, path: Node | None, component: Node | None) -> tuple[str, ...]:
    """Documentation of what a result is about: its property (the term's own IRI) and, for
    sro-graph's own checks or results without a property, the constraint component."""
    links: list[str] = []
    if isinstance(path, URIRef):
        links.append(str(path))
    if isinstance(component, URIRef) and (not links or not str(component).startswith(str(SH))):
        links.append(str(component))
    return tuple(links)


def _label(graph: Graph, node: Node, lang: str) -> str:
    fallback = ""
    for label in graph.objects(node, SKOS.prefLabel):
        if isinstance(label, Literal):
            if label.language == lang:
                return str(label)
            fallback = fallback or str(label)
    return fallback or str(node)


def _sort_key(notation: Node | None) -> tuple[int, str]:
    text = str(notation) if notation is not None else ""
    return (int(text), "") if text.isdigit() else (1_000_000, text)
