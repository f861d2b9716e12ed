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
  silently short answers; Oxigraph server only has ``--timeout-s`` at start (stated to us as
  ``SRO_STORE_TIME_LIMIT_S``). Which applies is checked once at start
  (:meth:`RemoteStore.check_time_limit`). A time-out says "stopped" only when the store
  stopped the query; at our own deadline it says "abandoned".
- Bounded answers: a user query's answer is streamed and parsed as it arrives, under ONE
  deadline for the whole exchange (a watchdog shuts the socket down at it), and reading
  stops, closing the connection, one row past the row cap or at the byte cap.
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
import contextlib
import functools
import io
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from typing import IO, Any, Literal, cast

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
    StoreError,
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
        store_time_limit_s: float | None = None,
    ) -> None:
        """``kind``: a profile name of :data:`PROFILES`, or ``auto`` to read the store's
        ``Server`` header on first use. ``graph_store_url``: the Graph Store Protocol
        endpoint for staging large writes; by default the profile's path beside the query
        endpoint. ``store_time_limit_s``: the limit the store is configured to enforce itself
        (``oxigraph serve --timeout-s``), stated by the operator; Virtuoso is probed."""
        if kind != "auto" and kind not in PROFILES:
            raise ValueError(f"unknown kind of store {kind!r}; one of: auto, {', '.join(PROFILES)}")
        self._query_url = query_url
        self._update_url = update_url or query_url
        self._system_graph = system_graph
        self._timeout_s = timeout_s
        self._graph_store_url = graph_store_url
        self.store_time_limit_s = store_time_limit_s
        self.enforces_time_limit: bool | None = None  # known after the start-up check
        self._profile: RemoteProfile | None = None if kind == "auto" else PROFILES[kind]
        self._profile_lock = threading.Lock()
        self._limit_lock = threading.Lock()
        auth = httpx.BasicAuth(user, password or "") if user else None
        self._client = httpx.Client(
            auth=auth,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            # identity: a compressed answer could inflate far past the caps within one chunk.
            headers={"User-Agent": "sro-graph", "Accept-Encoding": "identity"},
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
        if self.enforces_time_limit is None:
            with self._limit_lock:
                self.check_time_limit(self._profile)
        return self._profile

    def check_time_limit(self, profile: RemoteProfile) -> bool:
        """Whether the store stops queries itself, logged once at start (docs/deployment.md).

        A store with a per-request limit (Virtuoso's ``timeout``) is probed with a query that
        would run for minutes: it must answer "over time" within a few seconds. Oxigraph
        server takes its limit only at start (``--timeout-s``), which no request can see:
        the operator states it (``SRO_STORE_TIME_LIMIT_S``). Without either, a query over
        time is abandoned by sro-graph and may go on running in the store.
        """
        if self.enforces_time_limit is not None:
            return self.enforces_time_limit
        if profile.timeout_param:
            self.enforces_time_limit = self._probe_time_limit(profile)
        else:
            self.enforces_time_limit = self.store_time_limit_s is not None
        if self.enforces_time_limit:
            log.info(
                "remote store stops queries at its own time limit (%s)",
                "probed" if profile.timeout_param else f"stated: {self.store_time_limit_s:g} s",
            )
        else:
            log.warning(
                "remote store: no time limit of its own is known; a query over time is "
                "abandoned and may go on running in the store. Start oxigraph serve with "
                "--timeout-s N and set SRO_STORE_TIME_LIMIT_S=N (docs/deployment.md)."
            )
        return self.enforces_time_limit

    def _probe_time_limit(self, profile: RemoteProfile) -> bool:
        """Ask for a 1 s limit on a query of minutes; the store must cut it short."""
        assert profile.timeout_param is not None
        limit = 1000 if profile.timeout_unit == "ms" else 1
        started = time.monotonic()
        try:
            with self._client.stream(
                "POST",
                self._query_url,
                data={
                    "query": rq.load("store-time-limit-probe"),
                    profile.timeout_param: str(limit),
                },
                headers={"Accept": profile.results_media},
                timeout=httpx.Timeout(_PROBE_S, connect=5.0),
            ) as response:
                state = response.headers.get("x-sql-state", "")
                message = response.headers.get("x-sql-message", "")
                text = _first_line(_bounded_text(response)) if response.status_code >= 400 else ""
                stopped = state == "S1TAT" or _is_timeout_text(message) or _is_timeout_text(text)
                log.info(
                    "time-limit probe: status %s, state %r, %.1f s",
                    response.status_code,
                    state,
                    time.monotonic() - started,
                )
        except httpx.HTTPError as exc:
            log.info("time-limit probe failed: %s", exc.__class__.__name__)
            stopped = False
        return stopped and time.monotonic() - started < _PROBE_S

    # -- HTTP ------------------------------------------------------------------------------

    def _query_form(
        self,
        query: str,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str],
        limit: float,
    ) -> list[tuple[str, str]]:
        """The form of a query request: the query, its protocol dataset, the union default
        graph when there is none, and the store's own time limit when it takes one."""
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
        if profile.timeout_param:
            scale = 1000 if profile.timeout_unit == "ms" else 1
            form.append((profile.timeout_param, str(round(limit * scale))))
        return form

    def _post_query(
        self,
        query: str,
        *,
        accept: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout_s: float | None = None,
    ) -> httpx.Response:
        limit = timeout_s or self._timeout_s
        form = self._query_form(query, default_graphs, named_graphs, limit)
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
            raise StoreTimeout(_abandoned(limit)) from exc
        except httpx.HTTPError as exc:
            raise StoreUnavailable(_UNAVAILABLE) from exc
        _check(response, what="query")
        if response.headers.get("x-sql-state") == "S1TAT":
            # Virtuoso's "anytime" answer: partial results once the time limit was reached.
            raise StoreTimeout(_STOPPED)
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

    def statements(self, query: str) -> list[ox.Triple]:
        response = self._post_query(query, accept=_N_TRIPLES)
        if _media_type(response) != _N_TRIPLES:
            raise StoreQueryError("Expected a CONSTRUCT or DESCRIBE query.")
        return list(_parse_triples(response.content, ox.RdfFormat.N_TRIPLES))

    def query_raw(
        self,
        query: str,
        *,
        accept: str,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_cap: int | None = None,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
    ) -> RawResult:
        """Run a user query and answer in ``accept``, cut at ``row_cap`` rows or triples and
        at the byte cap, within ONE deadline for the whole exchange.

        The answer is streamed: rows are parsed as they arrive and written out at once, and
        reading stops (the connection is closed, which ends the query in the store) one row
        past the cap, at the byte cap, or at the deadline. Results come in SPARQL JSON (XML
        from Virtuoso), graphs in N-Triples: formats pyoxigraph parses incrementally and
        that never yield a half-read row.
        """
        limit = timeout_s or self._timeout_s
        deadline = time.monotonic() + limit
        graph_query = accept not in RESULT_FORMATS
        media = _N_TRIPLES if graph_query else self.profile.results_media
        form = self._query_form(query, default_graphs or (), named_graphs or (), limit)
        response = self._send_streaming(form, accept=media, limit=limit, deadline=deadline)
        raw_cap = None if max_bytes is None else 2 * max_bytes
        body = _Body(response, deadline=deadline, max_bytes=raw_cap, fix=self._bnode_fix(response))
        try:
            with _Watchdog(response, deadline, body):
                return self._write(
                    body, _media_type(response), accept, row_cap, max_bytes, limit, query
                )
        finally:
            response.close()

    def _write(
        self,
        body: _Body,
        got: str,
        accept: str,
        row_cap: int | None,
        cap: int | None,
        limit: float,
        query: str,
    ) -> RawResult:
        """Parse the streamed answer and write it in ``accept`` while it arrives; the columns
        of ``SELECT *`` in the order of ``query``'s text (12.7)."""
        parsed: Any = None
        try:
            if got in _RESULT_PARSERS and accept in RESULT_FORMATS:
                parsed = ox.parse_query_results(_as_file(body), format=_RESULT_PARSERS[got])
                if isinstance(parsed, ox.QueryBoolean):
                    value = bool(parsed)
                    return RawResult(
                        results.write_boolean(accept, value), accept, "boolean", False, 1
                    )
                names = projection_order(query, [v.value for v in parsed.variables])
                written = results.write_bindings_capped(
                    accept,
                    names,
                    ([s[n] for n in names] for s in _until_cut(parsed, body)),
                    row_cap=row_cap,
                    max_bytes=cap,
                )
                kind: Literal["bindings", "graph"] = "bindings"
            elif got in _READABLE_GRAPHS and accept in _GRAPH_FORMATS:
                quads = ox.parse(_as_file(body), format=_READABLE_GRAPHS[got])
                written = results.write_graph_capped(
                    _GRAPH_FORMATS[accept],
                    (ox.Triple(q.subject, q.predicate, q.object) for q in _until_cut(quads, body)),
                    row_cap=row_cap,
                    max_bytes=cap,
                )
                kind = "graph"
            else:
                raise StoreQueryError("The store answered in a format sro-graph cannot read.")
        except (SyntaxError, ValueError, OSError) as exc:
            log.debug("streamed answer broke off: %s", _first_line(str(exc)))
            broken = True
        else:
            broken = False
        # pyoxigraph's result reader may only be dropped by the thread that made it: the
        # error is raised here, outside the handler, without the parse error as its context
        # (whose traceback holds the reader and would travel to the caller's thread).
        parsed = None
        if broken:
            raise self._broken_off(body, limit)
        cut = written.cut or ("bytes" if body.cut else None)
        return RawResult(written.body, accept, kind, cut is not None, written.count, cut)

    def _broken_off(self, body: _Body, limit: float) -> StoreError:
        """The error for an answer that broke off: our deadline, the store's own time limit
        (Oxigraph ends the body with "cancelled"), or a failure in the store."""
        if body.late:
            return StoreTimeout(_abandoned(limit))
        if "cancel" in body.tail().lower() or "timeout" in body.tail().lower():
            return StoreTimeout(_STOPPED)
        return StoreQueryError(
            "The query failed while the store was answering: its answer broke off."
        )

    def _bnode_fix(self, response: httpx.Response) -> tuple[bytes, bytes] | None:
        """Virtuoso's SPARQL XML names blank nodes ``nodeID://b1``, which is no blank node
        label: written ``b1``. (Text cannot hold ``<bnode>``: XML escapes ``<``.)"""
        prefix = self.profile.bnode_label_prefix
        if prefix and _media_type(response) == ResultFormat.XML:
            return b"<bnode>" + prefix.encode(), b"<bnode>"
        return None

    def _send_streaming(
        self, form: list[tuple[str, str]], *, accept: str, limit: float, deadline: float
    ) -> httpx.Response:
        """Send a query and return the response with its body unread; its status checked
        (an error body is read, at most 64 KiB)."""
        remaining = max(0.001, deadline - time.monotonic())
        request = self._client.build_request(
            "POST",
            self._query_url,
            data=dict(_group(form)),
            headers={"Accept": accept},
            # A little slack so the store's own limit answers first when it has one; the
            # body is bounded by the watchdog at the deadline.
            timeout=httpx.Timeout(remaining + 1.0, connect=min(remaining, 5.0)),
        )
        try:
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout):
                raise StoreUnavailable(_UNAVAILABLE) from exc
            raise StoreTimeout(_abandoned(limit)) from exc
        except httpx.HTTPError as exc:
            raise StoreUnavailable(_UNAVAILABLE) from exc
        try:
            if response.status_code >= 300:
                _refuse(response.status_code, _first_line(_bounded_text(response)), "query")
            if response.headers.get("x-sql-state") == "S1TAT":
                # Virtuoso's "anytime" answer: partial results once the time limit was reached.
                raise StoreTimeout(_STOPPED)
        except BaseException:
            response.close()
            raise
        return response

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
        max_bytes: int | None = None,
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
                max_bytes=max_bytes,
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
    if response.status_code >= 300:
        _refuse(response.status_code, _first_line(response.text), what)


def _is_timeout_text(text: str) -> bool:
    """A store's message that a time limit stopped or refused the query (Virtuoso also
    refuses up front when its estimate "exceeds the limit" of seconds)."""
    lowered = text.lower()
    return any(
        sign in lowered
        for sign in ("timeout", "timed out", "cancelled", "interrupted", "exceeds the limit")
    )


def _refuse(status: int, text: str, what: str) -> None:
    """Raise the error for a store's refusal (status >= 300) with its first line ``text``."""
    if status in (401, 403):
        raise StoreUnavailable("The remote SPARQL store refused our credentials.")
    if status in (502, 503, 504) or status == 404:
        raise StoreUnavailable(_UNAVAILABLE)
    if "estimated execution time" in text.lower():
        # Virtuoso's MaxQueryCostEstimationTime: refused before running.
        raise StoreTimeout(f"The store estimates the {what} would run too long and refused it.")
    if _is_timeout_text(text):
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


def _serialize(items: Sequence[Any], *, format: ox.RdfFormat) -> bytes:
    return ox.serialize(items, format=format) or b""


def _uri(value: str) -> URIRef:
    return URIRef(value)


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:300] if lines else "no reason given"


_PROBE_S = 10.0
"""How long the start-up probe waits for the store to stop a query at its 1 s limit."""
_STOPPED = "The query ran longer than the time limit and the store stopped it."
_ERROR_BODY_BYTES = 65_536
_TAIL_BYTES = 512


def _abandoned(limit: float) -> str:
    return (
        f"The query ran longer than {limit:g} s and was abandoned; the store may still be "
        "running it."
    )


def _bounded_text(response: httpx.Response) -> str:
    """At most 64 KiB of an (error) answer's text: a store's error page is not read whole."""
    data = bytearray()
    with contextlib.suppress(httpx.HTTPError):
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) >= _ERROR_BODY_BYTES:
                break
    return data[:_ERROR_BODY_BYTES].decode("utf-8", "replace")


class _Body(io.RawIOBase):
    """A streamed answer as a file for pyoxigraph's incremental parsers.

    It ends (EOF) at ``max_bytes`` (``cut``), and fails at the deadline (``late``); it keeps
    the last bytes read (an error text at the end of a broken-off answer). ``fix`` replaces
    a byte string in the stream (Virtuoso's blank node labels), also across chunk borders.
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        deadline: float,
        max_bytes: int | None,
        fix: tuple[bytes, bytes] | None = None,
    ) -> None:
        super().__init__()
        chunks = response.iter_bytes()  # decoded, should a store compress all the same
        self._chunks = _replaced(chunks, fix) if fix else chunks
        self._deadline = deadline
        self._max_bytes = max_bytes
        self._pending = b""
        self._read = 0
        self._tail = b""
        self.cut = False
        self.late = False
        self.ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            if self.cut or self.ended:
                return 0
            if time.monotonic() >= self._deadline:
                self.late = True
                raise TimeoutError("deadline")
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self.ended = True
                return 0
            except httpx.HTTPError as exc:
                if time.monotonic() >= self._deadline:
                    self.late = True
                raise OSError("the answer broke off") from exc
            if self._max_bytes is not None and self._read + len(chunk) > self._max_bytes:
                chunk = chunk[: self._max_bytes - self._read]
                self.cut = True
            self._read += len(chunk)
            self._tail = (self._tail + chunk)[-_TAIL_BYTES:]
            self._pending = chunk
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def tail(self) -> str:
        """The last bytes read, as text (a store's error after a broken-off answer)."""
        return self._tail.decode("utf-8", "replace")


def _as_file(body: _Body) -> IO[bytes]:
    return cast(IO[bytes], body)


def _until_cut(items: Iterable[Any], body: _Body) -> Iterator[Any]:
    """The items parsed from ``body``; when the byte cap cut the body inside an item, the
    items before it (the parsers never yield a half-read row or triple)."""
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except MemoryError:
            # pyoxigraph's parsers hold at most 16 MiB of one row: a larger row is cut.
            body.cut = True
            return
        except (SyntaxError, ValueError, OSError):
            if body.cut:
                return
            raise
        yield item


def _replaced(chunks: Iterator[bytes], fix: tuple[bytes, bytes]) -> Iterator[bytes]:
    old, new = fix
    hold = len(old) - 1
    tail = b""
    for chunk in chunks:
        data = (tail + chunk).replace(old, new)
        tail = data[-hold:] if hold else b""
        out = data[: len(data) - len(tail)]
        if out:
            yield out
    if tail:
        yield tail


class _Watchdog:
    """Ends the exchange at the deadline: shuts the connection's socket down, which wakes a
    read blocked on it (a store that stops sending), so no single read outlives the
    deadline."""

    def __init__(self, response: httpx.Response, deadline: float, body: _Body) -> None:
        self._response = response
        self._body = body
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self._body.late = True
        stream = self._response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
