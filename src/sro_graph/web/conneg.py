"""Content negotiation: an Accept header (or a ``_format`` override) to one media type.

One tested parser: q-values are honoured, ``q=0`` refuses a type, wildcards match, ties go to
the server's order of preference. Routes take what the client wants as a dependency
(:data:`FormatDep` where ``_format`` may override Accept, :data:`AcceptDep` where it may not)
and call :meth:`Wanted.choose` with their offers; they never read Accept themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from sro_graph.errors import InputError, NotAcceptableError
from sro_graph.formats import SHORT_NAMES, MediaType, essence, media_type_for_short_name

FORMAT_PARAMETER = "_format"


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    specificity: int

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        return (self.type in ("*", t)) and (self.subtype in ("*", s))


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed parts are skipped."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges: list[MediaRange] = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        essence = fields[0].lower()
        if "/" not in essence:
            continue
        t, _, s = essence.partition("/")
        if not t or not s or (t == "*" and s != "*"):
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        specificity = 0 if t == "*" else (1 if s == "*" else 2)
        ranges.append(MediaRange(t, s, q, specificity))
    return ranges or [MediaRange("*", "*", 1.0, 0)]


def negotiate(header: str | None, offers: Sequence[str]) -> str:
    """The offer the client prefers most; the first offer wins ties.

    Raises:
        NotAcceptableError: nothing offered is acceptable (406).
    """
    ranges = parse_accept(header)
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for index, offer in enumerate(offers):
        matching = [r for r in ranges if r.matches(offer)]
        if not matching:
            continue
        most_specific = max(matching, key=lambda r: r.specificity)
        q = most_specific.q
        if q <= 0:
            continue
        key = (q, -index)
        if best is None or key > best:
            best, chosen = key, offer
    if chosen is None:
        raise NotAcceptableError(
            "None of the requested media types can be served; available: " + ", ".join(offers),
            available=list(offers),
        )
    return chosen


def prefers_html(header: str | None) -> bool:
    """True for browsers: text/html is explicitly acceptable and at least as preferred."""
    if not header or "html" not in header:
        return False
    try:
        return negotiate(header, [MediaType.HTML, MediaType.JSON]) == MediaType.HTML
    except NotAcceptableError:
        return False


@dataclass(frozen=True)
class Wanted:
    """What a client asked for: its Accept header, or the media type ``_format`` names."""

    accept: str | None
    forced: bool = False
    """True when ``_format`` named the media type (a download link), not Accept."""

    def choose(self, offers: Sequence[str]) -> str:
        """The offer the client prefers (see :func:`negotiate`).

        Raises:
            NotAcceptableError: nothing offered is acceptable (406).
        """
        return negotiate(self.accept, offers)

    @property
    def html(self) -> bool:
        """True for browsers (see :func:`prefers_html`)."""
        return prefers_html(self.accept)


def wanted(accept: str | None, formats: Sequence[str] = ()) -> Wanted:
    """What the client wants, from its Accept header and the ``_format`` values it sent.

    ``_format`` is strict, like ``query`` on ``/sparql``: given twice it is refused, and its
    value must be a short name (``ttl``, ``csv``...) or a media type.

    Raises:
        InputError: ``_format`` given more than once, or naming no format (400).
    """
    if len(formats) > 1:
        raise InputError(f"The '{FORMAT_PARAMETER}' parameter must be given at most once.")
    if not formats:
        return Wanted(accept)
    value = formats[0]
    named = media_type_for_short_name(value)
    if named is not None:
        return Wanted(named, forced=True)
    bare = essence(value)
    kind, slash, sub = bare.partition("/")
    if not slash or not kind or not sub or len(bare) > 200:
        raise InputError(
            f"Unknown {FORMAT_PARAMETER} '{value[:50]}'; use a media type or one of: "
            + ", ".join(sorted(SHORT_NAMES))
        )
    return Wanted(bare, forced=True)


def _format_and_accept(request: Request) -> Wanted:
    return wanted(request.headers.get("accept"), request.query_params.getlist(FORMAT_PARAMETER))


def _accept_only(request: Request) -> Wanted:
    return Wanted(request.headers.get("accept"))


FormatDep = Annotated[Wanted, Depends(_format_and_accept)]
"""What the client wants: ``_format`` (at most once) if given, else its Accept header."""
AcceptDep = Annotated[Wanted, Depends(_accept_only)]
"""What the client wants by its Accept header (routes without ``_format``)."""
