"""The columns of the initiatives template: Dutch header, kind of value, the RDF it becomes.

One row is one initiative. The template (CSV and XLSX), the reader and the converter all use
this one table, so a column added here appears in the template, is read and becomes RDF.
Code columns name the concept scheme whose codes they take; those lists come from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a cell is read."""

    ID = "id"  # the initiative's reference (a slug)
    TEXT_NL = "text-nl"
    TEXT_EN = "text-en"
    CODES = "codes"  # codes of a concept scheme, separated by ';'
    MUNICIPALITIES = "municipalities"  # NIS codes or names, separated by ';'
    ACTORS = "actors"  # organisations by reference, IRI or name, separated by ';'
    DATE = "date"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    URL = "url"
    EMAIL = "email"
    KEYWORDS = "keywords"  # free words, separated by ';'


@dataclass(frozen=True)
class Column:
    """One column of the template."""

    header: str
    kind: Kind
    help_nl: str
    help_en: str
    example: str
    required: bool = False
    scheme: str | None = None  # for Kind.CODES
    term: str | None = None  # the sr: term (local name) for codes columns

    @property
    def multiple(self) -> bool:
        return self.kind in (Kind.CODES, Kind.MUNICIPALITIES, Kind.ACTORS, Kind.KEYWORDS)


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        Kind.ID,
        "Vaste, korte referentie van het initiatief: kleine letters, cijfers en koppeltekens. "
        "Wordt de URI /id/initiatief/<id>.",
        "A fixed short reference of the initiative: lower-case letters, digits and hyphens. "
        "Becomes the URI /id/initiatief/<id>.",
        "gent-luchtmeting",
        required=True,
    ),
    Column(
        "titel",
        Kind.TEXT_NL,
        "Titel in het Nederlands.",
        "Title in Dutch.",
        "Luchtmeting met burgers",
        required=True,
    ),
    Column("titel_en", Kind.TEXT_EN, "Titel in het Engels.", "Title in English.", "Citizen air"),
    Column(
        "beschrijving",
        Kind.TEXT_NL,
        "Beschrijving in het Nederlands: wat, voor wie, met welke data.",
        "Description in Dutch: what, for whom, with which data.",
        "Burgers meten fijn stof met sensoren aan hun gevel.",
        required=True,
    ),
    Column("beschrijving_en", Kind.TEXT_EN, "Beschrijving in het Engels.", "Description.", ""),
    Column(
        "uitdagingen",
        Kind.CODES,
        "Codes van de uitdagingen (blad 'uitdaging'), gescheiden door ';'.",
        "Codes of the challenges (sheet 'uitdaging'), separated by ';'.",
        "1; 8",
        scheme="uitdaging",
        term="uitdaging",
    ),
    Column(
        "strategische_doelstellingen",
        Kind.CODES,
        "Codes van de strategische doelstellingen (blad 'strategische-doelstelling').",
        "Codes of the strategic objectives (sheet 'strategische-doelstelling').",
        "1",
        scheme="strategische-doelstelling",
        term="draagtBijTot",
    ),
    Column(
        "focusdomeinen",
        Kind.CODES,
        "Codes van de focusdomeinen (blad 'focusdomein').",
        "Codes of the focus domains (sheet 'focusdomein').",
        "environment",
        scheme="focusdomein",
        term="focusdomein",
    ),
    Column(
        "probleemdomeinen",
        Kind.CODES,
        "Codes van de probleemdomeinen (blad 'probleemdomein').",
        "Codes of the problem domains (sheet 'probleemdomein').",
        "luchtkwaliteit",
        scheme="probleemdomein",
        term="probleemdomein",
    ),
    Column(
        "datagebruik",
        Kind.CODES,
        "Codes van het soort datagebruik (blad 'datagebruik').",
        "Codes of the kinds of data use (sheet 'datagebruik').",
        "sensoren",
        scheme="datagebruik",
        term="datagebruik",
    ),
    Column(
        "transversale_themas",
        Kind.CODES,
        "Codes van de transversale thema's (blad 'transversaal-thema').",
        "Codes of the transversal themes (sheet 'transversaal-thema').",
        "",
        scheme="transversaal-thema",
        term="transversaalThema",
    ),
    Column(
        "werkwijze",
        Kind.CODES,
        "Codes van de werkwijze van de Smart Region Office (blad 'werkwijze').",
        "Codes of the Smart Region Office's working mode (sheet 'werkwijze').",
        "",
        scheme="werkwijze",
        term="werkwijze",
    ),
    Column(
        "bouwstenen",
        Kind.CODES,
        "Codes van de gebruikte bouwstenen (blad 'bouwsteen').",
        "Codes of the building blocks used (sheet 'bouwsteen').",
        "oslo",
        scheme="bouwsteen",
        term="gebruiktBouwsteen",
    ),
    Column(
        "gemeenten",
        Kind.MUNICIPALITIES,
        "NIS-codes (of namen) van de gemeenten waar het initiatief loopt (blad 'gemeenten').",
        "NIS codes (or names) of the municipalities where it runs (sheet 'gemeenten').",
        "44021",
    ),
    Column(
        "actoren",
        Kind.ACTORS,
        "Betrokken organisaties: hun referentie uit het blad 'organisaties' (bv. "
        "bestuurseenheid/44021), hun naam of hun URI; minstens één.",
        "Organisations involved: their reference from the sheet 'organisaties' (e.g. "
        "bestuurseenheid/44021), their name or their URI; at least one.",
        "bestuurseenheid/44021; organisatie/imec",
    ),
    Column(
        "startdatum",
        Kind.DATE,
        "Begin (JJJJ-MM-DD of DD/MM/JJJJ).",
        "Start (YYYY-MM-DD or DD/MM/YYYY).",
        "2024-03-01",
    ),
    Column("einddatum", Kind.DATE, "Einde, als het al vastligt.", "End, if known.", ""),
    Column(
        "budget",
        Kind.DECIMAL,
        "Totaal budget in euro, zonder scheidingsteken voor duizendtallen (275000 of 275000,50).",
        "Total budget in euro, without thousands separators (275000 or 275000.50).",
        "275000",
    ),
    Column("website", Kind.URL, "Website (http of https).", "Website (http or https).", ""),
    Column(
        "contact_email",
        Kind.EMAIL,
        "E-mailadres van het contactpunt.",
        "E-mail address of the contact point.",
        "data@stad.gent",
    ),
    Column(
        "vuurtoren",
        Kind.BOOLEAN,
        "ja als het initiatief een vuurtorenproject (goede praktijk) is, anders nee.",
        "ja (yes) if the initiative is a lighthouse (good practice), else nee (no).",
        "nee",
    ),
    Column(
        "resultaat",
        Kind.TEXT_NL,
        "Bereikte resultaten en herbruikbare lessen.",
        "Results and reusable lessons.",
        "",
    ),
    Column(
        "dataset_titel",
        Kind.TEXT_NL,
        "Titel van een dataset die het initiatief maakt (leeg: geen dataset).",
        "Title of a dataset the initiative produces (empty: no dataset).",
        "",
    ),
    Column(
        "dataset_beschrijving",
        Kind.TEXT_NL,
        "Beschrijving van die dataset.",
        "Description of that dataset.",
        "",
    ),
    Column(
        "dataset_trefwoorden",
        Kind.KEYWORDS,
        "Trefwoorden van de dataset, gescheiden door ';'.",
        "Keywords of the dataset, separated by ';'.",
        "",
    ),
    Column(
        "dataset_landingspagina",
        Kind.URL,
        "Webpagina van de dataset (http of https).",
        "Web page of the dataset (http or https).",
        "",
    ),
    Column(
        "dataset_publiceren",
        Kind.BOOLEAN,
        "ja om de dataset in de DCAT-catalogus te publiceren (Datavindplaats), anders nee.",
        "ja (yes) to publish the dataset in the DCAT catalogue (Datavindplaats), else nee.",
        "nee",
    ),
)

BY_HEADER = {c.header: c for c in COLUMNS}
REQUIRED = tuple(c.header for c in COLUMNS if c.required)
SCHEMES = tuple(c.scheme for c in COLUMNS if c.scheme)
