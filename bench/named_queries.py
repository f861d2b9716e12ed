"""Latency of each named query on the base knowledge (``python bench/named_queries.py``).

Runs every ``queries/*.rq`` with its default (or a sample) parameter values, uncached, on an
in-memory store and on a disk store (through the killable query workers), and prints the
median and 95th percentile in milliseconds. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sro_graph.config import Settings
from sro_graph.queries import bound_query
from sro_graph.runtime import Runtime, open_runtime

BASE = "https://sro.bench"
SAMPLES = {
    "gemeente": "https://data.vlaanderen.be/id/gemeente/44021",
    "bouwsteen": "oslo",
    "programma": f"{BASE}/id/programma/city-of-things",
    "q": "sensor",
}


def _sample_params(runtime: Runtime, name: str) -> dict[str, str]:
    qdef = runtime.queries.get(name)
    out: dict[str, str] = {}
    for param in qdef.params:
        if param.required:
            if param.name in SAMPLES:
                out[param.name] = SAMPLES[param.name]
            elif param.scheme:
                rows = runtime.store.select(
                    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                    "SELECT ?c ?s WHERE { ?c skos:inScheme ?s } LIMIT 1",
                    bindings={"s": runtime.uris.scheme(param.scheme)},
                )
                out[param.name] = str(rows[0]["c"])
            else:
                out[param.name] = {
                    "integer": "1",
                    "date": "2024-01-01",
                    "language": "nl",
                    "iri": SAMPLES["gemeente"],
                }.get(param.type, "data")
    return out


def measure(runtime: Runtime, runs: int) -> dict[str, tuple[float, float, int]]:
    figures: dict[str, tuple[float, float, int]] = {}
    for name, qdef in runtime.queries.defs.items():
        try:
            values = runtime.queries.bind(name, _sample_params(runtime, name))
        except Exception as exc:  # a query with a parameter we cannot sample: say so
            print(f"{name:40s} skipped: {exc}")
            continue
        text = bound_query(qdef, values, base=runtime.uris.base)
        timings = []
        count = 0
        for _ in range(runs):
            started = time.perf_counter()
            result = runtime.sparql.run(text, accept="application/sparql-results+json")
            timings.append((time.perf_counter() - started) * 1000)
            count = result.count
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        figures[name] = (statistics.median(timings), p95, count)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for label, store in (("memory", "memory"), ("disk", str(Path(folder) / "store"))):
            runtime = open_runtime(Settings(base_uri=BASE, store=store))
            try:
                runtime.sparql.run("ASK {}", accept="application/sparql-results+json")  # warm
                results[label] = measure(runtime, args.runs)
            finally:
                runtime.close()
    print(
        f"{'query':40s} {'rows':>5s} {'memory p50':>11s} {'p95':>7s} "
        f"{'disk p50':>9s} {'p95':>7s}   (ms, {args.runs} runs, uncached)"
    )
    for name, (p50, p95, count) in results["memory"].items():
        d50, d95, _ = results["disk"].get(name, (float("nan"), float("nan"), 0))
        print(f"{name:40s} {count:5d} {p50:11.2f} {p95:7.2f} {d50:9.2f} {d95:7.2f}")


if __name__ == "__main__":
    main()
