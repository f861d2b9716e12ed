"""Recording version objects: what one write adds to the change stream.

The stream's members are the initiatives, organisations and bodies. For every named graph a
write replaces, drops or changes, each member whose statements changed gets a new version
object (its statements, a content hash, the write's time and the next sequence number), and
each member that left the graph gets a tombstone. Version objects are kept in the store, in
the stream's own graph, as literals (``urn:sro-graph:ldes:*`` bookkeeping: the members'
types never leak into the union default graph); they are never changed afterwards.

Times never go backwards: a version is stamped with the write's time, or a microsecond after
the stream's last time when the clock is behind it (another process, a clock step), so the
stream's time order and sequence order agree and its fragments' time relations hold.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from sro_graph import rq
from sro_graph.store import GraphWrite, Store
from sro_graph.vocab import ORG, RDF, XSD, Uris

__all__ = [
    "BOOK",
    "Head",
    "Recorder",
    "content_hash",
    "ldes_graph",
    "member_contents",
    "ntriples",
]

BOOK = "urn:sro-graph:ldes"
ENTITY = URIRef(BOOK + ":entity")
SEQUENCE = URIRef(BOOK + ":sequence")
TIME = URIRef(BOOK + ":time")
HASH = URIRef(BOOK + ":hash")
CONTENT = URIRef(BOOK + ":content")
DELETED = URIRef(BOOK + ":deleted")
SOURCE = URIRef(BOOK + ":source")
STORE_VERSION = URIRef(BOOK + ":storeVersion")
RECORDER = URIRef(BOOK)

Triple = tuple[Node, Node, Node]


def ldes_graph(uris: Uris) -> URIRef:
    """The named graph holding the change stream's version objects."""
    return uris.change_stream_graph


def member_classes(uris: Uris) -> frozenset[URIRef]:
    return frozenset(
        {uris.sr.SmartCityInitiatief, ORG.Organization, ORG.OrganizationalCollaboration}
    )


def member_contents(triples: Iterable[Triple], uris: Uris) -> dict[URIRef, list[Triple]]:
    """The statements of every member in ``triples`` (with its blank nodes, one level)."""
    by_subject: dict[Node, list[Triple]] = defaultdict(list)
    for triple in triples:
        by_subject[triple[0]].append(triple)
    classes = member_classes(uris)
    out: dict[URIRef, list[Triple]] = {}
    for subject, own in by_subject.items():
        if not isinstance(subject, URIRef):
            continue
        if not any(p == RDF.type and o in classes for _, p, o in own):
            continue
        content = list(own)
        for _, _, o in own:
            if isinstance(o, BNode):
                content.extend(by_subject.get(o, ()))
        out[subject] = content
    return out


def ntriples(triples: Iterable[Triple]) -> str:
    """Statements as N-Triples text, in a stable order, blank nodes labelled by content."""
    return "".join(sorted(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in _stable(triples)))


def content_hash(triples: Iterable[Triple]) -> str:
    return hashlib.sha256(ntriples(triples).encode("utf-8")).hexdigest()


def _stable(triples: Iterable[Triple]) -> list[Triple]:
    data = list(triples)
    nodes = sorted({n for t in data for n in (t[0], t[2]) if isinstance(n, BNode)})
    labels: dict[Node, BNode] = {}
    for node in nodes:
        desc = sorted(
            f"{p.n3()} {o.n3() if not isinstance(o, BNode) else '_'}"
            for s, p, o in data
            if s == node
        )
        labels[node] = BNode("b" + hashlib.sha256("\n".join(desc).encode()).hexdigest()[:16])
    return [(labels.get(s, s), p, labels.get(o, o)) for s, p, o in data]


@dataclass(frozen=True)
class Head:
    """Where the stream stands: its last sequence number and time."""

    sequence: int
    time: datetime | None


class Recorder:
    """Computes the version objects a write adds, from the store as it is before the write."""

    def __init__(self, store: Store, uris: Uris) -> None:
        self.store = store
        self.uris = uris
        self.graph = ldes_graph(uris)
        # Graphs that never hold members: bookkeeping, provenance, the stream itself.
        self._skip = {str(self.graph), str(uris.provenance_graph), str(uris.system_graph)}

    def head(self) -> Head:
        rows = self.store.select(rq.load("ldes-head"), bindings={"ldes": self.graph})
        if not rows or rows[0].get("sequence") is None:
            return Head(0, None)
        return Head(int(str(rows[0]["sequence"])), _time(rows[0].get("time")))

    def seen_version(self) -> str | None:
        rows = self.store.select(rq.load("ldes-seen"), bindings={"ldes": self.graph})
        return str(rows[0]["seen"]) if rows else None

    def for_write(self, change: GraphWrite, new_version: str) -> GraphWrite | None:
        """The additions to the stream's graph for ``change`` (None when ``change`` writes
        the stream's graph itself, as a restore does)."""
        touched = {*change.replace, *change.add, *change.remove, *change.drop}
        if str(self.graph) in touched:
            return None
        after: dict[str, dict[URIRef, list[Triple]] | None] = {}
        for name in touched - self._skip:
            if name.startswith("urn:sro-graph:staging:"):
                continue
            if name in change.drop and name not in change.replace:
                after[name] = {}
            elif name in change.replace:
                after[name] = member_contents(change.replace[name], self.uris)
            else:
                after[name] = None  # add/remove: read the graph, then apply them
        additions = Graph()
        head = self.head()
        sequence, time = head.sequence, _stamp(head.time)
        start = sequence
        for name, members in sorted(after.items()):
            if members is None:
                members = self._changed(name, change.add.get(name), change.remove.get(name))
            sequence = self._record_graph(name, members, additions, sequence, start, time)
        return self.seen(additions, new_version)

    def seen(self, additions: Graph, new_version: str) -> GraphWrite:
        """``additions`` to the stream's graph, noting that the recorder saw the store up to
        ``new_version``."""
        seen = self.seen_version()
        remove = Graph()
        if seen is not None:
            remove.add((RECORDER, STORE_VERSION, Literal(seen)))
        additions.add((RECORDER, STORE_VERSION, Literal(new_version)))
        return GraphWrite(add={str(self.graph): additions}, remove={str(self.graph): remove})

    def reconcile(self) -> Graph:
        """The additions that bring the stream up to the store: every member-bearing graph is
        compared with what the stream last recorded from it (after a bulk load or a write that
        bypassed the recorder)."""
        additions = Graph()
        head = self.head()
        sequence, time = head.sequence, _stamp(head.time)
        graphs = {
            str(r["g"]) for r in self.store.select(rq.based("ldes-member-graphs", self.uris.base))
        }
        sources = {
            str(r["source"])
            for r in self.store.select(
                "SELECT DISTINCT ?ldes ?source WHERE { GRAPH ?ldes "
                "{ ?v <urn:sro-graph:ldes:source> ?source } }",
                bindings={"ldes": self.graph},
            )
        }
        start = sequence
        for name in sorted((graphs | sources) - self._skip):
            members = self._stored(name)
            sequence = self._record_graph(name, members, additions, sequence, start, time)
        return additions

    # -- internals ---------------------------------------------------------------------------

    def _stored(self, name: str) -> dict[URIRef, list[Triple]]:
        rows = self.store.select(
            rq.based("ldes-member-content", self.uris.base), bindings={"g": URIRef(name)}
        )
        out: dict[URIRef, list[Triple]] = defaultdict(list)
        for row in rows:
            out[URIRef(str(row["member"]))].append((row["s"], row["p"], row["o"]))
        return dict(out)

    def _changed(
        self, name: str, add: Graph | None, remove: Graph | None
    ) -> dict[URIRef, list[Triple]]:
        current = self._stored(name)
        triples = {t for content in current.values() for t in content}
        if remove is not None:
            triples -= set(remove)
        if add is not None:
            triples |= set(add)
        return member_contents(triples, self.uris)

    def _latest(self, name: str) -> dict[str, tuple[int, str, bool]]:
        rows = self.store.select(
            rq.load("ldes-latest"), bindings={"ldes": self.graph, "source": Literal(name)}
        )
        latest: dict[str, tuple[int, str, bool]] = {}
        for row in rows:
            entity = str(row["entity"])
            sequence = int(str(row["sequence"]))
            deleted = str(row.get("deleted", "")).lower() in ("true", "1")
            if entity not in latest or sequence > latest[entity][0]:
                latest[entity] = (sequence, str(row["hash"]), deleted)
        return latest

    def _record_graph(
        self,
        name: str,
        members: Mapping[URIRef, list[Triple]],
        out: Graph,
        sequence: int,
        start: int,
        time: datetime,
    ) -> int:
        """Versions and tombstones of ``name``'s members; each a microsecond after the one
        before it, so that time order is sequence order."""
        latest = self._latest(name)
        for entity in sorted(members):
            content = members[entity]
            digest = content_hash(content)
            before = latest.get(str(entity))
            if before is not None and not before[2] and before[1] == digest:
                continue  # unchanged: no new version
            sequence += 1
            stamp = time + timedelta(microseconds=sequence - start - 1)
            self._version(out, entity, name, sequence, stamp, digest, content)
        for gone, (_, _, deleted) in sorted(latest.items()):
            if not deleted and URIRef(gone) not in members:
                sequence += 1
                stamp = time + timedelta(microseconds=sequence - start - 1)
                self._version(out, URIRef(gone), name, sequence, stamp, "", None)
        return sequence

    def _version(
        self,
        out: Graph,
        entity: URIRef,
        source: str,
        sequence: int,
        time: datetime,
        digest: str,
        content: list[Triple] | None,
    ) -> None:
        version = self.uris.thing("versie", uuid.uuid4().hex)
        out.add((version, ENTITY, Literal(str(entity))))
        out.add((version, SOURCE, Literal(source)))
        out.add((version, SEQUENCE, Literal(sequence, datatype=XSD.integer)))
        out.add((version, TIME, Literal(time.isoformat(), datatype=XSD.dateTime)))
        out.add((version, HASH, Literal(digest)))
        if content is None:
            out.add((version, DELETED, Literal(True)))
        else:
            out.add((version, CONTENT, Literal(ntriples(content))))


def _time(value: Node | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _stamp(last: datetime | None) -> datetime:
    """Now, or just after the stream's last time when the clock is behind it."""
    now = datetime.now(UTC)
    if last is not None and now <= last:
        return last + timedelta(microseconds=1)
    return now
