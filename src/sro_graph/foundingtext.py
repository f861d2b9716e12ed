"""What the founding text says the Smart Region Office does: its tasks, commitments,
announced deliverables, proposals and the programmes it names under each objective.

Each list is a public named query in ``queries/`` (a REST operation for developers too); this
module runs them through :class:`~sro_graph.queries.NamedQueries` and turns the rows into plain
values for the page ``/stichtingstekst``. The sources themselves come from an internal query.
No SPARQL here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Literal

from sro_graph import rq
from sro_graph.formats import ResultFormat
from sro_graph.queries import NamedQueries, rows_from_json
from sro_graph.store import Store
from sro_graph.vocab import Uris

JSON = ResultFormat.JSON


@dataclass(frozen=True)
class Statement:
    """A task, commitment, deliverable or proposal: what the text says, how firmly, where."""

    iri: str
    code: str
    label: str
    description: str
    modality: str
    sections: tuple[str, ...]
    responsible: str = ""
    part_of: str = ""


@dataclass(frozen=True)
class Group:
    """Statements under one heading (a working mode or an objective), in the text's order."""

    iri: str
    code: str
    label: str
    statements: tuple[Statement, ...]
    named: tuple[Statement, ...] = ()


@dataclass(frozen=True)
class Source:
    """A document: the founding text or one it refers to."""

    iri: str
    title: str
    date: str
    identifier: str


@dataclass(frozen=True)
class FoundingText:
    """Everything the page shows."""

    sources: tuple[Source, ...]
    tasks: tuple[Group, ...]
    commitments: tuple[Group, ...]
    deliverables: tuple[Statement, ...]
    proposals: tuple[Statement, ...]


class FoundingTextViews:
    """Reads the founding text's programme through the named queries."""

    def __init__(self, queries: NamedQueries, store: Store, uris: Uris) -> None:
        self.queries = queries
        self.store = store
        self.uris = uris

    def _rows(self, name: str, raw: Mapping[str, object]) -> list[dict[str, str]]:
        values = self.queries.bind(name, raw)
        return rows_from_json(self.queries.run(name, values, accept=JSON).raw.body)

    def tasks(self, lang: str = "nl") -> tuple[Group, ...]:
        """Tasks per working mode (A, B, C), then those of the governance model (G)."""
        groups: dict[str, list[Statement]] = defaultdict(list)
        heads: dict[str, tuple[str, str]] = {}
        for r in self._rows("tasks-per-working-mode", {"lang": lang}):
            key = r.get("wijze", "")
            heads[key] = (r.get("wijzeLabel", ""), r["nr"].split(".", 1)[0])
            groups[key].append(_statement(r, "taak", "nr", sections=(r["sectie"],)))
        return tuple(
            Group(key, heads[key][1], heads[key][0], tuple(groups[key]))
            for key in sorted(groups, key=lambda k: (k == "", heads[k][1]))
        )

    def commitments(self, lang: str = "nl", objective: str | None = None) -> tuple[Group, ...]:
        """Commitments per strategic objective, with what the text names under each."""
        raw: dict[str, object] = {"lang": lang}
        if objective:
            raw["doelstelling"] = objective
        groups: dict[str, list[Statement]] = defaultdict(list)
        heads: dict[str, tuple[str, str]] = {}
        for r in self._rows("commitments-per-objective", raw):
            key = r["doelstelling"]
            heads[key] = (r.get("doelstellingLabel", ""), r["doelstellingNr"])
            groups[key].append(
                _statement(
                    r,
                    "engagement",
                    "nr",
                    sections=(r["sectie"],),
                    responsible=r.get("verantwoordelijken", ""),
                )
            )
        named: dict[str, list[Statement]] = defaultdict(list)
        for r in self._rows("named-under-objective", raw):
            named[r["doelstelling"]].append(
                Statement(
                    iri=r["ding"],
                    code="",
                    label=r.get("label") or r["ding"],
                    description="",
                    modality="",
                    sections=_split(r.get("secties")),
                )
            )
        return tuple(
            Group(key, heads[key][1], heads[key][0], tuple(groups[key]), tuple(named[key]))
            for key in sorted(groups, key=lambda k: int(heads[k][1]))
        )

    def deliverables(self, lang: str = "nl") -> tuple[Statement, ...]:
        return tuple(
            _statement(
                r,
                "oplevering",
                None,
                sections=_split(r.get("secties")),
                responsible=r.get("verantwoordelijken", ""),
                part_of=r.get("deelVan", ""),
            )
            for r in self._rows("announced-deliverables", {"lang": lang})
        )

    def proposals(self, lang: str = "nl") -> tuple[Statement, ...]:
        return tuple(
            _statement(r, "voorstel", None, sections=(r["sectie"],))
            for r in self._rows("proposals", {"lang": lang})
        )

    def sources(self, lang: str = "nl") -> tuple[Source, ...]:
        """The founding text first, then the documents it refers to."""
        rows = self.store.select(rq.load("foundingtext-sources"))
        titles: dict[str, dict[str, str]] = defaultdict(dict)
        found: dict[str, tuple[str, str]] = {}
        for row in rows:
            iri = str(row["document"])
            title = row.get("title")
            if isinstance(title, Literal):
                titles[iri][title.language or ""] = str(title)
            found[iri] = (str(row.get("date") or ""), str(row.get("identifier") or ""))
        main = str(self.uris.thing("bron", "mededeling-sro"))
        return tuple(
            Source(
                iri,
                titles[iri].get(lang) or titles[iri].get("nl") or iri,
                found[iri][0],
                found[iri][1],
            )
            for iri in sorted(found, key=lambda i: (i != main, i))
        )

    def page(self, lang: str = "nl") -> FoundingText:
        return FoundingText(
            sources=self.sources(lang),
            tasks=self.tasks(lang),
            commitments=self.commitments(lang),
            deliverables=self.deliverables(lang),
            proposals=self.proposals(lang),
        )


def _statement(
    row: Mapping[str, str],
    key: str,
    code: str | None,
    *,
    sections: tuple[str, ...],
    responsible: str = "",
    part_of: str = "",
) -> Statement:
    return Statement(
        iri=row[key],
        code=row.get(code, "") if code else "",
        label=row.get("label") or row[key],
        description=row.get("beschrijving", ""),
        modality=row.get("modaliteit", ""),
        sections=sections,
        responsible=responsible,
        part_of=part_of,
    )


def _split(text: str | None) -> tuple[str, ...]:
    """A GROUP_CONCAT list, sorted in the text's order of sections."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    return tuple(sorted(parts, key=_section_key))


def _section_key(section: str) -> tuple[int, str]:
    head = section.split(".", 1)[0].split(",", 1)[0]
    return (int(head) if head.isdigit() else (0 if section == "samenvatting" else 99), section)
