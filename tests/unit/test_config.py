"""Settings fail at start on bad values; secrets are stored hashed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sro_graph.config import Settings, hash_token


def test_base_uri_must_be_absolute_without_trailing_slash() -> None:
    with pytest.raises(ValidationError):
        Settings(base_uri="https://sro.test/")
    with pytest.raises(ValidationError):
        Settings(base_uri="not a url")


def test_base_uri_with_a_path_is_refused() -> None:
    with pytest.raises(ValidationError, match="without a path"):
        Settings(base_uri="https://sro.test/graph")


def test_raw_tokens_are_refused_as_token_hashes() -> None:
    with pytest.raises(ValidationError, match="never raw tokens"):
        Settings(steward_token_hashes=["my-secret-token"])


def test_token_hashes_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = hash_token("a"), hash_token("b")
    monkeypatch.setenv("SRO_STEWARD_TOKEN_HASHES", f"{a}, {b}")
    assert Settings().steward_token_hashes == [a, b]


def test_unknown_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError):
        Settings(no_such_knob=1)  # type: ignore[call-arg]


def test_remote_store_url_is_checked() -> None:
    assert Settings(store="sparql+http://127.0.0.1:7878/query").is_remote_store
    with pytest.raises(ValidationError):
        Settings(store="sparql+http://", store_update="x")
