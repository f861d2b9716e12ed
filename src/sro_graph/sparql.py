"""User SPARQL: inspect a query before it runs, then run it within time, row and slot limits.

What may run is decided in two ways, neither of which needs to agree with the engine's lexer
(that disagreement was issue 12.1's bypass):

- ``SERVICE`` by a check that is sound by construction (:func:`check_service`): the engine can
  only see the keyword if the letters s-e-r-v-i-c-e appear in the text, literally or through
  ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes. All code-point escapes are decoded over the whole
  text (a superset of what any engine decodes) and the word, in any case, refuses the query
  wherever it stands (strings and comments too), unless it reads ``SERVICE [SILENT] <iri>``
  with the IRI on the allow-list. With an empty allow-list the word always refuses.
- the query form and the update keywords (INSERT, DELETE, LOAD, ...) by a linear tokenizer
  that skips strings, IRIs and comments, run over the text as written and after decoding;
- ``FROM`` / ``FROM NAMED`` and the protocol's ``default-graph-uri`` / ``named-graph-uri`` may
  name any IRI: a graph the store lacks is an empty graph; nothing is ever fetched.

Every step is one pass over the text, and the text is capped (``SRO_SPARQL_MAX_QUERY_BYTES``),
so inspection costs milliseconds at most and needs no time limit of its own. The query
workers add a second layer that holds if this one is wrong (docs/sparql-security.md).
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
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha256
from typing import Literal
from urllib.parse import urljoin

from rdflib import RDF, RDFS, SH, XSD, BNode, Graph, URIRef
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

# Every alternative either matches or fails within the text it would match, and repeats are
# possessive (no backtracking), so one pass over the text is linear in its length (12.4).
# An unterminated string runs to the end of its line (long strings: of the text): such a query
# does not parse anyway. A run of name characters is one token, split below, so that
# ``a.a.a...`` is not rescanned at every dot looking for a prefix's colon.
_LOCAL = r"(?:[\w\-.:%\u00b7]|\\[_~.\-!$&'()*+,;=/?\#@%])*+"
_TOKEN = re.compile(
    r"""
    (?P<lstring>'''(?:[^'\\]|\\.|'(?!''))*+(?:'''|\\?\Z)
              |\"\"\"(?:[^"\\]|\\.|"(?!""))*+(?:\"\"\"|\\?\Z))
  | (?P<string>'(?:[^'\\\n\r]|\\.)*+(?:'|\\?\Z|(?=[\n\r]))
              |"(?:[^"\\\n\r]|\\.)*+(?:"|\\?\Z|(?=[\n\r])))
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>)
  | (?P<comment>\#[^\n\r]*+)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]++)
  | (?P<langtag>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)
  | (?P<name>[\w\-.\u00b7]++(?::LOCAL)?|:LOCAL)
  | (?P<space>\s++)
  | (?P<other>.)
    """.replace("LOCAL", _LOCAL),
    re.VERBOSE | re.DOTALL,
)
_FETCHING_EXTENSIONS = frozenset({"DEFINE", "OPTION"})
"""Virtuoso's words that make it fetch a graph (sponging); neither is a SPARQL 1.1 keyword."""
_FETCHING_WORD = re.compile(r"\b(?:DEFINE|OPTION)\b", re.IGNORECASE)
_BASE_WORD = re.compile(r"\bBASE\b", re.IGNORECASE)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_SERVICE_WORD = re.compile("service", re.IGNORECASE)
"""Case-insensitive in Python's Unicode sense: also 'ſ' (long s) and the like, a superset."""
_ALLOWED_SERVICE = re.compile(r"service\s++(?:silent\s++)?<([^<>\s]*+)>", re.IGNORECASE)

SERVICE_REFUSAL = (
    "The word SERVICE may not appear in a query, not even in a string or comment: federated "
    "queries are disabled on this endpoint."
)


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
    declared_prefixes: frozenset[str] = frozenset()
    """Prefixes the query declares itself (``PREFIX p: <...>``)."""
    used_prefixes: tuple[str, ...] = ()
    """Prefixes of the prefixed names the query uses, in order of first use."""

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def tokenize(text: str) -> Iterator[Token]:
    """Significant tokens of SPARQL text (no whitespace, no comments), in linear time.

    A run of name characters without a colon is split at its dots into words (the engine
    reads ``a.INSERT`` as ``a`` ``.`` ``INSERT``); with a colon it is one prefixed name."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        if kind != "name":
            yield Token(kind, match.group(), match.start())
            continue
        token = match.group()
        if ":" in token:
            yield Token("pname", token, match.start())
            continue
        offset = match.start()
        for part in token.split("."):
            if part:
                yield Token("word", part, offset)
            offset += len(part) + 1


def unescape_codepoints(text: str) -> str:
    """SPARQL's code-point escape processing (§19.2), applied to the whole text."""

    def _char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    # Lone surrogates (escaped halves of a pair) become U+FFFD rather than breaking encoders.
    unescaped = _UNICODE_ESCAPE.sub(_char, text)
    return unescaped.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def check_service(query: str, allowlist: Sequence[str] = ()) -> tuple[str, ...]:
    """The allow-listed SERVICE targets of ``query``; refuses any other use of the word.

    Sound without parsing: after decoding every code-point escape (whatever an engine could
    decode, and more), each occurrence of ``service`` in any case must begin
    ``SERVICE [SILENT] <iri>`` with ``iri`` absolute and on the allow-list. An occurrence
    inside such an allowed IRI is part of it. One pass: each search starts past the last.

    Raises:
        QueryRejectedError: the word appears anywhere else (always, with an empty allow-list).
    """
    text = unescape_codepoints(query)
    targets: list[str] = []
    position = 0
    while (found := _SERVICE_WORD.search(text, position)) is not None:
        allowed = _ALLOWED_SERVICE.match(text, found.start()) if allowlist else None
        if allowed is None or not _allowed(allowed.group(1), allowlist):
            if allowlist:
                raise QueryRejectedError(
                    "The word SERVICE may only appear as SERVICE <iri> with the iri on the "
                    "allow-list, not elsewhere (strings and comments included)."
                )
            raise QueryRejectedError(SERVICE_REFUSAL)
        targets.append(allowed.group(1))
        position = allowed.end()
    return tuple(targets)


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
        QueryRejectedError: an update, the word SERVICE outside an allowed ``SERVICE <iri>``,
            or a store extension that can fetch (Virtuoso's DEFINE and FROM … OPTION).
        QuerySyntaxError: no query form could be found.
    """
    services = check_service(query, allowlist)  # first: its refusal is the one that counts
    info, _ = _analyse(query)
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
    return dataclasses.replace(info, services=services)


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


def _analyse(query: str) -> tuple[QueryInfo, tuple[str, ...]]:
    """What the text of ``query`` says (form, FROM IRIs), independent of allow-list and
    store: cached on the exact text, since busy clients repeat queries."""
    if len(query) <= _CACHED_TEXT_LIMIT:
        return _analyse_cached(query)
    return _analyse_text(query)


def _analyse_text(query: str) -> tuple[QueryInfo, tuple[str, ...]]:
    if not query.strip():
        raise QuerySyntaxError("The query is empty.")
    unescaped = unescape_codepoints(query)
    # Backslashes of \uXXXX escapes are expected in the text as written; the unescaped text
    # is checked strictly. Update keywords refuse in either reading.
    infos = [_inspect_text(query, strict=unescaped == query)]
    if unescaped != query:
        infos.append(_inspect_text(unescaped, strict=True))
    forms = [i.form for i in infos if i.form is not None]
    if not forms:
        raise QuerySyntaxError(
            "No query form found: a query starts (after PREFIX/BASE) with SELECT, ASK, "
            "CONSTRUCT or DESCRIBE."
        )
    froms = tuple(g for i in infos for g in (*i.from_graphs, *i.from_named_graphs))
    first = infos[0]
    info = QueryInfo(
        forms[0],
        first.from_graphs,
        first.from_named_graphs,
        declared_prefixes=first.declared_prefixes,
        used_prefixes=first.used_prefixes,
    )
    return info, froms


# Refusals (exceptions) are not cached: they are recomputed, which costs only the refused.
_analyse_cached = functools.lru_cache(maxsize=2048)(_analyse_text)


def _allowed(iri: str, allowlist: Sequence[str]) -> bool:
    return (
        iri != "?"
        and _ABSOLUTE.match(iri) is not None
        and any(iri.startswith(prefix) for prefix in allowlist if _ABSOLUTE.match(prefix))
    )


@dataclass(frozen=True)
class _TextInfo:
    form: QueryForm | None
    from_graphs: tuple[str, ...]
    from_named_graphs: tuple[str, ...]
    declared_prefixes: frozenset[str]
    used_prefixes: tuple[str, ...]


_PN_PREFIX = re.compile(r"(?:[^\W\d_][\w\-.\u00b7]*)?")


MAX_NESTING = 128
"""Deepest nesting of brackets ({, (, [) a query may have: the engine parses and evaluates
recursively, and a few thousand levels overflow its stack and kill the process (segfault)."""
MAX_CHAINED = 512
"""Most UNION / OPTIONAL / MINUS / ``!`` / ``||`` / ``&&`` operators in one query, for the
same reason: each nests the algebra one level deeper (3,000 OPTIONALs crash pyoxigraph)."""
_OPENING, _CLOSING = frozenset("{(["), frozenset("})]")
_CHAINING_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS"})


def _refuse_deep_nesting(tokens: Sequence[Token]) -> None:
    """Refuse a query whose structure is deeper than the engine can safely recurse."""
    depth = chained = 0
    for index, token in enumerate(tokens):
        if token.kind == "other":
            if token.text in _OPENING:
                depth += 1
                if depth > MAX_NESTING:
                    raise QueryRejectedError(
                        f"The query nests brackets more than {MAX_NESTING} levels deep; "
                        "flatten it (the engine would run out of stack)."
                    )
            elif token.text in _CLOSING:
                depth = max(0, depth - 1)
            elif token.text in "|&" or (
                token.text == "!"
                and not (index + 1 < len(tokens) and tokens[index + 1].text == "=")
            ):
                chained += 1
        elif token.kind == "word" and token.text.upper() in _CHAINING_WORDS:
            chained += 1
        if chained > MAX_CHAINED:
            raise QueryRejectedError(
                f"The query chains more than {MAX_CHAINED} UNION, OPTIONAL, MINUS or logical "
                "operators; split it (the engine would run out of stack)."
            )


def _inspect_text(text: str, *, strict: bool) -> _TextInfo:
    tokens = list(tokenize(text))
    _refuse_deep_nesting(tokens)
    prefixes: dict[str, str] = {}
    form: QueryForm | None = None
    froms: list[str] = []
    named: list[str] = []
    used: dict[str, None] = {}
    for index, token in enumerate(tokens):
        if token.kind == "pname":
            used.setdefault(token.text.split(":", 1)[0])
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
        elif word == "FROM":
            if index + 1 < len(tokens) and tokens[index + 1].text.upper() == "NAMED":
                named.append(_target(tokens, index + 2, prefixes))
            else:
                froms.append(_target(tokens, index + 1, prefixes))
    declared = {
        tokens[i + 1].text.split(":", 1)[0]
        for i, t in enumerate(tokens[:-1])
        if t.kind == "word" and t.text.upper() == "PREFIX" and tokens[i + 1].kind == "pname"
    }
    used_prefixes = tuple(p for p in used if p != "_" and _PN_PREFIX.fullmatch(p))
    return _TextInfo(form, tuple(froms), tuple(named), frozenset(declared), used_prefixes)


def with_prefixes(query: str, info: QueryInfo, prefixes: Mapping[str, str]) -> str:
    """``query`` with PREFIX declarations for the predeclared ``prefixes`` it uses and does
    not declare itself, put on its first line (error positions keep their line numbers)."""
    missing = [p for p in info.used_prefixes if p in prefixes and p not in info.declared_prefixes]
    if not missing:
        return query
    return "".join(f"PREFIX {p}: <{prefixes[p]}> " for p in missing) + query


def check_prefixes(info: QueryInfo, prefixes: Mapping[str, str]) -> None:
    """Raises QuerySyntaxError naming the first prefix neither declared nor predeclared."""
    for prefix in info.used_prefixes:
        if prefix not in info.declared_prefixes and prefix not in prefixes:
            raise QuerySyntaxError(
                f"Unknown prefix '{prefix}:': declare it (PREFIX {prefix}: <...>) or use one "
                f"of the predeclared prefixes ({', '.join(sorted(prefixes))})."
            )


def _target(tokens: list[Token], index: int, prefixes: dict[str, str]) -> str:
    """The absolute IRI at ``tokens[index]``, or '?' when it is not one we can name."""
    if index >= len(tokens):
        return "?"
    token = tokens[index]
    if token.kind == "iri":
        iri = token.text[1:-1]
        return iri if _ABSOLUTE.match(iri) else "?"
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes and _ABSOLUTE.match(prefixes[prefix]):
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
        prefixes: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> None:
        """``base_iri``: the base of relative IRIs in a query without its own BASE (the
        Protocol's service-defined base, which may be the endpoint). ``prefixes``:
        predeclared for every query (a query may redeclare them)."""
        self.store = store
        self.base_iri = base_iri
        self.prefixes = dict(prefixes or {})
        self.max_bytes = max_bytes
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
        """Inspect ``query`` against this runner's allow-list, the store's graphs and the
        predeclared prefixes."""
        info = inspect_query(
            query,
            allowlist=self.allowlist,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )
        check_prefixes(info, self.prefixes)
        return info

    def _declared(self, query: str) -> str:
        """The query text the store runs: with the predeclared prefixes it uses."""
        if not self.prefixes:
            return query
        try:
            info = _analyse(query)[0]
        except (QueryRejectedError, QuerySyntaxError):
            # Not inspected here (a named query's bound text): the engine judges it as is.
            return query
        return with_prefixes(query, info, self.prefixes)

    def inspect_if_cheap(
        self,
        query: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryInfo | None:
        """:meth:`inspect` when it needs no store and the text is short (so an event loop may
        run it); ``None`` otherwise: call :meth:`inspect` in a thread."""
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
        query = self._declared(query)
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
                    max_bytes=self.max_bytes,
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
        query = self._declared(query)
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
                max_bytes=self.max_bytes,
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
            # The store's words: only it knows whether the query was stopped or abandoned.
            raise QueryTimeoutError(
                str(exc) or f"The query ran longer than {self.timeout_s:g} s."
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


def service_description(endpoint: str, prefixes: Mapping[str, str] | None = None) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint`` (built from the
    configured base, never from the request's Host), with the predeclared ``prefixes`` as
    ``sh:declare`` entries (SHACL's vocabulary for prefix declarations)."""
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
                "endpoints. The prefixes declared here (sh:declare) are predeclared in every "
                "query; a query may redeclare them.",
                lang="en",
            ),
        )
    )
    for prefix, namespace in sorted((prefixes or {}).items()):
        declaration = BNode()
        graph.add((service, SH.declare, declaration))
        graph.add((declaration, SH.prefix, RdfLiteral(prefix)))
        graph.add((declaration, SH.namespace, RdfLiteral(namespace, datatype=XSD.anyURI)))
    return graph
