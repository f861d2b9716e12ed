"""A :class:`Report` from pySHACL's report graph: labels, messages, initiatives.

Results about nodes that only the store context describes are left out (they belong to the
stored graph, not to what was submitted), and the graph is pruned to match.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from sro_graph.rdfio import RdfFormat, serialize_graph
from sro_graph.validation.elements import initiative_statuses
from sro_graph.validation.labels import Labels, local_name, render_path, term_text
from sro_graph.validation.messages import result_message
from sro_graph.validation.report import SEVERITIES, Report, Result
from sro_graph.vocab import RDF, SH, Uris


def build_report(
    report_graph: Graph,
    *,
    checked: int,
    data: Graph,
    context: Graph | None,
    shapes: Graph,
    vocabulary: Graph,
    uris: Uris,
) -> Report:
    """The :class:`Report` of a pySHACL report graph (changed in place: pruned, and its
    ``sh:conforms`` set as SHACL defines it, false on any result).

    Args:
        checked: how many focus nodes the engine validated.
    """
    labels = Labels(data, context, shapes, vocabulary)
    context_only: set[Node] = set()
    if context is not None:
        context_only = set(context.subjects()) - set(data.subjects())
    reports = list(report_graph.subjects(RDF.type, SH.ValidationReport))
    kept: list[tuple[Node, Result]] = []
    dropped: list[Node] = []
    for report_node in reports:
        for node in report_graph.objects(report_node, SH.result):
            focus = report_graph.value(node, SH.focusNode)
            if focus in context_only:
                dropped.append(node)
                continue
            kept.append((node, _result(report_graph, node, labels, shapes)))
    if dropped:
        _prune(report_graph, reports, dropped)
    # SHACL 3.6.1: conforms is false whenever there is a result, warnings and infos included
    # (pySHACL, told to allow warnings, says true); the gate's own decision is Report.accepted.
    conforms = not kept
    for report_node in reports:
        report_graph.set((report_node, SH.conforms, Literal(conforms)))
    results = sorted((r for _, r in kept), key=_result_order)
    return Report(
        conforms=conforms,
        checked=checked,
        results=tuple(results),
        initiatives=tuple(initiative_statuses(data, results, shapes, labels, uris)),
        graph_nt=serialize_graph(report_graph, RdfFormat.NTRIPLES),
    )


def _result(graph: Graph, node: Node, labels: Labels, shapes: Graph) -> Result:
    focus = graph.value(node, SH.focusNode)
    path = graph.value(node, SH.resultPath)
    value = graph.value(node, SH.value)
    severity = graph.value(node, SH.resultSeverity)
    component = graph.value(node, SH.sourceConstraintComponent)
    shape = graph.value(node, SH.sourceShape)
    severity_name = local_name(severity) if isinstance(severity, URIRef) else "Violation"
    path_text: str | None
    if path is None:
        path_text = None
    elif isinstance(path, URIRef):
        path_text = str(path)
    else:
        path_text = render_path(graph, path)
    message = result_message(graph, node, shape, component, shapes, path, value, focus, labels)
    return Result(
        focus=term_text(focus) or "",
        focus_label=labels.of(focus),
        path=path_text,
        path_label=labels.path(path, shape, graph),
        value=term_text(value),
        severity=severity_name,
        constraint=str(component) if component is not None else "",
        message=message,
        shape=str(shape) if isinstance(shape, URIRef) else None,
    )


def _result_order(r: Result) -> tuple[int, str, str, str, str, str]:
    return (
        SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9,
        r.focus,
        r.path or "",
        r.constraint,
        r.value or "",
        r.message["en"],
    )


def _prune(graph: Graph, reports: list[Node], dropped: list[Node]) -> None:
    stack = list(dropped)
    for node in dropped:
        for report_node in reports:
            graph.remove((report_node, SH.result, node))
    seen: set[Node] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, _, obj in list(graph.triples((node, None, None))):
            if isinstance(obj, BNode) and not any(
                s not in seen and s != node for s in graph.subjects(None, obj)
            ):
                stack.append(obj)
        graph.remove((node, None, None))
