"""Datasets that initiatives declare (``prov:generated`` / ``prov:used`` → ``dcat:Dataset``).

What is published (issue 15.3): a dataset declared in a submission only when the steward asked
for it, i.e. when the submission's current revision names it with ``sr:publiceertDataset``;
a dataset declared in the base knowledge when a real (not example) initiative declares it.
Datasets declared only by example initiatives (``sr:isVoorbeeld``) are never published. A
published dataset carries the steward's titles and descriptions in every language given
(untagged text counts as Dutch), and its access rights as declared; one that declares none
from the access-right list is left out, since the catalogue must not guess them.

Read with three narrow queries (one over all of them would multiply every multi-valued
property by every other), grouped per dataset; the publisher is the initiative's lead
organisation (trekker, else initiatiefnemer, else the first associated actor).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from rdflib import Literal, URIRef
from rdflib.term import Node

from sro_graph import rq
from sro_graph.catalog.describe import pick
from sro_graph.catalog.memo import Memo
from sro_graph.catalog.model import EPOCH
from sro_graph.catalog.reference import ACCESS_NON_PUBLIC, ACCESS_PUBLIC, THEME
from sro_graph.store import Store
from sro_graph.vocab import Uris

__all__ = ["LEAD_ROLES", "DeclaredDataset", "DeclaredReuse", "lead_agent", "read_declared"]

log = logging.getLogger(__name__)

LEAD_ROLES = ("trekker", "initiatiefnemer")

Fact = dict[str, Node]


@dataclass(frozen=True)
class DeclaredDataset:
    """What the catalogue publishes of a declared dataset."""

    iri: URIRef
    titles: tuple[Literal, ...]
    descriptions: tuple[Literal, ...]
    initiative_title: str
    initiative_description: str
    keywords: tuple[Literal, ...]
    themes: tuple[URIRef, ...]
    lead: URIRef | None
    access: URIRef
    email: str | None
    landing_pages: tuple[URIRef, ...]
    modified: datetime


_SINGLE_READS = 16
"""Up to this many changed datasets are read one by one; more, and all are read at once."""


def read_declared(
    store: Store,
    uris: Uris,
    graph_times: dict[str, datetime],
    *,
    known_themes: set[URIRef],
    access_rights: set[URIRef],
    reuse: DeclaredReuse | None = None,
) -> list[DeclaredDataset]:
    """Every declared dataset the catalogue publishes, in IRI order.

    With ``reuse`` (kept by the caller across builds, issue 17.3), a dataset is read again
    only when what its facts come from changed: the graphs holding a statement about it, its
    declaring initiatives or their associations and contact points
    (``rq/catalog-declared-graphs.rq``), their change times, and the stewards' requests to
    publish it. Every other dataset is the last read's. A few changed datasets are read one
    by one, many at once; a graph with no known change time makes every dataset be read.
    """
    base = uris.base
    published = frozenset(
        (str(row["g"]), str(row["dataset"]))
        for row in store.select(
            rq.based("catalog-published-datasets", base),
            bindings={"prov": uris.provenance_graph},
        )
    )
    if reuse is None:
        return _in_order(_read(store, base, published, graph_times, known_themes, access_rights))
    sources: dict[str, set[str]] = defaultdict(set)
    for row in store.select(rq.based("catalog-declared-graphs", base)):
        sources[str(row["dataset"])].add(str(row["g"]))
    rules = (frozenset(known_themes), frozenset(access_rights))
    requests: dict[str, set[str]] = defaultdict(set)
    for graph, dataset in published:
        requests[dataset].add(graph)
    keys: dict[str, object] | None = None
    if all(g in graph_times for graphs in sources.values() for g in graphs):
        keys = {
            dataset: (
                frozenset((g, graph_times[g]) for g in graphs),
                frozenset(requests.get(dataset, ())),
                rules,
            )
            for dataset, graphs in sources.items()
        }
    if keys is not None and keys == reuse.keys:
        reuse.whole_reads_skipped += 1
        return list(reuse.last)
    changed = [d for d in keys if reuse.keys.get(d) != keys[d]] if keys is not None else None
    read = partial(_read, store, base, published, graph_times, known_themes, access_rights)
    if changed is None or len(changed) > _SINGLE_READS:
        found = read(memo=reuse.datasets)
        reuse.datasets_read += len(sources)
    else:
        kept = reuse.by_dataset
        found = {d: kept[d] for d in sources if d not in changed and d in kept}
        for dataset in changed:
            found.update(read(memo=reuse.datasets, dataset=URIRef(dataset)))
        reuse.datasets_read += len(changed)
    out = _in_order(found)
    reuse.keys = keys or {}
    reuse.by_dataset = {d: found.get(d) for d in sources}
    reuse.last = tuple(out)
    return out


def _in_order(found: dict[str, DeclaredDataset | None]) -> list[DeclaredDataset]:
    return [found[d] for d in sorted(found) if found[d] is not None]  # type: ignore[misc]


def _read(
    store: Store,
    base: str,
    published: frozenset[tuple[str, str]],
    graph_times: dict[str, datetime],
    known_themes: set[URIRef],
    access_rights: set[URIRef],
    *,
    memo: Memo[tuple[object, ...], DeclaredDataset | None] | None = None,
    dataset: URIRef | None = None,
) -> dict[str, DeclaredDataset | None]:
    """The declared datasets (only ``dataset``, when given) read from their facts, by IRI;
    ``None`` for one that is declared but left out. With ``memo``, a dataset whose facts are
    those of an earlier read is taken from it instead of being made again."""
    submissions = f"{base}/graph/inzending/"
    bindings = {"dataset": dataset} if dataset is not None else None
    declarations: dict[str, list[Fact]] = defaultdict(list)
    for row in store.select(rq.based("catalog-declarations", base), bindings=bindings):
        named, graph = row.get("dataset"), str(row.get("g", ""))
        if not isinstance(named, URIRef) or _true(row.get("example")):
            continue
        if graph.startswith(submissions) and (graph, str(named)) not in published:
            continue  # the steward did not ask to publish it
        declarations[str(named)].append(dict(row))
    # Each fact as a row of its own ({key: value}, an actor with its role): the helpers below
    # read "any row with this key".
    facts: dict[str, list[Fact]] = defaultdict(list)
    for row in store.select(rq.based("catalog-declared-dataset-facts", base), bindings=bindings):
        facts[str(row["dataset"])].append({str(row["key"]): row["value"]})
    seen: set[tuple[object, ...]] = set()
    for row in store.select(
        rq.based("catalog-declaring-initiative-facts", base), bindings=bindings
    ):
        once = (row["initiative"], row["key"], row["value"], row.get("role"))
        if once in seen:  # the same fact, for another dataset the initiative declares
            continue
        seen.add(once)
        fact: Fact = {str(row["key"]): row["value"]}
        if "role" in row:
            fact["role"] = row["role"]
        facts[str(row["initiative"])].append(fact)
    out: dict[str, DeclaredDataset | None] = {}
    if dataset is not None:
        out[str(dataset)] = None  # declared but left out, unless made below
    for iri, declared in declarations.items():
        initiatives = sorted({str(r["initiative"]) for r in declared})
        own = facts[iri]
        rows = [*declared, *own, *(f for i in initiatives for f in facts[i])]
        modified = max(
            (graph_times[str(r["g"])] for r in declared if str(r["g"]) in graph_times),
            default=EPOCH,
        )
        # Facts come in no particular order: the key is the set of them.
        key = (iri, modified, frozenset(tuple(r.items()) for r in rows))
        make = partial(_declared, iri, declared, own, rows, modified, known_themes, access_rights)
        out[iri] = make() if memo is None else memo.get(key, make)
    return out


@dataclass
class DeclaredReuse:
    """What :func:`read_declared` keeps from one build to the next."""

    datasets: Memo[tuple[object, ...], DeclaredDataset | None] = field(default_factory=Memo)
    keys: dict[str, object] = field(default_factory=dict)  # per dataset: what it is read from
    by_dataset: dict[str, DeclaredDataset | None] = field(default_factory=dict)
    last: tuple[DeclaredDataset, ...] = ()
    whole_reads_skipped: int = 0
    datasets_read: int = 0


def _declared(
    dataset: str,
    declared: list[Fact],
    own: list[Fact],
    rows: list[Fact],
    modified: datetime,
    known_themes: set[URIRef],
    access_rights: set[URIRef],
) -> DeclaredDataset | None:
    """What the catalogue publishes of one dataset, from its facts; None when left out."""
    declared_access = {URIRef(str(r["accessRights"])) for r in own if "accessRights" in r}
    if not declared_access or not declared_access <= access_rights:
        log.info("declared dataset <%s> left out: no access rights from the list", dataset)
        return None
    # Contradictory declarations (public and not public): the more restrictive one.
    access = ACCESS_PUBLIC if declared_access == {ACCESS_PUBLIC} else ACCESS_NON_PUBLIC
    initiative_title = pick(_values(rows, "initiativeTitle"))
    initiative_description = pick(_values(rows, "initiativeDescription"))
    themes = sorted(
        {
            URIRef(str(r["theme"]))
            for r in own
            if "theme" in r
            and str(r["theme"]).startswith(THEME)
            and URIRef(str(r["theme"])) in known_themes
        }
    )
    emails = sorted(str(r["email"]) for r in rows if "email" in r)
    return DeclaredDataset(
        iri=URIRef(dataset),
        titles=tuple(_tagged(_values(own, "title"))),
        descriptions=tuple(_tagged(_values(own, "description"))),
        initiative_title=str(initiative_title or min(str(r["initiative"]) for r in declared)),
        initiative_description=str(initiative_description or ""),
        keywords=tuple(_tagged(_values(own, "keyword"))),
        themes=tuple(themes),
        lead=lead_agent(rows),
        access=access,
        email=emails[0] if emails else None,
        landing_pages=tuple(
            URIRef(p)
            for p in sorted({str(r["landingPage"]) for r in own if "landingPage" in r})
            if p.startswith(("http://", "https://"))
        ),
        modified=modified,
    )


def _true(value: Node | None) -> bool:
    """A flag: boolean true, or 1 where the store (Virtuoso) answers booleans as integers."""
    return str(value).lower() in ("true", "1") if value is not None else False


def _tagged(values: list[Node]) -> list[Literal]:
    """Literals with their language; untagged text is taken as Dutch. One per language and
    text, in a stable order (Dutch first)."""
    out = {
        (v.language or "nl", str(v)): Literal(str(v), lang=v.language or "nl")
        for v in values
        if isinstance(v, Literal)
    }
    return [out[k] for k in sorted(out, key=lambda k: (k[0] != "nl", k))]


def _values(rows: list[Fact], key: str) -> list[Node]:
    seen: list[Node] = []
    for row in rows:
        value = row.get(key)
        if isinstance(value, Literal) and value not in seen:
            seen.append(value)
    return seen


def lead_agent(rows: list[Fact]) -> URIRef | None:
    """The initiative's lead: trekker, then initiatiefnemer, then the first actor."""
    for role in LEAD_ROLES:
        for row in sorted(rows, key=lambda r: str(r.get("agent", ""))):
            if str(row.get("role", "")).endswith("/" + role) and isinstance(
                row.get("agent"), URIRef
            ):
                return URIRef(str(row["agent"]))
    agents = sorted(str(r["agent"]) for r in rows if isinstance(r.get("agent"), URIRef))
    return URIRef(agents[0]) if agents else None
