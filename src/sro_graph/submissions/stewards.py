"""Who is writing: a bearer token becomes a named steward of an organisation, or is refused.

Tokens are never kept: the configuration holds their SHA-256 (``SRO_STEWARDS``), and a token
offered is hashed and compared in constant time with every configured hash, without stopping
at the first match. What a steward may do to a submission is decided here too: the owner, or
an admin, may replace or withdraw it.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from sro_graph.config import Steward, hash_token
from sro_graph.errors import ForbiddenError, UnauthorizedError
from sro_graph.submissions.records import Submission, steward_iri

__all__ = ["Steward", "StewardRegistry"]


class StewardRegistry:
    """The configured stewards, found by token."""

    def __init__(self, stewards: Iterable[Steward]) -> None:
        self._stewards = tuple(stewards)

    def __len__(self) -> int:
        return len(self._stewards)

    def authenticate(self, authorization: str | None) -> Steward:
        """The steward an ``Authorization: Bearer <token>`` header belongs to.

        Raises:
            UnauthorizedError: no bearer token.
            ForbiddenError: a token no steward holds.
        """
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise UnauthorizedError("This needs a steward token: 'Authorization: Bearer <token>'.")
        return self.by_token(token)

    def by_token(self, token: str) -> Steward:
        """The steward holding ``token``.

        Raises:
            ForbiddenError: no steward holds it.
        """
        offered = hash_token(token).encode()
        matched: Steward | None = None
        for steward in self._stewards:
            # Every hash is compared, in constant time, whether or not one matched already.
            if hmac.compare_digest(offered, steward.token_hash.encode()):
                matched = steward
        if matched is None:
            raise ForbiddenError("This token may not write submissions.")
        return matched

    @staticmethod
    def may_change(steward: Steward, submission: Submission) -> bool:
        """Only the owner of a submission, or an admin, may replace or withdraw it."""
        return steward.admin or submission.owner == str(steward_iri(steward.id))

    def require_owner(self, steward: Steward, submission: Submission, action: str) -> None:
        """Raises ForbiddenError unless ``steward`` may ``action`` ``submission``."""
        if not self.may_change(steward, submission):
            owner = submission.owner_id or "an earlier steward"
            raise ForbiddenError(
                f"Submission {submission.id} belongs to steward '{owner}'; only its owner or "
                f"an admin may {action} it."
            )
