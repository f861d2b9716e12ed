"""The linked-data test sample (tests/data/linkeddata-sample.ttl), written into a real store."""

from __future__ import annotations

from pathlib import Path

from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.runtime import Runtime
from sro_graph.store import GraphWrite

SAMPLE = Path(__file__).parent / "data" / "linkeddata-sample.ttl"

# One thing of every kind the issue names, as a path under /id/ (and /doc/).
THINGS = {
    "initiative": "initiatief/ld-test-luchtmeting",
    "organisation": "organisatie/kenniscentrum-vlaamse-steden",
    "local-government": "bestuurseenheid/11002",
    "concept": "concept/uitdaging/8",
    "scheme": "conceptscheme/uitdaging",
    "programme": "programma/ld-test-programma",
    "dataset": "dataset/ld-test-metingen",
}


def load_sample(runtime: Runtime) -> None:
    """Add the sample as its own named graph, through the store's atomic write."""
    base = runtime.uris.base
    graph = parse_rdf(SAMPLE.read_bytes(), RdfFormat.TURTLE, base_iri=base + "/").graph
    runtime.store.write(
        GraphWrite(add={f"{base}/graph/test/linkeddata-sample": graph}),
        new_version="linkeddata-sample",
    )
