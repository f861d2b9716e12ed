"""The catalogue in each profile it is served in (W3C Content Negotiation by Profile).

``dcat-ap-vl`` (the default) is the catalogue as built. ``dcat-ap`` is SEMIC's DCAT-AP 3.0.1
without the Flemish extensions: no ``mdcat:`` statements or the Metadata Vlaanderen keywords
they name, and records that conform to DCAT-AP 3.0.1. ``oslo`` is the same graph as
``dcat-ap-vl``; its JSON-LD is compacted with the project context.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import URIRef

from sro_graph.catalog.model import Triple
from sro_graph.catalog.reference import (
    DCAT_AP_VL,
    VLOPENDATA,
    VLOPENDATASERVICE,
    Reference,
)
from sro_graph.profiles import DCAT_AP, Profile
from sro_graph.vocab import MDCAT

__all__ = ["DCAT_AP_STANDARD", "in_profile"]

DCAT_AP_STANDARD = URIRef(DCAT_AP.uri)
_FLEMISH_ONLY = {VLOPENDATA, VLOPENDATASERVICE, DCAT_AP_VL}


def in_profile(triples: Iterable[Triple], profile: Profile, ref: Reference) -> Iterator[Triple]:
    """``triples`` as ``profile`` has them."""
    if profile != DCAT_AP:
        yield from triples
        return
    for s, p, o in triples:
        if s in _FLEMISH_ONLY or str(p).startswith(str(MDCAT)):
            continue
        yield (s, p, DCAT_AP_STANDARD if o == DCAT_AP_VL else o)
    yield from ref.describe(DCAT_AP_STANDARD)
