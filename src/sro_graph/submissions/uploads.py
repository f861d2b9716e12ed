"""An upload (bytes, media type, file name) into one RDF graph: parsed RDF or a converted
spreadsheet, through one door, so both meet the same gate.

The format comes from the media type; a generic one (``application/octet-stream``, none)
falls back to the file name's extension. RDF is parsed by ``rdfio`` (caps, DOCTYPE and
remote JSON-LD contexts refused); a spreadsheet is read within its limits and converted cell
by cell, keeping where each statement came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Graph

from sro_graph.errors import TooLargeError, UnsupportedFormatError
from sro_graph.formats import MediaType
from sro_graph.rdfio import (
    SUPPORTED_MEDIA_TYPES,
    RdfFormat,
    UndefinedTerm,
    format_from_filename,
    format_from_media_type,
    parse_rdf,
)
from sro_graph.submissions.sheets import (
    CodeLists,
    SheetData,
    SheetFormat,
    SheetLimits,
    convert_sheet,
    read_sheet,
    sheet_format,
)
from sro_graph.vocab import Uris

_GENERIC = ("", MediaType.OCTET_STREAM.value)


@dataclass(frozen=True)
class Upload:
    """What a steward sent: the bytes, their media type and, when known, the file name."""

    data: bytes
    media_type: str
    name: str | None = None


@dataclass(frozen=True)
class Parsed:
    """An upload as RDF; ``sheet`` tells where each statement came from (spreadsheets)."""

    graph: Graph
    media_type: str
    sheet: SheetData | None = None
    undefined_terms: tuple[UndefinedTerm, ...] = ()  # JSON-LD keys that expanded to nothing


def upload_format(upload: Upload) -> RdfFormat | SheetFormat:
    """The format of an upload: an RDF syntax or a spreadsheet.

    Raises:
        UnsupportedFormatError: neither the media type nor the file name names one we read.
    """
    essence = upload.media_type.split(";", 1)[0].strip().lower()
    generic = essence in _GENERIC
    found = sheet_format(None if generic else essence, upload.name if generic else None)
    if found is not None:
        return found
    if generic:
        by_name = format_from_filename(upload.name)
        if by_name is not None:
            return by_name
        raise UnsupportedFormatError(
            "The upload names no media type and its file name no known extension; send RDF ("
            + ", ".join(SUPPORTED_MEDIA_TYPES)
            + ") or the spreadsheet template (.xlsx, .csv)."
        )
    try:
        return format_from_media_type(essence)
    except UnsupportedFormatError:
        raise UnsupportedFormatError(
            f"Unsupported media type '{essence[:100]}'; send RDF ("
            + ", ".join(SUPPORTED_MEDIA_TYPES)
            + f") or the spreadsheet template ({SheetFormat.XLSX.value}, {SheetFormat.CSV.value})."
        ) from None


def parse_upload(
    upload: Upload,
    *,
    uris: Uris,
    max_bytes: int,
    known_contexts: Mapping[str, Any],
    limits: SheetLimits,
    codes: Callable[[], CodeLists],
) -> Parsed:
    """The RDF of an upload.

    Raises:
        UnsupportedFormatError, TooLargeError, UnsafeInputError, UnparseableError, InputError.
    """
    fmt = upload_format(upload)
    if isinstance(fmt, SheetFormat):
        if len(upload.data) > max_bytes:
            raise TooLargeError(
                f"The spreadsheet is {len(upload.data)} bytes; the limit is {max_bytes} bytes."
            )
        sheet = convert_sheet(read_sheet(upload.data, fmt, limits), codes(), uris)
        return Parsed(graph=sheet.graph, media_type=fmt.value, sheet=sheet)
    parsed = parse_rdf(
        upload.data,
        fmt,
        base_iri=uris.base + "/",
        max_bytes=max_bytes,
        known_contexts=known_contexts,
    )
    return Parsed(
        graph=parsed.graph,
        media_type=fmt.value,
        undefined_terms=tuple(parsed.undefined_terms),
    )
