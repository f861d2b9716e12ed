"""Messages in Dutch and English for each result.

A shape's own ``sh:message`` comes first (read from the source shape: pySHACL drops language
tags on SHACL-SPARQL results); otherwise a message is generated from a template per SHACL
Core constraint component, with the shape's parameter, the value and the property's label.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from sro_graph.validation.labels import Labels, local_name
from sro_graph.validation.report import Text
from sro_graph.vocab import RDF, SH, XSD


def result_message(
    graph: Graph,
    node: Node,
    shape: Node | None,
    component: Node | None,
    shapes: Graph,
    path: Node | None,
    value: Node | None,
    focus: Node | None,
    labels: Labels,
) -> Text:
    """The message of the result ``node`` of report ``graph`` in nl and en."""
    # A result's own tagged message first (pySHACL copies the shape's tagged sh:message there;
    # sro-graph's own checks write result-specific ones), then the shape's sh:message (pySHACL
    # drops the tags of SHACL-SPARQL messages), then a generated one. pySHACL's own English
    # text has no tag and is not used.
    found: dict[str, str] = {
        lang: text
        for lang, text in _lang_map(graph.objects(node, SH.resultMessage)).items()
        if lang in ("nl", "en")
    }
    if shape is not None:
        for lang, text in _lang_map(shapes.objects(shape, SH.message)).items():
            found.setdefault(lang, text)
    if "nl" in found and "en" in found:
        return {"nl": found["nl"], "en": found["en"]}
    generated = generate_message(component, shape, shapes, path, value, graph, labels)
    return {"nl": found.get("nl", generated["nl"]), "en": found.get("en", generated["en"])}


def _lang_map(values: Iterable[Node]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        if isinstance(value, Literal) and value.language:
            out.setdefault(value.language.split("-")[0].lower(), str(value))
    return out


# Messages per SHACL Core constraint component: (Dutch, English). ``{param}`` is the value of
# the shape's parameter (e.g. sh:minCount), ``{value}`` the offending value, ``{path}`` the
# property's label.
_TEMPLATES: dict[str, tuple[str, str]] = {
    "ClassConstraintComponent": (
        "De waarde {value} van '{path}' is geen {param}.",
        "The value {value} of '{path}' is not a {param}.",
    ),
    "DatatypeConstraintComponent": (
        "De waarde {value} van '{path}' heeft niet het datatype {param}.",
        "The value {value} of '{path}' does not have datatype {param}.",
    ),
    "NodeKindConstraintComponent": (
        "De waarde {value} van '{path}' is niet van de soort {param}.",
        "The value {value} of '{path}' is not of node kind {param}.",
    ),
    "MinCountConstraintComponent": (
        "'{path}' heeft minstens {param} waarde(n) nodig.",
        "'{path}' needs at least {param} value(s).",
    ),
    "MaxCountConstraintComponent": (
        "'{path}' mag hoogstens {param} waarde(n) hebben.",
        "'{path}' may have at most {param} value(s).",
    ),
    "MinExclusiveConstraintComponent": (
        "De waarde {value} van '{path}' moet groter zijn dan {param}.",
        "The value {value} of '{path}' must be greater than {param}.",
    ),
    "MinInclusiveConstraintComponent": (
        "De waarde {value} van '{path}' moet minstens {param} zijn.",
        "The value {value} of '{path}' must be at least {param}.",
    ),
    "MaxExclusiveConstraintComponent": (
        "De waarde {value} van '{path}' moet kleiner zijn dan {param}.",
        "The value {value} of '{path}' must be less than {param}.",
    ),
    "MaxInclusiveConstraintComponent": (
        "De waarde {value} van '{path}' mag hoogstens {param} zijn.",
        "The value {value} of '{path}' must be at most {param}.",
    ),
    "MinLengthConstraintComponent": (
        "De waarde {value} van '{path}' is korter dan {param} tekens.",
        "The value {value} of '{path}' is shorter than {param} characters.",
    ),
    "MaxLengthConstraintComponent": (
        "De waarde {value} van '{path}' is langer dan {param} tekens.",
        "The value {value} of '{path}' is longer than {param} characters.",
    ),
    "PatternConstraintComponent": (
        "De waarde {value} van '{path}' volgt het patroon {param} niet.",
        "The value {value} of '{path}' does not match the pattern {param}.",
    ),
    "LanguageInConstraintComponent": (
        "De waarde {value} van '{path}' heeft geen toegelaten taalcode ({param}).",
        "The value {value} of '{path}' does not have an allowed language tag ({param}).",
    ),
    "UniqueLangConstraintComponent": (
        "'{path}' heeft meer dan één waarde in dezelfde taal.",
        "'{path}' has more than one value in the same language.",
    ),
    "EqualsConstraintComponent": (
        "De waarden van '{path}' verschillen van die van {param}.",
        "The values of '{path}' differ from those of {param}.",
    ),
    "DisjointConstraintComponent": (
        "De waarde {value} van '{path}' komt ook voor bij {param}.",
        "The value {value} of '{path}' also occurs in {param}.",
    ),
    "LessThanConstraintComponent": (
        "De waarde {value} van '{path}' is niet kleiner dan die van {param}.",
        "The value {value} of '{path}' is not less than that of {param}.",
    ),
    "LessThanOrEqualsConstraintComponent": (
        "De waarde {value} van '{path}' is groter dan die van {param}.",
        "The value {value} of '{path}' is greater than that of {param}.",
    ),
    "NotConstraintComponent": (
        "De waarde {value} voldoet aan een vorm waaraan ze niet mag voldoen.",
        "The value {value} conforms to a shape it must not conform to.",
    ),
    "AndConstraintComponent": (
        "De waarde {value} voldoet niet aan alle vereiste vormen.",
        "The value {value} does not conform to all required shapes.",
    ),
    "OrConstraintComponent": (
        "De waarde {value} voldoet aan geen enkele van de toegelaten vormen.",
        "The value {value} conforms to none of the allowed shapes.",
    ),
    "XoneConstraintComponent": (
        "De waarde {value} voldoet niet aan precies één van de vormen.",
        "The value {value} does not conform to exactly one of the shapes.",
    ),
    "NodeConstraintComponent": (
        "De waarde {value} van '{path}' voldoet niet aan de vereiste vorm {param}.",
        "The value {value} of '{path}' does not conform to the required shape {param}.",
    ),
    "PropertyConstraintComponent": (
        "'{path}' voldoet niet aan de eigenschapsvorm {param}.",
        "'{path}' does not conform to the property shape {param}.",
    ),
    "QualifiedMinCountConstraintComponent": (
        "'{path}' heeft te weinig waarden die aan de gevraagde vorm voldoen (minstens {param}).",
        "'{path}' has too few values that conform to the required shape (at least {param}).",
    ),
    "QualifiedMaxCountConstraintComponent": (
        "'{path}' heeft te veel waarden die aan de gevraagde vorm voldoen (hoogstens {param}).",
        "'{path}' has too many values that conform to the required shape (at most {param}).",
    ),
    "ClosedConstraintComponent": (
        "De eigenschap '{path}' is hier niet toegelaten (gesloten vorm).",
        "The property '{path}' is not allowed here (closed shape).",
    ),
    "HasValueConstraintComponent": (
        "'{path}' moet de waarde {param} hebben.",
        "'{path}' must have the value {param}.",
    ),
    "InConstraintComponent": (
        "De waarde {value} van '{path}' is geen van de toegelaten waarden ({param}).",
        "The value {value} of '{path}' is not one of the allowed values ({param}).",
    ),
    "SPARQLConstraintComponent": (
        "De waarde {value} van '{path}' voldoet niet aan een SPARQL-regel.",
        "The value {value} of '{path}' violates a SPARQL rule.",
    ),
}
_PARAMETERS: dict[str, URIRef] = {
    "ClassConstraintComponent": SH["class"],
    "DatatypeConstraintComponent": SH.datatype,
    "NodeKindConstraintComponent": SH.nodeKind,
    "MinCountConstraintComponent": SH.minCount,
    "MaxCountConstraintComponent": SH.maxCount,
    "MinExclusiveConstraintComponent": SH.minExclusive,
    "MinInclusiveConstraintComponent": SH.minInclusive,
    "MaxExclusiveConstraintComponent": SH.maxExclusive,
    "MaxInclusiveConstraintComponent": SH.maxInclusive,
    "MinLengthConstraintComponent": SH.minLength,
    "MaxLengthConstraintComponent": SH.maxLength,
    "PatternConstraintComponent": SH.pattern,
    "LanguageInConstraintComponent": SH.languageIn,
    "EqualsConstraintComponent": SH.equals,
    "DisjointConstraintComponent": SH.disjoint,
    "LessThanConstraintComponent": SH.lessThan,
    "LessThanOrEqualsConstraintComponent": SH.lessThanOrEquals,
    "NodeConstraintComponent": SH.node,
    "PropertyConstraintComponent": SH.property,
    "QualifiedMinCountConstraintComponent": SH.qualifiedMinCount,
    "QualifiedMaxCountConstraintComponent": SH.qualifiedMaxCount,
    "HasValueConstraintComponent": SH.hasValue,
    "InConstraintComponent": SH["in"],
}


def generate_message(
    component: Node | None,
    shape: Node | None,
    shapes: Graph,
    path: Node | None,
    value: Node | None,
    report_graph: Graph,
    labels: Labels,
) -> Text:
    """A message in nl and en for a result whose shape has no ``sh:message``."""
    name = local_name(component) if isinstance(component, URIRef) else ""
    nl, en = _TEMPLATES.get(
        name,
        (
            "De gegevens voldoen niet aan de vorm ({component}).",
            "The data does not conform to the shape ({component}).",
        ),
    )
    param_text = ""
    param_prop = _PARAMETERS.get(name)
    if param_prop is not None and shape is not None:
        param = shapes.value(shape, param_prop)
        if param is not None and shapes.value(param, RDF.first) is not None:
            param_text = ", ".join(_show(v) for v in Collection(shapes, param))
        elif param is not None:
            param_text = _show(param)
    path_label = labels.path(path, shape, report_graph) if path is not None else None
    values = {
        "param": param_text,
        "value": _show(value) if value is not None else "",
        "component": name,
    }
    return {
        "nl": nl.format(path=(path_label or {}).get("nl", "de eigenschap"), **values),
        "en": en.format(path=(path_label or {}).get("en", "the property"), **values),
    }


_BARE_DATATYPES = frozenset(
    str(XSD[t])
    for t in (
        "integer",
        "decimal",
        "double",
        "float",
        "boolean",
        "int",
        "long",
        "nonNegativeInteger",
    )
)


def _show(term: Node) -> str:
    if isinstance(term, Literal) and str(term.datatype) in _BARE_DATATYPES:
        return str(term)
    if isinstance(term, Literal):
        return f'"{term}"' + (f"@{term.language}" if term.language else "")
    if isinstance(term, BNode):
        return "[]"
    return f"<{term}>"
