"""Batch validation: a large graph cut into chunks that validate like separate submissions.

Each subject is validated once, in one chunk, seeing the data reachable from it and the
minimal store context of what it references; the chunks' reports are merged into one.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.term import Node

from sro_graph.validation.engine import Triple
from sro_graph.vocab import RDF, SH


def partition(
    data: Iterable[Triple],
    context: Graph,
    chunk_size: int,
) -> list[tuple[list[Triple], list[Triple]]]:
    """``data`` cut into chunks of about ``chunk_size`` subjects, for batch validation.

    Each chunk is ``(own, seen)``: ``own`` holds the triples of the subjects validated in this
    chunk (every subject of ``data`` is in exactly one chunk, grouped with what it reaches),
    ``seen`` the other data reachable from them (e.g. a shared organisation) and the
    ``context`` triples of the IRIs they reference: each chunk is validated like a submission
    with its store context.
    """
    by_subject: dict[Node, list[Triple]] = {}
    for triple in data:
        by_subject.setdefault(triple[0], []).append(triple)
    reach: dict[Node, list[Node]] = {}

    def reachable(start: Node) -> list[Node]:
        found = reach.get(start)
        if found is None:
            seen, order, stack = {start}, [start], [start]
            while stack:
                for _, _, obj in by_subject.get(stack.pop(), ()):
                    if obj in by_subject and obj not in seen:
                        seen.add(obj)
                        order.append(obj)
                        stack.append(obj)
            found = reach[start] = order
        return found

    subjects = sorted(by_subject, key=str)
    referenced = {t[2] for ts in by_subject.values() for t in ts if t[2] in by_subject}
    assigned: set[Node] = set()
    groups: list[list[Node]] = []
    for start in [s for s in subjects if s not in referenced] + subjects:  # roots first
        if start in assigned:
            continue
        group = [n for n in reachable(start) if n not in assigned]
        assigned.update(group)
        if groups and len(groups[-1]) < chunk_size:
            groups[-1].extend(group)
        else:
            groups.append(group)
    chunks: list[tuple[list[Triple], list[Triple]]] = []
    for group in groups:
        own_set = set(group)
        own = [t for subject in group for t in by_subject[subject]]
        others = {n for subject in group for n in reachable(subject)} - own_set
        seen = [t for subject in others for t in by_subject[subject]]
        leaves = {t[2] for t in own + seen if isinstance(t[2], URIRef)} - by_subject.keys()
        seen.extend(t for leaf in leaves for t in context.triples((leaf, None, None)))
        chunks.append((own, seen))
    return chunks


def merge_reports(reports: list[Graph]) -> Graph:
    """The chunks' report graphs as one graph with one ``sh:ValidationReport`` (its
    ``sh:conforms`` is set when the report is built)."""
    merged = Graph()
    for report in reports:
        for triple in report:
            merged.add(triple)
    nodes = list(merged.subjects(RDF.type, SH.ValidationReport))
    if len(nodes) > 1:
        keep = nodes[0]
        for other in nodes[1:]:
            for result in list(merged.objects(other, SH.result)):
                merged.add((keep, SH.result, result))
            merged.remove((other, None, None))
    return merged
