"""The point-lookup part of ``make bench`` alone: DESCRIBE of one random initiative on
``/sparql``, sro-graph beside raw ``oxigraph serve`` in the same run (issue 17.1).

``python -m bench.point [--size N] [--concurrency 8] [--repeat 3] [--duration 3]
[--server-args '--loop asyncio --http h11']`` prints each run, the median ratio and the
target line (>= 0.8x raw) with met or missed. ``--server-args`` is passed to uvicorn, to
compare event loops and HTTP parsers in one run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.__main__ import (
    BASE,
    BIN,
    POINT_TARGET,
    ROOT,
    Run,
    free_port,
    hammer,
    median_run,
    out,
    prepare_stores,
    start_raw,
    start_service,
    stop,
    wait_http,
)
from bench.targets import verdict


def _cpu_s(pid: int) -> float:
    """CPU seconds of process ``pid`` and its children (the query workers)."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for process in (root, *root.children(recursive=True)):
        try:
            times = process.cpu_times()
        except psutil.Error:  # a worker that ended meanwhile
            continue
        total += times.user + times.system
    return total


def point_lookups(
    n: int,
    service: tuple[str, int],
    raw: tuple[str, int],
    *,
    concurrency: int,
    repeat: int,
    duration: float,
    label: str = "sro-graph/disk",
    floor: tuple[str, int] | None = None,
) -> float:
    """Alternate the servers (url, pid) ``repeat`` times; print their medians and the server
    CPU per request (steadier than req/s on a shared machine); return service / raw.

    With ``floor`` (the bare Python server of ``bench/floor_app.py``) its ratio to raw is
    printed too: the ceiling of any Python service here."""

    def point(rng: random.Random) -> dict[str, str]:
        return {"query": f"DESCRIBE <{BASE}/id/initiatief/bench-{rng.randrange(n):06d}>"}

    accept = "application/n-triples"
    targets = {"service": service, "raw": raw}
    if floor is not None:
        targets["floor"] = floor
    runs: dict[str, list[Run]] = {k: [] for k in targets}
    cpu: dict[str, list[float]] = {k: [] for k in targets}
    for url, _ in targets.values():  # warm each
        hammer(url, point, accept, concurrency, 1.0)
    for _ in range(repeat):  # alternate, so drift hits each alike
        for key, (url, pid) in targets.items():
            before = _cpu_s(pid)
            run = hammer(url, point, accept, concurrency, duration)
            cpu[key].append((_cpu_s(pid) - before) / max(1, run.requests) * 1e6)
            runs[key].append(run)
    medians = {k: median_run(v) for k, v in runs.items()}
    names = {"service": label, "raw": "raw oxigraph", "floor": "bare Python (floor)"}
    for key, run in medians.items():
        name = names[key]
        out(
            f"/sparql point lookup {name:<22} {run.rate:8,.0f} req/s "
            f"p50 {run.percentile(0.5):6.1f} p99 {run.percentile(0.99):6.1f} ms  "
            f"server CPU {statistics.median(cpu[key]):5.0f} us/req  errors {run.errors}"
        )
    if "floor" in medians:
        out(
            f"bare Python server / raw {medians['floor'].rate / medians['raw'].rate:.2f}x, "
            f"sro-graph / bare Python {medians['service'].rate / medians['floor'].rate:.2f}x"
        )
    return medians["service"].rate / medians["raw"].rate


def start_floor(
    store_dir: Path, server_args: str, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    """The bare Python server (``bench/floor_app.py``) over ``store_dir``, read-only, served
    by uvicorn as sro-graph is (same extra arguments), in ``workers`` processes."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            "bench.floor_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
            "--workers",
            str(workers),
            *server_args.split(),
        ],
        env={**os.environ, "SRO_FLOOR_STORE": str(store_dir)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    wait_http(f"{url}?query=ASK%7B%7D", process)
    return process, url


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.point", description=__doc__)
    parser.add_argument("--size", type=int, default=1000, help="Initiatives (default 1000).")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument(
        "--server-args",
        action="append",
        default=[],
        help="Extra uvicorn arguments, one variant per use (e.g. '--loop asyncio --http h11').",
    )
    parser.add_argument(
        "--slots",
        type=int,
        action="append",
        default=[],
        help="The service's query slots (= worker processes), one variant per use; "
        "default max(concurrency, 8).",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="Also run the bare Python server of bench/floor_app.py: the ceiling of any "
        "Python service on this machine.",
    )
    parser.add_argument(
        "--floor-workers",
        type=int,
        default=1,
        help="Processes of the bare Python server (each opens the store read-only).",
    )
    args = parser.parse_args()
    out(
        f"point lookups: {args.size:,} initiatives, concurrency {args.concurrency}, "
        f"{os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="sro-bench-point-") as tmp:
        _, service_dir, raw_dir, quads = prepare_stores(args.size, Path(tmp))
        out(f"data: {quads:,} quads")
        raw, raw_url = start_raw(raw_dir)
        floor = (
            start_floor(
                raw_dir, args.server_args[0] if args.server_args else "", args.floor_workers
            )
            if args.floor
            else None
        )
        try:
            variants = [
                (server_args, slots)
                for server_args in args.server_args or [""]
                for slots in args.slots or [None]
            ]
            for server_args, slots in variants:
                variant = server_args + (f" {slots} slots" if slots else "")
                service, service_url = start_service(
                    str(service_dir),
                    args.concurrency,
                    1,
                    extra_args=server_args.split(),
                    slots=slots,
                )
                try:
                    ratio = point_lookups(
                        args.size,
                        (service_url, service.pid),
                        (raw_url, raw.pid),
                        concurrency=args.concurrency,
                        repeat=args.repeat,
                        duration=args.duration,
                        label=f"sro-graph {variant}".strip(),
                        floor=(floor[1], floor[0].pid) if floor else None,
                    )
                finally:
                    stop(service)
                verdict(
                    f"point lookups, service / raw {variant}".strip(),
                    ratio,
                    at_least=POINT_TARGET,
                    unit="x",
                )
        finally:
            stop(raw)
            if floor is not None:
                stop(floor[0])
        shutil.rmtree(service_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
