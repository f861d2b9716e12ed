"""What the catalogue reads from the store: change times, graph membership, agents, schemes.

All SPARQL is in ``rq/catalog-*.rq``. **Last-change times**: a dataset's time is the latest
change time of the named graphs that hold its statements. Base-knowledge graphs carry their
load time in the system graph (``urn:sro-graph:loadedAt``, written by ``knowledge.py`` only
when a file's content changed); submission graphs take the PROV times of the records and
revisions that point to them with ``prov:atLocation`` (``submissions.py``). A withdrawn
submission (records left, graph gone) counts as a change. The catalogue never uses "now".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from rdflib import Literal
from rdflib.term import Node

from sro_graph import rq
from sro_graph.catalog.describe import AgentInfo
from sro_graph.store import Store
from sro_graph.vocab import Uris

__all__ = ["Scheme", "StoreState", "parse_time", "read_agents", "read_schemes", "read_state"]


@dataclass(frozen=True)
class StoreState:
    """Which graphs hold which part of our datasets, and when each graph last changed."""

    graph_times: dict[str, datetime]
    members: dict[str, frozenset[str]]
    withdrawn: frozenset[str]

    @property
    def first_fill(self) -> datetime:
        """The store's first fill: the time of a dataset that has no statements yet."""
        return min(self.graph_times.values(), default=datetime(1970, 1, 1, tzinfo=UTC))

    def changed(self, graphs: frozenset[str], *, with_withdrawn: bool = False) -> datetime:
        """The latest change of ``graphs`` (and of withdrawn submissions, if asked)."""
        times = [self.graph_times[g] for g in graphs if g in self.graph_times]
        if with_withdrawn:
            times += [self.graph_times[g] for g in self.withdrawn]
        return max(times, default=self.first_fill)

    def stamp(self, graphs: frozenset[str], *, with_withdrawn: bool = False) -> list[str]:
        """Graph names with their change times: what a fingerprint is made of."""
        chosen = set(graphs) | (set(self.withdrawn) if with_withdrawn else set())
        return [f"{g} {self.graph_times.get(g, '')}" for g in chosen]


@dataclass(frozen=True)
class Scheme:
    """A concept scheme: its titles, definitions and statements (its concepts' included)."""

    iri: str
    titles: tuple[Literal, ...]
    definitions: tuple[Literal, ...]
    triples: tuple[tuple[Node, Node, Node], ...]


def read_state(store: Store, uris: Uris) -> StoreState:
    """Graph change times, the graphs behind each of our datasets, withdrawn submissions."""
    rows = [
        *store.select(rq.load("catalog-load-times"), bindings={"system": uris.system_graph}),
        *store.select(
            rq.load("catalog-provenance-times"), bindings={"provenance": uris.provenance_graph}
        ),
    ]
    times: dict[str, datetime] = {}
    for row in rows:
        when = parse_time(row["time"])
        graph = str(row["graph"])
        if when is not None and (graph not in times or when > times[graph]):
            times[graph] = when
    members: dict[str, set[str]] = defaultdict(set)
    for row in store.select(rq.based("catalog-graph-members", uris.base)):
        key = str(row["kind"])
        if key == "scheme":
            key = "scheme:" + str(row["scheme"])
        members[key].add(str(row["g"]))
    existing = store.graph_names()
    withdrawn = frozenset(
        g for g in times if g.startswith(f"{uris.base}/graph/inzending/") and g not in existing
    )
    return StoreState(times, {k: frozenset(v) for k, v in members.items()}, withdrawn)


def read_agents(store: Store, uris: Uris) -> dict[str, AgentInfo]:
    """Every organisation or body with what a publisher and contact point need."""
    agents: dict[str, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for row in store.select(rq.based("catalog-agents", uris.base)):
        agents[str(row["agent"])][str(row["key"])].append(row["value"])
    # In a stable order, so that two reads of unchanged data compare equal (catalog.reuse).
    return {
        agent: {key: sorted(values, key=_term_order) for key, values in info.items()}
        for agent, info in sorted(agents.items())
    }


def _term_order(term: Node) -> tuple[str, str]:
    return (type(term).__name__, term.n3())


def read_schemes(store: Store) -> list[Scheme]:
    """Every concept scheme with its statements, in IRI order."""
    info: dict[str, dict[str, list[Literal]]] = defaultdict(lambda: defaultdict(list))
    for row in store.select(rq.load("catalog-schemes")):
        entry = info[str(row["scheme"])]
        for key in ("title", "definition"):
            value = row.get(key)
            if isinstance(value, Literal) and value not in entry[key]:
                entry[key].append(value)
    triples: dict[str, list[tuple[Node, Node, Node]]] = defaultdict(list)
    for row in store.select(rq.load("catalog-dump-scheme")):
        triples[str(row["scheme"])].append((row["s"], row["p"], row["o"]))
    return [
        Scheme(
            iri=iri,
            titles=tuple(info[iri]["title"]),
            definitions=tuple(info[iri]["definition"]),
            triples=tuple(dict.fromkeys(triples[iri])),
        )
        for iri in sorted(info)
    ]


def parse_time(value: Node) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
