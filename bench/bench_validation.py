"""Validation and submission figures over the real app (in-memory store): run with
``.venv/bin/python bench/bench_validation.py``."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient

from sro_graph.config import Settings, hash_token
from sro_graph.web.app import create_app

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
TOKEN = "bench-token"


def main() -> None:
    settings = Settings(base_uri="https://sro.test", store="memory", log_level="WARNING",
                        steward_token_hashes=[hash_token(TOKEN)])
    good = (DATA / "good-initiative.ttl").read_text(encoding="utf-8")
    broken = (DATA / "broken-initiative.ttl").read_bytes()
    with TestClient(create_app(settings)) as client:
        start = time.perf_counter()
        client.post("/validate", content=broken, headers={"content-type": "text/turtle"})
        print(f"first /validate (starts the worker pool): {time.perf_counter() - start:.2f} s")
        for name, body in (("broken", broken), ("good", good.encode())):
            times = []
            for _ in range(20):
                start = time.perf_counter()
                client.post("/validate", content=body, headers={"content-type": "text/turtle"})
                times.append(time.perf_counter() - start)
            print(f"/validate {name} initiative: median {statistics.median(times) * 1000:.0f} ms,"
                  f" max {max(times) * 1000:.0f} ms (n=20)")
        headers = {"content-type": "text/turtle", "authorization": f"Bearer {TOKEN}"}

        def post(i: int) -> int:
            body = good.replace("proef-luchtmeting", f"bench-{i}").encode()
            return client.post("/submissions", content=body, headers=headers).status_code

        start = time.perf_counter()
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(post, range(40)))
        elapsed = time.perf_counter() - start
        print(f"40 submissions, 20 at a time: {elapsed:.2f} s "
              f"({40 / elapsed:.1f}/s), statuses {sorted(set(statuses))}")


if __name__ == "__main__":
    main()
