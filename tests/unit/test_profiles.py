"""Choosing a profile (W3C Content Negotiation by Profile): a table of requests and answers."""

from __future__ import annotations

import pytest

from sro_graph.errors import InputError, NotAcceptableError
from sro_graph.profiles import (
    DCAT_AP,
    DCAT_AP_VL,
    OSLO,
    Profile,
    choose_profile,
    parse_accept_profile,
    profile_by_name,
)

ALL = (DCAT_AP_VL, DCAT_AP, OSLO)
VL, AP = f"<{DCAT_AP_VL.uri}>", f"<{DCAT_AP.uri}>"


@pytest.mark.parametrize(
    ("available", "requested", "header", "expected"),
    [
        (ALL, None, None, DCAT_AP_VL),  # nothing asked: the default
        (ALL, "dcat-ap", None, DCAT_AP),  # _profile by token
        (ALL, DCAT_AP.uri, None, DCAT_AP),  # _profile by URI
        (ALL, "dcat-ap", VL, DCAT_AP),  # _profile wins over the header
        (ALL, None, AP, DCAT_AP),
        (ALL, None, f"{AP};q=0.5, {VL};q=0.9", DCAT_AP_VL),  # q-values order
        (ALL, None, f"<urn:x:unknown>, {AP};q=0.1", DCAT_AP),  # the first available
        (ALL, None, "*", DCAT_AP_VL),
        ((OSLO,), None, "<urn:x:unknown>;q=1, *;q=0.1", DCAT_AP_VL),  # '*': the default
    ],
)
def test_choose_profile_table(
    available: tuple[Profile, ...], requested: str | None, header: str | None, expected: Profile
) -> None:
    assert (
        choose_profile(available, DCAT_AP_VL, requested=requested, accept_profile=header)
        == expected
    )


@pytest.mark.parametrize(
    ("available", "requested", "header"),
    [
        ((OSLO,), "dcat-ap", None),  # not offered here
        (ALL, "nonsense", None),
        (ALL, None, "<urn:x:unknown>"),
        (ALL, None, f"{AP};q=0"),  # q=0 refuses
    ],
)
def test_choose_profile_unavailable_is_406_naming_what_is(
    available: tuple[Profile, ...], requested: str | None, header: str | None
) -> None:
    with pytest.raises(NotAcceptableError) as caught:
        choose_profile(available, OSLO, requested=requested, accept_profile=header)
    assert caught.value.available == [p.uri for p in available]
    assert all(p.token in caught.value.detail for p in available)


@pytest.mark.parametrize("header", ["<urn:x:a", "urn:x:a>", f"{AP};q=lots"])
def test_parse_accept_profile_malformed_is_400(header: str) -> None:
    with pytest.raises(InputError):
        parse_accept_profile(header)


def test_profile_by_name_knows_tokens_and_uris_with_or_without_brackets() -> None:
    for profile in ALL:
        assert profile_by_name(profile.token) == profile
        assert profile_by_name(f"<{profile.uri}>") == profile
    assert profile_by_name("urn:x:nothing") is None
