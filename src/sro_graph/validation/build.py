"""A :class:`Report` from pySHACL's report graph: labels, messages, initiatives.

Results about nodes that only the store context describes are left out (they belong to the
stored graph, not to what was submitted), and the graph is pruned to match.
"""

from __future__ import annotations

from dataclasses import replace

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from sro_graph.rdfio import RdfFormat, serialize_graph
from sro_graph.validation.elements import initiative_statuses
from sro_graph.validation.hints import help_links, hint_for
from sro_graph.validation.labels import Labels, local_name, render_path, term_text
from sro_graph.validation.messages import result_message
from sro_graph.validation.report import SEVERITIES, Detail, Report, Result
from sro_graph.vocab import RDF, SH, Uris

# A value that has the wrong datatype, node kind or class fails the range, length, pattern
# and list checks of the same property shape as a consequence: one cause, one result.
_ROOT_CAUSES = frozenset(
    f"{SH}{name}ConstraintComponent" for name in ("Datatype", "NodeKind", "Class")
)
_CONSEQUENCES = frozenset(
    f"{SH}{name}ConstraintComponent"
    for name in (
        "MinInclusive",
        "MaxInclusive",
        "MinExclusive",
        "MaxExclusive",
        "MinLength",
        "MaxLength",
        "Pattern",
        "LanguageIn",
        "In",
    )
)
_MAX_DETAIL_DEPTH = 4


def build_report(
    report_graph: Graph,
    *,
    checked: int,
    data: Graph,
    context: Graph | None,
    shapes: Graph,
    vocabulary: Graph,
    uris: Uris,
    data_subjects: set[Node] | None = None,
) -> Report:
    """The :class:`Report` of a pySHACL report graph (changed in place: pruned, and its
    ``sh:conforms`` set as SHACL defines it, false on any result). The report graph keeps
    every result; the report's results name each cause once (see ``_fold``).

    Args:
        checked: how many focus nodes the engine validated.
        data_subjects: the subjects of ``data``, when the caller has them already.
    """
    labels = Labels(data, context, shapes, vocabulary)
    context_only: set[Node] = set()
    if context is not None:
        subjects = data_subjects if data_subjects is not None else set(data.subjects())
        context_only = set(context.subjects()) - subjects
    reports = list(report_graph.subjects(RDF.type, SH.ValidationReport))
    kept: list[tuple[Node, Result]] = []
    dropped: list[Node] = []
    for report_node in reports:
        for node in report_graph.objects(report_node, SH.result):
            focus = report_graph.value(node, SH.focusNode)
            if focus in context_only:
                dropped.append(node)
                continue
            kept.append((node, _result(report_graph, node, labels, shapes, vocabulary, uris)))
    if dropped:
        _prune(report_graph, reports, dropped)
    # SHACL 3.6.1: conforms is false whenever there is a result, warnings and infos included
    # (pySHACL, told to allow warnings, says true); the gate's own decision is Report.accepted.
    conforms = not kept
    for report_node in reports:
        report_graph.set((report_node, SH.conforms, Literal(conforms)))
    results = sorted(_fold([r for _, r in kept]), key=_result_order)
    return Report(
        conforms=conforms,
        checked=checked,
        results=tuple(results),
        initiatives=tuple(initiative_statuses(data, results, shapes, labels, uris)),
        graph_nt=serialize_graph(report_graph, RdfFormat.NTRIPLES),
    )


def _result(
    graph: Graph, node: Node, labels: Labels, shapes: Graph, vocabulary: Graph, uris: Uris
) -> Result:
    focus = graph.value(node, SH.focusNode)
    path = graph.value(node, SH.resultPath)
    value = graph.value(node, SH.value)
    severity = graph.value(node, SH.resultSeverity)
    component = graph.value(node, SH.sourceConstraintComponent)
    shape = graph.value(node, SH.sourceShape)
    severity_name = local_name(severity) if isinstance(severity, URIRef) else "Violation"
    message = result_message(graph, node, shape, component, shapes, path, value, focus, labels)
    details = _details(graph, node, labels, shapes, depth=1)
    return Result(
        focus=term_text(focus) or "",
        focus_label=labels.of(focus),
        path=_path_text(graph, path),
        path_label=labels.path(path, shape, graph),
        value=term_text(value),
        severity=severity_name,
        constraint=str(component) if component is not None else "",
        message=message,
        shape=str(shape) if isinstance(shape, URIRef) else None,
        details=tuple(details),
        hint=hint_for(
            component=component,
            path=path,
            value=value,
            shape=shape,
            detail_components=[URIRef(d.constraint) for d in details],
            shapes=shapes,
            vocabulary=vocabulary,
            uris=uris,
        ),
        help=help_links(path=path, component=component),
    )


def _path_text(graph: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    return render_path(graph, path)


def _details(
    graph: Graph, node: Node, labels: Labels, shapes: Graph, *, depth: int
) -> list[Detail]:
    """The causes of a result (``sh:detail``, nested ones flattened), deepest last."""
    found: list[tuple[Detail, list[Detail]]] = []
    if depth > _MAX_DETAIL_DEPTH:
        return []
    for detail in graph.objects(node, SH.detail):
        path = graph.value(detail, SH.resultPath)
        value = graph.value(detail, SH.value)
        component = graph.value(detail, SH.sourceConstraintComponent)
        shape = graph.value(detail, SH.sourceShape)
        focus = graph.value(detail, SH.focusNode)
        cause = Detail(
            path=_path_text(graph, path),
            value=term_text(value) if not isinstance(value, BNode) else None,
            constraint=str(component) if component is not None else "",
            message=result_message(
                graph, detail, shape, component, shapes, path, value, focus, labels
            ),
        )
        found.append((cause, _details(graph, detail, labels, shapes, depth=depth + 1)))
    # Blank-node labels differ from run to run: order by what the causes say.
    found.sort(
        key=lambda pair: (
            pair[0].path or "",
            pair[0].constraint,
            pair[0].value or "",
            pair[0].message.get("en", ""),
        )
    )
    return [d for cause, nested in found for d in (cause, *nested)]


def _fold(results: list[Result]) -> list[Result]:
    """One result per cause: a range, length, pattern or list failure of a value whose
    datatype, node kind or class is already wrong (same focus, path, value and shape) is
    folded into that result's ``also``."""
    roots: dict[tuple[str, str | None, str | None, str | None], int] = {}
    for index, r in enumerate(results):
        if r.constraint in _ROOT_CAUSES and r.value is not None:
            roots.setdefault((r.focus, r.path, r.value, r.shape), index)
    also: dict[int, list[str]] = {}
    folded: set[int] = set()
    for index, r in enumerate(results):
        root = roots.get((r.focus, r.path, r.value, r.shape))
        if root is not None and r.constraint in _CONSEQUENCES:
            also.setdefault(root, []).append(r.constraint)
            folded.add(index)
    out: list[Result] = []
    for index, r in enumerate(results):
        if index in folded:
            continue
        if index in also:
            r = replace(r, also=tuple(sorted(set(also[index]))))
        out.append(r)
    return out


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
