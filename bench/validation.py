"""``python -m bench.validation``: SHACL validation figures (issue 7, item 5).

- one initiative, as ``POST /validate`` and ``POST /submissions`` do it (parse, store context,
  worker pool, report), through the real app (TestClient, in process) over an in-memory store
  holding the base knowledge and N generated initiatives (bench.generate): p50/p95 per N;
- batch: ``Validator.validate_batch`` over M generated initiatives, one in ten broken (no
  title, a challenge that does not exist, so the reports compared are not empty; store
  context fetched, chunks over the worker pool, report built) against one stock
  ``pyshacl.validate`` run over
  the same initiatives plus the same context, as a ratio measured in the same run, with a
  check that both give the same report (conformance and the set of focus/path/component/
  severity of the results about the initiatives).

Targets: one initiative p95 under 50 ms, the same at 1k and 100k (issue 7); batch at least 5x
one pySHACL run (issue 17.2). Each target is printed with "met" or "missed".
Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time

import pyshacl
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from bench.generate import generate
from bench.targets import verdict
from sro_graph.config import PROJECT_ROOT, Settings, hash_token
from sro_graph.rdfio import graph_from_ntriples
from sro_graph.runtime import open_runtime
from sro_graph.store_context import fetch_context
from sro_graph.vocab import DCTERMS, RDF, SH
from sro_graph.web.app import create_app

BASE = "https://sro.test"
TOKEN = "bench-token"
DATA = PROJECT_ROOT / "tests" / "data"


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def one_initiative(n: int, runs: int, workers: int) -> dict[str, tuple[float, float]]:
    """p50/p95 (ms) of /validate (good, broken) and /submissions (good) at N initiatives."""
    settings = Settings(
        base_uri=BASE,
        store="memory",
        log_level="WARNING",
        validation_workers=workers,
        stewards=[f"{hash_token(TOKEN)}=Bench steward|{BASE}/id/organisatie/vlaio"],
    )
    good = (DATA / "good-initiative.ttl").read_text(encoding="utf-8")
    broken = (DATA / "broken-initiative.ttl").read_bytes()
    figures: dict[str, tuple[float, float]] = {}
    with TestClient(create_app(settings)) as client:
        if n:
            client.app.state.runtime.store.bulk_load(  # type: ignore[attr-defined]
                generate(n, base=BASE, project_root=PROJECT_ROOT),
                media_type="application/n-triples",
                graph=f"{BASE}/graph/bench",
                base_iri=BASE + "/",
            )
        turtle = {"content-type": "text/turtle"}
        for _ in range(3):  # starts the pool, warms every worker
            client.post("/validate", content=broken, headers=turtle)
        for name, body in (("validate good", good.encode()), ("validate broken", broken)):
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                response = client.post("/validate", content=body, headers=turtle)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text
            figures[name] = percentiles(times)
        headers = {**turtle, "authorization": f"Bearer {TOKEN}"}
        times = []
        for i in range(max(10, runs // 2)):
            body = good.replace("proef-luchtmeting", f"bench-submission-{i}").encode()
            start = time.perf_counter()
            response = client.post("/submissions", content=body, headers=headers)
            times.append(time.perf_counter() - start)
            assert response.status_code == 201, response.text
        figures["submission good"] = percentiles(times)
    return figures


def stock_pyshacl(whole: Graph, shapes: Graph) -> tuple[bool, Graph, float]:
    """One stock pySHACL run over the whole graph (the baseline), and its seconds."""
    start = time.perf_counter()
    conforms, report_graph, _ = pyshacl.validate(
        whole,
        shacl_graph=shapes,
        ont_graph=None,
        inference="none",
        abort_on_first=False,
        allow_infos=False,
        allow_warnings=False,
        meta_shacl=False,
        advanced=False,
        js=False,
        debug=False,
        do_owl_imports=False,
        inplace=True,
    )
    assert isinstance(report_graph, Graph)
    return bool(conforms), report_graph, time.perf_counter() - start


def result_keys(graph: Graph, subjects: set[str]) -> set[tuple[str, str, str, str]]:
    """(focus, path, component, severity) of the results about ``subjects``."""
    keys = set()
    for node in graph.objects(None, SH.result):
        focus = str(graph.value(node, SH.focusNode))
        if focus in subjects:
            path = graph.value(node, SH.resultPath)
            keys.add(
                (
                    focus,
                    str(path) if isinstance(path, URIRef) else ("complex" if path else ""),
                    str(graph.value(node, SH.sourceConstraintComponent)),
                    str(graph.value(node, SH.resultSeverity)),
                )
            )
    return keys


def broken_every(step: int, data: Graph) -> Graph:
    """Every ``step``-th initiative without its titles and with a challenge that does not
    exist, so that both reports hold results to compare (valid data gives two empty ones)."""
    initiative = URIRef(f"{BASE}/ns/smartregio#SmartCityInitiatief")
    challenge = URIRef(f"{BASE}/ns/smartregio#uitdaging")
    for n, subject in enumerate(sorted(data.subjects(RDF.type, initiative))):
        if n % step == 0:
            data.remove((subject, DCTERMS.title, None))
            data.add((subject, challenge, URIRef(f"{BASE}/id/concept/uitdaging/99")))
    return data


def batch(m: int, workers: int, chunk_size: int, baseline: bool) -> dict[str, float]:
    """Seconds for validate_batch (store context included) and for one stock pySHACL run
    over the same M initiatives plus the same context; whether both give the same report."""
    settings = Settings(
        base_uri=BASE, store="memory", log_level="WARNING", validation_workers=workers
    )
    runtime = open_runtime(settings)
    try:
        data = broken_every(
            10, graph_from_ntriples(generate(m, base=BASE, project_root=PROJECT_ROOT, seed=11))
        )
        validator = runtime.validator
        warm = graph_from_ntriples(generate(20, base=BASE, project_root=PROJECT_ROOT))
        validator.validate_batch(warm, context=fetch_context(runtime.store, warm))  # pool up
        start = time.perf_counter()
        context = fetch_context(runtime.store, data)
        report = validator.validate_batch(data, context=context, chunk_size=chunk_size)
        ours = time.perf_counter() - start
        figures = {
            "triples": float(len(data)),
            "context": float(len(context)),
            "batch_s": ours,
            "batch_results": float(len(list(report.graph().objects(None, SH.result)))),
        }
        if baseline:
            conforms, report_graph, seconds = stock_pyshacl(data + context, validator.shapes)
            subjects = {str(s) for s in data.subjects()}
            same = conforms == report.conforms and result_keys(
                report_graph, subjects
            ) == result_keys(report.graph(), subjects)
            figures["pyshacl_s"] = seconds
            figures["pyshacl_results"] = float(len(list(report_graph.objects(None, SH.result))))
            figures["same"] = 1.0 if same else 0.0
        return figures
    finally:
        runtime.close()
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out(f"  peak RSS of the bench process (baseline included): {own:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        default="1000,100000",
        help="Store sizes (initiatives) for the one-initiative figures.",
    )
    parser.add_argument("--runs", type=int, default=100, help="Requests per figure.")
    parser.add_argument("--workers", type=int, default=2, help="Validation worker processes.")
    parser.add_argument(
        "--batch", default="10000", help="Initiatives in the batch (comma-separated sizes)."
    )
    parser.add_argument("--chunk", type=int, default=500, help="Subjects per batch chunk.")
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="Skip the (slow) single pySHACL run over the whole batch.",
    )
    args = parser.parse_args()
    rows = []
    for n in (int(x) for x in args.sizes.split(",") if x):
        out(f"one initiative, store with {n:,} generated initiatives ...")
        rows.append((n, one_initiative(n, args.runs, args.workers)))
    out()
    out(f"{'N in store':>10} | {'request':<16} | {'p50 ms':>7} | {'p95 ms':>7}")
    out("-" * 50)
    for n, figures in rows:
        for name, (p50, p95) in figures.items():
            out(f"{n:>10,} | {name:<16} | {p50:>7.1f} | {p95:>7.1f}")
            verdict(f"{name} p95, {n:,} in store", p95, at_most=50, unit=" ms")
    if args.batch:
        out()
        out(f"batch validation ({args.workers} workers, chunks of {args.chunk} subjects) ...")
        for size in (int(x) for x in str(args.batch).split(",") if x):
            b = batch(size, args.workers, args.chunk, not args.no_baseline)
            out(
                f"{size:,} initiatives: data {b['triples']:,.0f} triples, context "
                f"{b['context']:,.0f} triples"
            )
            out(
                f"  validate_batch (with store context): {b['batch_s']:.1f} s "
                f"({size / b['batch_s']:,.0f} initiatives/s), {b['batch_results']:,.0f} results"
            )
            if "pyshacl_s" in b:
                ratio = b["pyshacl_s"] / b["batch_s"]
                out(
                    f"  one stock pySHACL run: {b['pyshacl_s']:.1f} s, "
                    f"{b['pyshacl_results']:,.0f} results; same report: "
                    f"{'yes' if b['same'] else 'NO'}"
                )
                verdict(
                    f"batch / one pySHACL run, {size:,} initiatives", ratio, at_least=5, unit="x"
                )


if __name__ == "__main__":
    main()
