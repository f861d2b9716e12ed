"""Values bound into query text as ``VALUES`` blocks of N-Triples terms.

The one mechanism for binding request or caller values where pyoxigraph's ``substitutions``
are not available: the remote store (no substitutions over HTTP) and the named queries (whose
parameters need not be projected). Terms are escaped by pyoxigraph; text is never spliced.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import BNode
from rdflib.term import Identifier

from sro_graph.store.base import Bindings, StoreQueryError
from sro_graph.store.update import term_text


def bind_values(query: str, bindings: Bindings | None) -> str:
    """``query`` with ``bindings`` as ``VALUES`` blocks of N-Triples terms.

    One block per variable opens the query's WHERE group, so the values flow into every
    pattern (and are seen before any GROUP BY), as pyoxigraph's ``substitutions`` are on the
    embedded store. (One block per variable, not one over all: the same solution, and
    Virtuoso's compiler fails on a multi-variable block joined into an OPTIONAL with BIND.)
    Queries without a WHERE group of their own (``DESCRIBE <iri>``, ``CONSTRUCT WHERE``) get
    one block at the end. Terms are escaped by pyoxigraph; text is never spliced.

    Raises:
        StoreQueryError: a name is not a SPARQL variable name, or a value is a blank node or
            an invalid term.
    """
    if not bindings:
        return query
    names: list[str] = []
    values: list[str] = []
    for name, term in bindings.items():
        if not name or not all(c.isalnum() or c == "_" for c in name):
            raise StoreQueryError(f"Not a variable name: {name[:40]!r}.")
        if isinstance(term, BNode) or not isinstance(term, Identifier):
            raise StoreQueryError(f"?{name} cannot be bound to a blank node.")
        try:
            values.append(term_text(term))
        except (TypeError, ValueError) as exc:
            raise StoreQueryError(f"?{name} is bound to an invalid term.") from exc
        names.append("?" + name)
    at = where_group_start(query)
    if at is None:
        return f"{query}\nVALUES ({' '.join(names)}) {{ ({' '.join(values)}) }}"
    blocks = " ".join(f"VALUES {n} {{ {v} }}" for n, v in zip(names, values, strict=True))
    return f"{query[:at]} {blocks} {query[at:]}"


def where_group_start(query: str) -> int | None:
    """The index just after the ``{`` opening the query's WHERE group, if it has one."""
    opens = list(_top_level_braces(query))
    if not opens:
        return None
    first_open, words = opens[0]
    if "CONSTRUCT" in words.split():
        if "WHERE" in words.split("CONSTRUCT", 1)[1].split():
            return None  # CONSTRUCT WHERE { ... }: the group is the template too
        return opens[1][0] + 1 if len(opens) > 1 else None
    return first_open + 1


def _top_level_braces(query: str) -> Iterator[tuple[int, str]]:
    """Each ``{`` at depth 0 outside strings, IRIs and comments, with the words before it."""
    depth, i, n = 0, 0, len(query)
    words: list[str] = []
    while i < n:
        c = query[i]
        if c == "#" and not (i > 0 and query[i - 1] == "\\"):  # ``ex:a\#`` is a name
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            i = _skip_string(query, i)
            continue
        if c == "<":
            end = query.find(">", i + 1)
            if end > 0 and not any(ch in query[i + 1 : end] for ch in ' \t\n\r<"{}|^`\\'):
                i = end + 1
                continue
        if c == "{":
            if depth == 0:
                yield i, " ".join(words).upper()
                words = []
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and c.isalpha():
            j = i
            while j < n and (query[j].isalnum() or query[j] in "_-:"):
                j += 1
            words.append(query[i:j])
            i = j
            continue
        i += 1


def _skip_string(query: str, i: int) -> int:
    quote = query[i]
    long = query.startswith(quote * 3, i)
    delim = quote * 3 if long else quote
    j = i + len(delim)
    while j < len(query):
        if query[j] == "\\":
            j += 2
            continue
        if query.startswith(delim, j):
            return j + len(delim)
        j += 1
    return len(query)
