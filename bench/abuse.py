"""``python -m bench abuse``: hostile /sparql requests against a real service, and whether the
service stays usable meanwhile (issue 12, "done when").

A real ``oxigraph serve --timeout-s`` holds the data (the base knowledge) as the remote store
of a real ``sro-graph serve`` process (``--store embedded``: the embedded store on disk, whose
query workers are separate processes; the API process is the one measured). Eight concurrent
requests of each hostile kind are sent at once:

- ``long-text``: a query text of about 60 KB (``a.`` repeated: the check's worst case);
- ``cross-product``: ``SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 3000000`` (30 million rows);
- ``byte-explosion``: 24 nested ``BIND(CONCAT(?x, ?x))``, 128 MB in one row.

While any of them is in flight, ``/health`` and a cached named query are asked again and
again; the resident memory of the API process is sampled every 20 ms. Printed: latencies of
the probes (max and median), peak RSS, and how the hostile requests ended.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from bench.targets import verdict

BIN = Path(sys.executable).parent
BASE = "https://sro.test"
NAMED = "/queries/initiatives-per-challenge"
TIMEOUT_S = 5
CLIENT_TIMEOUT_S = 120.0


def _doubled(times: int) -> str:
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(times))
    return f'SELECT ?x{times} WHERE {{ BIND("abcdefgh" AS ?x0) {binds} }}'


HOSTILE: dict[str, str] = {
    "long-text": "SELECT * WHERE { ?s ?p ?o } " + "a." * 30_000,
    "cross-product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000000",
    "byte-explosion": _doubled(24),
}


@dataclass
class AbuseResult:
    """What one run measured."""

    health: list[float] = field(default_factory=list)
    named: list[float] = field(default_factory=list)
    probe_failures: list[str] = field(default_factory=list)
    probes_in_flight: int = 0
    peak_rss: int = 0
    hostile: Counter[tuple[str, str]] = field(default_factory=Counter)
    hostile_errors: list[str] = field(default_factory=list)

    def report(self) -> bool:
        """Print the figures against the targets; True when every target is met."""
        out = sys.stdout.write
        for (kind, outcome), n in sorted(self.hostile.items()):
            out(f"hostile {kind:<16} -> {outcome}: {n}\n")
        for error in self.hostile_errors[:5]:
            out(f"hostile error: {error}\n")
        out(f"probes while hostile requests were in flight: {self.probes_in_flight}\n")
        for name, values in (("/health", self.health), (NAMED, self.named)):
            if values:
                out(
                    f"{name}: {len(values)} answers, median {statistics.median(values):.3f} s, "
                    f"90th percentile {percentile(values, 0.9):.3f} s\n"
                )
        out(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
        met = [
            verdict("/health max latency", max(self.health, default=99), at_most=1.0, unit="s"),
            verdict("named query max latency", max(self.named, default=99), at_most=1.0, unit="s"),
            verdict("API peak RSS", self.peak_rss / 2**20, at_most=1024, unit="MB"),
        ]
        return all(met) and not self.probe_failures


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 99.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text(errors='replace')[-2000:]}")
        with suppress(httpx.HTTPError):
            httpx.get(url, timeout=2)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer: {log.read_text(errors='replace')[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def stack(tmp: Path, *, store: str = "remote", **env: str) -> Iterator[tuple[str, int]]:
    """``sro-graph serve`` over ``oxigraph serve --timeout-s`` (``store="remote"``) or over
    the embedded store on disk with its query workers (``"embedded"``): (API URL, API pid)."""
    if store == "embedded":
        with _api(tmp, {"SRO_STORE": str(tmp / "store"), **env}) as running:
            yield running
        return
    store_port = _free_port()
    store_log = tmp / "oxigraph.log"
    with store_log.open("wb") as log:
        server = subprocess.Popen(
            [
                str(BIN / "oxigraph"),
                "serve",
                "--location",
                str(tmp / "oxigraph"),
                "--bind",
                f"127.0.0.1:{store_port}",
                "--timeout-s",
                str(TIMEOUT_S),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        store_url = f"http://127.0.0.1:{store_port}"
        _wait(f"{store_url}/query?query=ASK%7B%7D", server, store_log)
        remote = {
            "SRO_STORE": f"sparql+{store_url}/query",
            "SRO_STORE_UPDATE": f"{store_url}/update",
            "SRO_STORE_TIME_LIMIT_S": str(TIMEOUT_S),
        }
        with _api(tmp, {**remote, **env}) as running:
            yield running
    finally:
        _stop(server)


@contextmanager
def _api(tmp: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    api_port = _free_port()
    api_log = tmp / "api.log"
    variables = {k: v for k, v in os.environ.items() if not k.startswith("SRO_")}
    variables.update(
        {
            "SRO_BASE_URI": BASE,
            "SRO_QUERY_TIMEOUT_S": str(TIMEOUT_S),
            "SRO_VALIDATION_WORKERS": "1",
            "SRO_LOG_LEVEL": "WARNING",
            **env,
        }
    )
    with api_log.open("wb") as log:
        api = subprocess.Popen(
            [str(BIN / "sro-graph"), "serve", "--host", "127.0.0.1", "--port", str(api_port)],
            env=variables,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        api_url = f"http://127.0.0.1:{api_port}"
        _wait(f"{api_url}/health", api, api_log)
        yield api_url, api.pid
    finally:
        _stop(api)


def run_abuse(
    api_url: str, api_pid: int, *, per_kind: int = 8, kinds: tuple[str, ...] = tuple(HOSTILE)
) -> AbuseResult:
    """Send ``per_kind`` hostile requests of each kind at once; probe until all have ended."""
    result = AbuseResult()
    httpx.get(f"{api_url}{NAMED}", timeout=CLIENT_TIMEOUT_S).raise_for_status()  # cached now
    lock = threading.Lock()
    in_flight = [0]
    all_sent = threading.Event()
    done = threading.Event()

    def hostile(kind: str, query: str) -> None:
        with lock:
            in_flight[0] += 1
        try:
            r = httpx.post(f"{api_url}/sparql", data={"query": query}, timeout=CLIENT_TIMEOUT_S)
            outcome = str(r.status_code)
            if r.status_code == 200 and "x-sro-truncated-by" in r.headers:
                outcome += " cut at " + r.headers["x-sro-truncated-by"]
            elif r.status_code >= 400 and r.headers.get("content-type", "").endswith("json"):
                outcome += " " + str(r.json().get("error"))
            with lock:
                result.hostile[(kind, outcome)] += 1
        except httpx.HTTPError as exc:
            with lock:
                result.hostile_errors.append(f"{kind}: {exc!r}")
        finally:
            with lock:
                in_flight[0] -= 1

    def sample() -> None:
        process = psutil.Process(api_pid)
        while not done.is_set():
            with suppress(psutil.Error):
                result.peak_rss = max(result.peak_rss, process.memory_info().rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [
        threading.Thread(target=hostile, args=(kind, query), daemon=True)
        for kind, query in HOSTILE.items()
        if kind in kinds
        for _ in range(per_kind)
    ]
    for thread in threads:
        thread.start()
    all_sent.set()
    with httpx.Client(timeout=10) as probe:
        while any(t.is_alive() for t in threads):
            for path, into in (("/health", result.health), (NAMED, result.named)):
                busy = in_flight[0] > 0
                started = time.monotonic()
                try:
                    status = probe.get(f"{api_url}{path}").status_code
                except httpx.HTTPError as exc:
                    result.probe_failures.append(f"{path}: {exc!r}")
                    continue
                into.append(time.monotonic() - started)
                if status != 200:
                    result.probe_failures.append(f"{path}: {status}")
                if busy:
                    result.probes_in_flight += 1
            time.sleep(0.05)
    for thread in threads:
        thread.join()
    done.set()
    sampler.join()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench abuse", description=__doc__)
    parser.add_argument("--per-kind", type=int, default=8, help="Concurrent requests per kind.")
    parser.add_argument(
        "--kinds", default=",".join(HOSTILE), help=f"Comma-separated, of: {', '.join(HOSTILE)}."
    )
    parser.add_argument("--show", action="store_true", help="Print one answer of each kind.")
    parser.add_argument(
        "--store",
        choices=("remote", "embedded"),
        default="remote",
        help="remote: oxigraph serve --timeout-s (default); embedded: a disk store with "
        "query workers.",
    )
    args = parser.parse_args(argv)
    if not (BIN / "oxigraph").is_file():
        raise SystemExit("bench abuse needs the oxigraph server: pip install -e '.[dev]'")
    with (
        tempfile.TemporaryDirectory(prefix="sro-abuse-") as tmp,
        stack(Path(tmp), store=args.store) as (url, pid),
    ):
        kinds = tuple(k for k in args.kinds.split(",") if k)
        if args.show:
            for kind in kinds:
                r = httpx.post(f"{url}/sparql", data={"query": HOSTILE[kind]}, timeout=60)
                sys.stdout.write(f"{kind}: {r.status_code} {r.headers} {r.text[:300]}\n")
        result = run_abuse(url, pid, per_kind=args.per_kind, kinds=kinds)
    if not result.report():
        raise SystemExit(1)


if __name__ == "__main__":
    main()
