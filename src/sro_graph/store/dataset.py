"""The dataset of a query as pyoxigraph options: given graphs exactly, or the union default."""

from __future__ import annotations

import pyoxigraph as ox


def dataset_options(
    default_graphs: list[str] | None, named_graphs: list[str] | None
) -> dict[str, object]:
    """pyoxigraph's query options for a dataset given as SPARQL Protocol parameters.

    With either list given, the dataset is exactly those graphs (the other part empty, as in
    Protocol §2.1.4; a graph the store lacks is an empty graph, never fetched), and it
    overrides the query's FROM / FROM NAMED: the caller passes those here when the protocol
    gives none. With neither, the service's default dataset: the union of all named graphs
    as the default graph, every named graph for GRAPH.
    """
    if not default_graphs and not named_graphs:
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [ox.NamedNode(g) for g in default_graphs or ()],
        "named_graphs": [ox.NamedNode(g) for g in named_graphs or ()],
    }
