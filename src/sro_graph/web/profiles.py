"""Negotiation by profile and media type together, and the headers that say what was chosen.

One object (:class:`Representation`, as Prez's ``NegotiatedPMTs``) takes what a resource
offers (profiles, each in some media types), the client's ``_profile`` / ``Accept-Profile``
and its ``Accept`` (or a forced media type: an extension), and answers with the chosen pair,
``Content-Profile``, ``Link: rel="profile"`` and ``Link: rel="alternate"`` for every other
pair. ``_profile=alt`` lists the pairs instead of answering in one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from rdflib import Graph, Literal, Namespace, URIRef

from sro_graph.errors import InputError, NotAcceptableError
from sro_graph.formats import MediaType, RdfFormat, content_type
from sro_graph.profiles import ALTERNATES_TOKEN, Profile, choose_profile
from sro_graph.vocab import DCTERMS, RDF
from sro_graph.web.conneg import negotiate

__all__ = ["PROFILE_PARAMETER", "Offer", "Representation", "alternates_response", "negotiate_pair"]

PROFILE_PARAMETER = "_profile"
PROF = Namespace("http://www.w3.org/ns/dx/prof/")
HTML = MediaType.HTML.value


@dataclass(frozen=True)
class Offer:
    """A profile a resource is available in, and the media types it comes in (server's
    order of preference)."""

    profile: Profile
    media_types: tuple[str, ...]


@dataclass(frozen=True)
class Representation:
    """The chosen profile and media type, and the headers that go with them."""

    profile: Profile
    media_type: str
    headers: dict[str, str]


UrlFor = Callable[[Profile, str], str]
"""The URL of a resource in one profile and media type (for ``Link`` alternates)."""


def requested_profile(request: Request) -> str | None:
    """The ``_profile`` query parameter (at most once).

    Raises:
        InputError: given twice (400).
    """
    values = request.query_params.getlist(PROFILE_PARAMETER)
    if len(values) > 1:
        raise InputError(f"The '{PROFILE_PARAMETER}' parameter must be given at most once.")
    return values[0] if values else None


def negotiate_pair(
    request: Request,
    offers: Sequence[Offer],
    default: Profile,
    *,
    forced_media_type: str | None,
    url_for: UrlFor,
) -> Representation:
    """The profile and media type to answer in.

    Raises:
        NotAcceptableError: no offered profile, or no media type of the chosen profile, is
            acceptable (406, naming what is available).
        InputError: ``_profile`` twice or a malformed ``Accept-Profile`` (400).
    """
    profile = choose_profile(
        [o.profile for o in offers],
        default,
        requested=requested_profile(request),
        accept_profile=request.headers.get("accept-profile"),
    )
    media_types = next(o.media_types for o in offers if o.profile == profile)
    if forced_media_type is not None:
        if forced_media_type not in media_types:
            raise NotAcceptableError(
                f"Profile {profile.token} is available as {', '.join(media_types)}.",
                available=list(media_types),
            )
        media_type = forced_media_type
    else:
        media_type = negotiate(request.headers.get("accept"), media_types)
    return Representation(profile, media_type, _headers(offers, profile, url_for))


def _headers(offers: Sequence[Offer], chosen: Profile, url_for: UrlFor) -> dict[str, str]:
    links = [f'<{chosen.uri}>; rel="profile"']
    for offer in offers:
        for media_type in offer.media_types:
            links.append(
                f'<{url_for(offer.profile, media_type)}>; rel="alternate"; '
                f'type="{media_type}"; profile="{offer.profile.uri}"'
            )
    return {
        "Content-Profile": f"<{chosen.uri}>",
        "Link": ", ".join(links),
        "Vary": "Accept, Accept-Profile, Accept-Language",
    }


def alternates_response(
    request: Request, resource: str, offers: Sequence[Offer], default: Profile, url_for: UrlFor
) -> Response | None:
    """For ``_profile=alt``: the profiles and media types ``resource`` comes in (JSON, or
    Turtle with the W3C Profiles Vocabulary); None for any other request."""
    if requested_profile(request) != ALTERNATES_TOKEN:
        return None
    media = negotiate(request.headers.get("accept"), [MediaType.JSON.value, RdfFormat.TURTLE.value])
    headers = {"Vary": "Accept", "Link": f'<{resource}>; rel="canonical"'}
    if media == MediaType.JSON:
        body = {
            "resource": resource,
            "default": default.token,
            "profiles": [
                {
                    "token": o.profile.token,
                    "uri": o.profile.uri,
                    "title": {"nl": o.profile.title_nl, "en": o.profile.title_en},
                    "description": o.profile.description_en,
                    "mediaTypes": list(o.media_types),
                    "links": {m: url_for(o.profile, m) for m in o.media_types},
                }
                for o in offers
            ],
        }
        return Response(json.dumps(body, indent=2).encode(), 200, headers, MediaType.JSON.value)
    graph = Graph()
    graph.bind("prof", PROF)
    graph.bind("dct", DCTERMS)
    for offer in offers:
        profile = URIRef(offer.profile.uri)
        graph.add((profile, RDF.type, PROF.Profile))
        graph.add((profile, PROF.hasToken, Literal(offer.profile.token)))
        graph.add((profile, DCTERMS.title, Literal(offer.profile.title_en, lang="en")))
        graph.add((profile, DCTERMS.title, Literal(offer.profile.title_nl, lang="nl")))
        for media_type in offer.media_types:
            url = URIRef(url_for(offer.profile, media_type))
            graph.add((URIRef(resource), DCTERMS.hasFormat, url))
            graph.add((url, DCTERMS.conformsTo, profile))
            graph.add((url, DCTERMS["format"], Literal(media_type)))
    turtle = graph.serialize(format="turtle").encode()
    return Response(turtle, 200, headers, content_type(RdfFormat.TURTLE))


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query string."""
    from urllib.parse import urlencode

    return url + ("&" if "?" in url else "?") + urlencode(params)
