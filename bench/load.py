"""One bulk load in a fresh process (so its peak memory is its own); prints one JSON line.

``python -m bench.load MODE FILE STORE_DIR BASE`` with MODE one of ``pyoxigraph`` (pyoxigraph's
own ``Store.bulk_load``), ``sro-bulk`` (``EmbeddedStore.bulk_replace``, the path of
``sro-graph load --bulk``: the bulk loader between two small transactions, safe under kill)
and ``sro-write`` (parse + one transactional ``GraphWrite``, the path of ``sro-graph load``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    mode, file, store_dir, base = sys.argv[1:5]
    data = Path(file).read_bytes()
    graph = f"{base}/graph/bench"
    import pyoxigraph as ox

    from sro_graph.rdfio import RdfFormat, parse_rdf
    from sro_graph.store import GraphWrite
    from sro_graph.store.embedded import EmbeddedStore

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if mode == "pyoxigraph":
        store = ox.Store(store_dir)
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        store.flush()
        triples = len(store)
    elif mode == "sro-bulk":
        sro = EmbeddedStore(Path(store_dir), system_graph="urn:sro-graph:system")
        sro.bulk_replace(
            data,
            media_type="application/n-triples",
            graph=graph,
            base_iri=base + "/",
            new_version="bench",
        )
        sro.flush()
        triples = len(sro._store)
        sro.close()
    elif mode == "sro-write":
        sro = EmbeddedStore(Path(store_dir), system_graph="urn:sro-graph:system")
        parsed = parse_rdf(data, RdfFormat.NTRIPLES, base_iri=base + "/", max_bytes=len(data) + 1)
        sro.write(GraphWrite(replace={graph: parsed.graph}), new_version="bench")
        sro.flush()
        triples = len(parsed.graph)
        sro.close()
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(
        json.dumps(
            {
                "mode": mode,
                "seconds": seconds,
                "triples": triples,
                "peak_mb": peak / 1024,
                "baseline_mb": baseline / 1024,
            }
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
