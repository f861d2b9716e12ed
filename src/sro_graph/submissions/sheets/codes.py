"""The allowed codes of the template, read from the store: never a hand-copied list.

Concept schemes (challenges, objectives, focus domains, …) by ``skos:notation``, the Flemish
municipalities by NIS code, and the organisations the graph knows by their reference
(``organisatie/imec``, ``bestuurseenheid/44021``). The same lists fill the template's sheets
and decide which cells are valid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from sro_graph import rq
from sro_graph.store import Store
from sro_graph.submissions.sheets.columns import SCHEMES
from sro_graph.vocab import Uris


@dataclass(frozen=True)
class Code:
    """One allowed value: what a steward writes (``code``), what it means, its IRI."""

    code: str
    label: str
    iri: str


@dataclass(frozen=True)
class CodeList:
    """The allowed values of one list, found by code or (case-insensitively) by label."""

    name: str
    codes: tuple[Code, ...]

    def find(self, text: str) -> Code | None:
        wanted = text.strip().casefold()
        for code in self.codes:
            if code.code.casefold() == wanted:
                return code
        for code in self.codes:
            if code.label.casefold() == wanted:
                return code
        return None

    def summary(self, limit: int = 12) -> str:
        """The codes, for a message: ``1, 2, … 9`` or the first ``limit`` and a count."""
        shown = [c.code for c in self.codes[:limit]]
        more = len(self.codes) - len(shown)
        return ", ".join(shown) + (f" (and {more} more)" if more > 0 else "")


@dataclass(frozen=True)
class CodeLists:
    """Every list the template uses."""

    schemes: dict[str, CodeList]
    municipalities: CodeList
    organisations: CodeList

    def all(self) -> Iterable[CodeList]:
        yield from self.schemes.values()
        yield self.municipalities
        yield self.organisations


def read_code_lists(store: Store, uris: Uris) -> CodeLists:
    """The lists as the store holds them now."""
    schemes = {}
    for name in SCHEMES:
        rows = store.select(rq.load("scheme-concepts"), bindings={"scheme": uris.scheme(name)})
        schemes[name] = CodeList(
            name,
            tuple(Code(str(r["notation"]), str(r["label"]), str(r["concept"])) for r in rows),
        )
    municipalities = CodeList(
        "gemeenten",
        tuple(
            Code(str(r["notation"]), str(r["label"]), str(r["municipality"]))
            for r in store.select(rq.load("sheet-municipalities"))
        ),
    )
    organisations = CodeList(
        "organisaties",
        tuple(
            Code(_reference(uris, str(r["organisation"])), str(r["label"]), str(r["organisation"]))
            for r in store.select(rq.load("sheet-organisations"))
            if isinstance(r["organisation"], URIRef)
        ),
    )
    return CodeLists(schemes, municipalities, organisations)


def _reference(uris: Uris, iri: str) -> str:
    """``organisatie/imec`` for our ``/id/organisatie/imec``; other IRIs stay whole."""
    prefix = f"{uris.base}/id/"
    return iri.removeprefix(prefix) if iri.startswith(prefix) else iri
