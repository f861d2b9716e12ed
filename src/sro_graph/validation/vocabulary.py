"""The vocabulary check: every term in a namespace sro-graph owns or reuses must exist.

SHACL only checks what its shapes target, so a typo (``sr:buget``, ``a sr:SmartcityInitiatief``)
or data on another base passes it unseen. This check reads every IRI of the submitted data: a
term in a checked namespace (``sr:`` from ``ontology/``, the reused vocabularies listed in
``vocabularies/SOURCES.md``) that the vocabulary does not define is reported with the closest
known term; so is a class used as a property and the other way round, and our own vocabulary
on another base. Findings become SHACL-like results (our own constraint components, severity
Violation) in the report graph, so they render like every other result.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from sro_graph.rdfio import UndefinedTerm
from sro_graph.vocab import RDF, RDFS, SH, Uris, official_prefixes

CLASS, PROPERTY, OTHER = "class", "property", "other"
_KINDS = {str(RDFS.Class): CLASS, str(RDF.Property): PROPERTY, str(RDFS.Resource): OTHER}
_OWN_CLASS_TYPES = frozenset(
    str(t) for t in (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class"), RDFS.Datatype)
)
_OWN_PROPERTY_TYPES = frozenset(
    f"http://www.w3.org/2002/07/owl#{name}"
    for name in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty")
) | {str(RDF.Property)}

# Bounds on what one report says: the gate refuses at the first finding anyway, and each
# suggestion compares a term with every term of its namespace.
MAX_FINDINGS = 200
MAX_SUGGESTED = 50
_RDF_MEMBER = re.compile(r"http://www\.w3\.org/1999/02/22-rdf-syntax-ns#_[1-9][0-9]*")


@dataclass(frozen=True)
class Vocabulary:
    """The checked namespaces with their terms (IRI → kind), and display prefixes."""

    terms: dict[str, str]
    namespaces: tuple[str, ...]
    prefixes: dict[str, str]
    own_namespace: str
    _by_namespace: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def namespace_of(self, iri: str) -> str | None:
        for namespace in self.namespaces:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return namespace
        return None

    def show(self, iri: str) -> str:
        """``sr:budget`` for a term of a known prefix, else ``<iri>``."""
        for prefix, namespace in self.prefixes.items():
            local = iri.removeprefix(namespace)
            if local != iri and local and all(c.isalnum() or c in "_-." for c in local):
                return f"{prefix}:{local}"
        return f"<{iri}>"

    def closest(self, iri: str, kind: str | None) -> str | None:
        """The known term nearest to ``iri``: same namespace first (a case slip, then a
        near spelling), else the same local name in another checked namespace."""
        namespace = self.namespace_of(iri)
        local = iri[len(namespace) :] if namespace else _local(iri)
        candidates = self._candidates(namespace, kind) if namespace else ()
        lowered = {c.lower(): c for c in candidates}
        if local.lower() in lowered:
            return f"{namespace}{lowered[local.lower()]}"
        near = difflib.get_close_matches(local, candidates, n=1, cutoff=0.75)
        if near:
            return f"{namespace}{near[0]}"
        for other in self.namespaces:
            if other == namespace:
                continue
            for candidate in self._candidates(other, kind):
                if candidate.lower() == local.lower():
                    return f"{other}{candidate}"
        return None

    def _candidates(self, namespace: str | None, kind: str | None) -> tuple[str, ...]:
        if namespace is None:
            return ()
        names = self._by_namespace.get(namespace, ())
        if kind is None:
            return names
        return tuple(n for n in names if self.terms.get(namespace + n) in (kind, OTHER))


def load_vocabulary(ontology: Graph, uris: Uris) -> Vocabulary:
    """The project's own terms (from the ontology graph) plus the shipped reused term lists."""
    terms: dict[str, str] = {}
    folder = resources.files(__package__).joinpath("vocabularies")
    namespaces: set[str] = set()
    for entry in folder.iterdir():
        if not entry.name.endswith(".nt"):
            continue
        for triple in ox.parse(entry.read_bytes(), format=ox.RdfFormat.N_TRIPLES):
            assert isinstance(triple.subject, ox.NamedNode)
            assert isinstance(triple.object, ox.NamedNode)
            terms[triple.subject.value] = _KINDS.get(triple.object.value, OTHER)
        prefix = entry.name.removesuffix(".nt")
        namespaces.add(official_prefixes()[prefix])
    own = str(uris.sr)
    namespaces.add(own)
    for subject in set(ontology.subjects()):
        iri = str(subject)
        if isinstance(subject, URIRef) and iri.startswith(own) and len(iri) > len(own):
            types = {str(t) for t in ontology.objects(subject, RDF.type)}
            if types & _OWN_CLASS_TYPES:
                terms[iri] = CLASS
            elif types & _OWN_PROPERTY_TYPES:
                terms[iri] = PROPERTY
            else:
                terms[iri] = OTHER
    ordered = tuple(sorted(namespaces, key=len, reverse=True))  # longest match first
    by_namespace: dict[str, list[str]] = {}
    for iri in terms:
        for namespace in ordered:
            if iri.startswith(namespace):
                by_namespace.setdefault(namespace, []).append(iri[len(namespace) :])
                break
    return Vocabulary(
        terms=terms,
        namespaces=ordered,
        prefixes={**official_prefixes(), "sr": own},
        own_namespace=own,
        _by_namespace={ns: tuple(sorted(names)) for ns, names in by_namespace.items()},
    )


PositionedTerm = tuple[Node, "URIRef | None", URIRef, "str | None"]
"""(focus, path, term, kind): where a term occurs."""


@dataclass(frozen=True)
class Finding:
    """One term problem: where it is, which term, what it should probably be."""

    focus: Node
    path: URIRef | None
    term: URIRef
    problem: str  # "unknown", "not-a-property", "not-a-class", "other-base"
    suggestion: str | None


def find_term_problems(
    data: Graph | list[tuple[Node, Node, Node]], vocabulary: Vocabulary
) -> list[Finding]:
    """Every unknown or misused term of the checked namespaces in ``data`` (bounded)."""
    findings: list[Finding] = []
    seen: set[tuple[Node, URIRef | None, URIRef]] = set()
    suggested: dict[tuple[str, str | None], str | None] = {}

    def suggest(term: URIRef, kind: str | None) -> str | None:
        key = (str(term), kind)
        if key not in suggested:
            suggested[key] = (
                vocabulary.closest(str(term), kind) if len(suggested) < MAX_SUGGESTED else None
            )
        return suggested[key]

    status: dict[str, tuple[str, str | None] | None] = {}

    def problem_of(iri: str, kind: str | None) -> tuple[str, str | None] | None:
        """(problem, suggestion) for a term in a position, None when it is fine."""
        key = f"{kind}|{iri}"
        if key in status:
            return status[key]
        found: tuple[str, str | None] | None = None
        expanded = _undeclared_prefix(iri, vocabulary)
        other_base = _other_base(iri, vocabulary)
        if expanded is not None:
            known_expansion = (
                expanded in vocabulary.terms or vocabulary.namespace_of(expanded) is None
            )
            meant = expanded if known_expansion else suggest(URIRef(expanded), kind) or expanded
            found = ("undeclared-prefix", meant)
        elif other_base is not None:
            found = ("other-base", other_base)
        elif vocabulary.namespace_of(iri) is not None:
            known = vocabulary.terms.get(iri)
            if known is None and not _RDF_MEMBER.fullmatch(iri):
                found = ("unknown", suggest(URIRef(iri), kind))
            elif kind == PROPERTY and known == CLASS:
                found = ("not-a-property", suggest(URIRef(iri), kind))
            elif kind == CLASS and known == PROPERTY:
                found = ("not-a-class", suggest(URIRef(iri), kind))
        status[key] = found
        return found

    def report(focus: Node, path: URIRef | None, term: URIRef, kind: str | None) -> None:
        if (focus, path, term) in seen or len(findings) >= MAX_FINDINGS:
            return
        found = problem_of(str(term), kind)
        if found is not None:
            seen.add((focus, path, term))
            findings.append(Finding(focus, path, term, found[0], found[1]))

    def positions(triples: Iterable[tuple[Node, Node, Node]]) -> Iterator[PositionedTerm]:
        for subject, predicate, obj in triples:
            path = predicate if isinstance(predicate, URIRef) else None
            if isinstance(subject, URIRef):
                yield subject, None, subject, None
            if path is not None:
                yield subject, path, path, PROPERTY
            if isinstance(obj, URIRef):
                yield subject, path, obj, CLASS if predicate == RDF.type else None

    triples = data if isinstance(data, list) else list(data)
    # Most data has no problem: judge each distinct term once, then look for the places of
    # the bad ones only.
    distinct = {(str(term), kind) for _, _, term, kind in positions(triples)}
    bad = {key for key in distinct if problem_of(*key) is not None}
    if not bad:
        return []
    for focus, path, term, kind in positions(triples):
        if (str(term), kind) in bad:
            report(focus, path, term, kind)
    return sorted(findings, key=lambda f: (str(f.focus), str(f.path), str(f.term)))


def _undeclared_prefix(iri: str, vocabulary: Vocabulary) -> str | None:
    """``sr:budget`` read as an IRI (a JSON-LD key or ``<sr:budget>`` without the prefix
    declared): the full IRI the author meant."""
    scheme, sep, rest = iri.partition(":")
    if not sep or rest.startswith("//") or scheme not in vocabulary.prefixes:
        return None
    return vocabulary.prefixes[scheme] + rest


def _other_base(iri: str, vocabulary: Vocabulary) -> str | None:
    """Our own vocabulary on another base: the same term on this deployment's base."""
    marker = "/ns/smartregio#"
    if marker not in iri or iri.startswith(vocabulary.own_namespace):
        return None
    return vocabulary.own_namespace + iri.split(marker, 1)[1]


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] or iri
    return iri


@dataclass(frozen=True)
class ComponentIris:
    """Our own constraint components and the shape our results name (base-dependent)."""

    unknown_term: URIRef
    nothing_checked: URIRef
    undefined_jsonld_term: URIRef
    shape: URIRef

    @classmethod
    def for_uris(cls, uris: Uris) -> ComponentIris:
        return cls(
            unknown_term=uris.sr.UnknownTermConstraintComponent,
            nothing_checked=uris.sr.NothingCheckedConstraintComponent,
            undefined_jsonld_term=uris.sr.UndefinedJsonLdTermConstraintComponent,
            shape=URIRef(f"{uris.base}/ns/smartregio/shapes#Woordenschat"),
        )


def add_result(
    report: Graph,
    *,
    focus: Node,
    path: Node | None,
    value: Node | None,
    component: URIRef,
    shape: URIRef,
    message: tuple[str, str],
) -> None:
    """Add one Violation to the ``sh:ValidationReport`` of ``report``; ``sh:conforms`` false."""
    nodes = list(report.subjects(RDF.type, SH.ValidationReport))
    if nodes:
        report_node = nodes[0]
    else:
        report_node = BNode()
        report.add((report_node, RDF.type, SH.ValidationReport))
    result = BNode()
    report.add((report_node, SH.result, result))
    report.set((report_node, SH.conforms, Literal(False)))
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, focus))
    if path is not None:
        report.add((result, SH.resultPath, path))
    if value is not None:
        report.add((result, SH.value, value))
    report.add((result, SH.resultSeverity, SH.Violation))
    report.add((result, SH.sourceConstraintComponent, component))
    report.add((result, SH.sourceShape, shape))
    report.add((result, SH.resultMessage, Literal(message[0], lang="nl")))
    report.add((result, SH.resultMessage, Literal(message[1], lang="en")))


def term_message(finding: Finding, vocabulary: Vocabulary) -> tuple[str, str]:
    """The Dutch and English message of a finding."""
    term = vocabulary.show(str(finding.term))
    hint = vocabulary.show(finding.suggestion) if finding.suggestion else None
    if finding.problem == "undeclared-prefix":
        prefix = str(finding.term).partition(":")[0]
        return (
            f"<{finding.term}> gebruikt het voorvoegsel '{prefix}' zonder het te declareren "
            f"(in JSON-LD: in de @context); bedoeld is waarschijnlijk {hint}.",
            f"<{finding.term}> uses the prefix '{prefix}' without declaring it (in JSON-LD: in "
            f"the @context); it probably means {hint}.",
        )
    if finding.problem == "other-base":
        base = vocabulary.own_namespace
        return (
            f"{term} is het Smart Region-vocabularium op een andere basis; hier is dat <{base}>: "
            f"gebruik {hint}.",
            f"{term} is the Smart Region vocabulary on another base; here it is <{base}>: "
            f"use {hint}.",
        )
    if finding.problem == "not-a-property":
        nl, en = f"{term} is een klasse, geen eigenschap", f"{term} is a class, not a property"
    elif finding.problem == "not-a-class":
        nl, en = f"{term} is een eigenschap, geen klasse", f"{term} is a property, not a class"
    else:
        nl = f"{term} is geen term van het vocabularium"
        en = f"{term} is not a term of the vocabulary"
    if hint:
        return f"{nl}; bedoelde u {hint}?", f"{en}; did you mean {hint}?"
    return f"{nl}.", f"{en}."


def add_term_results(
    report: Graph, findings: Iterable[Finding], vocabulary: Vocabulary, iris: ComponentIris
) -> None:
    """The findings as results of ``report``."""
    for finding in findings:
        add_result(
            report,
            focus=finding.focus,
            path=finding.path,
            value=finding.term,
            component=iris.unknown_term,
            shape=iris.shape,
            message=term_message(finding, vocabulary),
        )


def add_nothing_checked(
    report: Graph, data: Graph, targeted: Iterable[str], vocabulary: Vocabulary, iris: ComponentIris
) -> None:
    """The data describes nothing that the shapes validate: one Violation, never "conforms".

    The result's focus is the data's first subject (in IRI order), its value that subject's
    type if it has one.
    """
    subjects = sorted(set(data.subjects()), key=str)
    if not subjects:
        return
    focus = subjects[0]
    classes = ", ".join(sorted(vocabulary.show(c) for c in targeted)[:6])
    add_result(
        report,
        focus=focus,
        path=None,
        value=data.value(focus, RDF.type),
        component=iris.nothing_checked,
        shape=iris.shape,
        message=(
            f"De gegevens beschrijven niets van een klasse die hier gevalideerd wordt ({classes}): "
            "er werd niets gecontroleerd. Geef elk ding een rdf:type uit het vocabularium.",
            f"The data describes nothing of a class validated here ({classes}): nothing was "
            "checked. Give every thing an rdf:type from the vocabulary.",
        ),
    )


def add_undefined_jsonld_terms(
    report: Graph, terms: Iterable[UndefinedTerm], vocabulary: Vocabulary, iris: ComponentIris
) -> None:
    """JSON-LD keys (and ``@type`` values) that the context did not expand: Violations."""
    for term in list(terms)[:MAX_FINDINGS]:
        guess = vocabulary.closest(
            vocabulary.own_namespace + term.key, CLASS if term.as_type else PROPERTY
        )
        hint_nl = f"; bedoelde u {vocabulary.show(guess)}?" if guess else "."
        hint_en = f"; did you mean {vocabulary.show(guess)}?" if guess else "."
        if term.as_type:
            message = (
                f"Het JSON-LD-type '{term.key}' staat niet in de @context en wordt geen term van "
                f"een vocabularium{hint_nl}",
                f"The JSON-LD type '{term.key}' is not in the @context and names no vocabulary "
                f"term{hint_en}",
            )
        else:
            message = (
                f"De JSON-LD-sleutel '{term.key}' staat niet in de @context en werd genegeerd"
                f"{hint_nl}",
                f"The JSON-LD key '{term.key}' is not in the @context and was dropped{hint_en}",
            )
        add_result(
            report,
            focus=term.subject,
            path=None,
            value=Literal(term.key),
            component=iris.undefined_jsonld_term,
            shape=iris.shape,
            message=message,
        )
