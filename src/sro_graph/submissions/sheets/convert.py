"""Rows of the initiatives template into RDF, remembering which cell every statement came from.

Each row becomes one ``sr:SmartCityInitiatief`` at ``/id/initiatief/<id>`` (with a contact
point ``…#contactpunt`` and, when the row names one, a ``dcat:Dataset`` at
``/id/dataset/<id>``). A cell that cannot become a value (an unknown code, a bad number or
date, a formula) is left out and reported by row and column; the rest of the row is still
converted, so that SHACL can report on it too. Every (subject, property) produced is mapped
back to its cell, so each SHACL result can name the cell it is about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property

from rdflib import Graph, Literal, URIRef

from sro_graph.errors import InputError
from sro_graph.submissions.report import CellProblem, Location
from sro_graph.submissions.sheets.codes import Code, CodeList, CodeLists
from sro_graph.submissions.sheets.columns import BY_HEADER, COLUMNS, REQUIRED, Column, Kind
from sro_graph.submissions.sheets.read import Cell, CellValue, Sheet, column_letter
from sro_graph.vocab import DCAT, DCTERMS, FOAF, PROV, RDF, SCHEMA, XSD, Uris, is_linkable

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
_AMOUNT = re.compile(r"\d+(?:[.,]\d{1,2})?")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_SPLIT = re.compile(r"[;\n]")
_TRUE = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
_FALSE = {"nee", "n", "no", "false", "onwaar", "0"}


@dataclass
class SheetData:
    """The RDF of a spreadsheet, its left-out cells, and where each statement came from."""

    graph: Graph = field(default_factory=Graph)
    problems: list[CellProblem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # subject IRI → row
    cells: dict[tuple[str, str], Location] = field(default_factory=dict)
    publish: set[URIRef] = field(default_factory=set)

    def locate(self, focus: str | None, path: str | None) -> Location | None:
        """The cell (or at least the row) a SHACL result about ``focus``/``path`` is about."""
        if focus is None:
            return None
        if path is not None and (focus, path) in self.cells:
            return self.cells[(focus, path)]
        row = self.rows.get(focus)
        return Location(row=row) if row is not None else None

    def row_of(self, subject: str) -> int | None:
        return self.rows.get(subject)


def _t(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


def convert_sheet(sheet: Sheet, codes: CodeLists, uris: Uris) -> SheetData:
    """The RDF of a filled-in template.

    Raises:
        InputError: the sheet is not the template (a required column is missing).
    """
    positions = {header: index for index, header in enumerate(sheet.headers)}
    missing = [h for h in REQUIRED if h not in positions]
    if missing:
        raise InputError(
            "This is not the initiatives template: the column(s) "
            f"{', '.join(missing)} are missing in the first row. Download the template from "
            "/submissions/template.xlsx or /submissions/template.csv."
        )
    out = SheetData()
    for header, index in positions.items():
        if header not in BY_HEADER:
            out.problems.append(
                CellProblem(
                    Location(1, header, column_letter(index)),
                    header,
                    _t(
                        f"Onbekende kolom '{header}': ze hoort niet bij het sjabloon en zou "
                        "genegeerd worden. Verwijder ze of gebruik een kolom van het sjabloon.",
                        f"Unknown column '{header}': it is not part of the template and would "
                        "be ignored. Remove it or use a column of the template.",
                    ),
                )
            )
    seen: dict[str, int] = {}
    properties = {
        c.header: _property(c, uris) for c in COLUMNS if c.term or c.header in _PROPERTIES
    }
    for cells in sheet.rows:
        _RowConverter(out, positions, cells, codes, uris, seen, properties).convert()
    return out


# The RDF property of each column that is not a concept-scheme column (those name their term).
_PROPERTIES: dict[str, URIRef | str] = {
    "titel": DCTERMS.title,
    "titel_en": DCTERMS.title,
    "beschrijving": DCTERMS.description,
    "beschrijving_en": DCTERMS.description,
    "gemeenten": DCTERMS.spatial,
    "actoren": PROV.wasAssociatedWith,
    "startdatum": PROV.startedAtTime,
    "einddatum": PROV.endedAtTime,
    "budget": "budget",
    "website": FOAF.homepage,
    "contact_email": SCHEMA.email,
    "vuurtoren": "isVuurtoren",
    "resultaat": "resultaat",
    "dataset_titel": DCTERMS.title,
    "dataset_beschrijving": DCTERMS.description,
    "dataset_trefwoorden": DCAT.keyword,
    "dataset_landingspagina": DCAT.landingPage,
}


def _property(column: Column, uris: Uris) -> URIRef:
    """The property a column's values become (``sr:`` terms by local name)."""
    term = column.term if column.term is not None else _PROPERTIES[column.header]
    return term if isinstance(term, URIRef) else URIRef(uris.sr[term])


class _RowConverter:
    def __init__(
        self,
        out: SheetData,
        positions: Mapping[str, int],
        cells: tuple[Cell, ...],
        codes: CodeLists,
        uris: Uris,
        seen: dict[str, int],
        properties: Mapping[str, URIRef],
    ) -> None:
        self.properties = properties
        self.out = out
        self.positions = positions
        self.cells = cells
        self.codes = codes
        self.uris = uris
        self.seen = seen
        self.row = cells[0].row
        self.focus: str | None = None

    # -- reading cells ------------------------------------------------------------------------

    def cell(self, header: str) -> Cell | None:
        index = self.positions.get(header)
        return None if index is None else self.cells[index]

    def location(self, header: str) -> Location:
        index = self.positions.get(header)
        return Location(self.row, header, column_letter(index) if index is not None else None)

    def problem(self, header: str, value: CellValue, nl: str, en: str) -> None:
        self.out.problems.append(
            CellProblem(self.location(header), _shown(value), _t(nl, en), focus=self.focus)
        )

    def text(self, column: Column) -> str | None:
        """The cell as text (None when empty or refused)."""
        cell = self.cell(column.header)
        if cell is None or cell.value is None:
            return None
        if cell.formula:
            self.problem(
                column.header,
                cell.value,
                "Formules worden niet gelezen: plak de waarde in de cel (Plakken speciaal → "
                "Waarden).",
                "Formulas are not read: paste the value into the cell (Paste special → Values).",
            )
            return None
        value = cell.value
        if isinstance(value, float) and value.is_integer() and column.kind != Kind.DECIMAL:
            value = int(value)
        text = str(value).strip()
        if not text:
            return None
        limit = 5000
        if len(text) > limit:
            self.problem(
                column.header,
                text,
                f"De cel bevat {len(text)} tekens; hoogstens {limit} worden aanvaard.",
                f"The cell holds {len(text)} characters; at most {limit} are accepted.",
            )
            return None
        return text

    # -- the row ------------------------------------------------------------------------------

    def convert(self) -> None:
        id_column = BY_HEADER["id"]
        ref = self.text(id_column)
        if ref is None:
            self.problem(
                "id",
                None,
                "De id is leeg: elke rij heeft een vaste, korte referentie nodig (bv. "
                "gent-luchtmeting). De rij werd niet gelezen.",
                "The id is empty: every row needs a fixed short reference (e.g. "
                "gent-luchtmeting). The row was not read.",
            )
            return
        if not _SLUG.fullmatch(ref) or len(ref) > 100:
            self.problem(
                "id",
                ref,
                f"'{_shown(ref)}' is geen geldige id: gebruik kleine letters, cijfers en "
                "koppeltekens (bv. gent-luchtmeting). De rij werd niet gelezen.",
                f"'{_shown(ref)}' is not a valid id: use lower-case letters, digits and "
                "hyphens (e.g. gent-luchtmeting). The row was not read.",
            )
            return
        if ref in self.seen:
            self.problem(
                "id",
                ref,
                f"De id '{ref}' staat ook op rij {self.seen[ref]}; elke rij is een ander "
                "initiatief. De rij werd niet gelezen.",
                f"The id '{ref}' is also on row {self.seen[ref]}; each row is another "
                "initiative. The row was not read.",
            )
            return
        self.seen[ref] = self.row
        initiative = self.uris.thing("initiatief", ref)
        self.focus = str(initiative)
        contact = URIRef(f"{initiative}#contactpunt")
        dataset = self.uris.thing("dataset", ref)
        self.out.rows[str(initiative)] = self.row
        self.out.graph.add((initiative, RDF.type, self.uris.sr.SmartCityInitiatief))
        subjects = {"contact_email": contact}
        for column in COLUMNS:
            if column.header.startswith("dataset_"):
                subjects[column.header] = dataset
        for column in COLUMNS:
            if column.header not in self.properties or column.header not in self.positions:
                continue
            subject = subjects.get(column.header, initiative)
            prop = self.properties[column.header]
            self.out.cells[(str(subject), str(prop))] = self.location(column.header)
            if column.header == "contact_email":
                self.out.cells[(str(initiative), str(SCHEMA.contactPoint))] = self.location(
                    column.header
                )
            for value in self._values(column):
                if column.header == "contact_email":
                    self.out.graph.add((initiative, SCHEMA.contactPoint, contact))
                    self.out.graph.add((contact, RDF.type, SCHEMA.ContactPoint))
                    self.out.rows[str(contact)] = self.row
                self.out.graph.add((subject, prop, value))
        self._dataset(initiative, dataset)

    def _dataset(self, initiative: URIRef, dataset: URIRef) -> None:
        filled = (self.out.graph.value(dataset, DCTERMS.title) is not None) or any(
            self.out.graph.triples((dataset, None, None))
        )
        publish = self._boolean(BY_HEADER["dataset_publiceren"])
        if not filled:
            if publish:
                self.problem(
                    "dataset_publiceren",
                    "ja",
                    "Er is geen dataset om te publiceren: vul dataset_titel in.",
                    "There is no dataset to publish: fill in dataset_titel.",
                )
            return
        self.out.rows[str(dataset)] = self.row
        self.out.cells[(str(initiative), str(PROV.generated))] = self.location("dataset_titel")
        self.out.graph.add((initiative, PROV.generated, dataset))
        self.out.graph.add((dataset, RDF.type, DCAT.Dataset))
        if publish:
            self.out.publish.add(dataset)

    def _values(self, column: Column) -> list[URIRef | Literal]:
        return self._readers[column.kind](column)

    @cached_property
    def _readers(self) -> dict[Kind, Callable[[Column], list[URIRef | Literal]]]:
        return {
            Kind.TEXT_NL: lambda c: self._text_literal(c, "nl"),
            Kind.TEXT_EN: lambda c: self._text_literal(c, "en"),
            Kind.CODES: self._codes,
            Kind.MUNICIPALITIES: self._municipalities,
            Kind.ACTORS: self._actors,
            Kind.DATE: self._date,
            Kind.DECIMAL: self._decimal,
            Kind.BOOLEAN: self._boolean_literal,
            Kind.URL: self._url,
            Kind.EMAIL: self._email,
            Kind.KEYWORDS: self._keywords,
        }

    # -- one reader per kind ------------------------------------------------------------------

    def _text_literal(self, column: Column, lang: str) -> list[URIRef | Literal]:
        text = self.text(column)
        return [Literal(text, lang=lang)] if text else []

    def _keywords(self, column: Column) -> list[URIRef | Literal]:
        text = self.text(column)
        if not text:
            return []
        return [Literal(w.strip(), lang="nl") for w in _SPLIT.split(text) if w.strip()]

    def _items(self, column: Column) -> list[str]:
        text = self.text(column)
        if not text:
            return []
        return [item.strip() for item in _SPLIT.split(text) if item.strip()]

    def _codes(self, column: Column) -> list[URIRef | Literal]:
        assert column.scheme is not None
        codes = self.codes.schemes[column.scheme]
        return self._lookup(column, codes, f"code van '{column.scheme}'", column.scheme)

    def _municipalities(self, column: Column) -> list[URIRef | Literal]:
        found: list[URIRef | Literal] = []
        for item in self._items(column):
            code = self.codes.municipalities.find(item) or _by_iri(self.codes.municipalities, item)
            if code is None:
                self.problem(
                    column.header,
                    item,
                    f"'{_shown(item)}' is geen Vlaamse gemeente: schrijf haar NIS-code of "
                    "naam zoals in het blad 'gemeenten' (bv. 44021 of Gent).",
                    f"'{_shown(item)}' is not a Flemish municipality: write its NIS code or "
                    "name as in the sheet 'gemeenten' (e.g. 44021 or Gent).",
                )
                continue
            found.append(URIRef(code.iri))
        return found

    def _actors(self, column: Column) -> list[URIRef | Literal]:
        found: list[URIRef | Literal] = []
        for item in self._items(column):
            code = self.codes.organisations.find(item) or _by_iri(self.codes.organisations, item)
            if code is not None:
                found.append(URIRef(code.iri))
            elif is_linkable(item) and item.lower().startswith(("http://", "https://")):
                found.append(URIRef(item))  # an organisation described elsewhere; SHACL checks
            else:
                self.problem(
                    column.header,
                    item,
                    f"'{_shown(item)}' is geen gekende organisatie: gebruik haar referentie uit "
                    "het blad 'organisaties' (bv. bestuurseenheid/44021), haar naam daar, of "
                    "haar volledige URI (https://…).",
                    f"'{_shown(item)}' is not a known organisation: use its reference from the "
                    "sheet 'organisaties' (e.g. bestuurseenheid/44021), its name there, or its "
                    "full URI (https://…).",
                )
        return found

    def _lookup(
        self, column: Column, codes: CodeList, what_nl: str, sheet: str
    ) -> list[URIRef | Literal]:
        found: list[URIRef | Literal] = []
        for item in self._items(column):
            code = codes.find(item)
            if code is None:
                self.problem(
                    column.header,
                    item,
                    f"'{_shown(item)}' is geen {what_nl}; toegelaten zijn: {codes.summary()} "
                    f"(blad '{sheet}').",
                    f"'{_shown(item)}' is not a code of '{column.scheme}'; allowed are: "
                    f"{codes.summary()} (sheet '{sheet}').",
                )
                continue
            found.append(URIRef(code.iri))
        return found

    def _date(self, column: Column) -> list[URIRef | Literal]:
        cell = self.cell(column.header)
        if cell is not None and not cell.formula and isinstance(cell.value, datetime | date):
            day = cell.value.date() if isinstance(cell.value, datetime) else cell.value
            return [_date_time(day)]
        text = self.text(column)
        if not text:
            return []
        parsed = _parse_date(text)
        if parsed is None:
            self.problem(
                column.header,
                text,
                f"'{_shown(text)}' is geen datum: schrijf JJJJ-MM-DD (bv. 2024-03-01) of "
                "DD/MM/JJJJ.",
                f"'{_shown(text)}' is not a date: write YYYY-MM-DD (e.g. 2024-03-01) or "
                "DD/MM/YYYY.",
            )
            return []
        return [_date_time(parsed)]

    def _decimal(self, column: Column) -> list[URIRef | Literal]:
        cell = self.cell(column.header)
        value = None if cell is None or cell.formula else cell.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            amount = Decimal(str(value))
            return [Literal(str(amount), datatype=XSD.decimal)]
        text = self.text(column)
        if not text:
            return []
        cleaned = text.replace("€", "").replace("EUR", "").replace(" ", "").replace("\u00a0", "")
        if not _AMOUNT.fullmatch(cleaned):
            self.problem(
                column.header,
                text,
                f"'{_shown(text)}' is geen bedrag dat eenduidig te lezen is: schrijf het in "
                "euro zonder scheidingsteken voor duizendtallen, bv. 275000 of 275000,50.",
                f"'{_shown(text)}' is not an amount that reads one way only: write it in euro "
                "without thousands separators, e.g. 275000 or 275000.50.",
            )
            return []
        try:
            amount = Decimal(cleaned.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return []
        return [Literal(str(amount), datatype=XSD.decimal)]

    def _boolean(self, column: Column) -> bool:
        if column.header not in self.positions:
            return False
        cell = self.cell(column.header)
        if cell is not None and isinstance(cell.value, bool) and not cell.formula:
            return cell.value
        text = self.text(column)
        if not text:
            return False
        word = text.casefold()
        if word in _TRUE:
            return True
        if word not in _FALSE:
            self.problem(
                column.header,
                text,
                f"'{_shown(text)}' is geen ja of nee.",
                f"'{_shown(text)}' is not ja (yes) or nee (no).",
            )
        return False

    def _boolean_literal(self, column: Column) -> list[URIRef | Literal]:
        cell = self.cell(column.header)
        if cell is None or cell.value is None or str(cell.value).strip() == "":
            return []
        before = len(self.out.problems)
        value = self._boolean(column)
        if len(self.out.problems) > before:
            return []
        return [Literal(value)]

    def _url(self, column: Column) -> list[URIRef | Literal]:
        text = self.text(column)
        if not text:
            return []
        if (
            not text.lower().startswith(("http://", "https://"))
            or any(c.isspace() for c in text)
            or any(c in text for c in '<>"{}|^`\\')
        ):
            self.problem(
                column.header,
                text,
                f"'{_shown(text)}' is geen volledige webadres: schrijf het met http:// of "
                "https:// ervoor, zonder spaties.",
                f"'{_shown(text)}' is not a full web address: write it with http:// or "
                "https:// in front, without spaces.",
            )
            return []
        return [URIRef(text)]

    def _email(self, column: Column) -> list[URIRef | Literal]:
        text = self.text(column)
        if not text:
            return []
        address = text.removeprefix("mailto:")
        if not _EMAIL.fullmatch(address):
            self.problem(
                column.header,
                text,
                f"'{_shown(text)}' is geen e-mailadres.",
                f"'{_shown(text)}' is not an e-mail address.",
            )
            return []
        return [Literal(address)]


def _by_iri(codes: CodeList, text: str) -> Code | None:
    wanted = text.strip()
    return next((c for c in codes.codes if c.iri == wanted), None)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    found = _DMY.fullmatch(text)
    if found:
        day, month, year = (int(g) for g in found.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def _date_time(day: date) -> Literal:
    return Literal(f"{day.isoformat()}T00:00:00", datatype=XSD.dateTime)


def _shown(value: CellValue | object, limit: int = 80) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"
