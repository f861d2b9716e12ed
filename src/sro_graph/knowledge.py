"""Base knowledge: ontology, concept schemes, shapes and data/ in their own named graphs.

Loading is idempotent: each file's graph is rewritten only when the file's SHA-256 (with the
base) changed, and all changed files go in one transaction. A file is parsed with its graph's
IRI as base, so ``<>`` in a file names its own graph (the files describe their provenance that
way, docs/model.md); the other relative IRIs are host-relative (``</id/...>``).

The illustrative examples of ``data/voorbeelden/`` are loaded only on request, into graphs
under ``{base}/graph/voorbeelden/``; without the request, graphs of an earlier load with
examples are dropped like any other file that is gone.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import XSD, Graph, Literal, URIRef

from sro_graph import rq
from sro_graph.rdfio import format_from_filename, parse_rdf
from sro_graph.store import GraphWrite, Store, StoreMismatch
from sro_graph.vocab import Uris

log = logging.getLogger(__name__)

HASH_PREDICATE = URIRef("urn:sro-graph:sha256")
BASE_PREDICATE = URIRef("urn:sro-graph:base")
# When a base graph's content last changed in this store (xsd:dateTime, UTC). The catalogue
# reads it as the last-change time of the datasets drawn from that graph (catalog.py).
LOADED_PREDICATE = URIRef("urn:sro-graph:loadedAt")


@dataclass(frozen=True)
class KnowledgeFile:
    """One base-knowledge file and the graph it goes to."""

    path: Path
    graph: str


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


EXAMPLES_FOLDER = "voorbeelden"
"""The folder of ``data/`` holding illustrative example data."""


def base_knowledge_files(
    project_root: Path, uris: Uris, *, examples: bool = False
) -> list[KnowledgeFile]:
    """Every file of ``ontology/`` (schemes included), ``shapes/`` and ``data/``, in order;
    the files of ``data/voorbeelden/`` only when ``examples``."""
    files: list[KnowledgeFile] = []
    for folder, prefix in (("ontology", "ontologie"), ("shapes", "vormen"), ("data", "")):
        root = project_root / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.ttl")):
            rel_path = path.relative_to(root)
            if folder == "data" and rel_path.parts[0] == EXAMPLES_FOLDER:
                continue
            rel = rel_path.with_suffix("").as_posix().replace("/", "-")
            stem = f"{prefix}-{rel}" if prefix else rel
            files.append(KnowledgeFile(path=path, graph=str(uris.base_graph(stem))))
    examples_root = project_root / "data" / EXAMPLES_FOLDER
    if examples and examples_root.is_dir():
        for path in sorted(examples_root.rglob("*.ttl")):
            rel = path.relative_to(examples_root).with_suffix("").as_posix().replace("/", "-")
            files.append(KnowledgeFile(path=path, graph=str(uris.example_graph(rel))))
    return files


def examples_loaded(store: Store, uris: Uris) -> bool:
    """Whether the store holds example graphs (recorded by a load with examples)."""
    _, hashes = read_state(store, uris)
    return any(graph.startswith(uris.example_graph_prefix) for graph in hashes)


def read_state(store: Store, uris: Uris) -> tuple[str | None, dict[str, str]]:
    """The base a store was filled for, and the recorded hash per base graph."""
    rows = store.select(rq.load("system-state"), bindings={"system": uris.system_graph})
    base: str | None = None
    hashes: dict[str, str] = {}
    for row in rows:
        if row["predicate"] == BASE_PREDICATE:
            base = str(row["value"])
        elif row["predicate"] == HASH_PREDICATE:
            hashes[str(row["subject"])] = str(row["value"])
    return base, hashes


def read_load_times(store: Store, uris: Uris) -> dict[str, Literal]:
    """The recorded last-change time per base graph."""
    rows = store.select(rq.load("system-state"), bindings={"system": uris.system_graph})
    times: dict[str, Literal] = {}
    for row in rows:
        value = row["value"]
        if row["predicate"] == LOADED_PREDICATE and isinstance(value, Literal):
            times[str(row["subject"])] = value
    return times


def ensure_base(store: Store, uris: Uris) -> None:
    """Refuse a store filled for another base; record the base on a fresh one.

    Raises:
        StoreMismatch: the store holds data minted for another base URI.
    """
    base, _ = read_state(store, uris)
    if base is None:
        recorded = Graph()
        recorded.add((uris.system_graph, BASE_PREDICATE, Literal(uris.base)))
        store.write(
            GraphWrite(add={str(uris.system_graph): recorded}), new_version=uuid.uuid4().hex
        )
    elif base != uris.base:
        raise StoreMismatch(
            f"This store was filled for base URI {base}; it cannot be opened for {uris.base}."
        )


def load_base_knowledge(
    store: Store, uris: Uris, files: list[KnowledgeFile], *, max_bytes: int | None = None
) -> LoadReport:
    """Bring the base-knowledge graphs in line with ``files`` in one transaction."""
    ensure_base(store, uris)
    _, recorded = read_state(store, uris)
    load_times = read_load_times(store, uris)
    now = Literal(datetime.now(UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    report = LoadReport()
    replace: dict[str, Graph] = {}
    add = Graph()
    remove = Graph()
    for item in files:
        data = item.path.read_bytes()
        digest = hashlib.sha256(uris.base.encode() + b"\0" + data).hexdigest()
        if recorded.get(item.graph) == digest:
            report.unchanged.append(item.path.name)
            if item.graph not in load_times:  # a store filled before load times were kept
                add.add((URIRef(item.graph), LOADED_PREDICATE, now))
            continue
        fmt = format_from_filename(item.path.name)
        assert fmt is not None
        replace[item.graph] = parse_rdf(data, fmt, base_iri=item.graph).graph
        if item.graph in recorded:
            remove.add((URIRef(item.graph), HASH_PREDICATE, Literal(recorded[item.graph])))
        add.add((URIRef(item.graph), HASH_PREDICATE, Literal(digest)))
        if item.graph in load_times:
            remove.add((URIRef(item.graph), LOADED_PREDICATE, load_times[item.graph]))
        add.add((URIRef(item.graph), LOADED_PREDICATE, now))
        report.loaded.append(item.path.name)
    wanted = {f.graph for f in files}
    stale = [g for g in recorded if g not in wanted]
    for g in stale:
        remove.add((URIRef(g), HASH_PREDICATE, Literal(recorded[g])))
        if g in load_times:
            remove.add((URIRef(g), LOADED_PREDICATE, load_times[g]))
        report.removed.append(g)
    if replace or stale or len(add):
        system = str(uris.system_graph)
        store.write(
            GraphWrite(replace=replace, add={system: add}, remove={system: remove}, drop=stale),
            new_version=uuid.uuid4().hex,
        )
        log.info(
            "Base knowledge: %d graphs written, %d unchanged, %d removed",
            len(report.loaded),
            len(report.unchanged),
            len(report.removed),
        )
    return report
