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
  name graphs of the store, or IRIs on the allow-list; nothing is ever fetched.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha256
from typing import Literal

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
    known_graphs: Callable[[], set[str]] | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
) -> QueryInfo:
    """Decide whether ``query`` may run, and what form it has.

    ``known_graphs`` gives the store's graph names (called only when a FROM or a dataset
    parameter needs checking).

    Raises:
        QueryRejectedError: an update, or SERVICE / FROM / dataset IRIs outside the store and
            not on the allow-list.
        QuerySyntaxError: no query form could be found.
    """
    info, services, froms = _analyse(query)
    for target in services:
        if not _allowed(target, allowlist):
            raise QueryRejectedError(
                f"SERVICE <{target}> is not allowed: federated queries may only reach the "
                "endpoints on the allow-list."
                if target != "?"
                else "SERVICE with a variable endpoint is not allowed."
            )
    outside = [g for g in (*froms, *default_graphs, *named_graphs) if not _allowed(g, allowlist)]
    if outside:
        graphs = known_graphs() if known_graphs is not None else set()
        unknown = [g for g in outside if g not in graphs]
        if unknown:
            raise QueryRejectedError(
                f"<{unknown[0]}> is not a graph of this store: FROM, FROM NAMED, "
                "default-graph-uri and named-graph-uri may only name graphs of the store "
                "(nothing is fetched)."
            )
    return info


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
    """A result cut at the row cap or the byte cap says so in its body too, when it is SPARQL
    JSON (``"truncated": true`` beside ``head`` and ``results``, and ``"truncatedBy"``:
    ``"rows"`` or ``"bytes"``); the headers are the web layer's. Done once here, so cached
    results (the named queries) carry it already."""
    if not result.truncated or result.media_type != ResultFormat.JSON:
        return result
    # Spliced before the closing brace rather than re-encoded: the body may be megabytes.
    body = result.body.rstrip()
    if not body.endswith(b"}"):
        return result
    reason = json.dumps(result.truncated_by or "rows")
    body = body[:-1] + f',"truncated":true,"truncatedBy":{reason}}}'.encode()
    return dataclasses.replace(result, body=body)


class QueryRunner:
    """Runs inspected queries on a store with a concurrency cap, a time limit and a row cap.

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
        allowlist: Sequence[str] = (),
        queue_s: float = 0.0,
    ) -> None:
        self.store = store
        self.queue_s = queue_s
        self.timeout_s = timeout_s
        self.row_cap = row_cap
        self.allowlist = tuple(allowlist)
        self._slots = threading.BoundedSemaphore(concurrency)

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
            known_graphs=self.store.graph_names,
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
        """Run an already inspected query and serialise its result as ``accept``.

        Raises:
            BusyError: every slot is taken (503 + Retry-After).
            QueryTimeoutError: the time limit ran out; the work was stopped.
            QuerySyntaxError: the engine refused the query.
        """
        if not self._slots.acquire(timeout=self.queue_s):
            raise BusyError("All query slots are busy; retry shortly.", retry_after=1)
        with self._limits(query):
            return signal_truncation(
                self.store.query_raw(
                    query,
                    accept=accept,
                    default_graphs=list(default_graphs) or None,
                    named_graphs=list(named_graphs) or None,
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
        """:meth:`run` for an event loop, with the same limits: on a store with killable
        query workers the answer is awaited on the loop; else the query runs in a thread."""
        defaults, named = list(default_graphs) or None, list(named_graphs) or None
        cap = row_cap if row_cap is not None else self.row_cap
        call = getattr(self.store, "query_raw_async", None)
        await self._acquire_async()
        with self._limits(query):
            if call is not None:
                result: RawResult = await call(
                    query,
                    accept=accept,
                    default_graphs=defaults,
                    named_graphs=named,
                    row_cap=cap,
                    timeout_s=self.timeout_s,
                )
            else:
                result = await asyncio.get_running_loop().run_in_executor(
                    None,
                    functools.partial(
                        self.store.query_raw,
                        query,
                        accept=accept,
                        default_graphs=defaults,
                        named_graphs=named,
                        row_cap=cap,
                        timeout_s=self.timeout_s,
                    ),
                )
            return signal_truncation(result)

    async def _acquire_async(self) -> None:
        """Wait up to ``queue_s`` for a slot without blocking the event loop."""
        deadline = time.monotonic() + self.queue_s
        delay = 0.002
        while not self._slots.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise BusyError("All query slots are busy; retry shortly.", retry_after=1)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    @contextmanager
    def _limits(self, query: str) -> Iterator[None]:
        """Hold the acquired query slot for the duration; store errors as service errors."""
        try:
            yield
        except StoreTimeout as exc:
            log.warning("query %s timed out after %.1f s", query_hash(query), self.timeout_s)
            # The store's words: only it knows whether the query was stopped or abandoned.
            raise QueryTimeoutError(
                str(exc) or f"The query ran longer than {self.timeout_s:g} s."
            ) from exc
        except StoreBusy as exc:
            raise BusyError("All query workers are busy; retry shortly.", retry_after=1) from exc
        except StoreQueryError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        finally:
            self._slots.release()


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
