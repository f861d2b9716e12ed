"""No way out of the SPARQL sandbox (issue 12.1): no query text, in any encoding or escape,
makes the service or its store open a connection while the allow-list is empty.

Two layers, each tested alone: the query check refuses the word SERVICE wherever it appears
(after decoding every escape), and the query workers of a disk store cannot open an internet
socket at all (a seccomp filter), which holds even when the check is bypassed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sro_graph.sparql import SERVICE_REFUSAL
from sro_graph.store import StoreQueryError, StoreUnavailable
from sro_graph.store.worker import QueryJob, QueryWorkerPool
from sro_graph.web.app import create_app
from tests.conftest import make_settings
from tests.remote_servers import running_server
from tests.security.helpers import Listener, listening

ISSUE_EXAMPLE = (
    "SELECT * WHERE {{\n"
    'OPTIONAL {{ ?s0 <http://x/\\u0041#y> ?o0 . ?s ?p "A\\u0022 , " }} '
    "SERVICE <{url}/x> {{ ?x ?y ?z }} "
    'OPTIONAL {{ ?s ?p " , \\u0022" }}\n'
    "}}"
)
"""Issue 12.1's example, character for character: it reached the listener on main."""

JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with listening() as heard:
        yield heard


@pytest.fixture(scope="module", params=["backend", "disk", "oxigraph-server"])
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """An app over the store of ``--backend`` (memory by default), over a disk store (query
    workers), and over a real ``oxigraph serve``."""
    with contextlib.ExitStack() as stack:
        if request.param == "backend":
            app_settings = make_settings()
        elif request.param == "disk":
            app_settings = make_settings(store=str(tmp_path_factory.mktemp("store") / "db"))
        else:
            server = stack.enter_context(
                running_server("oxigraph", tmp_path_factory.mktemp("oxigraph"))
            )
            app_settings = make_settings(
                store=server.store_location, store_update=server.update_url
            )
        yield stack.enter_context(TestClient(create_app(app_settings)))


def test_issue_example_is_refused_and_never_reaches_the_listener(
    client: TestClient, listener: Listener
) -> None:
    r = client.get("/sparql", params={"query": ISSUE_EXAMPLE.format(url=listener.url)})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "query-rejected"
    assert r.json()["detail"] == SERVICE_REFUSAL
    assert listener.heard() == []


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "customer service" }',
        "SELECT * WHERE { ?s ?p ?o } # no SERVICE here\n",
        "SELECT * WHERE { ?s <http://x/Service> ?o }",
    ],
)
def test_the_word_service_anywhere_is_refused_with_one_line_saying_why(
    client: TestClient, query: str
) -> None:
    r = client.post("/sparql", content=query, headers={"content-type": "application/sparql-query"})
    assert r.status_code == 400
    assert r.json()["detail"] == SERVICE_REFUSAL
    assert "\n" not in SERVICE_REFUSAL


# -- property: escaped, commented, string-wrapped, case-varied SERVICE --------------------------


def _spell(word: str) -> st.SearchStrategy[str]:
    """``word`` with each letter as itself in either case, or as a \\u / \\U escape."""

    def letter(char: str) -> st.SearchStrategy[str]:
        return st.sampled_from(
            [
                char.lower(),
                char.upper(),
                f"\\u{ord(char.upper()):04X}",
                f"\\u{ord(char.lower()):04x}",
                f"\\U{ord(char.upper()):08X}",
            ]
        )

    return st.tuples(*(letter(c) for c in word)).map("".join)


NOISE = st.sampled_from(
    [
        "",
        "# a comment\n",
        '?s ?p "A\\u0022 , " . ',
        "?s ?p 'it\\'s' . ",
        '?s ?p """long "quoted" \\" x""" . ',
        "?s0 <http://x/\\u0041#y> ?o0 . ",
        '?s ?p " , \\u0022" . ',
        "?s ?p '\\u0027' . ",
        "# \\u000A ",
    ]
)


@st.composite
def service_queries(draw: st.DrawFn, url: str) -> str:
    keyword = draw(_spell("service"))
    silent = draw(st.sampled_from(["", " " + draw(_spell("silent"))]))
    target, prologue, values = draw(
        st.sampled_from(
            [
                (f"<{url}/x>", "", ""),
                (f"<{url}/\\u0041#y>", "", ""),
                ("l:x", f"PREFIX l: <{url}/>\n", ""),
                ("?endpoint", "", f"VALUES ?endpoint {{ <{url}/x> }} "),
            ]
        )
    )
    clause = f"{keyword}{silent} {target} {{ ?x ?y ?z }}"
    where = draw(st.sampled_from(["code", "string", "comment", "long-string"]))
    if where == "string":
        clause = f'?s ?p "{clause}" .'
    elif where == "long-string":
        clause = f"?s ?p '''{clause}''' ."
    elif where == "comment":
        clause = f"# {clause}\n"
    before, after = draw(NOISE), draw(NOISE)
    return (
        f"{prologue}SELECT * WHERE {{\n{values}OPTIONAL {{ {before}}} {clause} "
        f"OPTIONAL {{ {after}}}\n}}"
    )


@pytest.fixture(scope="module")
def memory_client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(store="memory"))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def property_listener() -> Iterator[Listener]:
    with listening() as heard:
        yield heard


@given(data=st.data())
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_spelling_of_service_reaches_the_listener(
    memory_client: TestClient, property_listener: Listener, data: st.DataObject
) -> None:
    """In memory the query check is the only layer (queries run in threads of the API
    process): it alone must hold against every spelling."""
    query = data.draw(service_queries(property_listener.url))
    how = data.draw(st.sampled_from(["get", "form", "body"]))
    if how == "get":
        r = memory_client.get("/sparql", params={"query": query})
    elif how == "form":
        r = memory_client.post("/sparql", data={"query": query})
    else:
        r = memory_client.post(
            "/sparql", content=query, headers={"content-type": "application/sparql-query"}
        )
    assert r.status_code == 400, (query, r.text)
    assert r.json()["error"] == "query-rejected"
    assert property_listener.hits == [], query


# -- the second layer: query workers without internet sockets ------------------------------------


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("worker-store") / "db"
    ox.Store(str(path)).add(
        ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o"))
    )
    return path


def _job(query: str) -> QueryJob:
    return QueryJob("v1", query, JSON, None, None, 100)


def test_worker_sandbox_alone_blocks_service_and_survives(
    store_path: Path, listener: Listener
) -> None:
    """The query check is bypassed (the job goes straight to a worker): the worker still
    cannot connect, answers an error, and goes on answering."""
    pool = QueryWorkerPool(store_path, size=1)
    try:
        for query in (
            ISSUE_EXAMPLE.format(url=listener.url),
            f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}",
        ):
            with pytest.raises(StoreQueryError):
                pool.query(_job(query), timeout_s=10)
        (pid,) = pool.pids()
        result = pool.query(_job("SELECT ?o WHERE { ?s ?p ?o }"), timeout_s=10)
        assert b'"o"' in result.body
        assert pool.pids() == [pid], "the same worker answered: it did not crash"
    finally:
        pool.close()
    assert listener.heard() == []


def test_worker_with_network_survives_a_malformed_service_answer(store_path: Path) -> None:
    """With an allow-list the workers may connect; an endpoint that answers garbage gives an
    error for that query, and the worker lives on (it died with a RuntimeError on main)."""
    pool = QueryWorkerPool(store_path, size=1, allow_network=True)
    try:
        with listening() as garbage:
            with pytest.raises(StoreQueryError):
                pool.query(
                    _job(f"SELECT * WHERE {{ SERVICE <{garbage.url}/sparql> {{ ?s ?p ?o }} }}"),
                    timeout_s=10,
                )
            assert garbage.heard(), "the allowed endpoint was called"
        (pid,) = pool.pids()
        pool.query(_job("ASK { ?s ?p ?o }"), timeout_s=10)
        assert pool.pids() == [pid]
    finally:
        pool.close()


def test_worker_without_a_sandbox_refuses_every_query(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where seccomp cannot be installed (here: pyseccomp cannot be imported in the worker)
    the workers fail closed: no query runs, the answer says why (503)."""
    (tmp_path / "pyseccomp.py").write_text("raise ImportError('no libseccomp here')\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), *filter(None, sys.path)]))
    pool = QueryWorkerPool(store_path, size=1)
    try:
        for _ in range(2):
            with pytest.raises(StoreUnavailable, match="sandbox"):
                pool.query(_job("ASK { ?s ?p ?o }"), timeout_s=10)
    finally:
        pool.close()


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:  # ended meanwhile
        return []


def _seccomp_mode(pid: int) -> int:
    """The process's seccomp mode (/proc/<pid>/status): 0 none, 2 a filter."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Seccomp:"):
            return int(line.split()[1])
    raise AssertionError("no Seccomp line")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(("allowlist", "mode"), [([], 2), (["https://allowed.example/"], 0)])
def test_the_apps_query_workers_are_sandboxed_unless_an_allowlist_opens_the_network(
    tmp_path: Path, allowlist: list[str], mode: int
) -> None:
    store = tmp_path / "db"
    settings = make_settings(store=str(store), sparql_allowlist=allowlist)
    with TestClient(create_app(settings)) as client:
        r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 200, r.text
        workers = [
            p
            for p in psutil.Process().children(recursive=True)
            if {"sro_graph.store.worker", str(store)} <= set(_cmdline(p))
        ]
        assert workers
        assert {_seccomp_mode(p.pid) for p in workers} == {mode}
