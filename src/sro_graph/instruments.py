"""The Smart Region Office's own instruments: partners, lighthouses, joint procurement,
funding, municipality coverage and the objective x challenge matrix.

Each instrument is a public named query in ``queries/`` (so developers get it as a REST
operation too); this module runs them through :class:`~sro_graph.queries.NamedQueries` and
turns the rows into plain values for the pages. No SPARQL here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef

from sro_graph import rq
from sro_graph.errors import BadParameterError
from sro_graph.formats import ResultFormat
from sro_graph.queries import NamedQueries, rows_from_json
from sro_graph.store import Store
from sro_graph.vocab import Uris

JSON = ResultFormat.JSON


@dataclass(frozen=True)
class Partner:
    """A candidate partner initiative, with the concepts it shares with the source."""

    iri: str
    title: str
    overlap: int
    reasons: tuple[str, ...]
    governments: tuple[str, ...]
    municipalities: tuple[str, ...]


@dataclass(frozen=True)
class Lighthouse:
    iri: str
    title: str
    description: str
    start: dt.datetime | None
    partners: tuple[str, ...]
    building_blocks: tuple[str, ...]
    datasets: tuple[str, ...]
    results: str
    municipalities: tuple[str, ...]


@dataclass(frozen=True)
class Cluster:
    """Local governments whose initiatives share a problem domain and a solution."""

    key: str
    kind: str
    domain: str
    solution: str
    size: int
    governments: tuple[str, ...]
    initiative_count: int
    initiatives: tuple[str, ...]


@dataclass(frozen=True)
class Funding:
    iri: str
    name: str
    initiative_count: int
    initiatives: tuple[str, ...]
    municipality_count: int
    municipalities: tuple[str, ...]
    budget: Decimal | None
    with_budget: int
    challenges: tuple[str, ...]
    objectives: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    iri: str
    nis: str
    name: str
    province: str
    province_name: str
    count: int


@dataclass(frozen=True)
class Concept:
    iri: str
    notation: str
    label: str


@dataclass(frozen=True)
class Matrix:
    """Initiative counts: ``counts[(challenge notation, objective notation)]``."""

    challenges: tuple[Concept, ...]
    objectives: tuple[Concept, ...]
    counts: Mapping[tuple[str, str], int]

    @property
    def top(self) -> int:
        return max(self.counts.values(), default=0)

    @property
    def empty_cells(self) -> int:
        return sum(1 for v in self.counts.values() if v == 0)


def _split(value: str | None, separator: str) -> tuple[str, ...]:
    return tuple(sorted({p.strip() for p in (value or "").split(separator) if p.strip()}))


def _numbers(value: str | None) -> tuple[str, ...]:
    parts = _split(value, ",")
    return tuple(sorted(parts, key=lambda p: (not p.isdigit(), int(p) if p.isdigit() else 0, p)))


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _decimal(value: str | None) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = dt.datetime.combine(dt.date.fromisoformat(value[:10]), dt.time())
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Instruments:
    """The instruments over one deployment's named queries."""

    def __init__(self, queries: NamedQueries, store: Store, uris: Uris) -> None:
        self.queries = queries
        self.store = store
        self.uris = uris

    def _rows(self, name: str, raw: Mapping[str, object]) -> list[dict[str, str]]:
        values = self.queries.bind(name, raw)
        return rows_from_json(self.queries.run(name, values, accept=JSON).raw.body)

    def partners(
        self, *, initiative: str | None = None, municipality: str | None = None, lang: str = "nl"
    ) -> list[Partner]:
        """Partners for an initiative or a municipality (exactly one), most overlap first.

        Raises:
            BadParameterError: neither or both given, or not an initiative / municipality.
        """
        if bool(initiative) == bool(municipality):
            raise BadParameterError("Give either an initiative or a municipality.")
        raw: dict[str, object] = {"lang": lang}
        if initiative:
            raw["initiatief"] = initiative
        else:
            raw["gemeente"] = municipality
        return [
            Partner(
                iri=r["partner"],
                title=r.get("titel") or r["partner"],
                overlap=_int(r.get("overlap")),
                reasons=_split(r.get("redenen"), ";"),
                governments=_split(r.get("besturen"), ","),
                municipalities=_split(r.get("gemeenten"), ","),
            )
            for r in self._rows("find-partners", raw)
        ]

    def lighthouses(self, lang: str = "nl") -> list[Lighthouse]:
        """Lighthouse initiatives, newest first, with what makes them reusable."""
        return [
            Lighthouse(
                iri=r["initiatief"],
                title=r.get("titel") or r["initiatief"],
                description=r.get("beschrijving", ""),
                start=_datetime(r.get("start")),
                partners=_split(r.get("partners"), ","),
                building_blocks=_split(r.get("bouwstenen"), ","),
                datasets=_split(r.get("datasets"), ","),
                results=r.get("resultaten", ""),
                municipalities=_split(r.get("gemeenten"), ","),
            )
            for r in self._rows("lighthouses-feed", {"lang": lang})
        ]

    def procurement_clusters(self, lang: str = "nl", minimum: int = 2) -> list[Cluster]:
        """Clusters of at least ``minimum`` local governments, largest first."""
        return [
            Cluster(
                key=r.get("sleutel", ""),
                kind=r.get("soort", ""),
                domain=r["probleemdomein"],
                solution=r["oplossing"],
                size=_int(r.get("aantalBesturen")),
                governments=_split(r.get("besturen"), ","),
                initiative_count=_int(r.get("aantalInitiatieven")),
                initiatives=_split(r.get("initiatieven"), "|"),
            )
            for r in self._rows("joint-procurement-candidates", {"lang": lang, "minimum": minimum})
        ]

    def funding(self, lang: str = "nl") -> list[Funding]:
        """Per programme: initiatives, municipalities, budget, challenges and objectives."""
        return [
            Funding(
                iri=r["programma"],
                name=r.get("naam") or r["programma"],
                initiative_count=_int(r.get("aantalInitiatieven")),
                initiatives=_split(r.get("initiatieven"), "|"),
                municipality_count=_int(r.get("aantalGemeenten")),
                municipalities=_split(r.get("gemeenten"), ","),
                budget=_decimal(r.get("totaalBudget")),
                with_budget=_int(r.get("initiatievenMetBudget")),
                challenges=_numbers(r.get("uitdagingen")),
                objectives=_numbers(r.get("doelstellingen")),
            )
            for r in self._rows("funding-overview", {"lang": lang})
        ]

    def coverage(self) -> list[Coverage]:
        """Every Flemish municipality with its number of initiatives, those with none first."""
        return [
            Coverage(
                iri=r["gemeente"],
                nis=r.get("nis", ""),
                name=r.get("naam", ""),
                province=r.get("provincie", ""),
                province_name=r.get("provincieNaam", ""),
                count=_int(r.get("aantal")),
            )
            for r in self._rows("municipality-coverage", {})
        ]

    def matrix(self, lang: str = "nl") -> Matrix:
        """The 9 challenges x 7 objectives, counting initiatives (the ``coverage-matrix``)."""
        counts = {
            (r["uitdagingNr"], r["doelstellingNr"]): _int(r.get("aantal"))
            for r in self._rows("coverage-matrix", {})
        }
        return Matrix(
            challenges=self._concepts("uitdaging", lang),
            objectives=self._concepts("strategische-doelstelling", lang),
            counts=counts,
        )

    def _concepts(self, scheme: str, lang: str) -> tuple[Concept, ...]:
        rows = self.store.select(
            rq.load("instruments-concept-labels"),
            bindings={"scheme": self.uris.scheme(scheme), "lang": Literal(lang)},
        )
        return tuple(
            Concept(
                iri=str(r["concept"]),
                notation=str(r["notation"]),
                label=str(r.get("label") or r["notation"]),
            )
            for r in rows
        )

    def initiative_choices(self, lang: str = "nl") -> list[tuple[str, str]]:
        """(IRI, title) of every initiative, for the partner finder's form."""
        rows = self.store.select(
            rq.load("instruments-initiatives"),
            bindings={
                "initiativeClass": URIRef(self.uris.sr + "SmartCityInitiatief"),
                "lang": Literal(lang),
            },
        )
        return [(str(r["initiative"]), str(r.get("title") or r["initiative"])) for r in rows]
