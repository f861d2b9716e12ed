"""``make bench``: bulk load and ``/sparql`` figures, side by side with raw ``oxigraph serve``.

For each N (1k and 10k initiatives; 100k with ``--full``), on seeded generated data of about
50 triples per initiative:

- bulk load: triples/s and peak memory of pyoxigraph's own ``bulk_load``, of
  ``EmbeddedStore.bulk_load`` and (N <= 1k) of the transactional ``GraphWrite`` path, each in a
  fresh process; medians over ``--repeat`` runs;
- ``/sparql`` at concurrency ``--concurrency``: a point lookup (DESCRIBE of one random
  initiative) and an aggregation (initiatives per challenge), against the service (a real
  uvicorn process over the embedded store on disk) and against raw ``oxigraph serve
  --union-default-graph`` on the same quads, alternating, medians over ``--repeat`` runs.

The load generator is Python (http.client, one keep-alive connection per thread) on the same
machine, so the figures are a floor for both servers; the ratio is what to read.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

from bench.generate import generate
from bench.targets import verdict

POINT_TARGET = 0.8
"""Point lookups of the service at least this share of raw ``oxigraph serve`` (issue 17.1)."""
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BASE = "http://127.0.0.1:8000"
SR = f"{BASE}/ns/smartregio#"
AGGREGATION = (
    f"PREFIX sr: <{SR}>\nSELECT ?uitdaging (COUNT(DISTINCT ?i) AS ?n) "
    "WHERE { ?i sr:uitdaging ?uitdaging } GROUP BY ?uitdaging ORDER BY ?uitdaging"
)


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes], seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited ({process.returncode}) before answering {url}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


# -- bulk load ---------------------------------------------------------------------------------


def bulk_loads(
    data_file: Path, work: Path, modes: tuple[str, ...], repeat: int
) -> dict[str, dict[str, float]]:
    """Each mode ``repeat`` times, the modes alternating (so drift hits each alike)."""
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for i in range(repeat):
        for mode in modes:
            target = work / f"load-{mode}-{i}"
            result = subprocess.run(
                [sys.executable, "-m", "bench.load", mode, str(data_file), str(target), BASE],
                capture_output=True,
                check=True,
                cwd=ROOT,
            )
            runs[mode].append(json.loads(result.stdout))
            shutil.rmtree(target, ignore_errors=True)
    figures = {}
    for mode, done in runs.items():
        seconds = statistics.median(r["seconds"] for r in done)
        figures[mode] = {
            "triples": done[0]["triples"],
            "seconds": seconds,
            "rate": done[0]["triples"] / seconds,
            "peak_mb": statistics.median(r["peak_mb"] for r in done),
        }
    return figures


# -- HTTP load ---------------------------------------------------------------------------------


@dataclass
class Run:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0


def hammer(
    url: str,
    make_params: Callable[[random.Random], dict[str, str]],
    accept: str,
    concurrency: int,
    duration: float,
) -> Run:
    """``concurrency`` threads, each with its own keep-alive connection, for ``duration`` s."""
    stop_at = time.perf_counter() + duration
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency

    parts = urlsplit(url)

    def worker(k: int) -> None:
        # http.client rather than httpx: the client shares the 2 cores with both servers, and
        # its lower cost per request leaves more of them to the servers under test.
        rng = random.Random(k)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            while time.perf_counter() < stop_at:
                target = f"{parts.path}?{urlencode(make_params(rng))}"
                t0 = time.perf_counter()
                conn.request("GET", target, headers={"Accept": accept})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[k] += 1
                latencies[k].append(time.perf_counter() - t0)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    flat = [x for per in latencies for x in per]
    return Run(len(flat), sum(errors), seconds, flat)


NAMED_REPEATED = (
    "initiatives-per-challenge",
    "initiatives-per-objective",
    "initiatives-per-focus-domain",
    "lighthouses",
    "coverage-matrix",
)
"""Named queries without required parameters, repeated on an unchanged graph (cache path)."""


def repeated_named(service_url: str, repeat: int = 200) -> dict[str, tuple[float, float]]:
    """p50 and p95 (ms) of each of :data:`NAMED_REPEATED` asked ``repeat`` times in a row on
    one connection, after one first (uncached) ask."""
    parts = urlsplit(service_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    figures = {}
    try:
        for name in NAMED_REPEATED:
            latencies = []
            for i in range(repeat + 1):
                t0 = time.perf_counter()
                conn.request(
                    "GET", f"/queries/{name}", headers={"Accept": "application/sparql-results+json"}
                )
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    out(f"/queries/{name} answered {response.status}: {body[:200]!r}; skipped")
                    break
                if i:
                    latencies.append((time.perf_counter() - t0) * 1000)
            if not latencies:
                continue
            latencies.sort()
            figures[name] = (
                statistics.median(latencies),
                latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
            )
    finally:
        conn.close()
    return figures


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.rate)[len(runs) // 2]


# -- one size ----------------------------------------------------------------------------------


def prepare_stores(n: int, work: Path) -> tuple[Path, Path, Path, int]:
    """Generate N initiatives; fill the service's store and a raw Oxigraph folder alike."""
    from sro_graph.config import Settings
    from sro_graph.runtime import open_runtime

    data_file = work / f"initiatives-{n}.nt"
    data_file.write_bytes(generate(n, base=BASE, project_root=ROOT))
    service_dir = work / f"service-{n}"
    settings = Settings(base_uri=BASE, store=str(service_dir), project_root=ROOT)
    runtime = open_runtime(settings)
    try:
        runtime.store.bulk_load(  # type: ignore[attr-defined]
            data_file.read_bytes(),
            media_type="application/n-triples",
            graph=f"{BASE}/graph/bench",
            base_iri=BASE + "/",
        )
        quads = runtime.store.dump()
    finally:
        runtime.close()
    dump = work / f"all-{n}.nq"
    dump.write_bytes(quads)
    raw_dir = work / f"raw-{n}"
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(raw_dir), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    return data_file, service_dir, raw_dir, quads.count(b"\n")


def start_service(
    store: str,
    concurrency: int,
    workers: int,
    update_url: str | None = None,
    extra_args: list[str] | None = None,
    slots: int | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRO_")}
    env.update(
        {
            "SRO_BASE_URI": BASE,
            "SRO_STORE": store,
            "SRO_LOG_LEVEL": "WARNING",
            "SRO_QUERY_CONCURRENCY": str(slots or max(concurrency, 8)),
            "SRO_LOAD_BASE_KNOWLEDGE": "false",
        }
    )
    if update_url:
        env["SRO_STORE_UPDATE"] = update_url
    process = subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            "sro_graph.web.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
            "--workers",
            str(workers),
            *(extra_args or []),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health", process)
    return process, f"{url}/sparql"


def start_raw(store_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "oxigraph"),
            "serve",
            "--location",
            str(store_dir),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    wait_http(f"{url}?query=ASK%7B%7D", process)
    return process, url


def bench_size(n: int, args: argparse.Namespace, work: Path) -> dict[str, object]:
    out(f"\n== N = {n:,} initiatives ==")
    data_file, service_dir, raw_dir, quads = prepare_stores(n, work)
    out(f"data: {quads:,} quads in the store (generated + base knowledge)")
    loads = bulk_loads(
        data_file,
        work,
        ("pyoxigraph", "sro-bulk") + (("sro-write",) if n <= 1000 else ()),
        args.repeat,
    )
    for mode, figures in loads.items():
        out(
            f"load {mode:<11} {figures['rate']:>12,.0f} triples/s  "
            f"{figures['seconds']:6.2f} s  peak {figures['peak_mb']:7.0f} MB"
        )

    def point(rng: random.Random) -> dict[str, str]:
        return {"query": f"DESCRIBE <{BASE}/id/initiatief/bench-{rng.randrange(n):06d}>"}

    def aggregation(rng: random.Random) -> dict[str, str]:
        return {"query": AGGREGATION}

    service, service_url = start_service(str(service_dir), args.concurrency, 1)
    raw, raw_url = start_raw(raw_dir)
    servers = [service, raw]
    targets = {"service": service_url, "raw": raw_url}
    http: dict[str, dict[str, Run]] = {}
    named: dict[str, tuple[float, float]] = {}
    try:
        if args.remote:
            remote, remote_url = start_service(
                "sparql+" + raw_url,
                args.concurrency,
                args.remote_workers,
                update_url=raw_url.removesuffix("/query") + "/update",
            )
            servers.append(remote)
            targets["remote"] = remote_url
        for name, params, accept in (
            ("point lookup", point, "application/n-triples"),
            ("aggregation", aggregation, "application/sparql-results+json"),
        ):
            runs: dict[str, list[Run]] = {k: [] for k in targets}
            for url in targets.values():  # warm each
                hammer(url, params, accept, args.concurrency, 1.0)
            for _ in range(args.repeat):  # alternate, so drift hits each alike
                for key, url in targets.items():
                    runs[key].append(hammer(url, params, accept, args.concurrency, args.duration))
            http[name] = {k: median_run(v) for k, v in runs.items()}
            r = http[name]["raw"]
            for key in targets:
                s = http[name][key]
                label = {
                    "service": "sro-graph/disk",
                    "raw": "raw oxigraph",
                    "remote": f"sro-graph/remote x{args.remote_workers}",
                }[key]
                out(
                    f"/sparql {name:<13} {label:<22} {s.rate:8,.0f} req/s "
                    f"p50 {s.percentile(0.5):6.1f} p99 {s.percentile(0.99):6.1f} ms  "
                    f"ratio {s.rate / r.rate:4.2f}x  errors {s.errors}"
                )
            if name == "point lookup":
                svc = http[name]["service"]
                verdict(
                    f"point lookups N={n:,}, service / raw",
                    svc.rate / r.rate,
                    at_least=POINT_TARGET,
                    unit="x",
                )
        named = repeated_named(service_url.removesuffix("/sparql"))
        for query_name, (p50, p95) in named.items():
            out(
                f"/queries/{query_name:<26} repeated  p50 {p50:5.1f} p95 {p95:5.1f} ms  "
                f"{'ok' if p95 < 5 else 'over'} (target p95 < 5 ms)"
            )
    finally:
        for process in servers:
            stop(process)
    for path in (service_dir, raw_dir):
        shutil.rmtree(path, ignore_errors=True)
    return {"n": n, "quads": quads, "loads": loads, "http": http, "named": named}


def table(results: list[dict[str, object]], concurrency: int) -> None:
    out("\n" + "=" * 100)
    out(
        f"{'N':>8} | {'quads':>10} | {'pyoxigraph load':>16} | {'sro bulk load':>14} | "
        f"{'ratio':>5} | {'point svc/raw req/s':>20} | {'ratio':>5} | {'agg svc/raw req/s':>18}"
        f" | {'ratio':>5}"
    )
    out("-" * 100)
    for res in results:
        loads: dict[str, dict[str, float]] = res["loads"]  # type: ignore[assignment]
        http: dict[str, dict[str, Run]] = res["http"]  # type: ignore[assignment]
        ox_rate, sro_rate = loads["pyoxigraph"]["rate"], loads["sro-bulk"]["rate"]
        p, a = http["point lookup"], http["aggregation"]
        out(
            f"{res['n']:>8,} | {res['quads']:>10,} | {ox_rate:>12,.0f} t/s | "
            f"{sro_rate:>10,.0f} t/s | {sro_rate / ox_rate:>5.2f} | "
            f"{p['service'].rate:>9,.0f}/{p['raw'].rate:<10,.0f} | "
            f"{p['service'].rate / p['raw'].rate:>5.2f} | "
            f"{a['service'].rate:>8,.0f}/{a['raw'].rate:<9,.0f} | "
            f"{a['service'].rate / a['raw'].rate:>5.2f}"
        )
        if "remote" in p:
            out(
                f"{'':>8} | {'':>10} | {'':>16} | {'':>14} | {'':>5} | "
                f"{p['remote'].rate:>9,.0f}/{p['raw'].rate:<10,.0f} | "
                f"{p['remote'].rate / p['raw'].rate:>5.2f} | "
                f"{a['remote'].rate:>8,.0f}/{a['raw'].rate:<9,.0f} | "
                f"{a['remote'].rate / a['raw'].rate:>5.2f}  (remote store)"
            )
    out(
        f"(medians of repeated runs; /sparql at concurrency {concurrency}; ratio = sro-graph / "
        "raw oxigraph serve)"
    )
    worst = [
        f"N={res['n']:,}: {max(p95 for _, p95 in res['named'].values()):.1f} ms"  # type: ignore[attr-defined]
        for res in results
        if res.get("named")
    ]
    if worst:
        out(
            "named queries repeated on an unchanged graph, worst p95 (target < 5 ms): "
            + "; ".join(worst)
        )


def main() -> None:
    if sys.argv[1:2] == ["abuse"]:  # python -m bench abuse: hostile requests (bench/abuse.py)
        from bench.abuse import main as abuse

        abuse(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="Comma-separated numbers of initiatives (default 1000,10000).",
    )
    parser.add_argument("--full", action="store_true", help="Add 100000 initiatives (slow).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per figure (median).")
    parser.add_argument(
        "--duration", type=float, default=3.0, help="Seconds per /sparql throughput run."
    )
    parser.add_argument("--concurrency", type=int, default=8, help="Concurrent clients.")
    parser.add_argument(
        "--remote",
        action="store_true",
        help="Also measure sro-graph over the raw oxigraph server as its remote "
        "store (the several-processes deployment).",
    )
    parser.add_argument(
        "--remote-workers",
        type=int,
        default=2,
        help="uvicorn workers of the remote-store service (default 2).",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.full and 100_000 not in sizes:
        sizes.append(100_000)
    if not (BIN / "oxigraph").is_file():
        raise SystemExit("bench needs the oxigraph server: pip install -e '.[dev]'")
    out(f"sro-graph bench: sizes {sizes}, repeat {args.repeat}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="sro-bench-") as tmp:
        results = [bench_size(n, args, Path(tmp)) for n in sizes]
    table(results, args.concurrency)
    # -- validation (bench/validation.py, issue 7 item 5; owned by the validation work) --------
    out()
    subprocess.run(
        [sys.executable, "-m", "bench.validation", "--sizes", ",".join(str(n) for n in sizes)],
        check=True,
    )
    # -- catalogue harvest, whole and page by page (bench/catalog.py) -----------------------
    out()
    subprocess.run(
        [sys.executable, "-m", "bench.catalog", "--initiatives", "0", "1000"], check=True
    )
    # -- the stewards' spreadsheet import (bench/spreadsheets.py, issue 13.8) ----------------
    out()
    subprocess.run([sys.executable, "-m", "bench.spreadsheets"], check=True)


if __name__ == "__main__":
    main()
