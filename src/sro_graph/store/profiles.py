"""What differs between remote SPARQL stores, named once per kind of store.

A :class:`RemoteProfile` says how to ask a store for its union default graph and a server-side
time limit, whether it applies a whole update request as one transaction, and how much data it
takes inline in one operation. ``detect_kind`` reads the ``Server`` header of a store's answer,
so ``SRO_STORE_KIND=auto`` (the default) picks the profile itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sro_graph.formats import ResultFormat

StoreKind = Literal["auto", "oxigraph", "virtuoso", "generic"]


@dataclass(frozen=True)
class RemoteProfile:
    kind: str
    # Query parameter asking for the union of all graphs as the default graph, when the store
    # does not query the union already.
    union_param: str | None = None
    # Query parameter of a server-side time limit, and its unit.
    timeout_param: str | None = None
    timeout_unit: Literal["s", "ms"] = "s"
    # True when the store applies a whole update request as one transaction (SPARQL 1.1
    # Update §2.2 says SHOULD); False when each operation commits on its own (Virtuoso).
    atomic_requests: bool = True
    # Most triples one update operation may carry inline; larger writes go through staging
    # graphs loaded with the Graph Store Protocol. None: no limit.
    inline_limit: int | None = None
    # Path of the Graph Store Protocol endpoint, relative to the query endpoint's folder.
    graph_store_path: str | None = None
    # Graphs the store keeps for itself: not sro-graph's data, never listed, dumped or dropped.
    own_graph_prefixes: tuple[str, ...] = ()
    # The results format to read answers in, and formats the store writes off the standard:
    # Virtuoso's SPARQL JSON from sub-queries types blank nodes "uri" ("_:vb…"), puts
    # language tags under "lang" and numbers as JSON numbers; its SPARQL XML is sound.
    results_media: str = ResultFormat.JSON
    unreliable_media: tuple[str, ...] = ()
    # Prefix the store puts before blank node labels in SPARQL XML (Virtuoso: "nodeID://").
    bnode_label_prefix: str | None = None
    # True when the store fills a dataset part the protocol leaves out with its default
    # (Virtuoso: default-graph-uri alone keeps every named graph for GRAPH); such a part is
    # then sent as one graph that never holds data.
    fills_missing_dataset_part: bool = False
    # True when the store reads only the first type of an Accept header (Virtuoso: a
    # CONSTRUCT asked "results;q=0.9, n-triples;q=0.8" is 406).
    single_accept: bool = False


PROFILES: dict[str, RemoteProfile] = {
    # Oxigraph server: transactional requests; queries its default graph unless asked.
    "oxigraph": RemoteProfile(
        "oxigraph", union_param="union-default-graph", graph_store_path="store"
    ),
    # Virtuoso 7: the default graph is already the union (with Virtuoso's own graphs: its
    # RDF-view schema, LDP terms and service description, ~2,500 triples);
    # ``timeout`` in ms makes an "anytime" query that answers partial results with
    # ``X-SQL-State: S1TAT``; each operation is its own transaction; the SPARQL compiler
    # refuses operations of more than ~1,000 constant triples (SP031, SP030).
    "virtuoso": RemoteProfile(
        "virtuoso",
        timeout_param="timeout",
        timeout_unit="ms",
        atomic_requests=False,
        inline_limit=400,
        graph_store_path="sparql-graph-crud",
        own_graph_prefixes=(
            "http://www.openlinksw.com/schemas/virtrdf#",
            "http://www.w3.org/ns/ldp#",
            "http://localuriqaserver/",
            "http://localhost:8890/",
        ),
        results_media=ResultFormat.XML,
        unreliable_media=(ResultFormat.JSON, ResultFormat.TSV),
        single_accept=True,
        bnode_label_prefix="nodeID://",
        fills_missing_dataset_part=True,
    ),
    # Fuseki, GraphDB and others: the SPARQL 1.1 standard and nothing more. Configure the
    # store's default graph as the union of the named graphs (Fuseki: tdb2:unionDefaultGraph).
    "generic": RemoteProfile("generic"),
}


def detect_kind(server_header: str) -> str:
    """The profile name for a store answering with this ``Server`` header."""
    server = server_header.lower()
    if "virtuoso" in server:
        return "virtuoso"
    if "oxigraph" in server:
        return "oxigraph"
    return "generic"
