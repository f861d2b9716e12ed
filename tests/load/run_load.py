"""A bounded load test on loopback: concurrent clients mixing named queries, /sparql,
/catalog pages and submissions against a real ``sro-graph serve`` on a disk store.

    .venv/bin/python -m tests.load.run_load --seconds 60 --clients 32

prints requests, errors and latency percentiles per kind, then checks that every acknowledged
submission is stored. ``tests/load/test_load.py`` runs the same for a shorter time in
``make test``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.security.helpers import WRITE, good, serving

NAMED = [
    "/queries/initiatives-per-challenge",
    "/queries/lighthouses",
    "/queries/municipality-coverage",
    "/queries/initiatives-per-focus-domain",
]
SPARQL = [
    "SELECT ?s ?label WHERE {{ ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }} "
    "LIMIT {n}",
    "SELECT (COUNT(*) AS ?n) WHERE {{ ?s a ?type }} LIMIT {n}",
    "ASK {{ ?s ?p ?o }} LIMIT {n}",
]
CATALOG = ["/catalog?page={page}&pageSize=10", "/catalog", "/catalog.ttl?page={page}&pageSize=25"]
MIX = [("named", 35), ("sparql", 30), ("catalog", 20), ("submission", 15)]
BUSY_RETRIES = 10


@dataclass
class LoadResult:
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    busy: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    acknowledged: dict[str, str] = field(default_factory=dict)  # submission id -> slug
    lost: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + sum(
            len(v) for v in self.errors.values()
        )

    @property
    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values())

    def table(self) -> str:
        lines = [
            f"{'kind':<11} {'requests':>8} {'errors':>6} {'busy':>5} {'p50 ms':>8} "
            f"{'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        ]
        for kind, _ in MIX:
            values = sorted(self.latencies.get(kind, []))
            lines.append(
                f"{kind:<11} {len(values) + len(self.errors.get(kind, [])):>8} "
                f"{len(self.errors.get(kind, [])):>6} {self.busy.get(kind, 0):>5} "
                f"{_pct(values, 50):>8.1f} {_pct(values, 95):>8.1f} {_pct(values, 99):>8.1f} "
                f"{(values[-1] * 1000 if values else 0):>8.1f}"
            )
        lines.append(
            f"{self.requests} requests in {self.seconds:.0f} s "
            f"({self.requests / self.seconds:.0f}/s), {self.error_count} errors, "
            f"{len(self.acknowledged)} submissions acknowledged, {len(self.lost)} lost"
        )
        return "\n".join(lines)


def _pct(values: list[float], pct: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1] * 1000


def _request(
    http: httpx.Client, kind: str, rng: random.Random, worker: int, n: int
) -> tuple[httpx.Response, str | None]:
    if kind == "named":
        return http.get(rng.choice(NAMED)), None
    if kind == "sparql":
        query = rng.choice(SPARQL).format(n=rng.randint(1, 500))
        return http.get("/sparql", params={"query": query}), None
    if kind == "catalog":
        return http.get(rng.choice(CATALOG).format(page=rng.randint(1, 3))), None
    slug = f"last-{worker}-{n}"
    return http.post("/submissions", content=good(slug, f"Last {slug}"), headers=WRITE), slug


def run_load(url: str, *, seconds: float, clients: int, seed: int = 8) -> LoadResult:
    """Drive ``url`` with ``clients`` threads for ``seconds``; 503 busy answers are retried
    after their Retry-After (counted as busy), anything else unexpected is an error."""
    result = LoadResult(seconds=seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]

    def client(worker: int) -> None:
        rng = random.Random(seed * 1000 + worker)
        n = 0
        with httpx.Client(base_url=url, timeout=60) as http:
            while time.monotonic() < deadline:
                kind = rng.choices(kinds, weights)[0]
                n += 1
                started = time.perf_counter()
                try:
                    for _ in range(BUSY_RETRIES):
                        response, slug = _request(http, kind, rng, worker, n)
                        if response.status_code != 503:
                            break
                        with lock:
                            result.busy[kind] += 1
                        time.sleep(min(float(response.headers.get("retry-after", 1)), 0.2))
                except httpx.HTTPError as exc:
                    with lock:
                        result.errors[kind].append(repr(exc))
                    continue
                elapsed = time.perf_counter() - started
                expected = 201 if kind == "submission" else 200
                with lock:
                    if response.status_code == expected:
                        result.latencies[kind].append(elapsed)
                        if slug is not None:
                            result.acknowledged[response.json()["id"]] = slug
                    else:
                        result.errors[kind].append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with httpx.Client(base_url=url, timeout=60) as http:
        for sid, slug in result.acknowledged.items():
            r = http.get(f"/submissions/{sid}")
            if r.status_code != 200:
                result.lost.append(slug)
        total = http.get("/submissions", params={"per_page": 1}).json()["total"]
        if total != len(result.acknowledged):
            result.lost.append(f"listing holds {total}, acknowledged {len(result.acknowledged)}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        serving(
            Path(tmp) / "store",
            Path(tmp) / "server.log",
            SRO_QUERY_CONCURRENCY="8",
        ) as server,
    ):
        result = run_load(server.url, seconds=args.seconds, clients=args.clients)
    print(result.table())  # noqa: T201 - the figures are the output
    for kind, errors in result.errors.items():
        for error in errors[:3]:
            print(f"  {kind}: {error}")  # noqa: T201


if __name__ == "__main__":
    main()
