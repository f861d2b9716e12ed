"""User SPARQL: inspect a query before it runs, then run it within time, row and slot limits.

Inspection is a careful tokenizer rather than a full parser: it skips strings, IRIs and
comments, so a keyword inside a literal never counts, and it looks at the text both as written
and after SPARQL's ``\\uXXXX`` code-point unescaping (which Oxigraph applies to the whole query
before parsing), so an escaped ``SERVICE`` cannot slip through. The engine parses the query
itself afterwards; the inspector only decides what may run:

- read-only: any update operation (INSERT, DELETE, LOAD, CLEAR, ...) is refused;
- ``SERVICE`` is refused unless its target IRI starts with an entry of the allow-list (a
  variable target is always refused): the embedded engine would otherwise open a connection;
- ``FROM`` / ``FROM NAMED`` and the protocol's ``default-graph-uri`` / ``named-graph-uri`` may
  name any IRI: a graph the store lacks is an empty graph; nothing is ever fetched.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
import re
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha256
from typing import Literal
from urllib.parse import urljoin

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral

from sro_graph.errors import BusyError, QueryRejectedError, QuerySyntaxError, QueryTimeoutError
from sro_graph.formats import GRAPH_RESULT_FORMATS, RESULT_FORMATS, ResultFormat
from sro_graph.store import RawResult, Store, StoreBusy, StoreQueryError, StoreTimeout
from sro_graph.vocab import SD

log = logging.getLogger(__name__)

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})

# Order matters: long strings before short ones, IRIs before the '<' operator.
_TOKEN = re.compile(
    r"""
    (?P<lstring>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
  | (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<comment>\#[^\n\r]*)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w\-.\u00b7]*)?:
               (?:[\w\-.:%\u00b7]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FETCHING_EXTENSIONS = frozenset({"DEFINE", "OPTION"})
"""Virtuoso's words that make it fetch a graph (sponging); neither is a SPARQL 1.1 keyword."""
_FETCHING_WORD = re.compile(r"\b(?:DEFINE|OPTION)\b", re.IGNORECASE)
_BASE_WORD = re.compile(r"\bBASE\b", re.IGNORECASE)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


@dataclass(frozen=True)
class QueryInfo:
    """What inspection learned about a query: its form and the IRIs it names."""

    form: QueryForm
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    services: tuple[str, ...] = ()

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def tokenize(text: str) -> Iterator[Token]:
    """Significant tokens of SPARQL text: no whitespace, no comments."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        yield Token(kind, match.group(), match.start())


def unescape_codepoints(text: str) -> str:
    """SPARQL's code-point escape processing (§19.2), applied to the whole text."""

    def _char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    # Lone surrogates (escaped halves of a pair) become U+FFFD rather than breaking encoders.
    unescaped = _UNICODE_ESCAPE.sub(_char, text)
    return unescaped.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def inspect_query(
    query: str,
    *,
    allowlist: Sequence[str] = (),
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
) -> QueryInfo:
    """Decide whether ``query`` may run, and what form it has.

    ``default_graphs`` / ``named_graphs``: the protocol's dataset parameters, if any.

    Raises:
        QueryRejectedError: an update, a SERVICE not on the allow-list, or a store extension
            that can fetch (Virtuoso's DEFINE and FROM … OPTION).
        QuerySyntaxError: no query form could be found.
    """
    info, services, _ = _analyse(query)
    for target in services:
        if not _allowed(target, allowlist):
            raise QueryRejectedError(
                f"SERVICE <{target}> is not allowed: federated queries may only reach the "
                "endpoints on the allow-list."
                if target != "?"
                else "SERVICE with a variable endpoint is not allowed."
            )
    # FROM / FROM NAMED and the dataset parameters may name any IRI: a graph the store lacks
    # is an empty graph, never fetched (as Oxigraph and Fuseki do); no backend dereferences
    # dataset IRIs (issue 12.3). The runner passes the query's dataset to the store itself.
    # Virtuoso does fetch when told to, with words that are no SPARQL: ``DEFINE get:soft``
    # pragmas and ``FROM <iri> OPTION (get:soft ...)``. Refused wherever they appear as words.
    for text in {query, unescape_codepoints(query)}:
        if not _FETCHING_WORD.search(text):  # the common case: no second pass over the text
            continue
        for token in tokenize(text):
            if token.kind == "word" and token.text.upper() in _FETCHING_EXTENSIONS:
                raise QueryRejectedError(
                    f"{token.text.upper()} is not SPARQL 1.1 (a store extension that can make "
                    "the store fetch data) and is refused."
                )
    return info


def without_dataset_clauses(query: str) -> str:
    """``query`` with its FROM / FROM NAMED clauses blanked out, for a protocol dataset that
    overrides them (Protocol §2.1.4).

    Raises:
        QueryRejectedError: a clause whose IRI is not one token as written (e.g. escaped).
    """
    text = list(query)
    tokens = list(tokenize(query))
    for index, token in enumerate(tokens):
        if token.kind != "word" or token.text.upper() != "FROM":
            continue
        last = index + 1
        if last < len(tokens) and tokens[last].text.upper() == "NAMED":
            last += 1
        if last >= len(tokens) or tokens[last].kind not in ("iri", "pname"):
            raise QueryRejectedError(
                "default-graph-uri / named-graph-uri cannot replace this query's FROM clauses; "
                "write them as <IRI>s or leave them out."
            )
        end = tokens[last].start + len(tokens[last].text)
        text[token.start : end] = [" "] * (end - token.start)
    return "".join(text)


def dataset_clauses(query: str, *, base: str | None = None) -> tuple[list[str], list[str]]:
    """The IRIs of the query's FROM and FROM NAMED clauses, resolved against its BASE (else
    ``base``) and its prefixes, as the engine resolves them.

    Raises:
        QueryRejectedError: a clause whose IRI cannot be named (an undeclared prefix, or a
            relative IRI without a base).
    """
    tokens = list(tokenize(unescape_codepoints(query)))
    prefixes: dict[str, str] = {}
    froms: list[str] = []
    named: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind != "word" or index + 1 >= len(tokens):
            continue
        word, following = token.text.upper(), tokens[index + 1]
        if word == "BASE" and following.kind == "iri":
            base = _resolved(following.text[1:-1], base)
        elif word == "PREFIX" and following.kind == "pname" and index + 2 < len(tokens):
            if tokens[index + 2].kind == "iri":
                iri = _resolved(tokens[index + 2].text[1:-1], base)
                prefixes[following.text.split(":", 1)[0]] = iri or "?"
        elif word == "FROM":
            into = froms
            if following.text.upper() == "NAMED" and index + 2 < len(tokens):
                into, following = named, tokens[index + 2]
            target: str | None = None
            if following.kind == "iri":
                target = _resolved(following.text[1:-1], base)
            elif following.kind == "pname":
                prefix, _, local = following.text.partition(":")
                if prefixes.get(prefix, "?") != "?":
                    target = prefixes[prefix] + local
            if target is None:
                raise QueryRejectedError(
                    f"FROM {following.text[:80]} names no absolute IRI (an undeclared prefix, "
                    "or a relative IRI without BASE)."
                )
            into.append(target)
    return froms, named


def _resolved(iri: str, base: str | None) -> str | None:
    """``iri`` made absolute against ``base`` (RFC 3986); ``None`` when it cannot be."""
    if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
        return iri
    return urljoin(base, iri) if base else None


_INLINE_TEXT_LIMIT = 4_096
"""Query texts up to this many characters may be inspected on an event loop."""
_CACHED_TEXT_LIMIT = 16_384
"""Query texts up to this many characters have their analysis cached (bounds the memory)."""


def _analyse(query: str) -> tuple[QueryInfo, tuple[str, ...], tuple[str, ...]]:
    """What the text of ``query`` says (form, SERVICE targets, FROM IRIs), independent of
    allow-list and store: cached on the exact text, since busy clients repeat queries."""
    if len(query) <= _CACHED_TEXT_LIMIT:
        return _analyse_cached(query)
    return _analyse_text(query)


def _analyse_text(query: str) -> tuple[QueryInfo, tuple[str, ...], tuple[str, ...]]:
    if not query.strip():
        raise QuerySyntaxError("The query is empty.")
    unescaped = unescape_codepoints(query)
    # Backslashes of \uXXXX escapes are expected in the text as written; the unescaped text
    # is checked strictly.
    infos = [_inspect_text(query, strict=unescaped == query)]
    if unescaped != query:
        infos.append(_inspect_text(unescaped, strict=True))
    info = infos[-1]
    services = tuple(s for i in infos for s in i.services)
    if not services and "SERVICE" in unescaped.upper():
        services = _services_by_rdflib(unescaped)
    froms = tuple(g for i in infos for g in (*i.from_graphs, *i.from_named_graphs))
    return info, services, froms


# Refusals (exceptions) are not cached: they are recomputed, which costs only the refused.
_analyse_cached = functools.lru_cache(maxsize=2048)(_analyse_text)

_RDFLIB_LOCK = threading.Lock()


def _services_by_rdflib(text: str) -> tuple[str, ...]:
    """A second opinion from an independent parser when the word SERVICE appears but the
    tokenizer placed it in a string or comment: any SERVICE it finds counts as unknown."""
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    # rdflib's pyparsing grammar is not safe to use from several threads at once.
    with _RDFLIB_LOCK:
        try:
            tree = parseQuery(text)
        except Exception:
            raise QueryRejectedError(
                "The query contains the word SERVICE and could not be verified as free of "
                "federated calls; remove the word from comments or rephrase."
            ) from None

    def names(node: object) -> Iterator[str]:
        if isinstance(node, CompValue):
            yield node.name
            for value in node.values():
                yield from names(value)
        elif isinstance(node, list | tuple) or hasattr(node, "asList"):
            for value in node:  # type: ignore[attr-defined]
                yield from names(value)

    return ("?",) if "ServiceGraphPattern" in names(tree) else ()


def _allowed(iri: str, allowlist: Sequence[str]) -> bool:
    return iri != "?" and any(iri.startswith(prefix) for prefix in allowlist if prefix)


def _inspect_text(text: str, *, strict: bool) -> QueryInfo:
    tokens = list(tokenize(text))
    prefixes: dict[str, str] = {}
    form: QueryForm | None = None
    froms: list[str] = []
    named: list[str] = []
    services: list[str] = []
    for index, token in enumerate(tokens):
        if strict and token.kind == "other" and token.text == "\\":
            # Outside strings and IRIs a backslash only belongs in a prefixed name's escape
            # (consumed above); anything else could hide text from this inspection.
            raise QuerySyntaxError("Unexpected backslash outside a string, IRI or name.")
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in UPDATE_KEYWORDS:
            raise QueryRejectedError(
                "This endpoint is read-only: SPARQL Update operations "
                f"({word} and the like) are refused."
            )
        if word == "PREFIX" and index + 2 < len(tokens):
            name, iri = tokens[index + 1], tokens[index + 2]
            if name.kind == "pname" and iri.kind == "iri":
                prefixes[name.text.split(":", 1)[0]] = iri.text[1:-1]
        elif word in _FORMS and form is None:
            form = word  # type: ignore[assignment]
        elif word == "SERVICE":
            services.append(_target(tokens, index + 1, prefixes, skip="SILENT"))
        elif word == "FROM":
            if index + 1 < len(tokens) and tokens[index + 1].text.upper() == "NAMED":
                named.append(_target(tokens, index + 2, prefixes))
            else:
                froms.append(_target(tokens, index + 1, prefixes))
    if form is None:
        raise QuerySyntaxError(
            "No query form found: a query starts (after PREFIX/BASE) with SELECT, ASK, "
            "CONSTRUCT or DESCRIBE."
        )
    return QueryInfo(form, tuple(froms), tuple(named), tuple(services))


def _target(
    tokens: list[Token], index: int, prefixes: dict[str, str], *, skip: str | None = None
) -> str:
    """The absolute IRI at ``tokens[index]``, or '?' when it is not one we can name."""
    if skip and index < len(tokens) and tokens[index].text.upper() == skip:
        index += 1
    if index >= len(tokens):
        return "?"
    token = tokens[index]
    if token.kind == "iri":
        iri = token.text[1:-1]
        return iri if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri) else "?"
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes and re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", prefixes[prefix]):
            return prefixes[prefix] + local
    return "?"


def query_hash(query: str) -> str:
    """A short hash that names a query in logs without writing it out."""
    return sha256(query.encode("utf-8")).hexdigest()[:12]


def signal_truncation(result: RawResult) -> RawResult:
    """A result cut at the row cap says so in its body too, when it is SPARQL JSON (a
    ``"truncated": true`` member beside ``head`` and ``results``); the header is the web
    layer's. Done once here, so cached results (the named queries) carry it already."""
    if not result.truncated or result.media_type != ResultFormat.JSON:
        return result
    data = json.loads(result.body)
    data["truncated"] = True
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return dataclasses.replace(result, body=body)


class QueryRunner:
    """Runs inspected queries on a store with a concurrency cap, a time limit and a row cap.

    The cap is :class:`QuerySlots`, the one place that answers "busy"; below it nothing
    queues or refuses. Blocking work of the async path runs on ``executor``, which the
    runtime owns (made in the web app's lifespan, shut down at its end).

    The time limit is enforced by the store: the embedded store on disk runs queries in worker
    processes that are killed on time-out (a hard limit); in memory a query runs in a thread
    and a time-out answers on time while the thread finishes in the background (a soft
    limit: its CPU is not freed until it ends).
    """

    def __init__(
        self,
        store: Store,
        *,
        timeout_s: float,
        row_cap: int,
        concurrency: int,
        executor: Executor,
        allowlist: Sequence[str] = (),
        queue_s: float = 0.0,
        base_iri: str | None = None,
    ) -> None:
        """``base_iri``: the base of relative IRIs in a query without its own BASE (the
        Protocol's service-defined base, which may be the endpoint)."""
        self.store = store
        self.base_iri = base_iri
        self.timeout_s = timeout_s
        self.row_cap = row_cap
        self.allowlist = tuple(allowlist)
        self.executor = executor
        self.slots = QuerySlots(concurrency, wait_s=queue_s)

    def inspect(
        self,
        query: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryInfo:
        """Inspect ``query`` against this runner's allow-list and the store's graphs."""
        return inspect_query(
            query,
            allowlist=self.allowlist,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )

    def inspect_if_cheap(
        self,
        query: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryInfo | None:
        """:meth:`inspect` when it needs neither the store nor the fallback parser and the
        text is short (so an event loop may run it); ``None`` otherwise: call :meth:`inspect`
        in a thread."""
        if default_graphs or named_graphs or len(query) > _INLINE_TEXT_LIMIT:
            return None
        upper = query.upper()
        if "FROM" in upper or "SERVICE" in upper:
            return None
        return self.inspect(query)

    def run(
        self,
        query: str,
        *,
        accept: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        row_cap: int | None = None,
    ) -> RawResult:
        """Run an already inspected query and serialise its result as ``accept`` (for a
        thread: named queries, the CLI).

        Raises:
            BusyError: no slot became free within ``queue_s`` (503 + Retry-After).
            QueryTimeoutError: the time limit ran out; the work was stopped.
            QuerySyntaxError: the engine refused the query.
        """
        query, defaults, named = self._dataset(query, default_graphs, named_graphs)
        self.slots.acquire()
        with self._limits(query):
            return signal_truncation(
                self.store.query_raw(
                    query,
                    accept=accept,
                    default_graphs=defaults,
                    named_graphs=named,
                    row_cap=row_cap if row_cap is not None else self.row_cap,
                    timeout_s=self.timeout_s,
                )
            )

    async def run_async(
        self,
        query: str,
        *,
        accept: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        row_cap: int | None = None,
    ) -> RawResult:
        """:meth:`run` for an event loop, through the same slots and limits: the slot is
        awaited on the loop, and the store's own async path runs the query."""
        query, defaults, named = self._dataset(query, default_graphs, named_graphs)
        await self.slots.acquire_async()
        with self._limits(query):
            result = await self.store.query_raw_async(
                query,
                accept=accept,
                executor=self.executor,
                default_graphs=defaults,
                named_graphs=named,
                row_cap=row_cap if row_cap is not None else self.row_cap,
                timeout_s=self.timeout_s,
            )
            if result.truncated:  # re-encodes a JSON body of up to row_cap rows: off the loop
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self.executor, signal_truncation, result)
            return result

    def _dataset(
        self, query: str, default_graphs: Sequence[str], named_graphs: Sequence[str]
    ) -> tuple[str, list[str] | None, list[str] | None]:
        """The query text (with the service's base) and the dataset to hand the store.

        The query's FROM / FROM NAMED are passed explicitly, since the store's union default
        would override them; a protocol dataset replaces them, and the query's own clauses
        are then taken out of the text (Virtuoso would merge the two). ``None, None``: the
        service's default dataset.
        """
        defaults, named = list(default_graphs), list(named_graphs)
        if "FROM" in query.upper():
            # FROM is a keyword: it cannot be written with escapes, so its absence is certain.
            if defaults or named:
                query = without_dataset_clauses(query)
            else:
                defaults, named = dataset_clauses(query, base=self.base_iri)
        if self.base_iri and not _BASE_WORD.search(query):
            # Only for a query without a BASE of its own: Virtuoso refuses a second one.
            query = f"BASE <{self.base_iri}> {query}"
        return query, defaults or None, named or None

    @contextmanager
    def _limits(self, query: str) -> Iterator[None]:
        """Hold the acquired query slot for the duration; store errors as service errors."""
        try:
            yield
        except StoreTimeout as exc:
            log.warning("query %s timed out after %.1f s", query_hash(query), self.timeout_s)
            raise QueryTimeoutError(
                f"The query ran longer than {self.timeout_s:g} s and was stopped."
            ) from exc
        except StoreBusy as exc:  # a worker died or the pool shut down: not a busy decision
            raise BusyError("The query could not be run just now; retry shortly.") from exc
        except StoreQueryError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        finally:
            self.slots.release()


_BUSY = "All query slots are busy; retry shortly."


class QuerySlots:
    """The one gate of user queries: the only place in the query path that says "busy".

    ``size`` slots (``SRO_QUERY_CONCURRENCY``, also the number of query worker processes, so
    a query holding a slot always finds one); a caller waits at most ``wait_s``
    (``SRO_QUERY_QUEUE_S``), first come first served, then gets :class:`BusyError` (503 +
    Retry-After). Threads and event loops wait alike, without polling: a released slot is
    handed to the longest waiter.
    """

    def __init__(self, size: int, *, wait_s: float) -> None:
        self.size = size
        self.wait_s = wait_s
        self._lock = threading.Lock()
        self._free = size
        self._waiters: deque[_Waiter] = deque()

    @property
    def in_use(self) -> int:
        """Slots held right now (for tests and monitoring)."""
        with self._lock:
            return self.size - self._free

    def _take_or_queue(self, waiter: _Waiter) -> bool:
        """Take a free slot (True), or queue ``waiter`` (False); busy if it may not wait."""
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return True
            if self.wait_s <= 0:
                raise BusyError(_BUSY, retry_after=1)
            self._waiters.append(waiter)
            return False

    def _gave_up(self, waiter: _Waiter) -> bool:
        """After a wait ended: True if the slot was handed over meanwhile (keep it)."""
        with self._lock:
            if waiter.granted:
                return True
            self._waiters.remove(waiter)
            return False

    def acquire(self) -> None:
        """Take a slot, waiting in this thread up to ``wait_s``; else BusyError."""
        waiter = _Waiter()
        if self._take_or_queue(waiter):
            return
        assert waiter.event is not None
        waiter.event.wait(self.wait_s)
        if not self._gave_up(waiter):
            raise BusyError(_BUSY, retry_after=1)

    async def acquire_async(self) -> None:
        """:meth:`acquire` for an event loop; a cancelled wait passes a handed slot on."""
        loop = asyncio.get_running_loop()
        waiter = _Waiter(loop=loop, future=loop.create_future())
        if self._take_or_queue(waiter):
            return
        assert waiter.future is not None
        try:
            await asyncio.wait_for(asyncio.shield(waiter.future), self.wait_s)
        except TimeoutError:
            pass
        except BaseException:
            if self._gave_up(waiter):
                self.release()
            raise
        if not self._gave_up(waiter):
            raise BusyError(_BUSY, retry_after=1)

    def release(self) -> None:
        """Give the slot to the longest waiter, or back to the free ones."""
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if waiter.grant():
                    return
            self._free += 1


class _Waiter:
    """One caller waiting for a slot: a thread (an event) or a coroutine (a future)."""

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        future: asyncio.Future[None] | None = None,
    ) -> None:
        self.loop = loop
        self.future = future
        self.event = threading.Event() if future is None else None
        self.granted = False

    def grant(self) -> bool:
        """Hand the slot over (called under the slots' lock); False if it cannot be woken."""
        if self.event is not None:
            self.granted = True
            self.event.set()
            return True
        assert self.loop is not None
        assert self.future is not None
        try:
            self.loop.call_soon_threadsafe(_resolve, self.future)
        except RuntimeError:  # its loop is closed: nobody is waiting any more
            return False
        self.granted = True
        return True


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def service_description(endpoint: str) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``."""
    graph = Graph()
    service = URIRef(endpoint + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for iri in [f.w3c_iri for f in RESULT_FORMATS] + [f.w3c_iri for f in GRAPH_RESULT_FORMATS]:
        graph.add((service, SD.resultFormat, URIRef(iri)))
    dataset = BNode()
    default = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add(
        (
            service,
            RDFS.comment,
            RdfLiteral(
                "Read-only SPARQL 1.1 endpoint of the Smart Region Office knowledge graph; the "
                "default graph is the union of all named graphs. SERVICE only to allow-listed "
                "endpoints.",
                lang="en",
            ),
        )
    )
    return graph
