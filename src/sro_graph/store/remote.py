"""A remote SPARQL 1.1 store (Oxigraph server, Virtuoso, Fuseki, GraphDB) over HTTP.

Queries go to the query endpoint (SPARQL 1.1 Protocol, form-encoded POST), writes to the
update endpoint. One ``httpx.Client`` is shared by all threads and closed with the store;
every call has a time limit. What differs between stores is in a :class:`RemoteProfile`,
picked from the store's ``Server`` header unless configured:

- Union default graph: Oxigraph server answers queries over its (empty) default graph unless
  asked for the union with the ``union-default-graph`` parameter; we send it whenever the
  caller names no dataset (the service passes a query's FROM / FROM NAMED as the protocol's
  dataset parameters, which the union would override). Virtuoso already queries the union,
  and fills a dataset part left out with its default: an empty part is sent as a graph that
  never holds data.
- Server-side time limits: Virtuoso takes a ``timeout`` parameter (ms) and then answers
  partial results flagged ``X-SQL-State: S1TAT``, which we turn into a time-out, never into
  silently short answers; Oxigraph server only has ``--timeout-s`` at start. The client-side
  limit applies always.
- Atomic writes: a store that applies one update request as one transaction (Oxigraph) gets
  ONE request per :class:`GraphWrite`. Virtuoso commits each operation on its own, so it gets
  ONE ``DELETE … INSERT … WHERE`` operation; data too large for one operation is first loaded
  into staging graphs with the Graph Store Protocol and moved in by that operation. Either
  way a write is wholly in or wholly out; staging graphs are dropped afterwards.
- Bound variables: there are no ``substitutions`` over HTTP, so :func:`bind_values` writes the
  bindings as a ``VALUES`` block of N-Triples terms at the start of the query's WHERE group.

Error messages never carry the store's URL or credentials.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import Graph, URIRef

from sro_graph import rq
from sro_graph.formats import RESULT_FORMATS, MediaType, RdfFormat, ResultFormat
from sro_graph.oxterms import graph_to_triples, to_rdflib, triples_to_graph
from sro_graph.store import results
from sro_graph.store.base import (
    Bindings,
    GraphWrite,
    RawResult,
    Row,
    StoreConflict,
    StoreQueryError,
    StoreTimeout,
    StoreUnavailable,
)
from sro_graph.store.binding import bind_values
from sro_graph.store.profiles import PROFILES, RemoteProfile, detect_kind
from sro_graph.store.projection import projection_order
from sro_graph.store.update import build_operation, build_update

log = logging.getLogger(__name__)

_SPARQL_JSON = ResultFormat.JSON
_N_TRIPLES = RdfFormat.NTRIPLES
# Results formats read back from a remote store (its CSV loses term types: never read).
_RESULT_PARSERS: dict[str, ox.QueryResultsFormat] = {
    f: f.oxigraph for f in (ResultFormat.JSON, ResultFormat.XML, ResultFormat.TSV)
}
_GRAPH_FORMATS: dict[str, ox.RdfFormat] = {f: f.oxigraph for f in RdfFormat}
_UNAVAILABLE = "The remote SPARQL store cannot be reached; try again later."
STAGING_PREFIX = "urn:sro-graph:staging:"
EMPTY_GRAPH = "urn:sro-graph:empty-graph"
"""Never written: names an empty part of a query's dataset where the store needs a name."""
# Staging graphs older than this were left by a writer that died; the next staged write drops
# them (no write takes this long).
_STALE_STAGING_MS = 3_600_000


class RemoteStore:
    """A SPARQL 1.1 Query/Update store behind ``query_url`` and ``update_url``."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        system_graph: str,
        user: str | None = None,
        password: str | None = None,
        timeout_s: float = 60.0,
        kind: str = "auto",
        graph_store_url: str | None = None,
    ) -> None:
        """``kind``: a profile name of :data:`PROFILES`, or ``auto`` to read the store's
        ``Server`` header on first use. ``graph_store_url``: the Graph Store Protocol
        endpoint for staging large writes; by default the profile's path beside the query
        endpoint."""
        if kind != "auto" and kind not in PROFILES:
            raise ValueError(f"unknown kind of store {kind!r}; one of: auto, {', '.join(PROFILES)}")
        self._query_url = query_url
        self._update_url = update_url or query_url
        self._system_graph = system_graph
        self._timeout_s = timeout_s
        self._graph_store_url = graph_store_url
        self._profile: RemoteProfile | None = None if kind == "auto" else PROFILES[kind]
        self._profile_lock = threading.Lock()
        auth = httpx.BasicAuth(user, password or "") if user else None
        self._client = httpx.Client(
            auth=auth,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            headers={"User-Agent": "sro-graph"},
            follow_redirects=False,
        )

    @property
    def profile(self) -> RemoteProfile:
        """The store's profile; with ``kind="auto"`` asked of the store once (it may be down
        now and detected on a later call)."""
        if self._profile is None:
            with self._profile_lock:
                if self._profile is None:
                    try:
                        response = self._client.post(
                            self._query_url,
                            data={"query": "ASK {}"},
                            headers={"Accept": _SPARQL_JSON},
                        )
                    except httpx.HTTPError as exc:
                        raise StoreUnavailable(_UNAVAILABLE) from exc
                    if response.status_code in (502, 503, 504):
                        raise StoreUnavailable(_UNAVAILABLE)
                    kind = detect_kind(response.headers.get("server", ""))
                    log.info("remote store detected as %s", kind)
                    self._profile = PROFILES[kind]
        return self._profile

    # -- HTTP ------------------------------------------------------------------------------

    def _post_query(
        self,
        query: str,
        *,
        accept: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout_s: float | None = None,
    ) -> httpx.Response:
        profile = self.profile
        if (default_graphs or named_graphs) and profile.fills_missing_dataset_part:
            # Protocol §2.1.4: a part of the dataset the request leaves out is empty.
            default_graphs = default_graphs or [EMPTY_GRAPH]
            named_graphs = named_graphs or [EMPTY_GRAPH]
        form: list[tuple[str, str]] = [("query", query)]
        form += [("default-graph-uri", g) for g in default_graphs]
        form += [("named-graph-uri", g) for g in named_graphs]
        if not default_graphs and not named_graphs and profile.union_param:
            # Oxigraph refuses the union together with a protocol dataset: a query that names
            # its graphs gets exactly those.
            form.append((profile.union_param, "true"))
        limit = timeout_s or self._timeout_s
        if profile.timeout_param:
            scale = 1000 if profile.timeout_unit == "ms" else 1
            form.append((profile.timeout_param, str(round(limit * scale))))
        try:
            response = self._client.post(
                self._query_url,
                data=dict(_group(form)),
                headers={"Accept": accept},
                # A little slack so the server's own limit answers first when it has one.
                timeout=httpx.Timeout(limit + 1.0, connect=min(limit, 5.0)),
            )
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout):
                raise StoreUnavailable(_UNAVAILABLE) from exc
            raise StoreTimeout(f"The query ran longer than {limit:g} s and was stopped.") from exc
        except httpx.HTTPError as exc:
            raise StoreUnavailable(_UNAVAILABLE) from exc
        _check(response, what="query")
        if response.headers.get("x-sql-state") == "S1TAT":
            # Virtuoso's "anytime" answer: partial results once the time limit was reached.
            raise StoreTimeout(f"The query ran longer than {limit:g} s and was stopped.")
        return response

    def _post_update(self, update: str) -> None:
        try:
            response = self._client.post(
                self._update_url,
                content=update.encode("utf-8"),
                headers={"Content-Type": MediaType.SPARQL_UPDATE},
            )
        except httpx.HTTPError as exc:
            # The store applies the update as one transaction: it is wholly in or out.
            raise StoreUnavailable(
                "The remote SPARQL store did not confirm the write; it was applied wholly "
                "or not at all. Try again later."
            ) from exc
        _check(response, what="update")

    def _body(self, response: httpx.Response) -> bytes:
        """The answer's bytes; Virtuoso's SPARQL XML names blank nodes ``nodeID://b1``, which
        is no blank node label: written ``b1``. (Text cannot hold ``<bnode>``: XML escapes
        ``<``.)"""
        body = response.content
        if self.profile.bnode_label_prefix and _media_type(response) == ResultFormat.XML:
            body = body.replace(b"<bnode>" + self.profile.bnode_label_prefix.encode(), b"<bnode>")
        return body

    # -- queries ---------------------------------------------------------------------------

    def _solutions(self, query: str, bindings: Bindings | None) -> _Results:
        results_media = self.profile.results_media
        response = self._post_query(bind_values(query, bindings), accept=results_media)
        return _read_results(self._body(response), _RESULT_PARSERS[results_media], None)

    def select(self, query: str, *, bindings: Bindings | None = None) -> list[Row]:
        solutions = self._solutions(query, bindings)
        if isinstance(solutions, bool):
            raise StoreQueryError("Expected a SELECT query.")
        names, values, _ = solutions
        return [
            {
                name: to_rdflib(term)
                for name, term in zip(names, row, strict=True)
                if term is not None
            }
            for row in values
        ]

    def ask(self, query: str, *, bindings: Bindings | None = None) -> bool:
        answer = self._solutions(query, bindings)
        if not isinstance(answer, bool):
            raise StoreQueryError("Expected an ASK query.")
        return answer

    def construct(self, query: str, *, bindings: Bindings | None = None) -> Graph:
        response = self._post_query(bind_values(query, bindings), accept=_N_TRIPLES)
        if _media_type(response) != _N_TRIPLES:
            raise StoreQueryError("Expected a CONSTRUCT or DESCRIBE query.")
        return triples_to_graph(_parse_triples(response.content, ox.RdfFormat.N_TRIPLES))

    def query_raw(
        self,
        query: str,
        *,
        accept: str,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_cap: int | None = None,
        timeout_s: float | None = None,
    ) -> RawResult:
        """Run a user query and answer in ``accept``, cut at ``row_cap`` rows or triples.

        The store is asked for ``accept`` itself when we can read it back (to count and cut),
        else for SPARQL JSON or N-Triples; the body is passed through untouched unless it must
        be cut or converted.
        """
        results_media = self.profile.results_media
        readable = (
            accept in _RESULT_PARSERS and accept not in self.profile.unreliable_media
        ) or accept in _READABLE_GRAPHS
        wanted = [accept] if readable else []
        if self.profile.single_accept:
            # ``accept`` always suits the query's form (the caller negotiated it by form).
            fallback = results_media if accept in RESULT_FORMATS else _N_TRIPLES
            header = accept if readable else fallback
        else:
            header = ", ".join([*wanted, f"{results_media};q=0.9", f"{_N_TRIPLES};q=0.8"])
        response = self._post_query(
            query,
            accept=header,
            default_graphs=default_graphs or (),
            named_graphs=named_graphs or (),
            timeout_s=timeout_s,
        )
        got = _media_type(response)
        body = self._body(response)
        if got in _RESULT_PARSERS:
            parsed = _read_results(body, _RESULT_PARSERS[got], row_cap)
            if isinstance(parsed, bool):
                if got == accept:
                    return RawResult(body, accept, "boolean", False, 1)
                return RawResult(results.write_boolean(accept, parsed), accept, "boolean", False, 1)
            names, rows, truncated = parsed
            ordered = projection_order(query, names)  # SELECT *: the query's order (12.7)
            if got == accept and not truncated and ordered == names:
                return RawResult(body, accept, "bindings", False, len(rows))
            if ordered != names:
                columns = [names.index(name) for name in ordered]
                rows = [[row[i] for i in columns] for row in rows]
                names = ordered
            try:
                out = results.write_bindings(accept, names, rows)
            except ValueError as exc:
                raise StoreQueryError("Results cannot be written in that format.") from exc
            return RawResult(out, accept, "bindings", truncated, len(rows))
        if got in _READABLE_GRAPHS:
            triples, truncated = _take(_parse_triples(body, _GRAPH_FORMATS[got]), row_cap)
            if got == accept and not truncated:
                return RawResult(body, accept, "graph", False, len(triples))
            fmt = _GRAPH_FORMATS.get(accept)
            if fmt is None:
                raise StoreQueryError("A graph cannot be written in that format.")
            if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
                return RawResult(
                    _serialize(quads, format=fmt), accept, "graph", truncated, len(triples)
                )
            return RawResult(
                _serialize(triples, format=fmt), accept, "graph", truncated, len(triples)
            )
        raise StoreQueryError("The store answered in a format sro-graph cannot read.")

    async def query_raw_async(
        self,
        query: str,
        *,
        accept: str,
        executor: Executor,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_cap: int | None = None,
        timeout_s: float | None = None,
    ) -> RawResult:
        """:meth:`query_raw` on ``executor`` (the HTTP client is synchronous)."""
        return await asyncio.get_running_loop().run_in_executor(
            executor,
            functools.partial(
                self.query_raw,
                query,
                accept=accept,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                row_cap=row_cap,
                timeout_s=timeout_s,
            ),
        )

    # -- writes and bookkeeping ------------------------------------------------------------

    def write(self, change: GraphWrite, *, new_version: str, if_version: str | None = None) -> None:
        """One request, or one operation, per write (see the module docstring).

        With ``if_version`` the write is one operation whose WHERE clause holds the version
        check, so the check and the write are one step in the store, whichever process sends
        them; whether it applied is read back from the version.
        """
        profile = self.profile
        if profile.atomic_requests and if_version is None:
            self._post_update(
                build_update(change, system_graph=self._system_graph, new_version=new_version)
            )
            return
        size = sum(
            len(g)
            for g in [*change.replace.values(), *change.add.values(), *change.remove.values()]
        )
        if profile.inline_limit is None or size <= profile.inline_limit:
            self._post_update(
                build_operation(
                    change,
                    system_graph=self._system_graph,
                    new_version=new_version,
                    if_version=if_version,
                )
            )
        else:
            self._staged_write(change, new_version=new_version, if_version=if_version)
        if if_version is not None and self.version() != new_version:
            raise StoreConflict(
                "The store changed since it was read; the write was not applied (or was at "
                "once superseded by another)."
            )

    def _staged_write(
        self, change: GraphWrite, *, new_version: str, if_version: str | None
    ) -> None:
        """Load the content into staging graphs, then move it in with ONE operation.

        A failure before that operation leaves the store's data as it was (the staging graphs
        are dropped). Blank nodes are kept within each graph, not across graphs.
        """
        self._drop_stale_staging()
        stamp = f"{STAGING_PREFIX}{time.time_ns() // 1_000_000}:{uuid.uuid4().hex}"
        adds: dict[str, str] = {}
        removes: dict[str, str] = {}
        try:
            inserts = [*change.replace.items(), *change.add.items()]
            for n, (target, graph) in enumerate(inserts):
                if len(graph):
                    adds[f"{stamp}:add:{n}"] = target
                    self._put_graph(f"{stamp}:add:{n}", graph)
            for n, (target, graph) in enumerate(change.remove.items()):
                if len(graph):
                    removes[f"{stamp}:remove:{n}"] = target
                    self._put_graph(f"{stamp}:remove:{n}", graph)
            cleared = GraphWrite(
                replace={name: Graph() for name in change.replace}, drop=change.drop
            )
            self._post_update(
                build_operation(
                    cleared,
                    system_graph=self._system_graph,
                    new_version=new_version,
                    if_version=if_version,
                    staged_adds=adds,
                    staged_removes=removes,
                )
            )
        finally:
            self._drop_graphs([*adds, *removes])

    def _graph_store(self) -> str:
        if self._graph_store_url:
            return self._graph_store_url
        path = self.profile.graph_store_path
        if path is None:
            raise StoreQueryError(
                "This store takes no write this large; configure its Graph "
                "Store Protocol endpoint (SRO_STORE_GRAPH_STORE)."
            )
        return self._query_url.rsplit("/", 1)[0] + "/" + path

    def _put_graph(self, name: str, graph: Graph) -> None:
        body = _serialize(list(graph_to_triples(graph)), format=ox.RdfFormat.N_TRIPLES)
        try:
            response = self._client.put(
                self._graph_store(),
                params={"graph": name},
                content=body,
                headers={"Content-Type": _N_TRIPLES},
            )
        except httpx.HTTPError as exc:
            raise StoreUnavailable(
                "The remote SPARQL store did not take the data; nothing was changed. "
                "Try again later."
            ) from exc
        _check(response, what="update")

    def _drop_graphs(self, names: Sequence[str]) -> None:
        """Drop staging graphs; a failure is logged, not raised (the write is decided)."""
        if not names:
            return
        try:
            self._post_update(" ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(n)}" for n in names))
        except (StoreUnavailable, StoreQueryError, StoreTimeout):
            log.warning("staging graphs were left behind; the next staged write drops them")

    def _drop_stale_staging(self) -> None:
        now_ms = time.time_ns() // 1_000_000
        stale = []
        for name in self._all_graph_names():
            if name.startswith(STAGING_PREFIX):
                stamp = name.removeprefix(STAGING_PREFIX).split(":", 1)[0]
                if stamp.isdigit() and now_ms - int(stamp) > _STALE_STAGING_MS:
                    stale.append(name)
        self._drop_graphs(stale)

    def version(self) -> str:
        rows = self.select(rq.load("store-version"), bindings={"system": _uri(self._system_graph)})
        return str(rows[0]["version"]) if rows else "0"

    def graph_names(self) -> set[str]:
        """The named graphs, without the staging graphs of writes under way and the store's
        own graphs."""
        return {
            n
            for n in self._all_graph_names()
            if not n.startswith(STAGING_PREFIX) and not self._is_own_graph(n)
        }

    def _is_own_graph(self, name: str) -> bool:
        return name.startswith(self.profile.own_graph_prefixes)

    def _all_graph_names(self) -> set[str]:
        return {str(row["graph"]) for row in self.select(rq.load("store-graph-names"))}

    def dump(self, *, graph: str | None = None) -> bytes:
        """All quads of the named graphs (N-Quads), or one graph's triples (N-Triples)."""
        if graph is not None:
            query = bind_values(rq.load("store-dump-graph"), {"graph": _uri(graph)})
            response = self._post_query(query, accept=_N_TRIPLES)
            triples = _parse_triples(response.content, ox.RdfFormat.N_TRIPLES)
            return _serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
        solutions = self._solutions(rq.load("store-dump-quads"), None)
        if isinstance(solutions, bool):
            raise StoreQueryError("Expected a SELECT query.")
        names, values, _ = solutions
        at = [names.index(n) for n in ("subject", "predicate", "object", "graph")]
        quads = [
            ox.Quad(row[at[0]], row[at[1]], row[at[2]], row[at[3]])
            for row in values
            if not row[at[3]].value.startswith(STAGING_PREFIX)
            and not self._is_own_graph(row[at[3]].value)
        ]
        return _serialize(quads, format=ox.RdfFormat.N_QUADS)

    def close(self) -> None:
        self._client.close()


_READABLE_GRAPHS: dict[str, ox.RdfFormat] = {
    f: f.oxigraph for f in (RdfFormat.TURTLE, RdfFormat.NTRIPLES, RdfFormat.RDFXML)
}


def _group(form: Iterable[tuple[str, str]]) -> dict[str, list[str] | str]:
    out: dict[str, list[str] | str] = {}
    for key, value in form:
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def _check(response: httpx.Response, *, what: str) -> None:
    status = response.status_code
    if status < 300:
        return
    text = _first_line(response.text)
    if status in (401, 403):
        raise StoreUnavailable("The remote SPARQL store refused our credentials.")
    if status in (502, 503, 504) or status == 404:
        raise StoreUnavailable(_UNAVAILABLE)
    if "estimated execution time" in text.lower():
        # Virtuoso's MaxQueryCostEstimationTime: refused before running.
        raise StoreTimeout(f"The store estimates the {what} would run too long and refused it.")
    if "timeout" in text.lower() or "timed out" in text.lower():
        raise StoreTimeout(f"The store stopped the {what}: it ran out of time.")
    if status == 406:
        raise StoreQueryError("The store cannot answer this query in that format.")
    if status == 400 and what == "query":
        # SPARQL 1.1 Protocol §2.1.4: 400 is a query that does not parse; said as the
        # embedded store says it, so users see one message whatever the backend.
        raise StoreQueryError(f"The query does not parse: {text}")
    raise StoreQueryError(f"The store refused the {what}: {text}")


def _media_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";", 1)[0].strip().lower()


def _parse_triples(body: bytes, fmt: ox.RdfFormat) -> Iterator[ox.Triple]:
    try:
        for quad in ox.parse(body, format=fmt):
            yield ox.Triple(quad.subject, quad.predicate, quad.object)
    except (SyntaxError, ValueError) as exc:
        raise StoreQueryError("The store sent a graph that does not parse.") from exc


_Results = bool | tuple[list[str], list[list[Any]], bool]


def _read_results(body: bytes, fmt: ox.QueryResultsFormat, cap: int | None) -> _Results:
    """A boolean, or the variables, rows (cut at ``cap``) and whether rows were cut.

    Read whole here: a store that fails while streaming (Oxigraph server when a SERVICE call
    fails) breaks its body off with an error text, which must be a StoreQueryError, not a
    parse error surfacing later wherever the rows are read.

    Raises:
        StoreQueryError: the body does not parse, or breaks off.
    """
    parsed: Any = None
    try:
        parsed = ox.parse_query_results(body, format=fmt)
        if isinstance(parsed, ox.QueryBoolean):
            return bool(parsed)
        names = [v.value for v in parsed.variables]
        rows: list[list[Any]] = []
        for solution in parsed:
            if cap is not None and len(rows) >= cap:
                return names, rows, True
            rows.append([solution[n] for n in names])
        return names, rows, False
    except (SyntaxError, ValueError) as exc:
        # pyoxigraph's result reader may only be dropped by the thread that made it; the
        # traceback keeps this frame, so let go of it here.
        parsed = None
        raise StoreQueryError(
            "The query failed while the store was answering: its answer broke off."
        ) from exc


def _take(items: Iterable[Any], cap: int | None) -> tuple[list[Any], bool]:
    out: list[Any] = []
    for item in items:
        if cap is not None and len(out) >= cap:
            return out, True
        out.append(item)
    return out, False


def _serialize(items: Sequence[Any], *, format: ox.RdfFormat) -> bytes:
    return ox.serialize(items, format=format) or b""


def _uri(value: str) -> URIRef:
    return URIRef(value)


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:300] if lines else "no reason given"
