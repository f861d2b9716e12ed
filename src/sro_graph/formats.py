"""Every media type, file extension, short name and charset sro-graph knows, in one place.

Pure data and lookups: it imports nothing of the app (so ``store/`` may use it) and raises no
app errors; a lookup that finds nothing returns ``None`` and the caller (``rdfio``,
``web/conneg``, the CLI) says what was wrong in its own terms.
"""

from __future__ import annotations

from enum import StrEnum

import pyoxigraph as ox


class RdfFormat(StrEnum):
    """The RDF syntaxes sro-graph reads and writes, by their canonical media type."""

    TURTLE = "text/turtle"
    NTRIPLES = "application/n-triples"
    NQUADS = "application/n-quads"
    TRIG = "application/trig"
    JSONLD = "application/ld+json"
    RDFXML = "application/rdf+xml"

    @property
    def oxigraph(self) -> ox.RdfFormat:
        """pyoxigraph's name for this syntax."""
        return _OX_RDF[self]

    @property
    def extension(self) -> str:
        """The canonical file extension (``ttl``, ``nt``, ``jsonld``, ``rdf``...)."""
        return _RDF_EXTENSIONS[self]

    @property
    def is_dataset(self) -> bool:
        """True for syntaxes that carry named graphs (N-Quads, TriG)."""
        return self in (RdfFormat.NQUADS, RdfFormat.TRIG)

    @property
    def w3c_iri(self) -> str:
        """The format's IRI under ``http://www.w3.org/ns/formats/``."""
        return W3C_FORMATS + _W3C_RDF[self]


class ResultFormat(StrEnum):
    """The SPARQL 1.1 query results formats (SELECT, ASK), by media type."""

    JSON = "application/sparql-results+json"
    XML = "application/sparql-results+xml"
    CSV = "text/csv"
    TSV = "text/tab-separated-values"

    @property
    def oxigraph(self) -> ox.QueryResultsFormat:
        """pyoxigraph's name for this results format."""
        return _OX_RESULTS[self]

    @property
    def w3c_iri(self) -> str:
        """The format's IRI under ``http://www.w3.org/ns/formats/``."""
        return W3C_FORMATS + _W3C_RESULTS[self]


class MediaType(StrEnum):
    """Media types that are neither an RDF syntax nor a SPARQL results format."""

    HTML = "text/html"
    JSON = "application/json"
    CSV = "text/csv"
    ATOM = "application/atom+xml"
    GZIP = "application/gzip"
    SPARQL_QUERY = "application/sparql-query"
    SPARQL_UPDATE = "application/sparql-update"
    FORM = "application/x-www-form-urlencoded"
    MULTIPART = "multipart/form-data"
    OCTET_STREAM = "application/octet-stream"
    PLAIN_TEXT = "text/plain"
    XML = "application/xml"


class SheetFormat(StrEnum):
    """The spreadsheet formats of the stewards' initiatives template, by media type."""

    CSV = "text/csv"
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    @property
    def extension(self) -> str:
        return _SHEET_EXTENSIONS[self]


_SHEET_EXTENSIONS = {SheetFormat.CSV: "csv", SheetFormat.XLSX: "xlsx"}
SHEET_MEDIA_TYPE_ALIASES: dict[str, SheetFormat] = {
    **{f.value: f for f in SheetFormat},
    "application/csv": SheetFormat.CSV,
}
"""Media types a spreadsheet upload may be sent with, and the format each names."""

SHEET_FILE_NAMES: dict[str, SheetFormat] = {f.extension: f for f in SheetFormat}
"""File extensions (and ``--data-format`` names) of spreadsheets."""

W3C_FORMATS = "http://www.w3.org/ns/formats/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

_OX_RDF = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
    RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.NQUADS: ox.RdfFormat.N_QUADS,
    RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.JSONLD: ox.RdfFormat.JSON_LD,
    RdfFormat.RDFXML: ox.RdfFormat.RDF_XML,
}
_RDF_EXTENSIONS = {
    RdfFormat.TURTLE: "ttl",
    RdfFormat.NTRIPLES: "nt",
    RdfFormat.NQUADS: "nq",
    RdfFormat.TRIG: "trig",
    RdfFormat.JSONLD: "jsonld",
    RdfFormat.RDFXML: "rdf",
}
_W3C_RDF = {
    RdfFormat.TURTLE: "Turtle",
    RdfFormat.NTRIPLES: "N-Triples",
    RdfFormat.NQUADS: "N-Quads",
    RdfFormat.TRIG: "TriG",
    RdfFormat.JSONLD: "JSON-LD",
    RdfFormat.RDFXML: "RDF_XML",
}
_OX_RESULTS = {
    ResultFormat.JSON: ox.QueryResultsFormat.JSON,
    ResultFormat.XML: ox.QueryResultsFormat.XML,
    ResultFormat.CSV: ox.QueryResultsFormat.CSV,
    ResultFormat.TSV: ox.QueryResultsFormat.TSV,
}
_W3C_RESULTS = {
    ResultFormat.JSON: "SPARQL_Results_JSON",
    ResultFormat.XML: "SPARQL_Results_XML",
    ResultFormat.CSV: "SPARQL_Results_CSV",
    ResultFormat.TSV: "SPARQL_Results_TSV",
}

GRAPH_RESULT_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat.TURTLE,
    RdfFormat.NTRIPLES,
    RdfFormat.JSONLD,
    RdfFormat.RDFXML,
)
"""What CONSTRUCT and DESCRIBE answer in, and the service description (the first is the
default)."""

RESULT_FORMATS: tuple[ResultFormat, ...] = tuple(ResultFormat)
"""What SELECT and ASK answer in (the first is the default)."""

SHORT_NAMES: dict[str, str] = {
    "json": ResultFormat.JSON,
    "xml": ResultFormat.XML,
    "csv": ResultFormat.CSV,
    "tsv": ResultFormat.TSV,
    "ttl": RdfFormat.TURTLE,
    "turtle": RdfFormat.TURTLE,
    "nt": RdfFormat.NTRIPLES,
    "jsonld": RdfFormat.JSONLD,
    "rdfxml": RdfFormat.RDFXML,
}
"""Short names of answer formats (the ``_format`` parameter, ``query --format``)."""

RDF_MEDIA_TYPE_ALIASES: dict[str, RdfFormat] = {
    **{f.value: f for f in RdfFormat},
    # Aliases seen in the wild (older registrations, browsers' guesses, the Flemish URI
    # guideline).
    "application/x-turtle": RdfFormat.TURTLE,
    "application/turtle": RdfFormat.TURTLE,
    "text/ntriples": RdfFormat.NTRIPLES,
    "text/plain": RdfFormat.NTRIPLES,
    "text/x-nquads": RdfFormat.NQUADS,
    "application/json": RdfFormat.JSONLD,
    "application/xml": RdfFormat.RDFXML,
    "text/xml": RdfFormat.RDFXML,
}
"""Media types an RDF body may be sent with, and the syntax each names."""

RDF_FILE_NAMES: dict[str, RdfFormat] = {
    **{f.extension: f for f in RdfFormat},
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.NTRIPLES,
    "nquads": RdfFormat.NQUADS,
    "json": RdfFormat.JSONLD,
    "owl": RdfFormat.RDFXML,
    "xml": RdfFormat.RDFXML,
}
"""File extensions (and ``--format`` names) of RDF files, and the syntax each names."""

UTF8_MEDIA_TYPES = frozenset({MediaType.ATOM.value})
"""Media types outside ``text/*`` whose Content-Type states ``charset=utf-8`` too."""


def essence(media_type: str) -> str:
    """A media type without parameters, lower-cased (``Text/Turtle; q=1`` → ``text/turtle``)."""
    return media_type.split(";", 1)[0].strip().lower()


def rdf_format_for_media_type(media_type: str) -> RdfFormat | None:
    """The RDF syntax a Content-Type names (parameters ignored), or None."""
    return RDF_MEDIA_TYPE_ALIASES.get(essence(media_type))


def rdf_format_for_file_name(name: str) -> RdfFormat | None:
    """The RDF syntax a file name's extension names (``data.ttl``), or None."""
    _, dot, extension = name.rpartition(".")
    return RDF_FILE_NAMES.get(extension.lower()) if dot else None


def rdf_format_for_name(name: str) -> RdfFormat | None:
    """The RDF syntax a ``--format`` value names (``ttl``, ``turtle``, a media type), or None."""
    if "/" in name:
        return rdf_format_for_media_type(name)
    return RDF_FILE_NAMES.get(name.strip().lower())


def sheet_format_for(media_type: str | None, file_name: str | None = None) -> SheetFormat | None:
    """The spreadsheet format a media type names or, failing that, a file name's extension."""
    found = SHEET_MEDIA_TYPE_ALIASES.get(essence(media_type or ""))
    if found is None and file_name:
        _, dot, extension = file_name.rpartition(".")
        found = SHEET_FILE_NAMES.get(extension.lower()) if dot else None
    return found


def media_type_for_short_name(name: str) -> str | None:
    """The media type a short answer-format name (``ttl``, ``csv``) stands for, or None."""
    return SHORT_NAMES.get(name.strip().lower())


def content_type(media_type: str) -> str:
    """The Content-Type header for ``media_type``: textual types state ``charset=utf-8``."""
    if "charset=" in media_type.lower():
        return media_type
    bare = essence(media_type)
    if bare.startswith("text/") or bare in UTF8_MEDIA_TYPES:
        return f"{media_type}; charset=utf-8"
    return media_type
