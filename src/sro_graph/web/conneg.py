"""Content negotiation: an Accept header (or a ``_format`` override) to one media type.

One tested parser: q-values are honoured, ``q=0`` refuses a type, wildcards match, ties go to
the server's order of preference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sro_graph.errors import NotAcceptableError


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
        return negotiate(header, ["text/html", "application/json"]) == "text/html"
    except NotAcceptableError:
        return False
