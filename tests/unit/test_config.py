"""Settings fail at start on bad values; secrets are stored hashed."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sro_graph.config import Settings, hash_token


def settings_with(**values: Any) -> Settings:
    """Settings from raw values, as the environment gives them (strings, before parsing)."""
    return Settings(**values)


def test_base_uri_must_be_absolute_without_trailing_slash() -> None:
    with pytest.raises(ValidationError):
        Settings(base_uri="https://sro.test/")
    with pytest.raises(ValidationError):
        Settings(base_uri="not a url")


def test_base_uri_with_a_path_is_refused() -> None:
    with pytest.raises(ValidationError, match="without a path"):
        Settings(base_uri="https://sro.test/graph")


def test_raw_tokens_are_refused_as_steward_token_hashes() -> None:
    with pytest.raises(ValidationError, match="never raw"):
        settings_with(stewards=["my-secret-token=Naam|https://example.org/org"])


def test_stewards_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13.4: every token names a steward and an organisation; ';' or new lines apart."""
    a, b = hash_token("a"), hash_token("b")
    monkeypatch.setenv(
        "SRO_STEWARDS",
        f"{a}=Stad Gent, dienst Data|https://data.vlaanderen.be/id/organisatie/OVO000001 ;\n"
        f"  {b} = Beheer SRO | https://sro.test/id/organisatie/smart-region-office | admin",
    )
    first, second = Settings().stewards
    assert (first.token_hash, first.name, first.admin) == (a, "Stad Gent, dienst Data", False)
    assert first.id == "stad-gent-dienst-data"
    assert first.organisation == "https://data.vlaanderen.be/id/organisatie/OVO000001"
    assert (second.id, second.admin) == ("beheer-sro", True)


def test_steward_id_comes_from_the_name_never_the_token() -> None:
    [steward] = settings_with(
        stewards=[f"{hash_token('x')}=Sint-Niklaas — Één|https://e.org/o"]
    ).stewards
    assert steward.id == "sint-niklaas-een"
    assert hash_token("x").removeprefix("sha256:")[:8] not in steward.id


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ([f"{hash_token('a')}=Naam"], "entry reads"),
        ([f"{hash_token('a')}=Naam|https://e.org/o|root"], "entry reads"),
        ([f"{hash_token('a')}=Naam|not an iri"], "URL"),
        ([f"{hash_token('a')}=Naam|javascript:alert(1)"], "URL"),
        ([f"{hash_token('a')}=---|https://e.org/o"], "no letters"),
        ([f"{hash_token('a')}=A|https://e.org/o", f"{hash_token('a')}=B|https://e.org/o"], "twice"),
        ([f"{hash_token('a')}=A|https://e.org/1", f"{hash_token('b')}=A|https://e.org/2"], "two"),
    ],
)
def test_bad_steward_entries_fail_at_start(entries: list[str], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        settings_with(stewards=entries)


def test_the_old_token_hash_setting_is_refused_with_the_new_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SRO_STEWARD_TOKEN_HASHES", hash_token("a"))
    with pytest.raises(ValidationError, match="SRO_STEWARDS"):
        Settings()


def test_unknown_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError):
        Settings(no_such_knob=1)  # type: ignore[call-arg]


def test_remote_store_url_is_checked() -> None:
    assert Settings(store="sparql+http://127.0.0.1:7878/query").is_remote_store
    with pytest.raises(ValidationError):
        Settings(store="sparql+http://", store_update="x")
