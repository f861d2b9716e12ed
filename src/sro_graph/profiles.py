"""The profiles sro-graph serves, and how a client names one (W3C Content Negotiation by Profile).

A profile is a set of rules a representation conforms to, named by a URI (and a short token
for the ``_profile`` query parameter). A client asks with ``Accept-Profile: <uri>;q=0.9, ...``
or ``_profile=token`` (or a URI); the server answers with ``Content-Profile`` and
``Link: <uri>; rel="profile"``. Which profiles a resource offers, and in which media types, is
for its service to say; :func:`choose_profile` picks one or refuses with 406.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sro_graph.errors import InputError, NotAcceptableError

__all__ = [
    "ALTERNATES_TOKEN",
    "DCAT_AP",
    "DCAT_AP_VL",
    "OSLO",
    "PROFILES",
    "Profile",
    "choose_profile",
    "parse_accept_profile",
    "profile_by_name",
]


@dataclass(frozen=True)
class Profile:
    """A profile: its URI, its token, and what it means (nl, en)."""

    token: str
    uri: str
    title_nl: str
    title_en: str
    description_en: str


DCAT_AP_VL = Profile(
    "dcat-ap-vl",
    "https://data.vlaanderen.be/doc/applicatieprofiel/DCAT-AP-VL",
    "DCAT-AP Vlaanderen 3.0",
    "DCAT-AP Flanders 3.0",
    "The Flemish application profile of DCAT that Metadata Vlaanderen and Datavindplaats "
    "harvest, with its Flemish terms (mdcat:statuut) and code lists.",
)
DCAT_AP = Profile(
    "dcat-ap",
    "https://semiceu.github.io/DCAT-AP/releases/3.0.1/",
    "DCAT-AP 3.0.1 (SEMIC)",
    "DCAT-AP 3.0.1 (SEMIC)",
    "The European application profile of DCAT (SEMIC), as data.europa.eu harvests it: "
    "without the Flemish extensions.",
)
OSLO = Profile(
    "oslo",
    "https://data.vlaanderen.be/ns",
    "OSLO",
    "OSLO",
    "The thing as the knowledge graph describes it, in OSLO and W3C terms; its JSON-LD is "
    "compacted with the project context (/ns/context.jsonld), the OSLO JSON-LD form.",
)
PROFILES: tuple[Profile, ...] = (DCAT_AP_VL, DCAT_AP, OSLO)
ALTERNATES_TOKEN = "alt"  # noqa: S105 (a profile token, not a secret)
"""``_profile=alt``: the list of profiles and media types a resource is available in."""


def profile_by_name(name: str) -> Profile | None:
    """The profile with this token or URI."""
    name = name.strip().strip("<>")
    for profile in PROFILES:
        if name in (profile.token, profile.uri, profile.uri.rstrip("/")):
            return profile
    return None


def parse_accept_profile(header: str | None) -> list[tuple[str, float]]:
    """The ``(uri or token, q)`` pairs of an ``Accept-Profile`` header, best first.

    Raises:
        InputError: the header is malformed (400).
    """
    if header is None or not header.strip():
        return []
    out: list[tuple[str, float]] = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        name = fields[0]
        if not name:
            continue
        if name.startswith("<") != name.endswith(">"):
            raise InputError("Accept-Profile lists profile URIs in angle brackets: <uri>.")
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError as exc:
                    raise InputError(f"Accept-Profile has a bad q value: {value[:20]}") from exc
        out.append((name.strip("<>"), q))
    return sorted(out, key=lambda pair: -pair[1])


def choose_profile(
    available: Sequence[Profile],
    default: Profile,
    *,
    requested: str | None,
    accept_profile: str | None,
) -> Profile:
    """The profile to answer in: ``requested`` (``_profile``) if given, else the client's
    most preferred available one of ``Accept-Profile``, else ``default``.

    Raises:
        NotAcceptableError: the client asks only for profiles not available here (406,
            naming the available ones).
        InputError: a malformed ``Accept-Profile``.
    """
    names = ", ".join(f"{p.token} <{p.uri}>" for p in available)
    if requested is not None:
        chosen = profile_by_name(requested)
        if chosen is None or chosen not in available:
            raise NotAcceptableError(
                f"Profile '{requested[:80]}' is not available here; available: {names}.",
                available=[p.uri for p in available],
            )
        return chosen
    asked = parse_accept_profile(accept_profile)
    if not asked:
        return default
    for name, q in asked:
        chosen = profile_by_name(name)
        if q > 0 and chosen is not None and chosen in available:
            return chosen
    if any(name == "*" and q > 0 for name, q in asked):
        return default
    raise NotAcceptableError(
        f"None of the requested profiles is available here; available: {names}.",
        available=[p.uri for p in available],
    )
